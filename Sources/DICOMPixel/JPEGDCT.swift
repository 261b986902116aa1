import DICOMCore

/// Sequential Huffman DCT JPEG decoder, baseline and extended (ISO 10918-1 processes 1, 2 and 4:
/// SOF0/SOF1, 8- and 12-bit), for JPEG Baseline .50 and JPEG Extended .51 (PS3.5 §8.2.1, §A.4.1).
///
/// Debian 12's libjpeg-turbo 2.1.5 has no 12-bit support, so `canDecode` claims .51 frames with Bits Stored
/// above 8; 8-bit frames decode as well (a fallback and a test oracle). The inverse DCT is the accurate
/// integer one of the IJG library (jidctint), upsampling is IJG's "fancy" triangle filter for 2:1 and
/// replication otherwise, and YCbCr→RGB uses IJG's fixed-point tables, so results match DCMTK's dcmdjpeg.
/// Progressive, lossless, arithmetic-coded and hierarchical processes are refused with a CodecError.
public struct JPEGExtendedCodec: PixelCodec {
    public let name = "JPEG DCT"
    public let decodableSyntaxes: Set<String> = [TransferSyntax.jpegBaseline.uid, TransferSyntax.jpegExtended.uid]
    public let encodableSyntaxes: Set<String> = []

    public init() {}

    /// True for JPEG Extended frames of more than 8 bits (what libjpeg-turbo 2.1 cannot decode) (PS3.5 §8.2.1).
    public func canDecode(_ d: PixelDescription, syntax: TransferSyntax) -> Bool {
        // Bits Stored above 12 is inconsistent with a 12-bit stream but occurs; the stream's precision decides in decode.
        syntax == .jpegExtended && d.bitsStored > 8 && d.bitsAllocated == 16 && (d.samplesPerPixel == 1 || d.samplesPerPixel == 3)
    }

    public func canEncode(_ description: PixelDescription, syntax: TransferSyntax) -> Bool { false }

    public func decode(_ frame: [UInt8], description d: PixelDescription, syntax: TransferSyntax) throws -> DecodedFrame {
        guard decodableSyntaxes.contains(syntax.uid) else {
            throw CodecError(name, "transfer syntax \(syntax.name) (\(syntax.uid)) is not a sequential DCT JPEG syntax")
        }
        var dec = JPEGDCTDecoder(data: frame)
        try frame.withUnsafeBufferPointer { try dec.run($0) }
        return try dec.output(description: d)
    }

    public func encode(_ frame: [UInt8], description: PixelDescription, syntax: TransferSyntax, parameters: EncodeParameters) throws -> EncodedFrame {
        throw CodecError(name, "this codec only decodes; no JPEG DCT encoder here")
    }
}

/// A Huffman table prepared for decoding (ISO 10918-1 C.2, F.2.2.3) with a 9-bit lookahead.
struct JPEGHuffman {
    static let lookBits = 9
    /// (length << 8) | value for codes of at most `lookBits` bits; 0 = longer code.
    var look = [UInt16](repeating: 0, count: 1 << lookBits)
    /// maxcode[l]: largest code of length l, or -1; valptr[l]: index in `values` of the first code of length l.
    var maxcode = [Int32](repeating: -1, count: 18)
    var mincode = [Int32](repeating: 0, count: 17)
    var valptr = [Int32](repeating: 0, count: 17)
    var values: [UInt8] = []

    init(counts: [Int], values: [UInt8]) throws {
        self.values = values
        var code: Int32 = 0
        var k = 0
        for l in 1...16 {
            let n = counts[l - 1]
            if n > 0 {
                valptr[l] = Int32(k)
                mincode[l] = code
                code += Int32(n)
                k += n
                maxcode[l] = code - 1
                // Codes of length l must fit in l bits (C.2).
                if code > (1 << l) { throw CodecError("JPEG DCT", "Huffman table has more codes of length \(l) than fit (ISO 10918-1 C.2)") }
                if l <= Self.lookBits {
                    for c in mincode[l]...maxcode[l] {
                        let first = Int(c) << (Self.lookBits - l)
                        let entry = UInt16(l << 8) | UInt16(values[Int(valptr[l] + c - mincode[l])])
                        for j in 0..<(1 << (Self.lookBits - l)) { look[first + j] = entry }
                    }
                }
            }
            code <<= 1
        }
        maxcode[17] = Int32.max  // sentinel: past 16 bits is an error
    }
}

