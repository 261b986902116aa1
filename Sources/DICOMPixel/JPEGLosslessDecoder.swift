/// A decoded JPEG Lossless image: samples of every component interleaved (colour-by-pixel),
/// before the point transform is undone (ISO/IEC 10918-1 Annex H).
struct JPEGLosslessImage {
    var width: Int
    var height: Int
    var components: Int
    /// Sample precision P of the frame header (H.1.1).
    var precision: Int
    /// Point transform Pt of the scan that coded each component (H.1.2.1): output = sample << Pt.
    var pointTransforms: [Int]
    var samples: [UInt16]
}

/// Parser and entropy decoder of a Process 14 codestream (ISO/IEC 10918-1 Annex B, H.1-H.2).
struct JPEGLosslessDecoder {
    static let codec = "JPEG Lossless"

    /// Decodes one codestream; `expected` (columns, rows, components) is checked against the frame header before anything is allocated.
    static func decode(_ bytes: [UInt8], expected: (width: Int, height: Int, components: Int)? = nil) throws -> JPEGLosslessImage {
        try bytes.withUnsafeBufferPointer { buf in
            guard let base = buf.baseAddress, buf.count >= 2 else {
                throw PixelError(.malformedFrame, codec: codec, "frame has \(buf.count) bytes, too short for a JPEG codestream (ISO 10918-1 B.2)", offset: 0)
            }
            var parser = Parser(base: base, count: buf.count, expected: expected)
            return try parser.run()
        }
    }

    struct Component {
        var id: Int
        var h: Int
        var v: Int
    }

    struct Parser {
        let base: UnsafePointer<UInt8>
        let count: Int
        let expected: (width: Int, height: Int, components: Int)?
        var pos = 0
        var specs = [JPEGLosslessHuffman.Spec?](repeating: nil, count: 4)
        var restartInterval = 0
        var frame: (width: Int, height: Int, precision: Int, components: [Component])?
        var samples: [UInt16] = []
        var pointTransforms: [Int] = []
        var coded: [Bool] = []
        var scans = 0

        init(base: UnsafePointer<UInt8>, count: Int, expected: (width: Int, height: Int, components: Int)?) {
            self.base = base; self.count = count; self.expected = expected
        }

        /// A malformed-frame error unless `code` says otherwise.
        func fail(_ message: String, at offset: Int, _ code: PixelError.Code = .malformedFrame) -> PixelError {
            PixelError(code, codec: JPEGLosslessDecoder.codec, message, offset: offset)
        }

        func u16(_ at: Int) -> Int { Int(base[at]) << 8 | Int(base[at + 1]) }

        mutating func run() throws -> JPEGLosslessImage {
            guard base[0] == 0xFF, base[1] == 0xD8 else {
                throw fail("no SOI marker: frame starts with \(hex(base[0])) \(hex(base[1])), expected FF D8 (ISO 10918-1 B.2.1)", at: 0)
            }
            pos = 2
            while true {
                if pos >= count {
                    // Some encoders leave out EOI; accept that once every component is complete.
                    if let image = try finished() { return image }
                    throw fail("codestream ends before EOI and before all components were coded (ISO 10918-1 B.2.1)", at: pos)
                }
                guard base[pos] == 0xFF else {
                    throw fail("expected a marker, found byte \(hex(base[pos])) (ISO 10918-1 B.1.1.2)", at: pos)
                }
                let markerAt = pos
                while pos < count && base[pos] == 0xFF { pos += 1 }  // fill bytes (B.1.1.2)
                guard pos < count else { throw fail("codestream ends inside a marker (ISO 10918-1 B.1.1.2)", at: markerAt) }
                let marker = base[pos]
                pos += 1
                switch marker {
                case 0xD9:
                    if let image = try finished() { return image }
                    throw fail("EOI before all components were coded (ISO 10918-1 B.2.1)", at: markerAt)
                case 0xD0...0xD7:
                    throw fail("RST\(Int(marker) - 0xD0) marker outside an entropy-coded segment (ISO 10918-1 B.2.1)", at: markerAt)
                case 0x01:
                    continue  // TEM: no segment
                case 0xC3:
                    try readFrame(markerAt)
                case 0xC0, 0xC1, 0xC2, 0xC5, 0xC6, 0xC7, 0xC9, 0xCA, 0xCB, 0xCD, 0xCE, 0xCF:
                    throw fail(
                        "frame marker FF\(hex(marker)) is not Process 14 (lossless, Huffman, non-hierarchical: SOF3 FFC3) (ISO 10918-1 B.1.1.3, H.1)",
                        at: markerAt, .unsupportedCoding)
                case 0xC4:
                    try readHuffmanTables(markerAt)
                case 0xDD:
                    let body = try segment(markerAt)
                    guard body.length == 2 else { throw fail("DRI segment length \(body.length + 2), expected 4 (ISO 10918-1 B.2.4.4)", at: markerAt) }
                    restartInterval = u16(body.start)
                case 0xDA:
                    try readScan(markerAt)
                case 0xDC:
                    throw fail(
                        "DNL marker: number of lines defined after the first scan is not supported (ISO 10918-1 B.2.5)", at: markerAt, .unsupportedCoding)
                case 0xCC:
                    throw fail("DAC marker: arithmetic coding is not Process 14 (ISO 10918-1 B.2.4.3)", at: markerAt, .unsupportedCoding)
                case 0xDE, 0xDF:
                    throw fail("hierarchical-mode marker (DHP/EXP) is not Process 14 (ISO 10918-1 B.3)", at: markerAt, .unsupportedCoding)
                case 0xD8:
                    throw fail("second SOI marker inside the codestream (ISO 10918-1 B.2.1)", at: markerAt)
                default:
                    // APPn, COM, DQT and other segments with a length: skipped (B.2.4.5, B.2.4.6).
                    _ = try segment(markerAt)
                }
            }
        }

