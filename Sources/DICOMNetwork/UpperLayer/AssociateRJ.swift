import DICOMCore

/// An A-ASSOCIATE-RJ PDU: the result, and the source with its reason (PS3.8 §9.3.4, Table 9-21).
public struct AssociateRJ: Hashable, Sendable, CustomStringConvertible {
    /// Result (PS3.8 Table 9-21).
    public enum Result: UInt8, Sendable, CaseIterable, CustomStringConvertible {
        case rejectedPermanent = 1, rejectedTransient = 2
        public var description: String { self == .rejectedPermanent ? "rejected-permanent" : "rejected-transient" }
    }

    /// Reasons given by the DICOM UL service-user (source 1) (PS3.8 Table 9-21).
    public enum ServiceUserReason: UInt8, Sendable, CaseIterable, CustomStringConvertible {
        case noReasonGiven = 1, applicationContextNameNotSupported = 2, callingAETitleNotRecognized = 3, calledAETitleNotRecognized = 7
        /// The standard's name, e.g. "called-AE-title-not-recognized".
        public var description: String {
            [1: "no-reason-given", 2: "application-context-name-not-supported", 3: "calling-AE-title-not-recognized", 7: "called-AE-title-not-recognized"][
                rawValue] ?? "reason \(rawValue)"
        }
    }

    /// Reasons given by the DICOM UL service-provider, ACSE related function (source 2) (PS3.8 Table 9-21).
    public enum ACSEReason: UInt8, Sendable, CaseIterable, CustomStringConvertible {
        case noReasonGiven = 1, protocolVersionNotSupported = 2
        public var description: String { self == .noReasonGiven ? "no-reason-given" : "protocol-version-not-supported" }
    }

    /// Reasons given by the DICOM UL service-provider, Presentation related function (source 3) (PS3.8 Table 9-21).
    public enum PresentationReason: UInt8, Sendable, CaseIterable, CustomStringConvertible {
        case temporaryCongestion = 1, localLimitExceeded = 2
        public var description: String { self == .temporaryCongestion ? "temporary-congestion" : "local-limit-exceeded" }
    }

    /// Source, with the reason that source gives (PS3.8 Table 9-21).
    public enum Source: Hashable, Sendable, CustomStringConvertible {
        case serviceUser(ServiceUserReason)
        case serviceProviderACSE(ACSEReason)
        case serviceProviderPresentation(PresentationReason)

        public var rawValue: UInt8 {
            switch self {
            case .serviceUser: 1
            case .serviceProviderACSE: 2
            case .serviceProviderPresentation: 3
            }
        }
        public var reasonValue: UInt8 {
            switch self {
            case .serviceUser(let r): r.rawValue
            case .serviceProviderACSE(let r): r.rawValue
            case .serviceProviderPresentation(let r): r.rawValue
            }
        }
        /// "DICOM UL service-user: called-AE-title-not-recognized".
        public var description: String {
            switch self {
            case .serviceUser(let r): "DICOM UL service-user: \(r)"
            case .serviceProviderACSE(let r): "DICOM UL service-provider (ACSE related function): \(r)"
            case .serviceProviderPresentation(let r): "DICOM UL service-provider (Presentation related function): \(r)"
            }
        }
    }

    public var result: Result
    public var source: Source

    public init(result: Result, source: Source) { self.result = result; self.source = source }

    /// "rejected-permanent, DICOM UL service-user: called-AE-title-not-recognized".
    public var description: String { "\(result), \(source)" }

    /// Decodes the four bytes after the header: reserved, result, source, reason/diag. (PS3.8 §9.3.4).
    init(fields r: inout PDUReader) throws {
        try r.skip(1, "reserved field")
        let at = r.position
        let (rawResult, rawSource, rawReason) = (try r.u8("result"), try r.u8("source"), try r.u8("reason/diag."))
        guard let result = Result(rawValue: rawResult) else { throw NetworkError(.badValue, "A-ASSOCIATE-RJ: result \(rawResult) is not 1 or 2", offset: at) }
        let source: Source? =
            switch rawSource {
            case 1: ServiceUserReason(rawValue: rawReason).map(Source.serviceUser)
            case 2: ACSEReason(rawValue: rawReason).map(Source.serviceProviderACSE)
            case 3: PresentationReason(rawValue: rawReason).map(Source.serviceProviderPresentation)
            default: throw NetworkError(.badValue, "A-ASSOCIATE-RJ: source \(rawSource) is not 1, 2 or 3", offset: at + 1)
            }
        guard let source else { throw NetworkError(.badValue, "A-ASSOCIATE-RJ: reason \(rawReason) is not defined for source \(rawSource)", offset: at + 2) }
        self.result = result; self.source = source
    }

    func encodeFields(_ w: inout PDUWriter) { w.bytes += [0, result.rawValue, source.rawValue, source.reasonValue] }
}
