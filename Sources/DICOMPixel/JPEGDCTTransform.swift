/// The accurate integer inverse DCT of the IJG library (jidctint.c, Loeffler-Ligtenberg-Moschytz with
/// 13-bit constants), so 8- and 12-bit results match libjpeg/DCMTK's "islow" output (ISO 10918-1 A.3.3).
enum JPEGIDCT {
    static let constBits = 13
    static let fix_0_298631336 = 2446, fix_0_390180644 = 3196, fix_0_541196100 = 4433, fix_0_765366865 = 6270
    static let fix_0_899976223 = 7373, fix_1_175875602 = 9633, fix_1_501321110 = 12299, fix_1_847759065 = 15137
    static let fix_1_961570560 = 16069, fix_2_053119869 = 16819, fix_2_562915447 = 20995, fix_3_072711026 = 25172

    /// IJG's post-IDCT range-limit table (jdmaster.c prepare_range_limit_table), indexed by value & (4·(MAX+1) − 1):
    /// clamps to 0...MAX around CENTER, and wraps far-out values exactly as libjpeg does.
    static func rangeLimit(precision: Int) -> [UInt16] {
        let size = 1 << precision, center = size / 2, maxv = size - 1
        var t = [UInt16](repeating: 0, count: 4 * size)
        for m in 0..<(4 * size) {
            if m < size - center {
                t[m] = UInt16(m + center)
            } else if m < 2 * size {
                t[m] = UInt16(maxv)
            } else if m < 4 * size - center {
                t[m] = 0
            } else {
                t[m] = UInt16(m - 4 * size + center)
            }
        }
        return t
    }

