import COpenJPEG
import Foundation
import DICOMCore
import DICOMPixel

/// The main-header facts of a JPEG 2000 codestream (ISO 15444-1 A.5.1 SIZ, A.6.1 COD), found
/// in a raw J2K codestream or inside the 'jp2c' box of a JP2 file (ISO 15444-1 I.5.4).
public struct J2KHeader: Sendable, Equatable {
    public var isJP2: Bool
    public var columns: Int
    public var rows: Int
    /// Per component: precision in bits, signedness, XRsiz/YRsiz subsampling.
    public var precisions: [Int]
    public var signed: [Bool]
    public var subsampled: Bool
    /// The COD marker's multiple component transformation flag (0 none, 1 RCT/ICT).
    public var mct: Int
    public var tileColumns: Int
    public var tileRows: Int
    /// Whether Rsiz, or the code-block style of any COD/COC (main or tile-part header), asks for
    /// HTJ2K (ISO 15444-15) block coding, which .90/.91 do not allow (PS3.5 A.4.4 vs A.4.8).
    public var usesHighThroughput: Bool

    static let jp2Signature: [UInt8] = [0, 0, 0, 12, 0x6A, 0x50, 0x20, 0x20, 0x0D, 0x0A, 0x87, 0x0A]

    public static func parse(_ b: [UInt8], codec: String) throws -> J2KHeader {
        var start = 0
        var isJP2 = false
        if b.count >= 12 && Array(b[0..<12]) == jp2Signature {
            isJP2 = true
            // Walk the top-level boxes to the contiguous codestream box.
            var p = 0
            var found = false
            while p + 8 <= b.count {
                var len = Int(b[p]) << 24 | Int(b[p + 1]) << 16 | Int(b[p + 2]) << 8 | Int(b[p + 3])
                let type = Array(b[p + 4..<p + 8])
                var header = 8
                if len == 1 {
                    guard p + 16 <= b.count else { break }
                    var l = 0
                    for k in 0..<8 { l = l << 8 | Int(b[p + 8 + k]); if l > Int(Int32.max) { break } }
                    len = l; header = 16
                } else if len == 0 {
                    len = b.count - p
                }
                if type == [0x6A, 0x70, 0x32, 0x63] { start = p + header; found = true; break }  // 'jp2c'
                guard len >= header, len <= b.count - p else { break }
                p += len
            }
            guard found else { throw PixelError(.malformedFrame, codec: codec, "JP2 file without a contiguous codestream ('jp2c') box (ISO 15444-1 I.5.4)") }
        }
        guard b.count - start >= 4, b[start] == 0xFF, b[start + 1] == 0x4F, b[start + 2] == 0xFF, b[start + 3] == 0x51 else {
            throw PixelError(.malformedFrame, codec: codec, "frame is neither a J2K codestream (SOC, SIZ) nor a JP2 file (PS3.5 A.4.4)", offset: start)
        }
        func be16(_ i: Int) -> Int { Int(b[i]) << 8 | Int(b[i + 1]) }
        func be32(_ i: Int) -> Int { Int(b[i]) << 24 | Int(b[i + 1]) << 16 | Int(b[i + 2]) << 8 | Int(b[i + 3]) }
        let s = start + 4
        guard s + 2 <= b.count else { throw PixelError(.malformedFrame, codec: codec, "SIZ segment truncated", offset: s) }
        let lsiz = be16(s)
        guard lsiz >= 41, s + lsiz <= b.count else {
            throw PixelError(.malformedFrame, codec: codec, "SIZ length \(lsiz) invalid or past the end of the frame", offset: s)
        }
        let xsiz = be32(s + 4), ysiz = be32(s + 8), xo = be32(s + 12), yo = be32(s + 16)
        let xt = be32(s + 20), yt = be32(s + 24), xto = be32(s + 28), yto = be32(s + 32)
        let csiz = be16(s + 36)
        guard csiz >= 1, lsiz == 38 + 3 * csiz else {
            throw PixelError(.malformedFrame, codec: codec, "SIZ declares \(csiz) components in \(lsiz) bytes (ISO 15444-1 A.5.1)", offset: s)
        }
        guard xsiz > xo, ysiz > yo, xt > 0, yt > 0, xto <= xo, yto <= yo else {
            throw PixelError(.malformedFrame, codec: codec, "SIZ image or tile geometry is inconsistent (ISO 15444-1 A.5.1)", offset: s)
        }
        var h = J2KHeader(
            isJP2: isJP2, columns: xsiz - xo, rows: ysiz - yo, precisions: [], signed: [], subsampled: false, mct: 0,
            tileColumns: (xsiz - xto + xt - 1) / xt, tileRows: (ysiz - yto + yt - 1) / yt,
            usesHighThroughput: be16(s + 2) & 0x4000 != 0)
        for c in 0..<csiz {
            let ssiz = Int(b[s + 38 + 3 * c])
            h.precisions.append((ssiz & 0x7F) + 1)
            h.signed.append(ssiz & 0x80 != 0)
            if b[s + 39 + 3 * c] != 1 || b[s + 40 + 3 * c] != 1 { h.subsampled = true }
        }
        // Marker segments after SIZ: the main header, then each tile-part header (SOT ... SOD),
        // jumping over tile data by Psot. COD gives the MCT flag; COD and COC the code-block style.
        let cocComponentBytes = csiz < 257 ? 1 : 2
        var p = s + lsiz
        var inMain = true
        var guardSteps = 0
        while p + 4 <= b.count && guardSteps < 100_000 {
            guardSteps += 1
            let marker = be16(p)
            guard marker >> 8 == 0xFF, marker != 0xFFD9 else { break }
            let len = be16(p + 2)
            guard len >= 2, p + 2 + len <= b.count else { break }
            let seg = p + 4  // first byte after Lxxx
            switch marker {
            case 0xFF52 where len >= 12:  // COD: Scod, SGcod(4), SPcod: levels, xcb, ycb, style
                if inMain { h.mct = Int(b[seg + 1 + 3]) }
                if b[seg + 1 + 4 + 3] & 0x40 != 0 { h.usesHighThroughput = true }
            case 0xFF53 where len >= 2 + cocComponentBytes + 1 + 4:  // COC: Ccoc, Scoc, SPcoc: levels, xcb, ycb, style
                if b[seg + cocComponentBytes + 1 + 3] & 0x40 != 0 { h.usesHighThroughput = true }
            case 0xFF90 where len == 10:  // SOT: Isot(2), Psot(4), TPsot, TNsot
                inMain = false
                let psot = be32(seg + 2)
                var q = p + 2 + len
                // Scan this tile-part's header up to SOD, then continue at the next tile-part.
                while q + 4 <= b.count {
                    let m = be16(q)
                    if m == 0xFF93 { break }
                    guard m >> 8 == 0xFF else { break }
                    let l = be16(q + 2)
                    guard l >= 2, q + 2 + l <= b.count else { break }
                    if m == 0xFF52 && l >= 12 && b[q + 4 + 1 + 4 + 3] & 0x40 != 0 { h.usesHighThroughput = true }
                    if m == 0xFF53 && l >= 2 + cocComponentBytes + 1 + 4 && b[q + 4 + cocComponentBytes + 1 + 3] & 0x40 != 0 { h.usesHighThroughput = true }
                    q += 2 + l
                }
                guard psot >= 14 else { return h }  // 0: runs to EOC; too small: malformed, OpenJPEG judges
                p += psot
                continue
            default: break
            }
            p += 2 + len
        }
        return h
    }
}

