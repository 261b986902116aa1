import DICOMCore
import DICOMFileSet
import DICOMIO
import Foundation
import XCTest
@testable import MediaKit

/// The rewrites of a File-set plan: predicted from headers by ``FileSetPlanner``, done by ``FileSetExecutor``.
final class ExportRewriteTests: XCTestCase {
    var locks: [FileSetLock] = []
    override func tearDown() { for l in locks { l.release() } }

    /// The plan of `inputs` into `out`, under `out`'s lock.
    func planned(_ inputs: [String], out: String, options: FileSetOptions) throws -> FileSetPlan {
        locks.append(try FileSetLock.acquire(root: out, wait: 0))
        let scan = try InstanceScanner.scan(inputs, keepHeaders: false)
        return try FileSetPlanner.plan(
            into: FileSet(fileSetID: "TESTSET"), root: out, scan: scan, existingIDs: [], options: options,
            report: FileSetReport(operation: "create", root: out))
    }

    /// A JPEG Lossless instance whose one fragment is not a JPEG codestream: its header is sound, its pixels cannot be decoded.
    @discardableResult
    func corrupt(at path: String, patientID: String = "PID0002") throws -> DataSet {
        var ds = ExportFixture.instance(patientID: patientID, studyUID: UID.make(), seriesUID: UID.make(), number: 1)
        ds.set(DataElement(tag: .pixelData, vr: .OB, value: .fragments(PixelFragments(fragments: [[0xFF, 0xD8, 0x00, 0x01, 0x02, 0x03]]))))
        try ExportFixture.write(ds, to: path, syntax: .jpegLosslessSV1)
        return ds
    }

    /// An 8-bit image the JPEG Baseline encoder takes.
    func eightBit(at path: String) throws -> DataSet {
        var ds = ExportFixture.instance(studyUID: UID.make(), seriesUID: UID.make(), number: 1)
        ds.setUInt16(.rows, [8]); ds.setUInt16(.columns, [8])
        ds.setUInt16(.bitsAllocated, [8]); ds.setUInt16(.bitsStored, [8]); ds.setUInt16(.highBit, [7])
        ds.set(DataElement(tag: .pixelData, vr: .OB, bytes: (0..<64).map { UInt8($0 * 3) }))
        try ExportFixture.write(ds, to: path)
        return ds
    }

    func testCorruptPixelDataStillPlansAsATranscodeBecauseThePlanReadsNoPixelData() throws {
        let input = try ExportFixture.tempRoot("in"), out = try ExportFixture.tempRoot("out")
        try corrupt(at: input + "/BAD")
        let p = try planned([input], out: out, options: ExportFixture.options())
        XCTAssertTrue(p.report.refused.isEmpty, "\(p.report.refused)")
        XCTAssertEqual(p.report.added.count, 1)
        XCTAssertEqual(p.report.transcoded.map(\.to), [TransferSyntax.explicitVRLittleEndian.uid])
        XCTAssertEqual(p.rewrites.map(\.kind), [.transcode])
        XCTAssertEqual(p.rewrites.first?.syntax, .explicitVRLittleEndian)
        XCTAssertFalse(FileManager.default.fileExists(atPath: p.staging), "nothing is encoded or staged by the plan")
    }

    func testDryRunEncodesNothingAndLeavesNoStagingFolder() throws {
        let input = try ExportFixture.tempRoot("in"), out = try ExportFixture.tempRoot("out")
        try ExportFixture.series(in: input, count: 2, syntax: .implicitVRLittleEndian)
        try corrupt(at: input + "/BAD")
        var o = try ExportFixture.options()
        o.dryRun = true
        let r = try FileSetCreator.create(out: out, inputs: [input], options: o)
        XCTAssertTrue(r.dryRun)
        XCTAssertEqual(r.added.count, 3, "the corrupt input is predicted to transcode")
        XCTAssertEqual(r.transcoded.count, 3)
        XCTAssertFalse(FileManager.default.fileExists(atPath: FileSetSink.stagingFolder(root: out, options: o)))
        XCTAssertEqual(ExportFixture.files(under: out), [], "a dry run writes nothing, not even in staging")
    }

    func testAnEncodeFailureAtExecutionIsARefusalAndTheDICOMDIRDoesNotReferenceIt() throws {
        let input = try ExportFixture.tempRoot("in"), out = try ExportFixture.tempRoot("out")
        try ExportFixture.series(in: input, count: 1, syntax: .implicitVRLittleEndian)
        let bad = try corrupt(at: input + "/BAD", patientID: "PID0002")
        let plan = try planned([input], out: out, options: ExportFixture.options())
        XCTAssertEqual(plan.report.added.count, 2)
        let badID = try XCTUnwrap(plan.report.added.first { $0.source == input + "/BAD" }?.fileID)

        let report = try FileSetExecutor.execute(plan)
        XCTAssertEqual(report.added.map(\.source), [input + "/IM1"])
        XCTAssertEqual(report.refused.map(\.source), [input + "/BAD"])
        XCTAssertFalse(report.transcoded.contains { $0.fileID == badID })
        XCTAssertTrue(report.diagnostics.contains { $0.code == .inputRefused && $0.fileID == input + "/BAD" })
        XCTAssertTrue(report.hasProblems)
        XCTAssertFalse(FileManager.default.fileExists(atPath: out + "/" + badID), "the failed rewrite is not written")

        let fs = try DICOMDIRReader.read(path: out + "/DICOMDIR")
        let records = fs.allRecords().map(\.record)
        XCTAssertEqual(records.compactMap { $0.referencedFileID?.path }, report.added.map(\.fileID))
        // Its patient, study and series records held nothing else: they are gone too.
        XCTAssertFalse(records.contains { $0.keys.string(.patientID) == "PID0002" })
        XCTAssertFalse(records.contains { $0.keys.string(.studyInstanceUID) == bad.string(.studyInstanceUID) })
        XCTAssertEqual(records.filter { $0.type == .patient }.count, 1)
        XCTAssertNil(try FileSetTransaction.pending(in: out), "the journal is gone")
    }

