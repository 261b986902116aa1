import DICOMCore
import Synchronization

extension UID {
    /// Storage Commitment Push Model SOP Class, and its well-known SOP Instance (PS3.4 §J.3.5).
    public static let storageCommitmentPushModel = "1.2.840.10008.1.20.1"
    public static let storageCommitmentPushModelInstance = "1.2.840.10008.1.20.1.1"
}

/// A SOP Instance named in a Storage Commitment request or result (PS3.4 §J.3.2.1.1, Table J.3-1).
public struct SOPReference: Sendable, Hashable {
    public var sopClassUID: String
    public var sopInstanceUID: String
    public init(sopClassUID: String, sopInstanceUID: String) { self.sopClassUID = sopClassUID; self.sopInstanceUID = sopInstanceUID }
}

/// The result of a Storage Commitment transaction, from its N-EVENT-REPORT (PS3.4 §J.3.3.1, Table J.3-2).
public struct StorageCommitmentResult: Sendable, Hashable {
    /// An instance the SCP did not commit and why: Failure Reason (0008,1197), e.g. 0112 No such object instance (PS3.4 §J.3.3.1.1).
    public struct Failure: Sendable, Hashable {
        public var reference: SOPReference
        public var reason: DIMSEStatus
        public init(reference: SOPReference, reason: DIMSEStatus) { self.reference = reference; self.reason = reason }
    }
    public var transactionUID: String
    /// Event Type ID: 1 all committed, 2 failures exist (PS3.4 §J.3.3.1).
    public var eventTypeID: UInt16
    /// Referenced SOP Sequence (0008,1199): the instances committed.
    public var committed: [SOPReference]
    /// Failed SOP Sequence (0008,1198).
    public var failed: [Failure]
    /// Retrieve AE Title (0008,0054), when the SCP gave one.
    public var retrieveAETitle: String?
    /// True when the report came on the association of the request, false on a new one the SCP opened (PS3.4 §J.3.3).
    public var onRequestAssociation: Bool
}

// One provider serves both paths of the report: on the requesting association (read by `commit` while it waits)
// and on a new association the SCP opens to our listener (this provider among the listener's services, accepting
// the SOP class with the SCU role the SCP's role selection asks; the acceptor answers roles as proposed).
/// Storage Commitment Push Model as SCU: N-ACTION requests, N-EVENT-REPORT results on the same or a new association (PS3.4 Annex J).
public final class StorageCommitmentSCU: DIMSEServiceProvider, Sendable {
    private struct State {
        var results: [String: StorageCommitmentResult] = [:]
        var waiters: [String: CheckedContinuation<StorageCommitmentResult, any Error>] = [:]
    }
    private let state = Mutex(State())

    public init() {}

    /// The context a Storage Commitment SCU proposes (PS3.4 §J.3.1).
    public static let context = PresentationContextProposal(abstractSyntax: UID.storageCommitmentPushModel, transferSyntaxes: DIMSEDataSetCoding.syntaxes)

    public func accepts(abstractSyntax: String) -> Bool { abstractSyntax == UID.storageCommitmentPushModel }

    /// Answers an N-EVENT-REPORT-RQ carrying a result: recorded for its Transaction UID, answered with success (PS3.4 §J.3.3.2).
    public func respond(to request: DIMSEReceived, on association: NegotiatedAssociation) async -> DIMSEMessage? {
        guard let (response, result) = answer(request, onRequestAssociation: false) else { return nil }
        if let result { deliver(result) }
        return response
    }

    /// The N-EVENT-REPORT-RSP to a report and the result it carries (nil when its Event Information cannot be read: 0110).
    private func answer(_ request: DIMSEReceived, onRequestAssociation: Bool) -> (DIMSEMessage, StorageCommitmentResult?)? {
        guard case .nEventReportRQ(let rq) = request.message else { return nil }
        let result = try? Self.result(rq, request, onRequestAssociation: onRequestAssociation)
        var rsp = NEventReportRSP(
            DIMSEResponseFields(
                respondingTo: rq.messageID, status: result == nil ? .processingFailure : .success, affectedSOPClassUID: rq.affectedSOPClassUID,
                affectedSOPInstanceUID: rq.affectedSOPInstanceUID))
        rsp.eventTypeID = rq.eventTypeID
        return (.nEventReportRSP(rsp), result)
    }

    /// Sends the N-ACTION-RQ (Request Storage Commitment, Action Type 1) for `references` under a new Transaction UID on an
    /// association with the Storage Commitment context; returns the Transaction UID. A failure status throws (PS3.4 §J.3.2).
    public func request(_ references: [SOPReference], on association: Association, transactionUID: String = UID.make()) async throws -> String {
        guard let context = association.context(for: UID.storageCommitmentPushModel, preferring: DIMSEDataSetCoding.syntaxes) else {
            throw NetworkError(.noAcceptedContext, "the peer did not accept Storage Commitment Push Model (\(UID.storageCommitmentPushModel))")
        }
        var info = DataSet()
        info.setString(.transactionUID, .UI, transactionUID)
        info.setSequence(
            .referencedSOPSequence,
            references.map { r in
                var item = DataSet()
                item.setString(.referencedSOPClassUID, .UI, r.sopClassUID)
                item.setString(.referencedSOPInstanceUID, .UI, r.sopInstanceUID)
                return item
            })
        let rq = NActionRQ(
            messageID: await association.nextMessageID(), requestedSOPClassUID: UID.storageCommitmentPushModel,
            requestedSOPInstanceUID: UID.storageCommitmentPushModelInstance, actionTypeID: 1)
        let responses = try await association.request(
            .nActionRQ(rq), dataSet: DIMSEDataSetCoding.encode(info, syntax: context.transferSyntax), contextID: context.id)
        guard let last = responses.last, case .nActionRSP(let rsp) = last.message else {
            throw NetworkError(.unexpectedResponse, "no N-ACTION-RSP to the Storage Commitment request")
        }
        guard rsp.status.kind == .success || rsp.status.kind == .warning else {
            throw NetworkError(.unexpectedResponse, "the peer refused the Storage Commitment request: \(rsp.status.name(for: .nActionRSP))")
        }
        return transactionUID
    }