/// JPEG 2000 (.90 lossless, .91) through OpenJPEG 2.5 (PS3.5 §8.2.4, §A.4.4).
///
/// Decoding takes J2K codestreams and the JP2-wrapped streams some writers produce (picked by
/// signature). Colour frames coded with the multiple component transformation come back as RGB
/// (PS3.5 8.2.4: YBR_RCT/YBR_ICT decode to RGB). Encoding writes J2K codestreams: .90 reversible
/// 5/3 wavelet, with the RCT for RGB ("YBR_RCT"); .91 irreversible 9/7 with the ICT for RGB
/// ("YBR_ICT") at a 10:1 compression ratio, or, when `parameters.quality` is set, at that PSNR
/// target in dB (OpenJPEG fixed-quality layer allocation; the peak is 2^Bits Stored - 1, so for
/// 16-bit CT a target of 50 dB is very lossy). One tile, min(6, ⌊log2(min side)⌋ + 1) resolutions,
/// and no OpenJPEG worker threads (opj_codec_set_threads(0): the calling thread only): the
/// transcoder runs frames and files in parallel itself.
public struct OpenJPEGCodec: PixelCodec {
    public let name = "OpenJPEG"
    public let decodableSyntaxes: Set<String> = [TransferSyntax.jpeg2000Lossless.uid, TransferSyntax.jpeg2000.uid]
    public let encodableSyntaxes: Set<String> = [TransferSyntax.jpeg2000Lossless.uid, TransferSyntax.jpeg2000.uid]
    /// Compression ratio of .91 encoding when no quality is given.
    public static let defaultLossyRatio: Float = 10

