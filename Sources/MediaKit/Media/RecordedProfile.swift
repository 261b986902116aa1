import DICOMCore
import DICOMFileSet
import DICOMIO
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// The application profile a File-set was made for, as this tool records it in the DICOMDIR: the
/// File Meta's Private Information (0002,0102) under Private Information Creator UID (0002,0100) =
/// this implementation's class UID (PS3.10 §7.1). Other readers ignore it; `update` reads it back.
public enum RecordedProfile {
    static let prefix = "dicom-media application-profile="

    /// The profile identifier recorded by this tool, or nil (none, or another implementation's private information).
    public static func identifier(in fs: FileSet) -> String? {
        guard fs.fileMeta.string(.privateInformationCreatorUID) == Implementation.classUID,
            let bytes = fs.fileMeta[.privateInformation]?.bytes
        else { return nil }
        var text = String(decoding: bytes, as: UTF8.self)
        while let last = text.last, last == "\0" || last == " " { text.removeLast() }
        guard text.hasPrefix(prefix) else { return nil }
        return String(text.dropFirst(prefix.count))
    }

    /// Records `profile` unless the DICOMDIR carries another implementation's private information (kept as it is).
    static func record(_ profile: ApplicationProfile, in fs: inout FileSet) {
        if let creator = fs.fileMeta.string(.privateInformationCreatorUID), creator != Implementation.classUID { return }
        var bytes = Array((prefix + profile.id).utf8)
        if bytes.count % 2 == 1 { bytes.append(0) }
        fs.fileMeta.setString(.privateInformationCreatorUID, .UI, Implementation.classUID)
        fs.fileMeta.set(DataElement(tag: .privateInformation, vr: .OB, bytes: bytes))
    }
}
