import DICOMCore

/// Operations on native pixel samples (PS3.5 §8.1; PS3.3 C.7.6.3).
public enum NativePixels {
    /// Reads the Image Pixel Module of `ds` (PS3.3 C.7.6.3); nil when there is no Pixel Data description.
    public static func description(of ds: DataSet) -> PixelDescription? {
        guard let rows = ds.integer(.rows), let cols = ds.integer(.columns), let ba = ds.integer(.bitsAllocated) else { return nil }
        let bs = ds.integer(.bitsStored) ?? ba
        return PixelDescription(
            rows: rows, columns: cols, samplesPerPixel: ds.integer(.samplesPerPixel) ?? 1,
            bitsAllocated: ba, bitsStored: bs, highBit: ds.integer(.highBit) ?? bs - 1,
            pixelRepresentation: ds.integer(.pixelRepresentation) ?? 0,
            planarConfiguration: ds.integer(.planarConfiguration) ?? 0,
            photometricInterpretation: ds.string(.photometricInterpretation) ?? "MONOCHROME2",
            numberOfFrames: max(1, Int(ds.string(.numberOfFrames) ?? "1") ?? 1))
    }

    /// Keeps the low `bitsStored` bits of each sample and sign-extends them when signed, in place (PS3.5 §8.1.1).
    public static func normalise(_ bytes: inout [UInt8], _ d: PixelDescription) {
        let bits = d.bitsStored
        guard bits > 0, bits < d.bitsAllocated || d.isSigned else { return }
        switch d.bytesPerSample {
        case 1:
            guard bits < 8 else { return }
            normaliseWords(&bytes, UInt8.self, bits: bits, signed: d.isSigned)
        case 2:
            guard bits < 16 else { return }
            normaliseWords(&bytes, UInt16.self, bits: bits, signed: d.isSigned)
        case 4:
            guard bits < 32 else { return }
            normaliseWords(&bytes, UInt32.self, bits: bits, signed: d.isSigned)
        default: return
        }
    }

    /// `normalise` for little-endian samples of `W`, `bits` below its width.
    @inline(__always)
    static func normaliseWords<W: FixedWidthInteger & UnsignedInteger>(_ bytes: inout [UInt8], _: W.Type, bits: Int, signed: Bool) {
        let mask: W = (W(1) << bits) - 1, sign: W = W(1) << (bits - 1)
        bytes.withUnsafeMutableBytes { raw in
            let p = raw.bindMemory(to: W.self)
            for i in p.indices {
                var v = W(littleEndian: p[i]) & mask
                if signed && v & sign != 0 { v |= ~mask }
                p[i] = v.littleEndian
            }
        }
    }

    /// Colour-by-plane → colour-by-pixel (PS3.3 C.7.6.3.1.3).
    public static func interleave(_ planar: [UInt8], samples: Int, bytesPerSample: Int) -> [UInt8] {
        reorder(planar, samples: samples, bytesPerSample: bytesPerSample, toPlanes: false)
    }

    /// Colour-by-pixel → colour-by-plane (PS3.3 C.7.6.3.1.3).
    public static func deinterleave(_ pixel: [UInt8], samples: Int, bytesPerSample: Int) -> [UInt8] {
        reorder(pixel, samples: samples, bytesPerSample: bytesPerSample, toPlanes: true)
    }

    /// Moves every sample between its place in a plane and its place in a pixel, either way.
    static func reorder(_ bytes: [UInt8], samples: Int, bytesPerSample: Int, toPlanes: Bool) -> [UInt8] {
        guard samples > 1 else { return bytes }
        let plane = bytes.count / samples
        let pixels = plane / bytesPerSample
        var out = [UInt8](repeating: 0, count: bytes.count)
        bytes.withUnsafeBufferPointer { src in
            out.withUnsafeMutableBufferPointer { dst in
                for s in 0..<samples {
                    for p in 0..<pixels {
                        for b in 0..<bytesPerSample {
                            let inPixel = (p * samples + s) * bytesPerSample + b, inPlane = s * plane + p * bytesPerSample + b
                            if toPlanes { dst[inPlane] = src[inPixel] } else { dst[inPixel] = src[inPlane] }
                        }
                    }
                }
            }
        }
        return out
    }

