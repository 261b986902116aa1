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

    // Tags the toolkit itself needs; the full list lives in the generated dictionary.
    public static let item = Tag(0xFFFE, 0xE000)
    public static let itemDelimitationItem = Tag(0xFFFE, 0xE00D)
    public static let sequenceDelimitationItem = Tag(0xFFFE, 0xE0DD)
    public static let dataSetTrailingPadding = Tag(0xFFFC, 0xFFFC)
    public static let fileMetaInformationGroupLength = Tag(0x0002, 0x0000)
    public static let fileMetaInformationVersion = Tag(0x0002, 0x0001)
    public static let mediaStorageSOPClassUID = Tag(0x0002, 0x0002)
    public static let mediaStorageSOPInstanceUID = Tag(0x0002, 0x0003)
    public static let transferSyntaxUID = Tag(0x0002, 0x0010)
    public static let implementationClassUID = Tag(0x0002, 0x0012)
    public static let implementationVersionName = Tag(0x0002, 0x0013)
    public static let sourceApplicationEntityTitle = Tag(0x0002, 0x0016)
    public static let specificCharacterSet = Tag(0x0008, 0x0005)
    public static let sopClassUID = Tag(0x0008, 0x0016)
    public static let sopInstanceUID = Tag(0x0008, 0x0018)
    public static let studyDate = Tag(0x0008, 0x0020)
    public static let modality = Tag(0x0008, 0x0060)
    public static let patientName = Tag(0x0010, 0x0010)
    public static let patientID = Tag(0x0010, 0x0020)
    public static let studyInstanceUID = Tag(0x0020, 0x000D)
    public static let seriesInstanceUID = Tag(0x0020, 0x000E)
    public static let samplesPerPixel = Tag(0x0028, 0x0002)
    public static let photometricInterpretation = Tag(0x0028, 0x0004)
    public static let numberOfFrames = Tag(0x0028, 0x0008)
    public static let rows = Tag(0x0028, 0x0010)
    public static let columns = Tag(0x0028, 0x0011)
    public static let bitsAllocated = Tag(0x0028, 0x0100)
    public static let bitsStored = Tag(0x0028, 0x0101)
    public static let highBit = Tag(0x0028, 0x0102)
    public static let pixelRepresentation = Tag(0x0028, 0x0103)
    public static let extendedOffsetTable = Tag(0x7FE0, 0x0001)
    public static let extendedOffsetTableLengths = Tag(0x7FE0, 0x0002)
    public static let floatPixelData = Tag(0x7FE0, 0x0008)
    public static let doubleFloatPixelData = Tag(0x7FE0, 0x0009)
    public static let pixelData = Tag(0x7FE0, 0x0010)
}

@inline(__always) func hex4(_ v: UInt16) -> String {
    @inline(__always) func d(_ n: UInt16) -> UInt8 { n < 10 ? 0x30 + UInt8(n) : 0x37 + UInt8(n) }
    return String(decoding: [d(v >> 12), d(v >> 8 & 0xF), d(v >> 4 & 0xF), d(v & 0xF)], as: UTF8.self)
}
