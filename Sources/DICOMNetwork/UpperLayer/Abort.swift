import DICOMCore

/// An A-ABORT PDU: who aborted and, from the service-provider, why (PS3.8 §9.3.8, Table 9-26).
public struct Abort: Hashable, Sendable, CustomStringConvertible {
    /// Source (PS3.8 Table 9-26).
    public enum Source: UInt8, Sendable, CaseIterable, CustomStringConvertible {
        case serviceUser = 0, reserved = 1, serviceProvider = 2
        public var description: String { ["DICOM UL service-user", "reserved source", "DICOM UL service-provider"][Int(rawValue)] }
    }

    /// Reason/Diag., significant only when the service-provider aborts (PS3.8 Table 9-26).
    public enum Reason: UInt8, Sendable, CaseIterable, CustomStringConvertible {
        case notSpecified = 0, unrecognizedPDU = 1, unexpectedPDU = 2, unrecognizedPDUParameter = 4, unexpectedPDUParameter = 5, invalidPDUParameterValue = 6
        /// The standard's name, e.g. "unexpected-PDU".
        public var description: String {
            let names = [
                "reason-not-specified", "unrecognized-PDU", "unexpected-PDU", "", "unrecognized-PDU-parameter", "unexpected-PDU-parameter",
                "invalid-PDU-parameter-value",
            ]
            return names[Int(rawValue)]
        }
    }

    public var source: Source
    /// The reason when the source is the service-provider; nil (sent as 0, not tested) otherwise (PS3.8 Table 9-26).
    public var reason: Reason?

    public init(source: Source, reason: Reason? = nil) { self.source = source; self.reason = source == .serviceProvider ? reason ?? .notSpecified : nil }

    /// An abort by the service-user, e.g. the application (PS3.8 §7.3).
    public static let serviceUser = Abort(source: .serviceUser)

    /// The A-ABORT the Upper Layer sends for a PDU it could not decode: the reason that fits the error's code (PS3.8 §9.2, AA-8).
    public static func reason(for error: NetworkError) -> Reason {
        switch error.code {
        case .unknownPDUType: .unrecognizedPDU
        case .unexpectedItem: .unexpectedPDUParameter
        case .badValue, .pduLength, .itemLength, .missingItem, .duplicateItem, .emptyPData, .pdvLength, .pduTooLarge: .invalidPDUParameterValue
        default: .notSpecified
        }
    }

    /// "DICOM UL service-provider: unexpected-PDU".
    public var description: String { reason.map { "\(source): \($0)" } ?? source.description }

    /// Decodes the four bytes after the header: two reserved, source, reason/diag. (PS3.8 §9.3.8).
    init(fields r: inout PDUReader) throws {
        try r.skip(2, "reserved fields")
        let at = r.position
        let (rawSource, rawReason) = (try r.u8("source"), try r.u8("reason/diag."))
        guard let source = Source(rawValue: rawSource) else { throw NetworkError(.badValue, "A-ABORT: source \(rawSource) is not 0, 1 or 2", offset: at) }
        self.source = source
        reason = nil
        if source == .serviceProvider {
            guard let reason = Reason(rawValue: rawReason) else {
                throw NetworkError(.badValue, "A-ABORT: reason/diag. \(rawReason) is not defined", offset: at + 1)
            }
            self.reason = reason
        }
    }

    func encodeFields(_ w: inout PDUWriter) { w.bytes += [0, 0, source.rawValue, reason?.rawValue ?? 0] }
}
