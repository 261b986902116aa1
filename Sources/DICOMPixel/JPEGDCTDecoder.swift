import DICOMCore

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

    /// A malformed-frame error unless `code` says otherwise.
    func err(_ msg: String, _ at: Int? = nil, _ code: PixelError.Code = .malformedFrame) -> PixelError {
        PixelError(code, codec: Self.codec, msg, offset: at)
    }

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
            guard len >= 2, pos + len <= count else {
                throw err(String(format: "marker %02X segment length %d runs past the end (%d bytes)", m, len, count), pos)
            }
            let seg = pos + 2, segEnd = pos + len
            pos = segEnd
            switch m {
            case 0xC0, 0xC1: try readFrame(p, seg, segEnd, markerAt)
            case 0xC2, 0xC3, 0xC5...0xC7, 0xC9...0xCB, 0xCD...0xCF:
                throw err(
                    "unsupported JPEG process: \(Self.processName(m)); this decoder handles sequential Huffman DCT (SOF0/SOF1) only", markerAt,
                    .unsupportedCoding)
            case 0xC4: try readHuffman(p, seg, segEnd)
            case 0xCC: throw err("unsupported JPEG process: arithmetic coding conditioning (DAC)", markerAt, .unsupportedCoding)
            case 0xDB: try readQuant(p, seg, segEnd)
            case 0xDD:
                guard len == 4 else { throw err("DRI length \(len), 4 expected (ISO 10918-1 B.2.4.4)", markerAt) }
                restartInterval = Int(p[seg]) << 8 | Int(p[seg + 1])
            case 0xDA: try readScan(p, seg, segEnd, markerAt)
            case 0xDC: throw err("DNL marker (height defined after the scan) is not supported (ISO 10918-1 B.2.5)", markerAt, .unsupportedCoding)
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
        guard height > 0 else { throw err("frame height 0 (defined by DNL) is not supported (ISO 10918-1 B.2.5)", s + 1, .unsupportedCoding) }
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
                        if reader.overran { throw err("entropy-coded data ends early before restart \(restartsSeen) (ISO 10918-1 F.2.2.5)", reader.pos) }
                        reader.skipToMarker()
                        let at = reader.pos
                        guard at + 1 < count, p[at + 1] == 0xD0 + UInt8(restartsSeen & 7) else {
                            throw err(
                                "expected RST\(restartsSeen & 7) marker, found "
                                    + (at + 1 < count ? String(format: "%02X%02X", p[at], p[at + 1]) : "end of data") + " (ISO 10918-1 F.2.2.5)", at)
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
                                preds[si] = preds[si] &+ jpegExtend(reader.receive(t), t)
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
                                    coef[zig[k]] = Int32(truncatingIfNeeded: jpegExtend(reader.receive(s), s))
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
        if reader.overran { throw err("entropy-coded data ends early: truncated frame or a marker inside the scan (ISO 10918-1 F.2.2.5)", reader.pos) }
        reader.skipToMarker()
        pos = reader.pos
    }
}
