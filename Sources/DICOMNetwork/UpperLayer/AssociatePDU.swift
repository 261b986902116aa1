import DICOMCore

extension UID {
    /// The DICOM Application Context Name, the only one defined (PS3.7 §A.2.1).
    public static let dicomApplicationContext = "1.2.840.10008.3.1.1.1"
}

/// An A-ASSOCIATE-RQ PDU (PS3.8 §9.3.2).
public typealias AssociateRQ = AssociatePDU<PresentationContextRQ>
/// An A-ASSOCIATE-AC PDU (PS3.8 §9.3.3); its AE title fields echo the request's and are not tested.
public typealias AssociateAC = AssociatePDU<PresentationContextAC>

/// The fields A-ASSOCIATE-RQ and -AC share: AE titles, Application Context, presentation contexts, User Information (PS3.8 §9.3.2, §9.3.3).
public struct AssociatePDU<PresentationContext: Hashable & Sendable>: Hashable, Sendable {
    /// Protocol-version, a bit field: bit 0 is version 1, the only one (PS3.8 §9.3.2).
    public var protocolVersion: UInt16
    /// Called-AE-title, without its padding spaces (PS3.8 §9.3.2).
    public var calledAETitle: String
    /// Calling-AE-title, without its padding spaces (PS3.8 §9.3.2).
    public var callingAETitle: String
    /// The Application Context Item's name (10H) (PS3.8 §9.3.2.1).
    public var applicationContextName: String
    /// The Presentation Context Items (20H in a request, 21H in an acceptance), in their order (PS3.8 §9.3.2.2, §9.3.3.2).
    public var presentationContexts: [PresentationContext]
    /// The User Information Item (50H) (PS3.8 §9.3.2.3).
    public var userInformation: UserInformation
    /// Items of types this implementation does not know, skipped on receipt and kept (PS3.8 §9.3.1).
    public var unknownItems: [UnknownItem]

    public init(
        calledAETitle: String, callingAETitle: String, applicationContextName: String = UID.dicomApplicationContext,
        presentationContexts: [PresentationContext], userInformation: UserInformation, protocolVersion: UInt16 = 1, unknownItems: [UnknownItem] = []
    ) {
        self.protocolVersion = protocolVersion; self.calledAETitle = calledAETitle; self.callingAETitle = callingAETitle
        self.applicationContextName = applicationContextName; self.presentationContexts = presentationContexts
        self.userInformation = userInformation; self.unknownItems = unknownItems
    }
}

/// An item of a type this implementation does not know: its type and value, kept as received (PS3.8 §9.3.1).
public struct UnknownItem: Hashable, Sendable {
    public var type: UInt8
    public var value: [UInt8]
    public init(type: UInt8, value: [UInt8]) { self.type = type; self.value = value }
}

/// The standard's name of an item or sub-item type, for messages (PS3.8 §9.3, PS3.7 §D.3.3).
func itemName(_ type: UInt8) -> String {
    let names: [UInt8: String] = [
        0x10: "Application Context", 0x20: "Presentation Context (RQ)", 0x21: "Presentation Context (AC)", 0x30: "Abstract Syntax",
        0x40: "Transfer Syntax", 0x50: "User Information", 0x51: "Maximum Length", 0x52: "Implementation Class UID",
        0x53: "Asynchronous Operations Window", 0x54: "SCP/SCU Role Selection", 0x55: "Implementation Version Name",
        0x56: "SOP Class Extended Negotiation", 0x57: "SOP Class Common Extended Negotiation", 0x58: "User Identity (RQ)",
        0x59: "User Identity (AC)",
    ]
    return "\(names[type] ?? "unknown") item (\(type.pduHex))"
}

extension PDUReader {
    /// Reads an item header (type, reserved, 2-byte length) and returns its type, the reserved byte and a reader of its body (PS3.8 §9.3.1).
    mutating func nextItem() throws -> (type: UInt8, reserved: UInt8, body: PDUReader) {
        let type = try u8("item type"), reserved = try u8("reserved byte"), length = Int(try u16("item length"))
        return (type, reserved, try item(length, what: "\(what): \(itemName(type))"))
    }
}

