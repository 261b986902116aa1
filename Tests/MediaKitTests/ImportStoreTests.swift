import DICOMCore
import DICOMFileSet
import DICOMIO
@testable import DICOMStore
@testable import MediaKit
import Foundation
import Synchronization

import XCTest

/// A medium held in memory: shows that an import needs nothing but `MediumReader` (an ISO reader
/// plugs in the same way), and that its paths are looked up case-insensitively.
struct MemoryMedium: MediumReader {
    var contents: [String: [UInt8]]
    var location: String { "memory:test" }
    var kind: String { "memory" }
    func files() throws -> [MediumFile] { contents.keys.sorted().map { MediumFile(path: $0, size: contents[$0]!.count) } }
    func read(_ path: String) throws -> [UInt8] {
        guard let b = contents[path] else { throw MediaError(.notFound, "no such file", path: path) }
        return b
    }
}

/// Records which files were read whole.
final class ReadLog: Sendable {
    private let paths = Mutex<[String]>([])
    func add(_ p: String) { paths.withLock { $0.append(p) } }
    var all: [String] { paths.withLock { $0 } }
}

struct LoggingMedium: MediumReader {
    var inner: MemoryMedium
    let log = ReadLog()
    var location: String { inner.location }
    var kind: String { inner.kind }
    func files() throws -> [MediumFile] { try inner.files() }
    func read(_ path: String) throws -> [UInt8] { log.add(path); return try inner.read(path) }
    func readPrefix(_ path: String, count: Int) throws -> [UInt8] { try inner.readPrefix(path, count: count) }
}

final class ImportStoreTests: XCTestCase {
    var dir: String!

    override func setUp() {
        dir = NSTemporaryDirectory() + "store-tests-\(UUID().uuidString)"
        try? FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
    }
    override func tearDown() { try? FileManager.default.removeItem(atPath: dir) }

    func instance(patient: String, study: String, series: String, sop: String, number: Int, description: String = "") throws -> [UInt8] {
        var ds = DataSet()
        ds.setString(.sopClassUID, .UI, "1.2.840.10008.5.1.4.1.1.7")
        ds.setString(.sopInstanceUID, .UI, sop)
        ds.setString(.studyDate, .DA, "20240102")
        ds.setString(.modality, .CS, "OT")
        ds.setString(Tag.studyDescription, .LO, description)
        ds.setString(.patientName, .PN, "Doe^Jane")
        ds.setString(.patientID, .LO, patient)
        ds.setString(.studyInstanceUID, .UI, study)
        ds.setString(.seriesInstanceUID, .UI, series)
        ds.setString(Tag.seriesNumber, .IS, "1")
        ds.setString(Tag.instanceNumber, .IS, String(number))
        ds.setUInt16(.rows, [2]); ds.setUInt16(.columns, [2])
        ds.set(DataElement(tag: .pixelData, vr: .OW, bytes: [1, 2, 3, 4, 5, 6, 7, 8]))
        return try Part10Writer.encode(dataSet: ds)
    }

    func testMediumIndexLookup() {
        let idx = MediumIndex(files: [
            MediumFile(path: "DICOM/PT0/im1", size: 1), MediumFile(path: "DICOMDIR;1", size: 1),
            MediumFile(path: "DICOM/PT0/IM2.dcm", size: 1), MediumFile(path: "DICOM/PT0/IM3", size: 1),
        ])
        XCTAssertEqual(idx.lookup(FileID(["DICOM", "PT0", "IM3"])), .exact("DICOM/PT0/IM3"))
        XCTAssertEqual(idx.lookup(FileID(["DICOM", "PT0", "IM1"])), .variant("DICOM/PT0/im1"))
        XCTAssertEqual(idx.lookup(FileID(["DICOMDIR"])), .variant("DICOMDIR;1"))
        XCTAssertEqual(idx.lookup(FileID(["DICOM", "PT0", "IM2"])), .variant("DICOM/PT0/IM2.dcm"))
        XCTAssertEqual(idx.lookup(FileID(["DICOM", "PT0", "IM9"])), .missing)
        XCTAssertEqual(idx.lookup(FileID(["..", "SECRET"])), .outsideRoot)
    }

