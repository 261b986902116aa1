import DICOMCore

/// The SOP Class Common Extended Negotiation sub-item (57H): a SOP class's service class and related general classes (PS3.7 §D.3.3.6).
public struct SOPClassCommonExtendedNegotiation: Hashable, Sendable {
    /// Sub-item-version, in the byte other items reserve; 0 (PS3.7 Table D.3-12).
    public var version: UInt8
    public var sopClassUID: String
    public var serviceClassUID: String
    /// Related-general-sop-class-identification: the UIDs of the general SOP classes this one specializes (PS3.7 Table D.3-13).
    public var relatedGeneralSOPClassUIDs: [String]

    public init(sopClassUID: String, serviceClassUID: String, relatedGeneralSOPClassUIDs: [String] = [], version: UInt8 = 0) {
        self.version = version; self.sopClassUID = sopClassUID; self.serviceClassUID = serviceClassUID
        self.relatedGeneralSOPClassUIDs = relatedGeneralSOPClassUIDs
    }

    /// Decodes the body; bytes after the related classes are reserved and ignored (PS3.7 §D.3.3.6).
    init(item r: inout PDUReader, version: UInt8) throws {
        self.version = version
        sopClassUID = try r.prefixedUID("SOP class UID")
        serviceClassUID = try r.prefixedUID("service class UID")
        let relatedLength = Int(try r.u16("related general SOP class identification length"))
        var related = try r.item(relatedLength, what: r.what + ": related general SOP classes")
        relatedGeneralSOPClassUIDs = []
        while !related.isAtEnd {
            relatedGeneralSOPClassUIDs.append(try related.prefixedUID("related general SOP class UID"))
        }
        try r.skip(r.remaining, "reserved field")
    }

    func encodeBody(_ w: inout PDUWriter) throws {
        try w.lengthPrefixed(Array(sopClassUID.utf8), "SOP class UID")
        try w.lengthPrefixed(Array(serviceClassUID.utf8), "service class UID")
        var related = PDUWriter()
        for uid in relatedGeneralSOPClassUIDs { try related.lengthPrefixed(Array(uid.utf8), "related general SOP class UID") }
        try w.lengthPrefixed(related.bytes, "related general SOP class identification")
    }
}
