import DICOMCore

/// RLE Lossless 1.2.840.10008.1.2.5: PackBits byte segments behind a 64-byte header (PS3.5 Annex G).
///
/// Decoding interleaves the segments into native little-endian words, colour-by-pixel. Encoding
/// writes one segment per byte plane (most significant byte of each sample first, PS3.5 G.2),
/// each row coded separately (PS3.5 G.3.1), and labels colour frames Planar Configuration 1, as the
/// Note in PS3.5 G.2 says the segments are colour-by-plane (DCMTK does the same since its bug #819).
public struct RLECodec: PixelCodec {
    public let name = "RLE Lossless"
    public let decodableSyntaxes: Set<String> = [TransferSyntax.rleLossless.uid]
    public let encodableSyntaxes: Set<String> = [TransferSyntax.rleLossless.uid]

    public init() {}

    /// RLE carries whole bytes per sample: Bits Allocated 8, 16 or 32, at most 15 segments (PS3.5 G.2).
    public func canDecode(_ d: PixelDescription, syntax: TransferSyntax) -> Bool {
        syntax == .rleLossless && Self.layoutError(d) == nil
    }

    public func canEncode(_ d: PixelDescription, syntax: TransferSyntax) -> Bool {
        syntax == .rleLossless && Self.layoutError(d) == nil
    }

    /// Why `d` cannot be carried by RLE, or nil (PS3.5 G.2: one segment per byte of each sample, at most 15).
    static func layoutError(_ d: PixelDescription) -> String? {
        guard [8, 16, 32].contains(d.bitsAllocated) else {
            return "Bits Allocated \(d.bitsAllocated) is not supported (RLE needs 8, 16 or 32, PS3.5 G.2)"
        }
        guard d.samplesPerPixel == 1 || d.samplesPerPixel == 3 else {
            return "Samples per Pixel \(d.samplesPerPixel) is not supported (1 or 3, PS3.5 G.2)"
        }
        guard d.rows > 0, d.columns > 0 else { return "image has \(d.rows) rows and \(d.columns) columns" }
        guard d.bitsStored >= 1, d.bitsStored <= d.bitsAllocated else {
            return "Bits Stored \(d.bitsStored) does not fit Bits Allocated \(d.bitsAllocated) (PS3.3 C.7.6.3.1)"
        }
        return nil
    }

    // MARK: Decoding

