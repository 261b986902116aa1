import DICOMCore

/// One C-FIND-RSP: a pending one with its match, or the final one with the outcome (PS3.7 §9.1.2.1, PS3.4 §C.4.1.1.4).
public struct FindResponse: Sendable {
    /// FF00/FF01 pending with a match; 0000 success, FE00 cancelled, or a failure (A700, A900, Cxxx) at the end.
    public var status: DIMSEStatus
    /// The match of a pending response, its text decoded with its own Specific Character Set (0008,0005); nil in the final one.
    public var identifier: DataSet?
    /// Error Comment (0000,0902) of a failure, when the peer gave one.
    public var errorComment: String?

    /// True for the last response (not pending).
    public var isFinal: Bool { !status.isPending }
    /// True when the query ended by a C-CANCEL (FE00).
    public var isCancelled: Bool { status.kind == .cancel }
}

// An AsyncSequence over the association: iterating reads the responses as they arrive and stops after the
// final one. `cancel()` may be called from the iterating task or another; the actor lets the C-CANCEL-RQ out
// while the iterator awaits the next response. Iterate to the final response (after a cancel too) before the
// next request on the association, whose reading would otherwise meet this one's responses.
/// A C-FIND in progress: its responses as they arrive, pending matches then the final status, and C-CANCEL (PS3.4 §C.4.1, §K.4).
public final class FindOperation: AsyncSequence, Sendable {
    public typealias Element = FindResponse
    let operation: DIMSEOperation

    init(operation: DIMSEOperation) { self.operation = operation }

    /// The C-FIND-RQ's Message ID.
    public var messageID: UInt16 { operation.messageID }

    /// Sends C-CANCEL-RQ (once): the peer stops matching and ends with Cancel (FE00), reported as the final response (PS3.7 §9.3.2.3).
    public func cancel() async throws { try await operation.cancel() }

    public func makeAsyncIterator() -> Iterator { Iterator(operation: operation) }

    /// Reads the responses up to the final one.
    public struct Iterator: AsyncIteratorProtocol {
        let operation: DIMSEOperation
        var finished = false

        /// The next response, nil after the final one; a response that is not a C-FIND-RSP, or a match that cannot be read, throws.
        public mutating func next() async throws -> FindResponse? {
            guard !finished else { return nil }
            let r = try await operation.next()
            guard case .cFindRSP(let rsp) = r.message else {
                finished = true
                throw NetworkError(.unexpectedResponse, "a \(r.message.commandField.name) answered the C-FIND-RQ")
            }
            finished = !rsp.status.isPending
            let identifier = try r.dataSet.map { try DIMSEDataSetCoding.decode($0, syntax: r.context.transferSyntax, what: "C-FIND-RSP identifier") }
            return FindResponse(status: rsp.status, identifier: identifier, errorComment: rsp.response.errorComment)
        }
    }
}

/// The outcome of a whole C-FIND: its matches in order and the final status.
public struct FindResult: Sendable {
    public var matches: [DataSet]
    /// The final response's status: success, cancel, or a failure.
    public var status: DIMSEStatus
    /// The final response's Error Comment.
    public var errorComment: String?
}

extension Association {
    /// C-FIND: sends `identifier` (see ``QueryKeys/identifier(characterSet:)``, ``WorklistKeys/identifier(characterSet:)``) on the
    /// model's accepted context; iterate the operation for the responses (PS3.7 §9.1.2, PS3.4 §C.4.1, §K.4).
    public func find(_ identifier: DataSet, model: QueryInformationModel, priority: DIMSEPriority = .medium) async throws -> FindOperation {
        let sopClass = model.findSOPClass
        let op = try await DIMSEOperation.start(
            { .cFindRQ(CFindRQ(messageID: $0, affectedSOPClassUID: sopClass, priority: priority)) }, identifier: identifier, sopClass: sopClass,
            on: self, service: "C-FIND")
        return FindOperation(operation: op)
    }
}

/// C-FIND as SCU over its own association: the contexts to propose, and a whole query in one call (PS3.4 §C.4.1, §K.4).
public enum FindSCU {
    /// One context per model's FIND SOP class, Explicit then Implicit VR Little Endian (PS3.4 §C.5, §K.5).
    public static func contexts(_ models: [QueryInformationModel]) -> [PresentationContextProposal] {
        models.map { PresentationContextProposal(abstractSyntax: $0.findSOPClass, transferSyntaxes: DIMSEDataSetCoding.syntaxes) }
    }

    /// Connects, runs one C-FIND, releases; the matches and the final status. `limit` cancels (C-CANCEL) once that many matches came.
    public static func find(
        _ identifier: DataSet, model: QueryInformationModel, host: String, port: Int, callingAETitle: String, calledAETitle: String,
        limit: Int? = nil, timeouts: AssociationTimeouts = AssociationTimeouts(), tls: TLSOptions? = nil
    ) async throws -> FindResult {
        let association = try await Association.connect(
            host: host, port: port, callingAETitle: callingAETitle, calledAETitle: calledAETitle, contexts: contexts([model]), timeouts: timeouts,
            tls: tls)
        return try await DIMSEOperation.releasing(association) {
            let op = try await association.find(identifier, model: model)
            var result = FindResult(matches: [], status: .success)
            for try await response in op {
                if let match = response.identifier { result.matches.append(match) }
                if response.isFinal { (result.status, result.errorComment) = (response.status, response.errorComment) }
                if let limit, !response.isFinal, result.matches.count >= limit { try await op.cancel() }
            }
            return result
        }
    }
}
