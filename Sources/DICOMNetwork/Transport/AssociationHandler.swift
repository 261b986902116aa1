import DICOMCore
import DICOMIO
import NIOCore

/// What the association handler reports to its user, in order: the association, then each DIMSE message received.
enum AssociationInput: Sendable {
    case established(NegotiatedAssociation)
    case message(PDVMessage)
}

/// What the user asks of the association handler, written down the pipeline; the write's promise completes when the PDUs are sent.
enum AssociationCommand: Sendable {
    /// One DIMSE message: all its P-DATA-TF PDUs are written in one go, so messages never interleave (PS3.8 Annex E).
    case message(contextID: UInt8, command: [UInt8], dataSet: [UInt8]?)
    case release
    case abort
}

// Confined to its channel's event loop. PDUs, user commands, the transport and the timers become
// AssociationStateMachine events; its effects are performed here in order. Events a primitive asks for
// (the A-RELEASE response) are queued and handled after the current transition's effects.
/// Drives ``AssociationStateMachine`` for one TCP connection, either side (PS3.8 §9.2).
final class AssociationHandler: ChannelDuplexHandler {
    typealias InboundIn = PDUInbound
    typealias OutboundIn = AssociationCommand
    typealias OutboundOut = PDU

    enum Role {
        case requestor(AssociateRQ)
        case acceptor(AcceptorPolicy, AssociationLimiter, acceptsAbstractSyntax: @Sendable (String) -> Bool)
    }

    private let role: Role
    private let timeouts: AssociationTimeouts
    private let events: AsyncThrowingStream<AssociationInput, any Error>.Continuation
    private var machine = AssociationStateMachine()
    private var assembler: MessageAssembler
    private var negotiated: NegotiatedAssociation?
    private var fragmenter: PDVFragmenter?
    /// The PDU the next `send` effect of a request, acceptance, rejection or P-DATA writes.
    private var outgoing: PDU?
    private var abortReason: Abort.Reason = .notSpecified
    /// Why the association ended, reported when the stream finishes.
    private var failure: NetworkError?
    private var received: PDataTF?
    private var queued: [AssociationEvent] = []
    private var artim: Scheduled<Void>?
    private var idle: Scheduled<Void>?
    /// The requestor's wait for an A-ASSOCIATE-AC/RJ (Sta5), bounded by the ARTIM duration as DCMTK bounds it by its ACSE timeout.
    private var answer: Scheduled<Void>?
    private var lastWrite: EventLoopFuture<Void>?
    private var releasePromise: EventLoopPromise<Void>?
    private var finished = false
    private var holdsSlot = false
    private var context: ChannelHandlerContext?

    init(role: Role, timeouts: AssociationTimeouts, maximumMessageLength: Int, events: AsyncThrowingStream<AssociationInput, any Error>.Continuation) {
        self.role = role; self.timeouts = timeouts; self.events = events
        assembler = MessageAssembler(maximumMessageLength: maximumMessageLength)
    }

    /// The handlers of an association's channel: framing, PDU encoding, this handler.
    static func handlers(
        role: Role, maximumLengthReceived: UInt32, timeouts: AssociationTimeouts, maximumMessageLength: Int,
        events: AsyncThrowingStream<AssociationInput, any Error>.Continuation
    ) -> [any ChannelHandler] {
        [
            QuickAcknowledger(),
            ByteToMessageHandler(PDUFrameDecoder(maximumLengthReceived: maximumLengthReceived, maximumPDULength: PDUFramer.defaultMaximumPDULength)),
            MessageToByteHandler(PDUEncoder()),
            AssociationHandler(role: role, timeouts: timeouts, maximumMessageLength: maximumMessageLength, events: events),
        ]
    }

    // MARK: Transport (Evt2, Evt5, Evt17)

    func channelActive(context: ChannelHandlerContext) {
        self.context = context
        switch role {
        case .requestor(let rq):
            outgoing = .associateRQ(rq)
            step(.associateRequest)
            step(.transportConnectConfirm)
        case .acceptor:
            step(.transportConnectIndication)
        }
        touch()
        context.fireChannelActive()
    }

