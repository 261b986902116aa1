import DICOMCore
import DICOMFileSet
import DICOMIO
import Foundation
import XCTest
@testable import MediaKit

/// ``FileSetExecutor``: carries out a plan into a folder File-set.
final class ExportExecutorTests: XCTestCase {
    var locks: [FileSetLock] = []
    override func tearDown() { for l in locks { l.release() } }

    /// The plan of `input` into `out`, under `out`'s lock (the staging folder lives in its tool folder).
    func planned(_ input: String, out: String, options: FileSetOptions) throws -> FileSetPlan {
        locks.append(try FileSetLock.acquire(root: out, wait: 0))
        let scan = try InstanceScanner.scan([input], keepHeaders: false)
        return try FileSetPlanner.plan(
            into: FileSet(fileSetID: "TESTSET"), root: out, scan: scan, existingIDs: [], options: options,
            report: FileSetReport(operation: "create", root: out))
    }

    func testExecuteWritesTheFilesAndTheDICOMDIROfThePlan() throws {
        let input = try ExportFixture.tempRoot("in"), out = try ExportFixture.tempRoot("out")
        try ExportFixture.series(in: input, count: 2)
        let plan = try planned(input, out: out, options: ExportFixture.options())
        let report = try FileSetExecutor.execute(plan)
        XCTAssertEqual(report.added.count, 2)
        XCTAssertEqual(
            ExportFixture.files(under: out).filter { !$0.hasPrefix(FileSetTransaction.folderName + "/") },
            [
                "DICOM/P0000001/S0000001/SE000001/I0000001",
                "DICOM/P0000001/S0000001/SE000001/I0000002", "DICOMDIR",
            ])
        for (c, n) in zip(plan.copies, 1...) { XCTAssertTrue(try sameContent(out + "/" + c.fileID, input + "/IM\(n)")) }
        let fs = try DICOMDIRReader.read(path: out + "/DICOMDIR")
        XCTAssertEqual(fs.fileSetID, "TESTSET")
        XCTAssertEqual(fs.allRecords().compactMap { $0.record.referencedFileID?.path }, plan.copies.map(\.fileID))
        XCTAssertNil(try FileSetTransaction.pending(in: out), "the journal is gone")
    }

    func testTranscodedInputIsRewrittenByTheExecutorAndMovedIn() throws {
        let input = try ExportFixture.tempRoot("in"), out = try ExportFixture.tempRoot("out")
        try ExportFixture.series(in: input, count: 1, syntax: .implicitVRLittleEndian)
        let plan = try planned(input, out: out, options: ExportFixture.options())
        XCTAssertEqual(plan.copies.count, 1, "\(plan.report.diagnostics)")
        XCTAssertEqual(plan.rewrites.map(\.kind), [.transcode])
        guard plan.copies.count == 1, plan.rewrites.count == 1 else { return }
        XCTAssertEqual(plan.copies[0].source, plan.rewrites[0].staged)
        XCTAssertTrue(plan.copies[0].source.hasPrefix(plan.staging + "/"), "the rewrite is staged")
        XCTAssertFalse(FileManager.default.fileExists(atPath: plan.staging), "the plan encodes and stages nothing")
        _ = try FileSetExecutor.execute(plan)
        let f = try Part10Reader.read(path: out + "/" + plan.copies[0].fileID)
        XCTAssertEqual(f.transferSyntax, .explicitVRLittleEndian)
    }

    func testIconsAreMadeIntoTheRecords() throws {
        let input = try ExportFixture.tempRoot("in"), out = try ExportFixture.tempRoot("out")
        try ExportFixture.series(in: input, count: 1)
        var o = try ExportFixture.options()
        o.icons = true
        let report = try FileSetExecutor.execute(try planned(input, out: out, options: o))
        XCTAssertFalse(report.problems.contains { $0.code == .iconNotMade })
        let fs = try DICOMDIRReader.read(path: out + "/DICOMDIR")
        let image = try XCTUnwrap(fs.allRecords().first { $0.record.type == .image }?.record)
        let item = try XCTUnwrap(image.keys[.iconImageSequence]?.items?.first)
        XCTAssertEqual(item.integer(.rows), 64)
    }

    func testAnIconThatCannotBeMadeIsAProblemInPlace() throws {
        var fs = FileSet(fileSetID: "")
        let before = [FileSetProblem(.warning, .layoutFallback, "a", rule: "r"), FileSetProblem(.warning, .layoutFallback, "b", rule: "r")]
        let icon = FileSetPlan.Icon(fileID: FileID(["NOFILE"]), source: "/nonexistent/file", size: 64, required: true, problemIndex: 1)
        let problems = FileSetExecutor.makeIcons([icon], in: &fs, problems: before)
        XCTAssertEqual(problems.map(\.code), [.layoutFallback, .iconNotMade, .layoutFallback])
        XCTAssertEqual(problems[1].severity, .error)
        XCTAssertEqual(problems[1].fileID, "NOFILE")
    }