    /// Dequantizes and inverse-transforms one block of coefficients (natural order) into `out` at `offset`.
    @inline(__always)
    static func islow(
        _ c: UnsafeMutableBufferPointer<Int32>, _ q: UnsafeBufferPointer<Int32>, _ out: UnsafeMutablePointer<UInt16>,
        _ stride: Int, pass1: Int, limit: UnsafeBufferPointer<UInt16>
    ) {
        let offset = 0
        var ws = (
            Int(0), Int(0), Int(0), Int(0), Int(0), Int(0), Int(0), Int(0),
            Int(0), Int(0), Int(0), Int(0), Int(0), Int(0), Int(0), Int(0),
            Int(0), Int(0), Int(0), Int(0), Int(0), Int(0), Int(0), Int(0),
            Int(0), Int(0), Int(0), Int(0), Int(0), Int(0), Int(0), Int(0),
            Int(0), Int(0), Int(0), Int(0), Int(0), Int(0), Int(0), Int(0),
            Int(0), Int(0), Int(0), Int(0), Int(0), Int(0), Int(0), Int(0),
            Int(0), Int(0), Int(0), Int(0), Int(0), Int(0), Int(0), Int(0),
            Int(0), Int(0), Int(0), Int(0), Int(0), Int(0), Int(0), Int(0)
        )
        let mask = limit.count - 1
        withUnsafeMutableBytes(of: &ws) { raw in
            let w = raw.bindMemory(to: Int.self)
            // Pass 1: columns, results scaled up by 2^pass1.
            let d1 = constBits - pass1
            let r1 = 1 << (d1 - 1)
            for col in 0..<8 {
                @inline(__always) func inp(_ r: Int) -> Int { Int(c[r * 8 + col]) &* Int(q[r * 8 + col]) }
                if c[8 + col] == 0 && c[16 + col] == 0 && c[24 + col] == 0 && c[32 + col] == 0 && c[40 + col] == 0 && c[48 + col] == 0 && c[56 + col] == 0 {
                    let dc = inp(0) &<< pass1
                    for r in 0..<8 { w[r * 8 + col] = dc }
                    continue
                }
                var z2 = inp(2), z3 = inp(6)
                var z1 = (z2 &+ z3) &* fix_0_541196100
                var tmp2 = z1 &+ z3 &* -fix_1_847759065
                var tmp3 = z1 &+ z2 &* fix_0_765366865
                z2 = inp(0); z3 = inp(4)
                var tmp0 = (z2 &+ z3) &<< constBits
                var tmp1 = (z2 &- z3) &<< constBits
                let tmp10 = tmp0 &+ tmp3, tmp13 = tmp0 &- tmp3, tmp11 = tmp1 &+ tmp2, tmp12 = tmp1 &- tmp2
                tmp0 = inp(7); tmp1 = inp(5); tmp2 = inp(3); tmp3 = inp(1)
                z1 = tmp0 &+ tmp3; z2 = tmp1 &+ tmp2; z3 = tmp0 &+ tmp2
                var z4 = tmp1 &+ tmp3
                let z5 = (z3 &+ z4) &* fix_1_175875602
                tmp0 = tmp0 &* fix_0_298631336; tmp1 = tmp1 &* fix_2_053119869
                tmp2 = tmp2 &* fix_3_072711026; tmp3 = tmp3 &* fix_1_501321110
                z1 = z1 &* -fix_0_899976223; z2 = z2 &* -fix_2_562915447
                z3 = z3 &* -fix_1_961570560; z4 = z4 &* -fix_0_390180644
                z3 = z3 &+ z5; z4 = z4 &+ z5
                tmp0 = tmp0 &+ z1 &+ z3; tmp1 = tmp1 &+ z2 &+ z4
                tmp2 = tmp2 &+ z2 &+ z3; tmp3 = tmp3 &+ z1 &+ z4
                w[col] = (tmp10 &+ tmp3 &+ r1) >> d1
                w[56 + col] = (tmp10 &- tmp3 &+ r1) >> d1
                w[8 + col] = (tmp11 &+ tmp2 &+ r1) >> d1
                w[48 + col] = (tmp11 &- tmp2 &+ r1) >> d1
                w[16 + col] = (tmp12 &+ tmp1 &+ r1) >> d1
                w[40 + col] = (tmp12 &- tmp1 &+ r1) >> d1
                w[24 + col] = (tmp13 &+ tmp0 &+ r1) >> d1
                w[32 + col] = (tmp13 &- tmp0 &+ r1) >> d1
            }
            // Pass 2: rows, undo the 2^pass1 and the 8x of the DCT; range-limit (jidctint.c pass 2).
            let d2 = constBits + pass1 + 3
            let r2 = 1 << (d2 - 1)
            for row in 0..<8 {
                let b = row * 8
                let o = offset + row * stride
                if w[b + 1] == 0 && w[b + 2] == 0 && w[b + 3] == 0 && w[b + 4] == 0 && w[b + 5] == 0 && w[b + 6] == 0 && w[b + 7] == 0 {
                    // Equal to the full computation: tmp10 = w0 << constBits is exact (jidctint.c's zero-row test).
                    let v = limit[((w[b] &+ (1 << (pass1 + 2))) >> (pass1 + 3)) & mask]
                    (out + o).initialize(repeating: v, count: 8)
                    continue
                }
                var z2 = w[b + 2], z3 = w[b + 6]
                var z1 = (z2 &+ z3) &* fix_0_541196100
                var tmp2 = z1 &+ z3 &* -fix_1_847759065
                var tmp3 = z1 &+ z2 &* fix_0_765366865
                var tmp0 = (w[b] &+ w[b + 4]) &<< constBits
                var tmp1 = (w[b] &- w[b + 4]) &<< constBits
                let tmp10 = tmp0 &+ tmp3, tmp13 = tmp0 &- tmp3, tmp11 = tmp1 &+ tmp2, tmp12 = tmp1 &- tmp2
                tmp0 = w[b + 7]; tmp1 = w[b + 5]; tmp2 = w[b + 3]; tmp3 = w[b + 1]
                z1 = tmp0 &+ tmp3; z2 = tmp1 &+ tmp2; z3 = tmp0 &+ tmp2
                var z4 = tmp1 &+ tmp3
                let z5 = (z3 &+ z4) &* fix_1_175875602
                tmp0 = tmp0 &* fix_0_298631336; tmp1 = tmp1 &* fix_2_053119869
                tmp2 = tmp2 &* fix_3_072711026; tmp3 = tmp3 &* fix_1_501321110
                z1 = z1 &* -fix_0_899976223; z2 = z2 &* -fix_2_562915447
                z3 = z3 &* -fix_1_961570560; z4 = z4 &* -fix_0_390180644
                z3 = z3 &+ z5; z4 = z4 &+ z5
                tmp0 = tmp0 &+ z1 &+ z3; tmp1 = tmp1 &+ z2 &+ z4
                tmp2 = tmp2 &+ z2 &+ z3; tmp3 = tmp3 &+ z1 &+ z4
                out[o] = limit[((tmp10 &+ tmp3 &+ r2) >> d2) & mask]
                out[o + 7] = limit[((tmp10 &- tmp3 &+ r2) >> d2) & mask]
                out[o + 1] = limit[((tmp11 &+ tmp2 &+ r2) >> d2) & mask]
                out[o + 6] = limit[((tmp11 &- tmp2 &+ r2) >> d2) & mask]
                out[o + 2] = limit[((tmp12 &+ tmp1 &+ r2) >> d2) & mask]
                out[o + 5] = limit[((tmp12 &- tmp1 &+ r2) >> d2) & mask]
                out[o + 3] = limit[((tmp13 &+ tmp0 &+ r2) >> d2) & mask]
                out[o + 4] = limit[((tmp13 &- tmp0 &+ r2) >> d2) & mask]
            }
        }
    }
}

