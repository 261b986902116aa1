import DICOMCore
import FileSystem
#if canImport(Glibc)
import Glibc
#endif

/// Identification of this implementation in the File Meta (PS3.10 §7.1, PS3.7 §D.3.3.2).
public enum Implementation {
    public static let version = "0.1"
    /// Implementation Class UID, fixed for this implementation, under the 2.25 UUID root.
    public static let classUID = "2.25.331388157356327743769766774398668970500"
    /// Implementation Version Name (≤ 16 characters).
    public static let versionName = "DICOM_MEDIA_" + version
}

/// How to write a Part 10 file.
public struct WriteOptions: Sendable {
    /// Syntax of the data set: Implicit VR LE, Explicit VR LE, Deflated Explicit VR LE, or an
    /// encapsulated syntax whose Pixel Data is already encapsulated.
    public var transferSyntax: TransferSyntax
    /// Source Application Entity Title (0002,0016), replacing the input's.
    public var sourceAETitle: String?
    /// Write sequences and items with undefined length (DCMTK's default) instead of defined lengths.
    public var undefinedLengthSequences: Bool
    public init(transferSyntax: TransferSyntax = .explicitVRLittleEndian, sourceAETitle: String? = nil, undefinedLengthSequences: Bool = false) {
        self.transferSyntax = transferSyntax; self.sourceAETitle = sourceAETitle; self.undefinedLengthSequences = undefinedLengthSequences
    }
}

/// Writes Part 10 files (PS3.10 §7): preamble, DICM, File Meta, data set.
public enum Part10Writer {
    /// Syntaxes this writer can produce from native data.
    public static func canWrite(_ ts: TransferSyntax) -> Bool {
        ts.byteOrder == .littleEndian && ts.isKnown && (!ts.isDeflated || ts.uid == TransferSyntax.deflatedExplicitVRLittleEndian.uid)
    }

    /// Builds the File Meta for `dataSet` (PS3.10 Table 7.1-1), keeping optional elements of `existing`.
    public static func makeFileMeta(for dataSet: DataSet, existing: DataSet = DataSet(), options: WriteOptions) -> DataSet {
        var meta = DataSet()
        let keep: Set<Tag> = [
            .sourceApplicationEntityTitle, .sendingApplicationEntityTitle, .receivingApplicationEntityTitle,
            .sourcePresentationAddress, .sendingPresentationAddress, .receivingPresentationAddress,
            .privateInformationCreatorUID, .privateInformation,
        ]
        for e in existing where keep.contains(e.tag) { meta.set(e) }
        meta.set(DataElement(tag: .fileMetaInformationVersion, vr: .OB, bytes: [0x00, 0x01]))
        let sopClass = dataSet.string(.sopClassUID) ?? existing.string(.mediaStorageSOPClassUID) ?? ""
        let sopInstance = dataSet.string(.sopInstanceUID) ?? existing.string(.mediaStorageSOPInstanceUID) ?? ""
        meta.setString(.mediaStorageSOPClassUID, .UI, sopClass)
        meta.setString(.mediaStorageSOPInstanceUID, .UI, sopInstance)
        meta.setString(.transferSyntaxUID, .UI, options.transferSyntax.uid)
        meta.setString(.implementationClassUID, .UI, Implementation.classUID)
        meta.setString(.implementationVersionName, .SH, Implementation.versionName)
        if let ae = options.sourceAETitle { meta.setString(.sourceApplicationEntityTitle, .AE, ae) }
        return meta
    }

    /// Encodes a complete Part 10 file.
    public static func encode(
        dataSet: DataSet, fileMeta existing: DataSet = DataSet(), options: WriteOptions = WriteOptions(),
        preamble: [UInt8]? = nil
    ) throws -> [UInt8] {
        let ts = options.transferSyntax
        guard canWrite(ts) else { throw DICOMIOError(.unsupported, "cannot write \(ts): only little-endian syntaxes are written") }
        if ts.isEncapsulated, let px = dataSet[.pixelData], px.fragments == nil {
            throw DICOMIOError(.unsupported, "\(ts.name) needs encapsulated Pixel Data; this data set has native Pixel Data")
        }
        if !ts.isEncapsulated, let px = dataSet[.pixelData], px.fragments != nil {
            throw DICOMIOError(.unsupported, "\(ts.name) needs native Pixel Data; this data set has encapsulated (compressed) Pixel Data")
        }
        let meta = makeFileMeta(for: dataSet, existing: existing, options: options)
        var out = [UInt8]()
        out.reserveCapacity(estimateSize(dataSet) + 1024)
        var pre = preamble ?? [UInt8](repeating: 0, count: 128)
        if pre.count != 128 { pre = [UInt8](repeating: 0, count: 128) }
        out += pre
        out += [0x44, 0x49, 0x43, 0x4D]
        out += encodeFileMeta(meta)
        var body = DataSetEncoder(explicitVR: ts.isExplicitVR, undefinedLengths: options.undefinedLengthSequences)
        body.out.reserveCapacity(estimateSize(dataSet))
        body.encode(dataSet.removingFileMeta())
        if ts.isDeflated { out += try Deflate.deflate(body.out) } else { out += body.out }
        return out
    }

    /// Group 0002 in Explicit VR LE with its group length (PS3.10 §7.1).
    public static func encodeFileMeta(_ meta: DataSet) -> [UInt8] {
        var enc = DataSetEncoder(explicitVR: true, undefinedLengths: false)
        for e in meta where e.tag.group == 2 && e.tag != .fileMetaInformationGroupLength { enc.encode(e) }
        var head = DataSetEncoder(explicitVR: true, undefinedLengths: false)
        head.encode(DataElement(tag: .fileMetaInformationGroupLength, vr: .UL, bytes: u32le(UInt32(enc.out.count))))
        return head.out + enc.out
    }