struct JPEGComponent {
    var id: Int
    var h: Int
    var v: Int
    var tq: Int
    /// Table selectors of the current scan.
    var td = 0, ta = 0
    /// Blocks across/down in the padded plane, and the component's own size in samples (A.1.1).
    var blocksW = 0, blocksH = 0
    var width = 0, height = 0
    var plane = JPEGPlane(count: 0)
    var pred = 0
    var decoded = false
}

/// A component's sample plane, padded to whole blocks; owned memory so the scan loop can write through a pointer.
final class JPEGPlane {
    let p: UnsafeMutablePointer<UInt16>
    let count: Int
    init(count: Int) {
        self.count = count
        p = UnsafeMutablePointer<UInt16>.allocate(capacity: max(count, 1))
        p.initialize(repeating: 0, count: max(count, 1))
    }
    deinit { p.deallocate() }
}

/// The Huffman tables of one scan in flat memory: slot s has a 2^9 lookahead table, maxcode, value offsets, values.
struct JPEGFlatTables {
    let look: UnsafeMutablePointer<UInt16>
    let maxcode: UnsafeMutablePointer<Int32>
    let valoff: UnsafeMutablePointer<Int32>
    let values: UnsafeMutablePointer<UInt8>
    final class Owner {
        var ptrs: [UnsafeMutableRawPointer] = []
        deinit { for p in ptrs { p.deallocate() } }
    }
    let owner = Owner()

    init(_ tables: [JPEGHuffman]) {
        let n = tables.count
        look = .allocate(capacity: n << JPEGHuffman.lookBits)
        maxcode = .allocate(capacity: n * 18)
        valoff = .allocate(capacity: n * 18)
        values = .allocate(capacity: n * 256)
        values.initialize(repeating: 0, count: n * 256)
        owner.ptrs = [UnsafeMutableRawPointer(look), UnsafeMutableRawPointer(maxcode), UnsafeMutableRawPointer(valoff), UnsafeMutableRawPointer(values)]
        for (i, t) in tables.enumerated() {
            for j in 0..<(1 << JPEGHuffman.lookBits) { look[(i << JPEGHuffman.lookBits) + j] = t.look[j] }
            for l in 0..<18 {
                maxcode[i * 18 + l] = t.maxcode[l]
                valoff[i * 18 + l] = l <= 16 ? t.valptr[l] - t.mincode[l] : 0
            }
            for (k, v) in t.values.enumerated() where k < 256 { values[i * 256 + k] = v }
        }
    }
}

/// Entropy-coded data reader: 0xFF00 unstuffing; at a marker or the end it supplies zero bits and counts them (F.2.2.5).
struct JPEGBitReader {
    let data: UnsafePointer<UInt8>
    let count: Int
    var pos: Int
    var bits: UInt64 = 0
    var nbits = 0
    /// Zero bits appended past a marker or the end of data; consuming them means the data is truncated.
    var padBits = 0

    init(data: UnsafePointer<UInt8>, count: Int, pos: Int) { self.data = data; self.count = count; self.pos = pos }

    @inline(__always)
    mutating func fill() {
        while nbits <= 56 {
            var b: UInt8 = 0
            if pos < count && padBits == 0 {
                b = data[pos]
                if b == 0xFF {
                    let next: UInt8 = pos + 1 < count ? data[pos + 1] : 0xD9
                    if next == 0x00 { pos += 2 } else { padBits += 8; b = 0 }  // a marker: stay on it
                } else {
                    pos += 1
                }
            } else {
                padBits += 8
            }
            bits |= UInt64(b) << UInt64(56 - nbits)
            nbits += 8
        }
    }

    @inline(__always)
    mutating func receive(_ n: Int) -> Int {
        if n == 0 { return 0 }
        if nbits < n { fill() }
        let v = Int(bits >> UInt64(64 - n))
        bits <<= UInt64(n)
        nbits -= n
        return v
    }

