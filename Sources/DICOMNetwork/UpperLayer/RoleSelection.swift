import DICOMCore

/// The SCP/SCU Role Selection sub-item (54H): the roles proposed or accepted for one SOP class (PS3.7 §D.3.3.4).
public struct RoleSelection: Hashable, Sendable {
    public var sopClassUID: String
    /// SCU-role: the requestor may be (RQ), or the acceptor agrees it is (AC), an SCU of the class (PS3.7 Table D.3-9).
    public var scuRole: Bool
    /// SCP-role: the requestor may be (RQ), or the acceptor agrees it is (AC), an SCP of the class (PS3.7 Table D.3-9).
    public var scpRole: Bool

    public init(sopClassUID: String, scuRole: Bool, scpRole: Bool) { self.sopClassUID = sopClassUID; self.scuRole = scuRole; self.scpRole = scpRole }

    init(item r: inout PDUReader) throws {
        sopClassUID = try r.prefixedUID("SOP class UID")
        scuRole = try Self.role(&r, "SCU role")
        scpRole = try Self.role(&r, "SCP role")
    }

    /// A role byte: 0 non-support, 1 support; any other value is refused (PS3.7 Table D.3-9).
    static func role(_ r: inout PDUReader, _ field: String) throws -> Bool {
        let offset = r.position
        let v = try r.u8(field)
        guard v <= 1 else { throw NetworkError(.badValue, "\(r.what): \(field) \(v) is not 0 or 1", offset: offset) }
        return v == 1
    }

    func encodeBody(_ w: inout PDUWriter) throws {
        try w.lengthPrefixed(Array(sopClassUID.utf8), "SOP class UID")
        w.u8(scuRole ? 1 : 0); w.u8(scpRole ? 1 : 0)
    }
}
