import DICOMCore

/// A data set as a bare Explicit VR Little Endian element stream with defined lengths (PS3.5 §7.1.2)
/// and back: the compact form a long-lived data set, such as a planned directory record, is held in.
public enum ElementStream {
    /// The elements encoded in tag order, odd values padded (PS3.5 §7.1.2).
    public static func encode(_ ds: DataSet) -> [UInt8] {
        var enc = DataSetEncoder(explicitVR: true, undefinedLengths: false)
        enc.encode(ds)
        return enc.out
    }

    /// The data set `bytes` encode, its character set from its own Specific Character Set (0008,0005).
    public static func decode(_ bytes: [UInt8]) throws -> DataSet {
        var parser = Parser(src: ByteSource(bytes: bytes), syntax: .explicitVRLittleEndian, options: ReadOptions())
        var pos = 0
        return try parser.parseTopLevel(at: &pos)
    }

    /// The byte offset of the first element whose tag is `tag` or after it, in a stream of elements in tag
    /// order (the end when there is none); where an element of that tag goes.
    public static func offset(before tag: Tag, in bytes: [UInt8]) -> Int {
        var p = 0
        while let (t, header, length) = element(at: p, in: bytes) {
            if !(t < tag) { return p }
            p += header + length
        }
        return bytes.count
    }

    /// The tag, header size and value length of the element at `p`, or nil when none is whole there.
    static func element(at p: Int, in bytes: [UInt8]) -> (Tag, Int, Int)? {
        let n = bytes.count
        guard p + 8 <= n else { return nil }
        let t = Tag(UInt16(bytes[p]) | UInt16(bytes[p + 1]) << 8, UInt16(bytes[p + 2]) | UInt16(bytes[p + 3]) << 8)
        let vr = VR(bytes: bytes[p + 4], bytes[p + 5])
        var header = 8
        var length = Int(bytes[p + 6]) | Int(bytes[p + 7]) << 8
        if vr.hasLongLength {
            guard p + 12 <= n else { return nil }
            header = 12
            length = Int(bytes[p + 8]) | Int(bytes[p + 9]) << 8 | Int(bytes[p + 10]) << 16 | Int(bytes[p + 11]) << 24
            if length == 0xFFFF_FFFF { return nil }  // undefined length: not a stream `encode` made
        }
        guard p + header + length <= n else { return nil }
        return (t, header, length)
    }

    /// The tags of a stream's elements, in order, read from their headers (up to where it is not well formed).
    public static func tags(in bytes: [UInt8]) -> [Tag] {
        var out: [Tag] = []
        var p = 0
        while let (t, header, length) = element(at: p, in: bytes) {
            out.append(t)
            p += header + length
        }
        return out
    }

    /// The value field of `tag` in a stream of elements in tag order, found by walking the element
    /// headers without decoding any value; nil when absent or when the stream is not well formed there.
    public static func value(_ tag: Tag, in bytes: [UInt8]) -> ArraySlice<UInt8>? {
        var p = 0
        while let (t, header, length) = element(at: p, in: bytes) {
            if t == tag { return bytes[(p + header)..<(p + header + length)] }
            if tag < t { return nil }
            p += header + length
        }
        return nil
    }
}
