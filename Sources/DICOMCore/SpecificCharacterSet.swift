/// The character repertoires named by Specific Character Set (0008,0005) (PS3.3 §C.12.1.1.2, PS3.5 §6.1).
/// (Interim implementation: ASCII, Latin-1 and UTF-8 only; full ISO 2022 support follows.)
public struct SpecificCharacterSet: Sendable, Equatable {
    public let terms: [String]
    public private(set) var diagnostics: [String] = []
    public static let `default` = SpecificCharacterSet(terms: [])
    public init(terms: [String]) {
        self.terms = terms.map { $0.trimmingSpaces() }
    }
    public var isDefault: Bool { terms.allSatisfy { $0.isEmpty || $0 == "ISO_IR 6" } }

    /// Decodes a whole value (all values, delimiters kept) to a String.
    public func decode(_ bytes: [UInt8], vr: VR) -> String {
        if terms.first == "ISO_IR 192" { return String(decoding: bytes, as: UTF8.self) }
        return String(bytes.map { Character(Unicode.Scalar($0)) })
    }
    /// Decodes a PN value into its values, each with up to three component groups (PS3.5 §6.2.1).
    public func decodePersonName(_ bytes: [UInt8]) -> [[String]] {
        decode(bytes, vr: .PN).split(separator: "\\", omittingEmptySubsequences: false).map {
            $0.split(separator: "=", omittingEmptySubsequences: false).map { String($0).trimmingTrailingPadding() }
        }
    }
    /// Encodes a String (delimiters included) to bytes in this character set.
    public func encode(_ string: String, vr: VR) -> [UInt8] {
        if terms.first == "ISO_IR 192" { return Array(string.utf8) }
        return string.unicodeScalars.map { $0.value < 256 ? UInt8($0.value) : 0x3F }
    }
}
