import CCharLS
import DICOMCore
import DICOMPixel

/// JPEG-LS (.80 lossless, .81 near-lossless) through CharLS 2's C API (PS3.5 §8.2.3, §A.4.3; ISO 14495-1).
///
/// Decoding handles 2-16 bit samples, 1 or 3 components, any interleave mode (planes of
/// interleave mode "none" are interleaved here: output is colour-by-pixel). Encoding writes
/// sample-interleaved colour, NEAR = 0 for .80 and `parameters.near` (default 2) for .81;
/// the Photometric Interpretation is kept (RGB stays RGB, PS3.5 8.2.3). Every
/// charls_jpegls_errc is checked and charls_get_error_message's text kept in the error.
public struct CharLSCodec: PixelCodec {
    public let name = "CharLS"
    public let decodableSyntaxes: Set<String> = [TransferSyntax.jpegLSLossless.uid, TransferSyntax.jpegLSNearLossless.uid]
    public let encodableSyntaxes: Set<String> = [TransferSyntax.jpegLSLossless.uid, TransferSyntax.jpegLSNearLossless.uid]
    /// NEAR used for .81 when `parameters.near` is 0.
    public static let defaultNear = 2

    public init() {}

    public func canDecode(_ d: PixelDescription, syntax: TransferSyntax) -> Bool {
        decodableSyntaxes.contains(syntax.uid) && fitsLibraryDecoder(d)
    }

    public func canEncode(_ d: PixelDescription, syntax: TransferSyntax) -> Bool {
        encodableSyntaxes.contains(syntax.uid) && fitsLibraryEncoder(d, minBitsStored: 2, lossy: syntax == .jpegLSNearLossless)
    }

    /// Frame size, bits per sample and component count from the stream header (ISO 14495-1 C.2.2).
    public static func frameInfo(_ frame: [UInt8]) throws -> (columns: Int, rows: Int, bits: Int, components: Int) {
        let codec = "CharLS"
        guard let dec = charls_jpegls_decoder_create() else { throw PixelError(.libraryFailed, codec: codec, "charls_jpegls_decoder_create failed") }
        defer { charls_jpegls_decoder_destroy(dec) }
        var info = charls_frame_info()
        guard !frame.isEmpty else { throw PixelError(.shortPixelData, codec: codec, "empty frame") }
        try frame.withUnsafeBytes { src in
            try check(charls_jpegls_decoder_set_source_buffer(dec, src.baseAddress!, src.count), "set_source_buffer")
            var spiff = charls_spiff_header(), found: Int32 = 0
            try check(charls_jpegls_decoder_read_spiff_header(dec, &spiff, &found), "read_spiff_header")
            try check(charls_jpegls_decoder_read_header(dec), "read_header")
            try check(charls_jpegls_decoder_get_frame_info(dec, &info), "get_frame_info")
        }
        return (Int(info.width), Int(info.height), Int(info.bits_per_sample), Int(info.component_count))
    }

    // MARK: decode

