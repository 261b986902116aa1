import DICOMCore
import DICOMNetwork
import FileSystem

// The same SCP as `receive --store` (C-ECHO, and C-STORE staged then stored with import's rules before success is
// answered), for a process that runs other work beside it and decides itself when to stop: the station.
/// A C-STORE/C-ECHO SCP into the local store, started and stopped by its owner (PS3.4 Annexes A and B).
public final class StoreListener: Sendable {
    let listener: AssociationListener
    let staging: String
    let tally: ReceiveTally
    /// The port it listens on.
    public var port: Int { listener.port }

    init(listener: AssociationListener, staging: String, tally: ReceiveTally) {
        self.listener = listener; self.staging = staging; self.tally = tally
    }

    /// Binds and starts serving; `stored` is told of each instance once it is in the store. A port that cannot be bound throws.
    public static func start(
        _ options: ReceiveOptions, store: LocalStore, stored: @escaping @Sendable (ReceivedInstance) -> Void,
        association: @escaping @Sendable (ReceivedAssociation) -> Void = { _ in }
    ) async throws -> StoreListener {
        let folder = try StoreReceiver.stagingFolder(root: store.root)
        var receiver = StoreReceiver(staging: StorageSCP(spool: folder), store: store)
        receiver.stored = stored
        let tally = ReceiveTally(report: association)
        let policy = AcceptorPolicy(
            aeTitle: options.aeTitle, allowedCallingAETitles: options.allow.isEmpty ? nil : Set(options.allow), acceptsAnyTransferSyntax: true,
            maximumAssociations: max(1, options.maxAssociations))
        let services: [any DIMSEServiceProvider] = [TalliedService(inner: VerificationSCP(), tally: tally), TalliedService(inner: receiver, tally: tally)]
        do {
            let l = try await AssociationListener.bind(host: options.host, port: options.port, policy: policy, services: services, observer: tally)
            return StoreListener(listener: l, staging: folder, tally: tally)
        } catch {
            _ = removeTree(folder)
            throw error
        }
    }

    /// Stops accepting, lets the running associations finish and be reported, and removes the staging folder.
    public func close() async {
        await listener.close()
        while listener.activeAssociations > 0 || tally.active > 0 { try? await Task.sleep(for: .milliseconds(50)) }
        _ = removeTree(staging)
    }
}
