import DICOMCore

extension NetworkError.Code {
    /// A PDU's bytes end before its 6-byte header or before the length its header declares (PS3.8 §9.3.1).
    public static let pduTruncated = NetworkError.Code(rawValue: "pdu-truncated")
    /// A PDU's length disagrees with its fields: a fixed-length PDU of another length, fields past its end, bytes after them (PS3.8 §9.3).
    public static let pduLength = NetworkError.Code(rawValue: "pdu-length")
    /// A PDU longer than our limit, or a P-DATA-TF longer than the Maximum Length we announced; refused from its header (PS3.8 §D.1).
    public static let pduTooLarge = NetworkError.Code(rawValue: "pdu-too-large")
    /// A PDU type that is none of the seven, answered by an A-ABORT, unrecognized-PDU (PS3.8 §9.3.1).
    public static let unknownPDUType = NetworkError.Code(rawValue: "unknown-pdu-type")
    /// An item or sub-item whose length overruns its PDU or parent item, or disagrees with its fields (PS3.8 §9.3.2, PS3.7 §D.3.3).
    public static let itemLength = NetworkError.Code(rawValue: "item-length")
    /// A required item is missing: the Application Context, the User Information, a presentation context's Abstract Syntax (PS3.8 §9.3.2).
    public static let missingItem = NetworkError.Code(rawValue: "missing-item")
    /// An item that may appear once appears again (PS3.8 §9.3.2, PS3.8 §D.1, PS3.7 §D.3.3).
    public static let duplicateItem = NetworkError.Code(rawValue: "duplicate-item")
    /// An item of a known type where it is not allowed, e.g. a Presentation Context AC item in an A-ASSOCIATE-RQ (PS3.8 §9.3.2).
    public static let unexpectedItem = NetworkError.Code(rawValue: "unexpected-item")
    /// A field value outside its defined set: a rejection result, source or reason, an abort source or reason, a context result (PS3.8 §9.3.4).
    public static let badValue = NetworkError.Code(rawValue: "bad-value")
    /// A value too long for its field when encoding: an AE title over 16 bytes, an item over 65535 bytes (PS3.8 §9.3.2).
    public static let valueTooLong = NetworkError.Code(rawValue: "value-too-long")
    /// A P-DATA-TF PDU without any PDV item (PS3.8 §9.3.5).
    public static let emptyPData = NetworkError.Code(rawValue: "empty-p-data")
    /// A PDV item shorter than its context ID and message control header, or overrunning its P-DATA-TF (PS3.8 §9.3.5.1).
    public static let pdvLength = NetworkError.Code(rawValue: "pdv-length")
    /// The peer's Maximum Length Received leaves no room for a PDV fragment (PS3.8 §D.1).
    public static let maximumLengthTooSmall = NetworkError.Code(rawValue: "maximum-length-too-small")
    /// A PDV for another presentation context than the message being received (PS3.8 §9.3.5.1, Annex E).
    public static let pdvContext = NetworkError.Code(rawValue: "pdv-context")
    /// PDVs out of order: data before the command's last fragment, a fragment after the last, two messages interleaved (PS3.8 Annex E).
    public static let pdvOrder = NetworkError.Code(rawValue: "pdv-order")
    /// A DIMSE message larger than the configured limit, refused as its fragments arrive (PS3.8 Annex E).
    public static let messageTooLarge = NetworkError.Code(rawValue: "message-too-large")
    /// A command set whose Command Data Set Type (0000,0800) cannot be read (PS3.7 §9.3, §E.1).
    public static let commandDataSetType = NetworkError.Code(rawValue: "command-data-set-type")
}
