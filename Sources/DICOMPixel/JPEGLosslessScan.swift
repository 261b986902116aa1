/// The sample loops of a Process 14 scan: predictors (Table H.1) and differences read with the shared bit reader (H.1.2, H.2).
extension JPEGLosslessDecoder {
    // Predictors of Table H.1: Ra left, Rb above, Rc above-left.
    protocol Predictor { static func predict(_ ra: Int, _ rb: Int, _ rc: Int) -> Int }
    enum P1: Predictor { @inline(__always) static func predict(_ ra: Int, _ rb: Int, _ rc: Int) -> Int { ra } }
    enum P2: Predictor { @inline(__always) static func predict(_ ra: Int, _ rb: Int, _ rc: Int) -> Int { rb } }
    enum P3: Predictor { @inline(__always) static func predict(_ ra: Int, _ rb: Int, _ rc: Int) -> Int { rc } }
    enum P4: Predictor { @inline(__always) static func predict(_ ra: Int, _ rb: Int, _ rc: Int) -> Int { ra + rb - rc } }
    enum P5: Predictor { @inline(__always) static func predict(_ ra: Int, _ rb: Int, _ rc: Int) -> Int { ra + ((rb - rc) >> 1) } }
    enum P6: Predictor { @inline(__always) static func predict(_ ra: Int, _ rb: Int, _ rc: Int) -> Int { rb + ((ra - rc) >> 1) } }
    enum P7: Predictor { @inline(__always) static func predict(_ ra: Int, _ rb: Int, _ rc: Int) -> Int { (ra + rb) >> 1 } }

    @inline(__always) static func predictAny(_ sel: Int, _ ra: Int, _ rb: Int, _ rc: Int) -> Int {
        switch sel {
        case 1: return ra
        case 2: return rb
        case 3: return rc
        case 4: return ra + rb - rc
        case 5: return ra + ((rb - rc) >> 1)
        case 6: return rb + ((ra - rc) >> 1)
        default: return (ra + rb) >> 1
        }
    }

    /// Decodes `n` samples of one component starting at (row, col) with no restart in between (H.1.2.1, H.2).
    @inline(__always)
    static func run1<P: Predictor>(
        _ r: inout JPEGBitReader, _ out: UnsafeMutablePointer<UInt16>, _ t: JPEGLosslessHuffman.DecodeTable,
        _ row: Int, _ col: Int, _ n: Int, _ width: Int, _ stride: Int,
        _ start: Bool, _ firstLine: Bool, _ initial: Int, _: P.Type
    ) throws {
        // A local copy of the reader, written back at the end, lets its state live in registers.
        var rd = r
        defer { r = rd }
        do {
            let fast = t.fast
            var k = 0
            var idx = (row * width + col) * stride
            let up = width * stride
            if start {
                let d = try rd.difference(fast, t)
                out[idx] = UInt16(truncatingIfNeeded: initial + d)
                k = 1; idx += stride
            }
            if firstLine {
                var ra = Int(out[idx - stride])
                while k < n {
                    ra = (ra + (try rd.difference(fast, t))) & 0xFFFF
                    out[idx] = UInt16(truncatingIfNeeded: ra)
                    k += 1; idx += stride
                }
                return
            }
            if k < n && col + k == 0 {
                let d = try rd.difference(fast, t)
                out[idx] = UInt16(truncatingIfNeeded: Int(out[idx - up]) + d)
                k += 1; idx += stride
            }
            if k >= n { return }
            var ra = Int(out[idx - stride])
            if P.self == P1.self {
                while k < n {
                    ra = (ra + (try rd.difference(fast, t))) & 0xFFFF
                    out[idx] = UInt16(truncatingIfNeeded: ra)
                    k += 1; idx += stride
                }
            } else {
                var rc = Int(out[idx - up - stride])
                while k < n {
                    let rb = Int(out[idx - up])
                    ra = (P.predict(ra, rb, rc) + (try rd.difference(fast, t))) & 0xFFFF
                    out[idx] = UInt16(truncatingIfNeeded: ra)
                    rc = rb
                    k += 1; idx += stride
                }
            }
        }
    }

