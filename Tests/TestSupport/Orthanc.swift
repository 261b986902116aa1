import Foundation
import Glibc
import XCTest

/// An Orthanc server of the test's own on loopback (docs: shared NETWORK.md §5): a fresh folder, its config
/// with free high ports, `Orthanc` with the DICOMweb plugin, ready once `/system` answers; ``stop()`` sends
/// SIGTERM and waits for the process to exit (a second Orthanc on the same database would find it locked).
public final class OrthancServer: @unchecked Sendable {
    // Safe because: the fields are set once in init; `stop()` is called from the test's own thread.
    public let folder: String
    public let httpPort: Int
    public let dicomPort: Int
    public let process: Process

    /// `http://127.0.0.1:PORT`, the REST root.
    public var url: String { "http://127.0.0.1:\(httpPort)" }
    /// The DICOMweb base URL.
    public var dicomWebURL: String { url + "/dicom-web" }

    /// The Orthanc executable, or nil when it is not installed (Debian: orthanc, orthanc-dicomweb).
    public static var executable: String? { ["/usr/sbin/Orthanc", "/usr/bin/Orthanc"].first { FileManager.default.isExecutableFile(atPath: $0) } ?? PeerTool.path("Orthanc") }
    static let dicomWebPlugin = "/usr/share/orthanc/plugins/libOrthancDicomWeb.so"

    /// Starts a server; `users` turns HTTP basic authentication on with these user/password pairs. Skips the
    /// test when Orthanc or its DICOMweb plugin is not installed.
    public static func start(users: [String: String]? = nil) throws -> OrthancServer {
        guard let exe = executable, FileManager.default.fileExists(atPath: dicomWebPlugin) else {
            throw XCTSkip("needs Orthanc with its DICOMweb plugin (apt-get install orthanc orthanc-dicomweb)")
        }
        return try OrthancServer(executable: exe, users: users)
    }

    init(executable: String, users: [String: String]?) throws {
        folder = try tempDir("dicom-media-orthanc").path
        httpPort = try Self.freePort()
        dicomPort = try Self.freePort()
        var config: [String: Any] = [
            "Name": "dicom-media-test", "StorageDirectory": folder + "/db", "IndexDirectory": folder + "/db", "HttpPort": httpPort,
            "DicomPort": dicomPort, "DicomAet": "ORTHANC", "RemoteAccessAllowed": false, "AuthenticationEnabled": users != nil,
            "Plugins": [Self.dicomWebPlugin], "DicomWeb": ["Enable": true, "Root": "/dicom-web/"],
        ]
        if let users { config["RegisteredUsers"] = users }
        try JSONSerialization.data(withJSONObject: config).write(to: URL(fileURLWithPath: folder + "/orthanc.json"))
        process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = ["--logdir=" + folder, folder + "/orthanc.json"]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        let deadline = Date().addingTimeInterval(60)
        while !Self.answers(port: httpPort) {
            guard process.isRunning else { throw TestFailure("Orthanc exited with status \(process.terminationStatus); its log is in \(folder)") }
            guard Date() < deadline else {
                stop()
                throw TestFailure("Orthanc did not answer /system on port \(httpPort) within 60 s; its log is in \(folder)")
            }
            usleep(100_000)
        }
    }

    /// SIGTERM, then waits for the process to exit; removes the folder.
    public func stop() {
        if process.isRunning {
            kill(process.processIdentifier, SIGTERM)
            process.waitUntilExit()
        }
        try? FileManager.default.removeItem(atPath: folder)
    }

    /// True when `GET /system` gets an HTTP answer (200, or 401 with authentication on).
    static func answers(port: Int) -> Bool {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        var a = sockaddr_in()
        a.sin_family = sa_family_t(AF_INET)
        a.sin_port = in_port_t(UInt16(port).bigEndian)
        a.sin_addr.s_addr = inet_addr("127.0.0.1")
        let ok = withUnsafePointer(to: &a) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) } }
        guard ok == 0 else { return false }
        var tv = timeval(tv_sec: 5, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
        let request = Array("GET /system HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n".utf8)
        guard write(fd, request, request.count) == request.count else { return false }
        var buffer = [UInt8](repeating: 0, count: 16)
        let n = read(fd, &buffer, 16)
        guard n >= 12 else { return false }
        let line = String(decoding: buffer[..<n], as: UTF8.self)
        return line.hasPrefix("HTTP/1.") && (line.contains(" 200") || line.contains(" 401"))
    }

    /// A free TCP port on 127.0.0.1 (bound to port 0, read, released).
    public static func freePort() throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw TestFailure("socket failed") }
        defer { close(fd) }
        var a = sockaddr_in()
        a.sin_family = sa_family_t(AF_INET)
        a.sin_port = 0
        a.sin_addr.s_addr = inet_addr("127.0.0.1")
        var len = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &a) { p in
            p.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, len) == 0 && getsockname(fd, $0, &len) == 0 }
        }
        guard bound else { throw TestFailure("cannot bind a loopback port") }
        return Int(UInt16(bigEndian: a.sin_port))
    }
}
