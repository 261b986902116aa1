import DICOMCore
import DICOMPixel
import Foundation
import TestSupport
import XCTest

/// Synthetic images written as Part 10 files and rendered by us and by DCMTK's dcmj2pnm, each exercising one step of the
/// grayscale pipeline (PS3.4 N.2.1): bits above the high bit, the Modality LUT Sequence, the VOI LUT Sequence, SIGMOID,
/// rescale of signed values, the Presentation LUT Shape, non-square pixels. Skipped without the corpus (the full run) and DCMTK.
final class RenderingLUTPeerTests: XCTestCase {
    let rows = 48, columns = 64

    /// A 12-bit pattern covering the range, ramps and steps.
    var pattern: [Int] { (0..<(rows * columns)).map { i in (i % columns * 67 + i / columns * 131 + (i % 7) * 300) % 4096 } }

    func check(_ ds: DataSet, _ options: RenderOptions, dcmtk args: [String], file: StaticString = #filePath, line: UInt = #line) throws {
        try Corpus.require()
        let (path, folder) = try RenderingPeer.write(ds)
        defer { try? FileManager.default.removeItem(at: folder) }
        try RenderingPeer.compare(path: path, ds, options, dcmtk: args, file: file, line: line)
    }

    func testBitsAboveTheHighBitAreIgnored() throws {
        let ds = SyntheticImage.mono(rows: rows, columns: columns, bitsStored: 12, highBit: 11, values: pattern, noise: 0xA)
        try check(ds, RenderOptions(voi: .computed(.minMax)), dcmtk: ["+Wm"])
        let shifted = SyntheticImage.mono(rows: rows, columns: columns, bitsStored: 12, highBit: 13, values: pattern, noise: 0x3)
        try check(shifted, RenderOptions(voi: .window(center: 1500, width: 2000, function: .linear)), dcmtk: ["+Ww", "1500", "2000"])
    }

    func testModalityLUTSequence() throws {
        var ds = SyntheticImage.mono(rows: rows, columns: columns, bitsStored: 12, values: pattern)
        let curve = (0..<4096).map { Int(65535 * pow(Double($0) / 4095, 0.5)) }
        ds.setSequence(.modalityLUTSequence, [SyntheticImage.lutItem(first: 0, bits: 16, entries: curve)])
        try check(ds, RenderOptions(voi: .window(center: 30000, width: 40000, function: .linear)), dcmtk: ["+Ww", "30000", "40000"])
    }

    func testVOILUTSequence() throws {
        var ds = SyntheticImage.mono(rows: rows, columns: columns, bitsStored: 12, values: pattern)
        let entries = (0..<3000).map { Int(4095 * (1 - cos(Double($0) / 2999 * .pi)) / 2) }
        ds.setSequence(.voilutSequence, [SyntheticImage.lutItem(first: 500, bits: 12, entries: entries)])
        try check(ds, RenderOptions(), dcmtk: ["+Wl", "1"])
    }

    func testSigmoidAndLinearWindows() throws {
        let ds = SyntheticImage.mono(rows: rows, columns: columns, bitsStored: 12, values: pattern)
        try check(ds, RenderOptions(voi: .window(center: 2000, width: 1200, function: .sigmoid)), dcmtk: ["+Ww", "2000", "1200", "+Wfs"])
        try check(ds, RenderOptions(voi: .window(center: 2000, width: 1200, function: .linear)), dcmtk: ["+Ww", "2000", "1200", "+Wfl"])
    }

    func testSignedValuesThroughARescale() throws {
        var ds = SyntheticImage.mono(rows: rows, columns: columns, signed: true, values: pattern.map { $0 * 8 - 16000 })
        ds.setString(.rescaleSlope, .DS, "0.5")
        ds.setString(.rescaleIntercept, .DS, "-100")
        try check(ds, RenderOptions(voi: .window(center: -500, width: 6000, function: .linear)), dcmtk: ["+Ww", "-500", "6000"])
    }

    func testPresentationLUTShapeInverse() throws {
        var ds = SyntheticImage.mono(rows: rows, columns: columns, bitsStored: 12, values: pattern)
        ds.setString(.presentationLUTShape, .CS, "INVERSE")
        try check(ds, RenderOptions(voi: .computed(.minMax)), dcmtk: ["+Wm"])
    }

    func testNonSquarePixelsKeepTheirAspect() throws {
        try Corpus.require()
        var ds = SyntheticImage.mono(rows: rows, columns: columns, bitsStored: 12, values: pattern)
        ds.setString(.pixelSpacing, .DS, ["1.0", "0.5"])  // rows 1 mm apart, columns 0.5 mm: each pixel twice as tall as wide
        let (path, folder) = try RenderingPeer.write(ds)
        defer { try? FileManager.default.removeItem(at: folder) }
        let ours = try ImageRenderer.render(ds, options: RenderOptions(voi: .computed(.minMax)))
        XCTAssertEqual([ours.width, ours.height], [columns, rows * 2])
        let peer = try RenderingPeer.dcmtk(path, ["+Wm", "+Sxv", "\(columns)"])
        XCTAssertEqual([peer.width, peer.height], [ours.width, ours.height])
        XCTAssertGreaterThanOrEqual(PNM.psnr(ours.pixels, peer.pixels), 30)
    }
}