        /// The body of a marker segment at `pos` (after the marker): start offset and length without the length field.
        mutating func segment(_ markerAt: Int) throws -> (start: Int, length: Int) {
            guard pos + 2 <= count else { throw fail("codestream ends inside a marker segment length (ISO 10918-1 B.1.1.4)", at: markerAt) }
            let len = u16(pos)
            guard len >= 2 else { throw fail("marker segment length \(len) is less than 2 (ISO 10918-1 B.1.1.4)", at: markerAt) }
            guard pos + len <= count else {
                throw fail("marker segment of \(len) bytes runs past the end of the frame (\(count) bytes) (ISO 10918-1 B.1.1.4)", at: markerAt)
            }
            let start = pos + 2
            pos += len
            return (start, len - 2)
        }

        mutating func readFrame(_ markerAt: Int) throws {
            guard frame == nil else { throw fail("second SOF marker (ISO 10918-1 B.2.2)", at: markerAt) }
            let (s, len) = try segment(markerAt)
            guard len >= 6 else { throw fail("SOF3 segment too short (ISO 10918-1 B.2.2)", at: markerAt) }
            let p = Int(base[s]), y = u16(s + 1), x = u16(s + 3), nf = Int(base[s + 5])
            guard (2...16).contains(p) else { throw fail("sample precision \(p) outside 2-16 (ISO 10918-1 B.2.2, Table B.2)", at: markerAt) }
            guard y > 0 else {
                throw fail("number of lines is 0 (to be given by a DNL marker), not supported (ISO 10918-1 B.2.2, B.2.5)", at: markerAt, .unsupportedCoding)
            }
            guard x > 0 else { throw fail("number of samples per line is 0 (ISO 10918-1 B.2.2)", at: markerAt) }
            guard (1...4).contains(nf) else { throw fail("\(nf) components; Process 14 allows 1-4 here (ISO 10918-1 B.2.2)", at: markerAt) }
            guard len == 6 + 3 * nf else { throw fail("SOF3 length \(len + 2) does not match \(nf) components (ISO 10918-1 B.2.2)", at: markerAt) }
            var comps: [Component] = []
            for i in 0..<nf {
                let c = s + 6 + 3 * i
                let id = Int(base[c]), h = Int(base[c + 1] >> 4), v = Int(base[c + 1] & 15)
                guard (1...4).contains(h), (1...4).contains(v) else {
                    throw fail("component \(id) sampling factors \(h)x\(v) outside 1-4 (ISO 10918-1 B.2.2)", at: markerAt)
                }
                if comps.contains(where: { $0.id == id }) { throw fail("component identifier \(id) appears twice (ISO 10918-1 B.2.2)", at: markerAt) }
                comps.append(Component(id: id, h: h, v: v))
            }
            if comps.contains(where: { $0.h != comps[0].h || $0.v != comps[0].v }) {
                throw fail("components have different sampling factors (subsampled lossless) - not supported", at: markerAt, .unsupportedCoding)
            }
            if let e = expected, e.width != x || e.height != y || e.components != nf {
                throw fail(
                    "frame header says \(x) columns, \(y) rows, \(nf) components; the data set says \(e.width), \(e.height), \(e.components) (PS3.5 8.2.1)",
                    at: markerAt, .frameMismatch)
            }
            let total = x * y * nf
            guard total <= count * 8 else {
                throw fail("\(x)x\(y)x\(nf) samples cannot be coded in a \(count)-byte frame: each takes at least one bit (ISO 10918-1 H.1.2.2)", at: markerAt)
            }
            frame = (x, y, p, comps)
            samples = [UInt16](repeating: 0, count: total)
            pointTransforms = [Int](repeating: 0, count: nf)
            coded = [Bool](repeating: false, count: nf)
        }

