import DICOMCore
import DICOMFileSet
import DICOMIO
import Foundation
import XCTest
@testable import MediaKit

/// ``SyntaxChoice``: the syntax an instance is written in on a medium (PS3.11 profiles).
final class ExportSyntaxChoiceTests: XCTestCase {
    let ct = "1.2.840.10008.5.1.4.1.1.2"
    let xa = "1.2.840.10008.5.1.4.1.1.12.1"
    var header: DataSet { InstanceScanner.strip(ExportFixture.instance(studyUID: "1.2", seriesUID: "1.3", number: 1)) }
    func profile(_ id: String) -> ApplicationProfile { ApplicationProfile.named(id)! }

    func testAnAllowedSyntaxIsCopiedUntouched() throws {
        XCTAssertNil(
            try SyntaxChoice.target(
                current: .explicitVRLittleEndian, header: header, profile: profile("STD-GEN-CD"),
                sopClassUID: ct, mode: .lossless, recompress: false))
    }

    func testImplicitGoesToExplicitOnAGeneralCD() throws {
        XCTAssertEqual(
            try SyntaxChoice.target(
                current: .implicitVRLittleEndian, header: header, profile: profile("STD-GEN-CD"),
                sopClassUID: ct, mode: .lossless, recompress: false), .explicitVRLittleEndian)
    }

    func testLosslessModePicksTheProfilesJPEGLossless() throws {
        XCTAssertEqual(
            try SyntaxChoice.target(
                current: .explicitVRLittleEndian, header: header, profile: profile("STD-XABC-CD"),
                sopClassUID: xa, mode: .lossless, recompress: false), .jpegLosslessSV1)
    }

    func testNoneModeIsRefusedWhereTheProfileAllowsOnlyCompressed() throws {
        XCTAssertThrowsError(
            try SyntaxChoice.target(
                current: .explicitVRLittleEndian, header: header, profile: profile("STD-XABC-CD"),
                sopClassUID: xa, mode: .none, recompress: false)
        ) { e in
            let refusal = e as? MediaError
            XCTAssertEqual(refusal?.code, .syntaxRefused, "\(e)")
            XCTAssertEqual(refusal?.isRefusal, true)
        }
    }

    func testRecompressTranscodesAnAllowedSyntaxToo() throws {
        // JPEG Lossless is allowed; with recompress and mode none it goes to a native syntax... none is allowed: refused.
        XCTAssertNil(
            try SyntaxChoice.target(
                current: .jpegLosslessSV1, header: header, profile: profile("STD-XABC-CD"),
                sopClassUID: xa, mode: .lossless, recompress: false))
        XCTAssertEqual(
            try SyntaxChoice.target(
                current: .implicitVRLittleEndian, header: header, profile: profile("STD-GEN-CD"),
                sopClassUID: ct, mode: .none, recompress: true), .explicitVRLittleEndian)
    }
}
