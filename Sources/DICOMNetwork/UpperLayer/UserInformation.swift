import DICOMCore

/// The User Information Item (50H): its sub-items in the order received or given (PS3.8 §9.3.2.3, Annex D; PS3.7 §D.3.3).
public struct UserInformation: Hashable, Sendable {
    /// One sub-item of the User Information Item (PS3.8 §D.1, PS3.7 §D.3.3).
    public enum SubItem: Hashable, Sendable {
        /// Maximum Length (51H): the longest P-DATA-TF PDV item list the sender receives; 0 = unlimited (PS3.8 §D.1).
        case maximumLength(UInt32)
        /// Implementation Class UID (52H) (PS3.7 §D.3.3.2).
        case implementationClassUID(String)
        /// Asynchronous Operations Window (53H) (PS3.7 §D.3.3.3).
        case asynchronousOperationsWindow(AsynchronousOperationsWindow)
        /// SCP/SCU Role Selection (54H), one per SOP class (PS3.7 §D.3.3.4).
        case roleSelection(RoleSelection)
        /// Implementation Version Name (55H), 1-16 characters (PS3.7 §D.3.3.2).
        case implementationVersionName(String)
        /// SOP Class Extended Negotiation (56H), one per SOP class (PS3.7 §D.3.3.5).
        case sopClassExtendedNegotiation(SOPClassExtendedNegotiation)
        /// SOP Class Common Extended Negotiation (57H), one per SOP class (PS3.7 §D.3.3.6).
        case sopClassCommonExtendedNegotiation(SOPClassCommonExtendedNegotiation)
        /// User Identity Negotiation of a request (58H) (PS3.7 §D.3.3.7.1).
        case userIdentityRQ(UserIdentityRQ)
        /// User Identity Negotiation of an acceptance (59H) (PS3.7 §D.3.3.7.2).
        case userIdentityAC(UserIdentityAC)
        /// A sub-item of a type this implementation does not know, kept as received (PS3.8 §9.3.1).
        case unknown(UnknownItem)

        /// The sub-item's type byte (PS3.7 Table D.3-1).
        public var type: UInt8 {
            switch self {
            case .maximumLength: 0x51
            case .implementationClassUID: 0x52
            case .asynchronousOperationsWindow: 0x53
            case .roleSelection: 0x54
            case .implementationVersionName: 0x55
            case .sopClassExtendedNegotiation: 0x56
            case .sopClassCommonExtendedNegotiation: 0x57
            case .userIdentityRQ: 0x58
            case .userIdentityAC: 0x59
            case .unknown(let u): u.type
            }
        }
    }

    public var subItems: [SubItem]

    public init(subItems: [SubItem]) { self.subItems = subItems }

    /// The usual sub-items in increasing type order (PS3.8 §D.1, PS3.7 §D.3.3).
    public init(
        maximumLength: UInt32, implementationClassUID: String, asynchronousOperationsWindow: AsynchronousOperationsWindow? = nil,
        roleSelections: [RoleSelection] = [], implementationVersionName: String? = nil, userIdentityRQ: UserIdentityRQ? = nil,
        userIdentityAC: UserIdentityAC? = nil
    ) {
        subItems = [.maximumLength(maximumLength), .implementationClassUID(implementationClassUID)]
        if let a = asynchronousOperationsWindow { subItems.append(.asynchronousOperationsWindow(a)) }
        subItems += roleSelections.map(SubItem.roleSelection)
        if let v = implementationVersionName { subItems.append(.implementationVersionName(v)) }
        if let u = userIdentityRQ { subItems.append(.userIdentityRQ(u)) }
        if let u = userIdentityAC { subItems.append(.userIdentityAC(u)) }
    }

