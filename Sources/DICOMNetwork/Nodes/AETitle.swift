import DICOMCore

/// An Application Entity title (PS3.5 §6.2, VR AE): 1 to 16 characters of the default repertoire, no
/// backslash and no control character, not only spaces; leading and trailing spaces are not significant.
public struct AETitle: Sendable, Hashable, CustomStringConvertible {
    /// The title without its leading and trailing spaces.
    public let value: String

    /// Validates `text`; a bad title is an `ae-title` NetworkError saying why.
    public init(_ text: String) throws(NetworkError) {
        let bytes = Array(text.utf8)
        if let bad = bytes.first(where: { $0 < 0x20 || $0 > 0x7E || $0 == 0x5C }) {
            let what = bad == 0x5C ? "a backslash" : bad < 0x20 || bad == 0x7F ? "a control character" : "a character outside the default repertoire"
            throw NetworkError(.aeTitle, "AE title \"\(text)\" contains \(what)", context: ErrorContext(rule: "PS3.5 §6.2"))
        }
        var t = bytes[...]
        while t.first == 0x20 { t = t.dropFirst() }
        while t.last == 0x20 { t = t.dropLast() }
        if t.isEmpty { throw NetworkError(.aeTitle, "AE title \"\(text)\" is empty or only spaces", context: ErrorContext(rule: "PS3.5 §6.2")) }
        if t.count > 16 {
            throw NetworkError(.aeTitle, "AE title \"\(text)\" is longer than 16 characters", context: ErrorContext(rule: "PS3.5 §6.2"))
        }
        value = String(decoding: t, as: UTF8.self)
    }

    public var description: String { value }
}
