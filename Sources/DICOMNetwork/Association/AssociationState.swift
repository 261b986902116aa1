/// The states Sta1-Sta13 of the DICOM Upper Layer protocol machine (PS3.8 §9.2.1, Table 9-2).
public enum AssociationState: Int, CaseIterable, Sendable, Hashable, CustomStringConvertible {
    case sta1 = 1, sta2, sta3, sta4, sta5, sta6, sta7, sta8, sta9, sta10, sta11, sta12, sta13

    /// The standard's name, e.g. "Sta6".
    public var name: String { "Sta\(rawValue)" }

    /// The standard's definition of the state (PS3.8 Table 9-2).
    public var definition: String {
        switch self {
        case .sta1: return "Idle"
        case .sta2: return "Transport connection open (Awaiting A-ASSOCIATE-RQ PDU)"
        case .sta3: return "Awaiting local A-ASSOCIATE response primitive"
        case .sta4: return "Awaiting transport connection opening to complete"
        case .sta5: return "Awaiting A-ASSOCIATE-AC or A-ASSOCIATE-RJ PDU"
        case .sta6: return "Association established and ready for data transfer"
        case .sta7: return "Awaiting A-RELEASE-RP PDU"
        case .sta8: return "Awaiting local A-RELEASE response primitive"
        case .sta9: return "Release collision requestor side; awaiting A-RELEASE response"
        case .sta10: return "Release collision acceptor side; awaiting A-RELEASE-RP PDU"
        case .sta11: return "Release collision requestor side; awaiting A-RELEASE-RP PDU"
        case .sta12: return "Release collision acceptor side; awaiting A-RELEASE response primitive"
        case .sta13: return "Awaiting Transport Connection Close Indication (Association no longer exists)"
        }
    }

    /// `Sta6 (Association established and ready for data transfer)`.
    public var description: String { "\(name) (\(definition))" }
}

/// Which end of the association this machine is: the one that asked for it or the one that was asked (PS3.8 §7.1).
public enum AssociationSide: Sendable, Hashable {
    case requestor, acceptor
}

/// The source field of an A-ABORT PDU (PS3.8 §9.3.8): the service-user or the service-provider (the Upper Layer).
public enum AssociationAbortSource: UInt8, Sendable, Hashable {
    case serviceUser = 0
    case serviceProvider = 2
}
