import Foundation
@testable import MediaKit
import XCTest

/// ``SpillList``: report entries kept in an anonymous file once they pass a threshold, read back whole.
final class SpillListTests: XCTestCase {
    var dir = ""
    override func setUp() {
        dir = NSTemporaryDirectory() + "spill-list-\(UUID().uuidString)"
        try? FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
    }
    override func tearDown() { try? FileManager.default.removeItem(atPath: dir) }

    static func item(_ i: Int) -> ImportReport.Item {
        ImportReport.Item(
            sopInstanceUID: "1.2.826.0.1.\(i)", source: i % 7 == 0 ? "" : "/media/Ünïcödé stick", sourcePath: "DICOM/P\(i / 100)/I\(i)",
            storedPath: i % 3 == 0 ? nil : "objects/\(i)", sha256: i % 5 == 0 ? nil : String(repeating: "ab", count: 32))
    }
    static func check(_ list: SpillList<ImportReport.Item>, count: Int, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(list.count, count, file: file, line: line)
        for (i, got) in list.enumerated() {
            let want = item(i)
            XCTAssertEqual(got.sopInstanceUID, want.sopInstanceUID, file: file, line: line)
            XCTAssertEqual(got.source, want.source, file: file, line: line)
            XCTAssertEqual(got.sourcePath, want.sourcePath, file: file, line: line)
            XCTAssertEqual(got.storedPath, want.storedPath, file: file, line: line)
            XCTAssertEqual(got.sha256, want.sha256, file: file, line: line)
        }
    }

    func testEntriesSpillToAnAnonymousFileAndReadBack() throws {
        var list = SpillList<ImportReport.Item>(directory: dir, threshold: 1024)
        for i in 0..<3000 { list.append(Self.item(i)) }
        XCTAssertGreaterThan(list.spilledBytes, 100_000, "most entries are in the file")
        Self.check(list, count: 3000)
        XCTAssertEqual(list.last?.sopInstanceUID, "1.2.826.0.1.2999")
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: dir), [], "the file has no name")
    }

    func testWithoutAUsableDirectoryEntriesStayInMemory() {
        for directory in [nil, dir + "/missing"] {
            var list = SpillList<ImportReport.Item>(directory: directory, threshold: 512)
            for i in 0..<500 { list.append(Self.item(i)) }
            XCTAssertEqual(list.spilledBytes, 0)
            Self.check(list, count: 500)
        }
        XCTAssertFalse(FileManager.default.fileExists(atPath: dir + "/missing"))
    }

    func testACopyIsAValueOfItsOwn() {
        var a = SpillList<ImportReport.Item>(directory: dir, threshold: 1024)
        for i in 0..<400 { a.append(Self.item(i)) }
        var b = a
        for i in 400..<800 { b.append(Self.item(i)) }
        for i in 400..<450 { a.append(Self.item(i)) }
        Self.check(a, count: 450)
        Self.check(b, count: 800)
    }

    func testEmptyList() {
        let list = SpillList<ImportReport.Item>(directory: dir)
        XCTAssertTrue(list.isEmpty)
        XCTAssertNil(list.first)
    }
}
