import DICOMCore
import Foundation
import Synchronization

/// A DICOM file as read from disk: preamble, File Meta Information and data set (PS3.10 §7.1).
public struct DICOMFile: Sendable {
    /// The 128-byte preamble, or nil when the file had none.
    public var preamble: [UInt8]?
    /// Group 0002 elements (PS3.10 §7.1); empty when the file had no meta header.
    public var fileMeta: DataSet
    public var dataSet: DataSet
    /// The syntax the data set was actually decoded with.
    public var transferSyntax: TransferSyntax
    /// Problems tolerated while reading.
    public var diagnostics: [Diagnostic]
    /// File offset of the first data set byte.
    public var dataSetOffset: Int
    /// The read stopped before Pixel Data (header-only read).
    public var stoppedBeforePixelData: Bool

    public init(fileMeta: DataSet = DataSet(), dataSet: DataSet, transferSyntax: TransferSyntax = .explicitVRLittleEndian,
                preamble: [UInt8]? = nil) {
        self.fileMeta = fileMeta; self.dataSet = dataSet; self.transferSyntax = transferSyntax; self.preamble = preamble
        diagnostics = []; dataSetOffset = 0; stoppedBeforePixelData = false
    }
}

/// How to read a Part 10 file.
public struct ReadOptions: Sendable {
    /// Stop before (7FE0,0010) Pixel Data at the top level without reading it (header-only read).
    public var stopBeforePixelData: Bool
    /// Stop before the first top-level element whose tag is at least this one (a partial header).
    public var stopBefore: Tag?
    /// Deepest nesting of sequences accepted (guards against hostile input).
    public var maxDepth: Int
    /// Most bytes a Deflated data set may inflate to (PS3.5 §A.5); nil: the smaller of 256x the
    /// compressed size and 4 GiB. Beyond it the read fails with `too-large` instead of filling memory.
    public var maxInflated: Int?
    /// Most sequence items kept from one file (guards against item bombs; a DICOMDIR of 100,000 records is far below).
    public var maxItems: Int
    public init(stopBeforePixelData: Bool = false, stopBefore: Tag? = nil, maxDepth: Int = 64,
                maxInflated: Int? = ReadOptions.defaultMaxInflated, maxItems: Int = 1_000_000) {
        self.stopBeforePixelData = stopBeforePixelData; self.stopBefore = stopBefore; self.maxDepth = maxDepth
        self.maxInflated = maxInflated; self.maxItems = maxItems
    }
    public static var headerOnly: ReadOptions { ReadOptions(stopBeforePixelData: true) }
    /// The process-wide inflate limit the command line sets once (`--max-inflated SIZE`); nil: the default.
    public static var defaultMaxInflated: Int? {
        get { processMaxInflated.withLock { $0 } }
        set { processMaxInflated.withLock { $0 = newValue } }
    }
    private static let processMaxInflated = Mutex<Int?>(nil)
    /// The inflate limit for a deflated data set of `compressed` bytes.
    public func inflateLimit(compressed: Int) -> Int {
        if let m = maxInflated { return max(m, 0) }
        let (times, overflow) = compressed.multipliedReportingOverflow(by: 256)
        return min(overflow ? Int.max : times, 4 << 30)
    }
    /// Parses a size such as 4096, 64K, 512M, 4G (powers of 1024); nil when it is not one.
    public static func parseSize(_ text: String) -> Int? {
        var t = text.trimmingCharacters(in: .whitespaces).uppercased()
        if t.hasSuffix("IB") { t.removeLast(2) } else if t.hasSuffix("B") && t.count > 1 && !t.dropLast().allSatisfy(\.isNumber) { t.removeLast() }
        var shift = 0
        switch t.last {
        case "K": shift = 10
        case "M": shift = 20
        case "G": shift = 30
        case "T": shift = 40
        default: break
        }
        if shift > 0 { t.removeLast() }
        guard !t.isEmpty, t.allSatisfy(\.isNumber), let n = Int(t), n >= 0 else { return nil }
        let (v, o) = n.multipliedReportingOverflow(by: 1 << shift)
        return o ? nil : v
    }
}

