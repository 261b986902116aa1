import DICOMCore
import DICOMPixel
import XCTest

final class NativePixelsTests: XCTestCase {
    func testNormaliseSignExtendsFromBitsStored() {
        // 12-bit signed: 0x0FFF is -1, 0x0800 is -2048, 0x07FF stays; garbage above bit 11 is dropped.
        var b: [UInt8] = [0xFF, 0x0F, 0x00, 0x08, 0xFF, 0xF7]
        NativePixels.normalise(&b, PixelDescription(rows: 1, columns: 3, bitsAllocated: 16, bitsStored: 12, pixelRepresentation: 1))
        XCTAssertEqual(b, [0xFF, 0xFF, 0x00, 0xF8, 0xFF, 0x07])
        var u: [UInt8] = [0xFF, 0xFF]
        NativePixels.normalise(&u, PixelDescription(rows: 1, columns: 1, bitsAllocated: 16, bitsStored: 12))
        XCTAssertEqual(u, [0xFF, 0x0F])
        var s8: [UInt8] = [0x0F, 0x08]
        NativePixels.normalise(&s8, PixelDescription(rows: 1, columns: 2, bitsAllocated: 8, bitsStored: 4, pixelRepresentation: 1))
        XCTAssertEqual(s8, [0xFF, 0xF8])
    }

    func testInterleaveRoundTrip() {
        let planar: [UInt8] = [1, 2, 3, 4, 5, 6]  // R R, G G, B B (2 pixels, 8-bit)
        let px = NativePixels.interleave(planar, samples: 3, bytesPerSample: 1)
        XCTAssertEqual(px, [1, 3, 5, 2, 4, 6])
        XCTAssertEqual(NativePixels.deinterleave(px, samples: 3, bytesPerSample: 1), planar)
        let p16: [UInt8] = [1, 0, 2, 0, 3, 0, 4, 0, 5, 0, 6, 0]
        XCTAssertEqual(NativePixels.deinterleave(NativePixels.interleave(p16, samples: 3, bytesPerSample: 2), samples: 3, bytesPerSample: 2), p16)
    }

    func testYBR422ExpansionSharesChroma() throws {
        // 3 columns: pairs (Y0 Y1 Cb Cr) and a last half pair.
        let b: [UInt8] = [10, 11, 100, 200, 12, 0, 101, 201]
        let out = try NativePixels.expandYBR422(b, rows: 1, columns: 3)
        XCTAssertEqual(out, [10, 100, 200, 11, 100, 200, 12, 101, 201])
        XCTAssertThrowsError(try NativePixels.expandYBR422([1, 2, 3], rows: 1, columns: 3))
    }

    func testYBRFullToRGBGrey() {
        XCTAssertEqual(NativePixels.ybrFullToRGB([128, 128, 128, 0, 128, 128]), [128, 128, 128, 0, 0, 0])
    }

    func testPaletteExpansion() throws {
        var ds = DataSet()
        let luts: [(Tag, Tag)] = [
            (.redPaletteColorLookupTableDescriptor, .redPaletteColorLookupTableData),
            (.greenPaletteColorLookupTableDescriptor, .greenPaletteColorLookupTableData),
            (.bluePaletteColorLookupTableDescriptor, .bluePaletteColorLookupTableData),
        ]
        for (i, e) in luts.enumerated() {
            ds.set(DataElement(tag: e.0, vr: .US, bytes: [2, 0, 0, 0, 16, 0]))
            // Two 16-bit entries: channel i is bright for index 1.
            ds.set(DataElement(tag: e.1, vr: .OW, bytes: [0, 0, 0, UInt8(0x40 * (i + 1))]))
        }
        let d = PixelDescription(rows: 1, columns: 2, bitsAllocated: 8, bitsStored: 8, photometricInterpretation: "PALETTE COLOR")
        XCTAssertEqual(try NativePixels.expandPalette([0, 1], d, dataSet: ds), [0, 0, 0, 0x40, 0x80, 0xC0])
        XCTAssertThrowsError(try NativePixels.expandPalette([0, 1], d, dataSet: DataSet())) { e in
            XCTAssertEqual(pixelCode(e), .paletteMissing, "\(e)")
        }
    }

    func testDescriptionFromDataSet() {
        var ds = DataSet()
        ds.setUInt16(.rows, [4]); ds.setUInt16(.columns, [5]); ds.setUInt16(.bitsAllocated, [16]); ds.setUInt16(.bitsStored, [12])
        ds.setUInt16(.samplesPerPixel, [1]); ds.setString(.photometricInterpretation, .CS, "MONOCHROME1"); ds.setString(.numberOfFrames, .IS, "3")
        let d = NativePixels.description(of: ds)!
        XCTAssertEqual(d.frameLength, 40)
        XCTAssertEqual(d.numberOfFrames, 3)
        XCTAssertEqual(d.highBit, 11)
        XCTAssertEqual(d.photometricInterpretation, "MONOCHROME1")
    }
}
