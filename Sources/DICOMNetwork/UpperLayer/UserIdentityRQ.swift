import DICOMCore

/// The User Identity sub-item of a request (58H): who the requestor is, and whether it asks for a server response (PS3.7 §D.3.3.7.1).
public struct UserIdentityRQ: Hashable, Sendable {
    /// User-Identity-Type (PS3.7 Table D.3-14): the form of the primary and secondary fields.
    public struct IdentityType: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
        public var rawValue: UInt8
        public init(rawValue: UInt8) { self.rawValue = rawValue }
        public static let username = Self(rawValue: 1)
        public static let usernameAndPasscode = Self(rawValue: 2)
        public static let kerberos = Self(rawValue: 3)
        public static let saml = Self(rawValue: 4)
        public static let jwt = Self(rawValue: 5)
        /// The standard's name, e.g. "username and passcode"; other values by number.
        public var description: String {
            let names = ["username", "username and passcode", "Kerberos service ticket", "SAML assertion", "JSON Web Token"]
            return (1...5).contains(rawValue) ? names[Int(rawValue) - 1] : "user identity type \(rawValue)"
        }
    }

    public var identityType: IdentityType
    /// Positive-response-requested: the acceptor shall answer with a User Identity AC sub-item (PS3.7 Table D.3-14).
    public var positiveResponseRequested: Bool
    public var primaryField: [UInt8]
    /// Secondary-field: the passcode for type 2, empty otherwise (PS3.7 Table D.3-14).
    public var secondaryField: [UInt8]

    public init(identityType: IdentityType, positiveResponseRequested: Bool, primaryField: [UInt8], secondaryField: [UInt8] = []) {
        self.identityType = identityType; self.positiveResponseRequested = positiveResponseRequested
        self.primaryField = primaryField; self.secondaryField = secondaryField
    }

    init(item r: inout PDUReader) throws {
        identityType = IdentityType(rawValue: try r.u8("user identity type"))
        positiveResponseRequested = try r.u8("positive response requested") != 0
        primaryField = try r.prefixedBytes("primary field")
        secondaryField = try r.prefixedBytes("secondary field")
    }

    func encodeBody(_ w: inout PDUWriter) throws {
        w.u8(identityType.rawValue); w.u8(positiveResponseRequested ? 1 : 0)
        try w.lengthPrefixed(primaryField, "primary field")
        try w.lengthPrefixed(secondaryField, "secondary field")
    }
}