/// Reads Part 10 files (PS3.10 §7) in every native and encapsulated transfer syntax.
public enum Part10Reader {
    /// Reads the file at `path`.
    public static func read(path: String, options: ReadOptions = ReadOptions()) throws -> DICOMFile {
        let src = try ByteSource(path: path)
        return try read(src, options: options)
    }
    /// Reads a file held in memory (`path` only names it in messages).
    public static func read(bytes: [UInt8], path: String? = nil, options: ReadOptions = ReadOptions()) throws -> DICOMFile {
        try read(ByteSource(bytes: bytes, path: path), options: options)
    }

    /// What precedes the data set: preamble, File Meta and the syntax the data set is in (PS3.10 §7.1).
    struct Prelude {
        var preamble: [UInt8]?
        var meta: DataSet
        var syntax: TransferSyntax
        var dataSetOffset: Int
        var diagnostics: [Diagnostic]
    }

    /// Reads the preamble and File Meta and settles the data set's syntax (checked against its first bytes).
    static func prelude(_ src: ByteSource, options: ReadOptions) throws -> Prelude {
        var diags: [Diagnostic] = []
        src.ensure(132)
        if src.bytes.isEmpty { throw DICOMIOError(.empty, "empty file", path: src.path, offset: 0) }
        var pos = 0
        var preamble: [UInt8]?
        let b = src.bytes
        if b.count >= 132 && b[128] == 0x44 && b[129] == 0x49 && b[130] == 0x43 && b[131] == 0x4D {
            preamble = Array(b[0..<128]); pos = 132
        } else if b.count >= 4 && b[0] == 0x44 && b[1] == 0x49 && b[2] == 0x43 && b[3] == 0x4D {
            diags.append(Diagnostic(.warning, .noPreamble, "file starts with DICM without the 128-byte preamble", offset: 0))
            pos = 4
        } else {
            guard looksLikeDataSet(b) else {
                throw DICOMIOError(.notDICOM, "not a DICOM file: no DICM prefix at offset 128 and no data element at offset 0", path: src.path, offset: 0)
            }
            diags.append(Diagnostic(.warning, .noPreamble, "no preamble and no DICM prefix (PS3.10 §7.1); read as a bare data set", offset: 0))
        }

        var parser = Parser(src: src, syntax: .explicitVRLittleEndian, options: options)
        var meta = DataSet()
        if pos > 0 || (src.ensure(2) && le16(src.bytes, 0) == 0x0002) {
            meta = try parser.parseMeta(at: &pos)
            if meta.isEmpty && pos > 0 {
                diags.append(Diagnostic(.warning, .noMeta, "no File Meta Information after the DICM prefix (PS3.10 §7.1)", offset: pos))
            }
        } else {
            diags.append(Diagnostic(.warning, .noMeta, "no File Meta Information (PS3.10 §7.1): transfer syntax guessed from the data", offset: 0))
        }

        // Choose the syntax: from the meta, checked against the first bytes of the data set.
        var syntax: TransferSyntax
        if let uid = meta.string(.transferSyntaxUID), !uid.isEmpty {
            syntax = TransferSyntax(uid: uid)
            if !syntax.isKnown {
                diags.append(Diagnostic(.warning, .unknownTransferSyntax, "unknown Transfer Syntax UID \(uid): read as Explicit VR Little Endian", tag: .transferSyntaxUID))
            }
        } else {
            if !meta.isEmpty { diags.append(Diagnostic(.warning, .noTransferSyntax, "File Meta has no Transfer Syntax UID (0002,0010): guessed from the data", tag: .transferSyntaxUID)) }
            syntax = guessSyntax(src, at: pos)
        }
        if !syntax.isDeflated && (!syntax.isExplicitVR || syntax.byteOrder == .bigEndian || syntax.isEncapsulated || syntax.uid == TransferSyntax.explicitVRLittleEndian.uid) {
            // Check the claim against the first element: some writers lie about explicit/implicit VR.
            let actual = guessSyntax(src, at: pos)
            if src.ensure(pos + 8), actual.isExplicitVR != syntax.isExplicitVR, syntax.byteOrder == actual.byteOrder {
                diags.append(Diagnostic(.warning, .vrEncodingMismatch, "Transfer Syntax says \(syntax.isExplicitVR ? "explicit" : "implicit") VR but the data set is \(actual.isExplicitVR ? "explicit" : "implicit") VR; read as found", offset: pos))
                var s = syntax; s.isExplicitVR = actual.isExplicitVR; syntax = s
            }
        }
        return Prelude(preamble: preamble, meta: meta, syntax: syntax, dataSetOffset: pos, diagnostics: diags)
    }

