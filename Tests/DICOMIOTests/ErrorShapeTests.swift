import DICOMCore
import FileSystem
import Foundation
import XCTest
@testable import DICOMIO

/// DICOMIOError: one type for reading and writing, codes to match, the wrapped errno or zlib status kept as the cause.
final class ErrorShapeTests: XCTestCase {
    func testMissingFileIsIOWithTheErrnoAsCause() {
        let path = NSTemporaryDirectory() + "no-such-\(getpid()).dcm"
        XCTAssertThrowsError(try Part10Reader.read(path: path)) { error in
            guard let e = error as? DICOMIOError else { return XCTFail("\(error)") }
            XCTAssertEqual(e.code, .io)
            XCTAssertEqual(e.codeName, "io")
            XCTAssertEqual(e.path, path)
            XCTAssertEqual(e.offset, 0)
            XCTAssertEqual((e.cause as? SystemErrno)?.code, ENOENT)
            XCTAssertEqual(e.description, "\(path): offset 0: cannot open: No such file or directory")
            XCTAssertEqual(e.located, "offset 0: cannot open: No such file or directory")
            XCTAssertTrue(e.location.file.hasPrefix("DICOMIO/"), e.location.description)
            XCTAssertEqual(error.causeChain.count, 2)
        }
    }

    func testWriteIntoAMissingFolderIsAWriteErrorWithTheErrno() {
        let path = NSTemporaryDirectory() + "no-such-folder-\(getpid())/x.dcm"
        XCTAssertThrowsError(try Part10Writer.write([1, 2, 3], to: path)) { error in
            guard let e = error as? DICOMWriteError else { return XCTFail("\(error)") }
            XCTAssertEqual(e.code, .write)
            XCTAssertEqual((e.cause as? SystemErrno)?.code, ENOENT)
            XCTAssertEqual((e.cause as? SystemErrno)?.call, "open")
            XCTAssertEqual(e.description, "\(path): cannot create: No such file or directory")
        }
    }

    func testBigEndianIsNotWrittenAndSaysSo() {
        var ds = DataSet()
        ds.setString(.sopInstanceUID, .UI, "1.2.3")
        XCTAssertThrowsError(try Part10Writer.encode(dataSet: ds, options: WriteOptions(transferSyntax: .explicitVRBigEndian))) { error in
            XCTAssertEqual((error as? DICOMIOError)?.code, .unsupported)
            XCTAssertNil((error as? DICOMIOError)?.path)
        }
    }

    func testBrokenDeflateStreamKeepsZlibsStatus() {
        XCTAssertThrowsError(try Deflate.inflate([0xFF, 0xFF, 0xFF, 0xFF, 0x00, 0x13])) { error in
            guard let e = error as? DICOMIOError else { return XCTFail("\(error)") }
            XCTAssertEqual(e.code, .deflate)
            XCTAssertNotNil(e.cause as? ZlibStatus, "\(String(describing: e.cause))")
        }
    }

    func testCutFileIsIncomplete() throws {
        var ds = DataSet()
        ds.setString(.sopInstanceUID, .UI, "1.2.3")
        ds.setString(.patientName, .PN, "A^B")
        var bytes = try Part10Writer.encode(dataSet: ds)
        bytes.removeLast(3)
        XCTAssertThrowsError(try Completeness.check(bytes: bytes, path: "cut.dcm")) { error in
            guard let e = error as? DICOMIOError else { return XCTFail("\(error)") }
            XCTAssertEqual(e.code, .incomplete)
            XCTAssertEqual(e.path, "cut.dcm")
        }
    }

    func testOldNamesAreTheOneType() {
        XCTAssertTrue(DICOMParseError.self == DICOMIOError.self)
        XCTAssertTrue(DICOMWriteError.self == DICOMIOError.self)
        let e: any ChainedError = DICOMWriteError("cannot write", path: "a.dcm")
        XCTAssertEqual(e.codeName, "write")
        XCTAssertEqual(e.description, "a.dcm: cannot write")
    }
}