    /// Two patients, a study and a series each, with images referencing `P<p>/I<n>`.
    private func twoPatientTree(images: Int) -> [DirectoryRecord] {
        (1...2).map { p in
            var image: [DirectoryRecord] = []
            for n in 1...images {
                var r = DirectoryRecord(type: .image)
                r.referencedFileID = FileID(["P\(p)", "I\(n)"])
                image.append(r)
            }
            let series = DirectoryRecord(type: .series, children: image)
            return DirectoryRecord(type: .patient, children: [DirectoryRecord(type: .study, children: [series])])
        }
    }

    func testFailedRewritesLeaveTheTreeInOneWalkWithTheParentsTheyEmpty() {
        var records = twoPatientTree(images: 3)
        FileSetExecutor.removeRecords(referencing: ["P1/I1", "P1/I2", "P1/I3", "P2/I2"], from: &records)
        XCTAssertEqual(records.count, 1, "the first patient is left empty, so it goes with its study and series")
        let left = records.flatMap { p in p.children.flatMap { $0.children.flatMap { $0.children.compactMap { $0.referencedFileID?.path } } } }
        XCTAssertEqual(left, ["P2/I1", "P2/I3"])
    }

    func testIconsGoIntoTheirRecordsInOneWalk() {
        var records = twoPatientTree(images: 2)
        var icon = DataSet()
        icon.setUInt16(.rows, [64])
        FileSetExecutor.setIcons(["P1/I2": icon, "P2/I1": icon], in: &records)
        var withIcon: [String] = []
        for p in records { p.forEach { r, _ in if r.keys[.iconImageSequence] != nil { withIcon.append(r.referencedFileID?.path ?? "?") } } }
        XCTAssertEqual(withIcon, ["P1/I2", "P2/I1"])
    }

    func testDryRunCreateWritesNothingAndReportsThePlan() throws {
        let input = try ExportFixture.tempRoot("in"), parent = try ExportFixture.tempRoot("out")
        try ExportFixture.series(in: input, count: 2)
        var o = try ExportFixture.options()
        o.dryRun = true
        let r = try FileSetCreator.create(out: parent + "/new", inputs: [input], options: o)
        XCTAssertTrue(r.dryRun)
        XCTAssertEqual(r.added.count, 2)
        XCTAssertFalse(FileManager.default.fileExists(atPath: parent + "/new"))
        XCTAssertTrue(r.text.contains("would add 2 instance(s)"))
    }
    /// A run's per-instance entries spill into the target's tool folder (under its lock) as they grow, and come
    /// back whole: in the plan, in the executor's report and in its JSON.
    func testAddedEntriesSpillIntoTheToolFolderAndComeBackWhole() throws {
        let input = try ExportFixture.tempRoot("in"), out = try ExportFixture.tempRoot("out")
        let study = UID.make(), series = UID.make()
        for n in 1...600 {
            let ds = ExportFixture.instance(studyUID: study, seriesUID: series, number: n, pixel: UInt8(n % 200))
            try ExportFixture.write(ds, to: input + "/IM\(n)", syntax: .explicitVRLittleEndian)
        }
        let plan = try planned(input, out: out, options: ExportFixture.options())
        XCTAssertGreaterThan(plan.report.added.spilledBytes, 0, "600 entries pass the 64 KiB kept in memory")
        XCTAssertEqual(plan.report.added.map(\.fileID), plan.copies.map(\.fileID))
        let report = try FileSetExecutor.execute(plan)
        XCTAssertEqual(report.added.map(\.fileID), plan.copies.map(\.fileID))
        XCTAssertEqual(Set(report.added.map(\.source)), Set((1...600).map { input + "/IM\($0)" }))
        XCTAssertEqual(Set(report.added.map(\.recordType)), ["IMAGE"])
        for a in report.added { XCTAssertTrue(FileManager.default.fileExists(atPath: out + "/" + a.fileID)) }
        let names = (try? FileManager.default.contentsOfDirectory(atPath: FileSetLock.toolFolder(root: out))) ?? []
        XCTAssertFalse(names.contains { $0.contains("spill") }, "the spill file has no name: \(names)")
        // --dry-run writes nothing: its entries stay in memory.
        var dry = try ExportFixture.options()
        dry.dryRun = true
        let scan = try InstanceScanner.scan([input], keepHeaders: false)
        let predicted = try FileSetPlanner.plan(
            into: FileSet(fileSetID: "DRY"), root: out + "-dry", scan: scan, existingIDs: [], options: dry,
            report: FileSetReport(operation: "create", root: out + "-dry"))
        XCTAssertEqual(predicted.report.added.count, 600)
        XCTAssertEqual(predicted.report.added.spilledBytes, 0)
    }
}