    /// The result of a transaction once its N-EVENT-REPORT came (to ``respond(to:on:)``); `commitment-timeout` after `timeout`.
    public func result(transactionUID: String, timeout: Duration) async throws -> StorageCommitmentResult {
        try await withThrowingTaskGroup(of: StorageCommitmentResult.self) { group in
            group.addTask { try await self.wait(transactionUID) }
            group.addTask {
                try await Task.sleep(for: timeout)
                throw NetworkError(.commitmentTimeout, "no Storage Commitment result for transaction \(transactionUID) within \(timeout)")
            }
            defer { group.cancelAll() }
            guard let first = try await group.next() else { throw CancellationError() }
            return first
        }
    }

    /// Connects, requests commitment of `references`, and waits up to `timeout` for the result: read on this association until the
    /// SCP reports or releases, or received by a listener serving this provider; then releases (PS3.4 §J.3.3).
    public func commit(
        _ references: [SOPReference], host: String, port: Int, callingAETitle: String, calledAETitle: String, timeout: Duration = .seconds(60),
        timeouts: AssociationTimeouts = AssociationTimeouts(), tls: TLSOptions? = nil
    ) async throws -> StorageCommitmentResult {
        let association = try await Association.connect(
            host: host, port: port, callingAETitle: callingAETitle, calledAETitle: calledAETitle, contexts: [Self.context], timeouts: timeouts, tls: tls)
        let transactionUID: String
        do { transactionUID = try await request(references, on: association) } catch {
            await association.abort()
            throw error
        }
        // The association is read in its own task (reports on it are answered here) until it ends; it is released below.
        let reader = Task {
            while let r = try? await association.receive() {
                // Answered before the result is delivered: the release that follows must not overtake the N-EVENT-REPORT-RSP.
                guard let (response, result) = self.answer(r, onRequestAssociation: true) else { continue }
                try? await association.send(response, contextID: r.context.id)
                if let result { self.deliver(result) }
            }
        }
        let outcome: Result<StorageCommitmentResult, any Error>
        do { outcome = .success(try await result(transactionUID: transactionUID, timeout: timeout)) } catch { outcome = .failure(error) }
        await association.requestRelease()
        await reader.value
        return try outcome.get()
    }

    private func wait(_ transactionUID: String) async throws -> StorageCommitmentResult {
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (c: CheckedContinuation<StorageCommitmentResult, any Error>) in
                let ready: StorageCommitmentResult? = state.withLock { s in
                    if let r = s.results.removeValue(forKey: transactionUID) { return r }
                    s.waiters[transactionUID] = c
                    return nil
                }
                if let ready { c.resume(returning: ready) }
            }
        } onCancel: {
            state.withLock { $0.waiters.removeValue(forKey: transactionUID) }?.resume(throwing: CancellationError())
        }
    }

    private func deliver(_ result: StorageCommitmentResult) {
        let waiter: CheckedContinuation<StorageCommitmentResult, any Error>? = state.withLock { s in
            if let w = s.waiters.removeValue(forKey: result.transactionUID) { return w }
            s.results[result.transactionUID] = result
            return nil
        }
        waiter?.resume(returning: result)
    }

    /// Reads the Event Information of a Storage Commitment N-EVENT-REPORT-RQ (PS3.4 Table J.3-2).
    static func result(_ rq: NEventReportRQ, _ request: DIMSEReceived, onRequestAssociation: Bool) throws -> StorageCommitmentResult {
        guard let bytes = request.dataSet else { throw NetworkError(.dataSetUnreadable, "a Storage Commitment N-EVENT-REPORT without Event Information") }
        let info = try DIMSEDataSetCoding.decode(bytes, syntax: request.context.transferSyntax, what: "N-EVENT-REPORT event information")
        guard let uid = info.string(.transactionUID), !uid.isEmpty else {
            throw NetworkError(.dataSetUnreadable, "a Storage Commitment result without Transaction UID", tag: .transactionUID)
        }
        func reference(_ item: DataSet) -> SOPReference {
            SOPReference(sopClassUID: item.string(.referencedSOPClassUID) ?? "", sopInstanceUID: item.string(.referencedSOPInstanceUID) ?? "")
        }
        return StorageCommitmentResult(
            transactionUID: uid, eventTypeID: rq.eventTypeID, committed: (info[.referencedSOPSequence]?.items ?? []).map(reference),
            failed: (info[.failedSOPSequence]?.items ?? []).map {
                StorageCommitmentResult.Failure(reference: reference($0), reason: DIMSEStatus(UInt16(clamping: $0.integer(.failureReason) ?? 0x0110)))
            },
            retrieveAETitle: info.string(.retrieveAETitle), onRequestAssociation: onRequestAssociation)
    }
}

extension DIMSEStatus {
    /// Processing failure (PS3.7 §C.5.10); also a Storage Commitment Failure Reason (PS3.4 §J.3.3.1.1).
    public static let processingFailure = Self(0x0110)
}
