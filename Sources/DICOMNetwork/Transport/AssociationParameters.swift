import DICOMCore
import NIOCore

/// The timers of an association (PS3.8 §9.1.5): connecting, ARTIM, and how long the peer may stay silent.
public struct AssociationTimeouts: Sendable, Hashable {
    /// The TCP connection must open within this.
    public var connect: Duration
    /// The ARTIM timer: awaiting an A-ASSOCIATE-RQ after a connection, or the transport's close after a release or abort (PS3.8 §9.1.5).
    public var artim: Duration
    /// The read/idle timeout: no byte from the peer for this long while the association exists aborts it; nil = none.
    public var idle: Duration?

    public init(connect: Duration = .seconds(15), artim: Duration = .seconds(30), idle: Duration? = .seconds(120)) {
        self.connect = connect; self.artim = artim; self.idle = idle
    }

    static func amount(_ d: Duration) -> TimeAmount {
        let (s, atto) = d.components
        return .nanoseconds(s * 1_000_000_000 + atto / 1_000_000_000)
    }
}

/// One presentation context a requestor proposes: a SOP class and the transfer syntaxes it could send it in (PS3.8 §9.3.2.2).
public struct PresentationContextProposal: Sendable, Hashable {
    public var abstractSyntax: String
    /// Transfer Syntax UIDs in order of preference.
    public var transferSyntaxes: [String]
    public init(abstractSyntax: String, transferSyntaxes: [String]) { self.abstractSyntax = abstractSyntax; self.transferSyntaxes = transferSyntaxes }
}

/// A presentation context the acceptor accepted: its ID, SOP class and the one transfer syntax chosen (PS3.8 §9.3.3.2).
public struct AcceptedPresentationContext: Sendable, Hashable {
    /// Presentation-context-ID, odd, 1-255 (PS3.8 §9.3.2.2).
    public var id: UInt8
    /// The SOP class proposed under this ID.
    public var abstractSyntax: String
    /// The one transfer syntax the acceptor chose.
    public var transferSyntax: String
}

/// What an association was negotiated with: AE titles, accepted contexts, the peer's limits and identity (PS3.8 §9.3.2, §9.3.3, §D.1).
public struct NegotiatedAssociation: Sendable, Hashable {
    public var callingAETitle: String
    public var calledAETitle: String
    /// The contexts accepted, in the order proposed; the abstract syntax is remembered per ID.
    public var acceptedContexts: [AcceptedPresentationContext]
    /// The peer's Maximum Length Received; 0 = unlimited (PS3.8 §D.1).
    public var peerMaximumLength: UInt32
    /// Our Maximum Length Received as announced.
    public var localMaximumLength: UInt32
    public var peerImplementationClassUID: String?
    public var peerImplementationVersionName: String?
    /// The SCP/SCU role selections the acceptor answered, per SOP class; absent ones keep the default roles (PS3.7 §D.3.3.4).
    public var roleSelections: [RoleSelection] = []

    /// The accepted context with this ID.
    public func context(id: UInt8) -> AcceptedPresentationContext? { acceptedContexts.first { $0.id == id } }
}

/// What an acceptor accepts (PS3.8 §9.3.3, PS3.7 §D.3.3): called AE title, calling AE titles, SOP classes and transfer syntaxes, limits.
public struct AcceptorPolicy: Sendable {
    /// Our AE title; an A-ASSOCIATE-RQ calling another is rejected (called-AE-title-not-recognized); nil accepts any.
    public var aeTitle: String?
    /// The calling AE titles allowed; nil allows any; another is rejected (calling-AE-title-not-recognized).
    public var allowedCallingAETitles: Set<String>?
    /// The abstract syntaxes accepted; nil accepts any.
    public var abstractSyntaxes: Set<String>?
    /// Transfer syntaxes in order of preference; the first one proposed in this list is chosen.
    public var transferSyntaxPreference: [String]
    /// When none of the preferred syntaxes is proposed, accept the first one proposed (a C-STORE SCP that keeps bytes as received).
    public var acceptsAnyTransferSyntax: Bool
    /// Our Maximum Length Received; 0 = unlimited (then bounded by ``PDUFramer/defaultMaximumPDULength``).
    public var maximumLengthReceived: UInt32
    /// The largest DIMSE message (command and data set) accepted.
    public var maximumMessageLength: Int
    /// Simultaneous associations; more are rejected transiently (local-limit-exceeded).
    public var maximumAssociations: Int
    public var timeouts: AssociationTimeouts

    public init(
        aeTitle: String?, allowedCallingAETitles: Set<String>? = nil, abstractSyntaxes: Set<String>? = nil,
        transferSyntaxPreference: [String] = [TransferSyntax.explicitVRLittleEndian.uid, TransferSyntax.implicitVRLittleEndian.uid],
        acceptsAnyTransferSyntax: Bool = false, maximumLengthReceived: UInt32 = 65536, maximumMessageLength: Int = 1 << 30,
        maximumAssociations: Int = 16, timeouts: AssociationTimeouts = AssociationTimeouts()
    ) {
        self.aeTitle = aeTitle; self.allowedCallingAETitles = allowedCallingAETitles; self.abstractSyntaxes = abstractSyntaxes
        self.transferSyntaxPreference = transferSyntaxPreference; self.acceptsAnyTransferSyntax = acceptsAnyTransferSyntax
        self.maximumLengthReceived = maximumLengthReceived; self.maximumMessageLength = maximumMessageLength
        self.maximumAssociations = maximumAssociations; self.timeouts = timeouts
    }

    /// The rejection an A-ASSOCIATE-RQ gets, or nil when its AE titles are acceptable (PS3.8 §9.3.4).
    func rejection(of rq: AssociateRQ) -> AssociateRJ? {
        if rq.applicationContextName != UID.dicomApplicationContext {
            return AssociateRJ(result: .rejectedPermanent, source: .serviceUser(.applicationContextNameNotSupported))
        }
        if let ae = aeTitle, rq.calledAETitle != ae {
            return AssociateRJ(result: .rejectedPermanent, source: .serviceUser(.calledAETitleNotRecognized))
        }
        if let allowed = allowedCallingAETitles, !allowed.contains(rq.callingAETitle) {
            return AssociateRJ(result: .rejectedPermanent, source: .serviceUser(.callingAETitleNotRecognized))
        }
        return nil
    }

    /// The answer to a proposed context: accepted with the syntax chosen, or the reason it is not, with a syntax sub-item that is not tested (PS3.8 §9.3.3.2).
    func answer(_ pc: PresentationContextRQ) -> PresentationContextAC {
        if let accepted = abstractSyntaxes, !accepted.contains(pc.abstractSyntax) {
            return PresentationContextAC(id: pc.id, result: .abstractSyntaxNotSupported, transferSyntax: pc.transferSyntaxes.first)
        }
        if let ts = transferSyntaxPreference.first(where: pc.transferSyntaxes.contains) ?? (acceptsAnyTransferSyntax ? pc.transferSyntaxes.first : nil) {
            return PresentationContextAC(id: pc.id, result: .acceptance, transferSyntax: ts)
        }
        return PresentationContextAC(id: pc.id, result: .transferSyntaxesNotSupported, transferSyntax: pc.transferSyntaxes.first)
    }
}
