import Glibc

/// The character repertoires named by Specific Character Set (0008,0005) (PS3.3 §C.12.1.1.2, PS3.5 §6.1).
///
/// Single-valued terms select one repertoire; multi-valued terms use ISO 2022 code extensions, with
/// value 1 the initial G0/G1 sets and the other values reachable by escape sequences (PS3.5 §6.1.2.5).
/// Conversions use glibc iconv; ASCII-only values never touch it. Decoding never fails: unknown
/// terms read as ISO 8859-1 and undecodable bytes become U+FFFD.
public struct SpecificCharacterSet: Sendable, Equatable {
    /// What the terms define, made once and shared by every data set that uses it: a data set holds one word.
    private final class Repertoires: Sendable {
        let terms: [String]
        let diagnostics: [String]
        let initialG0: CodeElement
        let initialG1: CodeElement?
        let elements: [CodeElement]
        let standAlone: StandAlone?
        init(
            terms: [String], diagnostics: [String], initialG0: CodeElement, initialG1: CodeElement?, elements: [CodeElement], standAlone: StandAlone?
        ) {
            self.terms = terms; self.diagnostics = diagnostics; self.initialG0 = initialG0; self.initialG1 = initialG1
            self.elements = elements; self.standAlone = standAlone
        }
    }
    private let definition: Repertoires

    /// The values of (0008,0005), spaces trimmed.
    public var terms: [String] { definition.terms }
    /// Problems with the terms, e.g. unknown or misspelt ones, and how they are handled.
    public var diagnostics: [String] { definition.diagnostics }
    public static let `default` = SpecificCharacterSet(terms: [])

    /// G0 and G1 as designated by value 1, active at the start of each value (PS3.5 §6.1.2.5.3).
    var initialG0: CodeElement { definition.initialG0 }
    var initialG1: CodeElement? { definition.initialG1 }
    /// Every code element the terms name, in term order: the candidates for encoding.
    var elements: [CodeElement] { definition.elements }
    /// ISO_IR 192, GB18030 or GBK, which allow no code extensions (PS3.5 §6.1.2.5.4 d).
    var standAlone: StandAlone? { definition.standAlone }

    /// Equal terms define the same repertoires.
    public static func == (a: SpecificCharacterSet, b: SpecificCharacterSet) -> Bool { a.definition === b.definition || a.terms == b.terms }

    public init(terms: [String]) {
        let terms = terms.map { $0.trimmingSpaces() }
        var diags: [String] = [], g0 = CodeElement.ascii, g1: CodeElement? = nil
        var elements: [CodeElement] = [], standAlone: StandAlone? = nil
        for (i, raw) in terms.enumerated() where !raw.isEmpty {
            guard let found = Self.lookup(raw) else {
                if i == 0 {
                    diags.append("unknown Specific Character Set term '\(raw)': decoded as ISO 8859-1")
                    g1 = .upper(.latin1); elements.append(.upper(.latin1))
                } else {
                    diags.append("unknown Specific Character Set term '\(raw)' (value \(i + 1)): ignored")
                }
                continue
            }
            let (term, def) = found
            if term != raw { diags.append("non-standard Specific Character Set term '\(raw)': read as \(term)") }
            switch def {
            case .standAlone(let s):
                if i == 0 {
                    standAlone = s
                    if terms.count > 1 { diags.append("\(term) allows no code extensions: other values ignored") }
                } else if standAlone == nil {
                    diags.append("\(term) cannot be a code extension (value \(i + 1)): ignored")
                }
            case .iso2022(let set):
                if i == 0 && set.contains(where: \.isMultiByte) {
                    diags.append("value 1 '\(raw)' is a multi-byte set: ASCII is the initial set")
                } else if i == 0 {
                    for e in set { if e.isG0 { g0 = e } else { g1 = e } }
                }
                elements += set
            }
        }
        if standAlone == nil && terms.dropFirst().contains(where: { !$0.isEmpty }) && !terms.contains(where: { $0.hasPrefix("ISO 2022") }) {
            diags.append("multi-valued Specific Character Set without ISO 2022 terms")
        }
        for (k, e) in elements.enumerated() where !elements[..<k].contains(e) && !e.isAvailable {
            diags.append("iconv cannot convert \(e.iconvName ?? "?"): bytes replaced by U+FFFD")
        }
        if let s = standAlone, s != .utf8, Iconv(from: s.iconvName, to: "UTF-8") == nil {
            diags.append("iconv cannot convert \(s.iconvName): decoded as UTF-8")
        }
        definition = Repertoires(terms: terms, diagnostics: diags, initialG0: g0, initialG1: g1, elements: elements, standAlone: standAlone)
    }

