import DICOMCodecs
import DICOMCore
import DICOMIO
import DICOMPixel
import Foundation
import TestSupport
import XCTest

/// Our renderings of corpus images at full size against DCMTK's dcmj2pnm rendering of the same frame with the
/// same VOI (8-bit PGM/PPM): every level within 2 of DCMTK's; scaled ones by PSNR. Skipped without the corpus and DCMTK.
final class RenderingPeerTests: XCTestCase {
    /// Renders `relative` ourselves and with dcmj2pnm and compares level by level.
    func compare(_ relative: String, _ options: RenderOptions, dcmtk args: [String], file: StaticString = #filePath, line: UInt = #line) throws {
        let path = try Corpus.path(relative)
        try RenderingPeer.compare(path: path, try RenderingPeer.native(path), options, dcmtk: args, file: file, line: line)
    }

    func testSignedCTWithAGivenWindow() throws {
        try compare(
            "cornerstone3D/testImages/CTImage.dcm", RenderOptions(voi: .window(center: 40, width: 400, function: .linear)), dcmtk: ["+Ww", "40", "400"])
    }

    func testStoredFirstWindow() throws {
        try compare("cornerstone3D/testImages/CTImage.dcm", RenderOptions(), dcmtk: ["+Wi", "1"])
        try compare("pydicom-3.0.2/test_files/MR_small.dcm", RenderOptions(), dcmtk: ["+Wi", "1"])
    }

    func testMinMaxWindowOfSignedAndBigEndianImages() throws {
        for f in ["pydicom-3.0.2/test_files/CT_small.dcm", "pydicom-3.0.2/test_files/MR_small_bigendian.dcm", "pydicom-3.0.2/test_files/MR_small_RLE.dcm"] {
            try compare(f, RenderOptions(voi: .computed(.minMax)), dcmtk: ["+Wm"])
        }
    }

    func testMonochrome1IsInverted() throws {
        try compare("pydicom-3.0.2/dicomdirtests/77654033/CR1/6154", RenderOptions(voi: .computed(.minMax)), dcmtk: ["+Wm"])
    }

    func testMultiFrameByFrameNumber() throws {
        try compare("pydicom-data-1.0.0/data/emri_small.dcm", RenderOptions(frame: 5, voi: .computed(.minMax)), dcmtk: ["+F", "5", "+Wm"])
        try compare("pydicom-data-1.0.0/data/emri_small_RLE.dcm", RenderOptions(frame: 10, voi: .computed(.minMax)), dcmtk: ["+F", "10", "+Wm"])
    }

    func testOneBitImage() throws {
        try compare("pydicom-3.0.2/test_files/liver_1frame.dcm", RenderOptions(voi: .computed(.minMax)), dcmtk: ["+Wm"])
    }

    func testTrueColour() throws {
        for f in [
            "pydicom-data-1.0.0/data/US1_UNCR.dcm", "pydicom-data-1.0.0/data/SC_rgb.dcm", "pydicom-data-1.0.0/data/SC_rgb_16bit.dcm",
            "pydicom-3.0.2/test_files/SC_rgb_rle_2frame.dcm", "pydicom-3.0.2/test_files/ExplVR_BigEnd.dcm",
        ] {
            try compare(f, RenderOptions(frame: 1), dcmtk: [])
        }
    }

    func testYBRFullAndNative422() throws {
        try compare("pydicom-data-1.0.0/data/SC_ybr_full_uncompressed.dcm", RenderOptions(), dcmtk: [])
        try compare("pydicom-3.0.2/test_files/SC_ybr_full_422_uncompressed.dcm", RenderOptions(), dcmtk: [])
    }

    func testPaletteColour() throws {
        try compare("pydicom-data-1.0.0/data/OBXXXX1A_rle.dcm", RenderOptions(), dcmtk: [])
    }