/// Chroma upsampling as IJG's jdsample.c: "fancy" triangle filters for 2:1 horizontal (h2v1) and 2:1 both
/// ways (h2v2) when the subsampled width exceeds 2, pixel replication for other integral ratios.
enum JPEGUpsample {
    static func upsample(_ c: JPEGComponent, toWidth w: Int, height h: Int, hmax: Int, vmax: Int) -> [UInt16] {
        let fx = hmax / c.h, fy = vmax / c.v
        let stride = c.blocksW * 8
        let cw = c.width, ch = c.height
        // Padded output width covering whole input columns, then cropped.
        let ow = cw * fx
        var out = [UInt16](repeating: 0, count: w * h)
        let p = UnsafeBufferPointer(start: c.plane.p, count: c.plane.count)
        if hmax % c.h == 0 && vmax % c.v == 0 && fx == 2 && fy == 1 && cw > 2 {
            var row = [UInt16](repeating: 0, count: ow)
            for y in 0..<h {
                let s = y * stride
                fancyH2(p, s, cw, &row)
                for x in 0..<w { out[y * w + x] = row[x] }
            }
            return out
        }
        if hmax % c.h == 0 && vmax % c.v == 0 && fx == 2 && fy == 2 && cw > 2 {
            var row = [UInt16](repeating: 0, count: ow)
            var y = 0
            var iy = 0
            while y < h {
                for half in 0..<2 {
                    // Neighbour row: above for the upper output row, below for the lower; edges replicate
                    // (IJG's context rows at the top, its copy of the last real row at the bottom).
                    let ny = half == 0 ? max(iy - 1, 0) : min(iy + 1, ch - 1)
                    fancyH2V2(p, iy * stride, ny * stride, cw, &row)
                    if y < h { for x in 0..<w { out[y * w + x] = row[x] } }
                    y += 1
                }
                iy += 1
            }
            return out
        }
        // Replication for any other ratio (IJG int_upsample / h2v1 / h2v2 when not fancy); non-integral ratios too.
        for y in 0..<h {
            let sy = min(y * c.v / vmax, c.blocksH * 8 - 1)
            for x in 0..<w {
                let sx = min(x * c.h / hmax, stride - 1)
                out[y * w + x] = p[sy * stride + sx]
            }
        }
        return out
    }

