import FileSystem
import Foundation
import XCTest
@testable import DICOMCore

/// LockFile: flock(2) per open file, so a second acquisition in this process conflicts like another process's.
final class LockFileTests: TemporaryFolderTestCase {
    override var folderPrefix: String { "lockfile-tests" }

    func testSecondExclusiveIsBusyWithHolderText() throws {
        let a = try LockFile.acquire(directory: dir, name: "lock", mode: .exclusive, wait: 0, what: "File-set")
        let text = try String(contentsOfFile: dir + "/lock", encoding: .utf8)
        XCTAssertTrue(text.hasPrefix("pid \(getpid()) since "), text)
        var st = stat()
        XCTAssertEqual(stat(dir + "/lock", &st), 0)
        XCTAssertEqual(st.st_mode & 0o777, 0o600)
        XCTAssertThrowsError(try LockFile.acquire(directory: dir, name: "lock", mode: .exclusive, wait: 0.1, what: "File-set")) { e in
            guard let b = e as? CoreError, b.code == .busy else { return XCTFail("\(e)") }
            XCTAssertEqual(b.holder, String(text.dropLast()))
            XCTAssertTrue(b.description.hasPrefix("File-set busy (locked by pid \(getpid()) since "), b.description)
        }
        XCTAssertThrowsError(try LockFile.acquire(directory: dir, name: "lock", mode: .shared, wait: 0, what: "store")) {
            XCTAssertEqual(($0 as? CoreError)?.code, .busy)
        }
        a.release()
        let b = try LockFile.acquire(directory: dir, name: "lock", mode: .exclusive, wait: 0, what: "File-set")
        XCTAssertTrue(b.isHeld)
        b.release()
        XCTAssertFalse(b.isHeld)
    }

    func testSharedHoldersCoexistAndBlockExclusive() throws {
        let a = try LockFile.acquire(directory: dir, name: "store.lock", mode: .shared, wait: 0, what: "store")
        let b = try LockFile.acquire(directory: dir, name: "store.lock", mode: .shared, wait: 0, what: "store")
        XCTAssertThrowsError(try LockFile.acquire(directory: dir, name: "store.lock", mode: .exclusive, wait: 0, what: "store")) { e in
            XCTAssertEqual((e as? CoreError)?.description, "store busy (locked by another process); try again later or pass a longer --wait")
        }
        a.release(); b.release()
        XCTAssertNoThrow(try LockFile.acquire(directory: dir, name: "store.lock", mode: .exclusive, wait: 0, what: "store").release())
    }

    func testWaiterGetsTheLockWhenReleased() throws {
        let a = try LockFile.acquire(directory: dir, name: "lock", mode: .exclusive, wait: 0, what: "File-set")
        DispatchQueue.global().asyncAfter(deadline: .now() + 0.3) { a.release() }
        let b = try LockFile.acquire(directory: dir, name: "lock", mode: .exclusive, wait: 60, what: "File-set")
        XCTAssertFalse(a.isHeld)
        XCTAssertTrue(b.isHeld)
    }

    /// A holder that deletes the file (and its folder) when releasing: the waiter stuck on the old
    /// file notices, makes a new one and takes that; never two holders at once.
    func testReleaseRemovingFileHandsOverToANewFile() throws {
        let sub = dir + "/tool"
        let prepare: () throws -> Void = { _ = mkdir(sub, 0o700) }
        let a = try LockFile.acquire(directory: sub, name: "lock", mode: .exclusive, wait: 0, what: "File-set", prepare: prepare)
        DispatchQueue.global().asyncAfter(deadline: .now() + 0.3) { a.release(removingFile: true, removingFolder: true) }
        let b = try LockFile.acquire(directory: sub, name: "lock", mode: .exclusive, wait: 60, what: "File-set", prepare: prepare)
        // (The inode number may be reused once the old file is closed: only the hand-over is checked.)
        XCTAssertFalse(a.isHeld)
        XCTAssertTrue(b.isHeld)
        XCTAssertTrue(FileManager.default.fileExists(atPath: sub + "/lock"))
        XCTAssertThrowsError(try LockFile.acquire(directory: sub, name: "lock", mode: .exclusive, wait: 0, what: "File-set", prepare: prepare))
        b.release(removingFile: true, removingFolder: true)
        XCTAssertFalse(FileManager.default.fileExists(atPath: sub))
    }

