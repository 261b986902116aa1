import DICOMCore
import Hummingbird

// Forms arrive as `application/x-www-form-urlencoded` (HTML 4.01 §17.13.4): `+` is a space, `%XX` a byte. A GET form's
// query is read with the same rules, so the page and the API see one decoding.
/// The fields of a submitted form or a query string, each name with its values in order.
struct WebForm: Sendable {
    private(set) var fields: [(name: String, value: String)] = []

    init(_ encoded: String) {
        for pair in encoded.split(separator: "&", omittingEmptySubsequences: true) {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            fields.append((Self.decode(parts[0]), parts.count > 1 ? Self.decode(parts[1]) : ""))
        }
    }

    init(query request: Request) { self.init(request.uri.query ?? "") }

    /// The first value of `name`, trimmed; nil when absent or empty.
    subscript(_ name: String) -> String? {
        guard let v = fields.first(where: { $0.name == name })?.value.trimmingSpaces(), !v.isEmpty else { return nil }
        return v
    }

    /// Every non-empty value of `name`.
    func all(_ name: String) -> [String] { fields.filter { $0.name == name && !$0.value.isEmpty }.map(\.value) }

    /// True when the checkbox `name` was ticked.
    func checked(_ name: String) -> Bool { self[name].map { $0 != "0" && $0 != "false" } ?? false }

    /// The names present, for checks of unknown parameters.
    var names: Set<String> { Set(fields.map(\.name)) }

    static func decode(_ s: Substring) -> String {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(s.utf8.count)
        var it = Array(s.utf8)[...]
        while let b = it.popFirst() {
            if b == UInt8(ascii: "+") {
                bytes.append(0x20)
            } else if b == UInt8(ascii: "%"), it.count >= 2, let h = hex(it[it.startIndex]), let l = hex(it[it.startIndex + 1]) {
                bytes.append(h << 4 | l)
                it = it.dropFirst(2)
            } else {
                bytes.append(b)
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    static func hex(_ c: UInt8) -> UInt8? {
        switch c {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): c - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): c - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): c - UInt8(ascii: "A") + 10
        default: nil
        }
    }

    /// `value` percent-encoded for a query string (unreserved characters kept, RFC 3986 §2.3).
    static func encode(_ value: String) -> String {
        var out = ""
        for b in value.utf8 {
            switch b {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
                UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "~"), UInt8(ascii: "/"):
                out.unicodeScalars.append(Unicode.Scalar(b))
            default:
                let digits = Array("0123456789ABCDEF")
                out += "%" + String(digits[Int(b >> 4)]) + String(digits[Int(b & 15)])
            }
        }
        return out
    }
}