    /// DECODE (F.2.2.3) with a 9-bit lookahead; -1 for a code longer than 16 bits.
    @inline(__always)
    mutating func decode(_ t: JPEGFlatTables, _ slot: Int) -> Int {
        if nbits < 16 { fill() }
        let entry = t.look[(slot << JPEGHuffman.lookBits) + Int(bits >> UInt64(64 - JPEGHuffman.lookBits))]
        if entry != 0 {
            let l = Int(entry >> 8)
            bits <<= UInt64(l); nbits -= l
            return Int(entry & 0xFF)
        }
        return decodeLong(t, slot)
    }

    /// Codes longer than the lookahead (F.2.2.3 DECODE, bit by bit from maxcode).
    @inline(never)
    mutating func decodeLong(_ t: JPEGFlatTables, _ slot: Int) -> Int {
        var l = JPEGHuffman.lookBits + 1
        var code = Int32(truncatingIfNeeded: bits >> UInt64(64 - l))
        while l <= 16 && code > t.maxcode[slot * 18 + l] {
            l += 1
            code = Int32(truncatingIfNeeded: bits >> UInt64(64 - l))
        }
        guard l <= 16 else { return -1 }
        bits <<= UInt64(l); nbits -= l
        let idx = Int(t.valoff[slot * 18 + l] + code)
        guard idx >= 0, idx < 256 else { return -1 }
        return Int(t.values[slot * 256 + idx])
    }

    /// Moves to the next marker after entropy-coded data, dropping leftover bits (B.1.1.5).
    mutating func skipToMarker() {
        bits = 0; nbits = 0; padBits = 0
        while pos + 1 < count && !(data[pos] == 0xFF && data[pos + 1] != 0x00 && data[pos + 1] != 0xFF) { pos += 1 }
        if pos + 1 >= count { pos = count }
    }
}

/// Parser and entropy decoder state of one frame.
struct JPEGDCTDecoder {
    let count: Int
    var precision = 0
    var width = 0, height = 0
    var components: [JPEGComponent] = []
    var hmax = 1, vmax = 1, mcusX = 0, mcusY = 0
    var quant = [[Int32]?](repeating: nil, count: 4)
    var dcTables = [JPEGHuffman?](repeating: nil, count: 4)
    var acTables = [JPEGHuffman?](repeating: nil, count: 4)
    var restartInterval = 0
    var adobeTransform: Int?
    var sawJFIF = false
    var sawFrame = false
    var sawEOI = false
    static let codec = "JPEG DCT"

    /// Read position in the frame.
    var pos = 0

    init(data: [UInt8]) { count = data.count }

    func err(_ msg: String, _ at: Int? = nil) -> CodecError { CodecError(Self.codec, msg, offset: at) }

    static let zigzag: [Int] = [
        0, 1, 8, 16, 9, 2, 3, 10, 17, 24, 32, 25, 18, 11, 4, 5, 12, 19, 26, 33, 40, 48, 41, 34, 27, 20, 13, 6, 7, 14, 21, 28,
        35, 42, 49, 56, 57, 50, 43, 36, 29, 22, 15, 23, 30, 37, 44, 51, 58, 59, 52, 45, 38, 31, 39, 46, 53, 60, 61, 54, 47, 55, 62, 63,
    ]

    static func processName(_ m: UInt8) -> String {
        switch m {
        case 0xC2: return "progressive DCT, Huffman (SOF2, processes 10-12)"
        case 0xC3: return "lossless, Huffman (SOF3, process 14)"
        case 0xC5, 0xC6, 0xC7: return "hierarchical (SOF\(m - 0xC0))"
        case 0xC9, 0xCA, 0xCB: return "arithmetic coding (SOF\(m - 0xC0))"
        case 0xCD, 0xCE, 0xCF: return "hierarchical arithmetic coding (SOF\(m - 0xC0))"
        default: return String(format: "marker %02X", m)
        }
    }

    // MARK: Markers

