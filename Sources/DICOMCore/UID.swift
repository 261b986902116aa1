import Foundation

/// Unique identifiers (PS3.5 §9).
public enum UID {
    /// A new UID under the 2.25 root: the UUID as one decimal integer (PS3.5 §B.2).
    public static func make() -> String {
        let u = UUID().uuid
        let bytes = [u.0, u.1, u.2, u.3, u.4, u.5, u.6, u.7, u.8, u.9, u.10, u.11, u.12, u.13, u.14, u.15]
        return "2.25." + decimal(bytes)
    }
    /// A deterministic UID under 2.25 derived from a 128-bit value (used for reproducible samples).
    public static func make(from bytes: [UInt8]) -> String { "2.25." + decimal(Array(bytes.prefix(16))) }

    /// Whether the string is a syntactically valid UID: ≤ 64 chars, digits and dots, no leading zeros (PS3.5 §9.1).
    public static func isValid(_ s: String) -> Bool {
        guard !s.isEmpty, s.utf8.count <= 64 else { return false }
        for comp in s.split(separator: ".", omittingEmptySubsequences: false) {
            guard !comp.isEmpty, comp.allSatisfy({ $0.isASCII && $0.isNumber }) else { return false }
            if comp.count > 1 && comp.first == "0" { return false }
        }
        return true
    }

    /// Base-10 representation of a big-endian unsigned integer.
    static func decimal(_ bytes: [UInt8]) -> String {
        var n = bytes.map { UInt32($0) }
        var digits: [UInt8] = []
        while n.contains(where: { $0 != 0 }) {
            var rem: UInt32 = 0
            for i in n.indices {
                let cur = rem << 8 | n[i]
                n[i] = cur / 10; rem = cur % 10
            }
            digits.append(UInt8(rem) + 0x30)
        }
        return digits.isEmpty ? "0" : String(decoding: digits.reversed(), as: UTF8.self)
    }

    public static let mediaStorageDirectoryStorage = "1.2.840.10008.1.3.10"
}
