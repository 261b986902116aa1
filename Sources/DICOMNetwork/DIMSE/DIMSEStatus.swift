/// The Status (0000,0900) of a DIMSE response (PS3.7 §9.1.1.1.9, Annex C), with its class and the standard's name.
public struct DIMSEStatus: RawRepresentable, Sendable, Hashable, CustomStringConvertible {
    public var rawValue: UInt16
    public init(rawValue: UInt16) { self.rawValue = rawValue }
    public init(_ rawValue: UInt16) { self.rawValue = rawValue }

    /// The status classes of PS3.7 Annex C.
    public enum Kind: Sendable, Hashable {
        case success, warning, pending, cancel, failure
    }

    public static let success = Self(0x0000)
    /// Pending: matches or sub-operations are continuing (PS3.4 §C.4.1.1.4, §C.4.2.1.5).
    public static let pending = Self(0xFF00)
    /// Pending, with the warning that one or more Optional Keys were not supported (PS3.4 §C.4.1.1.4).
    public static let pendingWarning = Self(0xFF01)
    public static let cancel = Self(0xFE00)
    /// Warning: Coercion of Data Elements (C-STORE), or sub-operations complete with failures or warnings (C-MOVE, C-GET) (PS3.4 §B.2.3, §C.4.2.1.5).
    public static let coercionOfDataElements = Self(0xB000)
    public static let outOfResources = Self(0xA700)
    public static let cannotUnderstand = Self(0xC000)
    /// Failure: No Such SOP Instance, e.g. a Storage Commitment failure reason (PS3.7 §C.5.11, PS3.4 §J.3.3.1.1).
    public static let noSuchSOPInstance = Self(0x0112)

    /// The class: success 0000; pending FF00/FF01; cancel FE00; warning 0001, 0107, 0116, Bxxx; anything else failure (PS3.7 Annex C).
    public var kind: Kind {
        switch rawValue {
        case 0x0000: return .success
        case 0xFF00, 0xFF01: return .pending
        case 0xFE00: return .cancel
        case 0x0001, 0x0107, 0x0116, 0xB000...0xBFFF: return .warning
        default: return .failure
        }
    }

    public var isSuccess: Bool { kind == .success }
    public var isPending: Bool { kind == .pending }

    /// The standard's name in the general and Storage context (PS3.7 Annex C, PS3.4 §B.2.3), e.g. "Refused: Out of Resources" for A7xx.
    public var name: String { name(for: .cStoreRSP) }

    /// The standard's name in the context of `field`'s service: FF00, B000, A900 and Cxxx mean different things per service (PS3.4 §C.4).
    public func name(for field: CommandField) -> String {
        let queryRetrieve: Set<CommandField> = [.cFindRQ, .cFindRSP, .cMoveRQ, .cMoveRSP, .cGetRQ, .cGetRSP]
        if queryRetrieve.contains(field) {
            let retrieve = field != .cFindRQ && field != .cFindRSP
            switch rawValue {
            case 0xFF00: return retrieve ? "Pending: Sub-operations are continuing" : "Pending: Matches are continuing"
            case 0xB000: return "Sub-operations Complete - One or more Failures or Warnings"
            case 0xA900: return "Error: Identifier does not match SOP Class"
            case 0xFE00: return retrieve ? "Cancel: Sub-operations terminated due to Cancel Indication" : "Cancel: Matching terminated due to Cancel request"
            case 0xC000...0xCFFF: return "Failed: Unable to process"
            default: break
            }
        }
        if let exact = Self.names[rawValue] { return exact }
        switch rawValue {
        case 0xA700...0xA7FF: return "Refused: Out of Resources"
        case 0xA900...0xA9FF: return "Error: Data Set does not match SOP Class"
        case 0xC000...0xCFFF: return "Error: Cannot understand"
        default:
            switch kind {
            case .success: return "Success"
            case .warning: return "Warning"
            case .pending: return "Pending"
            case .cancel: return "Cancel"
            case .failure: return "Failure"
            }
        }
    }

    /// `0xA700 Refused: Out of Resources`.
    public var description: String { "0x\(commandHex(rawValue)) \(name)" }

    /// The named statuses of PS3.7 Annex C and the Storage, Query/Retrieve and Storage Commitment service classes of PS3.4.
    static let names: [UInt16: String] = [
        0x0000: "Success",
        0x0001: "Warning: Requested optional Attributes are not supported",
        0x0105: "No such attribute",
        0x0106: "Invalid attribute value",
        0x0107: "Attribute list error",
        0x0110: "Processing failure",
        0x0111: "Duplicate SOP Instance",
        0x0112: "No Such SOP Instance",
        0x0113: "No such event type",
        0x0114: "No such argument",
        0x0115: "Invalid argument value",
        0x0116: "Attribute Value Out of Range",
        0x0117: "Invalid SOP Instance",
        0x0118: "No Such SOP Class",
        0x0119: "Class-Instance conflict",
        0x0120: "Missing Attribute",
        0x0121: "Missing Attribute Value",
        0x0122: "Refused: SOP Class not supported",
        0x0123: "No such action",
        0x0124: "Refused: not authorized",
        0x0210: "Duplicate invocation",
        0x0211: "Unrecognized operation",
        0x0212: "Mistyped argument",
        0x0213: "Resource limitation",
        0xA701: "Refused: Out of Resources - Unable to calculate number of matches",
        0xA702: "Refused: Out of Resources - Unable to perform sub-operations",
        0xA801: "Refused: Move Destination unknown",
        0xB000: "Coercion of Data Elements",
        0xB006: "Elements Discarded",
        0xB007: "Data Set does not match SOP Class",
        0xFE00: "Cancel",
        0xFF00: "Pending",
        0xFF01: "Pending: Warning that one or more Optional Keys were not supported",
    ]
}

/// The sub-operation counters of a C-MOVE-RSP or C-GET-RSP, (0000,1020)-(0000,1023), each when present (PS3.7 §9.1.3.1, §9.1.4.1).
public struct SubOperationCounts: Sendable, Hashable {
    public var remaining: UInt16?
    public var completed: UInt16?
    public var failed: UInt16?
    public var warning: UInt16?
    public init(remaining: UInt16? = nil, completed: UInt16? = nil, failed: UInt16? = nil, warning: UInt16? = nil) {
        self.remaining = remaining; self.completed = completed; self.failed = failed; self.warning = warning
    }
}