    mutating func run(_ p: UnsafeBufferPointer<UInt8>) throws {
        guard count >= 4, p[0] == 0xFF, p[1] == 0xD8 else { throw err("frame does not start with a JPEG SOI marker (ISO 10918-1 B.2.1)", 0) }
        pos = 2
        while !sawEOI {
            // Markers may be preceded by fill bytes 0xFF (B.1.1.2).
            guard pos + 1 < count else {
                if sawFrame && components.allSatisfy({ $0.decoded }) { return }  // missing EOI: tolerated like IJG
                throw err("JPEG data ends before EOI (ISO 10918-1 B.2.1)", pos)
            }
            guard p[pos] == 0xFF else { throw err(String(format: "expected a marker, found byte %02X (ISO 10918-1 B.1.1.2)", p[pos]), pos) }
            var m = p[pos + 1]
            pos += 2
            while m == 0xFF {
                guard pos < count else { throw err("JPEG data ends inside fill bytes", pos) }
                m = p[pos]; pos += 1
            }
            let markerAt = pos - 2
            switch m {
            case 0xD9: sawEOI = true; continue
            case 0xD8: throw err("second SOI marker (ISO 10918-1 B.2.1)", markerAt)
            case 0x01, 0xD0...0xD7: continue  // TEM, stray RST: no segment
            default: break
            }
            guard pos + 2 <= count else { throw err(String(format: "marker %02X has no length", m), markerAt) }
            let len = Int(p[pos]) << 8 | Int(p[pos + 1])
            guard len >= 2, pos + len <= count else { throw err(String(format: "marker %02X segment length %d runs past the end (%d bytes)", m, len, count), pos) }
            let seg = pos + 2, segEnd = pos + len
            pos = segEnd
            switch m {
            case 0xC0, 0xC1: try readFrame(p, seg, segEnd, markerAt)
            case 0xC2, 0xC3, 0xC5...0xC7, 0xC9...0xCB, 0xCD...0xCF:
                throw err("unsupported JPEG process: \(Self.processName(m)); this decoder handles sequential Huffman DCT (SOF0/SOF1) only", markerAt)
            case 0xC4: try readHuffman(p, seg, segEnd)
            case 0xCC: throw err("unsupported JPEG process: arithmetic coding conditioning (DAC)", markerAt)
            case 0xDB: try readQuant(p, seg, segEnd)
            case 0xDD:
                guard len == 4 else { throw err("DRI length \(len), 4 expected (ISO 10918-1 B.2.4.4)", markerAt) }
                restartInterval = Int(p[seg]) << 8 | Int(p[seg + 1])
            case 0xDA: try readScan(p, seg, segEnd, markerAt)
            case 0xDC: throw err("DNL marker (height defined after the scan) is not supported (ISO 10918-1 B.2.5)", markerAt)
            case 0xE0:
                if len >= 7 && p[seg] == 0x4A && p[seg + 1] == 0x46 && p[seg + 2] == 0x49 && p[seg + 3] == 0x46 && p[seg + 4] == 0 { sawJFIF = true }
            case 0xEE:
                // Adobe APP14: "Adobe", version(2), flags0(2), flags1(2), transform(1).
                if len >= 14 && p[seg] == 0x41 && p[seg + 1] == 0x64 && p[seg + 2] == 0x6F && p[seg + 3] == 0x62 && p[seg + 4] == 0x65 {
                    adobeTransform = Int(p[seg + 11])
                }
            default: break  // APPn, COM, and others are skipped
            }
        }
        guard sawFrame else { throw err("no SOF marker before EOI", nil) }
    }

