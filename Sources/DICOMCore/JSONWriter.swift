/// A streaming JSON writer (RFC 8259) into UTF-8 bytes: the same bytes `JSON.serialized(pretty:)`
/// gives for the same values, without building the tree first (a listing of 100,000 records).
///
///     var w = JSONWriter(pretty: true)
///     w.beginObject(); w.key("n"); w.int(1); w.key("a"); w.beginArray(); w.endArray(); w.endObject()
///     // {\n  "n": 1,\n  "a": []\n}
public struct JSONWriter: Sendable {
    /// The document written so far.
    public private(set) var bytes: [UInt8] = []
    public let pretty: Bool
    /// Per open container: whether it has no member yet.
    private var empty: [Bool] = []
    /// A key was written: the next value follows it without a separator.
    private var afterKey = false
    /// Levels of indentation outside this writer: its bytes go into a document `indent` levels deep.
    private let indent: Int

    /// `indent`: how deep in an enclosing document the value written here will stand (see `raw`).
    public init(pretty: Bool = false, indent: Int = 0, capacity: Int = 0) {
        self.pretty = pretty
        self.indent = indent
        bytes.reserveCapacity(capacity)
    }

    /// Separator, newline and indentation before a member of the open container (none after a key).
    private mutating func member() {
        if afterKey { afterKey = false; return }
        guard let last = empty.last else { return }
        if !last { bytes.append(UInt8(ascii: ",")) }
        empty[empty.count - 1] = false
        if pretty { newline(empty.count) }
    }

    private mutating func newline(_ depth: Int) {
        bytes.append(UInt8(ascii: "\n"))
        for _ in 0..<(indent + depth) { bytes.append(0x20); bytes.append(0x20) }
    }

    private mutating func open(_ c: UInt8) {
        member()
        bytes.append(c)
        empty.append(true)
    }

    private mutating func close(_ c: UInt8) {
        let wasEmpty = empty.removeLast()
        if !wasEmpty && pretty { newline(empty.count) }
        bytes.append(c)
    }

    public mutating func beginObject() { open(UInt8(ascii: "{")) }
    public mutating func endObject() { close(UInt8(ascii: "}")) }
    public mutating func beginArray() { open(UInt8(ascii: "[")) }
    public mutating func endArray() { close(UInt8(ascii: "]")) }

    /// The key of the next member of the open object.
    public mutating func key(_ k: String) {
        member()
        escape(k)
        bytes.append(UInt8(ascii: ":"))
        if pretty { bytes.append(0x20) }
        afterKey = true
    }

    public mutating func null() { member(); bytes.append(contentsOf: "null".utf8) }
    public mutating func bool(_ b: Bool) { member(); bytes.append(contentsOf: (b ? "true" : "false").utf8) }

    public mutating func int(_ i: Int64) {
        member()
        if i == 0 { bytes.append(UInt8(ascii: "0")); return }
        var v = i.magnitude
        var digits: (UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0)
        var n = 0
        withUnsafeMutableBytes(of: &digits) { d in
            while v > 0 { d[n] = UInt8(ascii: "0") + UInt8(v % 10); v /= 10; n += 1 }
            if i < 0 { bytes.append(UInt8(ascii: "-")) }
            while n > 0 { n -= 1; bytes.append(d[n]) }
        }
    }

    public mutating func string(_ s: String) { member(); escape(s) }
    /// A string, or null when nil.
    public mutating func string(_ s: String?) { if let s { string(s) } else { null() } }
    /// An integer, or null when nil.
    public mutating func int(_ i: Int?) { if let i { int(Int64(i)) } else { null() } }

    /// A whole value (a tree), indented where it stands.
    public mutating func value(_ j: JSON) {
        member()
        var s = ""
        j.write(to: &s, pretty: pretty, indent: indent + empty.count)
        bytes.append(contentsOf: s.utf8)
    }

    /// A value written by another writer made with `indent` = the depth here (where it stands).
    public mutating func raw(_ value: [UInt8]) {
        member()
        bytes.append(contentsOf: value)
    }

    /// A quoted string with the escapes of `JSON.escape`: quote, backslash, \n, \r, \t, other
    /// control characters as \u00XX; everything else as its UTF-8 bytes.
    private mutating func escape(_ s: String) {
        bytes.append(UInt8(ascii: "\""))
        var s = s
        s.withUTF8 { u in
            var start = 0
            for i in 0..<u.count {
                let c = u[i]
                guard c < 0x20 || c == UInt8(ascii: "\"") || c == UInt8(ascii: "\\") else { continue }
                if start < i { bytes.append(contentsOf: UnsafeBufferPointer(rebasing: u[start..<i])) }
                start = i + 1
                bytes.append(UInt8(ascii: "\\"))
                switch c {
                case UInt8(ascii: "\""), UInt8(ascii: "\\"): bytes.append(c)
                case UInt8(ascii: "\n"): bytes.append(UInt8(ascii: "n"))
                case UInt8(ascii: "\r"): bytes.append(UInt8(ascii: "r"))
                case UInt8(ascii: "\t"): bytes.append(UInt8(ascii: "t"))
                default:
                    let hex = Array("0123456789abcdef".utf8)
                    bytes.append(contentsOf: "u00".utf8)
                    bytes.append(hex[Int(c >> 4)]); bytes.append(hex[Int(c & 0xF)])
                }
            }
            if start < u.count { bytes.append(contentsOf: UnsafeBufferPointer(rebasing: u[start..<u.count])) }
        }
        bytes.append(UInt8(ascii: "\""))
    }
}
