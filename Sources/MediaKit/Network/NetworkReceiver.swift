import DICOMCore
import DICOMNetwork
import Dispatch
import FileSystem
#if canImport(Glibc)
import Glibc
#endif

/// What `receive` listens as and where the instances go.
public struct ReceiveOptions: Sendable {
    /// Where received instances go: the local store (imported one by one), or a spool folder (`<SOP Instance UID>.dcm`).
    public enum Destination: Sendable {
        case store(LocalStore)
        case spool(String)
    }
    public var host = "127.0.0.1"
    public var port: Int
    /// Our AE title: an association calling another is rejected (called-AE-title-not-recognized).
    public var aeTitle = NetworkPeer.defaultAETitle
    /// The calling AE titles allowed (none: any).
    public var allow: [String] = []
    /// Stop after this many seconds without an association (nil: run until SIGINT/SIGTERM).
    public var idle: Double?
    public var maxAssociations = 16
    public var destination: Destination

    public init(port: Int, destination: Destination) { self.port = port; self.destination = destination }
}

/// `receive`: a foreground C-STORE and C-ECHO SCP (PS3.4 Annexes A and B). SIGINT or SIGTERM (or `idle` seconds
/// without an association) stop accepting; the running associations finish, then it returns.
public enum NetworkReceiver {
    /// Serves until stopped; `listening(port)` once bound, `association` as each one ends. A port that cannot be bound throws.
    public static func run(
        _ options: ReceiveOptions, listening: @Sendable (Int) -> Void, association: @escaping @Sendable (ReceivedAssociation) -> Void
    ) throws {
        let tally = ReceiveTally(report: association)
        var staging: String?
        defer { if let staging { _ = removeTree(staging) } }
        let storage: any DIMSEServiceProvider
        switch options.destination {
        case .spool(let folder):
            do { try makeDirectories(folder) } catch { throw MediaError(.io, "cannot create the spool folder: \(error)", path: folder) }
            storage = StorageSCP(spool: folder)
        case .store(let store):
            let folder = try StoreReceiver.stagingFolder(root: store.root)
            staging = folder
            storage = StoreReceiver(staging: StorageSCP(spool: folder), store: store)
        }
        let policy = AcceptorPolicy(
            aeTitle: options.aeTitle, allowedCallingAETitles: options.allow.isEmpty ? nil : Set(options.allow),
            // Explicit, then Implicit VR Little Endian when proposed (as storescp); else the first syntax proposed, kept as sent.
            acceptsAnyTransferSyntax: true, maximumAssociations: max(1, options.maxAssociations))
        let services: [any DIMSEServiceProvider] = [TalliedService(inner: VerificationSCP(), tally: tally), TalliedService(inner: storage, tally: tally)]
        // Signals are taken before binding, so a signal right after the listening line is not lost.
        let stop = DispatchSemaphore(value: 0)
        let sources = [SIGINT, SIGTERM].map { sig in
            signal(sig, SIG_IGN)
            let s = DispatchSource.makeSignalSource(signal: sig, queue: .global())
            s.setEventHandler { stop.signal() }
            s.resume()
            return s
        }
        defer { for s in sources { s.cancel() } }
        let host = options.host, port = options.port
        let listener = try Blocking.run {
            try await AssociationListener.bind(host: host, port: port, policy: policy, services: services, observer: tally)
        }
        listening(listener.port)
        while stop.wait(timeout: .now() + .milliseconds(200)) == .timedOut {
            if let idle = options.idle, tally.active == 0, listener.activeAssociations == 0, tally.quietFor >= .milliseconds(Int64(idle * 1000)) {
                break
            }
        }
        _ = try? Blocking.run { await listener.close() }
        // The running associations finish (each ends by release, abort or its idle timeout).
        while tally.active > 0 || listener.activeAssociations > 0 { usleep(50_000) }
    }
}
