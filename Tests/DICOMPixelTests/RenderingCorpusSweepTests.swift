import DICOMCodecs
import DICOMCore
import DICOMIO
import DICOMPixel
import Foundation
import TestSupport
import XCTest

/// Every image of the corpus that both we and DCMTK render (JPEG 2000 and JPEG-LS ones through GDCM's decompressed
/// copy): at most 256 pixels a side, the representative frame, the VOI our default picks (DCMTK told the same: the first
/// window, the first VOI LUT, the full range or min-max), compared by PSNR (at least 30 dB, the check of issue 14);
/// colour renderings must be colour. Files one side does not render are listed.
final class RenderingCorpusSweepTests: XCTestCase {
    /// The dcmj2pnm VOI options that match `RenderOptions()` for `ds` (PS3.4 N.2.1.1).
    func dcmtkVOI(_ ds: DataSet) -> [String] {
        guard ds.string(.photometricInterpretation)?.hasPrefix("MONOCHROME") ?? false else { return [] }
        if let w = ds.doubles(.windowWidth)?.first, w >= 1, ds.doubles(.windowCenter) != nil { return ["+Wi", "1"] }
        if ds[.voilutSequence] != nil { return ["+Wl", "1"] }
        let identity = (ds.doubles(.rescaleSlope)?.first ?? 1) == 1 && (ds.doubles(.rescaleIntercept)?.first ?? 0) == 0 && ds[.modalityLUTSequence] == nil
        return (ds.integer(.bitsStored) ?? 16) <= 8 && identity ? ["-W"] : ["+Wm"]
    }

    /// Files DCMTK renders wrongly: 3.6.7 swaps 32-bit big-endian samples as 16-bit words (pydicom reads the file as its
    /// little-endian twin rtdose.dcm, and so do we: see `testBigEndian32BitRendersAsItsLittleEndianTwin`).
    let dcmtkWrong: Set<String> = ["pydicom-3.0.2/test_files/rtdose_expb.dcm"]

    func testBigEndian32BitRendersAsItsLittleEndianTwin() throws {
        let little = try ImageRenderer.render(RenderingPeer.native(try Corpus.path("pydicom-3.0.2/test_files/rtdose.dcm")))
        XCTAssertEqual(try ImageRenderer.render(RenderingPeer.native(try Corpus.path("pydicom-3.0.2/test_files/rtdose_expb.dcm"))), little)
    }

    /// `body` run on GDCM's decompressed copy of `path` (gdcmconv --raw: JPEG 2000 and JPEG-LS, which dcmj2pnm does not decode).
    func decompressedByGDCM<T>(_ path: String, _ body: (String) throws -> T?) throws -> T? {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("render-gdcm-\(getpid())-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let raw = dir.appendingPathComponent("raw.dcm").path
        guard try runProcess("gdcmconv", ["--raw", path, raw]).status == 0 else { return nil }
        return try body(raw)
    }

    func testCorpusImagesMatchDCMTK() throws {
        let entries = try Corpus.manifest().filter { e in ["MONOCHROME", "RGB", "YBR", "PALETTE"].contains { e.content.contains($0) } }
        var compared = 0, skipped: [String] = []
        for entry in entries where !dcmtkWrong.contains(entry.path) {
            let path = try Corpus.path(entry.path)
            guard let file = try? Part10Reader.read(path: path), file.dataSet[.sharedFunctionalGroupsSequence] == nil,
                file.dataSet[.perFrameFunctionalGroupsSequence] == nil
            else {
                skipped.append(entry.path)  // enhanced images: DCMTK's dcmj2pnm does not read functional groups
                continue
            }
            let ours: RenderedImage
            do { ours = try ImageRenderer.render(file.dataSet, syntax: file.transferSyntax, codecs: .standard, options: RenderOptions(maxSize: 256)) } catch {
                skipped.append("\(entry.path): \(error)")
                continue
            }
            let frame = ImageRenderer.representativeFrame(file.dataSet) + 1
            // DCMTK keeps the pixel aspect only when it scales: it is told the size we chose whenever ours is not the stored one.
            let stored = [file.dataSet.integer(.columns) ?? 0, file.dataSet.integer(.rows) ?? 0]
            let scale = [ours.width, ours.height] == stored ? [] : ours.width >= ours.height ? ["+Sxv", "\(ours.width)"] : ["+Syv", "\(ours.height)"]
            let args = ["+F", "\(frame)"] + dcmtkVOI(file.dataSet) + scale
            guard let peer = try (try? RenderingPeer.dcmtk(path, args)) ?? decompressedByGDCM(path, { try? RenderingPeer.dcmtk($0, args) }) else {
                skipped.append("\(entry.path): neither DCMTK nor GDCM then DCMTK renders it")
                continue
            }
            XCTAssertEqual([ours.width, ours.height, ours.channels], [peer.width, peer.height, peer.channels], entry.path)
            guard ours.pixels.count == peer.pixels.count else { continue }
            compared += 1
            XCTAssertGreaterThanOrEqual(PNM.psnr(ours.pixels, peer.pixels), 30, entry.path)
            if ours.isColour {
                let px = ours.pixels
                let coloured = stride(from: 0, to: px.count, by: 3).contains { (i: Int) -> Bool in px[i] != px[i + 1] || px[i] != px[i + 2] }
                XCTAssertTrue(coloured, "\(entry.path): a colour image rendered grey")
            }
        }
        print("rendering sweep: \(compared) compared with DCMTK; not compared:\n  " + skipped.joined(separator: "\n  "))
        XCTAssertGreaterThan(compared, 140, "the sweep compared too few images to mean anything")
    }
}