    public var isDefault: Bool { terms.allSatisfy { $0.isEmpty || $0 == "ISO_IR 6" || $0 == "ISO 2022 IR 6" } }

    /// Decodes a whole value (all values, delimiters kept, padding kept) to a String (PS3.5 §6.1.2.5).
    public func decode(_ bytes: [UInt8], vr: VR) -> String {
        if !bytes.contains(where: { $0 >= 0x80 || $0 == 0x1B }) { return String(decoding: bytes, as: UTF8.self) }
        switch standAlone {
        case .utf8?: return String(decoding: bytes, as: UTF8.self)
        case let s?:
            return Iconv(from: s.iconvName, to: "UTF-8").map { String(decoding: $0.decode(bytes), as: UTF8.self) }
                ?? String(decoding: bytes, as: UTF8.self)
        case nil: return decodeISO2022(bytes, vr: vr)
        }
    }

    /// Decodes a PN value: one entry per value, each with its component groups, padding trimmed (PS3.5 §6.2.1).
    /// Splits after decoding, so 0x5C/0x3D/0x5E bytes inside multi-byte characters are not delimiters.
    public func decodePersonName(_ bytes: [UInt8]) -> [[String]] {
        decode(bytes, vr: .PN).split(separator: "\\", omittingEmptySubsequences: false).map {
            $0.split(separator: "=", omittingEmptySubsequences: false).map { String($0).trimmingTrailingPadding() }
        }
    }

    /// Encodes a String (delimiters included) to bytes in this character set, no padding (PS3.5 §6.1.2.5.3).
    /// Characters the set cannot represent become "?".
    public func encode(_ string: String, vr: VR) -> [UInt8] {
        if string.utf8.allSatisfy({ $0 < 0x80 }) { return Array(string.utf8) }
        switch standAlone {
        case .utf8?: return Array(string.utf8)
        case let s?: return Iconv(from: "UTF-8", to: s.iconvName)?.encode(Array(string.utf8)) ?? Array(string.utf8)
        case nil: return encodeISO2022(string, vr: vr)
        }
    }

    // MARK: ISO 2022 (PS3.5 §6.1.2.5)

    /// Bytes after which the value-1 sets are active again: CR, LF, TAB, FF, "\" (multi-valued VRs), "^" and "=" (PN).
    private func resets(_ b: UInt8, _ vr: VR) -> Bool {
        switch b {
        case 0x09, 0x0A, 0x0C, 0x0D: return true
        case 0x5C: return !vr.isSingleValuedText
        case 0x3D, 0x5E: return vr == .PN
        default: return false
        }
    }

