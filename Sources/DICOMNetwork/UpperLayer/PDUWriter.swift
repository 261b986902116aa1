import DICOMCore

/// Big-endian output of a PDU and its items; item and PDU lengths are filled in and checked (PS3.8 §9.3.1).
struct PDUWriter {
    var bytes: [UInt8] = []

    mutating func u8(_ v: UInt8) { bytes.append(v) }
    mutating func u16(_ v: UInt16) { bytes += [UInt8(v >> 8), UInt8(truncatingIfNeeded: v)] }
    mutating func u32(_ v: UInt32) {
        bytes += [UInt8(v >> 24), UInt8(truncatingIfNeeded: v >> 16), UInt8(truncatingIfNeeded: v >> 8), UInt8(truncatingIfNeeded: v)]
    }
    mutating func zeros(_ count: Int) { bytes += repeatElement(0, count: count) }

    /// A value with a 2-byte length before it (UIDs and fields inside sub-items, PS3.7 §D.3.3).
    mutating func lengthPrefixed(_ value: [UInt8], _ field: String) throws {
        guard value.count <= 0xFFFF else { throw NetworkError(.valueTooLong, "\(field): \(value.count) bytes, at most 65535") }
        u16(UInt16(value.count)); bytes += value
    }

    /// An item: type, reserved (or a version) byte, 2-byte length, then what `body` writes (PS3.8 §9.3.2).
    mutating func item(_ type: UInt8, reserved: UInt8 = 0, _ what: String, _ body: (inout PDUWriter) throws -> Void) throws {
        bytes += [type, reserved, 0, 0]
        let start = bytes.count
        try body(&self)
        let length = bytes.count - start
        guard length <= 0xFFFF else { throw NetworkError(.valueTooLong, "\(what): \(length) bytes, at most 65535") }
        bytes[start - 2] = UInt8(length >> 8); bytes[start - 1] = UInt8(truncatingIfNeeded: length)
    }

    /// A whole PDU: type, reserved byte, 4-byte length, then what `body` writes (PS3.8 §9.3.1).
    static func pdu(_ type: PDUType, _ body: (inout PDUWriter) throws -> Void) throws -> [UInt8] {
        var w = PDUWriter()
        w.bytes = [type.rawValue, 0, 0, 0, 0, 0]
        try body(&w)
        let length = w.bytes.count - 6
        guard length <= Int(UInt32.max) else { throw NetworkError(.valueTooLong, "\(type): \(length) bytes, at most 4294967295") }
        let l = UInt32(length)
        w.bytes.replaceSubrange(
            2..<6, with: [UInt8(l >> 24), UInt8(truncatingIfNeeded: l >> 16), UInt8(truncatingIfNeeded: l >> 8), UInt8(truncatingIfNeeded: l)])
        return w.bytes
    }

    /// An AE title as its 16-byte field: space-padded, over 16 bytes refused (PS3.8 §9.3.2).
    mutating func aeTitle(_ title: String, _ field: String) throws {
        let raw = Array(title.utf8)
        guard raw.count <= 16 else { throw NetworkError(.valueTooLong, "\(field) '\(title)': \(raw.count) bytes, at most 16") }
        bytes += raw + repeatElement(0x20, count: 16 - raw.count)
    }
}
