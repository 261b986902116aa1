import DICOMCore

/// A Huffman table prepared for decoding (ISO 10918-1 C.2, F.2.2.3) with a 9-bit lookahead.
struct JPEGHuffman {
    static let lookBits = 9
    /// (length << 8) | value for codes of at most `lookBits` bits; 0 = longer code.
    var look = [UInt16](repeating: 0, count: 1 << lookBits)
    /// maxcode[l]: largest code of length l, or -1; valptr[l]: index in `values` of the first code of length l.
    var maxcode = [Int32](repeating: -1, count: 18)
    var mincode = [Int32](repeating: 0, count: 17)
    var valptr = [Int32](repeating: 0, count: 17)
    var values: [UInt8] = []

    init(counts: [Int], values: [UInt8]) throws {
        self.values = values
        var code: Int32 = 0
        var k = 0
        for l in 1...16 {
            let n = counts[l - 1]
            if n > 0 {
                valptr[l] = Int32(k)
                mincode[l] = code
                code += Int32(n)
                k += n
                maxcode[l] = code - 1
                // Codes of length l must fit in l bits (C.2).
                if code > (1 << l) {
                    throw PixelError(.malformedFrame, codec: "JPEG DCT", "Huffman table has more codes of length \(l) than fit (ISO 10918-1 C.2)")
                }
                if l <= Self.lookBits {
                    for c in mincode[l]...maxcode[l] {
                        let first = Int(c) << (Self.lookBits - l)
                        let entry = UInt16(l << 8) | UInt16(values[Int(valptr[l] + c - mincode[l])])
                        for j in 0..<(1 << (Self.lookBits - l)) { look[first + j] = entry }
                    }
                }
            }
            code <<= 1
        }
        maxcode[17] = Int32.max  // sentinel: past 16 bits is an error
    }
}

/// The Huffman tables of one scan in flat memory: slot s has a 2^9 lookahead table, maxcode, value offsets, values.
struct JPEGFlatTables {
    let look: UnsafeMutablePointer<UInt16>
    let maxcode: UnsafeMutablePointer<Int32>
    let valoff: UnsafeMutablePointer<Int32>
    let values: UnsafeMutablePointer<UInt8>
    final class Owner {
        var ptrs: [UnsafeMutableRawPointer] = []
        deinit { for p in ptrs { p.deallocate() } }
    }
    let owner = Owner()

    init(_ tables: [JPEGHuffman]) {
        let n = tables.count
        look = .allocate(capacity: n << JPEGHuffman.lookBits)
        maxcode = .allocate(capacity: n * 18)
        valoff = .allocate(capacity: n * 18)
        values = .allocate(capacity: n * 256)
        values.initialize(repeating: 0, count: n * 256)
        owner.ptrs = [UnsafeMutableRawPointer(look), UnsafeMutableRawPointer(maxcode), UnsafeMutableRawPointer(valoff), UnsafeMutableRawPointer(values)]
        for (i, t) in tables.enumerated() {
            for j in 0..<(1 << JPEGHuffman.lookBits) { look[(i << JPEGHuffman.lookBits) + j] = t.look[j] }
            for l in 0..<18 {
                maxcode[i * 18 + l] = t.maxcode[l]
                valoff[i * 18 + l] = l <= 16 ? t.valptr[l] - t.mincode[l] : 0
            }
            for (k, v) in t.values.enumerated() where k < 256 { values[i * 256 + k] = v }
        }
    }
}

/// Huffman decoding of DCT scans with the flat tables (ISO 10918-1 F.2.2.3).
extension JPEGBitReader {
    /// DECODE (F.2.2.3) with a 9-bit lookahead; -1 for a code longer than 16 bits.
    @inline(__always)
    mutating func decode(_ t: JPEGFlatTables, _ slot: Int) -> Int {
        if nbits < 16 { fill() }
        let entry = t.look[(slot << JPEGHuffman.lookBits) + Int(bits >> UInt64(64 - JPEGHuffman.lookBits))]
        if entry != 0 {
            let l = Int(entry >> 8)
            skip(l)
            return Int(entry & 0xFF)
        }
        return decodeLong(t, slot)
    }

    /// Codes longer than the lookahead (F.2.2.3 DECODE, bit by bit from maxcode).
    @inline(never)
    mutating func decodeLong(_ t: JPEGFlatTables, _ slot: Int) -> Int {
        var l = JPEGHuffman.lookBits + 1
        var code = Int32(truncatingIfNeeded: bits >> UInt64(64 - l))
        while l <= 16 && code > t.maxcode[slot * 18 + l] {
            l += 1
            code = Int32(truncatingIfNeeded: bits >> UInt64(64 - l))
        }
        guard l <= 16 else { return -1 }
        skip(l)
        let idx = Int(t.valoff[slot * 18 + l] + code)
        guard idx >= 0, idx < 256 else { return -1 }
        return Int(t.values[slot * 256 + idx])
    }
}
