import DICOMCore
import DICOMNetwork
import FileSystem
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

// Every instance goes through StoreReceiver, the path `receive --store` uses: written whole into the store's hidden
// staging folder, read there with import's rules, stored by the store's import session, and only then counted
// (and, for C-GET and C-MOVE, answered with success). A half-received instance never reaches the store.
/// `retrieve`: studies fetched from a peer into the local store by C-GET, C-MOVE (to our own listener) or WADO-RS
/// (PS3.4 §C.4.2, §C.4.3; PS3.18 §10.4).
public enum NetworkRetriever {
    /// Retrieves each study; `moveHost`/`movePort`: where our C-MOVE destination listener binds (its AE title is our
    /// calling AE title, which the peer must know). `progress(done, total)` from the peer's counters.
    public static func retrieve(
        studies: [String], from peer: NetworkPeer, method: RetrieveMethod, into store: LocalStore, moveHost: String = "127.0.0.1",
        movePort: Int? = nil, progress: (@Sendable (Int, Int) -> Void)? = nil
    ) throws -> RetrieveReport {
        if method != .wado {
            do { _ = try peer.dimse(for: method.service) } catch { throw peer.naming(error) }
        } else if peer.node.dicomweb == nil {
            throw NetworkError(.nodeAddress, "\(peer.label) has no DICOMweb base URL: --method wado needs one")
        }
        let staging = try StoreReceiver.stagingFolder(root: store.root)
        defer { _ = removeTree(staging) }
        let receiver = TrackingReceiver(inner: StoreReceiver(staging: StorageSCP(spool: staging), store: store, source: peer.node.aeTitle?.value))
        let root = store.root
        return try Blocking.run {
            var report = RetrieveReport(peer: peer.label, method: method, store: root)
            var listener: AssociationListener?
            if method == .move {
                guard let movePort else { throw NetworkError(.nodeAddress, "C-MOVE needs --port for our destination listener") }
                let policy = AcceptorPolicy(aeTitle: peer.callingAETitle, acceptsAnyTransferSyntax: true, maximumAssociations: 4)
                listener = try await AssociationListener.bind(host: moveHost, port: movePort, policy: policy, services: [receiver])
                report.destination = "\(peer.callingAETitle)@\(moveHost):\(listener!.port)"
            }
            for uid in studies {
                var study = RetrieveReport.Study(studyInstanceUID: uid)
                receiver.reset()
                do {
                    switch method {
                    case .get, .move: try await retrieveDIMSE(uid, peer: peer, method: method, receiver: receiver, study: &study, progress: progress)
                    case .wado: try await retrieveWADO(uid, peer: peer, receiver: receiver, study: &study)
                    }
                } catch {
                    study.error = "\(peer.naming(error))"
                }
                if method != .wado {
                    let got = receiver.taken()
                    study.stored = got.stored
                    study.notStored = got.refused
                }
                if let s = study.status, !(s.isSuccess || s.kind == .warning), study.error == nil {
                    study.error = "the peer answered \(s)" + (method == .move ? " (does it know \(report.destination ?? "") as \(peer.callingAETitle)?)" : "")
                }
                report.studies.append(study)
            }
            if let listener { await listener.close() }
            return report
        }
    }

    static func retrieveDIMSE(
        _ uid: String, peer: NetworkPeer, method: RetrieveMethod, receiver: TrackingReceiver, study: inout RetrieveReport.Study,
        progress: (@Sendable (Int, Int) -> Void)?
    ) async throws {
        let (host, port, ae) = try peer.dimse(for: method.service)
        let identifier = try QueryKeys(level: .study, studyInstanceUID: uid).retrieveIdentifier()
        let association: Association
        if method == .get {
            let n = try await getNegotiation(uid, peer: peer, host: host, port: port, ae: ae)
            association = try await Association.connect(
                host: host, port: port, callingAETitle: peer.callingAETitle, calledAETitle: ae, contexts: n.contexts, roleSelections: n.roleSelections,
                tls: peer.tlsOptions)
        } else {
            association = try await Association.connect(
                host: host, port: port, callingAETitle: peer.callingAETitle, calledAETitle: ae, contexts: RetrieveSCU.moveContexts(model: .studyRoot),
                tls: peer.tlsOptions)
        }
        do {
            let op =
                method == .get
                ? try await association.get(identifier, model: .studyRoot, storage: receiver)
                : try await association.move(identifier, model: .studyRoot, destination: peer.callingAETitle)
            for try await event in op {
                guard case .response(let r) = event else { continue }
                let c = r.subOperations
                let done = Int(c.completed ?? 0) + Int(c.failed ?? 0) + Int(c.warning ?? 0)
                progress?(done, done + Int(c.remaining ?? 0))
                if r.isFinal { (study.status, study.counts) = (r.status, c) }
            }
            try await association.release()
        } catch {
            await association.abort()
            throw error
        }
    }