    private func decodeISO2022(_ bytes: [UInt8], vr: VR) -> String {
        var out = String.UnicodeScalarView(), g0 = initialG0, g1 = initialG1
        var run: [UInt8] = [], runSet: CodeElement? = nil, converters: [CodeElement: Iconv] = [:]
        func flush() {
            guard let set = runSet, !run.isEmpty else { return }
            if converters[set] == nil { converters[set] = set.iconvName.flatMap { Iconv(from: $0, to: "UTF-8") } }
            let unit = set.eucLength
            let text =
                converters[set].map { String(decoding: $0.decode(run, unit: unit), as: UTF8.self) }
                ?? String(repeating: "\u{FFFD}", count: run.count / unit)
            out.append(contentsOf: text.unicodeScalars); run.removeAll(keepingCapacity: true)
        }
        func append(_ set: CodeElement, _ euc: [UInt8]) {
            if runSet != set { flush(); runSet = set }
            run += euc
        }
        var i = 0
        while i < bytes.count {
            let b = bytes[i]
            if b == 0x1B, let (e, length) = CodeElement.escape(in: bytes, at: i) {
                if e.isG0 { g0 = e } else { g1 = e }
                i += length; continue
            }
            if b < 0x80 {
                if g0.isMultiByte && b > 0x20 && b < 0x7F {  // two 7-bit bytes per character in G0
                    if i + 1 < bytes.count, (0x21...0x7E).contains(bytes[i + 1]) {
                        append(g0, g0.euc(b, bytes[i + 1])); i += 2
                    } else {
                        flush(); out.append("\u{FFFD}"); i += 1
                    }
                    continue
                }
                flush(); out.append(Unicode.Scalar(b))
                if resets(b, vr) { g0 = initialG0; g1 = initialG1 ?? g1 }  // keep a lone G1 for writers that forget to re-designate
                i += 1; continue
            }
            switch g1 ?? .upper(.latin1) {  // no G1 designated: read as ISO 8859-1, like pydicom
            case .upper(let set):
                flush(); out.append(set.table?[Int(b)] ?? "\u{FFFD}")
            case .katakana:
                flush(); out.append((0xA1...0xDF).contains(b) ? Unicode.Scalar(0xFF61 + UInt32(b) - 0xA1)! : "\u{FFFD}")
            case let set:  // KS X 1001, GB 2312: two 8-bit bytes in G1
                if (0xA1...0xFE).contains(b), i + 1 < bytes.count, (0xA1...0xFE).contains(bytes[i + 1]) {
                    append(set, set.euc(b, bytes[i + 1])); i += 1
                } else {
                    flush(); out.append("\u{FFFD}")
                }
            }
            i += 1
        }
        flush()
        return String(out)
    }

    private func encodeISO2022(_ string: String, vr: VR) -> [UInt8] {
        var out: [UInt8] = [], g0 = initialG0, g1 = initialG1, converters: [CodeElement: Iconv] = [:]
        let asciiG0: CodeElement = initialG0.isMultiByte ? .ascii : initialG0
        func designate(_ e: CodeElement) {
            out += e.escapeSequence
            if e.isG0 { g0 = e } else { g1 = e }
        }
        func encoded(_ s: Unicode.Scalar, in e: CodeElement) -> [UInt8]? {
            switch e {
            case .ascii, .romaji: return nil
            case .upper(let set): return set.reverse?[s.value].map { [$0] }
            case .katakana: return (0xFF61...0xFF9F).contains(s.value) ? [UInt8(s.value - 0xFF61 + 0xA1)] : nil
            default:
                if converters[e] == nil { converters[e] = e.iconvName.flatMap { Iconv(from: "UTF-8", to: $0) } }
                guard let euc = converters[e]?.exact(Array(String(s).utf8)) else { return nil }
                return e.fromEUC(euc)
            }
        }
        for s in string.unicodeScalars {
            if s.value < 0x80 {
                let b = UInt8(s.value)
                if resets(b, vr) {  // back to the value-1 sets before delimiters and controls
                    if g0 != initialG0 { designate(initialG0) }
                    if let i1 = initialG1, g1 != i1 { designate(i1) }
                    g1 = initialG1
                } else if g0.isMultiByte && b >= 0x20 {
                    designate(asciiG0)
                }
                out.append(b); continue
            }
            let candidates = [g1, g0.isMultiByte ? g0 : nil].compactMap { $0 } + elements
            if let e = candidates.first(where: { encoded(s, in: $0) != nil }), let code = encoded(s, in: e) {
                if e != g0 && e != g1 { designate(e) }
                out += code
            } else {
                if g0.isMultiByte { designate(asciiG0) }
                out.append(0x3F)
            }
        }
        if g0 != initialG0 { designate(initialG0) }
        if let i1 = initialG1, g1 != i1 { designate(i1) }
        return out
    }

    // MARK: Terms (PS3.3 Tables C.12-2 to C.12-5)

    enum Definition { case iso2022([CodeElement]), standAlone(StandAlone) }