    public func decode(_ input: [UInt8], description d: PixelDescription, syntax: TransferSyntax) throws -> DecodedFrame {
        try checkSize(d, name)
        guard input.count >= 4, input[0] == 0xFF, input[1] == 0xD8 else {
            throw PixelError(.malformedFrame, codec: name, "frame does not start with an SOI marker (ISO 14495-1 C.1)", offset: 0)
        }
        // CharLS 2.4.1 spends seconds of CPU on a stream cut short before its EOI (8 s for a
        // 96-byte 8x8 stream missing 4 bytes) but fails at once when an EOI follows the cut. So a
        // frame that does not end with EOI gets one appended; CharLS stops at the first EOI, so
        // complete frames followed by padding (0x00, or 0xFF as in WG04 CT2_JLSN) are unaffected.
        var frame = input
        if !(input[input.count - 2] == 0xFF && input[input.count - 1] == 0xD9) { frame += [0xFF, 0xD9] }
        guard let dec = charls_jpegls_decoder_create() else { throw PixelError(.libraryFailed, codec: name, "charls_jpegls_decoder_create failed") }
        defer { charls_jpegls_decoder_destroy(dec) }
        let spp = d.samplesPerPixel, n = d.rows * d.columns
        var raw: [UInt8] = []
        var bits = 0
        var interleave = CHARLS_INTERLEAVE_MODE_NONE
        try frame.withUnsafeBytes { src in
            try Self.check(charls_jpegls_decoder_set_source_buffer(dec, src.baseAddress!, src.count), "set_source_buffer")
            var spiff = charls_spiff_header(), found: Int32 = 0
            try Self.check(charls_jpegls_decoder_read_spiff_header(dec, &spiff, &found), "read_spiff_header")
            try Self.check(charls_jpegls_decoder_read_header(dec), "read_header")
            var info = charls_frame_info()
            try Self.check(charls_jpegls_decoder_get_frame_info(dec, &info), "get_frame_info")
            guard Int(info.width) == d.columns, Int(info.height) == d.rows else {
                throw PixelError(
                    .frameMismatch, codec: name, "JPEG-LS frame is \(info.width)x\(info.height) but the data set says \(d.columns)x\(d.rows) (PS3.5 8.2.3)")
            }
            guard Int(info.component_count) == spp, spp == 1 || spp == 3 else {
                throw PixelError(.frameMismatch, codec: name, "JPEG-LS frame has \(info.component_count) components but Samples per Pixel is \(spp)")
            }
            bits = Int(info.bits_per_sample)
            guard bits >= 2, bits <= 16, bits <= max(8, d.bitsAllocated) else {
                throw PixelError(.frameMismatch, codec: name, "JPEG-LS precision \(bits) bits does not fit Bits Allocated \(d.bitsAllocated)")
            }
            try Self.check(charls_jpegls_decoder_get_interleave_mode(dec, &interleave), "get_interleave_mode")
            var size = 0
            try Self.check(charls_jpegls_decoder_get_destination_size(dec, 0, &size), "get_destination_size")
            let expected = n * spp * (bits <= 8 ? 1 : 2)
            guard size == expected else { throw PixelError(.libraryFailed, codec: name, "CharLS wants \(size) bytes for a \(expected)-byte frame") }
            raw = [UInt8](repeating: 0, count: size)
            try raw.withUnsafeMutableBytes { dst in
                try Self.check(charls_jpegls_decoder_decode_to_buffer(dec, dst.baseAddress!, dst.count, 0), "decode_to_buffer")
            }
        }
        let inBytes = bits <= 8 ? 1 : 2
        let outBytes = d.bitsAllocated <= 8 ? 1 : 2
        // Interleave mode none gives planes; line and sample modes give colour-by-pixel.
        let planar = spp == 3 && interleave == CHARLS_INTERLEAVE_MODE_NONE
        var out = [UInt8](repeating: 0, count: n * spp * outBytes)
        let signed = d.isSigned && d.bitsStored < outBytes * 8
        let sb = d.bitsStored
        raw.withUnsafeBufferPointer { r in
            out.withUnsafeMutableBufferPointer { o in
                for c in 0..<spp {
                    for i in 0..<n {
                        let from = planar ? c * n + i : i * spp + c
                        var v = inBytes == 1 ? UInt32(r[from]) : UInt32(r[2 * from]) | UInt32(r[2 * from + 1]) << 8
                        if signed { v = UInt32(bitPattern: Int32(bitPattern: v << (32 - sb)) >> (32 - sb)) }
                        let to = i * spp + c
                        if outBytes == 1 {
                            o[to] = UInt8(truncatingIfNeeded: v)
                        } else {
                            o[2 * to] = UInt8(truncatingIfNeeded: v); o[2 * to + 1] = UInt8(truncatingIfNeeded: v >> 8)
                        }
                    }
                }
            }
        }
        return DecodedFrame(bytes: out, photometricInterpretation: d.photometricInterpretation)
    }

    // MARK: encode

