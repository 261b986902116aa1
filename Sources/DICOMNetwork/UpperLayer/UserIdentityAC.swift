import DICOMCore

/// The User Identity sub-item of an acceptance (59H): the server response, e.g. a Kerberos or SAML reply (PS3.7 §D.3.3.7.2).
public struct UserIdentityAC: Hashable, Sendable {
    public var serverResponse: [UInt8]

    public init(serverResponse: [UInt8]) { self.serverResponse = serverResponse }

    init(item r: inout PDUReader) throws { serverResponse = try r.prefixedBytes("server response") }

    func encodeBody(_ w: inout PDUWriter) throws { try w.lengthPrefixed(serverResponse, "server response") }
}
