import DICOMCore
@testable import DICOMIO
import Foundation
import TestSupport
import XCTest

final class ReaderTests: XCTestCase {
    /// A minimal Part 10 file: preamble, DICM, meta with the given syntax, then `body`.
    func part10(_ ts: String, _ body: [UInt8]) -> [UInt8] {
        var meta = DataSet()
        meta.setString(.transferSyntaxUID, .UI, ts)
        return [UInt8](repeating: 0, count: 128) + Array("DICM".utf8) + Part10Writer.encodeFileMeta(meta) + body
    }

    func testExplicitLittleEndianElements() throws {
        let body: [UInt8] = [
            0x10, 0x00, 0x10, 0x00, 0x50, 0x4E, 0x08, 0x00,  // (0010,0010) PN len 8
            0x44, 0x6F, 0x65, 0x5E, 0x4A, 0x6F, 0x68, 0x6E,  // "Doe^John"
            0x28, 0x00, 0x10, 0x00, 0x55, 0x53, 0x02, 0x00,  // (0028,0010) US len 2
            0x00, 0x02,  // 512
        ]
        let f = try Part10Reader.read(bytes: part10("1.2.840.10008.1.2.1", body))
        XCTAssertEqual(f.transferSyntax, .explicitVRLittleEndian)
        XCTAssertEqual(f.dataSet.personNames(.patientName)?.first?.alphabetic, "Doe^John")
        XCTAssertEqual(f.dataSet.integer(.rows), 512)
        XCTAssertEqual(
            f.dataSet[.patientName]?.valueOffset,
            132
                + Part10Writer.encodeFileMeta(
                    {
                        var m = DataSet(); m.setString(.transferSyntaxUID, .UI, "1.2.840.10008.1.2.1"); return m
                    }()
                ).count + 8)
        XCTAssertTrue(f.diagnostics.isEmpty, "\(f.diagnostics)")
    }

    func testImplicitVRUsesDictionary() throws {
        let body: [UInt8] = [
            0x28, 0x00, 0x11, 0x00, 0x02, 0x00, 0x00, 0x00, 0x00, 0x01,  // (0028,0011) len 2: 256
            0x28, 0x00, 0x03, 0x01, 0x02, 0x00, 0x00, 0x00, 0x01, 0x00,  // (0028,0103) PixelRepresentation 1
            0x28, 0x00, 0x06, 0x01, 0x02, 0x00, 0x00, 0x00, 0xFF, 0xFF,  // (0028,0106) US or SS -> SS: -1
        ]
        let f = try Part10Reader.read(bytes: part10("1.2.840.10008.1.2", body))
        XCTAssertEqual(f.dataSet[.columns]?.vr, .US)
        XCTAssertEqual(f.dataSet.integer(.columns), 256)
        XCTAssertEqual(f.dataSet[.smallestImagePixelValue]?.vr, .SS)
        XCTAssertEqual(f.dataSet.integer(.smallestImagePixelValue), -1)
    }

    func testBigEndianIsSwappedToLittle() throws {
        let body: [UInt8] = [
            0x00, 0x28, 0x00, 0x10, 0x55, 0x53, 0x00, 0x02, 0x02, 0x00,  // (0028,0010) US 512, big endian
            0x7F, 0xE0, 0x00, 0x10, 0x4F, 0x57, 0x00, 0x00, 0x00, 0x00, 0x00, 0x04,  // (7FE0,0010) OW len 4
            0x12, 0x34, 0xAB, 0xCD,
        ]
        let f = try Part10Reader.read(bytes: part10("1.2.840.10008.1.2.2", body))
        XCTAssertEqual(f.dataSet.integer(.rows), 512)
        XCTAssertEqual(f.dataSet[.pixelData]?.bytes, [0x34, 0x12, 0xCD, 0xAB])
    }