    func testStaleTextIsNoLock() throws {
        try "pid 999999 since 2020-01-01T00:00:00Z\n".write(toFile: dir + "/lock", atomically: false, encoding: .utf8)
        let a = try LockFile.acquire(directory: dir, name: "lock", mode: .exclusive, wait: 0, what: "File-set")
        XCTAssertTrue(try String(contentsOfFile: dir + "/lock", encoding: .utf8).hasPrefix("pid \(getpid()) "))
        a.release()
    }

    func testPlantedLinksAreRefusedAndTargetsUntouched() throws {
        let canary = dir + "/canary"
        try "precious".write(toFile: canary, atomically: false, encoding: .utf8)
        let sub = dir + "/tool"
        XCTAssertEqual(mkdir(sub, 0o700), 0)
        // A symbolic link to a file, a dangling one, a hard link.
        XCTAssertEqual(symlink(canary, sub + "/lock"), 0)
        XCTAssertThrowsError(try LockFile.acquire(directory: sub, name: "lock", mode: .exclusive, wait: 0, what: "File-set")) {
            XCTAssertEqual(($0 as? CoreError)?.code, .lockFailed, "\($0)")
        }
        XCTAssertEqual(symlink(dir + "/made", sub + "/dangling"), 0)
        XCTAssertThrowsError(try LockFile.acquire(directory: sub, name: "dangling", mode: .exclusive, wait: 0, what: "File-set"))
        XCTAssertFalse(FileManager.default.fileExists(atPath: dir + "/made"))
        XCTAssertEqual(link(canary, sub + "/hard"), 0)
        XCTAssertThrowsError(try LockFile.acquire(directory: sub, name: "hard", mode: .exclusive, wait: 0, what: "File-set")) {
            XCTAssertEqual(($0 as? CoreError)?.code, .lockFailed, "\($0)")
        }
        // The folder itself a link to outside.
        let outside = dir + "/outside"
        XCTAssertEqual(mkdir(outside, 0o755), 0)
        XCTAssertEqual(symlink(outside, dir + "/linked"), 0)
        XCTAssertThrowsError(try LockFile.acquire(directory: dir + "/linked", name: "lock", mode: .exclusive, wait: 0, what: "File-set")) {
            XCTAssertEqual(($0 as? CoreError)?.code, .lockFailed, "\($0)")
        }
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: outside), [])
        XCTAssertEqual(try String(contentsOfFile: canary, encoding: .utf8), "precious")
    }

    func testHolderTextFromAPlantedFileIsNotEchoed() throws {
        try "rm -rf / \u{1b}[2J".write(toFile: dir + "/lock", atomically: false, encoding: .utf8)
        let fd = open(dir + "/lock", O_RDONLY)
        defer { close(fd) }
        XCTAssertNil(LockFile.readHolder(fd))
    }

    func testErrorsCarryTheirCodesAndTheErrno() throws {
        let a = try LockFile.acquire(directory: dir, name: "lock", mode: .exclusive, wait: 0, what: "store")
        defer { a.release() }
        XCTAssertThrowsError(try LockFile.acquire(directory: dir, name: "lock", mode: .exclusive, wait: 0, what: "store")) { e in
            XCTAssertEqual((e as? any ChainedError)?.codeName, CoreError.Code.busy.rawValue)
            XCTAssertEqual((e as? any ChainedError)?.context.path, dir + "/lock")
        }
        XCTAssertEqual(mkdir(dir + "/real", 0o700), 0)
        XCTAssertEqual(symlink(dir + "/real", dir + "/linked"), 0)
        XCTAssertThrowsError(try LockFile.acquire(directory: dir + "/linked", name: "lock", mode: .exclusive, wait: 0, what: "store")) { e in
            guard let f = e as? CoreError, f.code == .lockFailed else { return XCTFail("\(e)") }
            XCTAssertEqual(f.codeName, "lock-failed")
            let errno = (f.cause as? SystemErrno)?.code
            XCTAssertTrue(errno == ELOOP || errno == ENOTDIR, "\(String(describing: f.cause))")
            XCTAssertEqual(f.description, dir + "/linked: lock folder is a symbolic link or not a folder; refused")
        }
    }
}