    static let definitions: [String: Definition] = {
        var d: [String: Definition] = [
            "ISO_IR 6": .iso2022([.ascii]), "ISO 2022 IR 6": .iso2022([.ascii]),
            "ISO_IR 13": .iso2022([.romaji, .katakana]), "ISO 2022 IR 13": .iso2022([.romaji, .katakana]),
            "ISO 2022 IR 87": .iso2022([.jisX0208]), "ISO 2022 IR 159": .iso2022([.jisX0212]),
            "ISO 2022 IR 149": .iso2022([.ksX1001]), "ISO 2022 IR 58": .iso2022([.gb2312]),
            "ISO_IR 192": .standAlone(.utf8), "GB18030": .standAlone(.gb18030), "GBK": .standAlone(.gbk),
        ]
        for s in SingleByte.allCases {
            d["ISO_IR \(s.ir)"] = .iso2022([.ascii, .upper(s)])
            d["ISO 2022 IR \(s.ir)"] = .iso2022([.ascii, .upper(s)])
        }
        return d
    }()
    /// pydicom's non-standard aliases, accepted on read (DICOM-MEDIA §7.1).
    static let aliases = ["ISO 2022 GBK": "GBK", "ISO 2022 58": "ISO 2022 IR 58"]

    /// The standard term and its definition for a value, correcting common misspellings
    /// ("ISO IR 100", "ISO-IR 100", "ISO_2022_IR_87"), as pydicom does.
    static func lookup(_ raw: String) -> (String, Definition)? {
        if let d = definitions[raw] { return (raw, d) }
        if let a = aliases[raw], let d = definitions[a] { return (a, d) }
        let words = raw.uppercased().split(whereSeparator: { $0 == " " || $0 == "_" || $0 == "-" })
        let fixed: String
        if words.count == 2, words[0] == "ISO", words[1].hasPrefix("IR") {
            fixed = "ISO_IR \(words[1].dropFirst(2))"
        } else if words.count == 3, words[0] == "ISO", words[1] == "IR" {
            fixed = "ISO_IR \(words[2])"
        } else if words.count == 4, words[0] == "ISO", words[1] == "2022", words[2] == "IR" {
            fixed = "ISO 2022 IR \(words[3])"
        } else {
            return nil
        }
        return definitions[fixed].map { (fixed, $0) }
    }
}

/// Character sets that must be the only value of (0008,0005) (PS3.3 Table C.12-5).
enum StandAlone: Sendable, Equatable {
    case utf8, gb18030, gbk
    var iconvName: String {
        switch self {
        case .utf8: "UTF-8";
        case .gb18030: "GB18030";
        case .gbk: "GBK"
        }
    }
}

/// The 96-character sets that ISO 2022 designates into G1 with ESC - F (PS3.3 Table C.12-3).
enum SingleByte: UInt8, CaseIterable, Sendable {
    case latin1 = 0x41, latin2 = 0x42, latin3 = 0x43, latin4 = 0x44, greek = 0x46, arabic = 0x47
    case hebrew = 0x48, cyrillic = 0x4C, latin5 = 0x4D, thai = 0x54, latin9 = 0x62

    /// The ISO-IR registration number used in the Defined Terms.
    var ir: Int {
        switch self {
        case .latin1: 100;
        case .latin2: 101;
        case .latin3: 109;
        case .latin4: 110;
        case .greek: 126;
        case .arabic: 127
        case .hebrew: 138;
        case .cyrillic: 144;
        case .latin5: 148;
        case .thai: 166;
        case .latin9: 203
        }
    }
    var iconvName: String {
        switch self {
        case .latin1: "ISO-8859-1";
        case .latin2: "ISO-8859-2";
        case .latin3: "ISO-8859-3";
        case .latin4: "ISO-8859-4"
        case .greek: "ISO-8859-7";
        case .arabic: "ISO-8859-6";
        case .hebrew: "ISO-8859-8";
        case .cyrillic: "ISO-8859-5"
        case .latin5: "ISO-8859-9";
        case .thai: "TIS-620";
        case .latin9: "ISO-8859-15"
        }
    }
    /// Byte to scalar (U+FFFD where undefined), built once with iconv; nil when iconv lacks the set.
    var table: [Unicode.Scalar]? { SingleByte.tables[self] }
    var reverse: [UInt32: UInt8]? { SingleByte.reverseTables[self] }