    public var maximumLength: UInt32? { subItems.lazy.compactMap { if case .maximumLength(let v) = $0 { v } else { nil } }.first }
    public var implementationClassUID: String? {
        subItems.lazy.compactMap { if case .implementationClassUID(let v) = $0 { v } else { nil } }.first
    }
    public var implementationVersionName: String? {
        subItems.lazy.compactMap { if case .implementationVersionName(let v) = $0 { v } else { nil } }.first
    }
    public var asynchronousOperationsWindow: AsynchronousOperationsWindow? {
        subItems.lazy.compactMap { if case .asynchronousOperationsWindow(let v) = $0 { v } else { nil } }.first
    }
    public var roleSelections: [RoleSelection] { subItems.compactMap { if case .roleSelection(let v) = $0 { v } else { nil } } }
    public var sopClassExtendedNegotiations: [SOPClassExtendedNegotiation] {
        subItems.compactMap { if case .sopClassExtendedNegotiation(let v) = $0 { v } else { nil } }
    }
    public var sopClassCommonExtendedNegotiations: [SOPClassCommonExtendedNegotiation] {
        subItems.compactMap { if case .sopClassCommonExtendedNegotiation(let v) = $0 { v } else { nil } }
    }
    public var userIdentityRQ: UserIdentityRQ? { subItems.lazy.compactMap { if case .userIdentityRQ(let v) = $0 { v } else { nil } }.first }
    public var userIdentityAC: UserIdentityAC? { subItems.lazy.compactMap { if case .userIdentityAC(let v) = $0 { v } else { nil } }.first }

    /// The sub-item types that may appear at most once (PS3.8 §D.1, PS3.7 §D.3.3).
    static let single: Set<UInt8> = [0x51, 0x52, 0x53, 0x55, 0x58, 0x59]

    /// Decodes the item's body: sub-items until its end, each length checked against it (PS3.8 §9.3.2.3).
    init(item r: inout PDUReader) throws {
        subItems = []
        var seen: Set<UInt8> = []
        while !r.isAtEnd {
            let start = r.position
            let next = try r.nextItem()
            var b = next.body
            if Self.single.contains(next.type) && !seen.insert(next.type).inserted {
                throw NetworkError(.duplicateItem, "\(r.what): a second \(itemName(next.type))", offset: start)
            }
            switch next.type {
            case 0x51: subItems.append(.maximumLength(try b.u32("maximum length received")))
            case 0x52: subItems.append(.implementationClassUID(try b.uid(b.remaining, "implementation class UID")))
            case 0x53: subItems.append(.asynchronousOperationsWindow(try AsynchronousOperationsWindow(item: &b)))
            case 0x54: subItems.append(.roleSelection(try RoleSelection(item: &b)))
            case 0x55: subItems.append(.implementationVersionName(String(decoding: try b.take(b.remaining, "name"), as: UTF8.self)))
            case 0x56: subItems.append(.sopClassExtendedNegotiation(try SOPClassExtendedNegotiation(item: &b)))
            case 0x57: subItems.append(.sopClassCommonExtendedNegotiation(try SOPClassCommonExtendedNegotiation(item: &b, version: next.reserved)))
            case 0x58: subItems.append(.userIdentityRQ(try UserIdentityRQ(item: &b)))
            case 0x59: subItems.append(.userIdentityAC(try UserIdentityAC(item: &b)))
            case 0x10, 0x20, 0x21, 0x30, 0x40, 0x50:
                throw NetworkError(.unexpectedItem, "\(r.what): \(itemName(next.type)) is not allowed here", offset: start)
            default: subItems.append(.unknown(UnknownItem(type: next.type, value: try b.take(b.remaining, "sub-item value"))))
            }
            try b.expectEnd()
        }
    }

    func encodeBody(_ w: inout PDUWriter) throws {
        for item in subItems {
            let version: UInt8 = if case .sopClassCommonExtendedNegotiation(let c) = item { c.version } else { 0 }
            try w.item(item.type, reserved: version, itemName(item.type)) { w in
                switch item {
                case .maximumLength(let v): w.u32(v)
                case .implementationClassUID(let s), .implementationVersionName(let s): w.bytes += Array(s.utf8)
                case .asynchronousOperationsWindow(let a): a.encodeBody(&w)
                case .roleSelection(let r): try r.encodeBody(&w)
                case .sopClassExtendedNegotiation(let e): try e.encodeBody(&w)
                case .sopClassCommonExtendedNegotiation(let c): try c.encodeBody(&w)
                case .userIdentityRQ(let u): try u.encodeBody(&w)
                case .userIdentityAC(let u): try u.encodeBody(&w)
                case .unknown(let u): w.bytes += u.value
                }
            }
        }
    }
}
