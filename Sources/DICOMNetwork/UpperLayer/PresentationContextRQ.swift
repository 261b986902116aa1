import DICOMCore

/// A Presentation Context Item of an A-ASSOCIATE-RQ (20H): an ID, one Abstract Syntax, the Transfer Syntaxes proposed (PS3.8 §9.3.2.2).
public struct PresentationContextRQ: Hashable, Sendable {
    /// Presentation-context-ID, an odd number 1-255 (PS3.8 §9.3.2.2).
    public var id: UInt8
    /// The Abstract Syntax sub-item's name (30H), a SOP Class UID (PS3.8 §9.3.2.2.1).
    public var abstractSyntax: String
    /// The Transfer Syntax sub-items' names (40H), in the order proposed (PS3.8 §9.3.2.2.2).
    public var transferSyntaxes: [String]

    public init(id: UInt8, abstractSyntax: String, transferSyntaxes: [String]) {
        self.id = id; self.abstractSyntax = abstractSyntax; self.transferSyntaxes = transferSyntaxes
    }

    /// Decodes the item's body: ID, three reserved bytes, sub-items; unknown sub-items are skipped (PS3.8 §9.3.2.2).
    init(item r: inout PDUReader) throws {
        id = try r.u8("presentation context ID")
        try r.skip(3, "reserved fields")
        var abstract: String?
        transferSyntaxes = []
        while !r.isAtEnd {
            let start = r.position
            let next = try r.nextItem()
            var body = next.body
            switch next.type {
            case 0x30:
                guard abstract == nil else { throw NetworkError(.duplicateItem, "\(r.what): a second \(itemName(0x30))", offset: start) }
                abstract = try body.uid(body.remaining, "abstract syntax name")
            case 0x40: transferSyntaxes.append(try body.uid(body.remaining, "transfer syntax name"))
            default: try body.skip(body.remaining, "unknown sub-item")
            }
        }
        guard let abstract else { throw NetworkError(.missingItem, "\(r.what) (ID \(id)): no \(itemName(0x30))", offset: r.position) }
        guard !transferSyntaxes.isEmpty else { throw NetworkError(.missingItem, "\(r.what) (ID \(id)): no \(itemName(0x40))", offset: r.position) }
        abstractSyntax = abstract
    }

    func encodeBody(_ w: inout PDUWriter) throws {
        w.u8(id); w.zeros(3)
        try w.item(0x30, itemName(0x30)) { $0.bytes += Array(abstractSyntax.utf8) }
        for ts in transferSyntaxes { try w.item(0x40, itemName(0x40)) { $0.bytes += Array(ts.utf8) } }
    }
}