    static func read(_ src: ByteSource, options: ReadOptions) throws -> DICOMFile {
        let pre = try prelude(src, options: options)
        var diags = pre.diagnostics
        let meta = pre.meta, syntax = pre.syntax, preamble = pre.preamble, pos = pre.dataSetOffset
        let dataSetOffset = pos
        var body = src
        var bodyPos = pos
        var offsetBase = 0
        if syntax.isDeflated {
            let deflated = src.rest(from: pos)
            let limit = options.inflateLimit(compressed: deflated.count)
            do {
                let r = try Deflate.inflate(deflated, limit: limit)
                body = ByteSource(bytes: r.bytes, path: src.path)
                if !r.complete {
                    diags.append(Diagnostic(.warning, .deflateTruncated, "the deflated data set ends before the end of its deflate stream", offset: pos))
                }
            } catch let e as DICOMIOError {
                if e.code == .tooLarge {
                    throw DICOMIOError(.tooLarge, "the deflated data set inflates to more than \(limit) bytes (the limit; raise it with --max-inflated SIZE)", path: src.path, offset: pos, cause: e)
                }
                throw DICOMIOError(.deflate, "cannot inflate the deflated data set: \(e.message)", path: src.path, offset: pos, cause: e)
            }
            bodyPos = 0
            offsetBase = -1
        }
        var parser = Parser(src: body, syntax: syntax, options: options)
        parser.offsetBase = offsetBase
        parser.streamStart = dataSetOffset
        parser.diagnostics = diags
        let ds = try parser.parseTopLevel(at: &bodyPos)
        var file = DICOMFile(fileMeta: meta, dataSet: ds, transferSyntax: syntax, preamble: preamble)
        file.diagnostics = parser.diagnostics
        if parser.suppressed > 0 {
            file.diagnostics.append(Diagnostic(.warning, .moreProblems, "\(parser.suppressed) more problem(s) not listed"))
        }
        file.dataSetOffset = dataSetOffset
        file.stoppedBeforePixelData = parser.stoppedBeforePixelData
        if ds.isEmpty && !parser.stoppedBeforePixelData {
            if meta.isEmpty { throw DICOMIOError(.notDICOM, "no data elements found", path: src.path, offset: dataSetOffset) }
            file.diagnostics.append(Diagnostic(.warning, .emptyDataSet, "the data set after the File Meta is empty", offset: dataSetOffset))
        }
        return file
    }

    /// A bare data set starts with a plausible even group (0002-0028) tag.
    static func looksLikeDataSet(_ b: [UInt8]) -> Bool {
        guard b.count >= 8 else { return false }
        let gLE = le16(b, 0), gBE = UInt16(b[0]) << 8 | UInt16(b[1])
        let plausible: (UInt16) -> Bool = { $0 >= 2 && $0 <= 0x0028 && $0 & 1 == 0 }
        return plausible(gLE) || plausible(gBE)
    }