    /// Each transfer syntax a C-GET accepts an instance in as it is stored: Explicit/Implicit VR Little Endian together, then one
    /// context each for the others in use (PS3.5 §10), so compressed instances come without transcoding.
    static let getSyntaxes: [[String]] =
        [[TransferSyntax.explicitVRLittleEndian.uid, TransferSyntax.implicitVRLittleEndian.uid]]
        + [
            TransferSyntax.deflatedExplicitVRLittleEndian, .jpegBaseline, .jpegExtended, .jpegLossless, .jpegLosslessSV1, .jpegLSLossless,
            .jpegLSNearLossless, .jpeg2000Lossless, .jpeg2000, .rleLossless, .encapsulatedUncompressedExplicitVRLittleEndian,
        ].map { [$0.uid] }

    // The study's SOP classes are asked first (an IMAGE-level C-FIND), so each can be proposed in every syntax within the
    // 128 contexts; when the peer does not say, or there are too many, the common storage classes in Explicit/Implicit VR LE.
    /// The contexts and SCP roles of a C-GET of the study (PS3.4 §C.4.3, PS3.7 §D.3.3.4).
    static func getNegotiation(_ uid: String, peer: NetworkPeer, host: String, port: Int, ae: String) async throws
        -> (contexts: [PresentationContextProposal], roleSelections: [RoleSelection])
    {
        let found = try? await FindSCU.find(
            try QueryKeys(level: .image, studyInstanceUID: uid).identifier(), model: .studyRoot, host: host, port: port,
            callingAETitle: peer.callingAETitle, calledAETitle: ae, tls: peer.tlsOptions)
        var classes: [String] = []
        for m in found?.matches ?? [] { if let c = m.string(.sopClassUID), !c.isEmpty, !classes.contains(c) { classes.append(c) } }
        guard !classes.isEmpty, classes.count * getSyntaxes.count < 128 else { return RetrieveSCU.getNegotiation(model: .studyRoot) }
        return RetrieveSCU.getNegotiation(model: .studyRoot, storageSOPClasses: classes, transferSyntaxes: getSyntaxes)
    }

    static func retrieveWADO(_ uid: String, peer: NetworkPeer, receiver: TrackingReceiver, study: inout RetrieveReport.Study) async throws {
        let client = try peer.webClient()
        let files: [RetrievedInstance]
        do {
            files = try await client.retrieve(study: uid, into: receiver.inner.staging.spool)
            try? await client.shutdown()
        } catch {
            try? await client.shutdown()
            throw error
        }
        for f in files {
            let name = String(f.path.split(separator: "/").last ?? "")
            defer { unlink(receiver.inner.staging.spool + "/" + name) }
            if let failure = receiver.inner.importStaged(name, callingAETitle: peer.node.aeTitle?.value ?? "DICOMWEB") {
                study.notStored.append((f.sopInstanceUID, failure.why))
            } else {
                study.stored.append(f.sopInstanceUID)
            }
        }
    }
}

/// The store receiver of a retrieve, noting which instances it stored and which it refused (and why).
final class TrackingReceiver: DIMSEServiceProvider, Sendable {
    let inner: StoreReceiver
    private let seen = Mutex<(stored: [String], refused: [(uid: String, why: String)])>(([], []))

    init(inner: StoreReceiver) { self.inner = inner }

    func accepts(abstractSyntax: String) -> Bool { inner.accepts(abstractSyntax: abstractSyntax) }

    func respond(to request: DIMSEReceived, on association: NegotiatedAssociation) async -> DIMSEMessage? {
        let answer = await inner.respond(to: request, on: association)
        if case .cStoreRQ(let rq) = request.message, let status = answer?.response?.status {
            seen.withLock {
                if status.isSuccess || status.kind == .warning {
                    $0.stored.append(rq.affectedSOPInstanceUID)
                } else {
                    $0.refused.append((rq.affectedSOPInstanceUID, "answered \(status)" + (answer?.response?.errorComment.map { ": \($0)" } ?? "")))
                }
            }
        }
        return answer
    }

    func reset() { seen.withLock { $0 = ([], []) } }

    /// What was stored and refused since the last reset.
    func taken() -> (stored: [String], refused: [(uid: String, why: String)]) { seen.withLock { $0 } }
}
