import DICOMCore
import FileSystem
import Foundation
import XCTest

/// The shared file-system helpers and the Mutex-based concurrent collectors.
final class FileSystemTests: TemporaryFolderTestCase {
    override var folderPrefix: String { "fs-tests" }

    func testKindsSizesAndNames() throws {
        try Data([1, 2, 3]).write(to: URL(fileURLWithPath: dir + "/f"))
        XCTAssertTrue(isRegularFile(dir + "/f"))
        XCTAssertFalse(isDirectory(dir + "/f"))
        XCTAssertTrue(isDirectory(dir))
        XCTAssertFalse(isRegularFile(dir))
        XCTAssertTrue(fileExists(dir + "/f"))
        XCTAssertFalse(fileExists(dir + "/none"))
        XCTAssertEqual(fileSize(dir + "/f"), 3)
        XCTAssertEqual(fileSize(dir + "/none"), 0)
        XCTAssertEqual(folderNames(dir), ["f"])
        XCTAssertNil(readFolder(dir + "/none"))
        XCTAssertEqual(folderNames(dir + "/none"), [])
        XCTAssertEqual(symlink(dir + "/f", dir + "/link"), 0)
        XCTAssertEqual(realPath(dir + "/link"), realPath(dir + "/f"))
        XCTAssertNil(realPath(dir + "/none"))
    }

    func testMakeDirectoriesCreatesParentsAndReportsTheErrno() throws {
        try makeDirectories(dir + "/a/b/c", mode: 0o700)
        XCTAssertTrue(isDirectory(dir + "/a/b/c"))
        try makeDirectories(dir + "/a/b/c")  // already there: nothing to do
        try Data([0]).write(to: URL(fileURLWithPath: dir + "/file"))
        XCTAssertThrowsError(try makeDirectories(dir + "/file/sub")) { error in
            XCTAssertEqual((error as? SystemErrno)?.code, ENOTDIR)
            XCTAssertEqual((error as? SystemErrno)?.call, "mkdir")
        }
    }

    func testRemoveTreeCountsFilesAndNeverFollowsALink() throws {
        let outside = dir + "/outside"
        try makeDirectories(outside)
        try Data([0]).write(to: URL(fileURLWithPath: outside + "/keep"))
        try makeDirectories(dir + "/tree/sub")
        try Data([0]).write(to: URL(fileURLWithPath: dir + "/tree/a"))
        try Data([0]).write(to: URL(fileURLWithPath: dir + "/tree/sub/b"))
        XCTAssertEqual(symlink(outside, dir + "/tree/sub/link"), 0)
        XCTAssertEqual(removeTree(dir + "/tree"), 3)  // a, b and the link itself
        XCTAssertFalse(fileExists(dir + "/tree"))
        XCTAssertTrue(isRegularFile(outside + "/keep"), "the link's target is untouched")
        XCTAssertEqual(removeTree(dir + "/tree"), 0)
    }

    func testConcurrentSlotsAndCounter() {
        let slots = ConcurrentSlots<Int>(count: 200)
        let counter = ConcurrentCounter()
        DispatchQueue.concurrentPerform(iterations: 200) { i in
            slots[i] = i * 2
            _ = counter.increment()
        }
        XCTAssertEqual(slots.values, (0..<200).map { $0 * 2 })
        XCTAssertEqual(counter.increment(), 201)
        XCTAssertNil(ConcurrentSlots<String>(count: 2)[1])
    }
}