    public init() {}

    public func canDecode(_ d: PixelDescription, syntax: TransferSyntax) -> Bool {
        decodableSyntaxes.contains(syntax.uid) && fitsLibraryDecoder(d)
    }

    public func canEncode(_ d: PixelDescription, syntax: TransferSyntax) -> Bool {
        encodableSyntaxes.contains(syntax.uid) && fitsLibraryEncoder(d, minBitsStored: 1, lossy: syntax == .jpeg2000)
    }

    // MARK: decode

    public func decode(_ frame: [UInt8], description d: PixelDescription, syntax: TransferSyntax) throws -> DecodedFrame {
        try checkSize(d, name)
        let h = try J2KHeader.parse(frame, codec: name)
        guard h.columns == d.columns, h.rows == d.rows else {
            throw PixelError(.frameMismatch, codec: name, "J2K image is \(h.columns)x\(h.rows) but the data set says \(d.columns)x\(d.rows) (PS3.5 8.2.4)")
        }
        guard h.precisions.count == d.samplesPerPixel else {
            throw PixelError(.frameMismatch, codec: name, "J2K codestream has \(h.precisions.count) components but Samples per Pixel is \(d.samplesPerPixel)")
        }
        guard !h.subsampled else { throw PixelError(.unsupportedCoding, codec: name, "subsampled J2K components (XRsiz/YRsiz ≠ 1) are not supported") }
        // HT block coding is HTJ2K (its own transfer syntaxes); refusing it here also keeps hostile
        // frames away from OpenJPEG 2.5.0's HT block decoder, which overflows a heap buffer on a
        // fuzzed 100x100 frame (Tests/Fixtures/fuzz/adapters/j2k-ht-codeblock-overflow.bin).
        guard !h.usesHighThroughput else {
            throw PixelError(
                .unsupportedCoding, codec: name,
                "HTJ2K (ISO 15444-15) block coding in a \(syntax.name) frame; HTJ2K has its own transfer syntaxes (PS3.5 A.4.4)")
        }
        let wordBits = d.bitsAllocated <= 8 ? 8 : 16
        guard let prec = h.precisions.max(), prec <= wordBits, d.bitsAllocated <= 16 else {
            throw PixelError(.frameMismatch, codec: name, "J2K precision \(h.precisions.max() ?? 0) bits does not fit Bits Allocated \(d.bitsAllocated)")
        }
        guard h.tileColumns * h.tileRows <= 65535 else {
            throw PixelError(.malformedFrame, codec: name, "\(h.tileColumns * h.tileRows) tiles exceed the 65535 allowed (ISO 15444-1 A.4.2)")
        }

        let box = StreamBox(input: frame)
        defer { withExtendedLifetime(box) {} }  // declared first, runs last: after the codec and stream are destroyed
        guard let codec = opj_create_decompress(h.isJP2 ? OPJ_CODEC_JP2 : OPJ_CODEC_J2K) else {
            throw PixelError(.libraryFailed, codec: name, "opj_create_decompress failed")
        }
        defer { opj_destroy_codec(codec) }
        box.install(on: codec)
        var params = opj_dparameters_t()
        opj_set_default_decoder_parameters(&params)
        guard opj_setup_decoder(codec, &params) != 0 else { throw box.error(name, "opj_setup_decoder") }
        // Strict mode: a truncated codestream is an error, not a partially decoded (wrong) image.
        guard opj_decoder_set_strict_mode(codec, 1) != 0 else { throw box.error(name, "opj_decoder_set_strict_mode") }
        // 0 worker threads: decode in the calling thread (the transcoder runs frames and files in
        // parallel), whatever OPJ_NUM_THREADS says; 1 would still start a worker thread per call.
        guard opj_codec_set_threads(codec, 0) != 0 else { throw box.error(name, "opj_codec_set_threads") }
        guard let stream = box.makeStream(reading: true) else { throw PixelError(.libraryFailed, codec: name, "opj_stream_create failed") }
        defer { opj_stream_destroy(stream) }

        var imagePtr: UnsafeMutablePointer<opj_image_t>? = nil
        defer { if let i = imagePtr { opj_image_destroy(i) } }
        try withExtendedLifetime(box) {
            guard opj_read_header(stream, codec, &imagePtr) != 0, let image = imagePtr else { throw box.error(name, "opj_read_header") }
            guard opj_decode(codec, stream, image) != 0 else { throw box.error(name, "opj_decode") }
            guard opj_end_decompress(codec, stream) != 0 else { throw box.error(name, "opj_end_decompress") }
        }
        guard let image = imagePtr?.pointee, let comps = image.comps, Int(image.numcomps) == d.samplesPerPixel else {
            throw PixelError(.libraryFailed, codec: name, "OpenJPEG returned \(imagePtr?.pointee.numcomps ?? 0) components, expected \(d.samplesPerPixel)")
        }
        let spp = d.samplesPerPixel
        let n = d.rows * d.columns
        for c in 0..<spp {
            let comp = comps[c]
            guard comp.w == UInt32(d.columns), comp.h == UInt32(d.rows), comp.data != nil, comp.prec <= UInt32(wordBits) else {
                throw PixelError(
                    .libraryFailed, codec: name,
                    "decoded component \(c) is \(comp.w)x\(comp.h) with \(comp.prec) bits, expected \(d.columns)x\(d.rows) in \(wordBits)")
            }
        }
        var out = [UInt8](repeating: 0, count: n * spp * (wordBits / 8))
        out.withUnsafeMutableBufferPointer { o in
            for c in 0..<spp {
                let data = comps[c].data!
                if wordBits == 8 {
                    for i in 0..<n { o[i * spp + c] = UInt8(truncatingIfNeeded: data[i]) }
                } else {
                    for i in 0..<n {
                        let v = UInt16(truncatingIfNeeded: data[i])
                        let k = 2 * (i * spp + c)
                        o[k] = UInt8(truncatingIfNeeded: v); o[k + 1] = UInt8(truncatingIfNeeded: v >> 8)
                    }
                }
            }
        }
        var pi = d.photometricInterpretation
        if spp == 3 && (h.mct != 0 || pi == "YBR_RCT" || pi == "YBR_ICT") { pi = "RGB" }
        return DecodedFrame(bytes: out, photometricInterpretation: pi)
    }

