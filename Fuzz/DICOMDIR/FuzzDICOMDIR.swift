// libFuzzer entry point for the DICOMDIR reader (built only by scripts/fuzz.sh with FUZZ_TARGET=dicomdir,
// from Fuzz/Package.swift with `-sanitize=fuzzer,address`).
//
// Properties checked on every input:
//  * the Part 10 reader and DICOMDIRReader either build a FileSet (with problems as values) or
//    throw; they never trap, hang (loops in offset chains, deep nesting) or touch bad memory;
//  * whatever tree was recovered re-encodes with DICOMDIRWriter, and the written DICOMDIR reads
//    back with no structural problem and the same number of records in the same order (the
//    offsets the writer computes are always consistent);
//  * read again with a DirectoryRecordCollector (each record made and packed as its item is parsed), the
//    same bytes give the same records, problems and written DICOMDIR.
import DICOMCore
import DICOMFileSet
import DICOMIO

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    guard let file = try? Part10Reader.read(bytes: bytes, path: "DICOMDIR") else { return 0 }
    let fs = DICOMDIRReader.read(file)
    var types: [String] = []
    for (r, _) in fs.allRecords() {
        types.append(r.type.rawValue)
        _ = r.referencedFileID?.nonConformance
        _ = r.referencedFileID?.escapesRoot
    }
    let collector = DirectoryRecordCollector()
    guard let streamed = try? Part10Reader.read(bytes: bytes, path: "DICOMDIR", options: collector.reading(ReadOptions())) else {
        preconditionFailure("the bytes read whole do not read with a record collector")
    }
    let collected = DICOMDIRReader.read(streamed, collected: collector)
    precondition(collected.allRecords().map { $0.record.keys } == fs.allRecords().map { $0.record.keys }, "collected records differ")
    precondition(collected.problems.map(\.code) == fs.problems.map(\.code), "collected read reports other problems")
    guard FileID.isValidFileSetUIDForFuzz(fs.fileSetUID) else { return 0 }
    guard let written = try? DICOMDIRWriter.encode(fs) else { return 0 }
    precondition((try? DICOMDIRWriter.encode(collected)) == written, "collected records write another DICOMDIR")
    guard let back = try? Part10Reader.read(bytes: written, path: "rewritten") else {
        preconditionFailure("a DICOMDIR we wrote does not read back")
    }
    let again = DICOMDIRReader.read(back)
    let structural = again.problems.filter { [DiagnosticCode.offsetNotItem, .recordLoop, .orphanRecord, .noRootOffset, .lastRootOffset].contains($0.code) }
    precondition(structural.isEmpty, "our DICOMDIR has structural problems: \(structural)")
    precondition(again.allRecords().map { $0.record.type.rawValue } == types, "records changed on a write/read round trip")
    return 0
}

extension FileID {
    /// Data sets whose File-set UID cannot be written back as UI (fuzz junk) are not round-tripped.
    static func isValidFileSetUIDForFuzz(_ uid: String) -> Bool { uid.utf8.count <= 64 }
}
