import Foundation
import Glibc
import XCTest

/// An Orthanc server of the test's own on loopback (docs: shared NETWORK.md §5): a fresh folder, its config
/// with free high ports, `Orthanc` with the DICOMweb plugin, ready once `/system` answers; ``stop()`` sends
/// SIGTERM and waits for the process to exit (a second Orthanc on the same database would find it locked).
public final class OrthancServer: Sendable {
    public let folder: String
    public let httpPort: Int
    public let dicomPort: Int
    /// The server's process id.
    public let pid: pid_t

    /// `http://127.0.0.1:PORT`, the REST root.
    public var url: String { "http://127.0.0.1:\(httpPort)" }
    /// The DICOMweb base URL.
    public var dicomWebURL: String { url + "/dicom-web" }

    static let dicomWebPlugin = "/usr/share/orthanc/plugins/libOrthancDicomWeb.so"
    /// The Modality Worklists plugin (Debian's orthanc package), for `plugins:`.
    public static let worklistsPlugin = "/usr/share/orthanc/plugins/libModalityWorklists.so"

    /// Starts a server; `users` turns HTTP basic authentication on with these user/password pairs. Like every
    /// peer tool (``PeerTool/require(_:)``): skipped in the quick loop, a failure in the full run when Orthanc
    /// or its DICOMweb plugin is not installed (scripts/setup.sh installs orthanc, orthanc-dicomweb).
    /// `plugins` are loaded too (each must be installed); `config` entries are added to the configuration (e.g. DicomModalities).
    public static func start(users: [String: String]? = nil, plugins: [String] = [], config extra: [String: any Sendable] = [:]) throws
        -> OrthancServer
    {
        let exe = try PeerTool.require("Orthanc")
        for plugin in [dicomWebPlugin] + plugins where !FileManager.default.fileExists(atPath: plugin) {
            throw TestFailure("Orthanc's plugin \(plugin) is not installed: scripts/setup.sh installs orthanc and orthanc-dicomweb")
        }
        return try OrthancServer(executable: exe, users: users, plugins: plugins, extra: extra)
    }

    init(executable: String, users: [String: String]?, plugins: [String] = [], extra: [String: any Sendable] = [:]) throws {
        folder = try tempDir("dicom-media-orthanc").path
        httpPort = try Self.freePort()
        dicomPort = try Self.freePort()
        var config: [String: Any] = [
            "Name": "dicom-media-test", "StorageDirectory": folder + "/db", "IndexDirectory": folder + "/db", "HttpPort": httpPort,
            "DicomPort": dicomPort, "DicomAet": "ORTHANC", "RemoteAccessAllowed": false, "AuthenticationEnabled": users != nil,
            "Plugins": [Self.dicomWebPlugin] + plugins, "DicomWeb": ["Enable": true, "Root": "/dicom-web/"],
        ]
        if let users { config["RegisteredUsers"] = users }
        for (key, value) in extra { config[key] = value }
        try JSONSerialization.data(withJSONObject: config).write(to: URL(fileURLWithPath: folder + "/orthanc.json"))
        pid = try Self.spawn(executable, ["--logdir=" + folder, folder + "/orthanc.json"])
        let deadline = Date().addingTimeInterval(60)
        while !Self.answers(port: httpPort) {
            var status: Int32 = 0
            if waitpid(pid, &status, WNOHANG) == pid { throw TestFailure("Orthanc exited with status \(status); its log is in \(folder)") }
            guard Date() < deadline else {
                stop()
                throw TestFailure("Orthanc did not answer /system on port \(httpPort) within 60 s; its log is in \(folder)")
            }
            usleep(100_000)
        }
    }

    /// posix_spawn with an empty signal mask and SIGTERM's default action: a test's thread (a dispatch worker)
    /// blocks signals, and a child inheriting that mask would never see the SIGTERM that stops it.
    static func spawn(_ executable: String, _ args: [String]) throws -> pid_t {
        var attr = posix_spawnattr_t()
        posix_spawnattr_init(&attr)
        defer { posix_spawnattr_destroy(&attr) }
        var empty = sigset_t(), defaults = sigset_t()
        sigemptyset(&empty)
        sigemptyset(&defaults)
        sigaddset(&defaults, SIGTERM)
        sigaddset(&defaults, SIGINT)
        posix_spawnattr_setsigmask(&attr, &empty)
        posix_spawnattr_setsigdefault(&attr, &defaults)
        posix_spawnattr_setflags(&attr, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0)
        let argv: [UnsafeMutablePointer<CChar>?] = ([executable] + args).map { strdup($0) } + [nil]
        defer { for p in argv { free(p) } }
        var pid: pid_t = 0
        let r = posix_spawn(&pid, executable, &actions, &attr, argv, environ)
        guard r == 0 else { throw TestFailure("cannot start \(executable): errno \(r)") }
        return pid
    }

    /// SIGTERM, then waits for the process to exit (SIGKILL after 60 s, so a test never hangs); removes the folder.
    public func stop() {
        var status: Int32 = 0
        if waitpid(pid, &status, WNOHANG) == 0 {
            kill(pid, SIGTERM)
            let deadline = Date().addingTimeInterval(60)
            while waitpid(pid, &status, WNOHANG) == 0 {
                if Date() > deadline {
                    kill(pid, SIGKILL)
                    waitpid(pid, &status, 0)
                    break
                }
                usleep(50_000)
            }
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
        let ok = withUnsafePointer(to: &a) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
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
