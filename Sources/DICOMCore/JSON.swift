/// A JSON value with ordered object keys, for machine-readable output (RFC 8259).
public indirect enum JSON: Sendable, Equatable {
    case null, bool(Bool), int(Int64), double(Double), string(String), array([JSON]), object([(String, JSON)])

    public static func == (a: JSON, b: JSON) -> Bool { a.serialized() == b.serialized() }

    /// Serialises compactly, or with two-space indentation when `pretty`.
    public func serialized(pretty: Bool = false) -> String {
        var s = ""
        write(to: &s, pretty: pretty, indent: 0)
        return s
    }

    func write(to s: inout String, pretty: Bool, indent: Int) {
        switch self {
        case .null: s += "null"
        case .bool(let b): s += b ? "true" : "false"
        case .int(let i): s += String(i)
        case .double(let d):
            if d.isFinite { s += d == d.rounded() && abs(d) < 1e15 ? String(Int64(d)) : "\(d)" } else { s += "null" }
        case .string(let str): JSON.escape(str, into: &s)
        case .array(let a):
            if a.isEmpty { s += "[]"; return }
            s += "["
            for (i, v) in a.enumerated() {
                if i > 0 { s += "," }
                if pretty { s += "\n" + String(repeating: "  ", count: indent + 1) }
                v.write(to: &s, pretty: pretty, indent: indent + 1)
            }
            if pretty { s += "\n" + String(repeating: "  ", count: indent) }
            s += "]"
        case .object(let o):
            if o.isEmpty { s += "{}"; return }
            s += "{"
            for (i, (k, v)) in o.enumerated() {
                if i > 0 { s += "," }
                if pretty { s += "\n" + String(repeating: "  ", count: indent + 1) }
                JSON.escape(k, into: &s)
                s += pretty ? ": " : ":"
                v.write(to: &s, pretty: pretty, indent: indent + 1)
            }
            if pretty { s += "\n" + String(repeating: "  ", count: indent) }
            s += "}"
        }
    }

    static func escape(_ str: String, into s: inout String) {
        s += "\""
        for u in str.unicodeScalars {
            switch u {
            case "\"": s += "\\\""
            case "\\": s += "\\\\"
            case "\n": s += "\\n"
            case "\r": s += "\\r"
            case "\t": s += "\\t"
            default:
                if u.value < 0x20 {
                    let h = String(u.value, radix: 16)
                    s += "\\u" + String(repeating: "0", count: 4 - h.count) + h
                } else {
                    s.unicodeScalars.append(u)
                }
            }
        }
        s += "\""
    }
}
