import DICOMCore
import DICOMFileSet
import DICOMIO
import Foundation
import Synchronization
import TestSupport
import XCTest

/// Test support for ``FileSetVerifier``: small File-sets built in code in a fresh temp folder
/// (Part 10 instance files + a DICOMDIR with a hand-made record tree), and the shared corpus.

/// The shared media corpus (TestSupport); tests skip without it.
enum VerifierCorpus {
    static var root: String { get throws { try Corpus.root.path } }
}

/// SOP Class and Transfer Syntax UIDs used by the fixtures (PS3.4 Annex B, PS3.5 Annex A).
enum VerifierUID {
    static let ct = "1.2.840.10008.5.1.4.1.1.2"
    static let mr = "1.2.840.10008.5.1.4.1.1.4"
    static let sc = "1.2.840.10008.5.1.4.1.1.7"
    static let us = "1.2.840.10008.5.1.4.1.1.6.1"
    static let implicitLE = "1.2.840.10008.1.2"
    static let explicitLE = "1.2.840.10008.1.2.1"
}

/// One instance file of a fixture: its File ID, data set and transfer syntax.
struct VerifierInstance {
    var fileID: [String]
    var dataSet: DataSet
    var transferSyntax: TransferSyntax = .explicitVRLittleEndian
    /// Write the data set bare (no preamble, no File Meta) instead of as a Part 10 file.
    var bare = false

    var sopInstanceUID: String { dataSet.string(.sopInstanceUID) ?? "" }
    var path: String { fileID.joined(separator: "/") }
}

enum VerifierFixture {
    /// A fresh, empty folder.
    static func tempRoot() throws -> String { try tempDir("verifier-tests").path }

    /// A small image instance (4x4 pixels) with everything the records copy (empty Patient's Birth Date, Study Description HEAD).
    static func instance(
        sopClass: String = VerifierUID.ct, patientID: String = "PID0001", patientName: String = "DOE^JOHN",
        studyUID: String, seriesUID: String, instanceNumber: Int, modality: String = "CT",
        bits: Int = 16, photometric: String = "MONOCHROME2"
    ) -> DataSet {
        SyntheticInstance.image(
            sopClass: sopClass, patientID: patientID, patientName: patientName, birthDate: "", studyUID: studyUID, seriesUID: seriesUID,
            instanceNumber: instanceNumber, modality: modality, studyDescription: "HEAD", bits: bits, photometric: photometric)
    }

    /// Writes one instance file (creating folders); Part 10 unless `bare`.
    static func write(_ inst: VerifierInstance, root: String) throws {
        let path = root + "/" + inst.path
        try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        if inst.bare {
            var enc = DataSetEncoder(explicitVR: true, undefinedLengths: false)
            enc.encode(inst.dataSet)
            try Part10Writer.write(enc.out, to: path)
        } else {
            try Part10Writer.write(Part10Writer.encode(dataSet: inst.dataSet, options: WriteOptions(transferSyntax: inst.transferSyntax)), to: path)
        }
    }

    // MARK: Records (PS3.3 F.5.1-F.5.4), by hand

    static func patient(_ ds: DataSet, _ children: [DirectoryRecord] = []) -> DirectoryRecord {
        var k = DataSet()
        copy([.patientName, .patientID, .patientBirthDate, .patientSex], from: ds, into: &k)
        return DirectoryRecord(type: .patient, keys: k, children: children)
    }
    static func study(_ ds: DataSet, _ children: [DirectoryRecord] = []) -> DirectoryRecord {
        var k = DataSet()
        copy([.studyDate, .studyTime, .studyDescription, .studyInstanceUID, .studyID, .accessionNumber], from: ds, into: &k)
        return DirectoryRecord(type: .study, keys: k, children: children)
    }
    static func series(_ ds: DataSet, _ children: [DirectoryRecord] = []) -> DirectoryRecord {
        var k = DataSet()
        copy([.modality, .seriesInstanceUID, .seriesNumber], from: ds, into: &k)
        return DirectoryRecord(type: .series, keys: k, children: children)
    }
    /// An IMAGE record for the instance: (0004,1500/1510/1511/1512), Instance Number, and the
    /// Image Type / Rows / Columns keys the general and compression profiles ask for.
    static func image(_ inst: VerifierInstance, type: DirectoryRecordType = .image) -> DirectoryRecord {
        var k = DataSet()
        k.setString(.referencedFileID, .CS, inst.fileID)
        k.setString(.referencedSOPClassUIDInFile, .UI, inst.dataSet.string(.sopClassUID) ?? "")
        k.setString(.referencedSOPInstanceUIDInFile, .UI, inst.sopInstanceUID)
        k.setString(.referencedTransferSyntaxUIDInFile, .UI, inst.transferSyntax.uid)
        copy([.instanceNumber, .imageType, .rows, .columns], from: inst.dataSet, into: &k)
        return DirectoryRecord(type: type, keys: k)
    }

