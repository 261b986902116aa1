import DICOMCore

/// Builds dcmdump-style lines into a byte buffer.
struct LineWriter {
    var out: [UInt8] = []
    static let width = 54

    mutating func raw(_ s: String) { out.append(contentsOf: s.utf8) }

    mutating func tag(_ t: Tag) {
        @inline(__always) func d(_ n: UInt16) -> UInt8 { n < 10 ? 0x30 + UInt8(n) : 0x37 + UInt8(n) }
        let g = t.group, e = t.element
        out.append(contentsOf: [
            0x28, d(g >> 12), d(g >> 8 & 0xF), d(g >> 4 & 0xF), d(g & 0xF), 0x2C,
            d(e >> 12), d(e >> 8 & 0xF), d(e >> 4 & 0xF), d(e & 0xF), 0x29,
        ])
    }

    mutating func tail(_ lineStart: Int, _ columnsFromBytes: Int, _ length: String, _ vm: Int, _ keyword: String) {
        let n = columnsFromBytes
        if n < Self.width { out.append(contentsOf: repeatElement(0x20, count: Self.width - n)) }
        out.append(contentsOf: [0x20, 0x23, 0x20])
        if length.utf8.count < 4 { out.append(contentsOf: repeatElement(0x20, count: 4 - length.utf8.count)) }
        out.append(contentsOf: length.utf8)
        out.append(contentsOf: [0x2C, 0x20])
        out.append(contentsOf: String(vm).utf8)
        out.append(0x20)
        out.append(contentsOf: keyword.utf8)
        out.append(0x0A)
    }

    /// Display columns of bytes[start...]: UTF-8 lead bytes only.
    func columns(from start: Int) -> Int {
        var n = 0
        for i in start..<out.count where out[i] & 0xC0 != 0x80 { n += 1 }
        return n
    }

    mutating func line(_ depth: Int, _ tag: Tag, _ vr: String, _ value: String, _ length: String, _ vm: Int, _ keyword: String) {
        let start = out.count
        out.append(contentsOf: repeatElement(0x20, count: depth * 2))
        self.tag(tag)
        out.append(0x20); out.append(contentsOf: vr.utf8); out.append(0x20); out.append(contentsOf: value.utf8)
        tail(start, columns(from: start), length, vm, keyword)
    }

    mutating func line(_ depth: Int, _ tag: String, _ vr: String, _ value: String, _ length: String, _ vm: Int, _ keyword: String) {
        let start = out.count
        out.append(contentsOf: repeatElement(0x20, count: depth * 2))
        out.append(contentsOf: tag.utf8)
        out.append(0x20); out.append(contentsOf: vr.utf8); out.append(0x20); out.append(contentsOf: value.utf8)
        tail(start, columns(from: start), length, vm, keyword)
    }

    /// A text element whose bytes are plain ASCII: values split at backslashes and trimmed as PS3.5 6.2 allows.
    mutating func asciiLine(_ depth: Int, _ tag: Tag, _ vr: VR, _ b: [UInt8], _ keyword: String, _ maxWidth: Int) {
        let start = out.count
        out.append(contentsOf: repeatElement(0x20, count: depth * 2))
        self.tag(tag)
        out.append(0x20); out.append(vr.byte0); out.append(vr.byte1); out.append(0x20)
        var vm = 0
        if b.isEmpty {
            out.append(contentsOf: "(no value available)".utf8)
        } else {
            out.append(0x5B)
            let valueStart = out.count
            let single = vr.isSingleValuedText
            var i = 0
            vm = 1
            var first = true
            while i <= b.count {
                var j = i
                if !single { while j < b.count && b[j] != 0x5C { j += 1 } } else { j = b.count }
                var lo = i, hi = j
                while hi > lo && (b[hi - 1] == 0x20 || b[hi - 1] == 0) { hi -= 1 }
                if !single && vr != .PN { while lo < hi && b[lo] == 0x20 { lo += 1 } }
                if !first { out.append(0x5C); vm += 1 }
                first = false
                for k in lo..<hi { out.append(b[k] < 0x20 ? 0x2E : b[k]) }
                i = j + 1
                if j >= b.count { break }
            }
            if out.count - valueStart > maxWidth {
                out.removeLast(out.count - valueStart - maxWidth)
                out.append(contentsOf: [0x2E, 0x2E, 0x2E])
            }
            out.append(0x5D)
        }
        tail(start, out.count - start, String(b.count), vm, keyword)
    }
}