    // MARK: encode

    public func encode(_ frame: [UInt8], description d: PixelDescription, syntax: TransferSyntax, parameters: EncodeParameters) throws -> EncodedFrame {
        guard canEncode(d, syntax: syntax) else { throw PixelError(.cannotEncode, codec: name, "cannot encode \(d) as \(syntax.name)") }
        guard d.rows > 0, d.columns > 0 else { throw PixelError(.invalidDescription, codec: name, "empty frame (0 rows or columns)") }
        let lossy = syntax == .jpeg2000
        let spp = d.samplesPerPixel, n = d.rows * d.columns, bps = d.bytesPerSample
        guard frame.count >= n * spp * bps else {
            throw PixelError(.shortPixelData, codec: name, "frame has \(frame.count) bytes, \(d) needs \(n * spp * bps)")
        }

        var cparams = [opj_image_cmptparm_t](repeating: opj_image_cmptparm_t(), count: spp)
        for c in 0..<spp {
            cparams[c].dx = 1; cparams[c].dy = 1
            cparams[c].w = UInt32(d.columns); cparams[c].h = UInt32(d.rows)
            cparams[c].prec = UInt32(d.bitsStored); cparams[c].sgnd = d.isSigned ? 1 : 0
        }
        let colour = spp == 3 ? OPJ_CLRSPC_SRGB : OPJ_CLRSPC_GRAY
        guard let imagePtr = opj_image_create(UInt32(spp), &cparams, colour) else { throw PixelError(.libraryFailed, codec: name, "opj_image_create failed") }
        defer { opj_image_destroy(imagePtr) }
        imagePtr.pointee.x0 = 0; imagePtr.pointee.y0 = 0
        imagePtr.pointee.x1 = UInt32(d.columns); imagePtr.pointee.y1 = UInt32(d.rows)
        let bits = d.bitsStored
        let mask = bits >= 32 ? UInt32.max : (UInt32(1) << bits) - 1
        let signBit = UInt32(1) << (bits - 1)
        frame.withUnsafeBufferPointer { f in
            for c in 0..<spp {
                let data = imagePtr.pointee.comps[c].data!
                for i in 0..<n {
                    let k = (i * spp + c) * bps
                    var v = UInt32(f[k])
                    if bps == 2 { v |= UInt32(f[k + 1]) << 8 }
                    v &= mask
                    if d.isSigned && v & signBit != 0 { data[i] = Int32(bitPattern: v | ~mask) } else { data[i] = Int32(bitPattern: v) }
                }
            }
        }

        var p = opj_cparameters_t()
        opj_set_default_encoder_parameters(&p)
        p.tcp_numlayers = 1
        p.cp_disto_alloc = 1
        p.tcp_rates.0 = 0  // 0 = lossless layer
        let minSide = min(d.rows, d.columns)
        var levels = 1
        while levels < 6 && (1 << levels) <= minSide { levels += 1 }
        p.numresolution = Int32(levels)
        // Code blocks must fit the lowest resolution's cells no less than OpenJPEG's check; 64x64 is the default and fine.
        let mct = spp == 3 && d.photometricInterpretation == "RGB"
        p.tcp_mct = mct ? 1 : 0
        if lossy {
            p.irreversible = 1
            if let q = parameters.quality {
                p.cp_disto_alloc = 0
                p.cp_fixed_quality = 1
                p.tcp_distoratio.0 = Float(max(1, q))
            } else {
                p.tcp_rates.0 = Self.defaultLossyRatio
            }
        }
        let box = StreamBox(input: [])
        defer { withExtendedLifetime(box) {} }
        guard let codec = opj_create_compress(OPJ_CODEC_J2K) else { throw PixelError(.libraryFailed, codec: name, "opj_create_compress failed") }
        defer { opj_destroy_codec(codec) }
        box.install(on: codec)
        guard opj_setup_encoder(codec, &p, imagePtr) != 0 else { throw box.error(name, "opj_setup_encoder") }
        guard opj_codec_set_threads(codec, 0) != 0 else { throw box.error(name, "opj_codec_set_threads") }
        guard let stream = box.makeStream(reading: false) else { throw PixelError(.libraryFailed, codec: name, "opj_stream_create failed") }
        defer { opj_stream_destroy(stream) }
        try withExtendedLifetime(box) {
            guard opj_start_compress(codec, imagePtr, stream) != 0 else { throw box.error(name, "opj_start_compress") }
            guard opj_encode(codec, stream) != 0 else { throw box.error(name, "opj_encode") }
            guard opj_end_compress(codec, stream) != 0 else { throw box.error(name, "opj_end_compress") }
        }
        let pi: String
        if mct { pi = lossy ? "YBR_ICT" : "YBR_RCT" } else { pi = d.photometricInterpretation }
        return EncodedFrame(bytes: box.output, photometricInterpretation: pi)
    }
}