        mutating func readHuffmanTables(_ markerAt: Int) throws {
            let (s, len) = try segment(markerAt)
            var p = s
            let end = s + len
            while p < end {
                let tc = Int(base[p] >> 4), th = Int(base[p] & 15)
                guard p + 17 <= end else { throw fail("DHT segment too short for its BITS list (ISO 10918-1 B.2.4.2)", at: p) }
                guard tc <= 1, th <= 3 else { throw fail("DHT table class \(tc) / destination \(th) invalid (ISO 10918-1 B.2.4.2)", at: p) }
                var bits = [Int](repeating: 0, count: 17)
                var total = 0
                for i in 1...16 { bits[i] = Int(base[p + i]); total += bits[i] }
                guard total <= 256 else { throw fail("DHT table has \(total) codes, more than 256 (ISO 10918-1 B.2.4.2)", at: p) }
                guard p + 17 + total <= end else { throw fail("DHT segment too short for its \(total) HUFFVAL entries (ISO 10918-1 B.2.4.2)", at: p) }
                let values = Array(UnsafeBufferPointer(start: base + p + 17, count: total))
                // Lossless scans use DC-class tables (Tc 0); AC-class tables are read and ignored.
                if tc == 0 { specs[th] = JPEGLosslessHuffman.Spec(bits: bits, values: values) }
                p += 17 + total
            }
        }

        mutating func readScan(_ markerAt: Int) throws {
            guard let frame else { throw fail("SOS before SOF3 (ISO 10918-1 B.2.1)", at: markerAt) }
            let (s, len) = try segment(markerAt)
            guard len >= 1 else { throw fail("SOS segment too short (ISO 10918-1 B.2.3)", at: markerAt) }
            let ns = Int(base[s])
            guard (1...4).contains(ns), len == 4 + 2 * ns else {
                throw fail("SOS with \(ns) components and length \(len + 2) (ISO 10918-1 B.2.3)", at: markerAt)
            }
            var compIndex: [Int] = []
            var tables: [JPEGLosslessHuffman.DecodeTable] = []
            for j in 0..<ns {
                let cs = Int(base[s + 1 + 2 * j]), td = Int(base[s + 2 + 2 * j] >> 4)
                guard let ci = frame.components.firstIndex(where: { $0.id == cs }) else {
                    throw fail("scan component \(cs) is not in the frame (ISO 10918-1 B.2.3)", at: markerAt)
                }
                guard !compIndex.contains(ci) else { throw fail("scan lists component \(cs) twice (ISO 10918-1 B.2.3)", at: markerAt) }
                guard !coded[ci] else { throw fail("component \(cs) coded by a second scan (ISO 10918-1 B.2.3)", at: markerAt) }
                guard td <= 3, let spec = specs[td] else {
                    throw fail("scan component \(cs) uses Huffman table \(td), which is not defined (ISO 10918-1 B.2.4.2)", at: markerAt)
                }
                compIndex.append(ci)
                tables.append(try JPEGLosslessHuffman.DecodeTable(spec, index: td))
            }
            let ss = Int(base[s + 1 + 2 * ns]), al = Int(base[s + 3 + 2 * ns] & 15)
            guard (1...7).contains(ss) else {
                throw fail("predictor selection value \(ss) outside 1-7 (ISO 10918-1 H.1.2.1, Table H.1)", at: markerAt)
            }
            guard al < frame.precision else { throw fail("point transform \(al) not below precision \(frame.precision) (ISO 10918-1 H.1.2.1)", at: markerAt) }
            if ns > 1 && frame.components[0].h * frame.components[0].v != 1 {
                throw fail(
                    "interleaved scan with sampling factors \(frame.components[0].h)x\(frame.components[0].v) - not supported", at: markerAt, .unsupportedCoding
                )
            }
            for c in compIndex { pointTransforms[c] = al; coded[c] = true }
            scans += 1
            var reader = JPEGBitReader(data: base, count: count, pos: pos)
            // Decode into a local array (swapped out, no copy) so `self` can be read meanwhile.
            var buffer: [UInt16] = []
            swap(&buffer, &samples)
            defer { swap(&buffer, &samples) }
            try buffer.withUnsafeMutableBufferPointer { out in
                try decodeScan(
                    reader: &reader, out: out.baseAddress!, width: frame.width, height: frame.height,
                    stride: frame.components.count, compIndex: compIndex, tables: tables,
                    predictor: ss, initial: 1 << (frame.precision - al - 1))
            }
            pos = reader.pos
            // Skip to the next marker (bits left over in the last byte, or stray bytes).
            while pos < count {
                if base[pos] == 0xFF && pos + 1 < count && base[pos + 1] != 0 { break }
                pos += 1
            }
        }

