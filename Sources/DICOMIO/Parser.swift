import DICOMCore

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

    func error(
        _ code: DICOMIOError.Code, _ msg: String, _ pos: Int, _ tag: Tag? = nil,
        file: String = #fileID, line: Int = #line
    ) -> DICOMIOError {
        if offsetBase < 0 {
            // Inside a deflated data set there are no file offsets: name the stream's start and the inflated position.
            return DICOMIOError(
                code, "\(msg) (at byte \(pos) of the inflated data set)", path: src.path, offset: streamStart, tag: tag,
                file: file, line: line)
        }
        return DICOMIOError(code, msg, path: src.path, offset: pos + offsetBase, tag: tag, file: file, line: line)
    }

    @inline(__always) func u16(_ p: Int) -> UInt16 {
        let b = src
        return bigEndian ? UInt16(b[p]) << 8 | UInt16(b[p + 1]) : UInt16(b[p]) | UInt16(b[p + 1]) << 8
    }
    @inline(__always) func u32(_ p: Int) -> UInt32 {
        let b = src
        return bigEndian
            ? UInt32(b[p]) << 24 | UInt32(b[p + 1]) << 16 | UInt32(b[p + 2]) << 8 | UInt32(b[p + 3])
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
            // A second element with the sink's tag replaces the first (as below): what the sink took so far is dropped.
            if depth == 0, let sink = options.itemSink, sink.sequence == tag { sink.begin() }
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
                var kept = options
                kept.itemSink = nil  // a reparse may fail after some items: its items stay in the sequence it returns
                var p = Parser(src: ByteSource(bytes: raw, path: src.path), syntax: .implicitVRLittleEndian, options: kept)
                p.offsetBase = -1
                var items: [DataSet] = []
                var q = 0
                return (try? p.parseItems(into: &items, at: &q, end: raw.count, depth: depth + 1, charset: cs, seqTag: e.tag)) != nil ? items : nil
            }
            if e.vr == .UN, !e.tag.isPrivate, let known = DataDictionary.entry(for: e.tag)?.vrs.first, known != .UN,
                let raw = e.bytes
            {
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
                entry.vrs.contains(.US), entry.vrs.contains(.SS)
            {
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
                note(
                    Diagnostic(
                        .warning, .vrMismatch, "no valid VR in an explicit VR data set; VR \(vr.code) taken from the dictionary", offset: fileOffset(start),
                        tag: tag))
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
            // Checked against the file's size, not loaded: a long sequence (a DICOMDIR's records) is parsed through the window.
            guard src.has(pos, len) else { throw error(.truncated, "file ends inside the sequence (length \(len))", start, tag) }
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
}
