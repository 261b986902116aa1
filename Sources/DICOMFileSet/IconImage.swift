import DICOMCore

/// Icon Image Sequence items for directory records (PS3.3 §F.7): 8-bit MONOCHROME2, square,
/// windowed from the image, letterboxed so the aspect ratio is kept.
public enum IconImage {
    /// The icon item for the first frame of an image data set with native Pixel Data.
    public static func make(from ds: DataSet, size: Int) throws -> DataSet {
        guard let px = ds[.pixelData] else { throw FileSetError(.iconNotMade, "no Pixel Data") }
        guard let bytes = px.bytes else {
            throw FileSetError(.iconNotMade, "Pixel Data is encapsulated (compressed); icons are made from native Pixel Data only")
        }
        guard let rows = ds.integer(.rows), let cols = ds.integer(.columns), rows > 0, cols > 0 else {
            throw FileSetError(.iconNotMade, "no Rows/Columns")
        }
        guard rows <= 65535, cols <= 65535 else { throw FileSetError(.iconNotMade, "Rows \(rows) / Columns \(cols) above 65535 (PS3.3 C.7.6.3)") }
        let spp = ds.integer(.samplesPerPixel) ?? 1
        let bits = ds.integer(.bitsAllocated) ?? 16
        let stored = ds.integer(.bitsStored) ?? bits
        let signed = ds.integer(.pixelRepresentation) == 1
        let planar = ds.integer(.planarConfiguration) == 1
        let photometric = ds.string(.photometricInterpretation) ?? "MONOCHROME2"
        guard [8, 16, 32].contains(bits), [1, 3].contains(spp) else {
            throw FileSetError(.iconNotMade, "Bits Allocated \(bits) / Samples per Pixel \(spp) not supported for icons")
        }
        let bpp = bits / 8
        let frameSamples = rows * cols * spp
        guard bytes.count >= frameSamples * bpp else { throw FileSetError(.iconNotMade, "Pixel Data shorter than one frame") }
        if photometric.hasPrefix("YBR") && spp == 3 && photometric != "YBR_FULL" {
            throw FileSetError(.iconNotMade, "photometric interpretation \(photometric) not supported for icons")
        }

        /// Value of sample s (0..<spp) at pixel p, with Modality LUT rescale.
        let slope = ds.doubles(.rescaleSlope)?.first ?? 1
        let intercept = ds.doubles(.rescaleIntercept)?.first ?? 0
        let mask: UInt32 = stored >= 32 ? .max : (1 << UInt32(stored)) - 1
        func raw(_ index: Int) -> Double {
            var v: UInt32
            switch bpp {
            case 1: v = UInt32(bytes[index])
            case 2: v = UInt32(bytes[2 * index]) | UInt32(bytes[2 * index + 1]) << 8
            default: v = le32(bytes, 4 * index)
            }
            v &= mask
            if signed && stored < 32 && v & (1 << UInt32(stored - 1)) != 0 { return Double(Int64(v) - (Int64(1) << Int64(stored))) }
            if signed && stored == 32 { return Double(Int32(bitPattern: v)) }
            return Double(v)
        }
        func value(_ p: Int) -> Double {
            if spp == 1 { return raw(p) * slope + intercept }
            let idx: (Int) -> Int = { s in planar ? s * rows * cols + p : p * 3 + s }
            let r = raw(idx(0)), g = raw(idx(1)), b = raw(idx(2))
            if photometric == "YBR_FULL" { return r }  // luma
            return 0.299 * r + 0.587 * g + 0.114 * b
        }

        // Window: the first Window Center/Width, else the 1st-99th percentile of a sample.
        var lo: Double, hi: Double
        if spp == 1, let c = ds.doubles(.windowCenter)?.first, let w = ds.doubles(.windowWidth)?.first, w >= 1 {
            lo = c - 0.5 - (w - 1) / 2; hi = c - 0.5 + (w - 1) / 2
        } else {
            var sample: [Double] = []
            let step = max(1, rows * cols / 4096)
            var p = 0
            while p < rows * cols { sample.append(value(p)); p += step }
            sample.sort()
            lo = sample[sample.count / 100]; hi = sample[min(sample.count - 1, sample.count * 99 / 100)]
            if hi <= lo { hi = lo + 1 }
        }
        let invert = photometric == "MONOCHROME1"

        // Letterbox into size x size with a box filter over the source pixels each icon pixel covers.
        let scale = Double(max(rows, cols)) / Double(size)
        let outW = max(1, Int((Double(cols) / scale).rounded())), outH = max(1, Int((Double(rows) / scale).rounded()))
        let x0 = (size - outW) / 2, y0 = (size - outH) / 2
        var icon = [UInt8](repeating: 0, count: size * size)
        for oy in 0..<outH {
            let sy0 = Int(Double(oy) * scale), sy1 = max(sy0 + 1, min(rows, Int(Double(oy + 1) * scale)))
            for ox in 0..<outW {
                let sx0 = Int(Double(ox) * scale), sx1 = max(sx0 + 1, min(cols, Int(Double(ox + 1) * scale)))
                var sum = 0.0, n = 0.0
                var yy = sy0
                let ystep = max(1, (sy1 - sy0) / 4), xstep = max(1, (sx1 - sx0) / 4)
                while yy < sy1 {
                    var xx = sx0
                    while xx < sx1 { sum += value(yy * cols + xx); n += 1; xx += xstep }
                    yy += ystep
                }
                var v = ((sum / n) - lo) / (hi - lo)
                v = min(1, max(0, v))
                if invert { v = 1 - v }
                icon[(y0 + oy) * size + x0 + ox] = UInt8((v * 255).rounded())
            }
        }
        var item = DataSet()
        item.setUInt16(.samplesPerPixel, [1])
        item.setString(.photometricInterpretation, .CS, "MONOCHROME2")
        item.setUInt16(.rows, [UInt16(size)])
        item.setUInt16(.columns, [UInt16(size)])
        item.setUInt16(.bitsAllocated, [8])
        item.setUInt16(.bitsStored, [8])
        item.setUInt16(.highBit, [7])
        item.setUInt16(.pixelRepresentation, [0])
        item.set(DataElement(tag: .pixelData, vr: .OB, bytes: icon))
        return item
    }
}
