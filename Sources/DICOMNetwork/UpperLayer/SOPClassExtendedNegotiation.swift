import DICOMCore

/// The SOP Class Extended Negotiation sub-item (56H): service-class-specific bytes for one SOP class (PS3.7 §D.3.3.5).
public struct SOPClassExtendedNegotiation: Hashable, Sendable {
    public var sopClassUID: String
    /// Service-class-application-information, as its service class defines it (PS3.4).
    public var applicationInformation: [UInt8]

    public init(sopClassUID: String, applicationInformation: [UInt8]) { self.sopClassUID = sopClassUID; self.applicationInformation = applicationInformation }

    init(item r: inout PDUReader) throws {
        sopClassUID = try r.prefixedUID("SOP class UID")
        applicationInformation = try r.take(r.remaining, "service class application information")
    }

    func encodeBody(_ w: inout PDUWriter) throws {
        try w.lengthPrefixed(Array(sopClassUID.utf8), "SOP class UID")
        w.bytes += applicationInformation
    }
}
