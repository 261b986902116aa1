import DICOMCore
import DICOMPixel
import XCTest

final class EncapsulationTests: XCTestCase {
    func testEncapsulateFillsBasicOffsetTableAndPadsOdd() throws {
        let px = Encapsulation.encapsulate([[1, 2, 3], [4, 5], [6]])
        XCTAssertEqual(px.basicOffsetTable, [0, 12, 22])
        XCTAssertEqual(px.fragments, [[1, 2, 3, 0], [4, 5], [6, 0]])
        let frames = try Encapsulation.frames(px, numberOfFrames: 3, syntax: .rleLossless)
        XCTAssertEqual(frames, [[1, 2, 3, 0], [4, 5], [6, 0]])
    }

    func testBasicOffsetTableGroupsFragments() throws {
        let px = PixelFragments(basicOffsetTable: [0, 20], fragments: [[1, 2], [3, 4], [5, 6], [7, 8]])
        // fragment item starts: 0, 10, 20, 30
        XCTAssertEqual(try Encapsulation.frames(px, numberOfFrames: 2, syntax: .jpegBaseline), [[1, 2, 3, 4], [5, 6, 7, 8]])
    }

    func testFragmentedFramesWithoutTableAreFoundByStartMarker() throws {
        let soi: [UInt8] = [0xFF, 0xD8, 0xFF, 0xC3]
        let px = PixelFragments(fragments: [soi, [9, 9], soi + [1], [0xFF, 0xD9]])
        let frames = try Encapsulation.frames(px, numberOfFrames: 2, syntax: .jpegLosslessSV1)
        XCTAssertEqual(frames, [soi + [9, 9], soi + [1, 0xFF, 0xD9]])
    }

    func testBadBasicOffsetTableIsAnError() {
        let px = PixelFragments(basicOffsetTable: [0, 7], fragments: [[1, 2], [3, 4], [5, 6]])
        XCTAssertThrowsError(try Encapsulation.frames(px, numberOfFrames: 2, syntax: .rleLossless)) { e in
            XCTAssertEqual(pixelCode(e), .encapsulation, "\(e)")
        }
    }

    func testUnsplittableFragmentsAreAnError() {
        let px = PixelFragments(fragments: [[1, 2], [3, 4], [5, 6]])
        XCTAssertThrowsError(try Encapsulation.frames(px, numberOfFrames: 2, syntax: .jpegBaseline))
    }
}