        func decodeScan(
            reader r: inout JPEGBitReader, out: UnsafeMutablePointer<UInt16>, width: Int, height: Int, stride: Int,
            compIndex: [Int], tables: [JPEGLosslessHuffman.DecodeTable], predictor: Int,
            initial: Int
        ) throws {
            let ri = restartInterval
            var mcusLeft = ri
            var intervalRow = 0
            var nextRST = 0
            var start = true
            for row in 0..<height {
                var col = 0
                while col < width {
                    if ri > 0 && mcusLeft == 0 {
                        try restart(&r, expected: nextRST, row: row)
                        nextRST = (nextRST + 1) & 7
                        mcusLeft = ri
                        intervalRow = row
                        start = true
                    }
                    let n = ri > 0 ? min(width - col, mcusLeft) : width - col
                    let firstLine = row == intervalRow
                    if compIndex.count == 1 {
                        let t = tables[0]
                        let o = out + compIndex[0]
                        switch predictor {
                        case 1: try JPEGLosslessDecoder.run1(&r, o, t, row, col, n, width, stride, start, firstLine, initial, P1.self)
                        case 2: try JPEGLosslessDecoder.run1(&r, o, t, row, col, n, width, stride, start, firstLine, initial, P2.self)
                        case 3: try JPEGLosslessDecoder.run1(&r, o, t, row, col, n, width, stride, start, firstLine, initial, P3.self)
                        case 4: try JPEGLosslessDecoder.run1(&r, o, t, row, col, n, width, stride, start, firstLine, initial, P4.self)
                        case 5: try JPEGLosslessDecoder.run1(&r, o, t, row, col, n, width, stride, start, firstLine, initial, P5.self)
                        case 6: try JPEGLosslessDecoder.run1(&r, o, t, row, col, n, width, stride, start, firstLine, initial, P6.self)
                        default: try JPEGLosslessDecoder.run1(&r, o, t, row, col, n, width, stride, start, firstLine, initial, P7.self)
                        }
                    } else {
                        try JPEGLosslessDecoder.runN(&r, out, tables, compIndex, predictor, row, col, n, width, stride, start, firstLine, initial)
                    }
                    start = false
                    col += n
                    mcusLeft -= n
                }
                if r.overran {
                    throw fail(
                        "entropy-coded data ends early (marker or end of data) in scan \(scans), line \(row + 1) of \(height) (ISO 10918-1 B.1.1.5)", at: r.pos)
                }
            }
        }

        /// Handles an expected RSTn: drops the bits left in the reader and resets it after the marker (ISO 10918-1 B.2.1, H.1.2.1).
        func restart(_ r: inout JPEGBitReader, expected: Int, row: Int) throws {
            if r.overran {
                throw fail(
                    "entropy-coded data ends early (marker or end of data) in scan \(scans) before RST\(expected), line \(row + 1) (ISO 10918-1 B.1.1.5)",
                    at: r.pos)
            }
            var p = r.pos
            // Stray bytes before the marker are tolerated (as in libjpeg); fill bytes FF are skipped.
            while p < count && !(base[p] == 0xFF && p + 1 < count && base[p + 1] != 0 && base[p + 1] != 0xFF) { p += 1 }
            guard p + 1 < count else {
                throw fail("entropy-coded data ends where RST\(expected) was expected (line \(row + 1)) (ISO 10918-1 B.2.1)", at: p)
            }
            let m = Int(base[p + 1])
            guard m == 0xD0 + expected else {
                throw fail("expected RST\(expected), found marker FF\(hex(UInt8(m))) (line \(row + 1)) (ISO 10918-1 B.2.1, E.1.4)", at: p)
            }
            r = JPEGBitReader(data: base, count: count, pos: p + 2)
        }
    }
}

extension JPEGLosslessDecoder.Parser {
    /// The image, when every component has been coded; nil otherwise.
    mutating func finished() throws -> JPEGLosslessImage? {
        guard let frame else {
            throw fail("no SOF3 frame header before the end of the codestream (ISO 10918-1 B.2.1)", at: pos)
        }
        guard coded.allSatisfy({ $0 }) else { return nil }
        return JPEGLosslessImage(
            width: frame.width, height: frame.height, components: frame.components.count,
            precision: frame.precision, pointTransforms: pointTransforms, samples: samples)
    }
}

/// Two upper-case hex digits.
private func hex(_ b: UInt8) -> String {
    let d = Array("0123456789ABCDEF")
    return String([d[Int(b >> 4)], d[Int(b & 15)]])
}