    /// Guesses byte order and VR encoding from the first element at `pos`.
    static func guessSyntax(_ src: ByteSource, at pos: Int) -> TransferSyntax {
        guard src.ensure(pos + 8) else { return .explicitVRLittleEndian }
        let b = src
        let explicit = VR(bytes: b[pos + 4], b[pos + 5]).isWellFormed
        let gLE = UInt16(b[pos]) | UInt16(b[pos + 1]) << 8, gBE = UInt16(b[pos]) << 8 | UInt16(b[pos + 1])
        let bigEndian = gLE > 0x00FF && gBE <= 0x00FF && gBE != 0
        if bigEndian { return .explicitVRBigEndian }
        return explicit ? .explicitVRLittleEndian : .implicitVRLittleEndian
    }
}

/// The element-level decoder (PS3.5 §7): one instance per data set stream.
struct Parser {
    let src: ByteSource
    var syntax: TransferSyntax
    let options: ReadOptions
    var diagnostics: [Diagnostic] = []
    var stoppedBeforePixelData = false
    /// Added to stream positions to give file offsets; -1 means "no file offsets" (deflated).
    var offsetBase = 0
    /// File offset where the (deflated) stream starts, for errors that have no file offset.
    var streamStart = 0
    /// At most this many diagnostics are kept; the rest are counted.
    static let maxDiagnostics = 1000
    var suppressed = 0
    /// Sequence items read so far (capped by `ReadOptions.maxItems`).
    var itemCount = 0
    var bigEndian: Bool { syntax.byteOrder == .bigEndian }

    init(src: ByteSource, syntax: TransferSyntax, options: ReadOptions) {
        self.src = src; self.syntax = syntax; self.options = options
    }

    /// Keeps a diagnostic, up to `maxDiagnostics`; a hostile file cannot fill memory with them.
    mutating func note(_ d: Diagnostic) {
        if diagnostics.count < Self.maxDiagnostics { diagnostics.append(d) } else { suppressed += 1 }
    }

    func fileOffset(_ pos: Int) -> Int { offsetBase < 0 ? -1 : pos + offsetBase }

    func error(_ code: DICOMIOError.Code, _ msg: String, _ pos: Int, _ tag: Tag? = nil) -> DICOMIOError {
        if offsetBase < 0 {
            // Inside a deflated data set there are no file offsets: name the stream's start and the inflated position.
            return DICOMIOError(code, "\(msg) (at byte \(pos) of the inflated data set)", path: src.path, offset: streamStart, tag: tag)
        }
        return DICOMIOError(code, msg, path: src.path, offset: pos + offsetBase, tag: tag)
    }

    @inline(__always) func u16(_ p: Int) -> UInt16 {
        let b = src
        return bigEndian ? UInt16(b[p]) << 8 | UInt16(b[p + 1]) : UInt16(b[p]) | UInt16(b[p + 1]) << 8
    }
    @inline(__always) func u32(_ p: Int) -> UInt32 {
        let b = src
        return bigEndian ? UInt32(b[p]) << 24 | UInt32(b[p + 1]) << 16 | UInt32(b[p + 2]) << 8 | UInt32(b[p + 3])
            : UInt32(b[p]) | UInt32(b[p + 1]) << 8 | UInt32(b[p + 2]) << 16 | UInt32(b[p + 3]) << 24
    }

    /// Group 0002, always Explicit VR Little Endian (PS3.10 §7.1); stops at the first other group.
    mutating func parseMeta(at pos: inout Int) throws -> DataSet {
        let saved = syntax
        syntax = .explicitVRLittleEndian
        defer { syntax = saved }
        var meta = DataSet()
        var groupEnd: Int?
        while src.ensure(pos + 8), UInt16(src[pos]) | UInt16(src[pos + 1]) << 8 == 0x0002 {
            if let end = groupEnd, pos >= end, pos > 0 {
                // The group length said the meta ended here; more group 0002 follows anyway.
                note(Diagnostic(.warning, .metaGroupLength, "File Meta Information Group Length is too small; more group 0002 elements follow", offset: pos))
                groupEnd = nil
            }
            // Some writers encode the meta in implicit VR.
            let vrOK = VR(bytes: src[pos + 4], src[pos + 5]).isWellFormed
            if !vrOK { syntax = .implicitVRLittleEndian }
            guard let e = try parseElement(at: &pos, depth: 0, charset: .default) else { break }
            syntax = .explicitVRLittleEndian
            if e.tag == .fileMetaInformationGroupLength, let v = e.bytes, v.count == 4 { groupEnd = pos + Int(le32(v, 0)) }
            meta.append(e)
        }
        return meta
    }