    func testImportFromCustomMediumDuplicatesConflictsAndSelection() throws {
        let a1 = try instance(patient: "P1", study: "1.2.3", series: "1.2.3.1", sop: "1.2.3.1.1", number: 1)
        let a2 = try instance(patient: "P1", study: "1.2.3", series: "1.2.3.1", sop: "1.2.3.1.2", number: 2)
        let b1 = try instance(patient: "P2", study: "1.2.4", series: "1.2.4.1", sop: "1.2.4.1.1", number: 1)
        let medium = MemoryMedium(contents: ["A/IM1": a1, "A/IM2": a2, "B/IM1": b1, "autorun.inf": Array("[autorun]\n".utf8)])
        let store = try DICOMStore(root: dir + "/s")
        var r = try StoreImporter.run(media: [medium], store: store, storeRoot: store.root)
        XCTAssertEqual(r.imported.count, 3)
        XCTAssertEqual(r.notDICOM.map(\.path), ["autorun.inf"])
        XCTAssertEqual(r.media.first?.dicomdir, "missing")
        XCTAssertFalse(r.hasProblems)
        // Stored byte for byte, provenance kept.
        let rows = try store.allInstances()
        XCTAssertEqual(rows.count, 3)
        for row in rows {
            let original = try medium.read(row.sourcePath)
            XCTAssertEqual(try readWholeFile(store.absolutePath(row)), original)
            XCTAssertEqual(row.sha256, SHA256Hasher.hex(of: original))
            XCTAssertEqual(row.sourceKind, "memory")
        }
        // Again: nothing new.
        r = try StoreImporter.run(media: [medium], store: store, storeRoot: store.root)
        XCTAssertEqual(r.imported.count, 0)
        XCTAssertEqual(r.alreadyPresent.count, 3)
        // Same SOP Instance UID, other content: both kept, the newer flagged.
        let a1b = try instance(patient: "P1", study: "1.2.3", series: "1.2.3.1", sop: "1.2.3.1.1", number: 1, description: "changed")
        r = try StoreImporter.run(media: [MemoryMedium(contents: ["X": a1b])], store: store, storeRoot: store.root)
        XCTAssertEqual(r.conflicts.map(\.sopInstanceUID), ["1.2.3.1.1"])
        XCTAssertTrue(r.hasProblems)
        let copies = try store.select(instances: ["1.2.3.1.1"])
        XCTAssertEqual(copies.map(\.conflict).sorted { !$0 && $1 }, [false, true])
        // Selection for export: paths of existing files.
        let p1 = try store.select(patients: ["P1"])
        XCTAssertEqual(p1.count, 3)
        XCTAssertTrue(p1.allSatisfy { FileManager.default.fileExists(atPath: store.absolutePath($0)) })
        XCTAssertEqual(try store.select(series: ["1.2.4.1"]).map(\.sopInstanceUID), ["1.2.4.1.1"])
        XCTAssertEqual(try store.select(studies: ["1.2.3"], series: ["1.2.4.1"]).count, 4)
        // An export's selection, a row at a time: the same instances in the same order as `select`.
        for (patients, studies, series) in [([], [], []), (["P1"], [], []), ([], ["1.2.3"], ["1.2.4.1"]), (["NONE"], [], [])]
            as [([String], [String], [String])]
        {
            var seen: [(String, Bool, String, String?)] = []
            try store.forEachSelected(patients: patients, studies: studies, series: series) {
                seen.append(($0.path, $0.conflict, $0.sopInstanceUID + " " + $0.patientID + " " + $0.studyInstanceUID + " " + $0.sourcePath, $0.patientName))
            }
            let rows = try store.select(patients: patients, studies: studies, series: series)
            XCTAssertEqual(seen.map(\.0), rows.map(\.path))
            XCTAssertEqual(seen.map(\.1), rows.map(\.conflict))
            XCTAssertEqual(seen.map(\.2), rows.map { $0.sopInstanceUID + " " + $0.patientID + " " + $0.studyInstanceUID + " " + $0.sourcePath })
            XCTAssertEqual(seen.map(\.3), rows.map(\.patientName))
        }
        // StoreExport leaves the conflicting copy out, named, and keeps the other.
        let export = try StoreExport.select(try LocalStore(root: store.root, create: false), patients: ["P1"], studies: [], series: [])
        XCTAssertEqual(export.paths.count, 2)
        XCTAssertEqual(export.leftOut.count, 1)
        XCTAssertTrue(export.leftOut[0].source.contains("instance 1.2.3.1.1 (from memory:test/X)"), export.leftOut[0].source)
        XCTAssertEqual(Set(export.names.values).count, 2)
        XCTAssertEqual(try store.verify().problems.count, 0)
    }