    mutating func readFrame(_ p: UnsafeBufferPointer<UInt8>, _ s: Int, _ e: Int, _ at: Int) throws {
        guard !sawFrame else { throw err("second SOF marker: hierarchical or malformed JPEG", at) }
        guard e - s >= 6 else { throw err("SOF segment too short", at) }
        precision = Int(p[s])
        guard precision == 8 || precision == 12 else { throw err("sample precision \(precision) bits; sequential DCT allows 8 or 12 (ISO 10918-1 B.2.2)", s) }
        height = Int(p[s + 1]) << 8 | Int(p[s + 2])
        width = Int(p[s + 3]) << 8 | Int(p[s + 4])
        let nf = Int(p[s + 5])
        guard height > 0 else { throw err("frame height 0 (defined by DNL) is not supported (ISO 10918-1 B.2.5)", s + 1) }
        guard width > 0 else { throw err("frame width 0 (ISO 10918-1 B.2.2)", s + 3) }
        guard nf == 1 || nf == 3 else { throw err("\(nf) components; 1 or 3 supported", s + 5) }
        guard e - s == 6 + 3 * nf else { throw err("SOF length does not match \(nf) components (ISO 10918-1 B.2.2)", at) }
        for i in 0..<nf {
            let o = s + 6 + 3 * i
            let h = Int(p[o + 1] >> 4), v = Int(p[o + 1] & 15), tq = Int(p[o + 2])
            guard (1...4).contains(h), (1...4).contains(v), tq < 4 else {
                throw err("component \(i + 1): sampling \(h)x\(v) or table \(tq) out of range (ISO 10918-1 B.2.2)", o)
            }
            if components.contains(where: { $0.id == Int(p[o]) }) { throw err("duplicate component id \(p[o])", o) }
            components.append(JPEGComponent(id: Int(p[o]), h: h, v: v, tq: tq))
        }
        hmax = components.map(\.h).max()!
        vmax = components.map(\.v).max()!
        if nf > 1 && components.map({ $0.h * $0.v }).reduce(0, +) > 10 {
            throw err("more than 10 blocks per MCU (ISO 10918-1 B.2.3)", at)
        }
        mcusX = (width + 8 * hmax - 1) / (8 * hmax)
        mcusY = (height + 8 * vmax - 1) / (8 * vmax)
        for i in components.indices {
            components[i].blocksW = mcusX * components[i].h
            components[i].blocksH = mcusY * components[i].v
            components[i].width = (width * components[i].h + hmax - 1) / hmax
            components[i].height = (height * components[i].v + vmax - 1) / vmax
            components[i].plane = JPEGPlane(count: components[i].blocksW * 8 * components[i].blocksH * 8)
        }
        sawFrame = true
    }

    mutating func readQuant(_ p: UnsafeBufferPointer<UInt8>, _ s: Int, _ e: Int) throws {
        var o = s
        while o < e {
            let pq = Int(p[o] >> 4), tq = Int(p[o] & 15)
            o += 1
            guard pq <= 1, tq < 4 else { throw err("DQT precision \(pq) or table \(tq) out of range (ISO 10918-1 B.2.4.1)", o - 1) }
            let size = pq == 0 ? 64 : 128
            guard e - o >= size else { throw err("DQT table \(tq) is cut short", o) }
            var t = [Int32](repeating: 0, count: 64)
            for k in 0..<64 {
                let q = pq == 0 ? Int32(p[o + k]) : Int32(p[o + 2 * k]) << 8 | Int32(p[o + 2 * k + 1])
                t[Self.zigzag[k]] = q
            }
            quant[tq] = t
            o += size
        }
    }

    mutating func readHuffman(_ p: UnsafeBufferPointer<UInt8>, _ s: Int, _ e: Int) throws {
        var o = s
        while o < e {
            guard e - o >= 17 else { throw err("DHT segment cut short (ISO 10918-1 B.2.4.2)", o) }
            let tc = Int(p[o] >> 4), th = Int(p[o] & 15)
            guard tc <= 1, th < 4 else { throw err("DHT class \(tc) or table \(th) out of range (ISO 10918-1 B.2.4.2)", o) }
            var counts: [Int] = []
            for l in 0..<16 { counts.append(Int(p[o + 1 + l])) }
            let total = counts.reduce(0, +)
            o += 17
            guard total <= 256, e - o >= total else { throw err("DHT table has \(total) values, more than the segment holds", o) }
            let values = Array(UnsafeBufferPointer(rebasing: p[o..<(o + total)]))
            o += total
            let table = try JPEGHuffman(counts: counts, values: values)
            if tc == 0 { dcTables[th] = table } else { acTables[th] = table }
        }
    }

    // MARK: Scans