    /// jdsample.c h2v1_fancy_upsample: out = (3·nearer + further + 1 or 2) / 4.
    @inline(__always)
    static func fancyH2(_ p: UnsafeBufferPointer<UInt16>, _ s: Int, _ n: Int, _ row: inout [UInt16]) {
        row[0] = p[s]
        row[1] = UInt16((Int(p[s]) * 3 + Int(p[s + 1]) + 2) >> 2)
        for i in 1..<(n - 1) {
            let v = Int(p[s + i]) * 3
            row[2 * i] = UInt16((v + Int(p[s + i - 1]) + 1) >> 2)
            row[2 * i + 1] = UInt16((v + Int(p[s + i + 1]) + 2) >> 2)
        }
        row[2 * n - 2] = UInt16((Int(p[s + n - 1]) * 3 + Int(p[s + n - 2]) + 1) >> 2)
        row[2 * n - 1] = p[s + n - 1]
    }

    /// jdsample.c h2v2_fancy_upsample for one output row: column sums 3·this + neighbour row, then 3:1 across.
    @inline(__always)
    static func fancyH2V2(_ p: UnsafeBufferPointer<UInt16>, _ s0: Int, _ s1: Int, _ n: Int, _ row: inout [UInt16]) {
        @inline(__always) func colsum(_ i: Int) -> Int { Int(p[s0 + i]) * 3 + Int(p[s1 + i]) }
        var this = colsum(0), next = colsum(1)
        row[0] = UInt16((this * 4 + 8) >> 4)
        row[1] = UInt16((this * 3 + next + 7) >> 4)
        var last = this
        this = next
        for i in 1..<(n - 1) {
            next = colsum(i + 1)
            row[2 * i] = UInt16((this * 3 + last + 8) >> 4)
            row[2 * i + 1] = UInt16((this * 3 + next + 7) >> 4)
            last = this
            this = next
        }
        row[2 * n - 2] = UInt16((this * 3 + last + 8) >> 4)
        row[2 * n - 1] = UInt16((this * 4 + 7) >> 4)
    }
}

/// YCbCr→RGB as IJG's jdcolor.c (JFIF / ITU-R BT.601 full range, 16-bit fixed point tables) (PS3.3 C.7.6.3.1.2 YBR_FULL).
enum JPEGColour {
    static func ycbcrToRGB(_ planes: inout [[UInt16]], precision: Int) {
        let size = 1 << precision, center = size / 2, maxv = size - 1
        let scale = 16, half = 1 << (scale - 1)
        func fix(_ x: Double) -> Int { Int(x * Double(1 << scale) + 0.5) }
        var crR = [Int](repeating: 0, count: size), cbB = crR, crG = crR, cbG = crR
        for i in 0..<size {
            let x = i - center
            crR[i] = (fix(1.40200) * x + half) >> scale
            cbB[i] = (fix(1.77200) * x + half) >> scale
            crG[i] = -fix(0.71414) * x
            cbG[i] = -fix(0.34414) * x + half
        }
        let n = planes[0].count
        var r = [UInt16](repeating: 0, count: n), g = r, b = r
        planes[0].withUnsafeBufferPointer { yp in
            planes[1].withUnsafeBufferPointer { cbp in
                planes[2].withUnsafeBufferPointer { crp in
                    for i in 0..<n {
                        let y = Int(yp[i]), cb = Int(cbp[i]) & maxv, cr = Int(crp[i]) & maxv
                        r[i] = UInt16(min(max(y + crR[cr], 0), maxv))
                        g[i] = UInt16(min(max(y + ((cbG[cb] + crG[cr]) >> scale), 0), maxv))
                        b[i] = UInt16(min(max(y + cbB[cb], 0), maxv))
                    }
                }
            }
        }
        planes = [r, g, b]
    }
}
