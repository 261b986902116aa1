/// A data element tag, (group, element) (PS3.5 §7.1).
public struct Tag: RawRepresentable, Hashable, Comparable, Sendable, CustomStringConvertible {
    public var rawValue: UInt32
    public init(rawValue: UInt32) { self.rawValue = rawValue }
    public init(_ group: UInt16, _ element: UInt16) { rawValue = UInt32(group) << 16 | UInt32(element) }

    public var group: UInt16 { UInt16(truncatingIfNeeded: rawValue >> 16) }
    public var element: UInt16 { UInt16(truncatingIfNeeded: rawValue) }
    /// Private tags have an odd group number (PS3.5 §7.8).
    public var isPrivate: Bool { group & 1 == 1 && group > 8 }
    /// Private Creator elements (gggg,0010-00FF) (PS3.5 §7.8.1).
    public var isPrivateCreator: Bool { isPrivate && element >= 0x10 && element <= 0xFF }
    /// Group length elements (gggg,0000) (PS3.5 §7.2).
    public var isGroupLength: Bool { element == 0 }
    /// Tags of the File Meta Information group (PS3.10 §7.1).
    public var isFileMeta: Bool { group == 0x0002 }

    public static func < (a: Tag, b: Tag) -> Bool { a.rawValue < b.rawValue }
    /// `(gggg,eeee)` in upper-case hexadecimal, as dcmdump prints it.
    public var description: String { "(\(hex4(group)),\(hex4(element)))" }
    /// `GGGGEEEE`, the tag as a key of the DICOM JSON Model (PS3.18 §F.2.1).
    public var jsonKey: String { hex4(group) + hex4(element) }

    /// Parses "(0010,0010)", "0010,0010" or "00100010".
    public init?(string: String) {
        let hex = string.filter { $0.isHexDigit }
        guard hex.count == 8, let v = UInt32(hex, radix: 16) else { return nil }
        rawValue = v
    }
}

@inline(__always) func hex4(_ v: UInt16) -> String {
    @inline(__always) func d(_ n: UInt16) -> UInt8 { n < 10 ? 0x30 + UInt8(n) : 0x37 + UInt8(n) }
    return String(decoding: [d(v >> 12), d(v >> 8 & 0xF), d(v >> 4 & 0xF), d(v & 0xF)], as: UTF8.self)
}