    /// Writes atomically: a temporary file in the same folder, then rename (never a half-written file).
    public static func write(_ bytes: [UInt8], to path: String) throws {
        let tmp = path + ".tmp-\(getpid())"
        let fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        guard fd >= 0 else { let e = SystemErrno.current("open"); throw DICOMIOError("cannot create: \(e.text)", path: path, cause: e) }
        var written = 0
        let ok: Bool = bytes.withUnsafeBytes { p in
            while written < p.count {
                let n = Glibc.write(fd, p.baseAddress! + written, p.count - written)
                if n < 0 && errno == EINTR { continue }
                if n <= 0 { return false }
                written += n
            }
            return true
        }
        let err = SystemErrno.current("write")
        close(fd)
        guard ok else { unlink(tmp); throw DICOMIOError("write failed: \(err.text)", path: path, cause: err) }
        guard rename(tmp, path) == 0 else {
            let e = SystemErrno.current("rename"); unlink(tmp)
            throw DICOMIOError("cannot rename into place: \(e.text)", path: path, cause: e)
        }
    }

    static func estimateSize(_ ds: DataSet) -> Int {
        var n = 0
        for e in ds {
            switch e.value {
            case .bytes(let b): n += b.count + 12
            case .fragments(let f): n += f.fragments.reduce(0) { $0 + $1.count + 8 } + 16
            case .sequence(let items): n += items.reduce(0) { $0 + estimateSize($1) + 16 }
            }
        }
        return n
    }
}

extension DataSet {
    /// The data set without group 0002 elements, which belong to the File Meta only (PS3.10 §7.1).
    public func removingFileMeta() -> DataSet {
        guard contains(where: { $0.tag.group == 2 }) else { return self }
        var d = self
        d.removeAll { $0.tag.group == 2 }
        return d
    }
}

func u32le(_ v: UInt32) -> [UInt8] { [UInt8(v & 0xFF), UInt8(v >> 8 & 0xFF), UInt8(v >> 16 & 0xFF), UInt8(v >> 24)] }

/// Encodes data sets in Implicit or Explicit VR Little Endian (PS3.5 §7).
public struct DataSetEncoder {
    public var out: [UInt8] = []
    public let explicitVR: Bool
    public let undefinedLengths: Bool
    public init(explicitVR: Bool, undefinedLengths: Bool) { self.explicitVR = explicitVR; self.undefinedLengths = undefinedLengths }

    /// Encodes the data set; group length elements present in it are recomputed (PS3.5 §7.2).
    public mutating func encode(_ ds: DataSet) {
        let elements = ds.elements
        var i = 0
        while i < elements.count {
            let e = elements[i]
            if e.tag.isGroupLength {
                // Encode the rest of the group first to learn its length.
                var sub = DataSetEncoder(explicitVR: explicitVR, undefinedLengths: undefinedLengths)
                var j = i + 1
                while j < elements.count && elements[j].tag.group == e.tag.group { sub.encode(elements[j]); j += 1 }
                encode(DataElement(tag: e.tag, vr: .UL, bytes: u32le(UInt32(sub.out.count))))
                out += sub.out
                i = j
            } else {
                encode(e); i += 1
            }
        }
    }

    mutating func tag(_ t: Tag) {
        out += [UInt8(t.group & 0xFF), UInt8(t.group >> 8), UInt8(t.element & 0xFF), UInt8(t.element >> 8)]
    }

    mutating func header(_ t: Tag, _ vr: VR, _ length: UInt32) {
        tag(t)
        if explicitVR {
            var vr = vr
            if !vr.hasLongLength && length > 0xFFFF { vr = .UN }
            out += [vr.byte0, vr.byte1]
            if vr.hasLongLength { out += [0, 0]; out += u32le(length) } else { out += [UInt8(length & 0xFF), UInt8(length >> 8)] }
        } else {
            out += u32le(length)
        }
    }

    public mutating func encode(_ e: DataElement) {
        switch e.value {
        case .bytes(let b):
            let padded = b.count & 1 == 1
            header(e.tag, e.vr, UInt32(b.count + (padded ? 1 : 0)))
            out += b
            if padded { out.append(e.vr.paddingByte) }
        case .sequence(let items):
            // Implicit VR: undefined lengths, so readers that do not know the tag still see a sequence.
            if undefinedLengths || !explicitVR {
                header(e.tag, .SQ, 0xFFFF_FFFF)
                for item in items {
                    tag(.item); out += u32le(0xFFFF_FFFF)
                    encode(item)
                    tag(.itemDelimitationItem); out += [0, 0, 0, 0]
                }
                tag(.sequenceDelimitationItem); out += [0, 0, 0, 0]
            } else {
                var body = DataSetEncoder(explicitVR: explicitVR, undefinedLengths: false)
                for item in items {
                    var sub = DataSetEncoder(explicitVR: explicitVR, undefinedLengths: false)
                    sub.encode(item)
                    body.tag(.item); body.out += u32le(UInt32(sub.out.count)); body.out += sub.out
                }
                header(e.tag, .SQ, UInt32(body.out.count))
                out += body.out
            }
        case .fragments(let f):
            header(e.tag, e.vr == .OW ? .OW : .OB, 0xFFFF_FFFF)
            tag(.item); out += u32le(UInt32(f.basicOffsetTable.count * 4))
            for o in f.basicOffsetTable { out += u32le(o) }
            for frag in f.fragments {
                let pad = frag.count & 1
                tag(.item); out += u32le(UInt32(frag.count + pad)); out += frag
                if pad == 1 { out.append(0) }
            }
            tag(.sequenceDelimitationItem); out += [0, 0, 0, 0]
        }
    }
}
