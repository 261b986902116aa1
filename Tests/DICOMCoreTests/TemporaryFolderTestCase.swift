import Foundation
import XCTest

/// A test case with a fresh folder of its own (`dir`), removed after each test.
class TemporaryFolderTestCase: XCTestCase {
    var dir = ""
    /// The first part of the folder's name.
    var folderPrefix: String { "tests" }

    override func setUpWithError() throws {
        dir = NSTemporaryDirectory() + "\(folderPrefix)-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        XCTAssertEqual(mkdir(dir, 0o700), 0)
    }

    override func tearDown() { try? FileManager.default.removeItem(atPath: dir) }
}