    func testReconcileThenDeidentifyBeforeStoring() throws {
        let a = try instance(patient: "P1", study: "1.2.3", series: "1.2.3.1", sop: "1.2.3.1.9", number: 1)
        let csv = dir + "/map.csv"
        try "source_patient_id,patient_id,patient_name\nP1,LOCAL7,LOCAL^NAME\n".write(toFile: csv, atomically: true, encoding: .utf8)
        // Reconciliation alone: local identity, originals kept in Original Attributes Sequence (PS3.3 C.12.1).
        var options = ImportOptions()
        options.transform = try Reconciler(csvPath: csv)
        var store = try DICOMStore(root: dir + "/s")
        var r = try StoreImporter.run(media: [MemoryMedium(contents: ["F": a])], store: store, storeRoot: store.root, options: options)
        XCTAssertEqual(r.imported.count, 1)
        var row = try XCTUnwrap(store.allInstances().first)
        XCTAssertEqual(row.patientID, "LOCAL7")
        var f = try Part10Reader.read(path: store.absolutePath(row))
        XCTAssertEqual(f.dataSet.string(.patientName), "LOCAL^NAME")
        XCTAssertNotNil(f.dataSet[Tag.originalAttributesSequence]?.items?.first)
        XCTAssertEqual(f.dataSet[.pixelData]?.bytes, [1, 2, 3, 4, 5, 6, 7, 8])
        // Both, in a fresh store: de-identification runs last, the stored file and row hold only new identities.
        options.transform = TransformChain([try Reconciler(csvPath: csv), Deidentifier(.init())])
        store = try DICOMStore(root: dir + "/s2")
        r = try StoreImporter.run(media: [MemoryMedium(contents: ["F": a])], store: store, storeRoot: store.root, options: options)
        XCTAssertEqual(r.imported.count, 1)
        row = try XCTUnwrap(store.allInstances().first)
        XCTAssertNotEqual(row.sopInstanceUID, "1.2.3.1.9")
        XCTAssertNotEqual(row.patientID, "LOCAL7")
        f = try Part10Reader.read(path: store.absolutePath(row))
        XCTAssertEqual(f.dataSet.string(Tag.patientIdentityRemoved), "YES")
        XCTAssertEqual(f.fileMeta.string(.mediaStorageSOPInstanceUID), row.sopInstanceUID)
        XCTAssertEqual(f.dataSet[.pixelData]?.bytes, [1, 2, 3, 4, 5, 6, 7, 8])
        XCTAssertEqual(try store.verify().problems.count, 0)
    }

