import DICOMCore
import DICOMFileSet
import DICOMIO
import DICOMStore
import Foundation
@testable import MediaKit
import XCTest

/// A small File-set made in memory: two instances named by a DICOMDIR (one of them absent from the
/// medium), one record whose File ID leaves the root, one DICOM file the DICOMDIR does not list, and
/// a file that is not DICOM.
enum ImportFixture {
    static func instance(sop: String, number: Int) throws -> [UInt8] {
        var ds = DataSet()
        let values: [(Tag, VR, String)] = [
            (.sopClassUID, .UI, "1.2.840.10008.5.1.4.1.1.7"), (.sopInstanceUID, .UI, sop), (.modality, .CS, "OT"),
            (.patientName, .PN, "Doe^Jane"), (.patientID, .LO, "PID-42"), (.studyInstanceUID, .UI, "1.2.9"),
            (.seriesInstanceUID, .UI, "1.2.9.1"), (.instanceNumber, .IS, String(number)),
        ]
        for (tag, vr, value) in values { ds.setString(tag, vr, value) }
        ds.setUInt16(.rows, [2]); ds.setUInt16(.columns, [2])
        ds.set(DataElement(tag: .pixelData, vr: .OW, bytes: [1, 2, 3, 4, 5, 6, 7, 8]))
        return try Part10Writer.encode(dataSet: ds)
    }

    static func image(_ fileID: [String], sop: String) -> DirectoryRecord {
        var r = DirectoryRecord(type: DirectoryRecordType("IMAGE"))
        r.referencedFileID = FileID(fileID)
        r.keys.setString(.referencedSOPClassUIDInFile, .UI, "1.2.840.10008.5.1.4.1.1.7")
        r.keys.setString(.referencedSOPInstanceUIDInFile, .UI, sop)
        r.keys.setString(.referencedTransferSyntaxUIDInFile, .UI, TransferSyntax.explicitVRLittleEndian.uid)
        return r
    }

    static func medium() throws -> MemoryMedium {
        var series = DirectoryRecord(type: DirectoryRecordType("SERIES"))
        series.children = [image(["DICOM", "IM1"], sop: "1.2.9.1.1"), image(["DICOM", "IM2"], sop: "1.2.9.1.2"),
                           image(["..", "OUTSIDE"], sop: "1.2.9.1.9")]
        var study = DirectoryRecord(type: DirectoryRecordType("STUDY")); study.children = [series]
        var patient = DirectoryRecord(type: DirectoryRecordType("PATIENT")); patient.children = [study]
        let fs = FileSet(fileSetID: "PLANTEST", fileSetUID: "1.2.9.99", records: [patient])
        return MemoryMedium(contents: [
            "DICOMDIR": try DICOMDIRWriter.encode(fs),
            "DICOM/IM1": try instance(sop: "1.2.9.1.1", number: 1),
            "DICOM/IM3": try instance(sop: "1.2.9.1.3", number: 3),
            "autorun.inf": Array("[autorun]\n".utf8),
        ])
    }
}

final class ImportPlanTests: XCTestCase {
    func testPlanReadsOnlyTheDirectoryAndListsWhatToRead() throws {
        let medium = LoggingMedium(inner: try ImportFixture.medium())
        var options = ImportOptions()
        options.transform = TransformChain([Reconciler(entries: [:]), Deidentifier()])
        options.provenance = .hash
        let plan = try ImportPlanner.plan(media: [medium], storeRoot: "/nowhere", options: options)
        // Headers only: the DICOMDIR is the one file read.
        XCTAssertEqual(medium.log.all, ["DICOMDIR"])
        XCTAssertEqual(plan.media.count, 1)
        let m = plan.media[0]
        XCTAssertEqual(m.fileSetID, "PLANTEST")
        XCTAssertEqual(m.fileSetUID, "1.2.9.99")
        XCTAssertEqual(m.candidates.map(\.path), ["DICOM/IM1", "DICOM/IM3", "autorun.inf"])
        XCTAssertEqual(m.candidates.map { $0.record?.referencedSOPInstanceUID }, ["1.2.9.1.1", nil, nil])
        XCTAssertEqual(plan.fileCount, 3)
        XCTAssertEqual(plan.listedCount, 1)
        XCTAssertEqual(plan.transforms, ["reconcile", "deidentify"])
        XCTAssertEqual(plan.provenance, .hash)
        // What reading the directory found: IM2 missing, the escaping File ID refused.
        XCTAssertEqual(plan.findings.missing.map(\.path), ["DICOM/IM2"])
        XCTAssertEqual(plan.findings.failed.map(\.path), ["../OUTSIDE"])
        XCTAssertEqual(plan.findings.problems.map(\.problem.code), [.importFileIDOutsideRoot])
        XCTAssertEqual(plan.findings.media.map(\.dicomdir), ["used"])
        XCTAssertEqual(plan.findings.imported.count, 0)
        XCTAssertTrue(plan.text.hasPrefix("plan: read 3 files (1 named by a directory record, 2 found by scanning) from 1 medium"))
        guard case .object(let fields) = plan.json else { return XCTFail("plan JSON is an object") }
        XCTAssertEqual(fields.map(\.0), ["files", "transforms", "provenance", "media"])
    }

