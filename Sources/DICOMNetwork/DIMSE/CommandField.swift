/// The Command Field (0000,0100) values of the DIMSE-C and DIMSE-N messages (PS3.7 §E.1, Tables E.1-1 and E.2-1).
public enum CommandField: UInt16, CaseIterable, Sendable, Hashable, CustomStringConvertible {
    case cStoreRQ = 0x0001, cStoreRSP = 0x8001
    case cGetRQ = 0x0010, cGetRSP = 0x8010
    case cFindRQ = 0x0020, cFindRSP = 0x8020
    case cMoveRQ = 0x0021, cMoveRSP = 0x8021
    case cEchoRQ = 0x0030, cEchoRSP = 0x8030
    case nEventReportRQ = 0x0100, nEventReportRSP = 0x8100
    case nGetRQ = 0x0110, nGetRSP = 0x8110
    case nSetRQ = 0x0120, nSetRSP = 0x8120
    case nActionRQ = 0x0130, nActionRSP = 0x8130
    case nCreateRQ = 0x0140, nCreateRSP = 0x8140
    case nDeleteRQ = 0x0150, nDeleteRSP = 0x8150
    case cCancelRQ = 0x0FFF

    /// A response (bit 15 set) rather than a request (PS3.7 §E.1).
    public var isResponse: Bool { rawValue & 0x8000 != 0 }

    /// The standard's name, e.g. "C-STORE-RQ".
    public var name: String {
        switch self {
        case .cStoreRQ: return "C-STORE-RQ"
        case .cStoreRSP: return "C-STORE-RSP"
        case .cGetRQ: return "C-GET-RQ"
        case .cGetRSP: return "C-GET-RSP"
        case .cFindRQ: return "C-FIND-RQ"
        case .cFindRSP: return "C-FIND-RSP"
        case .cMoveRQ: return "C-MOVE-RQ"
        case .cMoveRSP: return "C-MOVE-RSP"
        case .cEchoRQ: return "C-ECHO-RQ"
        case .cEchoRSP: return "C-ECHO-RSP"
        case .nEventReportRQ: return "N-EVENT-REPORT-RQ"
        case .nEventReportRSP: return "N-EVENT-REPORT-RSP"
        case .nGetRQ: return "N-GET-RQ"
        case .nGetRSP: return "N-GET-RSP"
        case .nSetRQ: return "N-SET-RQ"
        case .nSetRSP: return "N-SET-RSP"
        case .nActionRQ: return "N-ACTION-RQ"
        case .nActionRSP: return "N-ACTION-RSP"
        case .nCreateRQ: return "N-CREATE-RQ"
        case .nCreateRSP: return "N-CREATE-RSP"
        case .nDeleteRQ: return "N-DELETE-RQ"
        case .nDeleteRSP: return "N-DELETE-RSP"
        case .cCancelRQ: return "C-CANCEL-RQ"
        }
    }

    /// Whether a data set must, may or must not follow the message (PS3.7 §9.3, §10.3: "shall be set to 0101H", or a mandatory data set).
    public var dataSetRule: CommandDataSetRule {
        switch self {
        case .cStoreRQ, .cFindRQ, .cGetRQ, .cMoveRQ, .nSetRQ: return .required
        case .cEchoRQ, .cEchoRSP, .cStoreRSP, .cCancelRQ, .nGetRQ, .nDeleteRQ, .nDeleteRSP: return .absent
        default: return .optional
        }
    }

    /// `C-STORE-RQ (0001H)`.
    public var description: String { "\(name) (\(commandHex(rawValue))H)" }
}

/// Four upper-case hexadecimal digits, as PS3.7 writes status and command values.
func commandHex(_ v: UInt16) -> String {
    let s = String(v, radix: 16, uppercase: true)
    return String(repeating: "0", count: 4 - s.count) + s
}

/// The Priority (0000,0700) of a request (PS3.7 §9.1.1.1.8).
public enum DIMSEPriority: UInt16, Sendable, Hashable {
    case medium = 0x0000, high = 0x0001, low = 0x0002
}

/// The Command Data Set Type (0000,0800): 0101H means no data set follows, any other value that one does (PS3.7 §E.1).
public struct CommandDataSetType: RawRepresentable, Sendable, Hashable {
    public var rawValue: UInt16
    public init(rawValue: UInt16) { self.rawValue = rawValue }
    /// No data set follows the command (0101H).
    public static let absent = Self(rawValue: 0x0101)
    /// A data set follows: the value this library sends (0001H, as pynetdicom; DCMTK sends 0102H, any value but 0101H is the same).
    public static let present = Self(rawValue: 0x0001)
    public var isPresent: Bool { rawValue != 0x0101 }
}