    public func encode(_ frame: [UInt8], description d: PixelDescription, syntax: TransferSyntax, parameters: EncodeParameters) throws -> EncodedFrame {
        guard canEncode(d, syntax: syntax) else {
            throw PixelError(.cannotEncode, codec: name, "cannot encode \(d) as \(syntax.name) (2-16 bit, 1 or 3 samples)")
        }
        guard d.rows > 0, d.columns > 0, d.rows <= 65535, d.columns <= 65535 else {
            throw PixelError(.invalidDescription, codec: name, "frame size \(d.columns)x\(d.rows) outside 1-65535")
        }
        let spp = d.samplesPerPixel, n = d.rows * d.columns, bps = d.bytesPerSample
        guard frame.count >= n * spp * bps else {
            throw PixelError(.shortPixelData, codec: name, "frame has \(frame.count) bytes, \(d) needs \(n * spp * bps)")
        }
        let near = syntax == .jpegLSNearLossless ? (parameters.near > 0 ? parameters.near : Self.defaultNear) : 0
        let bits = d.bitsStored
        // Samples of ≤ 8 bits go to CharLS as bytes, others as native (little-endian) 16-bit words; high bits masked off.
        let inBytes = bits <= 8 ? 1 : 2
        let mask = UInt32((1 << bits) - 1)
        var src = [UInt8](repeating: 0, count: n * spp * inBytes)
        frame.withUnsafeBufferPointer { f in
            src.withUnsafeMutableBufferPointer { s in
                for k in 0..<(n * spp) {
                    var v = UInt32(f[k * bps])
                    if bps == 2 { v |= UInt32(f[k * bps + 1]) << 8 }
                    v &= mask
                    if inBytes == 1 { s[k] = UInt8(v) } else { s[2 * k] = UInt8(v & 0xFF); s[2 * k + 1] = UInt8(v >> 8) }
                }
            }
        }
        guard let enc = charls_jpegls_encoder_create() else { throw PixelError(.libraryFailed, codec: name, "charls_jpegls_encoder_create failed") }
        defer { charls_jpegls_encoder_destroy(enc) }
        var info = charls_frame_info(width: UInt32(d.columns), height: UInt32(d.rows), bits_per_sample: Int32(bits), component_count: Int32(spp))
        try Self.check(charls_jpegls_encoder_set_frame_info(enc, &info), "set_frame_info")
        try Self.check(charls_jpegls_encoder_set_near_lossless(enc, Int32(near)), "set_near_lossless")
        try Self.check(
            charls_jpegls_encoder_set_interleave_mode(enc, spp == 3 ? CHARLS_INTERLEAVE_MODE_SAMPLE : CHARLS_INTERLEAVE_MODE_NONE), "set_interleave_mode")
        var size = 0
        try Self.check(charls_jpegls_encoder_get_estimated_destination_size(enc, &size), "get_estimated_destination_size")
        guard size > 0 else { throw PixelError(.libraryFailed, codec: name, "CharLS estimated a 0-byte output") }
        var out = [UInt8](repeating: 0, count: size)
        var written = 0
        try out.withUnsafeMutableBytes { dst in
            try Self.check(charls_jpegls_encoder_set_destination_buffer(enc, dst.baseAddress!, dst.count), "set_destination_buffer")
            try src.withUnsafeBytes { s in
                try Self.check(charls_jpegls_encoder_encode_from_buffer(enc, s.baseAddress!, s.count, 0), "encode_from_buffer")
            }
            try Self.check(charls_jpegls_encoder_get_bytes_written(enc, &written), "get_bytes_written")
        }
        guard written > 0, written <= out.count else { throw PixelError(.libraryFailed, codec: name, "CharLS reported \(written) bytes written") }
        out.removeSubrange(written...)
        return EncodedFrame(bytes: out, photometricInterpretation: d.photometricInterpretation)
    }

    static func check(_ rc: charls_jpegls_errc, _ function: String) throws {
        if rc != CHARLS_JPEGLS_ERRC_SUCCESS {
            let message = String(cString: charls_get_error_message(rc))
            throw PixelError(
                .libraryFailed, codec: "CharLS", "charls_jpegls_\(function): \(message)",
                cause: LibraryCallError(library: "CharLS", function: "charls_jpegls_\(function)", code: Int(rc.rawValue), message: message))
        }
    }
}
