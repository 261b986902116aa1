/// Huffman tables of JPEG Lossless: decoding lookup tables (ISO/IEC 10918-1 Annex C, F.2.2.3)
/// and per-image optimal code lengths for the encoder (Annex K.2).
enum JPEGLosslessHuffman {
    static let codec = "JPEG Lossless"

    /// Lookahead bits of the fast decoding table; codes plus extra bits that fit are decoded in one step.
    static let lookBits = 11

    /// A Huffman table as carried by DHT: BITS (counts of codes of length 1...16) and HUFFVAL (B.2.4.2).
    struct Spec: Equatable {
        var bits: [Int]  // 17 entries, index 1...16
        var values: [UInt8]
    }

    /// Decoding form of a DC table whose symbols are difference categories SSSS 0...16 (H.1.2.2).
    ///
    /// `fast[peek]` for the next `lookBits` bits: 0 = not decodable from the lookahead (slow path);
    /// else bits 0-4 = bits to consume, bit 5 set = the `SSSS` extra bits (in bits 8...) still
    /// have to be read, clear = bits 8... hold the finished difference (signed).
    final class DecodeTable {
        /// 2^lookBits entries, owned by the table (a stable pointer for the decoding loops).
        let fast: UnsafeMutablePointer<Int32>
        /// Largest code of each length (-1 if none), first symbol index and smallest code of each length (F.2.2.3).
        var maxCode = [Int](repeating: -1, count: 18)
        var valPtr = [Int](repeating: 0, count: 17)
        var minCode = [Int](repeating: 0, count: 17)
        var values: [UInt8]

        init(_ spec: Spec, index: Int) throws {
            values = spec.values
            fast = .allocate(capacity: 1 << JPEGLosslessHuffman.lookBits)
            fast.initialize(repeating: 0, count: 1 << JPEGLosslessHuffman.lookBits)
            for v in spec.values where v > 16 {
                throw PixelError(
                    .malformedFrame, codec: JPEGLosslessHuffman.codec,
                    "Huffman table \(index) has symbol \(v); lossless difference categories are 0-16 (ISO 10918-1 H.1.2.2)")
            }
            // Canonical codes (C.2): codes of each length are consecutive; a code must fit its length.
            var code = 0
            var k = 0
            let look = JPEGLosslessHuffman.lookBits
            for len in 1...16 {
                let n = spec.bits[len]
                if n > 0 {
                    valPtr[len] = k
                    minCode[len] = code
                    for _ in 0..<n {
                        guard code < (1 << len) else {
                            throw PixelError(
                                .malformedFrame, codec: JPEGLosslessHuffman.codec,
                                "Huffman table \(index) is not a valid prefix code: too many codes of length \(len) (ISO 10918-1 C.2)")
                        }
                        let s = Int(spec.values[k])
                        if len <= look { fillFast(code: code, length: len, symbol: s) }
                        code += 1
                        k += 1
                    }
                    maxCode[len] = code - 1
                }
                code <<= 1
            }
            maxCode[17] = Int.max
        }

        deinit { fast.deallocate() }

        private func fillFast(code: Int, length len: Int, symbol s: Int) {
            let look = JPEGLosslessHuffman.lookBits
            let free = look - len
            for suffix in 0..<(1 << free) {
                let index = (code << free) | suffix
                let entry: Int32
                if s == 16 {
                    entry = Int32(32768 << 8) | Int32(len)
                } else if len + s <= look {
                    let extra = s == 0 ? 0 : (suffix >> (free - s)) & ((1 << s) - 1)
                    let diff = jpegExtend(extra, s)
                    entry = Int32(diff << 8) | Int32(len + s)
                } else {
                    entry = Int32(s << 8) | 0x20 | Int32(len)
                }
                fast[index] = entry
            }
        }
    }

    /// Optimal code lengths for symbol frequencies, limited to 16 bits, as BITS/HUFFVAL (K.2, Figures K.1-K.4).
    /// A reserved symbol of frequency 1 keeps any code from being all 1-bits.
    static func optimalSpec(frequencies input: [Int]) -> Spec {
        var freq = [Int](repeating: 0, count: 258)
        for (i, f) in input.enumerated() where i < 256 { freq[i] = f }
        freq[256] = 1
        var codesize = [Int](repeating: 0, count: 258)
        var others = [Int](repeating: -1, count: 258)
        while true {
            // V1: least frequency (ties: highest index, as in Figure K.1), V2: next least.
            var c1 = -1, c2 = -1
            var v = Int.max
            for i in 0...256 where freq[i] != 0 && freq[i] <= v { v = freq[i]; c1 = i }
            v = Int.max
            for i in 0...256 where freq[i] != 0 && freq[i] <= v && i != c1 { v = freq[i]; c2 = i }
            if c2 < 0 { break }
            freq[c1] += freq[c2]
            freq[c2] = 0
            codesize[c1] += 1
            var k = c1
            while others[k] >= 0 { k = others[k]; codesize[k] += 1 }
            others[k] = c2
            codesize[c2] += 1
            k = c2
            while others[k] >= 0 { k = others[k]; codesize[k] += 1 }
        }
        var bits = [Int](repeating: 0, count: 33)
        for i in 0...256 where codesize[i] > 0 { bits[codesize[i]] += 1 }
        // Figure K.3: limit code lengths to 16.
        var i = 32
        while i > 16 {
            while bits[i] > 0 {
                var j = i - 2
                while bits[j] == 0 { j -= 1 }
                bits[i] -= 2
                bits[i - 1] += 1
                bits[j + 1] += 2
                bits[j] -= 1
            }
            i -= 1
        }
        // Remove the reserved code (the longest).
        while i > 0 && bits[i] == 0 { i -= 1 }
        if i > 0 { bits[i] -= 1 }
        // Figure K.4: symbols sorted by code size.
        var values: [UInt8] = []
        for size in 1...32 {
            for s in 0..<256 where codesize[s] == size { values.append(UInt8(s)) }
        }
        return Spec(bits: Array(bits[0...16]), values: values)
    }

    /// Encoder form: code and length per symbol (C.2, Figures C.1-C.3).
    static func encodeTable(_ spec: Spec) -> (codes: [UInt32], sizes: [UInt32]) {
        var codes = [UInt32](repeating: 0, count: 17)
        var sizes = [UInt32](repeating: 0, count: 17)
        var code: UInt32 = 0
        var k = 0
        for len in 1...16 {
            for _ in 0..<spec.bits[len] {
                let s = Int(spec.values[k])
                if s <= 16 { codes[s] = code; sizes[s] = UInt32(len) }
                code += 1
                k += 1
            }
            code <<= 1
        }
        return (codes, sizes)
    }
}
