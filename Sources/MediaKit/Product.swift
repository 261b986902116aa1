import DICOMIO

/// The product's name and version, in one place: `--version`, the PDI files' creating application,
/// the ISO images' application identifier and the File Meta's Implementation Version Name (PS3.10
/// §7.1, written by DICOMIO as `Implementation.versionName`) all derive from `Implementation.version`.
public enum Product {
    public static let name = "dicom-media"
    public static let version = Implementation.version
    /// "dicom-media 0.1": the creating application named in README.TXT and INDEX.HTM (IHE PDI).
    public static let application = "\(name) \(version)"
    /// "DICOM_MEDIA_0_1": the application identifier of an ISO image (ECMA-119 §8.4.29, a-characters only).
    public static let imageApplication = "DICOM_MEDIA_" + String(version.map { $0 == "." ? "_" : $0 })
}
