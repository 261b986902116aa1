import DICOMCore

/// A bounded big-endian cursor over one PDU's bytes: every read checks its length first (PS3.8 §9.3.1).
struct PDUReader {
    let bytes: [UInt8]
    /// The next byte to read, an index into `bytes` (which is the PDU from its type byte).
    private(set) var position: Int
    /// One past the last byte this reader may read: the end of its PDU, item or sub-item.
    let end: Int
    /// What is being read, for errors: "A-ASSOCIATE-RQ", "Maximum Length sub-item (51H)".
    let what: String
    /// The code thrown when a field runs past `end`.
    let code: NetworkError.Code

    init(_ bytes: [UInt8], from start: Int, to end: Int, what: String, code: NetworkError.Code) {
        self.bytes = bytes; position = start; self.end = end; self.what = what; self.code = code
    }

    var remaining: Int { end - position }
    var isAtEnd: Bool { position >= end }

    /// Throws unless `count` more bytes are left before `end`.
    func need(_ count: Int, _ field: String) throws {
        guard count >= 0, count <= remaining else {
            throw NetworkError(code, "\(what): \(field) needs \(count) byte(s), \(max(remaining, 0)) left", offset: position)
        }
    }

    mutating func u8(_ field: String) throws -> UInt8 {
        try need(1, field)
        defer { position += 1 }
        return bytes[position]
    }

    mutating func u16(_ field: String) throws -> UInt16 {
        try need(2, field)
        defer { position += 2 }
        return UInt16(bytes[position]) << 8 | UInt16(bytes[position + 1])
    }

    mutating func u32(_ field: String) throws -> UInt32 {
        try need(4, field)
        defer { position += 4 }
        return UInt32(bytes[position]) << 24 | UInt32(bytes[position + 1]) << 16 | UInt32(bytes[position + 2]) << 8 | UInt32(bytes[position + 3])
    }

    mutating func take(_ count: Int, _ field: String) throws -> [UInt8] {
        try need(count, field)
        defer { position += count }
        return Array(bytes[position..<position + count])
    }

    mutating func skip(_ count: Int, _ field: String) throws {
        try need(count, field)
        position += count
    }

    /// A UID of `count` bytes, its optional trailing NUL padding stripped (PS3.8 Annex F, PS3.5 §9.1).
    mutating func uid(_ count: Int, _ field: String) throws -> String {
        var raw = try take(count, field)
        while raw.last == 0 { raw.removeLast() }
        return String(decoding: raw, as: UTF8.self)
    }

    /// An AE title field of 16 bytes, padding spaces and NULs not significant; not printable ASCII is refused, or read as "" when not `tested` (PS3.8 §9.3.2, §9.3.3).
    mutating func aeTitle(_ field: String, tested: Bool = true) throws -> String {
        let start = position
        let raw = try take(16, field)
        let text = Array(raw.drop { $0 == 0x20 }.reversed().drop { $0 == 0x20 || $0 == 0 }.reversed())
        if let bad = text.firstIndex(where: { $0 < 0x20 || $0 > 0x7E }) {
            guard tested else { return "" }
            throw NetworkError(.badValue, "\(what): \(field) holds byte \(text[bad]), not a printable ASCII character", offset: start)
        }
        return String(decoding: text, as: UTF8.self)
    }

    /// The reader of a nested item whose body is `length` bytes from here; this reader moves past it.
    mutating func item(_ length: Int, what: String) throws -> PDUReader {
        guard length <= remaining else {
            throw NetworkError(.itemLength, "\(what): length \(length) overruns \(self.what) (\(remaining) byte(s) left)", offset: position)
        }
        defer { position += length }
        return PDUReader(bytes, from: position, to: position + length, what: what, code: .itemLength)
    }

    /// Throws unless every byte up to `end` has been read (an item's fields fill its length).
    func expectEnd() throws {
        guard isAtEnd else { throw NetworkError(code, "\(what): \(remaining) byte(s) after its last field", offset: position) }
    }
}

extension PDUReader {
    /// A field with a 2-byte length before it (PS3.7 §D.3.3).
    mutating func prefixedBytes(_ field: String) throws -> [UInt8] {
        let length = Int(try u16("\(field) length"))
        return try take(length, field)
    }

    /// A UID with a 2-byte length before it, trailing NUL stripped (PS3.7 §D.3.3).
    mutating func prefixedUID(_ field: String) throws -> String {
        let length = Int(try u16("\(field) length"))
        return try uid(length, field)
    }
}