    func testUndefinedLengthSequenceAndItems() throws {
        let body: [UInt8] = [
            0x08, 0x00, 0x40, 0x11, 0x53, 0x51, 0x00, 0x00, 0xFF, 0xFF, 0xFF, 0xFF,  // (0008,1140) SQ undefined
            0xFE, 0xFF, 0x00, 0xE0, 0xFF, 0xFF, 0xFF, 0xFF,  // item, undefined
            0x08, 0x00, 0x50, 0x11, 0x55, 0x49, 0x04, 0x00, 0x31, 0x2E, 0x32, 0x00,  // (0008,1150) UI "1.2"
            0xFE, 0xFF, 0x0D, 0xE0, 0x00, 0x00, 0x00, 0x00,  // item delimiter
            0xFE, 0xFF, 0x00, 0xE0, 0x00, 0x00, 0x00, 0x00,  // empty item, defined length
            0xFE, 0xFF, 0xDD, 0xE0, 0x00, 0x00, 0x00, 0x00,  // sequence delimiter
            0x10, 0x00, 0x20, 0x00, 0x4C, 0x4F, 0x02, 0x00, 0x31, 0x20,  // (0010,0020) LO "1 "
        ]
        let f = try Part10Reader.read(bytes: part10("1.2.840.10008.1.2.1", body))
        let items = try XCTUnwrap(f.dataSet[.referencedImageSequence]?.items)
        XCTAssertEqual(items.count, 2)
        XCTAssertEqual(items[0].string(.referencedSOPClassUID), "1.2")
        XCTAssertTrue(items[1].isEmpty)
        XCTAssertEqual(f.dataSet.string(.patientID), "1")
    }

    func testEncapsulatedPixelDataAndHeaderOnly() throws {
        let body: [UInt8] = [
            0x28, 0x00, 0x10, 0x00, 0x55, 0x53, 0x02, 0x00, 0x01, 0x00,
            0xE0, 0x7F, 0x10, 0x00, 0x4F, 0x42, 0x00, 0x00, 0xFF, 0xFF, 0xFF, 0xFF,  // (7FE0,0010) OB undefined
            0xFE, 0xFF, 0x00, 0xE0, 0x04, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,  // BOT: one offset 0
            0xFE, 0xFF, 0x00, 0xE0, 0x04, 0x00, 0x00, 0x00, 0xFF, 0xD8, 0xFF, 0xD9,  // fragment
            0xFE, 0xFF, 0xDD, 0xE0, 0x00, 0x00, 0x00, 0x00,
        ]
        let bytes = part10("1.2.840.10008.1.2.4.70", body)
        let f = try Part10Reader.read(bytes: bytes)
        let frags = try XCTUnwrap(f.dataSet[.pixelData]?.fragments)
        XCTAssertEqual(frags.basicOffsetTable, [0])
        XCTAssertEqual(frags.fragments, [[0xFF, 0xD8, 0xFF, 0xD9]])
        let h = try Part10Reader.read(bytes: bytes, options: .headerOnly)
        XCTAssertTrue(h.stoppedBeforePixelData)
        XCTAssertNil(h.dataSet[.pixelData])
        XCTAssertEqual(h.dataSet.integer(.rows), 1)
    }

    func testHeaderOnlyReadDoesNotLoadPixelData() throws {
        // A file whose pixel data is far larger than the read chunk: the source must stay small.
        var ds = DataSet()
        ds.setString(.sopInstanceUID, .UI, "1.2.3")
        ds.set(DataElement(tag: .pixelData, vr: .OW, bytes: [UInt8](repeating: 7, count: 8 << 20)))
        let dir = try tempDir()
        let path = dir.appendingPathComponent("big.dcm").path
        try Part10Writer.write(try Part10Writer.encode(dataSet: ds), to: path)
        let src = try ByteSource(path: path, chunk: 64 * 1024)
        let f = try Part10Reader.read(src, options: .headerOnly)
        XCTAssertTrue(f.stoppedBeforePixelData)
        XCTAssertLessThan(src.bytes.count, 1 << 20)
    }

    func testOddLengthIsToleratedWithDiagnostic() throws {
        let body: [UInt8] = [0x10, 0x00, 0x20, 0x00, 0x4C, 0x4F, 0x03, 0x00, 0x41, 0x42, 0x43]
        let f = try Part10Reader.read(bytes: part10("1.2.840.10008.1.2.1", body))
        XCTAssertEqual(f.dataSet.string(.patientID), "ABC")
        XCTAssertTrue(f.diagnostics.contains { $0.code == .oddLength })
    }

    func testNoPreambleNoMeta() throws {
        let body: [UInt8] = [0x08, 0x00, 0x60, 0x00, 0x43, 0x53, 0x02, 0x00, 0x43, 0x54]  // (0008,0060) CS "CT"
        let f = try Part10Reader.read(bytes: body)
        XCTAssertEqual(f.dataSet.string(.modality), "CT")
        XCTAssertTrue(f.diagnostics.contains { $0.code == .noPreamble })
        // Implicit VR without meta.
        let implicit: [UInt8] = [0x08, 0x00, 0x60, 0x00, 0x02, 0x00, 0x00, 0x00, 0x4D, 0x52]
        XCTAssertEqual(try Part10Reader.read(bytes: implicit).dataSet.string(.modality), "MR")
    }

