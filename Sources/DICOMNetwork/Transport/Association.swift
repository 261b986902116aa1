import DICOMCore
import DICOMIO
import NIOCore
import NIOPosix

/// A DIMSE message received on an association: the message, its data set bytes as received, its presentation context (PS3.7 §9.3).
public struct DIMSEReceived: Sendable {
    public var message: DIMSEMessage
    /// The data set in the context's transfer syntax, bytes as received; nil when none followed.
    public var dataSet: [UInt8]?
    public var context: AcceptedPresentationContext
    /// Elements outside group 0000 found in the command (a DCMTK peer's status detail, e.g. Failed SOP Instance UID List); nil when none.
    public var statusDetail: DataSet?
}

// An actor, so one caller's request and its responses are not mixed with another's; messages are
// handed to the channel whole, so they never interleave on the wire. The event loop group is
// NIO's lazily created singleton: nothing starts until a connection is made.
/// An established DICOM association, either side: send and receive DIMSE messages, release, abort (PS3.7, PS3.8).
public actor Association {
    /// What was negotiated: contexts, AE titles, the peer's maximum length and implementation.
    public nonisolated let negotiated: NegotiatedAssociation
    let channel: any Channel
    private var inputs: AsyncThrowingStream<AssociationInput, any Error>.AsyncIterator
    private var lastMessageID: UInt16 = 0
    private var ended = false

    init(channel: any Channel, negotiated: NegotiatedAssociation, inputs: AsyncThrowingStream<AssociationInput, any Error>.AsyncIterator) {
        self.channel = channel; self.negotiated = negotiated; self.inputs = inputs
    }

    /// Opens a TCP connection and negotiates an association: A-ASSOCIATE-RQ with these contexts (IDs 1, 3, 5, ...), our Maximum Length,
    /// implementation and SCP/SCU role selections, over TLS when `tls` is given; an A-ASSOCIATE-RJ, an abort, a timeout or a TLS
    /// failure (`tls-failed`) throws (PS3.8 §9.3.2, §D.1; PS3.7 §D.3.3.4; PS3.15 §B.1).
    public static func connect(
        host: String, port: Int, callingAETitle: String, calledAETitle: String, contexts: [PresentationContextProposal],
        maximumLengthReceived: UInt32 = 65536, timeouts: AssociationTimeouts = AssociationTimeouts(), maximumMessageLength: Int = 1 << 30,
        roleSelections: [RoleSelection] = [], tls: TLSOptions? = nil
    ) async throws -> Association {
        let peer = "\(calledAETitle)@\(host):\(port)"
        guard !contexts.isEmpty, contexts.count <= 128 else {
            throw NetworkError(.valueTooLong, "\(contexts.count) presentation contexts proposed; 1 to 128 are possible (PS3.8 §9.3.2.2)")
        }
        let rq = AssociateRQ(
            calledAETitle: calledAETitle, callingAETitle: callingAETitle,
            presentationContexts: contexts.enumerated().map {
                PresentationContextRQ(id: UInt8(2 * $0.offset + 1), abstractSyntax: $0.element.abstractSyntax, transferSyntaxes: $0.element.transferSyntaxes)
            },
            userInformation: UserInformation(
                maximumLength: maximumLengthReceived, implementationClassUID: Implementation.classUID, roleSelections: roleSelections,
                implementationVersionName: Implementation.versionName))
        _ = try PDU.associateRQ(rq).encode()  // AE titles and UIDs too long for their fields throw here
        let sslContext = try tls?.clientContext()
        let (stream, continuation) = AsyncThrowingStream<AssociationInput, any Error>.makeStream()
        let channel: any Channel
        do {
            channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
                .connectTimeout(AssociationTimeouts.amount(timeouts.connect))
                .channelInitializer { ch in
                    ch.eventLoop.makeCompletedFuture {
                        if let sslContext { try ch.pipeline.syncOperations.addHandler(TLSOptions.clientHandler(sslContext, host: host)) }
                        try ch.pipeline.syncOperations.addHandlers(
                            AssociationHandler.handlers(
                                role: .requestor(rq), maximumLengthReceived: maximumLengthReceived, timeouts: timeouts,
                                maximumMessageLength: maximumMessageLength, events: continuation))
                    }
                }
                .connect(host: host, port: port).get()
        } catch {
            throw NetworkError(
                .connectFailed, "cannot connect to \(peer): \(ConnectFailure.reason(error))", context: ErrorContext(component: peer), cause: error)
        }
        var it = stream.makeAsyncIterator()
        do {
            guard case .established(let n)? = try await it.next() else {
                throw NetworkError(.connectionClosed, "\(peer) closed the connection before answering the A-ASSOCIATE-RQ")
            }
            return Association(channel: channel, negotiated: n, inputs: it)
        } catch {
            channel.close(promise: nil)
            throw error
        }
    }

    /// A Message ID not used before on this association (PS3.7 §9.1.1.1.1).
    public func nextMessageID() -> UInt16 {
        lastMessageID = lastMessageID == UInt16.max ? 1 : lastMessageID + 1
        return lastMessageID
    }

    /// The accepted context for a SOP class, preferring the given transfer syntaxes in order.
    public nonisolated func context(for abstractSyntax: String, preferring syntaxes: [String] = []) -> AcceptedPresentationContext? {
        let candidates = negotiated.acceptedContexts.filter { $0.abstractSyntax == abstractSyntax }
        for ts in syntaxes { if let c = candidates.first(where: { $0.transferSyntax == ts }) { return c } }
        return candidates.first
    }

    /// Sends one message with its data set on an accepted context, fragmented within the peer's Maximum Length (PS3.8 §D.1, Annex E).
    public func send(_ message: DIMSEMessage, dataSet: [UInt8]? = nil, contextID: UInt8) async throws {
        guard negotiated.context(id: contextID) != nil else {
            throw NetworkError(.noAcceptedContext, "presentation context \(contextID) was not accepted on this association")
        }
        do {
            try await channel.writeAndFlush(AssociationCommand.message(contextID: contextID, command: message.encode(), dataSet: dataSet)).get()
        } catch let e as NetworkError {
            throw e
        } catch {
            throw NetworkError(.connectionClosed, "the association ended while a \(message.commandField.name) was sent: \(error)", cause: error)
        }
    }

    /// The next message received; nil once the association was released. An abort, a timeout or a closed connection throws.
    public func receive() async throws -> DIMSEReceived? {
        guard !ended else { return nil }
        var it = inputs
        defer { inputs = it }
        do {
            while let input = try await it.next(isolation: self) {
                guard case .message(let m) = input else { continue }
                guard let context = negotiated.context(id: m.presentationContextID) else { continue }
                let commandSet = try CommandSet.decode(m.command, lenient: true)
                return DIMSEReceived(
                    message: try DIMSEMessage(commandSet: commandSet), dataSet: m.dataSet, context: context,
                    statusDetail: commandSet.statusDetail.isEmpty ? nil : commandSet.statusDetail)
            }
        } catch {
            ended = true
            throw error
        }
        ended = true
        return nil
    }

    /// Sends a request and collects its responses up to the final one (pending responses first) (PS3.7 §9.1).
    public func request(_ message: DIMSEMessage, dataSet: [UInt8]? = nil, contextID: UInt8) async throws -> [DIMSEReceived] {
        guard let id = (message.command as? any DIMSEMessageIdentified)?.requestMessageID else {
            throw NetworkError(.unexpectedResponse, "\(message.commandField.name) is not a request")
        }
        try await send(message, dataSet: dataSet, contextID: contextID)
        var responses: [DIMSEReceived] = []
        while true {
            guard let r = try await receive() else {
                throw NetworkError(.connectionClosed, "the association was released before the response to message \(id)")
            }
            guard let fields = r.message.response, fields.messageIDBeingRespondedTo == id else {
                throw NetworkError(.unexpectedResponse, "a \(r.message.commandField.name) where the response to message \(id) was expected")
            }
            responses.append(r)
            if !fields.status.isPending { return responses }
        }
    }

    /// Releases the association: A-RELEASE-RQ, then the peer's A-RELEASE-RP (PS3.8 §7.2); messages arriving meanwhile are dropped.
    public func release() async throws {
        try await channel.writeAndFlush(AssociationCommand.release).get()
        while try await receive() != nil {}
        try? await channel.closeFuture.get()
    }

    /// Sends A-RELEASE-RQ and awaits the A-RELEASE-RP without reading: for a caller whose own task reads the association until it ends.
    func requestRelease() async {
        try? await channel.writeAndFlush(AssociationCommand.release).get()
    }

    /// Aborts the association: A-ABORT (service-user), then the connection closes (PS3.8 §7.3).
    public func abort() async {
        try? await channel.writeAndFlush(AssociationCommand.abort).get()
        ended = true
        try? await channel.closeFuture.get()
    }
}

/// A request's Message ID, for matching its responses (PS3.7 §9.1.1.1.1).
protocol DIMSEMessageIdentified { var requestMessageID: UInt16 { get } }
extension CEchoRQ: DIMSEMessageIdentified { var requestMessageID: UInt16 { messageID } }
extension CStoreRQ: DIMSEMessageIdentified { var requestMessageID: UInt16 { messageID } }
extension CFindRQ: DIMSEMessageIdentified { var requestMessageID: UInt16 { messageID } }
extension CGetRQ: DIMSEMessageIdentified { var requestMessageID: UInt16 { messageID } }
extension CMoveRQ: DIMSEMessageIdentified { var requestMessageID: UInt16 { messageID } }
extension NActionRQ: DIMSEMessageIdentified { var requestMessageID: UInt16 { messageID } }
extension NEventReportRQ: DIMSEMessageIdentified { var requestMessageID: UInt16 { messageID } }