    mutating func parseTopLevel(at pos: inout Int) throws -> DataSet {
        var ds = DataSet()
        try parseElements(into: &ds, at: &pos, end: nil, depth: 0, charset: .default)
        return ds
    }

    /// Parses elements until `end` (defined length), an item delimiter (undefined length) or the end of data.
    /// Returns true when it stopped at an Item Delimitation Item.
    @discardableResult
    mutating func parseElements(into ds: inout DataSet, at pos: inout Int, end: Int?, depth: Int, charset: SpecificCharacterSet) throws -> Bool {
        var outOfOrder = false
        defer {
            if outOfOrder {
                // Sorted once at the end: inserting each element in place would be quadratic.
                for t in ds.restoreOrder() {
                    note(Diagnostic(.warning, .duplicateTag, "element appears twice; the last one is kept", tag: t))
                }
                note(Diagnostic(.warning, .tagOrder, "elements not in ascending tag order (PS3.5 §7.1); sorted", tag: nil))
            }
        }
        var cs = charset
        ds.characterSet = cs
        while true {
            if let end, pos >= end {
                if pos > end { throw error(.malformed, "element runs past the end of its item (item ends at \(fileOffset(end)))", pos) }
                return false
            }
            src.release(before: pos)  // the parser never looks back: the window may drop what precedes
            if !src.ensure(pos + 1) { return false }
            if !src.ensure(pos + 8) {
                // Fewer than 8 bytes left: trailing junk or truncation.
                if end == nil && depth == 0 && src.allZero(from: pos) {
                    note(Diagnostic(.warning, .trailingBytes, "\(src.end - pos) trailing zero byte(s) after the last element", offset: fileOffset(pos)))
                    pos = src.end
                    return false
                }
                throw error(.truncated, "file ends inside an element header", pos)
            }
            let tag = Tag(u16(pos), u16(pos + 2))
            if tag == .itemDelimitationItem {
                pos += 8
                return true
            }
            if tag == .sequenceDelimitationItem || tag == .item {
                if depth == 0 && end == nil {
                    throw error(.malformed, "unexpected \(tag == .item ? "item" : "sequence delimiter") tag in the data set", pos, tag)
                }
                throw error(.malformed, "unexpected \(tag == .item ? "item" : "sequence delimiter") tag inside an item", pos, tag)
            }
            if depth == 0, let stop = options.stopBefore, tag >= stop { return false }
            if depth == 0 && options.stopBeforePixelData && tag == .pixelData {
                stoppedBeforePixelData = true
                return false
            }
            guard var e = try parseElement(at: &pos, depth: depth, charset: cs) else { return false }
            if bigEndian, e.tag == .pixelData, e.vr == .OW, var raw = e.bytes, let bits = ds.integer(.bitsAllocated), bits > 16, bits % 8 == 0 {
                // 32/64-bit pixels in big endian are whole big-endian words, not 16-bit ones (PS3.5 §8.1.1).
                swapBytes(&raw, unit: 2)
                swapBytes(&raw, unit: bits / 8)
                e.value = .bytes(raw)
            }
            let vrFromDictionary = !syntax.isExplicitVR || e.vr == .UN
            /// A UN value whose dictionary VR is SQ, parsed as an Implicit VR LE sequence (PS3.5 §6.2.2); nil when it is not one.
            func reparseAsSequence(_ raw: [UInt8]) -> [DataSet]? {
                var p = Parser(src: ByteSource(bytes: raw, path: src.path), syntax: .implicitVRLittleEndian, options: options)
                p.offsetBase = -1
                var items: [DataSet] = []
                var q = 0
                return (try? p.parseItems(into: &items, at: &q, end: raw.count, depth: depth + 1, charset: cs, seqTag: e.tag)) != nil ? items : nil
            }
            if e.vr == .UN, !e.tag.isPrivate, let known = DataDictionary.entry(for: e.tag)?.vrs.first, known != .UN,
               let raw = e.bytes {
                // UN for a tag the dictionary knows: use the known VR (PS3.5 §6.2.2), as pydicom and DCMTK do.
                if known == .SQ {
                    if let items = reparseAsSequence(raw) { e.value = .sequence(items); e.vr = .SQ }
                } else {
                    e.vr = known
                }
            }
            if !syntax.isExplicitVR, e.vr == .UN, let raw = e.bytes, let known = PrivateDictionary.entry(for: e.tag, in: ds)?.vr, known != .UN {
                // An implicit-VR private element: its creator's dictionary VR (PS3.5 §7.8.1, §6.2.2), kept
                // when written explicit; UN stays when the value cannot be of that VR.
                if known == .SQ {
                    if let items = reparseAsSequence(raw) { e.value = .sequence(items); e.vr = .SQ }
                } else if raw.count % (known == .AT ? 4 : known.swapUnit) == 0 && (known.hasLongLength || raw.count <= 0xFFFF) {
                    e.vr = known
                }
            }
            if vrFromDictionary, e.tag.group == 0x0028, let entry = DataDictionary.entry(for: e.tag),
               entry.vrs.contains(.US), entry.vrs.contains(.SS) {
                // "US or SS" resolved by Pixel Representation (PS3.5 §A.1 note; PS3.3 §C.7.6.3).
                e.vr = ds.integer(.pixelRepresentation) == 1 ? .SS : .US
            }
            if e.tag == .specificCharacterSet, let b = e.bytes {
                let terms = DataSet.splitValues(String(decoding: b, as: UTF8.self), vr: .CS)
                cs = SpecificCharacterSet(terms: terms)
                for d in cs.diagnostics { note(Diagnostic(.warning, .characterSet, d, tag: e.tag)) }
                ds.characterSet = cs
            }
            if let last = ds.elements.last, last.tag >= e.tag { outOfOrder = true }
            ds.appendUnordered(e)
        }
    }

