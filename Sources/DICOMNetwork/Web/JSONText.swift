import DICOMCore

/// A parsed JSON text (RFC 8259) that keeps what a configuration file or a DICOM JSON response needs:
/// object members in order with the line of each key, and numbers as they were written.
public indirect enum JSONText: Sendable, Equatable {
    case null
    case bool(Bool)
    /// A number as written, e.g. `1.50` (its text is kept: DS and IS values keep their digits).
    case number(String)
    case string(String)
    case array([JSONText])
    case object([Member])

    /// One object member: its key, its value and the 1-based line of the key.
    public struct Member: Sendable, Equatable {
        public var key: String
        public var value: JSONText
        public var line: Int

        public init(key: String, value: JSONText, line: Int) { self.key = key; self.value = value; self.line = line }
    }

    /// The name of the value's JSON type, for messages.
    public var typeName: String {
        switch self {
        case .null: "null"
        case .bool: "a boolean"
        case .number: "a number"
        case .string: "a string"
        case .array: "an array"
        case .object: "an object"
        }
    }

    /// Parses `bytes` (UTF-8); a syntax error is a `json-syntax` NetworkError with the line and the offset.
    public static func parse(_ bytes: [UInt8], path: String? = nil, maxDepth: Int = 64) throws(NetworkError) -> JSONText {
        var p = JSONTextParser(bytes: bytes, path: path, maxDepth: maxDepth)
        p.skipSpace()
        let v = try p.value(depth: 0)
        p.skipSpace()
        if p.i < bytes.count { throw p.error("text after the JSON value") }
        return v
    }
}

/// The recursive-descent reader behind ``JSONText/parse(_:path:maxDepth:)``.
struct JSONTextParser {
    let bytes: [UInt8]
    let path: String?
    let maxDepth: Int
    var i = 0
    var line = 1

    init(bytes: [UInt8], path: String?, maxDepth: Int) { self.bytes = bytes; self.path = path; self.maxDepth = maxDepth }

    func error(_ message: String) -> NetworkError {
        NetworkError(.jsonSyntax, "not valid JSON: " + message, context: ErrorContext(path: path, offset: i, line: line, rule: "RFC 8259"))
    }

    mutating func skipSpace() {
        while i < bytes.count {
            switch bytes[i] {
            case 0x0A: line += 1; i += 1
            case 0x20, 0x09, 0x0D: i += 1
            default: return
            }
        }
    }

    mutating func value(depth: Int) throws(NetworkError) -> JSONText {
        guard depth <= maxDepth else { throw error("nested deeper than \(maxDepth)") }
        guard i < bytes.count else { throw error("the text ends where a value is expected") }
        switch bytes[i] {
        case UInt8(ascii: "{"): return try object(depth: depth)
        case UInt8(ascii: "["): return try array(depth: depth)
        case UInt8(ascii: "\""): return .string(try string())
        case UInt8(ascii: "t"): try literal("true"); return .bool(true)
        case UInt8(ascii: "f"): try literal("false"); return .bool(false)
        case UInt8(ascii: "n"): try literal("null"); return .null
        default: return .number(try number())
        }
    }

    mutating func literal(_ word: String) throws(NetworkError) {
        let w = Array(word.utf8)
        guard i + w.count <= bytes.count, Array(bytes[i..<i + w.count]) == w else { throw error("unexpected character") }
        i += w.count
    }

    mutating func object(depth: Int) throws(NetworkError) -> JSONText {
        i += 1
        var members: [JSONText.Member] = []
        skipSpace()
        if i < bytes.count, bytes[i] == UInt8(ascii: "}") { i += 1; return .object(members) }
        while true {
            skipSpace()
            guard i < bytes.count, bytes[i] == UInt8(ascii: "\"") else { throw error("an object key must be a string") }
            let keyLine = line
            let key = try string()
            skipSpace()
            guard i < bytes.count, bytes[i] == UInt8(ascii: ":") else { throw error("':' expected after key \"\(key)\"") }
            i += 1
            skipSpace()
            if members.contains(where: { $0.key == key }) { throw error("key \"\(key)\" appears twice") }
            members.append(JSONText.Member(key: key, value: try value(depth: depth + 1), line: keyLine))
            skipSpace()
            guard i < bytes.count else { throw error("the text ends inside an object") }
            if bytes[i] == UInt8(ascii: ",") { i += 1; continue }
            if bytes[i] == UInt8(ascii: "}") { i += 1; return .object(members) }
            throw error("',' or '}' expected")
        }
    }