    static let tables: [SingleByte: [Unicode.Scalar]] = {
        var t: [SingleByte: [Unicode.Scalar]] = [:]
        for set in allCases {
            guard let cd = Iconv(from: set.iconvName, to: "UTF-8") else { continue }
            t[set] = (0...255).map { b in
                let s = cd.exact([UInt8(b)]).map { String(decoding: $0, as: UTF8.self).unicodeScalars }
                return s?.count == 1 ? s!.first! : "\u{FFFD}"
            }
        }
        return t
    }()
    static let reverseTables: [SingleByte: [UInt32: UInt8]] = tables.mapValues { table in
        var r: [UInt32: UInt8] = [:]
        for b in 0xA0...0xFF where table[b] != "\u{FFFD}" { r[table[b].value] = UInt8(b) }
        return r
    }
}

/// A graphic character set that ISO 2022 designates into G0 or G1 (PS3.3 Tables C.12-3, C.12-4).
enum CodeElement: Hashable, Sendable {
    case ascii  // ISO-IR 6, G0
    case romaji  // ISO-IR 14 (JIS X 0201 Roman), G0; read as ASCII, as pydicom does
    case katakana  // ISO-IR 13 (JIS X 0201 Katakana), G1
    case upper(SingleByte)  // ISO 8859 / TIS 620 upper half, G1
    case jisX0208  // ISO-IR 87, G0, two 7-bit bytes
    case jisX0212  // ISO-IR 159, G0, two 7-bit bytes
    case ksX1001  // ISO-IR 149, G1, two 8-bit bytes
    case gb2312  // ISO-IR 58, G1, two 8-bit bytes

    var isG0: Bool {
        switch self {
        case .ascii, .romaji, .jisX0208, .jisX0212: true;
        default: false
        }
    }
    var isMultiByte: Bool {
        switch self {
        case .jisX0208, .jisX0212, .ksX1001, .gb2312: true;
        default: false
        }
    }
    /// Bytes per character in EUC form: 3 for JIS X 0212 (SS3 prefix), 2 for the other multi-byte sets.
    var eucLength: Int { self == .jisX0212 ? 3 : 2 }

    /// The escape sequence designating this set (PS3.3 Tables C.12-3, C.12-4).
    var escapeSequence: [UInt8] {
        switch self {
        case .ascii: [0x1B, 0x28, 0x42]  // ESC ( B
        case .romaji: [0x1B, 0x28, 0x4A]  // ESC ( J
        case .katakana: [0x1B, 0x29, 0x49]  // ESC ) I
        case .upper(let s): [0x1B, 0x2D, s.rawValue]  // ESC - F
        case .jisX0208: [0x1B, 0x24, 0x42]  // ESC $ B
        case .jisX0212: [0x1B, 0x24, 0x28, 0x44]  // ESC $ ( D
        case .ksX1001: [0x1B, 0x24, 0x29, 0x43]  // ESC $ ) C
        case .gb2312: [0x1B, 0x24, 0x29, 0x41]  // ESC $ ) A
        }
    }
    static let all: [CodeElement] = [.ascii, .romaji, .katakana, .jisX0208, .jisX0212, .ksX1001, .gb2312] + SingleByte.allCases.map { .upper($0) }

    /// The set designated by the escape sequence at `i`, and the sequence's length.
    static func escape(in bytes: [UInt8], at i: Int) -> (CodeElement, Int)? {
        for e in all {
            let seq = e.escapeSequence
            if i + seq.count <= bytes.count && bytes[i..<(i + seq.count)].elementsEqual(seq) { return (e, seq.count) }
        }
        return nil
    }

