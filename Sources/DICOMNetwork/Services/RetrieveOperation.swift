import DICOMCore

/// One C-MOVE-RSP or C-GET-RSP: status and sub-operation counters (PS3.7 §9.1.3.1, §9.1.4.1; PS3.4 §C.4.2.1.5, §C.4.3.1.4).
public struct RetrieveResponse: Sendable {
    /// FF00 pending; at the end 0000 all done, B000 some failed or warned, FE00 cancelled, A701/A702/A801/A900/Cxxx failure.
    public var status: DIMSEStatus
    public var subOperations: SubOperationCounts
    /// Failed SOP Instance UID List (0008,0058) of the final response's identifier, or of its command (where DCMTK-based peers put it).
    public var failedSOPInstanceUIDs: [String]
    /// Error Comment (0000,0902), when the peer gave one.
    public var errorComment: String?

    /// True for the last response (not pending).
    public var isFinal: Bool { !status.isPending }
    /// True when the retrieve ended by a C-CANCEL (FE00).
    public var isCancelled: Bool { status.kind == .cancel }
}

/// An instance a C-GET brought on the same association, and the status our C-STORE-RSP gave it (PS3.4 §C.4.3.1).
public struct ReceivedInstance: Sendable, Hashable {
    public var sopClassUID: String
    public var sopInstanceUID: String
    public var status: DIMSEStatus
}

/// What a retrieve reports as it runs: each C-MOVE/C-GET response, and each instance a C-GET received.
public enum RetrieveEvent: Sendable {
    case response(RetrieveResponse)
    case stored(ReceivedInstance)
}

// The C-STOREs of a C-GET arrive on the same association between its responses: the iterator answers each
// through the storage provider (a StorageSCP: bytes as received into its spool) before reading on.
/// A C-MOVE or C-GET in progress: its responses and, for C-GET, the instances received; C-CANCEL (PS3.4 §C.4.2, §C.4.3).
public final class RetrieveOperation: AsyncSequence, Sendable {
    public typealias Element = RetrieveEvent
    let operation: DIMSEOperation
    let storage: (any DIMSEServiceProvider)?

    init(operation: DIMSEOperation, storage: (any DIMSEServiceProvider)?) { self.operation = operation; self.storage = storage }

    /// The request's Message ID.
    public var messageID: UInt16 { operation.messageID }

    /// Sends C-CANCEL-RQ (once): the peer stops before its next sub-operation and ends with Cancel (FE00) (PS3.7 §9.3.2.3).
    public func cancel() async throws { try await operation.cancel() }

    public func makeAsyncIterator() -> Iterator { Iterator(operation: operation, storage: storage) }

    /// Reads the events up to the final response.
    public struct Iterator: AsyncIteratorProtocol {
        let operation: DIMSEOperation
        let storage: (any DIMSEServiceProvider)?
        var finished = false

        /// The next event, nil after the final response. A C-STORE-RQ outside a C-GET, or another message, throws.
        public mutating func next() async throws -> RetrieveEvent? {
            guard !finished else { return nil }
            let r = try await operation.next()
            switch r.message {
            case .cMoveRSP(let rsp) where operation.commandField == .cMoveRQ:
                return .response(try response(rsp.response, rsp.subOperations, r))
            case .cGetRSP(let rsp) where operation.commandField == .cGetRQ:
                return .response(try response(rsp.response, rsp.subOperations, r))
            case .cStoreRQ(let rq) where storage != nil:
                return .stored(try await store(rq, r))
            default:
                finished = true
                throw NetworkError(.unexpectedResponse, "a \(r.message.commandField.name) during the \(operation.commandField.name)")
            }
        }

        private mutating func response(_ fields: DIMSEResponseFields, _ counts: SubOperationCounts, _ r: DIMSEReceived) throws -> RetrieveResponse {
            finished = !fields.status.isPending
            let identifier = try r.dataSet.map { try DIMSEDataSetCoding.decode($0, syntax: r.context.transferSyntax, what: "retrieve response identifier") }
            return RetrieveResponse(
                status: fields.status, subOperations: counts,
                failedSOPInstanceUIDs: identifier?.strings(.failedSOPInstanceUIDList) ?? r.statusDetail?.strings(.failedSOPInstanceUIDList) ?? [],
                errorComment: fields.errorComment)
        }

        /// Answers a C-STORE sub-operation of the C-GET through the storage provider; 0122 when it takes none of this SOP class.
        private func store(_ rq: CStoreRQ, _ r: DIMSEReceived) async throws -> ReceivedInstance {
            var answer: DIMSEMessage?
            if let storage, storage.accepts(abstractSyntax: r.context.abstractSyntax) {
                answer = await storage.respond(to: r, on: operation.association.negotiated)
            }
            let reply =
                answer
                ?? .cStoreRSP(
                    CStoreRSP(
                        DIMSEResponseFields(
                            respondingTo: rq.messageID, status: .sopClassNotSupported, affectedSOPClassUID: rq.affectedSOPClassUID,
                            affectedSOPInstanceUID: rq.affectedSOPInstanceUID)))
            try await operation.association.send(reply, contextID: r.context.id)
            return ReceivedInstance(
                sopClassUID: rq.affectedSOPClassUID, sopInstanceUID: rq.affectedSOPInstanceUID, status: reply.response?.status ?? .sopClassNotSupported)
        }
    }
}

extension DIMSEStatus {
    /// Refused: SOP Class not supported (PS3.7 §C.5.21).
    public static let sopClassNotSupported = Self(0x0122)
}

extension Association {
    /// C-MOVE: asks the peer to send what `identifier` selects (see ``QueryKeys/retrieveIdentifier()``) to the AE
    /// `destination` by C-STORE on associations of its own; iterate for the responses (PS3.7 §9.1.4, PS3.4 §C.4.2).
    public func move(_ identifier: DataSet, model: QueryInformationModel, destination: String, priority: DIMSEPriority = .medium) async throws
        -> RetrieveOperation
    {
        guard let sopClass = model.moveSOPClass else { throw NetworkError(.noAcceptedContext, "the \(model) information model has no C-MOVE") }
        let op = try await DIMSEOperation.start(
            { .cMoveRQ(CMoveRQ(messageID: $0, affectedSOPClassUID: sopClass, moveDestination: destination, priority: priority)) },
            identifier: identifier, sopClass: sopClass, on: self, service: "C-MOVE")
        return RetrieveOperation(operation: op, storage: nil)
    }

    /// C-GET: asks the peer to send what `identifier` selects on this association, each C-STORE answered by `storage` (a
    /// ``StorageSCP``); the association must have been negotiated with ``RetrieveSCU/getNegotiation(model:storageSOPClasses:transferSyntaxes:)``
    /// (PS3.7 §9.1.3, PS3.4 §C.4.3).
    public func get(_ identifier: DataSet, model: QueryInformationModel, storage: any DIMSEServiceProvider, priority: DIMSEPriority = .medium)
        async throws -> RetrieveOperation
    {
        guard let sopClass = model.getSOPClass else { throw NetworkError(.noAcceptedContext, "the \(model) information model has no C-GET") }
        let op = try await DIMSEOperation.start(
            { .cGetRQ(CGetRQ(messageID: $0, affectedSOPClassUID: sopClass, priority: priority)) }, identifier: identifier, sopClass: sopClass,
            on: self, service: "C-GET")
        return RetrieveOperation(operation: op, storage: storage)
    }
}
