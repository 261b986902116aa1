import DICOMCore
import DICOMFileSet
import DICOMIO
import Foundation
import XCTest
@testable import MediaKit

/// ``FileSetPlanner``: the plan of a small generated input, with nothing written.
final class ExportPlannerTests: XCTestCase {
    func plan(_ inputs: [String], out: String, options: FileSetOptions) throws -> FileSetPlan {
        let scan = try InstanceScanner.scan(inputs, keepHeaders: false)
        return try FileSetPlanner.plan(
            into: FileSet(fileSetID: "TESTSET"), root: out, scan: scan, existingIDs: [], options: options,
            report: FileSetReport(operation: "create", root: out))
    }

    func testPlanOfOneSeriesHasRecordsFileIDsAndCopiesAndWritesNothing() throws {
        let input = try ExportFixture.tempRoot("in"), out = try ExportFixture.tempRoot("out")
        let sets = try ExportFixture.series(in: input, count: 3)
        let p = try plan([input], out: out, options: ExportFixture.options())

        XCTAssertEqual(
            p.report.added.map(\.fileID),
            [
                "DICOM/P0000001/S0000001/SE000001/I0000001",
                "DICOM/P0000001/S0000001/SE000001/I0000002",
                "DICOM/P0000001/S0000001/SE000001/I0000003",
            ])
        XCTAssertEqual(p.report.added.map(\.sopInstanceUID), sets.map { $0.string(.sopInstanceUID)! })
        XCTAssertEqual(p.report.added.map(\.recordType), ["IMAGE", "IMAGE", "IMAGE"])
        // PATIENT > STUDY > SERIES > 3 IMAGE records.
        XCTAssertEqual(p.fileSet.recordCount, 6)
        XCTAssertEqual(p.fileSet.records.first?.type, .patient)
        // Explicit VR LE is what STD-GEN-CD allows: each input is copied as it is.
        XCTAssertEqual(p.copies.map(\.source), (1...3).map { input + "/IM\($0)" })
        XCTAssertEqual(p.copies.map(\.fileID), p.report.added.map(\.fileID))
        XCTAssertTrue(p.report.transcoded.isEmpty)
        XCTAssertTrue(p.report.refused.isEmpty)
        XCTAssertTrue(p.writes)
        XCTAssertEqual(ExportFixture.files(under: out), [], "a plan writes nothing")
    }

    func testImplicitInputIsPlannedAsATranscodeToExplicit() throws {
        let input = try ExportFixture.tempRoot("in"), out = try ExportFixture.tempRoot("out")
        try ExportFixture.series(in: input, count: 1, syntax: .implicitVRLittleEndian)
        let p = try plan([input], out: out, options: ExportFixture.options())
        XCTAssertEqual(p.report.transcoded.count, 1)
        XCTAssertEqual(p.report.transcoded.first?.from, TransferSyntax.implicitVRLittleEndian.uid)
        XCTAssertEqual(p.report.transcoded.first?.to, TransferSyntax.explicitVRLittleEndian.uid)
        XCTAssertEqual(p.report.transcoded.first?.fileID, p.report.added.first?.fileID)
        XCTAssertEqual(p.fileSet.allRecords().last?.record.referencedTransferSyntaxUID, TransferSyntax.explicitVRLittleEndian.uid)
        // The plan encodes nothing: no staging folder is made.
        XCTAssertFalse(FileManager.default.fileExists(atPath: p.staging))
    }

    func testSameUIDWithOtherContentIsRefusedAndSameContentIsAlreadyPresent() throws {
        let input = try ExportFixture.tempRoot("in"), out = try ExportFixture.tempRoot("out")
        let study = UID.make(), series = UID.make(), uid = UID.make()
        let a = ExportFixture.instance(studyUID: study, seriesUID: series, number: 1, sopInstanceUID: uid, pixel: 1)
        try ExportFixture.write(a, to: input + "/A")
        try ExportFixture.write(a, to: input + "/B")  // the same file twice
        try ExportFixture.write(ExportFixture.instance(studyUID: study, seriesUID: series, number: 1, sopInstanceUID: uid, pixel: 9), to: input + "/C")
        let p = try plan([input + "/A", input + "/B", input + "/C"], out: out, options: ExportFixture.options())
        XCTAssertEqual(p.report.added.count, 1)
        XCTAssertEqual(p.report.alreadyPresent.count, 1)
        XCTAssertEqual(p.report.refused.map(\.source), [input + "/C"])
        XCTAssertEqual(p.report.diagnostics.filter { $0.code == .inputRefused }.count, 1)
        XCTAssertTrue(p.report.hasProblems)
    }

    func testNothingToAddIsNothingWritten() throws {
        let input = try ExportFixture.tempRoot("in"), out = try ExportFixture.tempRoot("out")
        try Array("not dicom".utf8).write(to: input + "/x.txt")
        let p = try plan([input], out: out, options: ExportFixture.options())
        XCTAssertTrue(p.report.nothingWritten)
        XCTAssertFalse(p.writes)
        XCTAssertEqual(p.report.notDICOM.count, 1)
    }

    func testBadFileSetIDIsABadArgument() throws {
        let input = try ExportFixture.tempRoot("in"), out = try ExportFixture.tempRoot("out")
        try ExportFixture.series(in: input, count: 1)
        var o = try ExportFixture.options()
        o.fileSetID = "lower-case"
        XCTAssertThrowsError(try plan([input], out: out, options: o)) { e in
            XCTAssertEqual((e as? MediaError)?.code, .badArgument)
        }
    }

    func testIconsArePlannedNotMade() throws {
        let input = try ExportFixture.tempRoot("in"), out = try ExportFixture.tempRoot("out")
        try ExportFixture.series(in: input, count: 2)
        var o = try ExportFixture.options()
        o.icons = true
        let p = try plan([input], out: out, options: o)
        XCTAssertEqual(p.icons.map(\.fileID.path), p.report.added.map(\.fileID))
        XCTAssertEqual(p.icons.first?.size, 64)
        XCTAssertFalse(p.fileSet.allRecords().contains { $0.record.keys[.iconImageSequence] != nil })
    }
}

extension Array where Element == UInt8 {
    func write(to path: String) throws { try Data(self).write(to: URL(fileURLWithPath: path)) }
}
