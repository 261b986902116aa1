import DICOMCore
import DICOMPixel
import XCTest

/// Each step of the grayscale pipeline (PS3.4 N.2.1) on synthetic frames, with values worked out from the formulas of PS3.3 C.11.
final class RenderingPipelineTests: XCTestCase {
    /// A 1-row image of `values`, rendered at full size.
    func render(_ ds: DataSet, _ voi: VOIChoice = .stored(fallback: nil)) throws -> [UInt8] {
        try ImageRenderer.render(ds, options: RenderOptions(voi: voi)).pixels
    }

    func row(_ values: [Int], bitsStored: Int = 16, signed: Bool = false, photometric: String = "MONOCHROME2") -> DataSet {
        SyntheticImage.mono(rows: 1, columns: values.count, bitsStored: bitsStored, signed: signed, photometric: photometric, values: values)
    }

    func testLinearWindowFollowsC11212() throws {
        // c = 100, w = 11: below 100 - 0.5 - 5 = 94.5 black, above 104.5 white, ((x - 99.5) / 10 + 0.5) × 255 between.
        let out = try render(row([94, 95, 99, 100, 104, 105]), .window(center: 100, width: 11, function: .linear))
        XCTAssertEqual(out, [0, 13, 115, 140, 242, 255])
    }

    func testLinearExactAndSigmoid() {
        let exact = VOITransform.window(center: 100, width: 10, function: .linearExact)
        XCTAssertEqual(exact.apply(95), 0)
        XCTAssertEqual(exact.apply(100), 0.5)
        XCTAssertEqual(exact.apply(104), 0.9, accuracy: 1e-12)
        XCTAssertEqual(exact.apply(105.5), 1)
        let sigmoid = VOITransform.window(center: 100, width: 10, function: .sigmoid)
        XCTAssertEqual(sigmoid.apply(100), 0.5, accuracy: 1e-12)
        XCTAssertEqual(sigmoid.apply(105), 1 / (1 + exp(-2)), accuracy: 1e-12)
    }

    func testStoredWindowTakesTheFirstOfSeveralAndItsFunction() throws {
        var ds = row([0, 50, 100, 150, 200])
        ds.setString(.windowCenter, .DS, ["100", "1000"])
        ds.setString(.windowWidth, .DS, ["201", "10"])
        XCTAssertEqual(try render(ds), [1, 64, 128, 192, 255])
        ds.setString(.voilutFunction, .CS, "SIGMOID")
        let sigmoid = try render(ds)
        XCTAssertEqual(sigmoid[2], 128)
        XCTAssertEqual(Int(sigmoid[1]), Int((255 / (1 + exp(4 * 50 / 201.0))).rounded()))
    }

    func testAnImpossibleWindowFallsBackToTheComputedOne() throws {
        var ds = row([10, 20, 30])
        ds.setString(.windowCenter, .DS, "20")
        ds.setString(.windowWidth, .DS, "0")
        XCTAssertEqual(try render(ds), [0, 128, 255])
    }

    func testRescaleBeforeTheWindow() throws {
        var ds = row([0, 1000, 1024, 1064, 1424, 2000], signed: true)
        ds.setString(.rescaleSlope, .DS, "1")
        ds.setString(.rescaleIntercept, .DS, "-1024")  // HU: -1024, -24, 0, 40, 400, 976
        let out = try render(ds, .window(center: 40, width: 400, function: .linear))
        XCTAssertEqual(out, [0, 87, 102, 128, 255, 255])
    }

    func testModalityLUTSequenceReplacesTheRescale() throws {
        var ds = row([0, 1, 2, 3, 9], bitsStored: 8)
        ds.setString(.rescaleSlope, .DS, "1000")
        ds.setSequence(.modalityLUTSequence, [SyntheticImage.lutItem(first: 1, bits: 16, entries: [100, 400, 300])])
        // 0 is below the first mapped value: the first entry (100); 9 above the last: the last entry (300).
        XCTAssertEqual(try render(ds, .window(center: 250.5, width: 301, function: .linear)), [0, 0, 255, 170, 170])
        XCTAssertEqual(try ModalityLUT.of(ds, signed: false).apply(2), 400)
    }

    func testVOILUTSequence() throws {
        var ds = row([0, 10, 11, 12, 13, 99], bitsStored: 8)
        ds.setSequence(.voilutSequence, [SyntheticImage.lutItem(first: 10, bits: 8, entries: [0, 51, 204, 255])])
        XCTAssertEqual(try render(ds), [0, 0, 51, 204, 255, 255])
    }

