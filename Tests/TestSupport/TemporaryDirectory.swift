import Foundation

/// A fresh, empty folder under the system's temporary folder, named `PREFIX-UUID`.
public func tempDir(_ prefix: String = "dicom-media-tests") throws -> URL {
    let d = FileManager.default.temporaryDirectory.appendingPathComponent("\(prefix)-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: d, withIntermediateDirectories: true)
    return d
}
