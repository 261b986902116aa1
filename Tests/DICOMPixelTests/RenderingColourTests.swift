import DICOMCore
import DICOMPixel
import XCTest

/// The colour pipeline (PS3.4 N.2.2) on synthetic frames: planar configuration, YBR, palettes, and the refusals.
final class RenderingColourTests: XCTestCase {
    /// Four pixels: red, green, blue, grey.
    let rgb: [UInt8] = [255, 0, 0, 0, 255, 0, 0, 0, 255, 128, 128, 128]

    func testRGBInBothPlanarConfigurations() throws {
        for planar in [0, 1] {
            let out = try ImageRenderer.render(SyntheticImage.colour(rows: 2, columns: 2, planar: planar, samples: rgb))
            XCTAssertEqual(out.channels, 3)
            XCTAssertEqual(out.pixels, rgb, "planar configuration \(planar)")
        }
    }

    func testSixteenBitRGBIsScaledToEightBits() throws {
        let d = PixelDescription(rows: 1, columns: 2, samplesPerPixel: 3, bitsAllocated: 16, bitsStored: 12, photometricInterpretation: "RGB")
        let ds = secondaryCapture(d, pixelData: DataElement(tag: .pixelData, vr: .OW, bytes: SyntheticImage.words([4095, 0, 2048, 0, 4095, 1])))
        XCTAssertEqual(try ImageRenderer.render(ds).pixels, [255, 0, 128, 0, 255, 0])
    }

    func testYBRFullIsConvertedByBT601() throws {
        // Y 76, Cb 85, Cr 255 is red; Y 128, Cb 128, Cr 128 grey (PS3.3 C.7.6.3.1.2).
        let ybr: [UInt8] = [76, 85, 255, 128, 128, 128]
        let out = try ImageRenderer.render(SyntheticImage.colour(rows: 1, columns: 2, photometric: "YBR_FULL", samples: ybr)).pixels
        XCTAssertEqual(Array(out[3...]), [128, 128, 128])
        XCTAssertGreaterThanOrEqual(out[0], 253)
        XCTAssertLessThanOrEqual(max(out[1], out[2]), 2)
    }

    func testNativeYBRFull422SharesChromaBetweenPairs() throws {
        // One row of 3 pixels: (Y0 Y1 Cb Cr) (Y2 pad Cb Cr), native 4:2:2 (PS3.3 C.7.6.3.1.2).
        let d = PixelDescription(rows: 1, columns: 3, samplesPerPixel: 3, bitsAllocated: 8, bitsStored: 8, photometricInterpretation: "YBR_FULL_422")
        let ds = secondaryCapture(d, pixelData: DataElement(tag: .pixelData, vr: .OB, bytes: [50, 200, 128, 128, 90, 0, 128, 128]))
        XCTAssertEqual(try ImageRenderer.render(ds).pixels, [50, 50, 50, 200, 200, 200, 90, 90, 90])
    }

    func palette(bits: Int, red: [Int], green: [Int], blue: [Int], first: Int = 0) -> DataSet {
        let d = PixelDescription(rows: 1, columns: 4, bitsAllocated: 8, bitsStored: 8, photometricInterpretation: "PALETTE COLOR")
        var ds = secondaryCapture(d, pixelData: DataElement(tag: .pixelData, vr: .OB, bytes: [0, 1, 2, 3]))
        for (desc, data, entries) in [
            (Tag.redPaletteColorLookupTableDescriptor, Tag.redPaletteColorLookupTableData, red),
            (.greenPaletteColorLookupTableDescriptor, .greenPaletteColorLookupTableData, green),
            (.bluePaletteColorLookupTableDescriptor, .bluePaletteColorLookupTableData, blue),
        ] {
            ds.set(DataElement(tag: desc, vr: .US, bytes: SyntheticImage.words([entries.count, first, bits])))
            ds.set(DataElement(tag: data, vr: .OW, bytes: bits == 8 && entries.count % 2 == 0 ? entries.map(UInt8.init) : SyntheticImage.words(entries)))
        }
        return ds
    }

    func testPaletteWithEightAndSixteenBitEntries() throws {
        let eight = palette(bits: 8, red: [255, 0, 0, 10], green: [0, 255, 0, 20], blue: [0, 0, 255, 30])
        XCTAssertEqual(try ImageRenderer.render(eight).pixels, [255, 0, 0, 0, 255, 0, 0, 0, 255, 10, 20, 30])
        let sixteen = palette(bits: 16, red: [65535, 0, 0, 32896], green: [0, 65535, 0, 0], blue: [0, 0, 65535, 0], first: 1)
        // Index 0 is below the first mapped value 1: the first entry (PS3.3 C.7.6.3.1.5).
        XCTAssertEqual(try ImageRenderer.render(sixteen).pixels, [255, 0, 0, 255, 0, 0, 0, 255, 0, 0, 0, 255])
    }

    func testSegmentedPalette() throws {
        var ds = palette(bits: 16, red: [0, 0, 0, 0], green: [0, 0, 0, 0], blue: [0, 0, 0, 0])
        // Red: discrete 0, then linear to 65535 over 3 entries; indices 0...3 → 0, 21845, 43690, 65535.
        _ = ds.remove(.redPaletteColorLookupTableData)
        ds.set(DataElement(tag: .segmentedRedPaletteColorLookupTableData, vr: .OW, bytes: SyntheticImage.words([0, 1, 0, 1, 3, 65535])))
        XCTAssertEqual(try ImageRenderer.render(ds).pixels.enumerated().filter { $0.offset % 3 == 0 }.map(\.element), [0, 85, 170, 255])
        ds.set(DataElement(tag: .segmentedRedPaletteColorLookupTableData, vr: .OW, bytes: SyntheticImage.words([0, 1, 0, 2, 1, 0, 0])))
        XCTAssertThrowsError(try ImageRenderer.render(ds)) { XCTAssertEqual(pixelCode($0), .invalidLUT, "indirect segment: \($0)") }
    }

    func testMissingPaletteAndUnsupportedPhotometricAreRefused() {
        var ds = palette(bits: 8, red: [1, 2], green: [1, 2], blue: [1, 2])
        _ = ds.remove(.greenPaletteColorLookupTableDescriptor)
        XCTAssertThrowsError(try ImageRenderer.render(ds)) { XCTAssertEqual(pixelCode($0), .paletteMissing, "\($0)") }
        for photometric in ["YBR_ICT", "YBR_PARTIAL_420", "HSV"] {
            let other = SyntheticImage.colour(rows: 1, columns: 2, photometric: photometric, samples: [1, 2, 3, 4, 5, 6])
            XCTAssertThrowsError(try ImageRenderer.render(other)) { XCTAssertEqual(pixelCode($0), .cannotRender, "\(photometric): \($0)") }
        }
        let encapsulated = secondaryCapture(
            PixelDescription(rows: 1, columns: 1, bitsAllocated: 8, bitsStored: 8),
            pixelData: DataElement(tag: .pixelData, vr: .OB, value: .fragments(PixelFragments(fragments: [[1, 2]]))))
        XCTAssertThrowsError(try ImageRenderer.render(encapsulated)) { XCTAssertEqual(pixelCode($0), .cannotRender, "\($0)") }
    }
}
