import DICOMCore

/// A Presentation Context Item of an A-ASSOCIATE-AC (21H): the ID, the result and the Transfer Syntax accepted (PS3.8 §9.3.3.2).
public struct PresentationContextAC: Hashable, Sendable {
    /// Result/Reason of a presentation context (PS3.8 §9.3.3.2, Table 9-18).
    public enum Result: UInt8, Sendable, CaseIterable, CustomStringConvertible {
        case acceptance = 0, userRejection = 1, noReason = 2, abstractSyntaxNotSupported = 3, transferSyntaxesNotSupported = 4
        /// The standard's name, e.g. "abstract-syntax-not-supported (provider rejection)".
        public var description: String {
            let names = ["acceptance", "user-rejection", "no-reason", "abstract-syntax-not-supported", "transfer-syntaxes-not-supported"]
            return names[Int(rawValue)] + (rawValue >= 2 ? " (provider rejection)" : "")
        }
    }

    /// Presentation-context-ID, the one of the request's item (PS3.8 §9.3.3.2).
    public var id: UInt8
    public var result: Result
    /// The Transfer Syntax sub-item's name (40H); not significant unless accepted, and may then be absent (PS3.8 §9.3.3.2).
    public var transferSyntax: String?

    public init(id: UInt8, result: Result, transferSyntax: String?) {
        self.id = id; self.result = result; self.transferSyntax = transferSyntax
    }

    /// Decodes the item's body: ID, reserved, result, reserved, one Transfer Syntax sub-item (PS3.8 §9.3.3.2).
    init(item r: inout PDUReader) throws {
        id = try r.u8("presentation context ID")
        try r.skip(1, "reserved field")
        let resultOffset = r.position
        let raw = try r.u8("result/reason")
        guard let result = Result(rawValue: raw) else {
            throw NetworkError(.badValue, "\(r.what) (ID \(id)): result/reason \(raw) is not 0-4", offset: resultOffset)
        }
        self.result = result
        try r.skip(1, "reserved field")
        transferSyntax = nil
        while !r.isAtEnd {
            let start = r.position
            let next = try r.nextItem()
            var body = next.body
            guard next.type == 0x40 else { try body.skip(body.remaining, "unknown sub-item"); continue }
            guard transferSyntax == nil else { throw NetworkError(.duplicateItem, "\(r.what) (ID \(id)): a second \(itemName(0x40))", offset: start) }
            transferSyntax = try body.uid(body.remaining, "transfer syntax name")
        }
        if result == .acceptance && transferSyntax == nil {
            throw NetworkError(.missingItem, "\(r.what) (ID \(id)): accepted without a \(itemName(0x40))", offset: r.position)
        }
    }

    func encodeBody(_ w: inout PDUWriter) throws {
        w.u8(id); w.u8(0); w.u8(result.rawValue); w.u8(0)
        if let ts = transferSyntax { try w.item(0x40, itemName(0x40)) { $0.bytes += Array(ts.utf8) } }
    }
}
