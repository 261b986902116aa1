import DICOMCore

extension UID {
    /// Patient Root Query/Retrieve Information Model - FIND, MOVE, GET (PS3.4 §C.6.1).
    public static let patientRootQueryRetrieveFind = "1.2.840.10008.5.1.4.1.2.1.1"
    public static let patientRootQueryRetrieveMove = "1.2.840.10008.5.1.4.1.2.1.2"
    public static let patientRootQueryRetrieveGet = "1.2.840.10008.5.1.4.1.2.1.3"
    /// Study Root Query/Retrieve Information Model - FIND, MOVE, GET (PS3.4 §C.6.2).
    public static let studyRootQueryRetrieveFind = "1.2.840.10008.5.1.4.1.2.2.1"
    public static let studyRootQueryRetrieveMove = "1.2.840.10008.5.1.4.1.2.2.2"
    public static let studyRootQueryRetrieveGet = "1.2.840.10008.5.1.4.1.2.2.3"
    /// Modality Worklist Information Model - FIND (PS3.4 §K.6.1).
    public static let modalityWorklistFind = "1.2.840.10008.5.1.4.31"
}

/// The information model a C-FIND, C-MOVE or C-GET works on, and its SOP classes (PS3.4 §C.6, §K.6).
public enum QueryInformationModel: String, Sendable, Hashable, CaseIterable {
    case patientRoot
    case studyRoot
    /// Modality Worklist: C-FIND only.
    case modalityWorklist

    /// The SOP class of its C-FIND.
    public var findSOPClass: String {
        switch self {
        case .patientRoot: UID.patientRootQueryRetrieveFind
        case .studyRoot: UID.studyRootQueryRetrieveFind
        case .modalityWorklist: UID.modalityWorklistFind
        }
    }

    /// The SOP class of its C-MOVE; nil for the worklist.
    public var moveSOPClass: String? {
        switch self {
        case .patientRoot: UID.patientRootQueryRetrieveMove
        case .studyRoot: UID.studyRootQueryRetrieveMove
        case .modalityWorklist: nil
        }
    }

    /// The SOP class of its C-GET; nil for the worklist.
    public var getSOPClass: String? {
        switch self {
        case .patientRoot: UID.patientRootQueryRetrieveGet
        case .studyRoot: UID.studyRootQueryRetrieveGet
        case .modalityWorklist: nil
        }
    }
}

/// Query/Retrieve Level (0008,0052) (PS3.4 §C.2.1, §C.6).
public enum QueryLevel: String, Sendable, Hashable, CaseIterable {
    case patient = "PATIENT"
    case study = "STUDY"
    case series = "SERIES"
    case image = "IMAGE"
}

/// A date range for a range-matching key: `FROM-TO`, `FROM-`, `-TO` or one date, dates as YYYYMMDD (PS3.4 §C.2.2.2.5).
public struct DateRange: Sendable, Hashable {
    public var from: String?
    public var to: String?

    public init(from: String?, to: String?) { self.from = from; self.to = to }

    /// One day.
    public init(day: String) { from = day; to = day }

    /// Reads `YYYYMMDD`, `YYYYMMDD-YYYYMMDD`, `YYYYMMDD-` or `-YYYYMMDD`; nil for anything else.
    public init?(parsing text: String) {
        func date(_ s: Substring) -> String?? {
            if s.isEmpty { return .some(nil) }
            guard s.count == 8, s.allSatisfy({ $0.isASCII && $0.isNumber }) else { return nil }
            return .some(String(s))
        }
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
        switch parts.count {
        case 1:
            guard case .some(.some(let d)) = date(parts[0]) else { return nil }
            from = d; to = d
        case 2:
            guard case .some(let f) = date(parts[0]), case .some(let t) = date(parts[1]), f != nil || t != nil else { return nil }
            from = f; to = t
        default: return nil
        }
    }

    /// The value matched: one date when both ends are the same day, else `FROM-TO` with an open end empty.
    public var matchValue: String {
        if let from, from == to { return from }
        return (from ?? "") + "-" + (to ?? "")
    }
}
