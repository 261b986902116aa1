import DICOMCore
import DICOMFileSet
import DICOMIO
import Foundation
import XCTest
@testable import MediaKit

/// ``FileSetTransaction``: the journaled write commits (files, then the DICOMDIR) or rolls back.
final class MediaTransactionTests: XCTestCase {
    func source(_ text: String) throws -> String {
        let dir = try ExportFixture.tempRoot("src")
        try Array(text.utf8).write(to: dir + "/f")
        return dir + "/f"
    }

    func testRunCommitsFilesAndDICOMDIRAndRemovesTheJournal() throws {
        let root = try ExportFixture.tempRoot("tx")
        let a = try source("alpha"), b = try source("beta")
        let tx = FileSetTransaction(operation: "create", copies: [.init(source: a, fileID: "DIR/A", size: 5), .init(source: b, fileID: "DIR/B", size: 4)])
        try tx.run(root: root, dicomdir: Array("DICOMDIR bytes".utf8))
        XCTAssertEqual(ExportFixture.files(under: root), ["DICOMDIR", "DIR/A", "DIR/B"])
        XCTAssertEqual(try String(contentsOfFile: root + "/DIR/B", encoding: .utf8), "beta")
        XCTAssertEqual(try String(contentsOfFile: root + "/DICOMDIR", encoding: .utf8), "DICOMDIR bytes")
        XCTAssertNil(try FileSetTransaction.pending(in: root))
        XCTAssertNil(try FileSetTransaction.recover(root: root), "nothing left to recover")
    }

    func testAFailedCopyLeavesAJournalThatAbortRollsBack() throws {
        let root = try ExportFixture.tempRoot("tx")
        try Array("old".utf8).write(to: root + "/DICOMDIR")
        let a = try source("alpha")
        let tx = FileSetTransaction(
            operation: "update",
            copies: [
                .init(source: a, fileID: "NEW/A", size: 5),
                .init(source: "/nonexistent/source", fileID: "NEW/B", size: 3),
            ])
        XCTAssertThrowsError(try tx.run(root: root, dicomdir: Array("new".utf8))) { e in
            XCTAssertEqual((e as? MediaError)?.code, .io)
        }
        XCTAssertNotNil(try FileSetTransaction.pending(in: root), "the journal stays for recovery")
        let recovery = try XCTUnwrap(try FileSetTransaction.recover(root: root, abort: true))
        guard case .rolledBack(let j, let reason) = recovery else { return XCTFail("expected a roll-back, got \(recovery)") }
        XCTAssertEqual(j.operation, "update")
        XCTAssertEqual(reason, "--abort")
        // The old DICOMDIR is kept and the file the transaction had copied is gone.
        XCTAssertEqual(try String(contentsOfFile: root + "/DICOMDIR", encoding: .utf8), "old")
        XCTAssertEqual(ExportFixture.files(under: root), ["DICOMDIR"])
    }

    func testAnIncompleteCopyIsRolledBackWithoutAbort() throws {
        let root = try ExportFixture.tempRoot("tx")
        try Array("old".utf8).write(to: root + "/DICOMDIR")
        let tx = FileSetTransaction(operation: "update", copies: [.init(source: "/nonexistent/source", fileID: "NEW/B", size: 3)])
        XCTAssertThrowsError(try tx.run(root: root, dicomdir: Array("new".utf8)))
        let recovery = try XCTUnwrap(try FileSetTransaction.recover(root: root))
        guard case .rolledBack(_, let reason) = recovery else { return XCTFail("expected a roll-back, got \(recovery)") }
        XCTAssertTrue(reason.hasPrefix("NEW/B was not complete"))
        XCTAssertEqual(try String(contentsOfFile: root + "/DICOMDIR", encoding: .utf8), "old")
    }
}
