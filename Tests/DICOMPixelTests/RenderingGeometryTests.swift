import DICOMCore
import DICOMPixel
import XCTest

/// The size and frame of a rendering: aspect ratio, area-averaged scaling, representative frames and key images.
final class RenderingGeometryTests: XCTestCase {
    func testAspectRatioFromSpacingAndRatio() {
        var ds = DataSet()
        XCTAssertEqual(PixelAspect.ratio(ds), 1)
        ds.setString(.pixelAspectRatio, .IS, ["4", "3"])
        XCTAssertEqual(PixelAspect.ratio(ds), 4.0 / 3.0, accuracy: 1e-12)
        ds.setString(.imagerPixelSpacing, .DS, ["0.2", "0.1"])
        XCTAssertEqual(PixelAspect.ratio(ds), 2, accuracy: 1e-12)
        ds.setString(.pixelSpacing, .DS, ["0.5", "0.5"])
        XCTAssertEqual(PixelAspect.ratio(ds), 1, "Pixel Spacing comes first")
        ds.setString(.pixelSpacing, .DS, ["0", "0.5"])
        XCTAssertEqual(PixelAspect.ratio(ds), 1, "a zero spacing is an error in the data, not a shape")
    }

    func testOutputSizeKeepsThePhysicalAspect() {
        XCTAssertTrue(PixelAspect.outputSize(columns: 512, rows: 512, ratio: 1, maxSize: nil) == (512, 512))
        XCTAssertTrue(PixelAspect.outputSize(columns: 512, rows: 256, ratio: 1, maxSize: 128) == (128, 64))
        XCTAssertTrue(PixelAspect.outputSize(columns: 100, rows: 100, ratio: 2, maxSize: nil) == (100, 200))
        XCTAssertTrue(PixelAspect.outputSize(columns: 100, rows: 100, ratio: 0.5, maxSize: 50) == (50, 25))
        XCTAssertTrue(PixelAspect.outputSize(columns: 64, rows: 32, ratio: 1, maxSize: 1000) == (64, 32), "never scaled up")
        // A 3000 x 2000 image of 0.1 x 0.15 mm pixels is 300 x 300 mm: square, to within 1%.
        let s = PixelAspect.outputSize(columns: 2000, rows: 3000, ratio: 0.1 / 0.15, maxSize: 512)
        XCTAssertEqual(Double(s.width) / Double(s.height), 2000 * 0.15 / (3000 * 0.1), accuracy: 0.01)
    }

    func testRenderedSizeFollowsPixelSpacing() throws {
        var ds = SyntheticImage.mono(rows: 40, columns: 80, bitsStored: 8, values: (0..<3200).map { $0 % 256 })
        ds.setString(.pixelSpacing, .DS, ["0.6", "0.2"])  // pixels 3 times as tall as wide: 80 x 120 mm
        let out = try ImageRenderer.render(ds, options: RenderOptions(maxSize: 60))
        XCTAssertEqual([out.width, out.height], [40, 60])
        XCTAssertEqual(out.pixels.count, 40 * 60)
    }

    func testAreaAveragingIsNotNearestNeighbour() {
        // A 1-pixel checkerboard halved is flat grey, where nearest neighbour would keep one colour.
        let board: [Float] = (0..<16).map { Float(($0 % 4 + $0 / 4) % 2 * 255) }
        XCTAssertEqual(AreaResampler.resample(board, width: 4, height: 4, channels: 1, toWidth: 2, toHeight: 2), [127.5, 127.5, 127.5, 127.5])
        // 3 → 2 weights the middle pixel half to each side.
        XCTAssertEqual(AreaResampler.resample([0, 90, 180], width: 3, height: 1, channels: 1, toWidth: 2, toHeight: 1), [30, 150])
        // Channels stay apart.
        let rgb: [Float] = [255, 0, 0, 0, 0, 255]
        XCTAssertEqual(AreaResampler.resample(rgb, width: 2, height: 1, channels: 3, toWidth: 1, toHeight: 1), [127.5, 0, 127.5])
        // Upscaling by 2 repeats each pixel.
        XCTAssertEqual(AreaResampler.resample([10, 20], width: 2, height: 1, channels: 1, toWidth: 4, toHeight: 1), [10, 10, 20, 20])
    }