extension AssociatePDU {
    /// Decodes the fields after the PDU header; `context` decodes one presentation context item of type `contextType`.
    init(fields r: inout PDUReader, pdu: PDUType, contextType: UInt8, context: (inout PDUReader) throws -> PresentationContext) throws {
        protocolVersion = try r.u16("protocol version")
        try r.skip(2, "reserved field")
        calledAETitle = try r.aeTitle("called AE title", tested: pdu == .associateRQ)
        callingAETitle = try r.aeTitle("calling AE title", tested: pdu == .associateRQ)
        try r.skip(32, "reserved field")
        var application: String?, user: UserInformation?
        presentationContexts = []; unknownItems = []
        while !r.isAtEnd {
            let start = r.position
            let next = try r.nextItem()
            let type = next.type
            var body = next.body
            switch type {
            case 0x10:
                guard application == nil else { throw NetworkError(.duplicateItem, "\(pdu): a second \(itemName(type))", offset: start) }
                application = try body.uid(body.remaining, "application context name")
            case contextType: presentationContexts.append(try context(&body))
            case 0x50:
                guard user == nil else { throw NetworkError(.duplicateItem, "\(pdu): a second \(itemName(type))", offset: start) }
                user = try UserInformation(item: &body)
            case 0x20, 0x21, 0x30, 0x40, 0x51...0x59:
                throw NetworkError(.unexpectedItem, "\(pdu): \(itemName(type)) is not allowed here", offset: start)
            default: unknownItems.append(UnknownItem(type: type, value: try body.take(body.remaining, "item value")))
            }
            try body.expectEnd()
        }
        guard let application else { throw NetworkError(.missingItem, "\(pdu): no \(itemName(0x10))", offset: r.position) }
        guard let user else { throw NetworkError(.missingItem, "\(pdu): no \(itemName(0x50))", offset: r.position) }
        applicationContextName = application; userInformation = user
    }

    /// Encodes the fields after the PDU header in the standard's order; `context` writes one presentation context's body.
    func encodeFields(_ w: inout PDUWriter, contextType: UInt8, context: (PresentationContext, inout PDUWriter) throws -> Void) throws {
        w.u16(protocolVersion); w.zeros(2)
        try w.aeTitle(calledAETitle, "called AE title")
        try w.aeTitle(callingAETitle, "calling AE title")
        w.zeros(32)
        try w.item(0x10, itemName(0x10)) { $0.bytes += Array(applicationContextName.utf8) }
        for pc in presentationContexts { try w.item(contextType, itemName(contextType)) { try context(pc, &$0) } }
        try w.item(0x50, itemName(0x50)) { try userInformation.encodeBody(&$0) }
        for u in unknownItems { try w.item(u.type, itemName(u.type)) { $0.bytes += u.value } }
    }
}

extension AssociatePDU where PresentationContext == PresentationContextRQ {
    init(fields r: inout PDUReader) throws {
        try self.init(fields: &r, pdu: .associateRQ, contextType: 0x20) { try PresentationContextRQ(item: &$0) }
    }
    func encodeFields(_ w: inout PDUWriter) throws { try encodeFields(&w, contextType: 0x20) { try $0.encodeBody(&$1) } }
}

extension AssociatePDU where PresentationContext == PresentationContextAC {
    init(fields r: inout PDUReader) throws {
        try self.init(fields: &r, pdu: .associateAC, contextType: 0x21) { try PresentationContextAC(item: &$0) }
    }
    func encodeFields(_ w: inout PDUWriter) throws { try encodeFields(&w, contextType: 0x21) { try $0.encodeBody(&$1) } }
}

extension UInt8 {
    /// The byte as the standard writes item types, e.g. "51H".
    var pduHex: String {
        let digits = Array("0123456789ABCDEF")
        return String([digits[Int(self >> 4)], digits[Int(self & 0xF)]]) + "H"
    }
}
