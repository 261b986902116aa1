import DICOMCodecs
import DICOMCore
import DICOMIO
import DICOMPixel
import Foundation
import TestSupport
import XCTest

/// DCMTK's dcmj2pnm as the oracle of renderings: its 8-bit PGM/PPM output, read back, and the comparisons.
enum RenderingPeer {
    /// dcmj2pnm's rendering of `path` with `args` (VOI, frame, scaling), read back from its raw PNM output.
    static func dcmtk(_ path: String, _ args: [String]) throws -> PNM {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("render-peer-\(getpid())-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let out = dir.appendingPathComponent("out.pnm").path
        let r = try runProcess("dcmj2pnm", ["+op"] + args + [path, out])
        guard r.status == 0 else { throw TestFailure("dcmj2pnm \(args) \(path): \(r.output)") }
        return try PNM(path: out)
    }

    /// The file's data set with Pixel Data decoded to native samples.
    static func native(_ path: String) throws -> DataSet {
        let f = try Part10Reader.read(path: path)
        guard f.transferSyntax.isEncapsulated else { return f.dataSet }
        return try PixelTranscoder().transcode(dataSet: f.dataSet, fileMeta: f.fileMeta, from: f.transferSyntax, to: .explicitVRLittleEndian).dataSet
    }

    /// Writes `ds` as a Part 10 file in a fresh temporary folder (removed by the caller's `defer`); returns its path.
    static func write(_ ds: DataSet) throws -> (path: String, folder: URL) {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("render-synth-\(getpid())-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let path = dir.appendingPathComponent("image.dcm").path
        try Part10Writer.write(Part10Writer.encode(dataSet: ds, options: WriteOptions(transferSyntax: .explicitVRLittleEndian)), to: path)
        return (path, dir)
    }

    /// Renders `ds` (read from `path`) ourselves and with dcmj2pnm `args`; every level within `tolerance` of DCMTK's.
    static func compare(
        path: String, _ ds: DataSet, _ options: RenderOptions, dcmtk args: [String], tolerance: Int = 2,
        file: StaticString = #filePath, line: UInt = #line
    ) throws {
        let peer = try dcmtk(path, args)
        let ours = try ImageRenderer.render(ds, options: options)
        let name = (path as NSString).lastPathComponent
        XCTAssertEqual([ours.width, ours.height, ours.channels], [peer.width, peer.height, peer.channels], name, file: file, line: line)
        guard ours.pixels.count == peer.pixels.count else {
            return XCTFail("\(name): \(ours.pixels.count) levels, DCMTK \(peer.pixels.count)", file: file, line: line)
        }
        let diffs = zip(ours.pixels, peer.pixels).map { abs(Int($0) - Int($1)) }
        XCTAssertLessThanOrEqual(
            diffs.max() ?? 0, tolerance, "\(name) \(args): \(diffs.filter { $0 > tolerance }.count) levels differ by more than \(tolerance)",
            file: file, line: line)
        XCTAssertGreaterThan(Set(ours.pixels).count, 1, "\(name): a flat rendering proves nothing", file: file, line: line)
    }
}

/// Synthetic images for the renderer's unit tests.
enum SyntheticImage {
    /// A one-frame greyscale image whose stored values are `values` (row by row), placed at `highBit` with `noise`
    /// in the bits above it, as Pixel Data of `bitsAllocated` bits.
    static func mono(
        rows: Int, columns: Int, bitsAllocated: Int = 16, bitsStored: Int = 16, highBit: Int? = nil, signed: Bool = false,
        photometric: String = "MONOCHROME2", values: [Int], noise: UInt32 = 0
    ) -> DataSet {
        let hb = highBit ?? bitsStored - 1
        let d = PixelDescription(
            rows: rows, columns: columns, bitsAllocated: bitsAllocated, bitsStored: bitsStored, highBit: hb,
            pixelRepresentation: signed ? 1 : 0, photometricInterpretation: photometric)
        let shift = hb + 1 - bitsStored, mask = UInt32((UInt64(1) << UInt64(bitsStored)) - 1)
        var bytes: [UInt8] = []
        for v in values {
            // Swift's << gives 0 when shifting by the width or more: no noise above a 32-bit high bit.
            let word = (UInt32(truncatingIfNeeded: v) & mask) << UInt32(shift) | noise << UInt32(hb + 1)
            for b in 0..<(bitsAllocated / 8) { bytes.append(UInt8(truncatingIfNeeded: word >> UInt32(8 * b))) }
        }
        if bytes.count % 2 == 1 { bytes.append(0) }
        var ds = secondaryCapture(d, pixelData: DataElement(tag: .pixelData, vr: bitsAllocated > 8 ? .OW : .OB, bytes: bytes))
        if signed { ds.setUInt16(.pixelRepresentation, [1]) }
        return ds
    }

    /// A colour image of 8-bit samples given colour-by-pixel, stored with `planar` configuration and `photometric`.
    static func colour(rows: Int, columns: Int, photometric: String = "RGB", planar: Int = 0, samples: [UInt8]) -> DataSet {
        let d = PixelDescription(
            rows: rows, columns: columns, samplesPerPixel: 3, bitsAllocated: 8, bitsStored: 8, planarConfiguration: planar,
            photometricInterpretation: photometric)
        var bytes = planar == 1 ? NativePixels.deinterleave(samples, samples: 3, bytesPerSample: 1) : samples
        if bytes.count % 2 == 1 { bytes.append(0) }
        return secondaryCapture(d, pixelData: DataElement(tag: .pixelData, vr: .OB, bytes: bytes))
    }

    /// 16-bit little-endian words, the value of OW LUT Data and of US LUT Descriptors.
    static func words(_ values: [Int]) -> [UInt8] { values.flatMap { [UInt8(truncatingIfNeeded: $0), UInt8(truncatingIfNeeded: $0 >> 8)] } }

    /// An item with a LUT Descriptor (US) and LUT Data (OW) (PS3.3 C.11.1.1.1).
    static func lutItem(first: Int, bits: Int, entries: [Int]) -> DataSet {
        var item = DataSet()
        item.set(DataElement(tag: .lutDescriptor, vr: .US, bytes: words([entries.count == 65536 ? 0 : entries.count, first, bits])))
        item.set(DataElement(tag: .lutData, vr: .OW, bytes: words(entries)))
        return item
    }
}
