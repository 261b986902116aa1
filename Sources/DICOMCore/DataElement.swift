/// The value of a data element (PS3.5 §7.1): raw bytes (little endian), a sequence of items,
/// or encapsulated Pixel Data fragments.
public enum Value: Sendable, Equatable {
    /// The value field as bytes. Binary numbers are kept in little-endian order whatever the
    /// source byte order (the reader swaps big-endian input), strings are kept undecoded.
    case bytes([UInt8])
    /// Items of a sequence (VR SQ) (PS3.5 §7.5).
    case sequence([DataSet])
    /// Encapsulated Pixel Data (PS3.5 §A.4); boxed, so a value is one word and every element of every data set is smaller.
    indirect case fragments(PixelFragments)
}

/// Encapsulated Pixel Data: the Basic Offset Table item and the fragments (PS3.5 §A.4).
public struct PixelFragments: Sendable, Equatable {
    /// The Basic Offset Table, one little-endian UInt32 per frame, or empty.
    public var basicOffsetTable: [UInt32]
    public var fragments: [[UInt8]]
    public init(basicOffsetTable: [UInt32] = [], fragments: [[UInt8]] = []) {
        self.basicOffsetTable = basicOffsetTable; self.fragments = fragments
    }
}

/// A data element: tag, VR and value (PS3.5 §7.1).
public struct DataElement: Sendable, Equatable {
    // Stored in this order so an element packs into 24 bytes (tag, VR and flag in one word).
    public var tag: Tag
    public var vr: VR
    /// The element was encoded with undefined length (PS3.5 §7.1.3).
    public var hadUndefinedLength: Bool
    public var value: Value
    /// Byte offset of the value field in the file it was read from (-1 when built in memory
    /// or read from a deflated stream, where file offsets do not exist).
    public var valueOffset: Int

    public init(tag: Tag, vr: VR, value: Value, valueOffset: Int = -1, hadUndefinedLength: Bool = false) {
        self.tag = tag; self.vr = vr; self.value = value
        self.valueOffset = valueOffset; self.hadUndefinedLength = hadUndefinedLength
    }
    public init(tag: Tag, vr: VR, bytes: [UInt8]) { self.init(tag: tag, vr: vr, value: .bytes(bytes)) }

    public static func == (a: DataElement, b: DataElement) -> Bool {
        a.tag == b.tag && a.vr == b.vr && a.value == b.value
    }

    /// The raw value bytes, or nil for sequences and fragments.
    public var bytes: [UInt8]? { if case .bytes(let b) = value { return b }; return nil }
    /// The items, or nil when not a sequence.
    public var items: [DataSet]? { if case .sequence(let s) = value { return s }; return nil }
    /// The fragments, or nil when not encapsulated.
    public var fragments: PixelFragments? { if case .fragments(let f) = value { return f }; return nil }
}
