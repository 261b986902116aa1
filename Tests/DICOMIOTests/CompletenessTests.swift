import DICOMCore
@testable import DICOMIO
import Foundation
import TestSupport
import XCTest

/// The completeness check (PS3.10 §7) and the bounded inflate (PS3.5 §A.5).
final class CompletenessTests: XCTestCase {
    func image(frames: Int = 2, rows: UInt16 = 4, columns: UInt16 = 4) -> DataSet {
        var ds = DataSet()
        ds.setString(.sopClassUID, .UI, "1.2.840.10008.5.1.4.1.1.7")
        ds.setString(.sopInstanceUID, .UI, "1.2.3.4")
        ds.setUInt16(.samplesPerPixel, [1])
        ds.setString(.photometricInterpretation, .CS, "MONOCHROME2")
        ds.setString(.numberOfFrames, .IS, String(frames))
        ds.setUInt16(.rows, [rows])
        ds.setUInt16(.columns, [columns])
        ds.setUInt16(.bitsAllocated, [16])
        ds.setUInt16(.bitsStored, [16])
        ds.setUInt16(.highBit, [15])
        ds.setUInt16(.pixelRepresentation, [0])
        return ds
    }

    func native(_ syntax: TransferSyntax = .explicitVRLittleEndian, pixelBytes: Int = 64) throws -> [UInt8] {
        var ds = image()
        ds.set(DataElement(tag: .pixelData, vr: .OW, bytes: [UInt8](repeating: 3, count: pixelBytes)))
        return try Part10Writer.encode(dataSet: ds, options: WriteOptions(transferSyntax: syntax))
    }

    func encapsulated() throws -> [UInt8] {
        var ds = image()
        ds.set(DataElement(tag: .pixelData, vr: .OB, value: .fragments(PixelFragments(fragments: [[1, 2, 3, 4], [5, 6, 7, 8]]))))
        return try Part10Writer.encode(dataSet: ds, options: WriteOptions(transferSyntax: TransferSyntax(uid: "1.2.840.10008.1.2.5")))
    }

    func code(_ bytes: [UInt8]) -> DICOMParseError.Code? {
        do { try Completeness.check(bytes: bytes, path: "x.dcm"); return nil } catch let e as DICOMParseError { return e.code } catch { return .io }
    }

    func testWholeFilesAreComplete() throws {
        for ts in [TransferSyntax.explicitVRLittleEndian, .implicitVRLittleEndian, .deflatedExplicitVRLittleEndian] {
            XCTAssertNil(code(try native(ts)), ts.uid)
        }
        XCTAssertNil(code(try encapsulated()))
        // Longer Pixel Data than described is tolerated.
        XCTAssertNil(code(try native(pixelBytes: 66)))
    }

    func testEveryCutIsIncomplete() throws {
        for (name, whole) in [
            ("native", try native()), ("implicit", try native(.implicitVRLittleEndian)),
            ("rle", try encapsulated()),
        ] {
            let start = whole.count - 40
            for cut in start..<whole.count where !(name == "rle" && cut == whole.count - 8) {  // only the delimiter: see below
                let c = code(Array(whole[0..<cut]))
                XCTAssertNotNil(c, "\(name) cut at \(cut) of \(whole.count)")
            }
        }
        let deflated = try native(.deflatedExplicitVRLittleEndian)
        XCTAssertNotNil(code(Array(deflated[0..<(deflated.count - 6)])))
    }

    func testShortNativePixelDataNamesOffsetAndTag() throws {
        let bytes = try native(pixelBytes: 62)
        do { try Completeness.check(bytes: bytes, path: "short.dcm"); XCTFail("accepted") } catch let e as DICOMParseError {
            XCTAssertEqual(e.code, .incomplete)
            XCTAssertEqual(e.tag, .pixelData)
            XCTAssertEqual(e.path, "short.dcm")
            XCTAssertNotNil(e.offset)
            XCTAssertTrue(e.description.contains("needs 64"), e.description)
        }
    }

    func testCheckOnAFileDoesNotLoadPixelData() throws {
        let dir = try tempDir()
        let path = dir.appendingPathComponent("big.dcm").path
        try Part10Writer.write(try native(pixelBytes: 64), to: path)
        try Completeness.check(path: path)
        try Part10Writer.write(Array(try native(pixelBytes: 64).dropLast(10)), to: path)
        XCTAssertThrowsError(try Completeness.check(path: path)) { XCTAssertEqual(($0 as? DICOMParseError)?.code, .incomplete) }
    }

