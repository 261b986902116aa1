import DICOMPixel

/// What the markers before the first scan of a JPEG (ISO 10918-1 B.2) or JPEG-LS (ISO 14495-1 C.2)
/// frame say: frame type, precision, size, components, and the colour hints (JFIF APP0, Adobe APP14).
public struct JPEGHeader: Sendable, Equatable {
    /// The SOF marker's second byte (0xC0 baseline, 0xC1 extended, 0xC2 progressive, 0xC3 lossless, 0xF7 JPEG-LS).
    public var sofMarker: UInt8
    public var precision: Int
    public var rows: Int
    public var columns: Int
    /// Component identifiers and sampling factors (H << 4 | V) in SOF order.
    public var componentIDs: [UInt8]
    public var samplingFactors: [UInt8]
    public var hasJFIF: Bool
    /// The Adobe APP14 transform flag (0 none/RGB, 1 YCbCr, 2 YCCK), when an APP14 Adobe segment is present.
    public var adobeTransform: UInt8?

    /// Scans the marker segments from SOI up to the first SOS; throws when they are malformed or there is no SOF.
    public static func parse(_ b: [UInt8], codec: String) throws -> JPEGHeader {
        guard b.count >= 4, b[0] == 0xFF, b[1] == 0xD8 else {
            throw PixelError(.malformedFrame, codec: codec, "frame does not start with an SOI marker (ISO 10918-1 B.2.1)", offset: 0)
        }
        var h = JPEGHeader(sofMarker: 0, precision: 0, rows: 0, columns: 0, componentIDs: [], samplingFactors: [], hasJFIF: false, adobeTransform: nil)
        var sawSOF = false
        var i = 2
        while i < b.count {
            guard b[i] == 0xFF else { throw PixelError(.malformedFrame, codec: codec, "expected a marker, found 0x\(String(b[i], radix: 16))", offset: i) }
            var m = i + 1
            while m < b.count && b[m] == 0xFF { m += 1 }  // fill bytes (B.1.1.2)
            guard m < b.count else { break }
            let marker = b[m]
            i = m + 1
            if marker == 0xD9 || marker == 0xDA { break }  // EOI or SOS: header done
            if marker == 0x01 || (0xD0...0xD7).contains(marker) { continue }  // TEM, RSTn: no length
            guard i + 2 <= b.count else { throw PixelError(.malformedFrame, codec: codec, "marker 0xFF\(String(marker, radix: 16)) has no length", offset: i) }
            let len = Int(b[i]) << 8 | Int(b[i + 1])
            guard len >= 2, i + len <= b.count else {
                throw PixelError(
                    .malformedFrame, codec: codec, "marker segment 0xFF\(String(marker, radix: 16)) length \(len) runs past the frame (\(b.count) bytes)",
                    offset: i)
            }
            let s = i + 2, e = i + len
            switch marker {
            case 0xC0...0xCF where marker != 0xC4 && marker != 0xC8 && marker != 0xCC, 0xF7:
                guard !sawSOF else {
                    throw PixelError(.unsupportedCoding, codec: codec, "second SOF marker (hierarchical JPEG is not supported)", offset: m - 1)
                }
                guard e - s >= 6 else { throw PixelError(.malformedFrame, codec: codec, "SOF segment too short", offset: i) }
                let n = Int(b[s + 5])
                guard n >= 1, e - s >= 6 + 3 * n else {
                    throw PixelError(.malformedFrame, codec: codec, "SOF declares \(n) components in \(len) bytes", offset: i)
                }
                h.sofMarker = marker
                h.precision = Int(b[s])
                h.rows = Int(b[s + 1]) << 8 | Int(b[s + 2])
                h.columns = Int(b[s + 3]) << 8 | Int(b[s + 4])
                for k in 0..<n { h.componentIDs.append(b[s + 6 + 3 * k]); h.samplingFactors.append(b[s + 7 + 3 * k]) }
                sawSOF = true
            case 0xE0:
                if e - s >= 5, Array(b[s..<s + 5]) == [0x4A, 0x46, 0x49, 0x46, 0] { h.hasJFIF = true }
            case 0xEE:
                // "Adobe" + version(2) + flags0(2) + flags1(2) + transform(1): libjpeg's jdmarker.c reads it only at 12+ bytes.
                if e - s >= 12, Array(b[s..<s + 5]) == [0x41, 0x64, 0x6F, 0x62, 0x65] { h.adobeTransform = b[s + 11] }
            default: break
            }
            i = e
        }
        guard sawSOF else { throw PixelError(.malformedFrame, codec: codec, "no SOF marker before the first scan", offset: i) }
        return h
    }
}

/// What the JPEG-LS and JPEG 2000 libraries decode: up to 16-bit words, 1 or 3 samples.
func fitsLibraryDecoder(_ d: PixelDescription) -> Bool {
    d.bitsAllocated <= 16 && (d.samplesPerPixel == 1 || d.samplesPerPixel == 3)
}

/// What the JPEG-LS and JPEG 2000 encoders take: 8- or 16-bit words, `minBitsStored`...Bits Allocated
/// bits, 1 or 3 samples; and, for a lossy syntax, no palette indices (their lossy coding would change colours arbitrarily).
func fitsLibraryEncoder(_ d: PixelDescription, minBitsStored: Int, lossy: Bool) -> Bool {
    guard d.bitsAllocated == 8 || d.bitsAllocated == 16, d.bitsStored >= minBitsStored, d.bitsStored <= d.bitsAllocated,
        d.samplesPerPixel == 1 || d.samplesPerPixel == 3
    else { return false }
    return !(lossy && d.photometricInterpretation == "PALETTE COLOR")
}

/// Rows and Columns are US (≤ 65535, PS3.3 C.7.6.3.1) and a frame has 1 or 3 samples: anything else
/// is refused before sizes are multiplied or buffers allocated.
func checkSize(_ d: PixelDescription, _ codec: String) throws {
    guard d.rows >= 1, d.rows <= 65535, d.columns >= 1, d.columns <= 65535, d.samplesPerPixel == 1 || d.samplesPerPixel == 3,
        d.bitsAllocated >= 1, d.bitsAllocated <= 16, d.bitsStored >= 1, d.bitsStored <= d.bitsAllocated
    else {
        throw PixelError(
            .unsupportedCoding, codec: codec,
            "unsupported frame description \(d.columns)x\(d.rows), \(d.samplesPerPixel) samples, \(d.bitsStored)/\(d.bitsAllocated) bits (PS3.3 C.7.6.3)")
    }
}