    mutating func array(depth: Int) throws(NetworkError) -> JSONText {
        i += 1
        var items: [JSONText] = []
        skipSpace()
        if i < bytes.count, bytes[i] == UInt8(ascii: "]") { i += 1; return .array(items) }
        while true {
            skipSpace()
            items.append(try value(depth: depth + 1))
            skipSpace()
            guard i < bytes.count else { throw error("the text ends inside an array") }
            if bytes[i] == UInt8(ascii: ",") { i += 1; continue }
            if bytes[i] == UInt8(ascii: "]") { i += 1; return .array(items) }
            throw error("',' or ']' expected")
        }
    }

    mutating func number() throws(NetworkError) -> String {
        let start = i
        func digits(_ p: inout JSONTextParser) -> Int {
            let s = p.i
            while p.i < p.bytes.count, (0x30...0x39).contains(p.bytes[p.i]) { p.i += 1 }
            return p.i - s
        }
        if i < bytes.count, bytes[i] == UInt8(ascii: "-") { i += 1 }
        let intStart = i
        let n = digits(&self)
        guard n > 0 else { throw error("unexpected character") }
        if n > 1, bytes[intStart] == 0x30 { throw error("a number with a leading zero") }
        if i < bytes.count, bytes[i] == UInt8(ascii: ".") {
            i += 1
            guard digits(&self) > 0 else { throw error("digits expected after '.'") }
        }
        if i < bytes.count, bytes[i] == UInt8(ascii: "e") || bytes[i] == UInt8(ascii: "E") {
            i += 1
            if i < bytes.count, bytes[i] == UInt8(ascii: "+") || bytes[i] == UInt8(ascii: "-") { i += 1 }
            guard digits(&self) > 0 else { throw error("digits expected in the exponent") }
        }
        return String(decoding: bytes[start..<i], as: UTF8.self)
    }

    mutating func string() throws(NetworkError) -> String {
        i += 1
        var out: [UInt8] = []
        while i < bytes.count {
            let c = bytes[i]
            switch c {
            case UInt8(ascii: "\""):
                i += 1
                guard let s = String(validating: out, as: UTF8.self) else { throw error("a string that is not UTF-8") }
                return s
            case UInt8(ascii: "\\"):
                i += 1
                guard i < bytes.count else { break }
                let e = bytes[i]
                i += 1
                switch e {
                case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): out.append(e)
                case UInt8(ascii: "b"): out.append(0x08)
                case UInt8(ascii: "f"): out.append(0x0C)
                case UInt8(ascii: "n"): out.append(0x0A)
                case UInt8(ascii: "r"): out.append(0x0D)
                case UInt8(ascii: "t"): out.append(0x09)
                case UInt8(ascii: "u"):
                    var scalar = try hex4()
                    if (0xD800..<0xDC00).contains(scalar) {
                        guard i + 1 < bytes.count, bytes[i] == UInt8(ascii: "\\"), bytes[i + 1] == UInt8(ascii: "u") else {
                            throw error("a lone surrogate in a \\u escape")
                        }
                        i += 2
                        let low = try hex4()
                        guard (0xDC00..<0xE000).contains(low) else { throw error("a lone surrogate in a \\u escape") }
                        scalar = 0x10000 + (scalar - 0xD800) << 10 + (low - 0xDC00)
                    }
                    guard let u = Unicode.Scalar(scalar) else { throw error("a lone surrogate in a \\u escape") }
                    out.append(contentsOf: Array(String(Character(u)).utf8))
                default: throw error("an unknown escape")
                }
            default:
                guard c >= 0x20 else { throw error("a control character inside a string") }
                out.append(c)
                i += 1
            }
        }
        throw error("the text ends inside a string")
    }

    mutating func hex4() throws(NetworkError) -> UInt32 {
        guard i + 4 <= bytes.count, let v = UInt32(String(decoding: bytes[i..<i + 4], as: UTF8.self), radix: 16) else {
            throw error("four hex digits expected after \\u")
        }
        i += 4
        return v
    }
}