    mutating func readScan(_ p: UnsafeBufferPointer<UInt8>, _ s: Int, _ e: Int, _ at: Int) throws {
        guard sawFrame else { throw err("SOS before SOF (ISO 10918-1 B.2.1)", at) }
        guard e - s >= 1 else { throw err("SOS segment too short", at) }
        let ns = Int(p[s])
        guard ns >= 1, ns <= components.count, e - s == 1 + 2 * ns + 3 else {
            throw err("SOS with \(ns) components does not match its length or the frame (ISO 10918-1 B.2.3)", at)
        }
        var scan: [Int] = []
        for i in 0..<ns {
            let o = s + 1 + 2 * i
            guard let ci = components.firstIndex(where: { $0.id == Int(p[o]) }) else { throw err("SOS names component \(p[o]), not in the frame", o) }
            guard !scan.contains(ci) else { throw err("SOS names component \(p[o]) twice", o) }
            let td = Int(p[o + 1] >> 4), ta = Int(p[o + 1] & 15)
            guard td < 4, ta < 4, dcTables[td] != nil, acTables[ta] != nil else {
                throw err("SOS component \(p[o]) uses Huffman tables DC\(td)/AC\(ta) that are not defined (ISO 10918-1 B.2.4.2)", o)
            }
            guard quant[components[ci].tq] != nil else { throw err("component \(p[o]) uses quantization table \(components[ci].tq) that is not defined", o) }
            components[ci].td = td; components[ci].ta = ta
            scan.append(ci)
        }
        let ss = Int(p[e - 3]), se = Int(p[e - 2]), ah = Int(p[e - 1] >> 4), al = Int(p[e - 1] & 15)
        guard ss == 0, se == 63, ah == 0, al == 0 else {
            throw err("scan Ss=\(ss) Se=\(se) Ah=\(ah) Al=\(al) is not sequential DCT (0, 63, 0, 0) (ISO 10918-1 B.2.3)", e - 3)
        }
        if ns > 1 && scan.map({ components[$0].h * components[$0].v }).reduce(0, +) > 10 {
            throw err("more than 10 blocks per MCU in the scan (ISO 10918-1 B.2.3)", at)
        }
        try decodeScan(p, scan)
        for ci in scan { components[ci].decoded = true }
    }

    /// EXTEND (F.2.2.1): a magnitude category value to a signed difference.
    @inline(__always)
    static func extend(_ v: Int, _ t: Int) -> Int { t == 0 ? 0 : (v < (1 << (t - 1)) ? v - (1 << t) + 1 : v) }