    func testConflictsAndRemovingOneCopy() throws {
        let a = try instance(patient: "P1", study: "1.2.3", series: "1.2.3.1", sop: "1.2.3.1.1", number: 1)
        let b = try instance(patient: "P1", study: "1.2.3", series: "1.2.3.1", sop: "1.2.3.1.1", number: 1, description: "changed")
        let other = try instance(patient: "P1", study: "1.2.3", series: "1.2.3.1", sop: "1.2.3.1.2", number: 2)
        let store = try DICOMStore(root: dir + "/s")
        _ = try StoreImporter.run(media: [MemoryMedium(contents: ["A": a, "O": other])], store: store, storeRoot: store.root)
        let r = try StoreImporter.run(media: [MemoryMedium(contents: ["B": b])], store: store, storeRoot: store.root)
        XCTAssertEqual(r.conflicts.first?.sha256, SHA256Hasher.hex(of: b))
        XCTAssertTrue(r.diagnostics.contains { $0.code == .importConflict })
        let groups = try store.conflicts()
        XCTAssertEqual(groups.count, 1)
        XCTAssertEqual(groups[0].map(\.sha256), [SHA256Hasher.hex(of: a), SHA256Hasher.hex(of: b)])
        XCTAssertEqual(groups[0].map(\.conflict), [false, true])
        // A dry run says what would go and changes nothing.
        let first = SHA256Hasher.hex(of: a)
        let dry = try store.remove(uid: "1.2.3.1.1", copy: first, dryRun: true)
        XCTAssertEqual(dry.removed.map(\.sha256), [first])
        XCTAssertEqual(dry.unflagged.map(\.sha256), [SHA256Hasher.hex(of: b)])
        XCTAssertEqual(try store.count(), 3)
        XCTAssertTrue(FileManager.default.fileExists(atPath: store.absolutePath(groups[0][0])))
        XCTAssertNil(try store.remove(uid: "1.2.3.1.1", copy: "ffffffffffff").level)
        // Removing the unflagged copy leaves the other as the single unflagged copy.
        let done = try store.remove(uid: "1.2.3.1.1", copy: String(first.prefix(10)))
        XCTAssertEqual(done.level, "copy")
        let left = try store.select(instances: ["1.2.3.1.1"])
        XCTAssertEqual(left.map(\.sha256), [SHA256Hasher.hex(of: b)])
        XCTAssertEqual(left.map(\.conflict), [false])
        XCTAssertFalse(FileManager.default.fileExists(atPath: store.absolutePath(groups[0][0])))
        XCTAssertEqual(try store.conflicts().count, 0)
        XCTAssertEqual(try store.verify().problems.count, 0)
        XCTAssertEqual(try store.count(), 2)
    }

    func testDataSetSOPInstanceUIDIdentifiesAFileWhoseFileMetaDisagrees() throws {
        var f = try Part10Reader.read(bytes: try instance(patient: "P1", study: "1.2.3", series: "1.2.3.1", sop: "1.2.3.1.4", number: 1))
        f.fileMeta.setString(.mediaStorageSOPInstanceUID, .UI, "1.2.3.1.999")
        let bytes =
            [UInt8](repeating: 0, count: 128) + Array("DICM".utf8) + Part10Writer.encodeFileMeta(f.fileMeta)
            + Array(try Part10Writer.encode(dataSet: f.dataSet).dropFirst(f.dataSetOffset))
        XCTAssertEqual(FileMetaCheck.mismatches(fileMeta: f.fileMeta, dataSet: f.dataSet).count, 1)
        let store = try DICOMStore(root: dir + "/s")
        let r = try StoreImporter.run(media: [MemoryMedium(contents: ["F": bytes])], store: store, storeRoot: store.root)
        XCTAssertEqual(r.imported.map(\.sopInstanceUID), ["1.2.3.1.4"])
        XCTAssertEqual(r.problems.map(\.problem.code), [FileMetaCheck.code])
        XCTAssertEqual(r.problems.first?.problem.severity, .warning)
        let row = try XCTUnwrap(store.allInstances().first)
        XCTAssertEqual(row.sopInstanceUID, "1.2.3.1.4")
        XCTAssertEqual(try readWholeFile(store.absolutePath(row)), bytes)
        XCTAssertEqual(try store.verify().problems.count, 0)
    }

