/// Encoder of Process 14 Selection Value 1 codestreams with per-image optimal Huffman tables
/// (ISO/IEC 10918-1 Annex H, K.2; PS3.5 A.4.1 transfer syntax 1.2.840.10008.1.2.4.70).
enum JPEGLosslessEncoder {
    /// Layout choices of the codestream; the codec uses the defaults (one interleaved scan, no restarts).
    struct Options {
        /// Restart interval in MCUs (0 = none) (ISO 10918-1 B.2.4.4, H.1.2.1).
        var restartInterval = 0
        /// One scan for all components (true) or one scan per component (A.2).
        var interleaved = true
    }

    /// Encodes samples given as little-endian words of `bytesPerSample` bytes (1 or 2), colour-by-pixel;
    /// only the low `precision` bits of each are coded.
    static func encode(
        _ input: UnsafeRawBufferPointer, bytesPerSample: Int, width: Int, height: Int,
        components: Int, precision: Int, options: Options = Options()
    ) -> [UInt8] {
        let n = width * height * components
        // Pass 1: differences of predictor 1 (Ra; Rb for the first column; 2^(P-1) first) modulo 2^16 (H.1.2.1, H.2.2).
        var diffs = [UInt16](repeating: 0, count: n)
        let mask = UInt16(truncatingIfNeeded: (1 << precision) - 1)
        let initial = UInt16(1 << (precision - 1))
        let ri = options.restartInterval
        diffs.withUnsafeMutableBufferPointer { dbuf in
            let d = dbuf.baseAddress!
            if bytesPerSample == 1 {
                let src = input.baseAddress!.assumingMemoryBound(to: UInt8.self)
                differences(d, width: width, height: height, components: components, initial: initial, restartInterval: ri) { UInt16(src[$0]) & mask }
            } else {
                let src = input.baseAddress!
                differences(d, width: width, height: height, components: components, initial: initial, restartInterval: ri) {
                    UInt16(littleEndian: src.loadUnaligned(fromByteOffset: 2 * $0, as: UInt16.self)) & mask
                }
            }
        }
        // Histogram of difference categories per component (H.1.2.2, Table H.2), then optimal tables (K.2).
        var histograms = [[Int]](repeating: [Int](repeating: 0, count: 17), count: components)
        diffs.withUnsafeBufferPointer { dbuf in
            let d = dbuf.baseAddress!
            for c in 0..<components {
                // Four interleaved counters per category, so runs of one category do not serialise on one counter.
                var h = [Int](repeating: 0, count: 4 * 17)
                h.withUnsafeMutableBufferPointer { hb in
                    let hp = hb.baseAddress!
                    var i = c
                    let step = components
                    while i + 3 * step < n {
                        hp[category(d[i])] &+= 1
                        hp[17 + category(d[i + step])] &+= 1
                        hp[34 + category(d[i + 2 * step])] &+= 1
                        hp[51 + category(d[i + 3 * step])] &+= 1
                        i += 4 * step
                    }
                    while i < n {
                        hp[category(d[i])] &+= 1
                        i += step
                    }
                }
                histograms[c] = (0..<17).map { h[$0] + h[17 + $0] + h[34 + $0] + h[51 + $0] }
            }
        }
        let specs = histograms.map { JPEGLosslessHuffman.optimalSpec(frequencies: $0) }
        let tables = specs.map { JPEGLosslessHuffman.encodeTable($0) }

        // Headers (B.2): SOI, SOF3, DHT, DRI.
        var header: [UInt8] = [0xFF, 0xD8]
        header += [0xFF, 0xC3] + be16(8 + 3 * components) + [UInt8(precision)] + be16(height) + be16(width) + [UInt8(components)]
        for c in 0..<components { header += [UInt8(c + 1), 0x11, 0] }
        var dht: [UInt8] = []
        for (c, spec) in specs.enumerated() {
            dht.append(UInt8(c))
            for l in 1...16 { dht.append(UInt8(spec.bits[l])) }
            dht += spec.values
        }
        header += [0xFF, 0xC4] + be16(2 + dht.count) + dht
        if ri > 0 { header += [0xFF, 0xDD] + be16(4) + be16(ri) }
        func sos(_ comps: [Int]) -> [UInt8] {
            var h: [UInt8] = [0xFF, 0xDA] + be16(6 + 2 * comps.count) + [UInt8(comps.count)]
            for c in comps { h += [UInt8(c + 1), UInt8(c << 4)] }
            return h + [1, 0, 0]  // Ss = predictor 1, Se = 0, Ah/Al = 0 (no point transform)
        }
        let scans = options.interleaved || components == 1 ? [Array(0..<components)] : (0..<components).map { [$0] }

        var codeTable = [UInt32](repeating: 0, count: 17 * components)
        var sizeTable = [UInt32](repeating: 0, count: 17 * components)
        for c in 0..<components {
            for s in 0...16 { codeTable[c * 17 + s] = tables[c].codes[s]; sizeTable[c * 17 + s] = tables[c].sizes[s] }
        }
        // Pass 2: entropy-coded segments. At most 31 bits a sample, doubled by byte stuffing in the worst case,
        // plus per restart interval a padding byte and a marker.
        let markers = ri > 0 ? (n / ri + 1) * 4 : 0
        let capacity = header.count + scans.count * 32 + ((n * 31 + 7) / 8) * 2 + markers + 16
        return [UInt8](unsafeUninitializedCapacity: capacity) { out, written in
            let o = out.baseAddress!
            header.withUnsafeBufferPointer { o.initialize(from: $0.baseAddress!, count: $0.count) }
            var pos = header.count
            diffs.withUnsafeBufferPointer { dbuf in
                codeTable.withUnsafeBufferPointer { cbuf in
                    sizeTable.withUnsafeBufferPointer { sbuf in
                        for scan in scans {
                            for b in sos(scan) { o[pos] = b; pos += 1 }
                            pos = emitScan(
                                o, pos, dbuf.baseAddress!, cbuf.baseAddress!, sbuf.baseAddress!, scan: scan,
                                mcus: width * height, components: components, restartInterval: ri)
                        }
                    }
                }
            }
            o[pos] = 0xFF; o[pos + 1] = 0xD9
            written = pos + 2
        }
    }

