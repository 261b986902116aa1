import Foundation
import Synchronization
import XCTest

/// The peer tools used as oracles (DCMTK, GDCM, libjpeg-turbo's cjpeg/djpeg, OpenJPEG), found on PATH.
///
/// They belong to the full run: in the quick loop (`swift test` without DICOM_MEDIA_CORPUS) a test that needs
/// one is skipped; in the full run (DICOM_MEDIA_CORPUS set, as scripts/test.sh does after scripts/setup.sh
/// installed the tools) a missing tool fails it.
public enum PeerTool {
    /// The path of an executable on PATH (then /usr/bin, /usr/local/bin, /usr/sbin), or nil.
    public static func path(_ name: String) -> String? {
        let dirs = (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":").map(String.init) + ["/usr/bin", "/usr/local/bin", "/usr/sbin"]
        return dirs.map { "\($0)/\(name)" }.first { FileManager.default.isExecutableFile(atPath: $0) }
    }

    /// The path of a peer tool; skips in the quick loop, fails in the full run when it is not installed.
    public static func require(_ name: String) throws -> String {
        guard Corpus.isAvailable else {
            throw XCTSkip("needs peer tool \(name): runs with \(Corpus.variable) set (scripts/test.sh)")
        }
        if let p = path(name) { return p }
        throw TestFailure("peer tool \(name) not found on PATH: scripts/setup.sh installs it")
    }
}

/// Runs a peer tool found on PATH: its exit status and its stdout and stderr together (see ``PeerTool/require(_:)``
/// for a tool that is not installed).
@discardableResult
public func runProcess(_ tool: String, _ args: [String]) throws -> (status: Int32, output: String) {
    let exe = try PeerTool.require(tool)
    let r = try runExecutable(URL(fileURLWithPath: exe), args)
    return (r.status, r.stdout + r.stderr)
}

/// The result of a process: exit status, stdout and stderr.
public struct ProcessResult: Sendable {
    public var status: Int32
    public var stdout: String
    public var stderr: String
}

/// Runs an executable with `args`, stdout and stderr read to their ends (on separate threads, so a full pipe never blocks).
public func runExecutable(_ url: URL, _ args: [String], environment: [String: String]? = nil) throws -> ProcessResult {
    let p = Process()
    p.executableURL = url
    p.arguments = args
    if let environment { p.environment = environment }
    let out = Pipe(), err = Pipe()
    p.standardOutput = out
    p.standardError = err
    try p.run()
    let box = ErrorOutput()
    let errHandle = err.fileHandleForReading
    DispatchQueue.global().async { box.set(errHandle.readDataToEndOfFile()) }
    let o = out.fileHandleForReading.readDataToEndOfFile()
    p.waitUntilExit()
    let e = box.wait()
    return ProcessResult(status: p.terminationStatus, stdout: String(decoding: o, as: UTF8.self), stderr: String(decoding: e, as: UTF8.self))
}

/// The stderr bytes handed from the reading thread.
private final class ErrorOutput: Sendable {
    private let done = DispatchSemaphore(value: 0)
    private let data = Mutex(Data())
    func set(_ d: Data) { data.withLock { $0 = d }; done.signal() }
    func wait() -> Data { done.wait(); return data.withLock { $0 } }
}
