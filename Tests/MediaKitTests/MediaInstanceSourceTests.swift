import DICOMCore
import DICOMFileSet
import DICOMIO
import Foundation
import XCTest
@testable import MediaKit

/// ``InstanceScanner`` and the errors of the export side: nothing dropped, causes kept.
final class MediaInstanceSourceTests: XCTestCase {
    func testABrokenInputDICOMDIRIsReportedAndTheFolderIsReadInstead() throws {
        let input = try ExportFixture.tempRoot("in")
        try ExportFixture.series(in: input, count: 2)
        try Array("DICM but not really a DICOMDIR".utf8).write(to: input + "/DICOMDIR")
        let scan = try InstanceScanner.scan([input], keepHeaders: false)
        XCTAssertEqual(scan.instances.count, 2)
        XCTAssertEqual(scan.problems.map(\.code), [.inputDICOMDIRUnreadable])
        XCTAssertEqual(scan.problems.first?.severity, .warning)
    }

    func testNotDICOMAndUnreadableInputsKeepTheirCause() throws {
        let input = try ExportFixture.tempRoot("in")
        try Array("plain text".utf8).write(to: input + "/notes.txt")
        guard case .failure(let e) = InstanceScanner.readInstance(input + "/notes.txt") else { return XCTFail("read as an instance") }
        XCTAssertEqual(e.code, .inputNotDICOM)
        XCTAssertEqual(e.path, input + "/notes.txt")
        XCTAssertTrue(e.cause is DICOMParseError, "\(String(describing: e.cause))")
    }

    func testUpdateOfABrokenDICOMDIRIsUnreadableWithTheParseErrorAsCause() throws {
        let root = try ExportFixture.tempRoot("fs")
        try Array(repeating: UInt8(0), count: 128).write(to: root + "/DICOMDIR")
        XCTAssertThrowsError(try FileSetCreator.update(fileSet: root, inputs: [], options: ExportFixture.options())) { e in
            let m = e as? MediaError
            XCTAssertEqual(m?.code, .unreadable, "\(e)")
            XCTAssertEqual(e.causeChain.count, 2)
            XCTAssertTrue(m?.cause is DICOMParseError)
        }
    }

    func testUpdateWithoutARecordedOrImpliedProfileNeedsOne() throws {
        let input = try ExportFixture.tempRoot("in"), parent = try ExportFixture.tempRoot("out")
        try Array("not dicom".utf8).write(to: input + "/x.txt")
        // An empty File-set (no instances) implies no profile, and records none when made by hand.
        let root = parent + "/fs"
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
        try DICOMDIRWriter.encode(FileSet(fileSetID: "EMPTY")).write(to: root + "/DICOMDIR")
        XCTAssertThrowsError(try FileSetCreator.update(fileSet: root, inputs: [input], options: ExportFixture.options())) { e in
            XCTAssertEqual((e as? MediaError)?.code, .profileNeeded, "\(e)")
        }
    }

    func testRequestChecksOptionsInOrder() throws {
        var r = FileSetRequest()
        r.compression = "zip"
        XCTAssertThrowsError(try r.resolve()) { XCTAssertEqual(($0 as? MediaError)?.code, .badArgument) }
        r.compression = "LOSSLESS"
        r.profile = "NO-SUCH-PROFILE"
        XCTAssertThrowsError(try r.resolve()) { e in
            XCTAssertEqual((e as? MediaError)?.code, .badArgument)
            XCTAssertTrue((e as? MediaError)?.message.hasPrefix("unknown profile 'NO-SUCH-PROFILE'") == true)
        }
        r.profile = "STD-GEN-USB-JPEG"
        r.exportTime = "2026-13-01 12:00:00"
        XCTAssertThrowsError(try r.resolve()) { XCTAssertEqual(($0 as? MediaError)?.code, .badArgument) }
        r.exportTime = "2026-01-02 03:04:05"
        let o = try r.resolve()
        XCTAssertEqual(o.profile.id, "STD-GEN-USB-JPEG")
        XCTAssertTrue(o.profileExplicit)
        XCTAssertEqual(o.exportDate, "20260102")
        XCTAssertEqual(o.exportTime, "030405")
        XCTAssertEqual(o.compression, .lossless)
    }
}
