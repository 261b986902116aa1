import DICOMCore

/// A media type with its parameters (RFC 9110 §8.3.1), e.g. `multipart/related; type="application/dicom";
/// boundary=X`: type and subtype lower-cased, parameter names lower-cased, values unquoted.
public struct MediaType: Sendable, Equatable, CustomStringConvertible {
    public var type: String
    public var subtype: String
    public var parameters: [(name: String, value: String)]

    public init(_ type: String, _ subtype: String, parameters: [(name: String, value: String)] = []) {
        self.type = type.lowercased(); self.subtype = subtype.lowercased(); self.parameters = parameters
    }

    public static func == (a: MediaType, b: MediaType) -> Bool {
        a.type == b.type && a.subtype == b.subtype && a.parameters.map(\.name) == b.parameters.map(\.name)
            && a.parameters.map(\.value) == b.parameters.map(\.value)
    }

    /// `type/subtype`.
    public var essence: String { type + "/" + subtype }

    /// The value of parameter `name` (case-insensitive), or nil.
    public func parameter(_ name: String) -> String? {
        let n = name.lowercased()
        return parameters.first { $0.name == n }?.value
    }

    /// The header form, every parameter value quoted (strict parsers refuse an unquoted `type=application/dicom`).
    public var description: String {
        essence + parameters.map { "; \($0.name)=\"" + $0.value.replacingBackslashAndQuote() + "\"" }.joined()
    }

    /// Parses a Content-Type value; nil when it is not `token/token *(; token=(value|quoted-string))`.
    public static func parse(_ text: String) -> MediaType? {
        var s = Substring(text)
        func skipSpace() { while s.first == " " || s.first == "\t" { s = s.dropFirst() } }
        func token() -> String? {
            let t = s.prefix { isTokenChar($0) }
            guard !t.isEmpty else { return nil }
            s = s.dropFirst(t.count)
            return String(t)
        }
        skipSpace()
        guard let type = token(), s.first == "/" else { return nil }
        s = s.dropFirst()
        guard let sub = token() else { return nil }
        var params: [(name: String, value: String)] = []
        while true {
            skipSpace()
            if s.isEmpty { break }
            guard s.first == ";" else { return nil }
            s = s.dropFirst()
            skipSpace()
            if s.isEmpty { break }
            guard let name = token(), s.first == "=" else { return nil }
            s = s.dropFirst()
            var value = ""
            if s.first == "\"" {
                s = s.dropFirst()
                var closed = false
                while let c = s.first {
                    s = s.dropFirst()
                    if c == "\"" { closed = true; break }
                    if c == "\\" {
                        guard let n = s.first else { return nil }
                        value.append(n); s = s.dropFirst()
                    } else {
                        value.append(c)
                    }
                }
                guard closed else { return nil }
            } else {
                // A token by RFC 9110; '/' and other visible characters are accepted too, since servers send `type=application/dicom`.
                let t = s.prefix { c in c != ";" && c != "\"" && (c.asciiValue.map { $0 > 0x20 && $0 < 0x7F } ?? false) }
                guard !t.isEmpty else { return nil }
                s = s.dropFirst(t.count)
                value = String(t)
            }
            params.append((name.lowercased(), value))
        }
        return MediaType(type, sub, parameters: params)
    }

    /// RFC 9110 tchar.
    static func isTokenChar(_ c: Character) -> Bool {
        guard let a = c.asciiValue, a > 0x20, a < 0x7F else { return false }
        return !"()<>@,;:\\\"/[]?={}".contains(c)
    }
}

extension String {
    /// The text with `\` and `"` escaped for a quoted-string.
    func replacingBackslashAndQuote() -> String {
        var out = ""
        for c in self {
            if c == "\\" || c == "\"" { out.append("\\") }
            out.append(c)
        }
        return out
    }
}