    /// Decodes one RLE frame (PS3.5 G.3.2) into native little-endian words, colour-by-pixel.
    public func decode(_ frame: [UInt8], description d: PixelDescription, syntax: TransferSyntax) throws -> DecodedFrame {
        if let why = Self.layoutError(d) { throw PixelError(.cannotEncode, codec: name, why) }
        let bps = d.bitsAllocated / 8
        let spp = d.samplesPerPixel
        let expected = bps * spp
        let (pixels, overflow) = d.rows.multipliedReportingOverflow(by: d.columns)
        guard !overflow, pixels <= Int(Int32.max) else {
            throw PixelError(.invalidDescription, codec: name, "image of \(d.rows)x\(d.columns) pixels is too large")
        }
        guard frame.count >= 64 else {
            throw PixelError(.malformedFrame, codec: name, "frame has \(frame.count) bytes, shorter than the 64-byte RLE header (PS3.5 G.5)", offset: 0)
        }
        let count = Int(le32(frame, 0))
        guard count >= 1, count <= 15 else {
            throw PixelError(.malformedFrame, codec: name, "header gives \(count) segments; must be 1 to 15 (PS3.5 G.5)", offset: 0)
        }
        guard count == expected else {
            throw PixelError(
                .malformedFrame, codec: name, "header gives \(count) segments but \(spp) sample(s) of \(d.bitsAllocated) bits need \(expected) (PS3.5 G.2)",
                offset: 0)
        }
        var offsets: [Int] = []
        for i in 0..<count {
            let o = Int(le32(frame, 4 + 4 * i))
            guard o >= 64, o <= frame.count else {
                throw PixelError(
                    .malformedFrame, codec: name, "segment \(i + 1) offset \(o) lies outside the frame of \(frame.count) bytes (PS3.5 G.5)", offset: 4 + 4 * i)
            }
            if let prev = offsets.last, o < prev {
                throw PixelError(
                    .malformedFrame, codec: name, "segment \(i + 1) offset \(o) is before segment \(i)'s offset \(prev) (PS3.5 G.5)", offset: 4 + 4 * i)
            }
            offsets.append(o)
        }
        var out = [UInt8](repeating: 0, count: pixels * expected)
        try frame.withUnsafeBufferPointer { src in
            try out.withUnsafeMutableBufferPointer { dst in
                for seg in 0..<count {
                    let start = offsets[seg]
                    let end = seg + 1 < count ? offsets[seg + 1] : frame.count
                    // Segment `seg` holds byte (seg % bps) of sample (seg / bps), most significant first (PS3.5 G.2).
                    let sample = seg / bps, byteInSample = seg % bps
                    let first = sample * bps + (bps - 1 - byteInSample)
                    let produced = Self.unpack(src, start, end, dst, first: first, stride: expected, count: pixels)
                    if produced.written < pixels {
                        throw PixelError(
                            .malformedFrame, codec: name, "segment \(seg + 1) decodes to \(produced.written) bytes, \(pixels) needed (PS3.5 G.3.2)",
                            offset: produced.stoppedAt)
                    }
                }
            }
        }
        if d.isSigned && d.bitsStored < d.bitsAllocated { Self.signExtend(&out, bytesPerSample: bps, bitsStored: d.bitsStored) }
        return DecodedFrame(bytes: out, photometricInterpretation: d.photometricInterpretation, planarConfiguration: 0)
    }

    /// PackBits decoding of `src[start..<end]` into every `stride`-th byte of `dst` from `first` (PS3.5 G.3.2).
    /// Stops after `count` bytes (extra output is ignored); returns bytes written and where input ran out.
    @inline(__always)
    static func unpack(
        _ src: UnsafeBufferPointer<UInt8>, _ start: Int, _ end: Int, _ dst: UnsafeMutableBufferPointer<UInt8>,
        first: Int, stride: Int, count: Int
    ) -> (written: Int, stoppedAt: Int) {
        var i = start
        var n = 0
        var o = first
        while n < count {
            guard i < end else { return (n, i) }
            let h = Int(Int8(bitPattern: src[i]))
            i += 1
            if h >= 0 {
                let len = h + 1
                guard end - i >= len else {
                    // A literal run cut short by the end of the segment: keep what is there, then report.
                    let avail = min(end - i, count - n)
                    for k in 0..<avail { dst[o] = src[i + k]; o += stride }
                    return (n + avail, end)
                }
                let take = min(len, count - n)
                for k in 0..<take { dst[o] = src[i + k]; o += stride }
                n += take
                i += len
            } else if h != -128 {
                guard i < end else { return (n, i) }
                let v = src[i]
                i += 1
                let take = min(1 - h, count - n)
                for _ in 0..<take { dst[o] = v; o += stride }
                n += take
            }
        }
        return (n, i)
    }