    /// The VR to use when the encoding does not say (Implicit VR), from the dictionary and context.
    func implicitVR(_ tag: Tag, _ ds: DataSet?) -> VR {
        if tag.isGroupLength { return .UL }
        if tag.isPrivateCreator { return .LO }
        if tag == .pixelData { return .OW }
        guard let entry = DataDictionary.entry(for: tag) else { return .UN }
        let vrs = entry.vrs
        if vrs.count <= 1 { return vrs.first ?? .UN }
        if vrs.contains(.OW) { return .OW }
        if vrs.contains(.SS) && vrs.contains(.US) { return .US }
        return vrs[0]
    }

    /// Reads one element header and value at `pos`.
    mutating func parseElement(at pos: inout Int, depth: Int, charset: SpecificCharacterSet) throws -> DataElement? {
        let start = pos
        let tag = Tag(u16(pos), u16(pos + 2))
        var vr: VR
        var length: UInt32
        if syntax.isExplicitVR {
            let candidate = VR(bytes: src[pos + 4], src[pos + 5])
            if candidate.isWellFormed {
                vr = candidate
                if vr.hasLongLength {
                    guard src.ensure(pos + 12) else { throw error(.truncated, "file ends inside the header of \(tag)", pos, tag) }
                    length = u32(pos + 8); pos += 12
                } else {
                    length = UInt32(u16(pos + 6)); pos += 8
                }
                if !VR.allStandard.contains(vr) {
                    note(Diagnostic(.warning, .unknownVR, "unknown VR '\(vr.code)': value kept as bytes", offset: fileOffset(start), tag: tag))
                }
            } else {
                // An implicit-VR element inside an explicit-VR data set (seen in real files).
                vr = implicitVR(tag, nil)
                length = u32(pos + 4); pos += 8
                note(Diagnostic(.warning, .vrMismatch, "no valid VR in an explicit VR data set; VR \(vr.code) taken from the dictionary", offset: fileOffset(start), tag: tag))
            }
        } else {
            vr = implicitVR(tag, nil)
            length = u32(pos + 4); pos += 8
        }

        if length == 0xFFFF_FFFF {
            if vr == .SQ || vr == .UN || (!syntax.isExplicitVR && tag != .pixelData) {
                // UN with undefined length is an Implicit VR LE sequence (PS3.5 §6.2.2).
                var items: [DataSet] = []
                let savedSyntax = syntax
                if vr == .UN { syntax = .implicitVRLittleEndian }
                defer { syntax = savedSyntax }
                try parseItems(into: &items, at: &pos, end: nil, depth: depth + 1, charset: charset, seqTag: tag)
                return DataElement(tag: tag, vr: .SQ, value: .sequence(items), valueOffset: fileOffset(start), hadUndefinedLength: true)
            }
            if tag == .pixelData || vr == .OB || vr == .OW {
                let frags = try parseFragments(at: &pos, tag: tag)
                return DataElement(tag: tag, vr: vr == .OW ? .OW : .OB, value: .fragments(frags), valueOffset: fileOffset(start), hadUndefinedLength: true)
            }
            throw error(.malformed, "undefined length on a \(vr.code) element (only SQ, UN, OB, OW and Pixel Data may have it)", start, tag)
        }

        let len = Int(length)
        if vr == .SQ {
            var items: [DataSet] = []
            guard src.ensure(pos + len) else { throw error(.truncated, "file ends inside the sequence (length \(len))", start, tag) }
            try parseItems(into: &items, at: &pos, end: pos + len, depth: depth + 1, charset: charset, seqTag: tag)
            return DataElement(tag: tag, vr: .SQ, value: .sequence(items), valueOffset: fileOffset(start))
        }
        guard src.has(pos, len) else {
            throw error(.truncated, "file ends inside the value (length \(len), \(src.left(from: pos)) byte(s) left)", start, tag)
        }
        if len & 1 == 1 {
            note(Diagnostic(.warning, .oddLength, "odd value length \(len) (PS3.5 §7.1.1 requires even)", offset: fileOffset(start), tag: tag))
        }
        guard var value = src.take(pos, len) else {
            throw error(.truncated, "file ends inside the value (length \(len), \(src.left(from: pos)) byte(s) left)", start, tag)
        }
        let valueOffset = fileOffset(pos)
        pos += len
        if bigEndian {
            let unit = vr.swapUnit
            if unit > 1 { swapBytes(&value, unit: unit) }
        }
        return DataElement(tag: tag, vr: vr, value: .bytes(value), valueOffset: valueOffset)
    }