    func testImpossibleDescriptions() throws {
        XCTAssertThrowsError(try Completeness.nativePixelDataSize(rows: 65535, columns: 65535, samplesPerPixel: 3, bitsAllocated: 16, frames: Int(Int32.max))) {
            XCTAssertEqual(($0 as? DICOMParseError)?.code, .impossible)
        }
        for frames in [0, -1] {
            XCTAssertThrowsError(try Completeness.nativePixelDataSize(rows: 1, columns: 1, samplesPerPixel: 1, bitsAllocated: 8, frames: frames))
        }
        XCTAssertEqual(try Completeness.nativePixelDataSize(rows: 3, columns: 3, samplesPerPixel: 1, bitsAllocated: 1, frames: 1), 2)
        XCTAssertEqual(
            try Completeness.nativePixelDataSize(rows: 2, columns: 2, samplesPerPixel: 3, bitsAllocated: 8, frames: 1, photometric: "YBR_FULL_422"), 8)
        var ds = image(frames: 0)
        ds.set(DataElement(tag: .pixelData, vr: .OW, bytes: [0, 0]))
        XCTAssertEqual(code(try Part10Writer.encode(dataSet: ds)), .impossible)
    }

    func testInflateIsCapped() throws {
        // 64 MB of zeros deflate to about 64 KB: far beyond 256x.
        var ds = image()
        ds.set(DataElement(tag: Tag(0x0009, 0x1010), vr: .OB, bytes: [UInt8](repeating: 0, count: 64 << 20)))
        let bytes = try Part10Writer.encode(dataSet: ds, options: WriteOptions(transferSyntax: .deflatedExplicitVRLittleEndian))
        XCTAssertLessThan(bytes.count, 1 << 20)
        XCTAssertThrowsError(try Part10Reader.read(bytes: bytes, path: "bomb.dcm")) { e in
            XCTAssertEqual((e as? DICOMParseError)?.code, .tooLarge)
            XCTAssertTrue("\(e)".contains("--max-inflated"), "\(e)")
        }
        XCTAssertNoThrow(try Part10Reader.read(bytes: bytes, options: ReadOptions(maxInflated: 65 << 20)))
        XCTAssertEqual(ReadOptions.parseSize("64M"), 64 << 20)
        XCTAssertEqual(ReadOptions.parseSize("4GiB"), 4 << 30)
        XCTAssertNil(ReadOptions.parseSize("lots"))
    }

    func testItemCountIsCapped() throws {
        var ds = image()
        ds.setSequence(.requestAttributesSequence, [DataSet](repeating: DataSet(), count: 50))
        let bytes = try Part10Writer.encode(dataSet: ds)
        XCTAssertThrowsError(try Part10Reader.read(bytes: bytes, options: ReadOptions(maxItems: 10))) {
            XCTAssertEqual(($0 as? DICOMParseError)?.code, .tooLarge)
        }
    }

    /// Zero false positives: every corpus file is complete.
    func testEveryCorpusFileIsComplete() throws {
        let files = try Corpus.files()
        XCTAssertGreaterThan(files.count, 150)
        for path in files {
            XCTAssertNoThrow(try Completeness.check(path: path), path)
        }
    }
}

extension CompletenessTests {
    /// A file cut right after its last whole RLE fragment lacks only the delimiter: tolerated; one cut after
    /// the offset table alone is not.
    func testMissingDelimiterAfterWholeFrames() throws {
        let whole = try encapsulated()
        XCTAssertNil(code(Array(whole.dropLast(8))))
        XCTAssertEqual(code(Array(whole.dropLast(8 + 12))), .incomplete)
    }
}

extension CompletenessTests {
    /// A 1 GiB Pixel Data (a sparse file) is checked by seeking past it: memory does not grow by its size.
    func testOneGigabyteFileIsCheckedWithoutLoadingIt() throws {
        var ds = image(frames: 1, rows: 16384, columns: 32768)  // 16384 x 32768 x 16 bits = 1 GiB
        ds.set(DataElement(tag: .pixelData, vr: .OW, bytes: []))
        var header = try Part10Writer.encode(dataSet: ds)
        // Patch the Pixel Data length (the last 4 bytes of the header) to 1 GiB.
        let length = UInt32(1 << 30)
        for i in 0..<4 { header[header.count - 4 + i] = UInt8(truncatingIfNeeded: length >> (8 * UInt32(i))) }
        let path = try tempDir().appendingPathComponent("sparse.dcm").path
        try Part10Writer.write(header, to: path)
        XCTAssertEqual(truncate(path, off_t(header.count) + off_t(length)), 0)
        var before = rusage(), after = rusage()
        getrusage(RUSAGE_SELF.rawValue, &before)
        try Completeness.check(path: path)
        getrusage(RUSAGE_SELF.rawValue, &after)
        XCTAssertLessThan(after.ru_maxrss - before.ru_maxrss, 200 * 1024, "KiB of peak memory added by the check")
        // One byte short: incomplete, named by offset and tag.
        XCTAssertEqual(truncate(path, off_t(header.count) + off_t(length) - 1), 0)
        XCTAssertThrowsError(try Completeness.check(path: path)) { XCTAssertEqual(($0 as? DICOMParseError)?.tag, .pixelData) }
    }
}