    func testDeflatedRoundTrip() throws {
        var ds = DataSet()
        ds.setString(.sopClassUID, .UI, "1.2.840.10008.5.1.4.1.1.7")
        ds.setString(.sopInstanceUID, .UI, "1.2.3.4")
        ds.setString(.patientName, .PN, "Deflate^Test")
        let bytes = try Part10Writer.encode(dataSet: ds, options: WriteOptions(transferSyntax: .deflatedExplicitVRLittleEndian))
        let f = try Part10Reader.read(bytes: bytes)
        XCTAssertEqual(f.transferSyntax, .deflatedExplicitVRLittleEndian)
        XCTAssertEqual(f.dataSet, ds)
    }

    func testDelimiterOutsideSequenceIsAnError() {
        let body: [UInt8] = [0xFE, 0xFF, 0xDD, 0xE0, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00]
        XCTAssertThrowsError(try Part10Reader.read(bytes: part10("1.2.840.10008.1.2.1", body))) { e in
            XCTAssertEqual((e as? DICOMParseError)?.code, .malformed)
        }
    }

    func testDeepNestingIsRefused() {
        var body: [UInt8] = []
        for _ in 0..<200 {
            body += [
                0x08, 0x00, 0x40, 0x11, 0x53, 0x51, 0x00, 0x00, 0xFF, 0xFF, 0xFF, 0xFF,
                0xFE, 0xFF, 0x00, 0xE0, 0xFF, 0xFF, 0xFF, 0xFF,
            ]
        }
        XCTAssertThrowsError(try Part10Reader.read(bytes: part10("1.2.840.10008.1.2.1", body))) { e in
            XCTAssertEqual((e as? DICOMParseError)?.code, .tooDeep)
        }
    }
}

/// Implicit VR private elements take their creator's dictionary VR (PS3.5 §7.8.1), so they keep it when written explicit.
final class PrivateVRTests: XCTestCase {
    func testImplicitPrivateElementsGetDictionaryVRs() throws {
        var ds = DataSet()
        ds.setString(.sopClassUID, .UI, "1.2.840.10008.5.1.4.1.1.7")
        ds.setString(.sopInstanceUID, .UI, "1.2.3.4")
        ds.setString(Tag(0x0019, 0x0010), .LO, "GEMS_ACQU_01")
        ds.set(DataElement(tag: Tag(0x0019, 0x1002), vr: .SL, value: .bytes([7, 0, 0, 0])))
        ds.set(DataElement(tag: Tag(0x0019, 0x1011), vr: .SS, value: .bytes([0xFD, 0xFF])))
        ds.setString(Tag(0x0019, 0x0011), .LO, "GEMS_ACQU_01")
        ds.set(DataElement(tag: Tag(0x0019, 0x1102), vr: .UN, value: .bytes([1, 2, 3, 4, 5, 6])))  // 6 bytes: not SL
        ds.setString(Tag(0x0029, 0x0010), .LO, "NO SUCH CREATOR")
        ds.set(DataElement(tag: Tag(0x0029, 0x1002), vr: .SL, value: .bytes([5, 0, 0, 0])))
        let implicit = try Part10Writer.encode(dataSet: ds, fileMeta: DataSet(), options: WriteOptions(transferSyntax: .implicitVRLittleEndian))
        let read = try Part10Reader.read(bytes: implicit, path: "private.dcm").dataSet
        XCTAssertEqual(read[Tag(0x0019, 0x1002)]?.vr, .SL)
        XCTAssertEqual(read[Tag(0x0019, 0x1011)]?.vr, .SS)
        XCTAssertEqual(read[Tag(0x0019, 0x1102)]?.vr, .UN)
        XCTAssertEqual(read[Tag(0x0029, 0x1002)]?.vr, .UN)
        let explicit = try Part10Writer.encode(dataSet: read, fileMeta: DataSet(), options: WriteOptions(transferSyntax: .explicitVRLittleEndian))
        let back = try Part10Reader.read(bytes: explicit, path: "private-explicit.dcm").dataSet
        XCTAssertEqual(back[Tag(0x0019, 0x1002)]?.vr, .SL)
        XCTAssertEqual(back.integer(Tag(0x0019, 0x1011)), -3)
    }
}
