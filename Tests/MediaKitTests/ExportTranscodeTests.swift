import DICOMCore
import DICOMFileSet
import DICOMIO
import Foundation
import XCTest
@testable import MediaKit

/// ``FileTranscoder``: files rewritten in another transfer syntax (PS3.5 8, 10).
final class ExportTranscodeTests: XCTestCase {
    func testTargetsByNameAndUID() {
        XCTAssertEqual(FileTranscoder.target(named: "jpeg-lossless"), .jpegLosslessSV1)
        XCTAssertEqual(FileTranscoder.target(named: TransferSyntax.explicitVRLittleEndian.uid), .explicitVRLittleEndian)
        XCTAssertNil(FileTranscoder.target(named: "no-such-syntax"))
    }

    func testImplicitToJPEGLosslessAndBackKeepsThePixels() throws {
        let dir = try ExportFixture.tempRoot("tc")
        let ds = ExportFixture.instance(studyUID: "1.2", seriesUID: "1.3", number: 1, pixel: 7)
        let input = try ExportFixture.write(ds, to: dir + "/in", syntax: .implicitVRLittleEndian)
        let r = try FileTranscoder.transcode(input: input, output: dir + "/jll", to: .jpegLosslessSV1)
        XCTAssertEqual(r.outputSyntax, .jpegLosslessSV1)
        XCTAssertFalse(r.lossy)
        XCTAssertEqual(r.output, dir + "/jll")
        XCTAssertEqual(try Part10Reader.read(path: dir + "/jll").transferSyntax, .jpegLosslessSV1)
        _ = try FileTranscoder.transcode(input: dir + "/jll", output: dir + "/back", to: .explicitVRLittleEndian)
        let back = try Part10Reader.read(path: dir + "/back")
        XCTAssertEqual(back.dataSet[.pixelData]?.bytes, ds[.pixelData]?.bytes)
        XCTAssertEqual(back.dataSet.string(.sopInstanceUID), ds.string(.sopInstanceUID), "lossless keeps the instance's identity")
    }

    func testManyFilesOneFailureDoesNotStopTheOthers() throws {
        let dir = try ExportFixture.tempRoot("tc")
        let good = try ExportFixture.write(ExportFixture.instance(studyUID: "1.2", seriesUID: "1.3", number: 1), to: dir + "/good")
        try Array("not dicom at all".utf8).write(to: dir + "/bad")
        let results = try FileTranscoder.transcode(inputs: [good, dir + "/bad"], outDir: dir + "/out", to: .implicitVRLittleEndian)
        XCTAssertEqual(results.count, 2)
        XCTAssertEqual(try results[0].get().outputSyntax, .implicitVRLittleEndian)
        XCTAssertThrowsError(try results[1].get())
        XCTAssertTrue(FileManager.default.fileExists(atPath: dir + "/out/good"))
        XCTAssertFalse(FileManager.default.fileExists(atPath: dir + "/out/bad"))
    }
}
