import DICOMCore

/// One Presentation Data Value item of a P-DATA-TF: context ID, message control header, a fragment of a message (PS3.8 §9.3.5.1, Annex E).
public struct PDV: Hashable, Sendable {
    public var presentationContextID: UInt8
    /// Message control header bit 0: the fragment is of the command set (1) or the data set (0) (PS3.8 §E.2).
    public var isCommand: Bool
    /// Message control header bit 1: the last fragment of its command set or data set (PS3.8 §E.2).
    public var isLastFragment: Bool
    public var fragment: [UInt8]

    /// The bytes of a PDV item before its fragment: 4-byte length, context ID, message control header (PS3.8 §9.3.5.1).
    public static let overhead = 6

    public init(presentationContextID: UInt8, isCommand: Bool, isLastFragment: Bool, fragment: [UInt8]) {
        self.presentationContextID = presentationContextID; self.isCommand = isCommand; self.isLastFragment = isLastFragment; self.fragment = fragment
    }

    /// The message control header byte; bits 2-7 are 0 (PS3.8 §E.2).
    public var messageControlHeader: UInt8 { (isCommand ? 1 : 0) | (isLastFragment ? 2 : 0) }
}

/// A P-DATA-TF PDU: one or more PDV items (PS3.8 §9.3.5).
public struct PDataTF: Hashable, Sendable {
    public var pdvs: [PDV]

    public init(pdvs: [PDV]) { self.pdvs = pdvs }

    /// The PDU length of this P-DATA-TF, what a Maximum Length bounds: its PDV item list (PS3.8 §D.1).
    public var length: Int { pdvs.reduce(0) { $0 + PDV.overhead + $1.fragment.count } }

    /// Decodes the PDV items; each length is checked against the PDU before reading; reserved header bits ignored (PS3.8 §9.3.5, §E.2).
    init(fields r: inout PDUReader) throws {
        pdvs = []
        guard !r.isAtEnd else { throw NetworkError(.emptyPData, "P-DATA-TF: no PDV item", offset: r.position) }
        while !r.isAtEnd {
            let start = r.position
            guard r.remaining >= 4 else { throw NetworkError(.pdvLength, "P-DATA-TF: \(r.remaining) byte(s) after the last PDV item", offset: start) }
            let length = try r.u32("PDV item length")
            guard length >= 2, Int(length) <= r.remaining else {
                throw NetworkError(.pdvLength, "P-DATA-TF: PDV item length \(length), which needs 2 to \(r.remaining)", offset: start)
            }
            let id = try r.u8("presentation context ID"), header = try r.u8("message control header")
            let fragment = try r.take(Int(length) - 2, "presentation data value")
            pdvs.append(PDV(presentationContextID: id, isCommand: header & 1 != 0, isLastFragment: header & 2 != 0, fragment: fragment))
        }
    }

    func encodeFields(_ w: inout PDUWriter) throws {
        for pdv in pdvs {
            guard pdv.fragment.count <= Int(UInt32.max) - 2 else {
                throw NetworkError(.valueTooLong, "P-DATA-TF: a PDV fragment of \(pdv.fragment.count) bytes")
            }
            w.u32(UInt32(pdv.fragment.count + 2)); w.u8(pdv.presentationContextID); w.u8(pdv.messageControlHeader)
            w.bytes += pdv.fragment
        }
    }
}