    func testRepresentativeFrameAndFrameChoice() throws {
        let d = PixelDescription(rows: 1, columns: 1, bitsAllocated: 8, bitsStored: 8, numberOfFrames: 5)
        var ds = secondaryCapture(d, pixelData: DataElement(tag: .pixelData, vr: .OB, bytes: [10, 20, 30, 40, 50, 0]))
        XCTAssertEqual(ImageRenderer.representativeFrame(ds), 2)
        XCTAssertEqual(try ImageRenderer.render(ds).pixels, [30])
        ds.setUInt16(.representativeFrameNumber, [4])
        XCTAssertEqual(try ImageRenderer.render(ds).pixels, [40])
        XCTAssertEqual(try ImageRenderer.render(ds, options: RenderOptions(frame: 1)).pixels, [10])
        ds.setUInt16(.representativeFrameNumber, [9])
        XCTAssertEqual(ImageRenderer.representativeFrame(ds), 2, "a Representative Frame Number beyond the frames is passed over")
        XCTAssertThrowsError(try ImageRenderer.render(ds, options: RenderOptions(frame: 6))) { XCTAssertEqual(pixelCode($0), .noSuchFrame, "\($0)") }
        var short = ds
        short.set(DataElement(tag: .pixelData, vr: .OB, bytes: [10, 20]))
        XCTAssertThrowsError(try ImageRenderer.render(short, options: RenderOptions(frame: 3))) { XCTAssertEqual(pixelCode($0), .shortPixelData, "\($0)") }
    }

    func testFunctionalGroupsGiveTheFrameItsWindow() throws {
        let d = PixelDescription(rows: 1, columns: 3, bitsAllocated: 16, bitsStored: 12, numberOfFrames: 2)
        var ds = secondaryCapture(d, pixelData: DataElement(tag: .pixelData, vr: .OW, bytes: SyntheticImage.words([0, 100, 200, 0, 100, 200])))
        func window(_ c: String, _ w: String) -> DataSet {
            var voi = DataSet()
            voi.setString(.windowCenter, .DS, c)
            voi.setString(.windowWidth, .DS, w)
            var group = DataSet()
            group.setSequence(.frameVOILUTSequence, [voi])
            return group
        }
        ds.setSequence(.sharedFunctionalGroupsSequence, [window("100.5", "201")])
        XCTAssertEqual(try ImageRenderer.render(ds, options: RenderOptions(frame: 2)).pixels, [0, 128, 255])
        ds.setSequence(.perFrameFunctionalGroupsSequence, [window("100.5", "201"), window("200.5", "201")])
        XCTAssertEqual(try ImageRenderer.render(ds, options: RenderOptions(frame: 2)).pixels, [0, 0, 128])
        XCTAssertEqual(try ImageRenderer.render(ds, options: RenderOptions(frame: 1)).pixels, [0, 128, 255])
    }

    func testKeyImages() {
        XCTAssertEqual(KeyImages.indices(count: 0, .middle), [])
        XCTAssertEqual(KeyImages.indices(count: 10, .first), [0])
        XCTAssertEqual(KeyImages.indices(count: 10, .middle), [4])
        XCTAssertEqual(KeyImages.indices(count: 11, .middle), [5])
        XCTAssertEqual(KeyImages.indices(count: 10, .last), [9])
        XCTAssertEqual(KeyImages.indices(count: 10, .firstMiddleLast), [0, 4, 9])
        XCTAssertEqual(KeyImages.indices(count: 2, .firstMiddleLast), [0, 1])
        XCTAssertEqual(KeyImages.indices(count: 1, .firstMiddleLast), [0])
        XCTAssertEqual(KeyImages.indices(count: 100, .evenlySpaced(5)), [0, 25, 50, 74, 99])
        XCTAssertEqual(KeyImages.indices(count: 3, .evenlySpaced(8)), [0, 1, 2])
        XCTAssertEqual(KeyImages.indices(count: 9, .evenlySpaced(1)), [4])
        XCTAssertEqual(KeyImages.select(Array("abcdefg"), .evenlySpaced(3)), ["a", "d", "g"])
    }
}