    /// Reads items of a sequence until `end` or a Sequence Delimitation Item (PS3.5 §7.5).
    mutating func parseItems(into items: inout [DataSet], at pos: inout Int, end: Int?, depth: Int, charset: SpecificCharacterSet, seqTag: Tag) throws {
        if depth > options.maxDepth { throw error(.tooDeep, "sequences nested deeper than \(options.maxDepth) levels", pos, seqTag) }
        while true {
            if let end, pos >= end {
                if pos > end { throw error(.malformed, "item runs past the end of its sequence", pos, seqTag) }
                return
            }
            guard src.ensure(pos + 8) else {
                if end == nil && !src.ensure(pos + 1) {
                    note(Diagnostic(.warning, .missingDelimiter, "file ends before the Sequence Delimitation Item of \(seqTag)", offset: fileOffset(pos), tag: seqTag))
                    return
                }
                throw error(.truncated, "file ends inside sequence \(seqTag)", pos, seqTag)
            }
            let tag = Tag(u16(pos), u16(pos + 2))
            let len = u32(pos + 4)
            if tag == .sequenceDelimitationItem {
                pos += 8
                if end != nil { note(Diagnostic(.warning, .strayDelimiter, "sequence delimiter in a defined-length sequence", offset: fileOffset(pos - 8), tag: seqTag)) }
                return
            }
            guard tag == .item else {
                throw error(.malformed, "expected an item (FFFE,E000) in sequence \(seqTag), found \(tag)", pos, tag)
            }
            pos += 8
            var item = DataSet()
            item.itemOffset = fileOffset(pos - 8)
            if len == 0xFFFF_FFFF {
                let closed = try parseElements(into: &item, at: &pos, end: end, depth: depth, charset: charset)
                if !closed && end == nil { throw error(.truncated, "file ends inside an item of \(seqTag)", pos, seqTag) }
            } else {
                var itemEnd = pos + Int(len)
                if let end, itemEnd > end {
                    // Seen on real media (and pydicom's DICOMDIR-nooffset): stop the item where its sequence ends.
                    note(Diagnostic(.warning, .itemLength, "item length \(len) runs past the end of sequence \(seqTag); item cut at the sequence end", offset: fileOffset(pos - 8), tag: seqTag))
                    itemEnd = end
                }
                guard src.ensure(itemEnd) else { throw error(.truncated, "file ends inside an item of \(seqTag) (length \(len))", pos - 8, seqTag) }
                let closed = try parseElements(into: &item, at: &pos, end: itemEnd, depth: depth, charset: charset)
                if closed { note(Diagnostic(.warning, .strayDelimiter, "item delimiter in a defined-length item", offset: fileOffset(pos - 8), tag: seqTag)) }
                pos = max(pos, itemEnd)
            }
            itemCount += 1
            if itemCount > options.maxItems {
                throw error(.tooLarge, "more than \(options.maxItems) sequence items: refused (a limit on memory)", pos, seqTag)
            }
            items.append(item)
        }
    }

