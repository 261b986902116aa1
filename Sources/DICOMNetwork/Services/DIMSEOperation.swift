import DICOMCore
import Synchronization

// The requests whose responses come as a stream (C-FIND, C-MOVE, C-GET) share this: the Message ID, the
// context, the C-CANCEL-RQ, and reading the association until the final response to that Message ID.
/// A request sent on an association whose responses are being read: its Message ID and context, and C-CANCEL (PS3.7 §9.1.2-§9.1.4, §9.3.2.3).
final class DIMSEOperation: Sendable {
    let association: Association
    let messageID: UInt16
    let context: AcceptedPresentationContext
    let commandField: CommandField
    private let cancelled = Mutex(false)

    init(association: Association, messageID: UInt16, context: AcceptedPresentationContext, commandField: CommandField) {
        self.association = association; self.messageID = messageID; self.context = context; self.commandField = commandField
    }

    /// Sends the request with its Identifier encoded in the context's syntax.
    static func start(
        _ make: (UInt16) -> DIMSEMessage, identifier: DataSet, sopClass: String, on association: Association, service: String
    ) async throws -> DIMSEOperation {
        guard let context = association.context(for: sopClass, preferring: DIMSEDataSetCoding.syntaxes) else {
            throw NetworkError(
                .noAcceptedContext, "the peer did not accept \(DataDictionary.uidName(sopClass) ?? sopClass) (\(sopClass)) for \(service)")
        }
        let id = await association.nextMessageID()
        let message = make(id)
        try await association.send(message, dataSet: DIMSEDataSetCoding.encode(identifier, syntax: context.transferSyntax), contextID: context.id)
        return DIMSEOperation(association: association, messageID: id, context: context, commandField: message.commandField)
    }

    /// Sends C-CANCEL-RQ for the request, once however often called: the peer ends it with a Cancel (FE00) response, or a final
    /// one if it had finished (PS3.7 §9.3.2.3).
    func cancel() async throws {
        guard
            !cancelled.withLock({ was in
                defer { was = true }; return was
            })
        else { return }
        try await association.send(.cCancelRQ(CCancelRQ(messageIDBeingRespondedTo: messageID)), contextID: context.id)
    }

    /// Runs `body` on a new association, then releases it; aborts it when `body` throws.
    static func releasing<T>(_ association: Association, _ body: () async throws -> T) async throws -> T {
        do {
            let result = try await body()
            try await association.release()
            return result
        } catch {
            await association.abort()
            throw error
        }
    }

    /// The next message for this operation: a response to its Message ID, or a request the peer sends meanwhile (the C-STOREs of a
    /// C-GET). A release, or a response to another Message ID, throws.
    func next() async throws -> DIMSEReceived {
        guard let r = try await association.receive() else {
            throw NetworkError(.connectionClosed, "the association was released before the final response to message \(messageID)")
        }
        if let fields = r.message.response, fields.messageIDBeingRespondedTo != messageID {
            throw NetworkError(
                .unexpectedResponse, "a \(r.message.commandField.name) for message \(fields.messageIDBeingRespondedTo) where \(messageID)'s was expected")
        }
        return r
    }
}
