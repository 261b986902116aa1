import Foundation
import Synchronization

/// The folders `tempDir` made in this test process: removed when it exits, so runs leave nothing in the system's temporary folder.
private let madeFolders = Mutex<[String]>([])
private let removeAtExit: Void = { atexit { for d in madeFolders.withLock({ $0 }) { try? FileManager.default.removeItem(atPath: d) } } }()

/// A fresh, empty folder under the system's temporary folder, named `PREFIX-UUID`; removed when the test process exits.
public func tempDir(_ prefix: String = "dicom-media-tests") throws -> URL {
    let d = FileManager.default.temporaryDirectory.appendingPathComponent("\(prefix)-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: d, withIntermediateDirectories: true)
    _ = removeAtExit
    madeFolders.withLock { $0.append(d.path) }
    return d
}
