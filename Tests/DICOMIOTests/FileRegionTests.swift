import DICOMCore
@testable import DICOMIO
import Foundation
import TestSupport
import XCTest

#if canImport(Glibc)
import Glibc
#endif

/// A file read in place from a region of a larger file (an image's extent): the same header and the
/// same completeness verdict as the file on its own, and nothing read past the region's end.
final class FileRegionTests: XCTestCase {
    /// A 4x4 16-bit image of `frames` frames, `pixelBytes` of native Pixel Data (or two fragments).
    func file(_ syntax: TransferSyntax = .explicitVRLittleEndian, pixelBytes: Int = 64, encapsulated: Bool = false) throws -> [UInt8] {
        var ds = DataSet()
        ds.setString(.sopClassUID, .UI, "1.2.840.10008.5.1.4.1.1.7")
        ds.setString(.sopInstanceUID, .UI, "1.2.3.4.5")
        ds.setString(.photometricInterpretation, .CS, "MONOCHROME2")
        ds.setString(.numberOfFrames, .IS, "2")
        for (tag, v) in [
            (Tag.samplesPerPixel, 1), (.rows, 4), (.columns, 4), (.bitsAllocated, 16), (.bitsStored, 16), (.highBit, 15), (.pixelRepresentation, 0),
        ] {
            ds.setUInt16(tag, [UInt16(v)])
        }
        if encapsulated {
            ds.set(DataElement(tag: .pixelData, vr: .OB, value: .fragments(PixelFragments(fragments: [[1, 2, 3, 4], [5, 6, 7, 8]]))))
            return try Part10Writer.encode(dataSet: ds, options: WriteOptions(transferSyntax: TransferSyntax(uid: "1.2.840.10008.1.2.5")))
        }
        ds.set(DataElement(tag: .pixelData, vr: .OW, bytes: [UInt8](repeating: 7, count: pixelBytes)))
        return try Part10Writer.encode(dataSet: ds, options: WriteOptions(transferSyntax: syntax))
    }

    /// The verdict of the check on the bytes alone.
    func alone(_ bytes: [UInt8]) -> DICOMParseError.Code? {
        do {
            _ = try Part10Reader.read(bytes: bytes, options: .headerOnly)
            try Completeness.check(bytes: bytes, path: "alone")
            return nil
        } catch let e as DICOMParseError { return e.code } catch { return .io }
    }

    /// `files` laid one after the other in one file, with junk around them; their regions.
    func container(_ files: [[UInt8]]) throws -> (fd: Int32, regions: [FileRegion], path: String) {
        let path = try tempDir().appendingPathComponent("image.bin").path
        var all = [UInt8](repeating: 0xAB, count: 2048)
        var regions: [FileRegion] = []
        for f in files {
            regions.append(FileRegion(fd: -1, offset: Int64(all.count), size: f.count))
            // The next file's bytes (or junk) follow at once: a read past the region would see them.
            all += f + [UInt8](repeating: 0xCD, count: 100)
        }
        try Data(all).write(to: URL(fileURLWithPath: path))
        let fd = open(path, O_RDONLY)
        XCTAssertGreaterThanOrEqual(fd, 0)
        return (fd, regions.map { FileRegion(fd: fd, offset: $0.offset, size: $0.size) }, path)
    }

    func verdict(_ r: FileRegion) -> (DICOMFile?, DICOMParseError.Code?) {
        do {
            let (file, problem) = try Completeness.read(region: r, path: "in-image", options: .headerOnly)
            return (file, problem.map { ($0 as? DICOMParseError)?.code ?? .io })
        } catch let e as DICOMParseError { return (nil, e.code) } catch { return (nil, .io) }
    }

    func testRegionReadsLikeTheFile() throws {
        var files: [[UInt8]] = []
        for ts in [TransferSyntax.explicitVRLittleEndian, .implicitVRLittleEndian, .deflatedExplicitVRLittleEndian] { files.append(try file(ts)) }
        files.append(try file(encapsulated: true))
        let (fd, regions, _) = try container(files)
        defer { close(fd) }
        for (bytes, r) in zip(files, regions) {
            let (read, code) = verdict(r)
            XCTAssertNil(code)
            let own = try Part10Reader.read(bytes: bytes, options: .headerOnly)
            XCTAssertEqual(read?.dataSet, own.dataSet)
            XCTAssertEqual(read?.fileMeta, own.fileMeta)
        }
    }

    func testCutFileInsideARegionIsIncomplete() throws {
        for whole in [try file(), try file(.implicitVRLittleEndian), try file(encapsulated: true)] {
            // Cut anywhere in the last 40 bytes (Pixel Data), the next bytes of the container are not taken for it.
            let cuts = (whole.count - 40)..<whole.count
            let (fd, regions, _) = try container(cuts.map { Array(whole[0..<$0]) } + [whole])
            defer { close(fd) }
            for (cut, r) in zip(cuts, regions) {
                // An encapsulated file cut just before its Sequence Delimitation Item has every frame: accepted (see CompletenessTests).
                let (_, code) = verdict(r)
                XCTAssertEqual(code, alone(Array(whole[0..<cut])), "cut at \(cut) of \(whole.count)")
            }
            XCTAssertNil(verdict(regions.last!).1)
        }
        // Pixel Data two bytes short of the description.
        let (fd, regions, _) = try container([try file(pixelBytes: 62)])
        defer { close(fd) }
        XCTAssertEqual(verdict(regions[0]).1, .incomplete)
    }

    func testEmptyAndTinyRegions() throws {
        let whole = try file()
        let (fd, regions, _) = try container([[], Array(whole[0..<10]), Array(whole[0..<140])])
        defer { close(fd) }
        for r in regions { XCTAssertNotNil(verdict(r).1, "size \(r.size)") }
    }
}