/// The Swift side of an OpenJPEG memory stream: input bytes and read position, or the growing
/// output, plus the library's error and warning messages. Retained by the caller for the whole
/// life of the stream and codec (`withExtendedLifetime`); the C callbacks get it unretained.
typealias OPJCodec = UnsafeMutablePointer<opj_codec_t?>
typealias OPJStream = UnsafeMutablePointer<opj_stream_t?>

final class StreamBox {
    let input: [UInt8]
    var position = 0
    var output: [UInt8] = []
    var errors: [String] = []
    var warnings: [String] = []

    init(input: [UInt8]) { self.input = input }

    var opaque: UnsafeMutableRawPointer { Unmanaged.passUnretained(self).toOpaque() }
    static func from(_ p: UnsafeMutableRawPointer?) -> StreamBox { Unmanaged<StreamBox>.fromOpaque(p!).takeUnretainedValue() }

    /// opj_set_*_handler only fail for a NULL codec, which callers have ruled out.
    func install(on codec: OPJCodec) {
        _ = opj_set_error_handler(codec, { msg, data in StreamBox.keep(msg, data, in: \.errors) }, opaque)
        _ = opj_set_warning_handler(codec, { msg, data in StreamBox.keep(msg, data, in: \.warnings) }, opaque)
        _ = opj_set_info_handler(codec, nil, nil)
    }