    static func copy(_ tags: [Tag], from ds: DataSet, into keys: inout DataSet) {
        for t in tags { if let e = ds[t] { keys.set(e) } }
    }

    /// An Icon Image Sequence (0088,0200) with one item (PS3.3 F.7).
    static func icon(size: Int, photometric: String = "MONOCHROME2", samples: Int = 1, bits: Int = 8) -> DataElement {
        var item = DataSet()
        item.setUInt16(.samplesPerPixel, [UInt16(samples)])
        item.setString(.photometricInterpretation, .CS, photometric)
        item.setUInt16(.rows, [UInt16(size)])
        item.setUInt16(.columns, [UInt16(size)])
        item.setUInt16(.bitsAllocated, [UInt16(bits)])
        item.setUInt16(.bitsStored, [UInt16(bits)])
        item.setUInt16(.highBit, [UInt16(bits - 1)])
        item.setUInt16(.pixelRepresentation, [0])
        item.set(DataElement(tag: .pixelData, vr: .OB, bytes: [UInt8](repeating: 0x80, count: size * size * samples * bits / 8)))
        return DataElement(tag: .iconImageSequence, vr: .SQ, value: .sequence([item]))
    }
}

/// A File-set in a temp folder: instance files plus a record tree, written on `write()`.
/// `clean()` gives 1 patient, 1 study, 1 series and 2 CT images with no problem at all; each test
/// changes one thing.
struct VerifierFileSet {
    var root: String
    var instances: [VerifierInstance]
    var fileSet: FileSet

    var dicomdirPath: String { root + "/DICOMDIR" }

    static func clean(images: Int = 2, sopClass: String = VerifierUID.ct, bits: Int = 16) throws -> VerifierFileSet {
        let root = try VerifierFixture.tempRoot()
        let study = UID.make(), series = UID.make()
        let modality = sopClass == VerifierUID.sc ? "OT" : "CT"
        let instances = (1...images).map { n in
            VerifierInstance(
                fileID: ["DICOM", String(format: "IM%06d", n)],
                dataSet: VerifierFixture.instance(
                    sopClass: sopClass, studyUID: study, seriesUID: series, instanceNumber: n,
                    modality: modality, bits: bits))
        }
        var f = VerifierFileSet(root: root, instances: instances, fileSet: FileSet(fileSetID: "TESTSET"))
        f.rebuildTree()
        return f
    }

    /// The PATIENT > STUDY > SERIES > IMAGE tree for `instances`, keys taken from the first
    /// instance of each patient / study / series.
    mutating func rebuildTree() {
        var patients: [DirectoryRecord] = []
        for inst in instances {
            let ds = inst.dataSet
            let pid = ds.string(.patientID) ?? "", st = ds.string(.studyInstanceUID) ?? "", se = ds.string(.seriesInstanceUID) ?? ""
            var p = patients.firstIndex { $0.keys.string(.patientID) ?? "" == pid } ?? -1
            if p < 0 { patients.append(VerifierFixture.patient(ds)); p = patients.count - 1 }
            var s = patients[p].children.firstIndex { $0.keys.string(.studyInstanceUID) == st } ?? -1
            if s < 0 { patients[p].children.append(VerifierFixture.study(ds)); s = patients[p].children.count - 1 }
            var r = patients[p].children[s].children.firstIndex { $0.keys.string(.seriesInstanceUID) == se } ?? -1
            if r < 0 { patients[p].children[s].children.append(VerifierFixture.series(ds)); r = patients[p].children[s].children.count - 1 }
            patients[p].children[s].children[r].children.append(VerifierFixture.image(inst))
        }
        fileSet.records = patients
    }

