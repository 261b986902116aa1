import DICOMCore
@testable import DICOMFileSet
import DICOMIO
import DICOMStore
import Foundation
@testable import MediaKit
import TestSupport
import XCTest

final class ImportPlanTests: XCTestCase {
    /// A lower-level directory file's (Philips DIRFILE) records are trimmed to their file reference as they are
    /// taken, like the DICOMDIR's.
    func testLowerLevelDirectoryCandidatesKeepTheirFileReferenceOnly() throws {
        var image = ImportFixture.image(["SUB", "IM1"], sop: "1.2.9.1.1")
        image.keys.setString(.instanceNumber, .IS, "1")
        var series = DirectoryRecord(type: DirectoryRecordType("SERIES")); series.children = [image]
        var study = DirectoryRecord(type: DirectoryRecordType("STUDY")); study.children = [series]
        var patient = DirectoryRecord(type: DirectoryRecordType("PATIENT")); patient.children = [study]
        let dirfile = try DICOMDIRWriter.encode(FileSet(fileSetID: "LOWER", fileSetUID: "1.2.9.98", records: [patient]))
        let medium = MemoryMedium(contents: ["SUB/DIRFILE": dirfile, "SUB/IM1": try ImportFixture.instance(sop: "1.2.9.1.1", number: 1)])
        let plan = try ImportPlanner.plan(media: [medium], storeRoot: "/nowhere", options: ImportOptions())
        let m = try XCTUnwrap(plan.media.first)
        XCTAssertEqual(m.candidates.map(\.path), ["SUB/IM1"])
        let reference = try XCTUnwrap(m.candidates[0].record)
        XCTAssertEqual(reference.referencedSOPInstanceUID, "1.2.9.1.1")
        XCTAssertNil(reference.keys[.instanceNumber], "only the file reference is kept")
        XCTAssertTrue(reference.keys.allSatisfy { DirectoryRecord.fileReferenceTags.contains($0.tag) })
        XCTAssertFalse(reference.packed.isEmpty)
    }

    /// With a private folder, the DICOMDIR's records (their file references) go to a spill as they are read: the
    /// same candidates, each record holding only where its keys are; a dry run keeps them in memory.
    func testDICOMDIRRecordsSpillIntoThePrivateFolder() throws {
        let dir = try tempDir("import-spill").path
        let medium = try ImportFixture.medium()
        let held = try ImportPlanner.plan(media: [medium], storeRoot: "/nowhere", options: ImportOptions())
        let spilled = try ImportPlanner.plan(media: [medium], storeRoot: "/nowhere", options: ImportOptions(), spillFolder: dir)
        var dry = ImportOptions()
        dry.dryRun = true
        let dryRun = try ImportPlanner.plan(media: [medium], storeRoot: "/nowhere", options: dry, spillFolder: dir)
        let records = spilled.media[0].candidates.compactMap(\.record)
        XCTAssertFalse(records.isEmpty)
        XCTAssertEqual(spilled.media[0].candidates.map(\.path), held.media[0].candidates.map(\.path))
        XCTAssertEqual(records, held.media[0].candidates.compactMap(\.record))
        for r in records {
            guard case .spilled = r.encodedKeys else { return XCTFail("\(r.referencedFileID?.path ?? "?") is held in memory") }
        }
        for r in dryRun.media[0].candidates.compactMap(\.record) {
            guard case .memory = r.encodedKeys else { return XCTFail("a dry run spills nothing") }
        }
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: dir), [], "the spill file has no name")
    }

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
        // A candidate's record is its file reference alone, held packed: one buffer per file however large the medium.
        let reference = try XCTUnwrap(m.candidates[0].record)
        XCTAssertFalse(reference.packed.isEmpty)
        XCTAssertEqual(reference.referencedFileID?.path, "DICOM/IM1")
        XCTAssertTrue(reference.keys.allSatisfy { DirectoryRecord.fileReferenceTags.contains($0.tag) })
        XCTAssertTrue(reference.children.isEmpty)
        XCTAssertEqual(plan.fileCount, 3)
        XCTAssertEqual(plan.listedCount, 1)
        XCTAssertEqual(plan.transforms, ["reconcile", "deidentify"])
        XCTAssertEqual(plan.provenance, .hash)
        // What reading the directory found: IM2 missing, the escaping File ID refused.
        XCTAssertEqual(plan.findings.missing.map(\.path), ["DICOM/IM2"])
        XCTAssertEqual(plan.findings.failed.map(\.path), ["../OUTSIDE"])
        XCTAssertEqual(plan.findings.problems.map(\.problem.code), [.fileIDOutsideRoot])
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
