import DICOMCore

extension JPEGDCTDecoder {
    /// Upsamples, converts colour as decided, and writes native words (PS3.5 §8.2.1).
    func output(description d: PixelDescription) throws -> DecodedFrame {
        guard d.rows == height, d.columns == width else {
            throw err("JPEG frame is \(width)x\(height) but the data set says \(d.columns)x\(d.rows) (PS3.5 §8.2.1)", nil, .frameMismatch)
        }
        guard d.samplesPerPixel == components.count else {
            throw err("JPEG frame has \(components.count) components but Samples per Pixel is \(d.samplesPerPixel) (PS3.5 §8.2.1)", nil, .frameMismatch)
        }
        guard d.bitsAllocated >= precision, d.bitsAllocated <= 16 else {
            throw err("JPEG sample precision \(precision) does not fit Bits Allocated \(d.bitsAllocated) (PS3.5 §8.2.1)", nil, .frameMismatch)
        }
        for c in components where !c.decoded { throw err("component \(c.id) has no scan (ISO 10918-1 B.2.3)") }
        let w = width, h = height, n = w * h
        let bps = d.bitsAllocated <= 8 ? 1 : 2
        let signed = d.isSigned && d.bitsStored < 16
        let shift = UInt16(16 - max(1, min(16, d.bitsStored)))
        if components.count == 1 {
            // Monochrome: straight from the padded plane to native words.
            let c = components[0], src = c.plane.p, stride = c.blocksW * 8
            // Every byte is written below (w·h samples of bps bytes), so the buffer starts uninitialized.
            let out = [UInt8](unsafeUninitializedCapacity: n * bps) { buf, initialized in
                guard let base = buf.baseAddress else { initialized = 0; return }
                if bps == 1 {
                    for y in 0..<h {
                        let row = src + y * stride, o = base + y * w
                        for x in 0..<w { o[x] = UInt8(truncatingIfNeeded: row[x]) }
                    }
                } else {
                    let raw = UnsafeMutableRawPointer(base)
                    for y in 0..<h {
                        let row = src + y * stride
                        if signed {
                            let sh = Int16(shift)
                            for x in 0..<w {
                                let v = UInt16(bitPattern: Int16(bitPattern: row[x] << UInt16(sh)) >> sh)
                                raw.storeBytes(of: v.littleEndian, toByteOffset: 2 * (y * w + x), as: UInt16.self)
                            }
                        } else {
                            for x in 0..<w { raw.storeBytes(of: row[x].littleEndian, toByteOffset: 2 * (y * w + x), as: UInt16.self) }
                        }
                    }
                }
                initialized = n * bps
            }
            return DecodedFrame(bytes: out, photometricInterpretation: d.photometricInterpretation, planarConfiguration: 0)
        }
        var planes: [[UInt16]] = []
        for c in components {
            if c.h == hmax && c.v == vmax {
                var full = [UInt16](repeating: 0, count: n)
                let stride = c.blocksW * 8
                let src = c.plane.p
                full.withUnsafeMutableBufferPointer { f in for y in 0..<h { for x in 0..<w { f[y * w + x] = src[y * stride + x] } } }
                planes.append(full)
            } else {
                planes.append(JPEGUpsample.upsample(c, toWidth: w, height: h, hmax: hmax, vmax: vmax))
            }
        }
        var pi = d.photometricInterpretation
        if components.count == 3 && convertsColour(photometric: d.photometricInterpretation) {
            JPEGColour.ycbcrToRGB(&planes, precision: precision)
            pi = "RGB"
        } else if components.count == 3 && adobeTransform == 0 {
            pi = "RGB"  // Adobe transform 0: the stream says its components are RGB, whatever the data set says
        }
        let spp = components.count
        var out = [UInt8](repeating: 0, count: n * spp * bps)
        out.withUnsafeMutableBufferPointer { o in
            for s in 0..<spp {
                planes[s].withUnsafeBufferPointer { src in
                    if bps == 1 {
                        var j = s
                        for i in 0..<n { o[j] = UInt8(truncatingIfNeeded: src[i]); j += spp }
                    } else {
                        var j = s * 2
                        for i in 0..<n {
                            var v = src[i]
                            if signed { v = UInt16(bitPattern: Int16(bitPattern: v << shift) >> Int16(shift)) }
                            o[j] = UInt8(truncatingIfNeeded: v); o[j + 1] = UInt8(truncatingIfNeeded: v >> 8)
                            j += 2 * spp
                        }
                    }
                }
            }
        }
        return DecodedFrame(bytes: out, photometricInterpretation: pi, planarConfiguration: 0)
    }

    /// Whether the three components are YCbCr to convert to RGB: an Adobe APP14 transform flag decides
    /// when present (0 = none, as IJG's jdapimin.c); otherwise the Photometric Interpretation does, as in
    /// DCMTK's dcmdjpeg (YBR_* converted, RGB not) (PS3.5 §8.2.1: JPEG colour is described by the PI).
    func convertsColour(photometric: String) -> Bool {
        if let t = adobeTransform { return t != 0 }
        if photometric.hasPrefix("YBR") { return true }
        if photometric == "RGB" { return false }
        // Neither: IJG's rule from the stream (JFIF or component ids 1,2,3 mean YCbCr; 'R','G','B' does not).
        if sawJFIF { return true }
        return !(components.map(\.id) == [0x52, 0x47, 0x42])
    }
}
