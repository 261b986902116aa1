import DICOMCore
import DICOMFileSet
import DICOMIO
import DICOMStore
import FileSystem
import Foundation
@testable import MediaKit
import XCTest

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
        XCTAssertTrue(report.diagnostics.contains { $0.code == .fileMissing && $0.fileID == "DICOM/IM2" })
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
        try FileManager.default.createSymbolicLink(
            atPath: root + "/deid.key.tmp-\(ProcessInfo.processInfo.processIdentifier)", withDestinationPath: dir + "/elsewhere")
        XCTAssertThrowsError(try StoreImporter.deidentificationKey(storeRoot: root, create: true)) { e in
            XCTAssertEqual((e as? StoreError)?.code, .io)
            XCTAssertEqual(((e as? StoreError)?.cause as? SystemErrno)?.code, ELOOP)
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
    /// An import's per-file lists go to an anonymous file in the store's private folder as they grow, and come back
    /// whole for the report: every file imported, then every file already present.
    func testPerFileListsSpillIntoTheStoreAndComeBackWhole() throws {
        var contents: [String: [UInt8]] = [:]
        for n in 0..<600 { contents["DICOM/I\(n)"] = try ImportFixture.instance(sop: "1.2.9.1.\(n)", number: n) }
        let medium = MemoryMedium(contents: contents)
        let store = try DICOMStore(root: dir + "/s")
        let report = try StoreImporter.run(media: [medium], store: store, storeRoot: dir + "/s")
        XCTAssertGreaterThan(report.imported.spilledBytes, 0, "600 entries pass the 64 KiB kept in memory")
        XCTAssertEqual(report.imported.map(\.sourcePath).sorted(), contents.keys.sorted())
        XCTAssertEqual(Set(report.imported.map(\.sopInstanceUID)).count, 600)
        for item in report.imported {
            XCTAssertEqual(item.source, "memory:test")
            let stored = try XCTUnwrap(item.storedPath)
            XCTAssertEqual(try readWholeFile(store.root + "/" + stored), contents[item.sourcePath])
            XCTAssertEqual(item.sha256?.count, 64)
        }
        guard case .object(let top) = report.json, case .object(let lists)? = top.first(where: { $0.0 == "lists" })?.1,
            case .array(let imported)? = lists.first(where: { $0.0 == "imported" })?.1
        else { return XCTFail("no lists in the JSON report") }
        XCTAssertEqual(imported.count, 600)
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: store.tmpDirectory), [], "the spill file has no name")
        let again = try StoreImporter.run(media: [medium], store: store, storeRoot: dir + "/s")
        XCTAssertEqual(again.imported.count, 0)
        XCTAssertEqual(again.alreadyPresent.map(\.sourcePath).sorted(), contents.keys.sorted())
        XCTAssertGreaterThan(again.alreadyPresent.spilledBytes, 0)
    }
}
