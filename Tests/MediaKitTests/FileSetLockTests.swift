import DICOMCore
import Foundation
import MediaKit
import XCTest

/// FileSetLock: the tool folder's life around a writer (leftovers, journal, release).
final class FileSetLockTests: XCTestCase {
    var root = ""

    override func setUpWithError() throws {
        root = NSTemporaryDirectory() + "fileset-lock-tests-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
    }

    override func tearDown() { try? FileManager.default.removeItem(atPath: root) }

    func mode(_ p: String) -> mode_t { var st = stat(); lstat(p, &st); return st.st_mode & 0o7777 }
    func exists(_ p: String) -> Bool { var st = stat(); return lstat(p, &st) == 0 }

    func testCreateRootLockAndRelease() throws {
        let l = try FileSetLock.acquire(root: root, wait: 0, createRoot: true)
        XCTAssertEqual(mode(root + "/.dicom-media"), 0o700)
        XCTAssertEqual(mode(root + "/.dicom-media/lock"), 0o600)
        XCTAssertThrowsError(try FileSetLock.acquire(root: root, wait: 0)) { e in
            let m = e as? MediaError
            XCTAssertEqual(m?.code, .busy)
            XCTAssertTrue(m?.description.hasPrefix("\(root): File-set busy (locked by pid \(getpid()) since ") == true, "\(e)")
        }
        // Staged data made under the lock is private and goes on release.
        let staged = FileSetLock.stagingFolder(in: l.folder)
        try makePrivateDirectory(staged)
        try writePrivateFile([1, 2, 3], to: staged + "/t0")
        XCTAssertEqual(mode(staged), 0o700)
        XCTAssertEqual(mode(staged + "/t0"), 0o600)
        l.release()
        // Nothing written: the root made for the lock is removed again, with its tool folder.
        XCTAssertFalse(exists(root))
    }

    func testLeftoversOfAKilledRunGoUnlessAJournalIsPending() throws {
        XCTAssertEqual(mkdir(root, 0o755), 0)
        let tool = root + "/.dicom-media"
        XCTAssertEqual(mkdir(tool, 0o755), 0)
        XCTAssertEqual(mkdir(tool + "/staged", 0o755), 0)
        try "x".write(toFile: tool + "/staged/t1", atomically: false, encoding: .utf8)
        try "pid 1 since 2020-01-01T00:00:00Z\n".write(toFile: tool + "/lock", atomically: false, encoding: .utf8)
        var l = try FileSetLock.acquire(root: root, wait: 0)
        XCTAssertFalse(exists(tool + "/staged"), "leftovers of a killed run without journal")
        XCTAssertEqual(mode(tool), 0o755, "an existing folder keeps its mode (its files are what matter)")
        l.release()
        XCTAssertFalse(exists(tool))
        XCTAssertTrue(exists(root))
        // With a journal: its staged files are the journal's; they stay, and so does the folder on release.
        XCTAssertEqual(mkdir(tool, 0o700), 0)
        XCTAssertEqual(mkdir(tool + "/staged", 0o700), 0)
        try "x".write(toFile: tool + "/staged/t1", atomically: false, encoding: .utf8)
        try "{}".write(toFile: tool + "/journal.json", atomically: false, encoding: .utf8)
        l = try FileSetLock.acquire(root: root, wait: 0)
        XCTAssertTrue(exists(tool + "/staged/t1"))
        l.release()
        XCTAssertTrue(exists(tool + "/journal.json"))
        XCTAssertTrue(exists(tool + "/staged/t1"))
    }

    func testImageToolFolderBesideTheImage() throws {
        XCTAssertEqual(mkdir(root, 0o755), 0)
        let image = root + "/disc.iso"
        XCTAssertEqual(FileSetLock.toolFolder(image: image), root + "/.disc.iso.dicom-media")
        try "partial".write(toFile: image + ".tmp", atomically: false, encoding: .utf8)
        let l = try FileSetLock.acquire(image: image, wait: 0)
        XCTAssertFalse(exists(image + ".tmp"), "a kill's partial image is removed under the lock")
        XCTAssertThrowsError(try FileSetLock.acquire(image: image, wait: 0)) { XCTAssertEqual(($0 as? MediaError)?.code, .busy) }
        l.release()
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: root), [])
    }

    func testMoveWithoutReplacing() throws {
        XCTAssertEqual(mkdir(root, 0o755), 0)
        try "a".write(toFile: root + "/a", atomically: false, encoding: .utf8)
        try "b".write(toFile: root + "/b", atomically: false, encoding: .utf8)
        XCTAssertThrowsError(try moveWithoutReplacing(root + "/a", to: root + "/b"))
        XCTAssertEqual(try String(contentsOfFile: root + "/b", encoding: .utf8), "b")
        try "a".write(toFile: root + "/a", atomically: false, encoding: .utf8)
        try moveWithoutReplacing(root + "/a", to: root + "/c")
        XCTAssertFalse(exists(root + "/a"))
        XCTAssertEqual(try String(contentsOfFile: root + "/c", encoding: .utf8), "a")
    }
}
