import DICOMCore
import DICOMFileSet
import Foundation
import MediaKit
import XCTest

/// MediaKit's reports and its one error: codes, causes, the --verbose chain, the JSON documents.
final class ReportTests: XCTestCase {
    func tmp() throws -> URL {
        let d = FileManager.default.temporaryDirectory.appendingPathComponent("dm-report-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: d, withIntermediateDirectories: true)
        addTeardownBlock { try? FileManager.default.removeItem(at: d) }
        return d
    }

    func testNotDICOMGivenAsDICOMDIRKeepsTheReadersErrorAsCause() throws {
        let file = try tmp().appendingPathComponent("DICOMDIR")
        try Data("not dicom at all".utf8).write(to: file)
        XCTAssertThrowsError(try FileSetListing.open(file.path)) { e in
            let m = e as? MediaError
            XCTAssertEqual(m?.code, .notDICOMDIR)
            XCTAssertEqual(m?.path, file.path)
            XCTAssertNotNil(m?.cause, "the reader's error is kept")
            XCTAssertGreaterThanOrEqual(e.causeChain.count, 2)
            XCTAssertTrue(m?.location.file.hasPrefix("MediaKit/") ?? false, "\(String(describing: m?.location))")
        }
    }

    func testMissingSourceIsNotFoundAndFolderWithoutDICOMDIRIsNoDICOMDIR() throws {
        let d = try tmp()
        XCTAssertThrowsError(try FileSetListing.open(d.appendingPathComponent("missing").path)) { XCTAssertEqual(($0 as? MediaError)?.code, .notFound) }
        XCTAssertThrowsError(try FileSetListing.open(d.path)) { XCTAssertEqual(($0 as? MediaError)?.code, .noDICOMDIR) }
        XCTAssertThrowsError(try FileSetVerification.verify(source: d.path, profile: nil, deep: false, pdi: false)) {
            XCTAssertEqual(($0 as? MediaError)?.code, .noDICOMDIR)
        }
    }

    func testNotAnISOImageIsUnreadable() throws {
        let iso = try tmp().appendingPathComponent("disc.iso")
        try Data(count: 40_000).write(to: iso)
        XCTAssertThrowsError(try ImageMedium(image: iso.path)) { XCTAssertEqual(($0 as? MediaError)?.code, .unreadable) }
        XCTAssertThrowsError(try FileSetListing.open(iso.path)) { XCTAssertEqual(($0 as? MediaError)?.code, .unreadable) }
    }

    func testMediaErrorDescriptionIsPathAndMessage() {
        XCTAssertEqual(MediaError(.io, "write failed", path: "/x/y").description, "/x/y: write failed")
        XCTAssertEqual(MediaError(.badArgument, "no output given").description, "no output given")
        XCTAssertEqual(MediaError(.busy, "held").codeName, "busy")
    }

    func testChainLinesNameEachCodeAndLocation() {
        struct Plain: Error {}
        let inner = MediaError(.busy, "held by another process", path: "/fs", cause: Plain())
        let outer = MediaError(.io, "cannot write", path: "/fs/DICOMDIR", cause: inner)
        let lines = ErrorReport.chainLines(outer)
        XCTAssertEqual(lines.count, 3)
        XCTAssertTrue(lines[0].hasPrefix("  error [io] "), lines[0])
        XCTAssertTrue(lines[1].hasPrefix("  cause [busy] "), lines[1])
        XCTAssertTrue(lines[2].hasPrefix("  cause ["), lines[2])
        XCTAssertTrue(lines[2].contains("Plain"), lines[2])
        XCTAssertTrue(lines[0].hasSuffix("(at \(outer.location))"), lines[0])
    }

    func testErrorDocument() {
        XCTAssertEqual(ErrorReport.document(message: "x: refused\n\n", exitCode: 2), .object([("error", .string("x: refused")), ("exitCode", .int(2))]))
        XCTAssertEqual(ErrorReport.document(message: "", exitCode: 1), .object([("error", .string("exit 1")), ("exitCode", .int(1))]))
    }

    func testRepeatedProblemsAreGroupedByCodeAndFolder() {
        let many = (1...5).map { FileSetProblem(.warning, .fileIDVariant, "found as variant", fileID: "DICOM/A/IM\($0)", rule: "PS3.10 8.5") }
        let one = FileSetProblem(.error, .fileIDOutsideRoot, "leaves", fileID: "../x", rule: "PS3.10 8.2")
        let grouped = DiagnosticGroups.lines(many + [one], grouped: true)
        XCTAssertEqual(grouped.count, 2)
        XCTAssertTrue(grouped[0].contains("5 x \(DiagnosticCode.fileIDVariant) under DICOM/A"), grouped[0])
        XCTAssertEqual(DiagnosticGroups.lines(many + [one], grouped: false).count, 6)
        XCTAssertEqual(DiagnosticGroups.shown(many + [one], quiet: true).map(\.code), [.fileIDOutsideRoot])
        XCTAssertTrue(DiagnosticGroups.outcome(many).warnings)
        XCTAssertFalse(DiagnosticGroups.outcome(many).partial)
        XCTAssertTrue(DiagnosticGroups.outcome([one]).partial)
    }

    func testProfilesReportListsEveryProfile() {
        guard case .array(let rows) = ProfilesReport.json else { return XCTFail("not an array") }
        XCTAssertEqual(rows.count, ApplicationProfile.all.count)
        XCTAssertTrue(ProfilesReport.text.hasSuffix("\(ApplicationProfile.all.count) profiles"))
    }

    func testRecoverWithoutJournalIsNotPending() throws {
        let d = try tmp()
        let r = try RecoverReport.recover(fileSet: d.path + "/DICOMDIR", abort: false, wait: 0)
        XCTAssertEqual(r.root, d.path)
        XCTAssertNil(r.recovery)
        XCTAssertEqual(r.json, .object([("root", .string(d.path)), ("pending", .bool(false))]))
        XCTAssertThrowsError(try RecoverReport.recover(fileSet: d.path + "/none/", abort: false, wait: 0)) {
            XCTAssertEqual(($0 as? MediaError)?.code, .notFound)
        }
    }

    func testImageOptionsAreChecked() throws {
        let image = try ImageOutput.checked(path: "a.iso", volumeID: "study_1", rockRidge: false, engine: "libarchive")
        XCTAssertEqual(image.volumeID, "STUDY_1")
        XCTAssertFalse(image.rockRidge)
        XCTAssertThrowsError(try ImageOutput.checked(path: "a.iso", volumeID: nil, rockRidge: true, engine: "mkisofs")) {
            XCTAssertEqual(($0 as? MediaError)?.code, .badArgument)
        }
        XCTAssertThrowsError(try ImageOutput.checked(path: "a.iso", volumeID: "bad id", rockRidge: true, engine: ImageOutput.defaultEngineName)) {
            XCTAssertEqual(($0 as? MediaError)?.code, .badArgument)
        }
    }

    func testProductVersionIsTheFileMetaVersion() {
        XCTAssertFalse(Product.version.isEmpty)
        XCTAssertEqual(Product.application, "dicom-media \(Product.version)")
        XCTAssertFalse(Product.imageApplication.contains("."))
        XCTAssertTrue(Product.imageApplication.hasPrefix("DICOM_MEDIA_"))
    }

    /// A File ID found only in another case is a `file-id-variant` warning of `list` (and a file
    /// outside the root is never reported present).
    func testListReportsAVariantByCode() throws {
        let src = try CLITests.corpus.appendingPathComponent("pydicom-3.0.2/test_files/CT_small.dcm").path
        guard FileManager.default.fileExists(atPath: src) else { throw XCTSkip("corpus not found (set DICOM_MEDIA_CORPUS)") }
        let fs = try tmp().appendingPathComponent("fs")
        let r = try CLITests.run(["create", fs.path, src, "-q"])
        XCTAssertEqual(r.status, 0, r.stderr)
        let listing = try FileSetListing.open(fs.path)
        guard let id = listing.fileSet.allRecords().compactMap({ $0.0.referencedFileID }).first else { return XCTFail("no File ID") }
        XCTAssertEqual(listing.reportedProblems.map(\.code), [])
        let path = fs.path + "/" + id.components.joined(separator: "/")
        let lower = (path as NSString).deletingLastPathComponent + "/" + (path as NSString).lastPathComponent.lowercased()
        try FileManager.default.moveItem(atPath: path, toPath: lower)
        let again = try FileSetListing.open(fs.path)
        XCTAssertEqual(again.reportedProblems.map(\.code), [.fileIDVariant])
    }

    func testVerboseFollowsAnErrorWithItsCauseChain() throws {
        let missing = try tmp().appendingPathComponent("missing").path
        let plain = try CLITests.run(["list", missing])
        XCTAssertEqual(plain.status, 2)
        XCTAssertEqual(plain.stderr.split(separator: "\n").count, 1, plain.stderr)
        let verbose = try CLITests.run(["list", "-v", missing])
        XCTAssertEqual(verbose.status, 2)
        let lines = verbose.stderr.split(separator: "\n").map(String.init)
        XCTAssertEqual(lines.first, plain.stderr.split(separator: "\n").first.map(String.init))
        XCTAssertTrue(lines.dropFirst().first?.hasPrefix("  error [\(MediaError.Code.notFound)] ") ?? false, verbose.stderr)
        XCTAssertTrue(lines.dropFirst().first?.contains("(at MediaKit/") ?? false, verbose.stderr)
        // --json: the error document carries the one line, not the chain.
        let json = try CLITests.run(["list", "-v", "--json", missing])
        let doc = try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any]
        XCTAssertEqual(doc?["error"] as? String, lines.first)
        XCTAssertEqual(doc?["exitCode"] as? Int, 2)
    }
}
