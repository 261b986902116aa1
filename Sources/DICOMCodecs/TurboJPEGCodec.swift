import CTurboJPEG
import DICOMCore
import DICOMPixel

/// JPEG Baseline (.50) and 8-bit JPEG Extended (.51) through libjpeg-turbo's TurboJPEG API (PS3.5 §8.2.1, §A.4.1).
///
/// Errors: every tj* function reports failure by returning -1 (NULL for tjInitCompress/Decompress)
/// and keeps its message for tjGetErrorStr2 (turbojpeg.h, "@return 0 if successful, or -1 if an error
/// occurred (see tjGetErrorStr2() and tjGetErrorCode())"). libjpeg's own error_exit longjmp is
/// caught inside turbojpeg.c by the setjmp each tj* entry point makes before calling into libjpeg,
/// so no longjmp ever crosses a Swift frame; we check every return code and keep the message.
///
/// 12-bit JPEG Extended is not handled here (Debian's libjpeg-turbo 2.1.5 is built for 8-bit
/// samples only): `canDecode` is false for Bits Stored > 8 and a 12-bit SOF reaching `decode` throws.
public struct TurboJPEGCodec: PixelCodec {
    public let name = "libjpeg-turbo"
    public let decodableSyntaxes: Set<String> = [TransferSyntax.jpegBaseline.uid, TransferSyntax.jpegExtended.uid]
    public let encodableSyntaxes: Set<String> = [TransferSyntax.jpegBaseline.uid, TransferSyntax.jpegExtended.uid]
    /// Quality used when `EncodeParameters.quality` is nil (gives ≥ 40 dB PSNR on the corpus images; see AdapterTests).
    public static let defaultQuality = 90
    /// Whether RGB input is coded with 4:2:2 chroma subsampling ("YBR_FULL_422") instead of 4:4:4
    /// ("YBR_FULL"); both are allowed by PS3.5 8.2.1. The default is 4:4:4: 4:2:2 at quality 90
    /// loses too much on colour overlays (US1_UNCR: 35.2 dB against 40.1 dB for 4:4:4, and still
    /// only 36.1 dB at quality 95), so the ≥ 40 dB goal is met only without subsampling.
    public var subsampleChroma: Bool

    public init(subsampleChroma: Bool = false) { self.subsampleChroma = subsampleChroma }

    public func canDecode(_ d: PixelDescription, syntax: TransferSyntax) -> Bool {
        decodableSyntaxes.contains(syntax.uid) && d.bitsStored <= 8 && d.bitsAllocated <= 16
            && (d.samplesPerPixel == 1 || d.samplesPerPixel == 3)
    }

    public func canEncode(_ d: PixelDescription, syntax: TransferSyntax) -> Bool {
        guard encodableSyntaxes.contains(syntax.uid), d.bitsAllocated == 8, d.bitsStored <= 8, !d.isSigned else { return false }
        switch (d.samplesPerPixel, d.photometricInterpretation) {
        case (1, "MONOCHROME1"), (1, "MONOCHROME2"), (3, "RGB"), (3, "YBR_FULL"): return true
        default: return false
        }
    }

    // MARK: decode