    /// A message handler's body: keeps the first 16 messages of one kind in the box `data` points to.
    private static func keep(_ msg: UnsafePointer<CChar>?, _ data: UnsafeMutableRawPointer?, in list: ReferenceWritableKeyPath<StreamBox, [String]>) {
        guard let msg, let data else { return }
        let box = from(data)
        if box[keyPath: list].count < 16 { box[keyPath: list].append(String(cString: msg).trimmingCharacters(in: .newlines)) }
    }

    /// OpenJPEG's functions return false on failure; its messages (gathered by the error handler) are the cause.
    func error(_ codec: String, _ function: String) -> PixelError {
        let said = errors.joined(separator: "; ")
        return PixelError(
            .libraryFailed, codec: codec, "\(function) failed" + (errors.isEmpty ? "" : ": " + said),
            cause: LibraryCallError(library: "OpenJPEG", function: function, code: 0, message: said))
    }

    func makeStream(reading: Bool) -> OPJStream? {
        guard
            let s = opj_stream_create(
                reading ? max(1, min(input.count, Int(OPJ_J2K_STREAM_CHUNK_SIZE))) : Int(OPJ_J2K_STREAM_CHUNK_SIZE),
                reading ? 1 : 0)
        else { return nil }
        opj_stream_set_user_data(s, opaque, nil)
        if reading {
            opj_stream_set_user_data_length(s, UInt64(input.count))
            opj_stream_set_read_function(s) { buffer, count, data in
                let box = StreamBox.from(data)
                let left = box.input.count - box.position
                guard left > 0, let buffer else { return -1 }  // (OPJ_SIZE_T)-1: end of stream
                let k = min(left, Int(count))
                box.input.withUnsafeBytes { src in
                    buffer.copyMemory(from: src.baseAddress! + box.position, byteCount: k)
                }
                box.position += k
                return k
            }
        } else {
            opj_stream_set_write_function(s) { buffer, count, data in
                let box = StreamBox.from(data)
                guard let buffer else { return -1 }
                let k = Int(count)
                let src = UnsafeRawBufferPointer(start: buffer, count: k)
                let end = box.position + k
                if end > box.output.count { box.output.append(contentsOf: repeatElement(0, count: end - box.output.count)) }
                box.output.withUnsafeMutableBytes { dst in
                    (dst.baseAddress! + box.position).copyMemory(from: src.baseAddress!, byteCount: k)
                }
                box.position = end
                return k
            }
        }
        opj_stream_set_skip_function(s) { delta, data in
            let box = StreamBox.from(data)
            let limit = box.input.isEmpty ? Int.max / 2 : box.input.count
            let target = box.position + Int(delta)
            guard target >= 0, target <= limit else { return -1 }
            box.position = target
            return delta
        }
        opj_stream_set_seek_function(s) { offset, data in
            let box = StreamBox.from(data)
            let limit = box.input.isEmpty ? Int.max / 2 : box.input.count
            guard offset >= 0, Int(offset) <= limit else { return 0 }
            box.position = Int(offset)
            return 1
        }
        return s
    }
}
