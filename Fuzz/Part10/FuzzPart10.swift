// libFuzzer entry point for the Part 10 reader (built only by scripts/fuzz.sh,
// from Fuzz/Package.swift with `-sanitize=fuzzer,address`).
//
// Properties checked on every input:
//  * reading (full and header-only) and the completeness check either return a DICOMFile or throws; it never traps,
//    hangs or touches memory it should not (ASan);
//  * a file that parses can be turned into the DICOM JSON Model and serialised, and every
//    text value of the top-level data set decodes through its Specific Character Set;
//  * a data set with native (or no) Pixel Data re-encodes in Explicit VR Little Endian (with
//    defined- or undefined-length sequences, by input length), the result reads back, and the
//    re-read data set has the same tags, recursively through sequence items, as the one that
//    was written (round trip). Group lengths are compared as plain tags: the writer recomputes
//    them as UL whatever they held.
// Fuzz/dicom.dict is the libFuzzer dictionary scripts/fuzz.sh passes.
import DICOMCore
import DICOMIO

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))

    // The completeness check (header walk with positional reads) must not trap either.
    _ = try? Completeness.check(bytes: bytes, path: "fuzz")
    if let head = try? Part10Reader.read(bytes: bytes, path: "fuzz", options: .headerOnly) {
        exercise(head)
    }
    guard let file = try? Part10Reader.read(bytes: bytes, path: "fuzz", options: ReadOptions()) else { return 0 }
    exercise(file)
    roundTrip(file, undefinedLengths: size & 1 == 1)  // both sequence encodings, input by input
    return 0
}

/// JSON model and text decoding: must not trap whatever the values hold.
func exercise(_ file: DICOMFile) {
    _ = JSONModel(path: "fuzz").json(file.fileMeta).serialized()
    _ = JSONModel(path: "fuzz").json(file.dataSet).serialized(pretty: true)
    let ds = file.dataSet
    for e in ds {
        guard e.bytes != nil else { continue }
        let vr = e.vr
        if vr.isString {
            _ = ds.text(e.tag)
            _ = ds.strings(e.tag)
        }
        switch vr {
        case .PN: _ = ds.personNames(e.tag)?.map { ($0.components, $0.description) }
        case .DA: _ = ds.date(e.tag)?.description
        case .TM: _ = ds.time(e.tag)?.description
        case .DT: _ = ds.dateTime(e.tag)?.description
        case .IS, .DS: _ = ds.integers(e.tag); _ = ds.doubles(e.tag)
        default:
            if vr.isBinaryNumber || vr == .AT { _ = ds.integers(e.tag); _ = ds.doubles(e.tag) }
        }
    }
}

/// Writes the data set in Explicit VR LE, reads it back and compares the tag structure.
func roundTrip(_ file: DICOMFile, undefinedLengths: Bool) {
    let ds = file.dataSet
    if ds[.pixelData]?.fragments != nil { return }  // encapsulated: EVRLE cannot hold it
    let written = ds.removingFileMeta()
    let encoded: [UInt8]
    do {
        encoded = try Part10Writer.encode(
            dataSet: written, fileMeta: file.fileMeta,
            options: WriteOptions(
                transferSyntax: .explicitVRLittleEndian,
                undefinedLengthSequences: undefinedLengths))
    } catch {
        preconditionFailure("Part10Writer.encode failed on a data set the reader produced: \(error)")
    }
    let reread: DICOMFile
    do {
        reread = try Part10Reader.read(bytes: encoded, path: "round-trip", options: ReadOptions())
    } catch {
        preconditionFailure("re-reading our own Explicit VR LE output failed: \(error)")
    }
    let a = shape(written), b = shape(reread.dataSet)
    precondition(a == b, "round trip changed the tags:\n wrote \(a)\n read  \(b)")
}

/// The tags of a data set with, for each sequence, the shapes of its items.
indirect enum Shape: Equatable, CustomStringConvertible {
    case element(Tag)
    case sequence(Tag, [[Shape]])
    var description: String {
        switch self {
        case .element(let t): return t.description
        case .sequence(let t, let items): return "\(t)[\(items.map { $0.map(\.description).joined(separator: " ") }.joined(separator: " | "))]"
        }
    }
}

func shape(_ ds: DataSet) -> [Shape] {
    ds.elements.map { e in
        // Group lengths (gggg,0000) are recomputed by the writer as UL whatever was read (PS3.5 §7.2).
        if let items = e.items, !e.tag.isGroupLength { return .sequence(e.tag, items.map(shape)) }
        return .element(e.tag)
    }
}
