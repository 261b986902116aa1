import DICOMCore

/// The colour pipeline of PS3.4 N.2.2 for true colour and palette images: RGB (planar configuration 0
/// or 1), YBR_FULL, native YBR_FULL_422 and PALETTE COLOR to 8-bit-range RGB levels (0...255, unrounded).
enum ColourPipeline {
    /// RGB levels, colour-by-pixel, of one native frame whose stored samples `FrameSamples` read into `values`.
    static func levels(_ values: [Int], description d: PixelDescription, attributes ds: DataSet) throws -> [Float] {
        let photometric = d.photometricInterpretation
        if photometric == "PALETTE COLOR" {
            guard d.samplesPerPixel == 1 else { throw refusal("PALETTE COLOR with \(d.samplesPerPixel) samples per pixel", .samplesPerPixel) }
            return try palette(values, d, ds)
        }
        guard d.samplesPerPixel == 3 else { throw refusal("\(photometric) with \(d.samplesPerPixel) samples per pixel", .samplesPerPixel) }
        let count = d.pixelCount
        let scale = 255 / Float((1 << d.bitsStored) - 1)
        var out = [Float](repeating: 0, count: count * 3)
        // Colour-by-plane samples are read from their planes (PS3.3 C.7.6.3.1.3).
        let planar = d.planarConfiguration == 1
        for p in 0..<count {
            for s in 0..<3 { out[p * 3 + s] = Float(max(0, values[planar ? s * count + p : p * 3 + s])) * scale }
        }
        switch photometric {
        case "RGB": return out
        case "YBR_FULL": return ybrFullToRGB(out)
        default: throw refusal("Photometric Interpretation \(photometric) in native Pixel Data", .photometricInterpretation)
        }
    }

    /// YBR_FULL (ITU-R BT.601 full range) to RGB, on 0...255 levels (PS3.3 C.7.6.3.1.2).
    static func ybrFullToRGB(_ ybr: [Float]) -> [Float] {
        var out = ybr
        var i = 0
        while i + 2 < out.count {
            let y = ybr[i], cb = ybr[i + 1] - 128, cr = ybr[i + 2] - 128
            out[i] = clamp(y + 1.402 * cr)
            out[i + 1] = clamp(y - 0.344136 * cb - 0.714136 * cr)
            out[i + 2] = clamp(y + 1.772 * cb)
            i += 3
        }
        return out
    }

    /// Native 8-bit YBR_FULL_422 (Y Y Cb Cr per pair of pixels) to RGB levels (PS3.3 C.7.6.3.1.2).
    static func ybr422Levels(_ frame: [UInt8], description d: PixelDescription) throws -> [Float] {
        guard d.bitsAllocated == 8, d.samplesPerPixel == 3 else {
            throw refusal("YBR_FULL_422 with \(d.bitsAllocated) bits allocated and \(d.samplesPerPixel) samples per pixel", .bitsAllocated)
        }
        let full = try NativePixels.expandYBR422(frame, rows: d.rows, columns: d.columns)
        return ybrFullToRGB(full.map(Float.init))
    }

    /// PALETTE COLOR indices through the Red, Green and Blue Palette Color LUTs, plain or segmented (PS3.3 C.7.6.3.1.5-6, C.7.9).
    static func palette(_ indices: [Int], _ d: PixelDescription, _ ds: DataSet) throws -> [Float] {
        let luts = try [
            (Tag.redPaletteColorLookupTableDescriptor, Tag.redPaletteColorLookupTableData, Tag.segmentedRedPaletteColorLookupTableData, "Red"),
            (.greenPaletteColorLookupTableDescriptor, .greenPaletteColorLookupTableData, .segmentedGreenPaletteColorLookupTableData, "Green"),
            (.bluePaletteColorLookupTableDescriptor, .bluePaletteColorLookupTableData, .segmentedBluePaletteColorLookupTableData, "Blue"),
        ].map { desc, data, segmented, name in
            try paletteLUT(ds, desc, data, segmented, "\(name) Palette Color LUT", signed: d.isSigned)
        }
        let scales = luts.map { 255 / Float(max(1, $0.bits > 8 ? 65535 : 255)) }
        var out = [Float](repeating: 0, count: indices.count * 3)
        for (p, index) in indices.enumerated() {
            for c in 0..<3 { out[p * 3 + c] = min(255, Float(luts[c].lookup(index)) * scales[c]) }
        }
        return out
    }

    /// One palette LUT from its descriptor and its data or segmented data (PS3.3 C.7.6.3.1.5, C.7.9.2).
    static func paletteLUT(_ ds: DataSet, _ desc: Tag, _ data: Tag, _ segmented: Tag, _ name: String, signed: Bool) throws -> LookupTable {
        guard let descriptor = ds[desc] else {
            throw PixelError(.paletteMissing, "PALETTE COLOR without the \(name) Descriptor (PS3.3 C.7.6.3.1.5)", tag: desc)
        }
        if ds[data] == nil, let seg = ds[segmented]?.bytes {
            let (count, first, bits) = try LookupTable.descriptor(descriptor, name: name, signedFirst: signed)
            let words = stride(from: 0, to: seg.count - 1, by: 2).map { Int(le16(seg, $0)) }
            return LookupTable(firstMapped: first, entries: try LookupTable.expandSegments(words, count: count, name: name, tag: segmented), bits: bits)
        }
        guard ds[data] != nil else { throw PixelError(.paletteMissing, "PALETTE COLOR without the \(name) Data (PS3.3 C.7.6.3.1.6)", tag: data) }
        return try LookupTable.read(descriptor: descriptor, data: ds[data], name: name, signedFirst: signed)
    }

    @inline(__always) static func clamp(_ v: Float) -> Float { max(0, min(255, v)) }

    static func refusal(_ what: String, _ tag: Tag) -> PixelError {
        PixelError(.cannotRender, "\(what) cannot be rendered (PS3.3 C.7.6.3.1.2; PS3.4 N.2)", tag: tag)
    }
}