    func testAutomaticWindows() throws {
        let ds = row([100, 200, 300, 400, 500])
        XCTAssertEqual(try render(ds, .computed(.minMax)), [0, 64, 128, 191, 255])
        // The 25th and 75th percentiles are 200 and 400.
        XCTAssertEqual(try render(ds, .computed(.percentiles(low: 0.25, high: 0.75))), [0, 0, 128, 255, 255])
        // 8-bit without a window or rescale is shown as stored; deeper images by min-max.
        XCTAssertEqual(try render(row([0, 60, 255], bitsStored: 8)), [0, 60, 255])
        XCTAssertEqual(try render(row([0, 60, 255], bitsStored: 12)), [0, 60, 255])
        XCTAssertEqual(try render(row([100, 160, 355], bitsStored: 12)), [0, 60, 255])
    }

    func testMonochrome1AndInverseShapeInvertOnce() throws {
        XCTAssertEqual(try render(row([0, 60, 255], bitsStored: 8, photometric: "MONOCHROME1")), [255, 195, 0])
        var inverse = row([0, 60, 255], bitsStored: 8)
        inverse.setString(.presentationLUTShape, .CS, "INVERSE")
        XCTAssertEqual(try render(inverse), [255, 195, 0])
        var both = row([0, 60, 255], bitsStored: 8, photometric: "MONOCHROME1")
        both.setString(.presentationLUTShape, .CS, "INVERSE")
        XCTAssertEqual(try render(both), [255, 195, 0], "MONOCHROME1 with INVERSE is one inversion (PS3.3 C.8.11.6.1.2)")
    }

    func testSignedValuesAndHighBit() throws {
        // 12 bits stored at bits 13...2, signed, with noise above and below: -2048...2047.
        let ds = SyntheticImage.mono(rows: 1, columns: 3, bitsStored: 12, highBit: 13, signed: true, values: [-2048, 0, 2047], noise: 0x3)
        XCTAssertEqual(try render(ds, .computed(.minMax)), [0, 128, 255])
        XCTAssertEqual(try render(ds, .window(center: 1.5, width: 2, function: .linear)), [0, 0, 255])
    }

    func testOneBitFramesUnpackFromTheirBitOffset() throws {
        // Two 3x3 frames of 1-bit data, LSB first (PS3.5 8.1.1): the second frame starts at bit 9.
        let bits: [Int] = [1, 0, 0, 0, 1, 0, 0, 0, 1] + [0, 1, 1, 1, 0, 1, 1, 1, 0]
        var bytes = [UInt8](repeating: 0, count: 4)
        for (i, b) in bits.enumerated() where b == 1 { bytes[i / 8] |= 1 << UInt8(i % 8) }
        let d = PixelDescription(rows: 3, columns: 3, bitsAllocated: 1, bitsStored: 1, numberOfFrames: 2)
        let ds = secondaryCapture(d, pixelData: DataElement(tag: .pixelData, vr: .OB, bytes: bytes))
        let first = try ImageRenderer.render(ds, options: RenderOptions(frame: 1, voi: .computed(.minMax)))
        let second = try ImageRenderer.render(ds, options: RenderOptions(frame: 2, voi: .computed(.minMax)))
        XCTAssertEqual(first.pixels, bits[0..<9].map { UInt8($0 * 255) })
        XCTAssertEqual(second.pixels, bits[9..<18].map { UInt8($0 * 255) })
    }

    func testEmptyLUTItemsArePassedOver() throws {
        var ds = row([0, 50, 100], bitsStored: 8)
        var empty = DataSet()
        for tag in [Tag.lutDescriptor, .lutData] { empty.set(DataElement(tag: tag, vr: .US, bytes: [])) }
        ds.setSequence(.modalityLUTSequence, [empty])
        ds.setSequence(.voilutSequence, [empty])
        ds.setString(.rescaleIntercept, .DS, "10")
        XCTAssertEqual(try ModalityLUT.of(ds, signed: false), .rescale(slope: 1, intercept: 10))
        XCTAssertEqual(try render(ds), [0, 128, 255])
    }

    func testLUTErrorsAreCoded() {
        var ds = row([1, 2, 3], bitsStored: 8)
        var item = SyntheticImage.lutItem(first: 0, bits: 16, entries: [1, 2, 3, 4])
        item.set(DataElement(tag: .lutData, vr: .OW, bytes: SyntheticImage.words([1, 2])))
        ds.setSequence(.modalityLUTSequence, [item])
        XCTAssertThrowsError(try render(ds)) { XCTAssertEqual(pixelCode($0), .invalidLUT, "\($0)") }
        var noData = row([1, 2, 3], bitsStored: 8)
        var bare = DataSet()
        bare.set(DataElement(tag: .lutDescriptor, vr: .US, bytes: SyntheticImage.words([4, 0, 8])))
        noData.setSequence(.voilutSequence, [bare])
        XCTAssertThrowsError(try render(noData)) { XCTAssertEqual(pixelCode($0), .invalidLUT, "\($0)") }
        var zeroSlope = row([1, 2, 3], bitsStored: 8)
        zeroSlope.setString(.rescaleSlope, .DS, "0")
        XCTAssertThrowsError(try render(zeroSlope)) { XCTAssertEqual((($0 as? PixelError)?.tag), .rescaleSlope, "\($0)") }
    }
}