    public func decode(_ frame: [UInt8], description d: PixelDescription, syntax: TransferSyntax) throws -> DecodedFrame {
        try checkSize(d, name)
        let h = try JPEGHeader.parse(frame, codec: name)
        guard h.sofMarker == 0xC0 || h.sofMarker == 0xC1 else {
            throw PixelError(
                .unsupportedCoding, codec: name,
                "SOF marker 0xFF\(String(h.sofMarker, radix: 16, uppercase: true)) is not a baseline/extended sequential DCT frame (\(syntax.name) allows only SOF0/SOF1, PS3.5 8.2.1)"
            )
        }
        guard h.precision == 8 else {
            throw PixelError(
                .unsupportedCoding, codec: name,
                "\(h.precision)-bit JPEG: libjpeg-turbo here decodes 8-bit samples only (12-bit JPEG Extended needs the Swift DCT decoder)")
        }
        guard h.rows == d.rows, h.columns == d.columns else {
            throw PixelError(.frameMismatch, codec: name, "JPEG frame is \(h.columns)x\(h.rows) but the data set says \(d.columns)x\(d.rows) (PS3.5 8.2.1)")
        }
        guard h.componentIDs.count == d.samplesPerPixel, d.samplesPerPixel == 1 || d.samplesPerPixel == 3 else {
            throw PixelError(.frameMismatch, codec: name, "JPEG frame has \(h.componentIDs.count) components but Samples per Pixel is \(d.samplesPerPixel)")
        }
        guard d.rows > 0, d.columns > 0 else { throw PixelError(.invalidDescription, codec: name, "empty frame (0 rows or columns)") }

        guard let handle = tjInitDecompress() else {
            throw PixelError(.libraryFailed, codec: name, "tjInitDecompress failed: \(String(cString: tjGetErrorStr2(nil)))")
        }
        defer { tjDestroy(handle) }
        var w: Int32 = 0, ht: Int32 = 0, subsamp: Int32 = 0, cs: Int32 = 0
        try frame.withUnsafeBufferPointer { src in
            try check(tjDecompressHeader3(handle, src.baseAddress, UInt(src.count), &w, &ht, &subsamp, &cs), handle, "tjDecompressHeader3")
        }
        guard Int(w) == d.columns, Int(ht) == d.rows else {
            throw PixelError(.frameMismatch, codec: name, "libjpeg-turbo reads a \(w)x\(ht) frame, the data set says \(d.columns)x\(d.rows)")
        }
        let n = d.rows * d.columns
        var out: [UInt8]
        let flags = Int32(TJFLAG_ACCURATEDCT)
        if d.samplesPerPixel == 1 {
            out = try decompress(handle, frame, d, pixelFormat: TJPF_GRAY, count: n, flags: flags)
        } else if keepsSamples(h, labelled: d.photometricInterpretation) {
            if cs == Int32(TJCS_RGB.rawValue) {
                // libjpeg itself decided "RGB" (Adobe transform 0 or component IDs 'R','G','B'): TJPF_RGB output is not converted.
                out = try decompress(handle, frame, d, pixelFormat: TJPF_RGB, count: 3 * n, flags: flags)
            } else if subsamp == Int32(TJSAMP_444.rawValue) {
                // libjpeg would guess YCbCr; the raw component planes are the untransformed R, G, B samples.
                out = try rawPlanes(handle, frame, d)
            } else {
                // Subsampled chroma only makes sense for YCbCr: convert.
                out = try decompress(handle, frame, d, pixelFormat: TJPF_RGB, count: 3 * n, flags: flags)
            }
        } else {
            out = try decompress(handle, frame, d, pixelFormat: TJPF_RGB, count: 3 * n, flags: flags)
        }
        if d.bitsAllocated > 8 { out = widen(out) }
        return DecodedFrame(bytes: out, photometricInterpretation: d.samplesPerPixel == 3 ? "RGB" : d.photometricInterpretation)
    }

    /// Whether a 3-component frame holds untransformed (RGB) samples.
    ///
    /// The stream decides first, as libjpeg's jdapimin.c default_decompress_parms does (and GDCM
    /// follows, gdcmJPEGBitsCodec.cxx switch on cinfo.jpeg_color_space): a JFIF APP0 means YCbCr,
    /// else an Adobe APP14 transform 0 means RGB (1 YCbCr), else component IDs 'R','G','B' mean RGB.
    /// When the stream says nothing (no JFIF, no APP14, IDs 0,1,2 or 1,2,3), the DICOM label decides,
    /// as pydicom does (pixel_data_handlers/pillow_handler.py: Photometric "RGB" and no
    /// "adobe_transform" → image.draft("YCbCr"), i.e. no conversion): RGB → untransformed, YBR_* → YCbCr.
    func keepsSamples(_ h: JPEGHeader, labelled pi: String) -> Bool {
        if h.hasJFIF { return false }
        if let t = h.adobeTransform { return t == 0 }
        if h.componentIDs == [0x52, 0x47, 0x42] { return true }
        return pi == "RGB"
    }