    func testScaledColourStaysColourAndMatchesDCMTKsByPSNR() throws {
        for relative in ["pydicom-data-1.0.0/data/US1_UNCR.dcm", "pydicom-data-1.0.0/data/OBXXXX1A_rle.dcm", "pydicom-3.0.2/test_files/examples_ybr_color.dcm"]
        {
            let path = try Corpus.path(relative)
            let ours = try ImageRenderer.render(RenderingPeer.native(path), options: RenderOptions(maxSize: 160))
            XCTAssertEqual(max(ours.width, ours.height), 160, relative)
            let px = ours.pixels
            let differing = stride(from: 0, to: px.count, by: 3).filter { (i: Int) -> Bool in px[i] != px[i + 1] || px[i] != px[i + 2] }
            XCTAssertGreaterThan(differing.count, ours.pixels.count / 300, "\(relative): a colour rendering has pixels whose channels differ")
            let frame = ImageRenderer.representativeFrame(try RenderingPeer.native(path)) + 1
            let peer = try RenderingPeer.dcmtk(path, ["+F", "\(frame)", ours.width >= ours.height ? "+Sxv" : "+Syv", "160"])
            XCTAssertEqual([ours.width, ours.height], [peer.width, peer.height], relative)
            XCTAssertGreaterThanOrEqual(PNM.psnr(ours.pixels, peer.pixels), 30, relative)
        }
    }

    func testScaledRenderingMatchesDCMTKsByPSNR() throws {
        let path = try Corpus.path("cornerstone3D/testImages/CTImage.dcm")
        let ours = try ImageRenderer.render(RenderingPeer.native(path), options: RenderOptions(maxSize: 128))
        let peer = try RenderingPeer.dcmtk(path, ["+Wi", "1", "+Sxv", "128"])
        XCTAssertEqual([ours.width, ours.height], [peer.width, peer.height])
        XCTAssertGreaterThanOrEqual(PNM.psnr(ours.pixels, peer.pixels), 30)
    }
}

/// Rendering from encapsulated Pixel Data, decoding only the frame shown, gives what rendering the fully decoded data set gives.
final class RenderingEncapsulatedTests: XCTestCase {
    func testOneFrameDecodedRendersAsTheWholeDecodedImage() throws {
        for relative in [
            "pydicom-3.0.2/test_files/examples_ybr_color.dcm", "pydicom-data-1.0.0/data/emri_small_jpeg_2k_lossless.dcm",
            "pydicom-data-1.0.0/data/OBXXXX1A_rle_2frame.dcm", "pydicom-3.0.2/test_files/SC_rgb_rle_2frame.dcm",
            "pydicom-3.0.2/test_files/MR_small_jpeg_ls_lossless.dcm",
        ] {
            let path = try Corpus.path(relative)
            let f = try Part10Reader.read(path: path)
            XCTAssertNotNil(f.dataSet[.pixelData]?.fragments, relative)
            for frame in [nil, 1] as [Int?] {
                let options = RenderOptions(maxSize: 100, frame: frame)
                let direct = try ImageRenderer.render(f.dataSet, syntax: f.transferSyntax, codecs: .standard, options: options)
                XCTAssertEqual(direct, try ImageRenderer.render(RenderingPeer.native(path), options: options), relative)
            }
        }
    }

    func testNativeDataSetsAndRefusals() throws {
        let d = PixelDescription(rows: 1, columns: 2, bitsAllocated: 8, bitsStored: 8)
        let native = secondaryCapture(d, pixelData: DataElement(tag: .pixelData, vr: .OB, bytes: [0, 255]))
        XCTAssertEqual(try ImageRenderer.render(native, syntax: .explicitVRLittleEndian, codecs: .standard).pixels, [0, 255])
        let garbage = secondaryCapture(d, pixelData: DataElement(tag: .pixelData, vr: .OB, value: .fragments(PixelFragments(fragments: [[1, 2, 3, 4]]))))
        XCTAssertThrowsError(try ImageRenderer.render(garbage, syntax: .jpegBaseline, codecs: .standard)) {
            XCTAssertEqual(pixelCode($0), .frameFailed, "\($0)")
        }
        XCTAssertThrowsError(try ImageRenderer.render(garbage, syntax: .jpegBaseline, codecs: CodecRegistry([]))) {
            XCTAssertEqual(pixelCode($0), .noCodec, "\($0)")
        }
        XCTAssertThrowsError(try ImageRenderer.render(garbage, syntax: .jpegBaseline, codecs: .standard, options: RenderOptions(frame: 2))) {
            XCTAssertEqual(pixelCode($0), .noSuchFrame, "\($0)")
        }
    }
}
