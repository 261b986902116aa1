import DICOMCore
import DICOMNetwork
import Dispatch
import Synchronization

/// A peer as the network commands name it (`--to`, `--from`, NODE): `AE@host:port`, an `http(s)://.../dicom-web`
/// base URL, or a node of nodes.json (`--nodes FILE`, else `$XDG_CONFIG_HOME/dicom-media/nodes.json`), with our AE title.
public struct NetworkPeer: Sendable {
    public let node: Node
    /// Our AE title, the Calling AE Title of the associations we open (`--ae`, default DICOM_MEDIA).
    public let callingAETitle: String

    /// Resolves `text`; a name is looked up in `nodesFile` or the default nodes file (only names need one).
    /// Errors are NetworkErrors: `node-address`, `ae-title`, `unknown-node`, `nodes-file`, `node-bad-value`, `node-unknown-key`.
    public init(_ text: String, nodesFile: String? = nil, callingAETitle: String = NetworkPeer.defaultAETitle) throws {
        let lower = text.lowercased()
        if text.contains("@") || lower.hasPrefix("http://") || lower.hasPrefix("https://") {
            node = try NodeAddress.parse(text)
        } else {
            node = try NodeAddress.parse(text, directory: try NodeDirectory.load(file: nodesFile))
        }
        self.callingAETitle = try AETitle(callingAETitle).value
    }

    /// A node already read (e.g. from the station's configuration), with our AE title.
    public init(node: Node, callingAETitle: String = NetworkPeer.defaultAETitle) throws {
        self.node = node
        self.callingAETitle = try AETitle(callingAETitle).value
    }

    /// Our AE title when `--ae` is not given.
    public static let defaultAETitle = "DICOM_MEDIA"

    /// Checks an AE title given on the command line (`--ae`, `--allow`); its error says why it is not one (PS3.5 §6.2).
    public static func checkAETitle(_ text: String) throws -> String { try AETitle(text).value }

    /// True when the peer is reached by DIMSE (an AE title, host and port); else by DICOMweb.
    public var usesDIMSE: Bool { node.hasDIMSE }

    /// How reports name the peer: `AE@host:port` (DIMSE), else the DICOMweb base URL; the node's name first when it has one.
    public var label: String {
        let address =
            if let ae = node.aeTitle, let host = node.host, let port = node.port {
                "\(ae.value)@\(host.contains(":") ? "[\(host)]" : host):\(port)"
            } else { node.dicomweb ?? "?" }
        return node.name.map { "\($0) (\(address))" } ?? address
    }

    /// The error with the peer named first when its message does not name it already (a rejection, an abort).
    func naming(_ error: any Error) -> any Error {
        guard var e = error as? NetworkError else { return error }
        let address = label.split(separator: " ").first.map(String.init) ?? label
        if !e.message.contains(address) && !(e.context.path ?? "").contains(address) { e.message = label + ": " + e.message }
        return e
    }

    /// A DICOMweb client of the node with its credentials from the environment.
    func webClient() throws -> DICOMwebClient { try DICOMwebClient(node: node) }
}

/// Runs async network work from the synchronous commands: the calling thread waits; the work runs on the
/// concurrency pool and NIO's event loops.
enum Blocking {
    static func run<T: Sendable>(_ body: @escaping @Sendable () async throws -> T) throws -> T {
        let outcome = Outcome<T>()
        let done = DispatchSemaphore(value: 0)
        Task {
            do {
                let value = try await body()
                outcome.result.withLock { $0 = .success(value) }
            } catch {
                outcome.result.withLock { $0 = .failure(error) }
            }
            done.signal()
        }
        done.wait()
        return try outcome.result.withLock { $0! }.get()
    }

    /// The result of the work, handed from its task to the waiting thread.
    final class Outcome<T: Sendable>: Sendable {
        let result = Mutex<Result<T, any Error>?>(nil)
    }
}

extension NetworkPeer {
    /// True for an error in the node argument itself (a bad address or AE title, a name no nodes file defines): a usage
    /// error (exit 64); a nodes file that cannot be read or is wrong is not (exit 2).
    public static func isUsageError(_ error: any Error) -> Bool {
        guard let e = error as? NetworkError else { return false }
        return e.code == .nodeAddress || e.code == .aeTitle && e.context.path == nil || e.code == .unknownNode
    }
}
