import DICOMCore

/// Reads Part 10 files (PS3.10 §7) in every native and encapsulated transfer syntax.
public enum Part10Reader {
    /// Reads the file at `path`.
    public static func read(path: String, options: ReadOptions = ReadOptions()) throws -> DICOMFile {
        let src = try ByteSource(path: path)
        return try read(src, options: options)
    }
    /// Reads the file lying in `region` of an open file (`path` names it in messages) through a bounded window:
    /// a large file, such as a DICOMDIR, is never held whole beside its parsed data set.
    public static func read(region: FileRegion, path: String, options: ReadOptions = ReadOptions()) throws -> DICOMFile {
        try read(ByteSource(region: region, path: path), options: options)
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
                diags.append(
                    Diagnostic(
                        .warning, .unknownTransferSyntax, "unknown Transfer Syntax UID \(uid): read as Explicit VR Little Endian", tag: .transferSyntaxUID))
            }
        } else {
            if !meta.isEmpty {
                diags.append(
                    Diagnostic(.warning, .noTransferSyntax, "File Meta has no Transfer Syntax UID (0002,0010): guessed from the data", tag: .transferSyntaxUID))
            }
            syntax = guessSyntax(src, at: pos)
        }
        if !syntax.isDeflated
            && (!syntax.isExplicitVR || syntax.byteOrder == .bigEndian || syntax.isEncapsulated || syntax.uid == TransferSyntax.explicitVRLittleEndian.uid)
        {
            // Check the claim against the first element: some writers lie about explicit/implicit VR.
            let actual = guessSyntax(src, at: pos)
            if src.ensure(pos + 8), actual.isExplicitVR != syntax.isExplicitVR, syntax.byteOrder == actual.byteOrder {
                diags.append(
                    Diagnostic(
                        .warning, .vrEncodingMismatch,
                        "Transfer Syntax says \(syntax.isExplicitVR ? "explicit" : "implicit") VR but the data set is \(actual.isExplicitVR ? "explicit" : "implicit") VR; read as found",
                        offset: pos))
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
                    throw DICOMIOError(
                        .tooLarge, "the deflated data set inflates to more than \(limit) bytes (the limit; raise it with --max-inflated SIZE)", path: src.path,
                        offset: pos, cause: e)
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