    func testProvenanceModesKeepOnlyWhatWasChosen() throws {
        let a = try instance(patient: "P1", study: "1.2.3", series: "1.2.3.1", sop: "1.2.3.1.3", number: 1)
        let medium = MemoryMedium(contents: ["DOE_JANE/IM1": a])
        let key = [UInt8](repeating: 7, count: 32)
        var tokens: [String] = []
        for (n, mode) in [ProvenanceMode.hash, .hash, .label, .full].enumerated() {
            var options = ImportOptions()
            options.provenance = mode
            options.provenanceKey = key
            let store = try DICOMStore(root: dir + "/s\(n)")
            _ = try StoreImporter.run(media: [medium], store: store, storeRoot: store.root, options: options)
            let row = try XCTUnwrap(store.allInstances().first)
            if mode == .full {
                XCTAssertEqual(row.sourcePath, "DOE_JANE/IM1")
                XCTAssertEqual(row.sourceLocation, "memory:test")
            } else {
                XCTAssertEqual(row.sourcePath, "")
                XCTAssertNil(row.sourceFileID)
                XCTAssertNil(row.sourceFileSetUID)
                XCTAssertTrue(row.sourceLocation.hasPrefix("medium-"))
                XCTAssertEqual(row.sourceLocation.count, 7 + 16)
                tokens.append(row.sourceLocation)
            }
        }
        // The same medium under the same key: the same token (no File-set ID, so label falls back to it).
        XCTAssertEqual(Set(tokens).count, 1)
    }

    func testDryRunWritesNothingAndReconcileCleansLeftovers() throws {
        let a = try instance(patient: "P1", study: "1.2.3", series: "1.2.3.1", sop: "1.2.3.1.5", number: 1)
        var options = ImportOptions()
        options.dryRun = true
        let r = try StoreImporter.run(media: [MemoryMedium(contents: ["F": a])], store: nil, storeRoot: dir + "/none", options: options)
        XCTAssertEqual(r.imported.count, 1)
        XCTAssertFalse(FileManager.default.fileExists(atPath: dir + "/none"))
        // Leftovers of a killed run: a temporary file and an object without a row.
        let store = try DICOMStore(root: dir + "/s")
        try createDirectories(store.tmpDirectory + "/run-1-1")
        XCTAssertNil(writeFile(store.tmpDirectory + "/run-1-1/partial", [1, 2, 3]))
        try createDirectories(store.objectsDirectory + "/ab")
        XCTAssertNil(writeFile(store.objectsDirectory + "/ab/abcd.dcm", [4]))
        XCTAssertEqual(Set(try store.verify().problems.map(\.code)), [.interrupted, .orphanFile])
        let rec = try XCTUnwrap(try store.reconcileIfIdle())
        XCTAssertTrue(rec.interrupted)
        XCTAssertEqual(rec.tmpRemoved, 1)
        XCTAssertEqual(rec.orphanFilesRemoved, 1)
        XCTAssertEqual(try store.verify().problems.count, 0)
    }

    func testLargeNonDICOMFilesAreNotReadWhole() throws {
        let a = try instance(patient: "P1", study: "1.2.3", series: "1.2.3.1", sop: "1.2.3.1.7", number: 1)
        let viewer = [UInt8](repeating: 0x4D, count: 3 << 20)  // 3 MiB of "MMMM": no DICM, no element
        let medium = LoggingMedium(inner: MemoryMedium(contents: ["IM1": a, "VIEWER.EXE": viewer]))
        let store = try DICOMStore(root: dir + "/s")
        let r = try StoreImporter.run(media: [medium], store: store, storeRoot: store.root)
        XCTAssertEqual(r.imported.count, 1)
        XCTAssertEqual(r.notDICOM.map(\.path), ["VIEWER.EXE"])
        XCTAssertEqual(medium.log.all, ["IM1"])
    }

    func testFolderMediumRefusesSymlinkOutsideRoot() throws {
        let root = dir + "/medium"
        try createDirectories(root)
        XCTAssertNil(writeFile(dir + "/secret", try instance(patient: "S", study: "9.1", series: "9.1.1", sop: "9.1.1.1", number: 1)))
        XCTAssertEqual(symlink(dir + "/secret", root + "/LINK"), 0)
        XCTAssertNil(writeFile(root + "/IM1", try instance(patient: "P", study: "9.2", series: "9.2.1", sop: "9.2.1.1", number: 1)))
        XCTAssertEqual(try FolderMedium(root: root).files().map(\.path), ["IM1"])
        XCTAssertThrowsError(try FolderMedium(root: root).read("../secret"))
    }
}