    /// Sign-extends each word from `bitsStored` bits to its full width (PS3.5 §8.1.1 two's complement).
    static func signExtend(_ b: inout [UInt8], bytesPerSample: Int, bitsStored: Int) {
        b.withUnsafeMutableBufferPointer { p in
            switch bytesPerSample {
            case 1:
                let s = 8 - bitsStored
                for i in 0..<p.count { p[i] = UInt8(bitPattern: Int8(bitPattern: p[i] << s) >> s) }
            case 2:
                let s = 16 - bitsStored
                var i = 0
                while i + 1 < p.count {
                    let v = UInt16(p[i]) | UInt16(p[i + 1]) << 8
                    let e = UInt16(bitPattern: Int16(bitPattern: v << s) >> s)
                    p[i] = UInt8(truncatingIfNeeded: e); p[i + 1] = UInt8(truncatingIfNeeded: e >> 8)
                    i += 2
                }
            default:
                let s = 32 - bitsStored
                var i = 0
                while i + 3 < p.count {
                    let v = UInt32(p[i]) | UInt32(p[i + 1]) << 8 | UInt32(p[i + 2]) << 16 | UInt32(p[i + 3]) << 24
                    let e = UInt32(bitPattern: Int32(bitPattern: v << s) >> s)
                    p[i] = UInt8(truncatingIfNeeded: e); p[i + 1] = UInt8(truncatingIfNeeded: e >> 8)
                    p[i + 2] = UInt8(truncatingIfNeeded: e >> 16); p[i + 3] = UInt8(truncatingIfNeeded: e >> 24)
                    i += 4
                }
            }
        }
    }

    // MARK: Encoding

    /// Encodes one native frame (colour-by-pixel, little-endian words) as an RLE frame (PS3.5 G.3.1, G.4, G.5).
    /// Unsigned samples are masked to Bits Stored; signed samples are stored sign-extended from Bits Stored.
    public func encode(_ frame: [UInt8], description d: PixelDescription, syntax: TransferSyntax, parameters: EncodeParameters) throws -> EncodedFrame {
        if let why = Self.layoutError(d) { throw PixelError(.cannotEncode, codec: name, why) }
        let bps = d.bitsAllocated / 8
        let spp = d.samplesPerPixel
        let segments = bps * spp
        let (pixels, overflow) = d.rows.multipliedReportingOverflow(by: d.columns)
        guard !overflow, pixels <= Int(Int32.max) / segments else {
            throw PixelError(.invalidDescription, codec: name, "image of \(d.rows)x\(d.columns) pixels is too large")
        }
        let need = pixels * segments
        guard frame.count >= need else {
            throw PixelError(.shortPixelData, codec: name, "native frame has \(frame.count) bytes, \(need) expected for \(d) (PS3.5 §8.1.1)")
        }
        // Copy only when bits above Bits Stored must be cleared or sign-extended.
        var input = frame
        if d.bitsStored < d.bitsAllocated {
            input = Array(frame[0..<need])
            if d.isSigned {
                Self.signExtend(&input, bytesPerSample: bps, bitsStored: d.bitsStored)
            } else {
                Self.mask(&input, bytesPerSample: bps, bitsStored: d.bitsStored)
            }
        }
        let cols = d.columns, rows = d.rows
        // Worst case per row: "a bb c dd ..." (a 1-byte literal then a pair) takes 4 bytes per 3, plus a literal's
        // header per 128 bytes and a short tail; 3·cols/2 + 3 bounds it.
        let perSegment = rows * (3 * cols / 2 + 3) + 1
        var out = [UInt8](repeating: 0, count: 64 + segments * perSegment)
        var offsets: [Int] = []
        let total: Int = input.withUnsafeBufferPointer { src in
            out.withUnsafeMutableBufferPointer { dst in
                var o = 64
                var row = [UInt8](repeating: 0, count: cols)
                row.withUnsafeMutableBufferPointer { rowBuf in
                    for seg in 0..<segments {
                        offsets.append(o)
                        let sample = seg / bps, byteInSample = seg % bps
                        let first = sample * bps + (bps - 1 - byteInSample)
                        for r in 0..<rows {
                            var s = first + r * cols * segments
                            for c in 0..<cols { rowBuf[c] = src[s]; s += segments }
                            o = Self.pack(rowBuf, dst, at: o)
                        }
                        if (o - offsets[seg]) % 2 == 1 { dst[o] = 0; o += 1 }  // even segment length (PS3.5 G.5)
                    }
                }
                return o
            }
        }
        out.removeSubrange(total...)
        // Header: segment count and offsets, little-endian (PS3.5 G.5).
        func put32(_ v: Int, _ at: Int) {
            out[at] = UInt8(truncatingIfNeeded: v); out[at + 1] = UInt8(truncatingIfNeeded: v >> 8)
            out[at + 2] = UInt8(truncatingIfNeeded: v >> 16); out[at + 3] = UInt8(truncatingIfNeeded: v >> 24)
        }
        put32(segments, 0)
        for (i, off) in offsets.enumerated() { put32(off, 4 + 4 * i) }
        return EncodedFrame(bytes: out, photometricInterpretation: d.photometricInterpretation, planarConfiguration: spp > 1 ? 1 : 0)
    }