    mutating func decodeScan(_ p: UnsafeBufferPointer<UInt8>, _ scan: [Int]) throws {
        guard let base = p.baseAddress else { throw err("empty frame") }
        for ci in scan { components[ci].pred = 0 }
        let limit = JPEGIDCT.rangeLimit(precision: precision)
        let pass1 = precision == 8 ? 2 : 1
        let single = scan.count == 1
        // Non-interleaved scans cover the component's own blocks only (A.2.2).
        let unitsX = single ? (components[scan[0]].width + 7) / 8 : mcusX
        let unitsY = single ? (components[scan[0]].height + 7) / 8 : mcusY
        let total = unitsX * unitsY
        // Flat copies of this scan's tables: slot 2·i for component i's DC table, 2·i+1 for its AC table.
        let tables = JPEGFlatTables(scan.flatMap { [dcTables[components[$0].td]!, acTables[components[$0].ta]!] })
        var reader = JPEGBitReader(data: base, count: count, pos: pos)
        let coef = UnsafeMutablePointer<Int32>.allocate(capacity: 64)
        defer { coef.deallocate() }
        let quantFlat = UnsafeMutablePointer<Int32>.allocate(capacity: 64 * scan.count)
        defer { quantFlat.deallocate() }
        for (si, ci) in scan.enumerated() { for k in 0..<64 { quantFlat[si * 64 + k] = quant[components[ci].tq]![k] } }
        let zz = Self.zigzag
        var preds = scan.map { _ in 0 }
        let hs = scan.map { single ? 1 : components[$0].h }, vs = scan.map { single ? 1 : components[$0].v }
        let compH = scan.map { components[$0].h }, compV = scan.map { components[$0].v }
        let strides = scan.map { components[$0].blocksW * 8 }
        let planes = scan.map { components[$0].plane.p }
        var restartsSeen = 0
        try zz.withUnsafeBufferPointer { zig in
            try limit.withUnsafeBufferPointer { lim in
                let qb = UnsafeBufferPointer(start: quantFlat, count: 64 * scan.count)
                let cb = UnsafeMutableBufferPointer(start: coef, count: 64)
                for unit in 0..<total {
                    if restartInterval > 0 && unit > 0 && unit % restartInterval == 0 {
                        if reader.nbits < reader.padBits { throw err("entropy-coded data ends early before restart \(restartsSeen) (ISO 10918-1 F.2.2.5)", reader.pos) }
                        reader.skipToMarker()
                        let at = reader.pos
                        guard at + 1 < count, p[at + 1] == 0xD0 + UInt8(restartsSeen & 7) else {
                            throw err("expected RST\(restartsSeen & 7) marker, found " +
                                      (at + 1 < count ? String(format: "%02X%02X", p[at], p[at + 1]) : "end of data") + " (ISO 10918-1 F.2.2.5)", at)
                        }
                        reader.pos += 2
                        restartsSeen += 1
                        for i in preds.indices { preds[i] = 0 }
                    }
                    let mx = unit % unitsX, my = unit / unitsX
                    for si in 0..<scan.count {
                        let dcSlot = 2 * si, acSlot = 2 * si + 1
                        for by in 0..<vs[si] {
                            for bx in 0..<hs[si] {
                                coef.initialize(repeating: 0, count: 64)
                                // DC (F.2.2.1).
                                let t = reader.decode(tables, dcSlot)
                                guard t >= 0 else { throw err("invalid Huffman code in the entropy-coded data (ISO 10918-1 F.2.2.3)", reader.pos) }
                                guard t <= 16 else { throw err("DC difference category \(t) is out of range (ISO 10918-1 F.1.2.1)", reader.pos) }
                                preds[si] = preds[si] &+ Self.extend(reader.receive(t), t)
                                coef[0] = Int32(truncatingIfNeeded: preds[si])
                                // AC (F.2.2.2).
                                var k = 1
                                var hasAC = false
                                while k < 64 {
                                    let rs = reader.decode(tables, acSlot)
                                    guard rs >= 0 else { throw err("invalid Huffman code in the entropy-coded data (ISO 10918-1 F.2.2.3)", reader.pos) }
                                    let r = rs >> 4, s = rs & 15
                                    if s == 0 {
                                        if r == 15 { k += 16; continue }
                                        break
                                    }
                                    k += r
                                    guard k < 64 else { throw err("AC coefficient run passes the end of the block (ISO 10918-1 F.2.2.2)", reader.pos) }
                                    coef[zig[k]] = Int32(truncatingIfNeeded: Self.extend(reader.receive(s), s))
                                    hasAC = true
                                    k += 1
                                }
                                if k > 64 { throw err("AC coefficient run passes the end of the block (ISO 10918-1 F.2.2.2)", reader.pos) }
                                let bxAbs = single ? mx : mx * compH[si] + bx
                                let byAbs = single ? my : my * compV[si] + by
                                let stride = strides[si]
                                let dst = planes[si] + (byAbs * 8 * stride + bxAbs * 8)
                                if hasAC {
                                    JPEGIDCT.islow(cb, UnsafeBufferPointer(rebasing: qb[(si * 64)..<(si * 64 + 64)]), dst, stride, pass1: pass1, limit: lim)
                                } else {
                                    // DC only: jidctint's result is one value for the whole block.
                                    let v = lim[(((Int(coef[0]) &* Int(qb[si * 64])) &<< pass1 &+ (1 << (pass1 + 2))) >> (pass1 + 3)) & (lim.count - 1)]
                                    for r in 0..<8 { (dst + r * stride).initialize(repeating: v, count: 8) }
                                }
                            }
                        }
                    }
                }
            }
        }
        if reader.nbits < reader.padBits { throw err("entropy-coded data ends early: truncated frame or a marker inside the scan (ISO 10918-1 F.2.2.5)", reader.pos) }
        reader.skipToMarker()
        pos = reader.pos
    }

    // MARK: Output

    /// Upsamples, converts colour as decided, and writes native words (PS3.5 §8.2.1).
    func output(description d: PixelDescription) throws -> DecodedFrame {
        guard d.rows == height, d.columns == width else {
            throw err("JPEG frame is \(width)x\(height) but the data set says \(d.columns)x\(d.rows) (PS3.5 §8.2.1)")
        }
        guard d.samplesPerPixel == components.count else {
            throw err("JPEG frame has \(components.count) components but Samples per Pixel is \(d.samplesPerPixel) (PS3.5 §8.2.1)")
        }
        guard d.bitsAllocated >= precision, d.bitsAllocated <= 16 else {
            throw err("JPEG sample precision \(precision) does not fit Bits Allocated \(d.bitsAllocated) (PS3.5 §8.2.1)")
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
