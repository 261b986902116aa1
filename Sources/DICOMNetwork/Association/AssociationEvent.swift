/// The events Evt1-Evt19 of the Upper Layer protocol machine (PS3.8 §9.2.2, Table 9-3); the network layer maps PDUs and primitives to these.
public enum AssociationEvent: Sendable, Hashable, CustomStringConvertible {
    /// Evt1: A-ASSOCIATE request primitive from the local user.
    case associateRequest
    /// Evt2: transport connect confirmation from the local transport service.
    case transportConnectConfirm
    /// Evt3: A-ASSOCIATE-AC PDU received.
    case associateAcceptReceived
    /// Evt4: A-ASSOCIATE-RJ PDU received.
    case associateRejectReceived
    /// Evt5: transport connection indication from the local transport service.
    case transportConnectIndication
    /// Evt6: A-ASSOCIATE-RQ PDU received; `acceptable` is the service-provider's verdict used by AE-6 (PS3.8 §9.2.3).
    case associateRequestReceived(acceptable: Bool)
    /// Evt7: A-ASSOCIATE response primitive (accept) from the local user.
    case associateResponseAccept
    /// Evt8: A-ASSOCIATE response primitive (reject) from the local user.
    case associateResponseReject
    /// Evt9: P-DATA request primitive from the local user.
    case pDataRequest
    /// Evt10: P-DATA-TF PDU received.
    case pDataReceived
    /// Evt11: A-RELEASE request primitive from the local user.
    case releaseRequest
    /// Evt12: A-RELEASE-RQ PDU received.
    case releaseRequestReceived
    /// Evt13: A-RELEASE-RP PDU received.
    case releaseResponseReceived
    /// Evt14: A-RELEASE response primitive from the local user.
    case releaseResponse
    /// Evt15: A-ABORT request primitive from the local user.
    case abortRequest
    /// Evt16: A-ABORT PDU received, with its source field (AA-3 tells A-ABORT from A-P-ABORT by it).
    case abortReceived(source: AssociationAbortSource)
    /// Evt17: transport connection closed indication.
    case transportClosed
    /// Evt18: the ARTIM timer expired.
    case artimExpired
    /// Evt19: an unrecognized or invalid PDU received.
    case invalidPDU

    /// The event's number n in the standard's Evt-n (1-19).
    public var number: Int {
        switch self {
        case .associateRequest: return 1
        case .transportConnectConfirm: return 2
        case .associateAcceptReceived: return 3
        case .associateRejectReceived: return 4
        case .transportConnectIndication: return 5
        case .associateRequestReceived: return 6
        case .associateResponseAccept: return 7
        case .associateResponseReject: return 8
        case .pDataRequest: return 9
        case .pDataReceived: return 10
        case .releaseRequest: return 11
        case .releaseRequestReceived: return 12
        case .releaseResponseReceived: return 13
        case .releaseResponse: return 14
        case .abortRequest: return 15
        case .abortReceived: return 16
        case .transportClosed: return 17
        case .artimExpired: return 18
        case .invalidPDU: return 19
        }
    }

    /// One event per number Evt1-Evt19, in order (the acceptable A-ASSOCIATE-RQ, the service-user's A-ABORT).
    public static let allNumbered: [AssociationEvent] = [
        .associateRequest, .transportConnectConfirm, .associateAcceptReceived, .associateRejectReceived, .transportConnectIndication,
        .associateRequestReceived(acceptable: true), .associateResponseAccept, .associateResponseReject, .pDataRequest, .pDataReceived,
        .releaseRequest, .releaseRequestReceived, .releaseResponseReceived, .releaseResponse, .abortRequest,
        .abortReceived(source: .serviceUser), .transportClosed, .artimExpired, .invalidPDU,
    ]

    /// `Evt12`.
    public var description: String { "Evt\(number)" }
}