    /// PackBits one row (PS3.5 G.3.1): runs of 2 or more equal bytes become replicate runs (at most 128),
    /// everything else literal runs (at most 128). Returns the new write position.
    @inline(__always)
    static func pack(_ rowBuf: UnsafeMutableBufferPointer<UInt8>, _ dstBuf: UnsafeMutableBufferPointer<UInt8>, at start: Int) -> Int {
        let n = rowBuf.count
        guard n > 0, let row = rowBuf.baseAddress, let dst = dstBuf.baseAddress else { return start }
        var o = start
        var i = 0
        var lit = 0  // start of the pending literal run
        while i < n {
            // The next pair of equal bytes starts the next replicate run; everything before it is literal.
            var k = i
            while k + 1 < n && row[k] != row[k + 1] { k += 1 }
            if k + 1 >= n { break }
            let v = row[k]
            var j = k + 2
            let lim = min(n, k + 128)
            while j < lim && row[j] == v { j += 1 }
            o = literals(row, from: lit, to: k, into: dst, at: o)
            dst[o] = UInt8(truncatingIfNeeded: 257 - (j - k)); dst[o + 1] = v  // -(run-1) as a byte
            o += 2
            i = j
            lit = j
        }
        return literals(row, from: lit, to: n, into: dst, at: o)
    }

    /// The bytes `start..<end` of `row` as literal runs of at most 128 (PS3.5 G.3.1); returns the new write position.
    @inline(__always)
    static func literals(_ row: UnsafeMutablePointer<UInt8>, from start: Int, to end: Int, into dst: UnsafeMutablePointer<UInt8>, at o: Int) -> Int {
        var o = o
        var s = start
        while s < end {
            let len = min(128, end - s)
            dst[o] = UInt8(truncatingIfNeeded: len - 1)
            (dst + o + 1).update(from: row + s, count: len)
            o += len + 1
            s += len
        }
        return o
    }

    /// Clears the bits above Bits Stored in each word (PS3.5 §8.1.1).
    static func mask(_ b: inout [UInt8], bytesPerSample: Int, bitsStored: Int) {
        b.withUnsafeMutableBufferPointer { p in
            switch bytesPerSample {
            case 1:
                let m = UInt8(truncatingIfNeeded: (1 << bitsStored) - 1)
                for i in 0..<p.count { p[i] &= m }
            case 2:
                let m = UInt16(truncatingIfNeeded: (1 << bitsStored) - 1)
                let lo = UInt8(truncatingIfNeeded: m), hi = UInt8(truncatingIfNeeded: m >> 8)
                var i = 0
                while i + 1 < p.count { p[i] &= lo; p[i + 1] &= hi; i += 2 }
            default:
                let m = UInt32(truncatingIfNeeded: (1 << bitsStored) - 1)
                var i = 0
                while i + 3 < p.count {
                    p[i] &= UInt8(truncatingIfNeeded: m); p[i + 1] &= UInt8(truncatingIfNeeded: m >> 8)
                    p[i + 2] &= UInt8(truncatingIfNeeded: m >> 16); p[i + 3] &= UInt8(truncatingIfNeeded: m >> 24)
                    i += 4
                }
            }
        }
    }
}
