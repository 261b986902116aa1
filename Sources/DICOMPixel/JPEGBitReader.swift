/// The one reader of JPEG entropy-coded data, for the DCT and the lossless decoders (ISO 10918-1
/// F.2.2.5, B.1.1.5): bits most significant first, stuffed 0xFF00 bytes unstuffed. At a marker or
/// the end of the data it supplies zero bits and counts them in `padBits`, so a decoder that
/// consumed them (`overran`) knows the data was cut short. Huffman decoding is each decoder's own
/// (its table layout), in extensions next to its tables.
struct JPEGBitReader {
    let data: UnsafePointer<UInt8>
    let count: Int
    /// The next byte to read.
    var pos: Int
    /// Bits not yet consumed, the next one in bit 63.
    var bits: UInt64 = 0
    var nbits = 0
    /// Zero bits appended past a marker or the end of data; consuming them means the data is truncated.
    var padBits = 0

    init(data: UnsafePointer<UInt8>, count: Int, pos: Int) { self.data = data; self.count = count; self.pos = pos }

    /// Whether bits past a marker or the end of the data were consumed.
    var overran: Bool { nbits < padBits }

    /// Tops the buffer up to at least 57 bits, staying on a marker (B.1.1.5).
    @inline(__always)
    mutating func fill() {
        while nbits <= 56 {
            var b: UInt8 = 0
            if pos < count && padBits == 0 {
                b = data[pos]
                if b == 0xFF {
                    let next: UInt8 = pos + 1 < count ? data[pos + 1] : 0xD9
                    if next == 0x00 { pos += 2 } else { padBits += 8; b = 0 }  // a marker: stay on it
                } else {
                    pos += 1
                }
            } else {
                padBits += 8
            }
            bits |= UInt64(b) &<< UInt64(56 - nbits)
            nbits += 8
        }
    }

    /// The next `n` bits (0-16) as an unsigned number (F.2.2.4 RECEIVE).
    @inline(__always)
    mutating func receive(_ n: Int) -> Int {
        if n == 0 { return 0 }
        if nbits < n { fill() }
        let v = Int(truncatingIfNeeded: bits &>> UInt64(64 - n))
        bits &<<= UInt64(n)
        nbits -= n
        return v
    }

    /// Drops `n` bits already in the buffer (a Huffman code that was looked up).
    @inline(__always)
    mutating func skip(_ n: Int) {
        bits &<<= UInt64(n)
        nbits -= n
    }

    /// Moves to the next marker after entropy-coded data, dropping leftover bits (B.1.1.5).
    mutating func skipToMarker() {
        bits = 0; nbits = 0; padBits = 0
        while pos + 1 < count && !(data[pos] == 0xFF && data[pos + 1] != 0x00 && data[pos + 1] != 0xFF) { pos += 1 }
        if pos + 1 >= count { pos = count }
    }
}

/// EXTEND (ISO 10918-1 F.2.2.1): the `t`-bit magnitude value `v` as a signed difference.
@inline(__always)
func jpegExtend(_ v: Int, _ t: Int) -> Int { t == 0 ? 0 : (v < (1 << (t - 1)) ? v - (1 << t) + 1 : v) }
