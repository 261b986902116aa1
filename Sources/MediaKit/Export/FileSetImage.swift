import FileSystem
import DICOMCore
import DICOMFileSet
import DICOMIO
import Foundation
import MediaImage
#if canImport(Glibc)
import Glibc
#endif

/// Telling an image (ISO 9660, ZIP, tar) from a DICOMDIR; `ImageMedium` reads it in place.
public enum FileSetImage {
    /// Whether `path` is a file to read as an image rather than as a DICOMDIR: an ISO 9660 volume
    /// descriptor ("CD001" at byte 32769, ECMA-119 8.1) or an .iso/.zip/.tar name.
    public static func isImage(_ path: String) -> Bool {
        guard isRegularFile(path) else { return false }
        let lower = path.lowercased()
        if lower.hasSuffix(".iso") || lower.hasSuffix(".zip") || lower.hasSuffix(".tar") { return true }
        return hasVolumeDescriptor(path)
    }

    /// Whether the file starts an ISO 9660 volume: "CD001" at byte 32769 (ECMA-119 8.1).
    public static func hasVolumeDescriptor(_ path: String) -> Bool {
        guard let h = FileHandle(forReadingAtPath: path) else { return false }
        defer { try? h.close() }
        try? h.seek(toOffset: 32769)
        return h.readData(ofLength: 5) == Data("CD001".utf8)
    }

    /// Refuses an .iso file without an ISO 9660 volume descriptor (libarchive would read it as an empty archive).
    static func checkImage(_ path: String) throws {
        let lower = path.lowercased()
        if !(lower.hasSuffix(".zip") || lower.hasSuffix(".tar")) && !hasVolumeDescriptor(path) {
            throw MediaError(.unreadable, "not an ISO 9660 image: no volume descriptor (\"CD001\") at byte 32769 (ECMA-119 8.1)", path: path)
        }
    }

}
