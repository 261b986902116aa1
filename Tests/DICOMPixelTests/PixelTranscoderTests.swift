import DICOMCodecs
import DICOMCore
import DICOMPixel
import XCTest

/// The transcoder's registry (an immutable value passed in) and its errors (codes, tags, causes).
final class PixelTranscoderTests: XCTestCase {
    let mono8 = PixelDescription(rows: 2, columns: 4, bitsAllocated: 8, bitsStored: 8)

    func native(_ d: PixelDescription) -> DataSet {
        secondaryCapture(d, pixelData: DataElement(tag: .pixelData, vr: .OB, bytes: (0..<UInt8(d.frameLength)).map { $0 &* 9 }))
    }

    func testRegistryIsTheOnlySourceOfCodecs() throws {
        let rleOnly = PixelTranscoder(codecs: CodecRegistry([RLECodec()]))
        let ds = native(mono8)
        let out = try rleOnly.transcode(dataSet: ds, fileMeta: DataSet(), from: .explicitVRLittleEndian, to: .rleLossless)
        XCTAssertEqual(out.transferSyntax, .rleLossless)
        XCTAssertThrowsError(try rleOnly.transcode(dataSet: ds, fileMeta: DataSet(), from: .explicitVRLittleEndian, to: .jpegLSLossless)) { e in
            XCTAssertEqual(pixelCode(e), .noCodec, "\(e)")
            XCTAssertEqual((e as? PixelError)?.tag, .pixelData)
        }
        // The standard registry has every codec, so the same transcode works with `PixelTranscoder()`.
        XCTAssertNoThrow(try PixelTranscoder().transcode(dataSet: ds, fileMeta: DataSet(), from: .explicitVRLittleEndian, to: .jpegLSLossless))
    }

    func testStandardRegistryPrefersAsBefore() {
        let standard = CodecRegistry.standard
        XCTAssertEqual(standard.decoder(for: .jpegBaseline, mono8)?.name, "libjpeg-turbo")
        let twelve = PixelDescription(rows: 2, columns: 2, bitsAllocated: 16, bitsStored: 12)
        XCTAssertEqual(standard.decoder(for: .jpegExtended, twelve)?.name, "JPEG DCT")
        XCTAssertEqual(standard.encoder(for: .jpegLosslessSV1, mono8)?.name, "JPEG Lossless")
        XCTAssertEqual(standard.encoder(for: .rleLossless, mono8)?.name, "RLE Lossless")
        XCTAssertEqual(standard.encoder(for: .jpeg2000Lossless, mono8)?.name, "OpenJPEG")
        XCTAssertEqual(standard.encoder(for: .jpegLSLossless, mono8)?.name, "CharLS")
        XCTAssertEqual(standard.all.count, Codecs.available.count)
    }

    func testFrameFailureKeepsTheCodecErrorAsItsCause() throws {
        var header = [UInt8](repeating: 0, count: 64)
        header[0] = 1; header[4] = 200  // one segment, starting past the end of the frame
        var ds = native(mono8)
        ds.set(DataElement(tag: .pixelData, vr: .OB, value: .fragments(Encapsulation.encapsulate([header]))))
        XCTAssertThrowsError(try PixelTranscoder().transcode(dataSet: ds, fileMeta: DataSet(), from: .rleLossless, to: .explicitVRLittleEndian)) { e in
            XCTAssertEqual(pixelCode(e), .frameFailed, "\(e)")
            let chain = e.causeChain
            XCTAssertEqual(chain.count, 2)
            XCTAssertEqual(pixelCode(chain[1]), .malformedFrame)
            XCTAssertEqual((chain[1] as? PixelError)?.codec, "RLE Lossless")
            XCTAssertEqual((chain[1] as? PixelError)?.offset, 4)
        }
    }

    func testImpossibleDescriptionsAreCodedErrors() {
        var noRows = native(mono8)
        _ = noRows.remove(.rows)
        var zeroFrames = native(mono8)
        zeroFrames.setString(.numberOfFrames, .IS, "0")
        var short = native(mono8)
        short.set(DataElement(tag: .pixelData, vr: .OB, bytes: [1, 2]))
        for (ds, code, tag) in [
            (noRows, PixelError.Code.invalidDescription, Tag.pixelData), (zeroFrames, .invalidDescription, .numberOfFrames),
            (short, .shortPixelData, .pixelData),
        ] {
            XCTAssertThrowsError(try PixelTranscoder().transcode(dataSet: ds, fileMeta: DataSet(), from: .explicitVRLittleEndian, to: .rleLossless)) { e in
                XCTAssertEqual(pixelCode(e), code, "\(e)")
                XCTAssertEqual((e as? PixelError)?.tag, tag, "\(e)")
            }
        }
    }

    func testNoPixelDataAndLossyStepsAreCodedDiagnostics() throws {
        var ds = native(mono8)
        _ = ds.remove(.pixelData)
        let none = try PixelTranscoder().transcode(dataSet: ds, fileMeta: DataSet(), from: .explicitVRLittleEndian, to: .rleLossless)
        XCTAssertEqual(none.diagnostics.map(\.code), [.noPixelData])
        let lossy = try PixelTranscoder().transcode(dataSet: native(mono8), fileMeta: DataSet(), from: .explicitVRLittleEndian, to: .jpegBaseline)
        XCTAssertTrue(lossy.lossy)
        XCTAssertEqual(lossy.diagnostics.map(\.code), [.lossy])
        let back = try PixelTranscoder().transcode(dataSet: lossy.dataSet, fileMeta: DataSet(), from: .jpegBaseline, to: .explicitVRLittleEndian)
        XCTAssertEqual(back.diagnostics.map(\.code), [])  // already marked lossy: nothing to warn about
        var unmarked = lossy.dataSet
        _ = unmarked.remove(.lossyImageCompression)
        let warned = try PixelTranscoder().transcode(dataSet: unmarked, fileMeta: DataSet(), from: .jpegBaseline, to: .explicitVRLittleEndian)
        XCTAssertEqual(warned.diagnostics.map(\.code), [.lossySource])
    }

    func testLibraryFailuresKeepTheReturnCode() {
        let d = PixelDescription(rows: 8, columns: 8, bitsAllocated: 8, bitsStored: 8)
        XCTAssertThrowsError(try CharLSCodec().decode([0xFF, 0xD8, 0xFF, 0xF7, 0x00, 0x02, 0xFF, 0xD9], description: d, syntax: .jpegLSLossless)) { e in
            XCTAssertEqual(pixelCode(e), .libraryFailed, "\(e)")
            let cause = (e as? PixelError)?.cause as? LibraryCallError
            XCTAssertEqual(cause?.library, "CharLS")
            XCTAssertNotEqual(cause?.code, 0)
        }
    }
}