    func testEveryRewriteFailingWritesNothing() throws {
        let input = try ExportFixture.tempRoot("in"), out = try ExportFixture.tempRoot("out")
        try corrupt(at: input + "/BAD")
        let report = try FileSetExecutor.execute(try planned([input], out: out, options: ExportFixture.options()))
        XCTAssertTrue(report.nothingWritten)
        XCTAssertEqual(report.refused.count, 1)
        XCTAssertFalse(FileManager.default.fileExists(atPath: out + "/DICOMDIR"))
        XCTAssertEqual(ExportFixture.files(under: out).filter { !$0.hasPrefix(FileSetTransaction.folderName + "/") }, [])
    }

    func testThePredictedLossyUIDIsTheWrittenFilesAndItsRecords() throws {
        let input = try ExportFixture.tempRoot("in"), out = try ExportFixture.tempRoot("out")
        let original = try eightBit(at: input + "/IM1")
        var o = try ExportFixture.options(profile: "STD-GEN-USB-JPEG")
        o.compression = .lossy
        o.recompress = true  // Explicit VR LE is allowed too: ask for the compression
        let plan = try planned([input], out: out, options: o)
        XCTAssertEqual(plan.report.transcoded.map(\.lossy), [true], "\(plan.report.diagnostics)")
        let uid = try XCTUnwrap(plan.rewrites.first?.lossyInstanceUID)
        XCTAssertNotEqual(uid, original.string(.sopInstanceUID))
        XCTAssertEqual(plan.report.added.map(\.sopInstanceUID), [uid])
        let planned = try XCTUnwrap(plan.fileSet.allRecords().last?.record)
        XCTAssertEqual(planned.keys.string(.referencedSOPInstanceUIDInFile), uid)

        let report = try FileSetExecutor.execute(plan)
        XCTAssertEqual(report.added.map(\.sopInstanceUID), [uid])
        let fileID = try XCTUnwrap(report.added.first?.fileID)
        let f = try Part10Reader.read(path: out + "/" + fileID)
        XCTAssertEqual(f.transferSyntax, .jpegBaseline)
        XCTAssertEqual(f.dataSet.string(.sopInstanceUID), uid)
        XCTAssertEqual(f.fileMeta.string(.mediaStorageSOPInstanceUID), uid)
        let record = try XCTUnwrap(try DICOMDIRReader.read(path: out + "/DICOMDIR").allRecords().last?.record)
        XCTAssertEqual(record.keys.string(.referencedSOPInstanceUIDInFile), uid)
        // The record is rebuilt from the written header: the ratio only the encoder measures is in it.
        XCTAssertEqual(record.keys.string(.lossyImageCompressionRatio), f.dataSet.string(.lossyImageCompressionRatio))
        XCTAssertNotNil(record.keys.string(.lossyImageCompressionRatio))
    }
    func testATransformAppliedToTheHeaderGivesTheRecordsOfTheWrittenFile() throws {
        let input = try ExportFixture.tempRoot("in"), out = try ExportFixture.tempRoot("out")
        let originals = try ExportFixture.series(in: input, count: 2)
        var o = try ExportFixture.options()
        o.transform = Deidentifier()
        let plan = try planned([input], out: out, options: o)
        XCTAssertEqual(plan.rewrites.map(\.kind), [.transcode, .transcode])
        let report = try FileSetExecutor.execute(plan)
        XCTAssertEqual(report.added.map(\.sopInstanceUID), plan.report.added.map(\.sopInstanceUID))
        let fs = try DICOMDIRReader.read(path: out + "/DICOMDIR")
        for a in report.added {
            XCTAssertFalse(originals.contains { $0.string(.sopInstanceUID) == a.sopInstanceUID }, "a new UID")
            let f = try Part10Reader.read(path: out + "/" + a.fileID)
            XCTAssertEqual(f.dataSet.string(.sopInstanceUID), a.sopInstanceUID)
            let record = try XCTUnwrap(fs.allRecords().first { $0.record.referencedFileID?.path == a.fileID }?.record)
            XCTAssertEqual(record.keys.string(.referencedSOPInstanceUIDInFile), a.sopInstanceUID)
        }
        let patient = try XCTUnwrap(fs.records.first)
        let written = try Part10Reader.read(path: out + "/" + report.added[0].fileID)
        XCTAssertEqual(patient.keys.string(.patientID), written.dataSet.string(.patientID))
        XCTAssertNotEqual(patient.keys.string(.patientID), originals[0].string(.patientID))
    }
}