    private func decompress(_ handle: tjhandle, _ frame: [UInt8], _ d: PixelDescription, pixelFormat: TJPF, count: Int, flags: Int32) throws -> [UInt8] {
        var out = [UInt8](repeating: 0, count: count)
        try frame.withUnsafeBufferPointer { src in
            try out.withUnsafeMutableBufferPointer { dst in
                try check(
                    tjDecompress2(
                        handle, src.baseAddress, UInt(src.count), dst.baseAddress, Int32(d.columns), 0, Int32(d.rows),
                        Int32(pixelFormat.rawValue), flags), handle, "tjDecompress2")
            }
        }
        return out
    }

    /// Decodes the three full-size component planes without colour conversion and interleaves them.
    private func rawPlanes(_ handle: tjhandle, _ frame: [UInt8], _ d: PixelDescription) throws -> [UInt8] {
        var planes = ComponentPlanes(d)
        try frame.withUnsafeBufferPointer { src in
            try planes.withPlanes { dst, strides in
                try check(
                    tjDecompressToYUVPlanes(
                        handle, src.baseAddress, UInt(src.count), &dst, Int32(d.columns), &strides, Int32(d.rows), Int32(TJFLAG_ACCURATEDCT)),
                    handle, "tjDecompressToYUVPlanes")
            }
        }
        return planes.interleaved
    }

    // MARK: encode

    /// Encodes 8-bit MONOCHROME (grayscale), RGB (YCbCr 4:4:4 → "YBR_FULL", or 4:2:2 →
    /// "YBR_FULL_422" with `subsampleChroma`; PS3.5 8.2.1) or YBR_FULL (its planes coded as they
    /// are, 4:4:4, no colour round trip → "YBR_FULL") at quality `parameters.quality` (1-100, default 90).
    public func encode(_ frame: [UInt8], description d: PixelDescription, syntax: TransferSyntax, parameters: EncodeParameters) throws -> EncodedFrame {
        guard canEncode(d, syntax: syntax) else {
            throw PixelError(
                .cannotEncode, codec: name, "cannot encode \(d) as \(syntax.name): 8-bit unsigned MONOCHROME1/2, RGB or YBR_FULL only (PS3.5 8.2.1)")
        }
        guard d.rows > 0, d.columns > 0 else { throw PixelError(.invalidDescription, codec: name, "empty frame (0 rows or columns)") }
        let n = d.rows * d.columns * d.samplesPerPixel
        guard frame.count >= n else { throw PixelError(.shortPixelData, codec: name, "frame has \(frame.count) bytes, \(d) needs \(n)") }
        let quality = Int32(min(100, max(1, parameters.quality ?? Self.defaultQuality)))
        let mask = UInt8(truncatingIfNeeded: (1 << d.bitsStored) - 1)
        var src = Array(frame[0..<n])
        if d.bitsStored < 8 { for i in 0..<n { src[i] &= mask } }

        let flags = Int32(TJFLAG_ACCURATEDCT)
        if d.samplesPerPixel == 1 {
            let bytes = try TurboJPEG.compressGray(src, width: d.columns, height: d.rows, quality: Int(quality), accurateDCT: true)
            return EncodedFrame(bytes: bytes, photometricInterpretation: d.photometricInterpretation)
        }
        if d.photometricInterpretation == "RGB" {
            let bytes = try TurboJPEG.compress { handle, jpegBuf, jpegSize in
                try src.withUnsafeBufferPointer { s in
                    try check(
                        tjCompress2(
                            handle, s.baseAddress, Int32(d.columns), 0, Int32(d.rows), Int32(TJPF_RGB.rawValue), &jpegBuf, &jpegSize,
                            Int32(subsampleChroma ? TJSAMP_422.rawValue : TJSAMP_444.rawValue), quality, flags), handle, "tjCompress2")
                }
            }
            return EncodedFrame(bytes: bytes, photometricInterpretation: subsampleChroma ? "YBR_FULL_422" : "YBR_FULL")
        }
        // YBR_FULL: Y, Cb, Cr planes straight into the JPEG components (4:4:4, no conversion).
        var planes = ComponentPlanes(interleaved: src, d)
        let bytes = try TurboJPEG.compress { handle, jpegBuf, jpegSize in
            try planes.withPlanes { starts, strides in
                var srcPlanes = starts.map { $0.map { UnsafePointer($0) } }
                try check(
                    tjCompressFromYUVPlanes(
                        handle, &srcPlanes, Int32(d.columns), &strides, Int32(d.rows), Int32(TJSAMP_444.rawValue), &jpegBuf, &jpegSize, quality, flags),
                    handle, "tjCompressFromYUVPlanes")
            }
        }
        return EncodedFrame(bytes: bytes, photometricInterpretation: "YBR_FULL")
    }

