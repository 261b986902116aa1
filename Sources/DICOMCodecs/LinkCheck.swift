import CTurboJPEG
import COpenJPEG
import CCharLS

/// Versions of the linked codec libraries, for `--version` and bug reports.
public enum CodecLibraries {
    public static var openJPEG: String { String(cString: opj_version()) }
    public static var charLS: String { String(cString: charls_get_version_string()) }
}