    /// Writes the entropy-coded segment of one scan at `pos`, with RSTn markers every `ri` MCUs; returns the end (F.1.2, B.2.1).
    static func emitScan(
        _ o: UnsafeMutablePointer<UInt8>, _ pos: Int, _ d: UnsafePointer<UInt16>, _ codes: UnsafePointer<UInt32>,
        _ sizes: UnsafePointer<UInt32>, scan: [Int], mcus: Int, components: Int, restartInterval ri: Int
    ) -> Int {
        var w = BitWriter(out: o, pos: pos)
        if scan.count == 1 && components == 1 && ri == 0 {
            for i in 0..<mcus { w.emit(d[i], codes, sizes) }
        } else if scan.count == 3 && ri == 0 {
            let c1 = codes + 17, s1 = sizes + 17, c2 = codes + 34, s2 = sizes + 34
            var i = 0
            for _ in 0..<mcus {
                w.emit(d[i], codes, sizes); w.emit(d[i + 1], c1, s1); w.emit(d[i + 2], c2, s2)
                i += 3
            }
        } else {
            var rst = 0
            for m in 0..<mcus {
                if ri > 0 && m > 0 && m % ri == 0 {
                    w.finish()
                    o[w.pos] = 0xFF; o[w.pos + 1] = UInt8(0xD0 + rst); w.pos += 2
                    rst = (rst + 1) & 7
                }
                for c in scan { w.emit(d[m * components + c], codes + 17 * c, sizes + 17 * c) }
            }
        }
        w.finish()
        return w.pos
    }