    /// Reads encapsulated Pixel Data: Basic Offset Table item, fragments, sequence delimiter (PS3.5 §A.4).
    mutating func parseFragments(at pos: inout Int, tag: Tag) throws -> PixelFragments {
        var frags = PixelFragments()
        var first = true
        while true {
            src.release(before: pos)
            guard src.ensure(pos + 8) else {
                if !src.ensure(pos + 1) {
                    // EOF exactly where the next item would start: only the delimiter is missing.
                    note(Diagnostic(.warning, .missingDelimiter, "file ends before the Sequence Delimitation Item of encapsulated Pixel Data", offset: fileOffset(pos), tag: tag))
                    return frags
                }
                throw error(.truncated, "file ends inside encapsulated Pixel Data", pos, tag)
            }
            let t = Tag(u16(pos), u16(pos + 2))
            let len = Int(u32(pos + 4))
            pos += 8
            if t == .sequenceDelimitationItem { return frags }
            guard t == .item else { throw error(.malformed, "expected a fragment item in encapsulated Pixel Data, found \(t)", pos - 8, tag) }
            guard len != 0xFFFF_FFFF else { throw error(.malformed, "fragment with undefined length", pos - 8, tag) }
            guard src.has(pos, len), let bytes = src.take(pos, len) else {
                throw error(.truncated, "file ends inside a Pixel Data fragment (length \(len))", pos - 8, tag)
            }
            pos += len
            if first {
                first = false
                if len % 4 != 0 {
                    note(Diagnostic(.warning, .badOffsetTable, "Basic Offset Table length \(len) is not a multiple of 4", tag: tag))
                } else {
                    frags.basicOffsetTable = Swift.stride(from: 0, to: len, by: 4).map { le32(bytes, $0) }
                }
            } else {
                frags.fragments.append(bytes)
            }
        }
    }
}

/// Reverses the byte order of each `unit`-byte word in place (PS3.5 §7.3).
public func swapBytes(_ b: inout [UInt8], unit: Int) {
    guard unit > 1 else { return }
    var i = 0
    let n = b.count - b.count % unit
    b.withUnsafeMutableBufferPointer { p in
        while i < n {
            var lo = i, hi = i + unit - 1
            while lo < hi { p.swapAt(lo, hi); lo += 1; hi -= 1 }
            i += unit
        }
    }
}