    // MARK: helpers

    private func check(_ rc: Int32, _ handle: tjhandle, _ function: String) throws { try TurboJPEG.check(rc, handle, function) }
}

/// One 8-bit frame of three samples per pixel as three full-size component planes, one after another:
/// the layout of TurboJPEG's planar functions, which code the planes without colour conversion.
private struct ComponentPlanes {
    /// Samples in one plane.
    let count: Int
    let columns: Int
    var bytes: [UInt8]

    /// Zeroed planes, for a decoder to fill.
    init(_ d: PixelDescription) {
        columns = d.columns
        count = d.rows * d.columns
        bytes = [UInt8](repeating: 0, count: 3 * count)
    }

    /// The planes of a colour-by-pixel frame (Planar Configuration 0, PS3.3 C.7.6.3.1.3).
    init(interleaved frame: [UInt8], _ d: PixelDescription) {
        self.init(d)
        let n = count
        frame.withUnsafeBufferPointer { f in
            bytes.withUnsafeMutableBufferPointer { p in
                for i in 0..<n { p[i] = f[3 * i]; p[n + i] = f[3 * i + 1]; p[2 * n + i] = f[3 * i + 2] }
            }
        }
    }

    /// The frame colour-by-pixel again.
    var interleaved: [UInt8] {
        let n = count
        var out = [UInt8](repeating: 0, count: 3 * n)
        bytes.withUnsafeBufferPointer { p in
            out.withUnsafeMutableBufferPointer { o in
                for i in 0..<n { o[3 * i] = p[i]; o[3 * i + 1] = p[n + i]; o[3 * i + 2] = p[2 * n + i] }
            }
        }
        return out
    }

    /// Calls `body` with the start and the row stride of each plane, as the planar functions take them.
    mutating func withPlanes<R>(_ body: (inout [UnsafeMutablePointer<UInt8>?], inout [Int32]) throws -> R) rethrows -> R {
        let (n, columns) = (count, columns)
        return try bytes.withUnsafeMutableBufferPointer { p in
            let base = p.baseAddress!
            var starts: [UnsafeMutablePointer<UInt8>?] = [base, base + n, base + 2 * n]
            var strides = [Int32](repeating: Int32(columns), count: 3)
            return try body(&starts, &strides)
        }
    }
}

/// 8-bit samples into 16-bit little-endian words (Bits Allocated 16 with Bits Stored ≤ 8).
func widen(_ b: [UInt8]) -> [UInt8] {
    var out = [UInt8](repeating: 0, count: 2 * b.count)
    for i in b.indices { out[2 * i] = b[i] }
    return out
}