    /// Native YBR_FULL_422 (two luminance samples share one Cb, Cr pair: Y Y Cb Cr) → YBR_FULL, 8-bit (PS3.3 C.7.6.3.1.2).
    public static func expandYBR422(_ bytes: [UInt8], rows: Int, columns: Int) throws -> [UInt8] {
        let pairs = (columns + 1) / 2
        guard bytes.count >= rows * pairs * 4 else {
            throw PixelError(.shortPixelData, codec: "native", "YBR_FULL_422 frame has \(bytes.count) bytes; \(rows * pairs * 4) expected (PS3.3 C.7.6.3.1.2)")
        }
        var out = [UInt8](repeating: 0, count: rows * columns * 3)
        var i = 0
        for r in 0..<rows {
            for p in 0..<pairs {
                let y0 = bytes[i], y1 = bytes[i + 1], cb = bytes[i + 2], cr = bytes[i + 3]
                i += 4
                let c0 = p * 2
                let o = (r * columns + c0) * 3
                out[o] = y0; out[o + 1] = cb; out[o + 2] = cr
                if c0 + 1 < columns { out[o + 3] = y1; out[o + 4] = cb; out[o + 5] = cr }
            }
        }
        return out
    }

    /// YBR_FULL → RGB, 8-bit, colour-by-pixel (PS3.3 C.7.6.3.1.2, ITU-R BT.601 full range).
    public static func ybrFullToRGB(_ bytes: [UInt8]) -> [UInt8] {
        var out = bytes
        out.withUnsafeMutableBufferPointer { p in
            var i = 0
            while i + 2 < p.count {
                let y = Double(p[i]), cb = Double(p[i + 1]) - 128, cr = Double(p[i + 2]) - 128
                p[i] = clamp8(y + 1.402 * cr)
                p[i + 1] = clamp8(y - 0.344136 * cb - 0.714136 * cr)
                p[i + 2] = clamp8(y + 1.772 * cb)
                i += 3
            }
        }
        return out
    }

    @inline(__always) static func clamp8(_ v: Double) -> UInt8 { UInt8(max(0, min(255, v.rounded()))) }

    /// PALETTE COLOR indices → 8-bit RGB through the Red/Green/Blue Palette Color LUTs (PS3.3 C.7.6.3.1.5-6).
    public static func expandPalette(_ bytes: [UInt8], _ d: PixelDescription, dataSet ds: DataSet) throws -> [UInt8] {
        func lut(_ desc: Tag, _ data: Tag, _ name: String) throws -> (first: Int, entries: [Int], bits: Int) {
            guard let dv = ds[desc]?.bytes, dv.count >= 6 else {
                throw PixelError(
                    .paletteMissing, codec: "native", "PALETTE COLOR without \(name) Palette Color Lookup Table Descriptor \(desc) (PS3.3 C.7.6.3.1.5)")
            }
            var n = Int(le16(dv, 0)); if n == 0 { n = 65536 }
            let first = ds[desc]?.vr == .SS ? Int(Int16(bitPattern: le16(dv, 2))) : Int(le16(dv, 2))
            let bits = Int(le16(dv, 4))
            guard let raw = ds[data]?.bytes else {
                throw PixelError(
                    .paletteMissing, codec: "native",
                    "PALETTE COLOR without \(name) Palette Color Lookup Table Data \(data) (segmented palettes are not supported) (PS3.3 C.7.9)")
            }
            var entries: [Int] = []
            if bits == 8 && raw.count == n {
                entries = raw.map(Int.init)
            } else {
                guard raw.count >= n * 2 else {
                    throw PixelError(.paletteMissing, codec: "native", "\(name) palette has \(raw.count) bytes for \(n) entries (PS3.3 C.7.6.3.1.6)")
                }
                entries = (0..<n).map { Int(le16(raw, $0 * 2)) }
            }
            return (first, entries, bits)
        }
        let r = try lut(.redPaletteColorLookupTableDescriptor, .redPaletteColorLookupTableData, "Red")
        let g = try lut(.greenPaletteColorLookupTableDescriptor, .greenPaletteColorLookupTableData, "Green")
        let b = try lut(.bluePaletteColorLookupTableDescriptor, .bluePaletteColorLookupTableData, "Blue")
        let count = d.pixelCount
        var out = [UInt8](repeating: 0, count: count * 3)
        func value(_ l: (first: Int, entries: [Int], bits: Int), _ idx: Int) -> UInt8 {
            let k = max(0, min(l.entries.count - 1, idx - l.first))
            let v = l.entries[k]
            return l.bits > 8 ? UInt8(truncatingIfNeeded: v >> 8) : UInt8(truncatingIfNeeded: v)
        }
        for p in 0..<count {
            let idx = d.bytesPerSample == 1 ? Int(bytes[p]) : Int(le16(bytes, p * 2))
            out[p * 3] = value(r, idx); out[p * 3 + 1] = value(g, idx); out[p * 3 + 2] = value(b, idx)
        }
        return out
    }
}
