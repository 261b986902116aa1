import DICOMCore
import DICOMIO

/// Text listing of a data set in the style of DCMTK's dcmdump: tag, VR, value, length, VM, keyword.
public struct DumpFormatter {
    /// Values longer than this many characters are cut with "...".
    public var maxValueWidth = 64
    public init() {}

    public func format(_ file: DICOMFile) -> String { String(decoding: formatBytes(file), as: UTF8.self) }

    /// The listing as UTF-8 bytes (the fast path used by the CLI).
    public func formatBytes(_ file: DICOMFile) -> [UInt8] {
        var w = LineWriter()
        w.raw("# Dicom-File-Format\n\n# Dicom-Meta-Information-Header\n# Used TransferSyntax: Little Endian Explicit\n")
        format(file.fileMeta, depth: 0, into: &w)
        w.raw("\n# Dicom-Data-Set\n# Used TransferSyntax: \(file.transferSyntax.name)\n")
        format(file.dataSet, depth: 0, into: &w)
        if file.stoppedBeforePixelData { w.raw("# (stopped before Pixel Data)\n") }
        return w.out
    }

    func format(_ ds: DataSet, depth: Int, into w: inout LineWriter) {
        for e in ds {
            let keyword = e.tag.isPrivate ? PrivateDictionary.entry(for: e.tag, in: ds)?.keyword ?? Self.keyword(e.tag) : Self.keyword(e.tag)
            switch e.value {
            case .sequence(let items):
                w.line(depth, e.tag, "SQ", "(Sequence #=\(items.count))", "u/l", items.count, keyword)
                for (i, item) in items.enumerated() {
                    w.line(depth + 1, "(FFFE,E000)", "na", "(Item #=\(item.count))", "u/l", 1, "Item \(i + 1)")
                    format(item, depth: depth + 2, into: &w)
                    w.line(depth + 1, "(FFFE,E00D)", "na", "(ItemDelimitationItem)", "0", 0, "ItemDelimitationItem")
                }
                w.line(depth, "(FFFE,E0DD)", "na", "(SequenceDelimitationItem)", "0", 0, "SequenceDelimitationItem")
            case .fragments(let f):
                w.line(depth, e.tag, e.vr.code, "(PixelSequence #=\(f.fragments.count + 1))", "u/l", 1, keyword)
                w.line(
                    depth + 1, "(FFFE,E000)", "pi",
                    f.basicOffsetTable.isEmpty ? "(no value available)" : f.basicOffsetTable.map(String.init).joined(separator: "\\"),
                    String(f.basicOffsetTable.count * 4), 1, "Item (Basic Offset Table)")
                for frag in f.fragments {
                    w.line(depth + 1, "(FFFE,E000)", "pi", hex(Array(frag.prefix(16))) + (frag.count > 16 ? "..." : ""), String(frag.count), 1, "Item")
                }
                w.line(depth, "(FFFE,E0DD)", "na", "(SequenceDelimitationItem)", "0", 0, "SequenceDelimitationItem")
            case .bytes(let b):
                if e.vr.isString && e.vr != .UI && Self.isPlainASCII(b) {
                    // Fast path: ASCII text needs no decoding; values split and trimmed on bytes.
                    w.asciiLine(depth, e.tag, e.vr, b, keyword, maxValueWidth)
                } else {
                    let (text, vm) = value(e, b, ds)
                    w.line(depth, e.tag, e.vr.code, text, String(b.count), vm, keyword)
                }
            }
        }
    }

    static func isPlainASCII(_ b: [UInt8]) -> Bool {
        for c in b where c >= 0x80 || (c < 0x20 && c != 0) { return false }
        return true
    }

    static func keyword(_ tag: Tag) -> String {
        if let entry = DataDictionary.entry(for: tag) { return entry.keyword.isEmpty ? entry.name.filter { $0.isLetter || $0.isNumber } : entry.keyword }
        return tag.isPrivate ? "PrivateTag" : "UnknownTag"
    }

    func value(_ e: DataElement, _ b: [UInt8], _ ds: DataSet) -> (String, Int) {
        if b.isEmpty { return ("(no value available)", 0) }
        let vr = e.vr
        var parts: [String]
        if vr.isString {
            let text = vr.usesSpecificCharacterSet ? ds.characterSet.decode(b, vr: vr) : String(decoding: b, as: UTF8.self)
            parts = DataSet.splitValues(text, vr: vr)
            if vr == .UI, parts.count == 1, let name = DataDictionary.uidName(parts[0]) {
                let kw = DataDictionary.uidKeyword(parts[0]) ?? name
                return ("=" + kw, 1)
            }
            let joined = parts.joined(separator: "\\").replacingControlCharacters()
            return ("[" + cut(joined) + "]", parts.count)
        }
        if vr == .AT {
            parts = (DataSet.integers(b, vr: .AT) ?? []).map { Tag(rawValue: UInt32(truncatingIfNeeded: $0)).description }
        } else if vr.isBinaryNumber, let ints = DataSet.integers(b, vr: vr) {
            parts = ints.map(String.init)
        } else if vr == .FL || vr == .FD, let d = DataSet.doubles(b, vr: vr) {
            parts = d.map { "\($0)" }
        } else {
            let unit = vr == .OW ? 2 : 1
            let shown = Array(b.prefix(32))
            var s: String
            if unit == 2 {
                s = Swift.stride(from: 0, to: shown.count - 1, by: 2).map { i in
                    let v = UInt16(shown[i]) | UInt16(shown[i + 1]) << 8
                    return hex4lower(v)
                }.joined(separator: "\\")
            } else {
                s = shown.map { hex2($0) }.joined(separator: "\\")
            }
            if b.count > 32 { s += "..." }
            return (s, 1)
        }
        return (cut(parts.joined(separator: "\\")), parts.count)
    }

    func cut(_ s: String) -> String { s.utf8.count > maxValueWidth && s.count > maxValueWidth ? String(s.prefix(maxValueWidth)) + "..." : s }
}

func hex2(_ v: UInt8) -> String { let h = String(v, radix: 16); return h.count == 1 ? "0" + h : h }
func hex4lower(_ v: UInt16) -> String { let h = String(v, radix: 16); return String(repeating: "0", count: 4 - h.count) + h }
func hex(_ b: [UInt8]) -> String { b.map(hex2).joined() }

extension String {
    func replacingControlCharacters() -> String {
        String(String.UnicodeScalarView(unicodeScalars.map { $0.value < 0x20 ? "." : $0 }))
    }
}