    /// Predictor-1 differences in raster order, colour-by-pixel (H.1.2.1): the first sample of the image and of each
    /// restart interval is predicted by 2^(P-1), the rest of that first line by Ra, the first column by Rb.
    @inline(__always)
    static func differences(
        _ d: UnsafeMutablePointer<UInt16>, width: Int, height: Int, components: Int, initial: UInt16,
        restartInterval ri: Int, _ load: (Int) -> UInt16
    ) {
        let up = width * components
        if ri > 0 {
            var intervalRow = 0
            for m in 0..<(width * height) {
                let row = m / width, col = m % width
                if m % ri == 0 { intervalRow = row }
                for c in 0..<components {
                    let i = m * components + c
                    let pred: UInt16
                    if m % ri == 0 { pred = initial } else if row == intervalRow || col > 0 { pred = load(i - components) } else { pred = load(i - up) }
                    d[i] = load(i) &- pred
                }
            }
            return
        }
        var i = 0
        for row in 0..<height {
            for _ in 0..<components {
                d[i] = load(i) &- (row == 0 ? initial : load(i - up))
                i += 1
            }
            let end = i + (width - 1) * components
            while i < end {
                d[i] = load(i) &- load(i - components)
                i += 1
            }
        }
    }

    /// SSSS of a difference modulo 2^16; 0x8000 (32768) is category 16 (Table H.2).
    @inline(__always) static func category(_ d: UInt16) -> Int {
        let v = Int(Int16(bitPattern: d))
        let a = v < 0 ? -v : v
        return a == 0 ? 0 : 64 - a.leadingZeroBitCount
    }

    static func be16(_ v: Int) -> [UInt8] { [UInt8(v >> 8), UInt8(v & 0xFF)] }

    /// Writes codes most significant bit first, stuffing a zero byte after each 0xFF (F.1.2.3, B.1.1.5).
    struct BitWriter {
        let out: UnsafeMutablePointer<UInt8>
        var pos: Int
        var acc: UInt64 = 0
        var n = 0

        init(out: UnsafeMutablePointer<UInt8>, pos: Int) { self.out = out; self.pos = pos }

        /// Huffman code of the difference's category followed by its extra bits (H.1.2.2, F.1.2.1).
        @inline(__always) mutating func emit(_ d: UInt16, _ codes: UnsafePointer<UInt32>, _ sizes: UnsafePointer<UInt32>) {
            let v = Int(Int16(bitPattern: d))
            let a = v < 0 ? -v : v
            if a == 0 {
                put(UInt64(codes[0]), Int(sizes[0]))
                return
            }
            let s = 64 - a.leadingZeroBitCount
            if s == 16 {
                put(UInt64(codes[16]), Int(sizes[16]))
                return
            }
            let extra = UInt64(truncatingIfNeeded: v < 0 ? v - 1 : v) & ((1 << UInt64(s)) - 1)
            put((UInt64(codes[s]) << UInt64(s)) | extra, Int(sizes[s]) + s)
        }

        @inline(__always) mutating func put(_ bits: UInt64, _ len: Int) {
            acc = (acc &<< UInt64(len)) | bits
            n += len
            if n >= 32 {
                n -= 32
                let word = UInt32(truncatingIfNeeded: acc &>> UInt64(n))
                let inv = ~word
                if (inv &- 0x0101_0101) & ~inv & 0x8080_8080 == 0 {
                    // No 0xFF byte: write the four bytes as they are.
                    out[pos] = UInt8(word >> 24); out[pos + 1] = UInt8((word >> 16) & 0xFF)
                    out[pos + 2] = UInt8((word >> 8) & 0xFF); out[pos + 3] = UInt8(word & 0xFF)
                    pos += 4
                } else {
                    byte(UInt8(word >> 24)); byte(UInt8((word >> 16) & 0xFF))
                    byte(UInt8((word >> 8) & 0xFF)); byte(UInt8(word & 0xFF))
                }
            }
        }

        @inline(__always) mutating func byte(_ b: UInt8) {
            out[pos] = b
            pos += 1
            if b == 0xFF { out[pos] = 0; pos += 1 }
        }

        /// Pads the last byte with 1-bits (F.1.2.3) and writes what is left.
        mutating func finish() {
            let pad = (8 - n % 8) % 8
            if pad > 0 { acc = (acc &<< UInt64(pad)) | ((1 << UInt64(pad)) - 1); n += pad }
            while n >= 8 {
                n -= 8
                byte(UInt8(truncatingIfNeeded: acc &>> UInt64(n)))
            }
            acc = 0
        }
    }
}
