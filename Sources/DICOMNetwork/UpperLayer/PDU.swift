import DICOMCore

/// The type byte of the seven Upper Layer PDUs (PS3.8 §9.3.1, Table 9-1).
public enum PDUType: UInt8, Sendable, CaseIterable, CustomStringConvertible {
    case associateRQ = 0x01, associateAC = 0x02, associateRJ = 0x03, pData = 0x04, releaseRQ = 0x05, releaseRP = 0x06, abort = 0x07

    /// The standard's name, e.g. "A-ASSOCIATE-RQ" (PS3.8 §9.3).
    public var description: String {
        ["A-ASSOCIATE-RQ", "A-ASSOCIATE-AC", "A-ASSOCIATE-RJ", "P-DATA-TF", "A-RELEASE-RQ", "A-RELEASE-RP", "A-ABORT"][Int(rawValue) - 1]
    }
}

/// One Upper Layer protocol data unit (PS3.8 §9.3): a 6-byte header (type, reserved, 4-byte big-endian length) and its fields.
public enum PDU: Hashable, Sendable {
    case associateRQ(AssociateRQ)
    case associateAC(AssociateAC)
    case associateRJ(AssociateRJ)
    case pData(PDataTF)
    case releaseRQ
    case releaseRP
    case abort(Abort)

    /// The size of the header before a PDU's length-counted fields (PS3.8 §9.3.1).
    public static let headerLength = 6

    public var type: PDUType {
        switch self {
        case .associateRQ: .associateRQ
        case .associateAC: .associateAC
        case .associateRJ: .associateRJ
        case .pData: .pData
        case .releaseRQ: .releaseRQ
        case .releaseRP: .releaseRP
        case .abort: .abort
        }
    }

    /// The PDU's bytes, header included (PS3.8 §9.3); a value too long for its field is a `NetworkError` (value-too-long).
    public func encode() throws -> [UInt8] {
        try PDUWriter.pdu(type) { w in
            switch self {
            case .associateRQ(let rq): try rq.encodeFields(&w)
            case .associateAC(let ac): try ac.encodeFields(&w)
            case .associateRJ(let rj): rj.encodeFields(&w)
            case .pData(let p): try p.encodeFields(&w)
            case .releaseRQ, .releaseRP: w.zeros(4)
            case .abort(let a): a.encodeFields(&w)
            }
        }
    }

    /// Decodes exactly one PDU, header included; anything malformed is a `NetworkError` with the byte offset (PS3.8 §9.3).
    public static func decode(_ bytes: [UInt8]) throws -> PDU {
        guard bytes.count >= headerLength else {
            throw NetworkError(.pduTruncated, "a PDU needs its 6-byte header, \(bytes.count) byte(s) given", offset: bytes.count)
        }
        let type = try pduType(bytes[0])
        let length = Int(bigEndianLength(bytes))
        guard bytes.count - headerLength >= length else {
            throw NetworkError(.pduTruncated, "\(type): length \(length), \(bytes.count - headerLength) byte(s) after the header", offset: bytes.count)
        }
        guard bytes.count - headerLength == length else {
            throw NetworkError(
                .pduLength, "\(type): length \(length), but \(bytes.count - headerLength) byte(s) follow the header", offset: headerLength + length)
        }
        var r = PDUReader(bytes, from: headerLength, to: bytes.count, what: type.description, code: .pduLength)
        let pdu: PDU
        switch type {
        case .associateRQ: pdu = .associateRQ(try AssociateRQ(fields: &r))
        case .associateAC: pdu = .associateAC(try AssociateAC(fields: &r))
        case .associateRJ: pdu = .associateRJ(try AssociateRJ(fields: &r))
        case .pData: pdu = .pData(try PDataTF(fields: &r))
        case .releaseRQ, .releaseRP:
            try r.skip(4, "reserved field")
            pdu = type == .releaseRQ ? .releaseRQ : .releaseRP
        case .abort: pdu = .abort(try Abort(fields: &r))
        }
        try r.expectEnd()
        return pdu
    }

    /// The PDU type of a header's first byte; any other value is refused (PS3.8 §9.3.1).
    static func pduType(_ byte: UInt8) throws -> PDUType {
        guard let type = PDUType(rawValue: byte) else {
            throw NetworkError(.unknownPDUType, "PDU type \(byte.pduHex) is none of the seven PDU types (01H-07H)", offset: 0)
        }
        return type
    }

    /// The PDU length of a header's bytes 2-5 (big endian), `header` holding at least 6 bytes (PS3.8 §9.3.1).
    static func bigEndianLength(_ header: [UInt8]) -> UInt32 {
        UInt32(header[2]) << 24 | UInt32(header[3]) << 16 | UInt32(header[4]) << 8 | UInt32(header[5])
    }
}