    /// Decodes `n` MCUs of an interleaved scan (one sample of each scan component each) (H.1.2.1, A.2.3).
    static func runN(
        _ r: inout JPEGBitReader, _ out: UnsafeMutablePointer<UInt16>, _ tables: [JPEGLosslessHuffman.DecodeTable],
        _ compIndex: [Int], _ sel: Int, _ row: Int, _ col: Int, _ n: Int, _ width: Int, _ stride: Int,
        _ start: Bool, _ firstLine: Bool, _ initial: Int
    ) throws {
        var rd = r
        defer { r = rd }
        let up = width * stride
        let ns = compIndex.count
        // The common case, colour SV1 (three components in order, predictor 1, past the first line): Ra in registers.
        if ns == 3 && stride == 3 && sel == 1 && !firstLine && !start && compIndex == [0, 1, 2] {
            var k = 0
            var idx = (row * width + col) * 3
            if col == 0 {
                for j in 0..<3 {
                    let d = try rd.difference(tables[j].fast, tables[j])
                    out[idx + j] = UInt16(truncatingIfNeeded: Int(out[idx + j - up]) + d)
                }
                k = 1; idx += 3
            }
            guard k < n else { return }
            let t0 = tables[0], t1 = tables[1], t2 = tables[2]
            let f0 = t0.fast, f1 = t1.fast, f2 = t2.fast
            var a0 = Int(out[idx - 3]), a1 = Int(out[idx - 2]), a2 = Int(out[idx - 1])
            while k < n {
                a0 = (a0 + (try rd.difference(f0, t0))) & 0xFFFF
                a1 = (a1 + (try rd.difference(f1, t1))) & 0xFFFF
                a2 = (a2 + (try rd.difference(f2, t2))) & 0xFFFF
                out[idx] = UInt16(truncatingIfNeeded: a0)
                out[idx + 1] = UInt16(truncatingIfNeeded: a1)
                out[idx + 2] = UInt16(truncatingIfNeeded: a2)
                k += 1; idx += 3
            }
            return
        }
        // Per scan component: output offset and lookup table, in fixed slots (at most four components).
        var offs = (0, 0, 0, 0)
        let t0 = tables[0], t1 = tables[min(1, ns - 1)], t2 = tables[min(2, ns - 1)], t3 = tables[min(3, ns - 1)]
        offs.0 = compIndex[0]; offs.1 = compIndex[min(1, ns - 1)]; offs.2 = compIndex[min(2, ns - 1)]; offs.3 = compIndex[min(3, ns - 1)]
        for k in 0..<n {
            let c0 = col + k
            let pix = (row * width + c0) * stride
            for j in 0..<ns {
                let t = j == 0 ? t0 : j == 1 ? t1 : j == 2 ? t2 : t3
                let idx = pix + (j == 0 ? offs.0 : j == 1 ? offs.1 : j == 2 ? offs.2 : offs.3)
                let d = try rd.difference(t.fast, t)
                let pred: Int
                if start && k == 0 {
                    pred = initial
                } else if firstLine {
                    pred = Int(out[idx - stride])
                } else if c0 == 0 {
                    pred = Int(out[idx - up])
                } else {
                    pred = predictAny(sel, Int(out[idx - stride]), Int(out[idx - up]), Int(out[idx - up - stride]))
                }
                out[idx] = UInt16(truncatingIfNeeded: pred + d)
            }
        }
    }

    /// Reads entropy-coded bits, removing stuffed zero bytes; past a marker or the end it supplies zero bits
}

/// Lossless differences from the entropy-coded data (H.1.2.2, F.2.2.3 DECODE, F.2.2.1 EXTEND).
extension JPEGBitReader {
    /// The next difference (H.1.2.2, F.2.2.3 DECODE, F.2.2.1 EXTEND; SSSS 16 means 32768 with no extra bits).
    @inline(__always) mutating func difference(_ fast: UnsafeMutablePointer<Int32>, _ t: JPEGLosslessHuffman.DecodeTable) throws -> Int {
        if nbits < 32 { fill() }
        let e = Int(fast[Int(truncatingIfNeeded: bits &>> UInt64(64 - JPEGLosslessHuffman.lookBits))])
        let len = e & 31
        if e & 0x20 == 0 && len != 0 {
            skip(len)
            return e >> 8
        }
        let s: Int
        if len != 0 {
            s = e >> 8
            skip(len)
        } else {
            let found = JPEGBitReader.slowDifference(bits, t)
            guard found >= 0 else {
                throw PixelError(
                    .malformedFrame, codec: JPEGLosslessDecoder.codec, "invalid Huffman code in entropy-coded data (ISO 10918-1 F.2.2.3)", offset: pos)
            }
            skip(found >> 8)
            s = found & 0xFF
        }
        if s == 16 { return 32768 }
        if s == 0 { return 0 }
        return jpegExtend(receive(s), s)
    }

    /// Codes longer than the lookahead (F.2.2.3, Figure F.16): code length << 8 | symbol, or -1 for no code.
    /// Takes the bits by value so the reader itself can stay in registers in the decoding loops.
    static func slowDifference(_ bits: UInt64, _ t: JPEGLosslessHuffman.DecodeTable) -> Int {
        for l in 1...16 {
            let code = Int(truncatingIfNeeded: bits &>> UInt64(64 - l))
            if t.maxCode[l] >= 0 && code <= t.maxCode[l] && code >= t.minCode[l] {
                let k = t.valPtr[l] + code - t.minCode[l]
                guard k < t.values.count else { return -1 }
                return l << 8 | Int(t.values[k])
            }
        }
        return -1
    }
}
