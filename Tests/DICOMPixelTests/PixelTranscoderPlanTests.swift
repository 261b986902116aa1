import DICOMCodecs
import DICOMCore
import DICOMPixel
import XCTest

/// ``PixelTranscoder/plan(header:hasPixelData:from:to:parameters:sopInstanceUID:)``: the outcome of a transcode
/// predicted from the header agrees with the transcode itself.
final class PixelTranscoderPlanTests: XCTestCase {
    let mono8 = PixelDescription(rows: 8, columns: 8, bitsAllocated: 8, bitsStored: 8)

    func native(_ d: PixelDescription) -> DataSet {
        secondaryCapture(d, pixelData: DataElement(tag: .pixelData, vr: .OB, bytes: (0..<d.frameLength).map { UInt8($0 % 251) }))
    }

    /// The header a header-only read gives: everything but Pixel Data.
    func header(_ ds: DataSet) -> DataSet {
        var h = ds
        _ = h.remove(.pixelData)
        return h
    }

    func testLosslessPredictionMatchesTheTranscode() throws {
        let ds = native(mono8)
        let p = PixelTranscoder().plan(header: header(ds), from: .explicitVRLittleEndian, to: .jpegLosslessSV1)
        XCTAssertNil(p.refusal)
        XCTAssertEqual(p.outputSyntax, .jpegLosslessSV1)
        XCTAssertFalse(p.lossy)
        let out = try PixelTranscoder().transcode(dataSet: ds, fileMeta: DataSet(), from: .explicitVRLittleEndian, to: .jpegLosslessSV1)
        XCTAssertEqual(out.transferSyntax, p.outputSyntax)
        XCTAssertEqual(out.lossy, p.lossy)
        XCTAssertEqual(p.header.string(.sopInstanceUID), ds.string(.sopInstanceUID))
    }

    func testALossyCopyGetsTheUIDThePlanWasGiven() throws {
        let ds = native(mono8)
        let uid = UID.make()
        let p = PixelTranscoder().plan(header: header(ds), from: .explicitVRLittleEndian, to: .jpegBaseline, sopInstanceUID: uid)
        XCTAssertNil(p.refusal)
        XCTAssertTrue(p.lossy)
        XCTAssertEqual(p.header.string(.sopInstanceUID), uid)
        XCTAssertEqual(p.header.string(.lossyImageCompression), "01")
        XCTAssertEqual(p.header.strings(.imageType)?.first, ds.strings(.imageType)?.first.map { _ in "DERIVED" })
        let out = try PixelTranscoder().transcode(
            dataSet: ds, fileMeta: DataSet(), from: .explicitVRLittleEndian, to: .jpegBaseline, sopInstanceUID: uid)
        XCTAssertTrue(out.lossy)
        XCTAssertEqual(out.dataSet.string(.sopInstanceUID), uid)
        XCTAssertEqual(out.fileMeta.string(.mediaStorageSOPInstanceUID), uid)
        // The ratio is measured by the encoder only: the transcode records it, the plan does not.
        XCTAssertNotNil(out.dataSet.string(.lossyImageCompressionRatio))
        XCTAssertNil(p.header.string(.lossyImageCompressionRatio))
    }

    func testNoPixelDataIsPredictedNative() throws {
        let ds = header(native(mono8))
        let p = PixelTranscoder().plan(header: ds, hasPixelData: false, from: .explicitVRLittleEndian, to: .jpeg2000Lossless)
        XCTAssertNil(p.refusal)
        XCTAssertEqual(p.outputSyntax, .explicitVRLittleEndian)
        let out = try PixelTranscoder().transcode(dataSet: ds, fileMeta: DataSet(), from: .explicitVRLittleEndian, to: .jpeg2000Lossless)
        XCTAssertEqual(out.transferSyntax, p.outputSyntax)
    }

    func testRefusalsKnownFromTheHeaderAreTheTranscodesErrors() {
        let oneBit = PixelDescription(rows: 8, columns: 8, bitsAllocated: 1, bitsStored: 1)
        let noRows: DataSet = {
            var h = native(mono8)
            _ = h.remove(.rows)
            return h
        }()
        let rleOnly = PixelTranscoder(codecs: CodecRegistry([RLECodec()]))
        let cases: [(DataSet, TransferSyntax, TransferSyntax, PixelError.Code)] = [
            (native(oneBit), .explicitVRLittleEndian, .rleLossless, .cannotEncode),
            (noRows, .explicitVRLittleEndian, .rleLossless, .invalidDescription),
            (native(mono8), .explicitVRLittleEndian, .jpegLSLossless, .noCodec),
        ]
        for (ds, from, to, code) in cases {
            let p = rleOnly.plan(header: header(ds), from: from, to: to)
            XCTAssertEqual(p.refusal?.code, code, "\(to.name)")
            XCTAssertThrowsError(try rleOnly.transcode(dataSet: ds, fileMeta: DataSet(), from: from, to: to)) { e in
                XCTAssertEqual(pixelCode(e), code, "\(e)")
            }
        }
    }

    func testNoDecoderIsKnownFromTheHeader() {
        let ds = native(mono8)
        // JPEG Spectral Selection (Processes 6 & 8): no codec of the package decodes it.
        let p = PixelTranscoder().plan(header: header(ds), from: TransferSyntax(uid: "1.2.840.10008.1.2.4.53"), to: .explicitVRLittleEndian)
        XCTAssertEqual(p.refusal?.code, .noCodec)
    }

    func testCorruptPixelDataIsNotSeenByThePlanButFailsTheTranscode() throws {
        var ds = native(mono8)
        ds.set(DataElement(tag: .pixelData, vr: .OB, value: .fragments(Encapsulation.encapsulate([[0xFF, 0xD8, 0x00, 0x01]]))))
        let p = PixelTranscoder().plan(header: header(ds), from: .jpegLosslessSV1, to: .explicitVRLittleEndian)
        XCTAssertNil(p.refusal)
        XCTAssertEqual(p.outputSyntax, .explicitVRLittleEndian)
        XCTAssertThrowsError(try PixelTranscoder().transcode(dataSet: ds, fileMeta: DataSet(), from: .jpegLosslessSV1, to: .explicitVRLittleEndian)) {
            XCTAssertEqual(pixelCode($0), .frameFailed, "\($0)")
        }
    }
}