    /// The EUC encoding iconv converts the multi-byte sets through (nil for the single-byte sets).
    var iconvName: String? {
        switch self {
        case .jisX0208, .jisX0212: "EUC-JP"
        case .ksX1001: "EUC-KR"
        case .gb2312: "EUC-CN"
        case .upper(let s): s.iconvName
        default: nil
        }
    }
    var isAvailable: Bool {
        switch self {
        case .upper(let s): s.table != nil
        case .ascii, .romaji, .katakana: true
        default: Iconv(from: iconvName!, to: "UTF-8") != nil
        }
    }
    /// One character's two bytes as EUC: high bit set, JIS X 0212 prefixed by SS3 (0x8F).
    func euc(_ a: UInt8, _ b: UInt8) -> [UInt8] {
        self == .jisX0212 ? [0x8F, a | 0x80, b | 0x80] : [a | 0x80, b | 0x80]
    }
    /// The inverse of `euc`: the DICOM bytes of one EUC-encoded character of this set, or nil.
    func fromEUC(_ e: [UInt8]) -> [UInt8]? {
        switch self {
        case .jisX0208 where e.count == 2 && e[0] >= 0xA1: return [e[0] & 0x7F, e[1] & 0x7F]
        case .jisX0212 where e.count == 3 && e[0] == 0x8F: return [e[1] & 0x7F, e[2] & 0x7F]
        case .ksX1001 where e.count == 2, .gb2312 where e.count == 2: return e[0] >= 0xA1 ? e : nil
        default: return nil
        }
    }
}

/// One glibc iconv descriptor. Not thread-safe: each call of decode/encode opens its own.
final class Iconv {
    private let cd: iconv_t

    init?(from: String, to: String) {
        guard let cd = iconv_open(to, from), cd != iconv_t(bitPattern: -1) else { return nil }
        self.cd = cd
    }
    deinit { iconv_close(cd) }

    /// Converts `input`; on an invalid or unconvertible sequence, appends `replacement`, skips
    /// `skip(offset)` bytes and goes on. Returns nil in exact mode at the first such sequence.
    private func convert(_ input: [UInt8], replacement: [UInt8]?, skip: (Int) -> Int) -> [UInt8]? {
        iconv(cd, nil, nil, nil, nil)
        var out: [UInt8] = [], chunk = [UInt8](repeating: 0, count: max(64, input.count * 4))
        var src = input, pos = 0
        return src.withUnsafeMutableBytes { inBuf -> [UInt8]? in
            while pos < inBuf.count {
                var inPtr: UnsafeMutablePointer<CChar>? = (inBuf.baseAddress! + pos).assumingMemoryBound(to: CChar.self)
                var inLeft = inBuf.count - pos
                let (produced, err) = chunk.withUnsafeMutableBytes { outBuf -> (Int, Int32) in
                    var outPtr: UnsafeMutablePointer<CChar>? = outBuf.baseAddress!.assumingMemoryBound(to: CChar.self)
                    var outLeft = outBuf.count
                    let r = iconv(cd, &inPtr, &inLeft, &outPtr, &outLeft)
                    return (outBuf.count - outLeft, r == -1 ? errno : 0)
                }
                out += chunk[0..<produced]
                pos = inBuf.count - inLeft
                if err == 0 || err == E2BIG { continue }
                guard let rep = replacement else { return nil }  // EILSEQ or EINVAL (truncated)
                out += rep
                pos += err == EINVAL ? inLeft : max(1, skip(pos))
                iconv(cd, nil, nil, nil, nil)
            }
            return out
        }
    }
    /// Decodes to UTF-8, replacing each invalid character of `unit` bytes (or byte) by U+FFFD.
    func decode(_ input: [UInt8], unit: Int = 1) -> [UInt8] { convert(input, replacement: [0xEF, 0xBF, 0xBD], skip: { _ in unit })! }
    /// Encodes UTF-8 input, replacing each unrepresentable character by "?".
    func encode(_ utf8: [UInt8]) -> [UInt8] {
        convert(
            utf8, replacement: [0x3F],
            skip: { p in
                let b = utf8[p]
                return b < 0xC0 ? 1 : b < 0xE0 ? 2 : b < 0xF0 ? 3 : 4
            })!
    }
    /// Converts exactly, or nil when any byte or character cannot be converted.
    func exact(_ input: [UInt8]) -> [UInt8]? { convert(input, replacement: nil, skip: { _ in 1 }) }
}