    func channelInactive(context: ChannelHandlerContext) {
        artim?.cancel(); idle?.cancel(); answer?.cancel()
        // Closed after we answered the peer's A-RELEASE-RQ (Sta13 without a failure): the association ended by its release.
        let released = machine.state == .sta13 && failure == nil && negotiated != nil
        if machine.state != .sta1 { step(.transportClosed) }
        finish(released ? nil : failure ?? NetworkError(.connectionClosed, "the peer closed the connection while the association existed (PS3.8 Evt17)"))
        if holdsSlot, case .acceptor(_, let limiter, _) = role { limiter.release(); holdsSlot = false }
        self.context = nil
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        if failure == nil { failure = TLSOptions.failure(error) ?? NetworkError(.connectionClosed, "transport error: \(error)", cause: error) }
        context.close(promise: nil)
    }

    // MARK: PDUs received (Evt3, Evt4, Evt6, Evt10, Evt12, Evt13, Evt16, Evt19)

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        touch()
        switch unwrapInboundIn(data) {
        case .invalid(let e):
            abortReason = Abort.reason(for: e)
            if failure == nil { failure = NetworkError(e.code, "invalid PDU from the peer, association aborted: \(e.message)", offset: e.offset, cause: e) }
            step(.invalidPDU)
        case .pdu(let pdu): received(pdu)
        }
    }

    private func received(_ pdu: PDU) {
        switch pdu {
        case .associateRQ(let rq):
            let acceptable = rq.protocolVersion & 1 != 0
            if !acceptable { outgoing = .associateRJ(AssociateRJ(result: .rejectedPermanent, source: .serviceProviderACSE(.protocolVersionNotSupported))) }
            step(.associateRequestReceived(acceptable: acceptable))
            if machine.state == .sta3 { answer(rq) }
        case .associateAC(let ac):
            answer?.cancel()
            if case .requestor(let rq) = role { accepted(ac, request: rq) }
            step(.associateAcceptReceived)
        case .associateRJ(let rj):
            answer?.cancel()
            failure = NetworkError(.associationRejected, "association rejected: \(rj)")
            step(.associateRejectReceived)
        case .pData(let p):
            received = p
            step(.pDataReceived)
        case .releaseRQ: step(.releaseRequestReceived)
        case .releaseRP: step(.releaseResponseReceived)
        case .abort(let a):
            if failure == nil { failure = NetworkError(.associationAborted, "the peer aborted the association: \(a)") }
            step(.abortReceived(source: a.source == .serviceProvider ? .serviceProvider : .serviceUser))
        }
    }

    /// Accepts or rejects an A-ASSOCIATE-RQ by the acceptor's policy (PS3.8 §9.3.3, §9.3.4).
    private func answer(_ rq: AssociateRQ) {
        guard case .acceptor(let policy, let limiter, let acceptsAbstractSyntax) = role else { return }
        var rejection = policy.rejection(of: rq)
        if rejection == nil {
            if limiter.acquire(limit: policy.maximumAssociations) {
                holdsSlot = true
            } else {
                rejection = AssociateRJ(result: .rejectedTransient, source: .serviceProviderPresentation(.localLimitExceeded))
            }
        }
        if let rj = rejection {
            failure = NetworkError(.associationRejected, "association from \(rq.callingAETitle) rejected: \(rj)")
            outgoing = .associateRJ(rj)
            step(.associateResponseReject)
            return
        }
        let answers = rq.presentationContexts.map { pc in
            acceptsAbstractSyntax(pc.abstractSyntax)
                ? policy.answer(pc) : PresentationContextAC(id: pc.id, result: .abstractSyntaxNotSupported, transferSyntax: pc.transferSyntaxes.first)
        }
        let accepted = zip(rq.presentationContexts, answers).compactMap { pc, a in
            a.result == .acceptance ? AcceptedPresentationContext(id: pc.id, abstractSyntax: pc.abstractSyntax, transferSyntax: a.transferSyntax ?? "") : nil
        }
        // The roles proposed for an accepted SOP class are accepted as proposed, e.g. a Storage Commitment SCP sending its
        // N-EVENT-REPORT on a new association, or a C-GET SCU taking C-STOREs (PS3.7 §D.3.3.4).
        let acceptedSyntaxes = Set(accepted.map(\.abstractSyntax))
        let roles = rq.userInformation.roleSelections.filter { acceptedSyntaxes.contains($0.sopClassUID) }
        let ac = AssociateAC(
            calledAETitle: rq.calledAETitle, callingAETitle: rq.callingAETitle, presentationContexts: answers,
            userInformation: UserInformation(
                maximumLength: policy.maximumLengthReceived, implementationClassUID: Implementation.classUID, roleSelections: roles,
                implementationVersionName: Implementation.versionName))
        establish(
            NegotiatedAssociation(
                callingAETitle: rq.callingAETitle, calledAETitle: rq.calledAETitle, acceptedContexts: accepted,
                peerMaximumLength: rq.userInformation.maximumLength ?? 0, localMaximumLength: policy.maximumLengthReceived,
                peerImplementationClassUID: rq.userInformation.implementationClassUID,
                peerImplementationVersionName: rq.userInformation.implementationVersionName, roleSelections: roles))
        outgoing = .associateAC(ac)
        step(.associateResponseAccept)
        if machine.state == .sta6, let negotiated { events.yield(.established(negotiated)) }
    }

    /// Records what the peer's A-ASSOCIATE-AC accepted: each context's abstract syntax is the one proposed under its ID (PS3.8 §9.3.3.2).
    private func accepted(_ ac: AssociateAC, request rq: AssociateRQ) {
        let proposed = Dictionary(rq.presentationContexts.map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a })
        let accepted = ac.presentationContexts.compactMap { pc -> AcceptedPresentationContext? in
            guard pc.result == .acceptance, let p = proposed[pc.id], let ts = pc.transferSyntax else { return nil }
            return AcceptedPresentationContext(id: pc.id, abstractSyntax: p.abstractSyntax, transferSyntax: ts)
        }
        establish(
            NegotiatedAssociation(
                callingAETitle: rq.callingAETitle, calledAETitle: rq.calledAETitle, acceptedContexts: accepted,
                peerMaximumLength: ac.userInformation.maximumLength ?? 0, localMaximumLength: rq.userInformation.maximumLength ?? 0,
                peerImplementationClassUID: ac.userInformation.implementationClassUID,
                peerImplementationVersionName: ac.userInformation.implementationVersionName, roleSelections: ac.userInformation.roleSelections))
    }

    private func establish(_ n: NegotiatedAssociation) {
        negotiated = n
        do { fragmenter = try PDVFragmenter(peerMaximumLength: n.peerMaximumLength, localLimit: PDUFramer.defaultMaximumPDULength) } catch {
            failure = error as? NetworkError
        }
    }

    // MARK: User commands (Evt9, Evt11, Evt15)

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        switch unwrapOutboundIn(data) {
        case .message(let id, let command, let dataSet):
            guard machine.state == .sta6, let fragmenter else {
                promise?.fail(failure ?? NetworkError(.connectionClosed, "no association to send on (\(machine.state))"))
                return
            }
            for pdu in fragmenter.pdus(presentationContextID: id, command: command, dataSet: dataSet) {
                outgoing = .pData(pdu)
                step(.pDataRequest)
            }
            complete(promise)
            let bound = NIOLoopBound(self, eventLoop: context.eventLoop)
            lastWrite?.whenSuccess { bound.value.touch() }
        case .release:
            guard machine.state == .sta6 else {
                promise?.fail(failure ?? NetworkError(.connectionClosed, "no association to release (\(machine.state))"))
                return
            }
            releasePromise = promise
            step(.releaseRequest)
        case .abort:
            if failure == nil { failure = NetworkError(.associationAborted, "the association was aborted by this side (A-ABORT, service-user)") }
            if AssociationStateMachine.action(for: .abortRequest, in: machine.state) != nil { step(.abortRequest) }
            finish(nil)
            complete(promise)
        }
    }

    private func complete(_ promise: EventLoopPromise<Void>?) {
        guard let promise else { return }
        if let lastWrite { lastWrite.cascade(to: promise) } else { promise.succeed() }
    }

    // MARK: The state machine and its effects (PS3.8 §9.2.3)

    private func step(_ event: AssociationEvent) {
        let effects: [AssociationEffect]
        do { effects = try machine.handle(event) } catch { return }
        for effect in effects { perform(effect) }
        while !queued.isEmpty { step(queued.removeFirst()) }
    }

    private func perform(_ effect: AssociationEffect) {
        guard let context else { return }
        switch effect {
        case .transportConnect, .transportAccept: break
        case .send(let kind):
            let pdu: PDU?
            switch kind {
            case .releaseRQ: pdu = .releaseRQ
            case .releaseRP: pdu = .releaseRP
            case .abort(let source): pdu = .abort(source == .serviceUser ? .serviceUser : Abort(source: .serviceProvider, reason: abortReason))
            default: pdu = outgoing
            }
            outgoing = nil
            if let pdu { lastWrite = context.writeAndFlush(wrapOutboundOut(pdu)) }
            if kind == .associateRQ {
                let bound = NIOLoopBound(self, eventLoop: context.eventLoop)
                answer = context.eventLoop.scheduleTask(in: AssociationTimeouts.amount(timeouts.artim)) { bound.value.answerExpired() }
            }
        case .issue(let primitive): issue(primitive)
        case .startARTIM:
            artim?.cancel()
            let bound = NIOLoopBound(self, eventLoop: context.eventLoop)
            artim = context.eventLoop.scheduleTask(in: AssociationTimeouts.amount(timeouts.artim)) { bound.value.artimExpired() }
        case .stopARTIM:
            artim?.cancel(); artim = nil
        case .closeTransport:
            let bound = NIOLoopBound(context, eventLoop: context.eventLoop)
            if let lastWrite { lastWrite.whenComplete { _ in bound.value.close(promise: nil) } } else { context.close(promise: nil) }
        }
    }

    private func issue(_ primitive: AssociationPrimitive) {
        switch primitive {
        case .associateIndication: break  // answered in `received` once the state is Sta3
        case .associateAccepted:
            if let negotiated, failure == nil {
                events.yield(.established(negotiated))
            } else {
                abortReason = .notSpecified; queued.append(.abortRequest); finish(failure)
            }
        case .associateRejected: finish(failure)
        case .pDataIndication:
            guard let p = received else { return }
            received = nil
            do {
                for pdv in p.pdvs {
                    guard negotiated?.context(id: pdv.presentationContextID) != nil else {
                        throw NetworkError(.pdvContext, "a PDV on presentation context \(pdv.presentationContextID), which was not accepted")
                    }
                    if let message = try assembler.receive(pdv) { events.yield(.message(message)) }
                }
            } catch {
                let e = error as? NetworkError ?? NetworkError(.pdvOrder, "\(error)", cause: error)
                failure = e
                abortReason = Abort.reason(for: e)
                queued.append(.invalidPDU)
            }
        case .releaseIndication: queued.append(.releaseResponse)
        case .releaseCollisionIndication: if machine.side == .requestor { queued.append(.releaseResponse) }
        case .releaseConfirmation:
            if machine.state == .sta12 { queued.append(.releaseResponse); return }
            releasePromise?.succeed(); releasePromise = nil
            finish(nil)
        case .abortIndication, .providerAbortIndication:
            finish(failure ?? NetworkError(.associationAborted, "the association was aborted (A-P-ABORT)"))
        }
    }

    private func artimExpired() {
        if failure == nil, machine.state == .sta2 {
            failure = NetworkError(.associationTimeout, "no A-ASSOCIATE-RQ within the ARTIM timeout (PS3.8 §9.1.5)")
        }
        step(.artimExpired)
        finish(failure)
    }

    private func answerExpired() {
        guard machine.state == .sta5 else { return }
        if failure == nil {
            failure = NetworkError(.associationTimeout, "no answer to the A-ASSOCIATE-RQ within \(timeouts.artim); association aborted")
        }
        step(.abortRequest)
        finish(failure)
    }

    /// Restarts the read/idle timeout after bytes came from the peer or a message went out.
    private func touch() {
        idle?.cancel()
        guard let limit = timeouts.idle, let context else { return }
        let bound = NIOLoopBound(self, eventLoop: context.eventLoop)
        idle = context.eventLoop.scheduleTask(in: AssociationTimeouts.amount(limit)) { bound.value.idleExpired() }
    }

    private func idleExpired() {
        guard machine.state != .sta1, machine.state != .sta13, machine.state != .sta2 else { return }
        if failure == nil { failure = NetworkError(.associationTimeout, "the peer sent nothing within the idle timeout; association aborted") }
        step(.abortRequest)
        finish(failure)
    }

    /// Ends the user's stream once: normally after a release, with the error otherwise.
    private func finish(_ error: NetworkError?) {
        guard !finished else { return }
        finished = true
        if let error { releasePromise?.fail(error); releasePromise = nil }
        events.finish(throwing: error)
    }
}