    func testBrokenDICOMDIRMeansEveryFileIsRead() throws {
        var contents = try ImportFixture.medium().contents
        contents["DICOMDIR"] = Array("not a DICOMDIR".utf8)
        let plan = try ImportPlanner.plan(media: [MemoryMedium(contents: contents)], storeRoot: "/nowhere", options: ImportOptions())
        XCTAssertEqual(plan.media[0].candidates.map(\.path), ["DICOM/IM1", "DICOM/IM3", "autorun.inf"])
        XCTAssertEqual(plan.listedCount, 0)
        XCTAssertEqual(plan.findings.media.map(\.dicomdir), ["broken"])
        XCTAssertEqual(plan.findings.problems.map(\.problem.code), [.importDICOMDIRBroken])
        XCTAssertEqual(plan.transforms, [])
    }
}

final class ImportExecutorTests: XCTestCase {
    var dir = ""
    override func setUp() {
        dir = NSTemporaryDirectory() + "import-executor-\(UUID().uuidString)"
        try? FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
    }
    override func tearDown() { try? FileManager.default.removeItem(atPath: dir) }

    func testExecutorCarriesThePlanIntoTheStore() throws {
        let medium = try ImportFixture.medium()
        let plan = try ImportPlanner.plan(media: [medium], storeRoot: dir + "/s", options: ImportOptions())
        let store = try DICOMStore(root: dir + "/s")
        let report = try ImportExecutor(plan: plan, store: store, options: ImportOptions()).run()
        XCTAssertEqual(report.imported.map(\.sourcePath).sorted(), ["DICOM/IM1", "DICOM/IM3"])
        XCTAssertEqual(report.notDICOM.map(\.path), ["autorun.inf"])
        XCTAssertEqual(report.missing.map(\.path), ["DICOM/IM2"])
        XCTAssertEqual(report.failed.map(\.path), ["../OUTSIDE"])
        // IM3 is DICOM but not listed: the DICOMDIR is stale.
        XCTAssertEqual(report.media.map(\.dicomdir), ["stale"])
        XCTAssertTrue(report.problems.contains { $0.problem.code == .importDICOMDIRStale })
        XCTAssertTrue(report.diagnostics.contains { $0.code == .importFileMissing && $0.fileID == "DICOM/IM2" })
        XCTAssertNil(report.plan, "only a dry run prints its plan")
        let rows = try store.allInstances()
        XCTAssertEqual(rows.map(\.sopInstanceUID).sorted(), ["1.2.9.1.1", "1.2.9.1.3"])
        XCTAssertEqual(rows.first { $0.sopInstanceUID == "1.2.9.1.1" }?.sourceFileID, "DICOM/IM1")
        XCTAssertEqual(rows.first { $0.sopInstanceUID == "1.2.9.1.3" }?.sourceFileID, nil)
        for r in rows { XCTAssertEqual(try readWholeFile(store.absolutePath(r)), medium.contents[r.sourcePath]) }
        // The same plan again: everything already present.
        let again = try ImportExecutor(plan: plan, store: store, options: ImportOptions()).run()
        XCTAssertEqual(again.imported.count, 0)
        XCTAssertEqual(again.alreadyPresent.count, 2)
    }

    func testKeyWriteFailureKeepsErrnoAsCause() throws {
        let root = dir + "/s"
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
        // A link planted at the temporary name is not followed.
        try FileManager.default.createSymbolicLink(atPath: root + "/deid.key.tmp-\(ProcessInfo.processInfo.processIdentifier)", withDestinationPath: dir + "/elsewhere")
        XCTAssertThrowsError(try StoreImporter.deidentificationKey(storeRoot: root, create: true)) { e in
            XCTAssertEqual((e as? StoreError)?.code, .io)
            XCTAssertEqual(((e as? StoreError)?.cause as? POSIXError)?.code, .ELOOP)
        }
        XCTAssertFalse(FileManager.default.fileExists(atPath: dir + "/elsewhere"))
        let key = try StoreImporter.deidentificationKey(storeRoot: dir + "/t", create: true)
        XCTAssertEqual(try StoreImporter.deidentificationKey(storeRoot: dir + "/t", create: false), key)
        XCTAssertEqual(try FileManager.default.attributesOfItem(atPath: dir + "/t/deid.key")[.posixPermissions] as? Int, 0o600)
    }

    func testDryRunWritesNothingAndCarriesThePlan() throws {
        var options = ImportOptions()
        options.dryRun = true
        let plan = try ImportPlanner.plan(media: [try ImportFixture.medium()], storeRoot: dir + "/none", options: options)
        let report = try ImportExecutor(plan: plan, store: nil, options: options).run()
        XCTAssertEqual(report.imported.count, 2)
        XCTAssertEqual(report.plan?.text, plan.text)
        XCTAssertTrue(report.text.contains(plan.text))
        XCTAssertFalse(FileManager.default.fileExists(atPath: dir + "/none"))
        // Against an existing store: classified, not written.
        let store = try DICOMStore(root: dir + "/s")
        _ = try ImportExecutor(plan: plan, store: store, options: options).run()
        XCTAssertEqual(try store.count(), 0)
    }
}