    /// Changes the record at `path` (indices from the root entity down).
    mutating func edit(_ path: [Int], _ body: (inout DirectoryRecord) -> Void) {
        func go(_ list: inout [DirectoryRecord], _ p: ArraySlice<Int>) {
            if p.count == 1 { body(&list[p.first!]) } else { go(&list[p.first!].children, p.dropFirst()) }
        }
        go(&fileSet.records, path[...])
    }
    /// The record at `path`.
    func record(_ path: [Int]) -> DirectoryRecord {
        var r = fileSet.records[path[0]]
        for i in path.dropFirst() { r = r.children[i] }
        return r
    }
    /// Path of the n-th image record (0-based) in the clean tree.
    static func imagePath(_ n: Int) -> [Int] { [0, 0, 0, n] }

    /// Writes every instance file and the DICOMDIR.
    func write() throws {
        for inst in instances { try VerifierFixture.write(inst, root: root) }
        try Part10Writer.write(DICOMDIRWriter.encode(fileSet), to: dicomdirPath)
    }

    /// Writes, reads the DICOMDIR back (so records carry their real offsets) and verifies.
    func writeAndVerify(profile: ApplicationProfile? = nil) throws -> [FileSetProblem] {
        try write()
        return try verifyOnDisk(profile: profile)
    }

    /// Verifies what is on disk now.
    func verifyOnDisk(
        profile: ApplicationProfile? = nil, ignoring: Set<String> = [], files: FileSetFiles? = nil,
        progress: (@Sendable (Int, Int) -> Void)? = nil
    ) throws -> [FileSetProblem] {
        let fs = try DICOMDIRReader.read(path: dicomdirPath)
        return FileSetVerifier(root: root, fileSet: fs, profile: profile, files: files, ignoring: ignoring).verify(progress: progress)
    }

    func remove() { try? FileManager.default.removeItem(atPath: root) }
}

// MARK: - Assertions

/// Codes of the problems at warning level or above, as a set.
func problemCodes(_ problems: [FileSetProblem]) -> Set<DiagnosticCode> {
    Set(problems.filter { $0.severity >= .warning }.map(\.code))
}

/// The problems at warning level or above are exactly `codes` (the fixture has exactly that damage).
func assertProblemCodes(_ problems: [FileSetProblem], _ codes: Set<DiagnosticCode>, file: StaticString = #filePath, line: UInt = #line) {
    XCTAssertEqual(problemCodes(problems), codes, "problems:\n" + problems.map(\.description).joined(separator: "\n"), file: file, line: line)
}

/// A problem with this code is present, with the severity (and File ID) given.
@discardableResult
func assertProblem(
    _ problems: [FileSetProblem], _ code: DiagnosticCode, _ severity: Diagnostic.Severity, fileID: String? = nil,
    file: StaticString = #filePath, line: UInt = #line
) -> FileSetProblem? {
    let hit = problems.first { $0.code == code && (fileID == nil || $0.fileID == fileID) }
    guard let p = hit else {
        XCTFail(
            "no '\(code)' problem\(fileID.map { " for \($0)" } ?? ""); problems:\n" + problems.map(\.description).joined(separator: "\n"), file: file,
            line: line)
        return nil
    }
    XCTAssertEqual(p.severity, severity, "severity of \(p)", file: file, line: line)
    XCTAssertFalse(p.rule.isEmpty, "rule of \(p)", file: file, line: line)
    return p
}

/// Writes bytes to a path under the fixture root (creating folders).
func writeTestFile(_ bytes: [UInt8], to path: String) throws {
    try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
    try Data(bytes).write(to: URL(fileURLWithPath: path))
}

/// Records progress calls from any thread.
final class VerifierProgressLog: Sendable {
    private let calls = Mutex<[(Int, Int)]>([])
    func record(_ done: Int, _ total: Int) { calls.withLock { $0.append((done, total)) } }
    var all: [(Int, Int)] { calls.withLock { $0 } }
}
