import XCTest

@testable import DICOMNetwork

/// DIMSE statuses (PS3.7 Annex C): the class of every value, the standard's names, the printed form.
final class DIMSEStatusTests: XCTestCase {
    func testKinds() {
        let cases: [(UInt16, DIMSEStatus.Kind)] = [
            (0x0000, .success), (0xFF00, .pending), (0xFF01, .pending), (0xFE00, .cancel),
            (0x0001, .warning), (0x0107, .warning), (0x0116, .warning), (0xB000, .warning), (0xB006, .warning), (0xB007, .warning), (0xBFFF, .warning),
            (0xA700, .failure), (0xA7FF, .failure), (0xA702, .failure), (0xA801, .failure), (0xA900, .failure), (0xA9FF, .failure),
            (0xC000, .failure), (0xCFFF, .failure), (0x0110, .failure), (0x0112, .failure), (0x0122, .failure), (0x0213, .failure),
            (0xD000, .failure), (0xFF02, .failure), (0xFE01, .failure),
        ]
        for (raw, kind) in cases { XCTAssertEqual(DIMSEStatus(raw).kind, kind, "\(DIMSEStatus(raw))") }
        XCTAssertTrue(DIMSEStatus.success.isSuccess)
        XCTAssertFalse(DIMSEStatus.pendingWarning.isSuccess)
        XCTAssertTrue(DIMSEStatus.pendingWarning.isPending)
    }

    func testNamesAndDescription() {
        XCTAssertEqual(DIMSEStatus(0xA700).description, "0xA700 Refused: Out of Resources")
        XCTAssertEqual(DIMSEStatus(0xA7A0).name, "Refused: Out of Resources")
        XCTAssertEqual(DIMSEStatus(0xB000).description, "0xB000 Coercion of Data Elements")
        XCTAssertEqual(DIMSEStatus(0xC000).name, "Error: Cannot understand")
        XCTAssertEqual(DIMSEStatus(0xC123).name, "Error: Cannot understand")
        XCTAssertEqual(DIMSEStatus(0xA9F0).name, "Error: Data Set does not match SOP Class")
        XCTAssertEqual(DIMSEStatus.noSuchSOPInstance.description, "0x0112 No Such SOP Instance")
        XCTAssertEqual(DIMSEStatus(0xA801).name, "Refused: Move Destination unknown")
        XCTAssertEqual(DIMSEStatus(0x0000).description, "0x0000 Success")
        XCTAssertEqual(DIMSEStatus(0xD001).description, "0xD001 Failure", "an unnamed status prints its class")
        XCTAssertEqual(DIMSEStatus(0xB0AA).description, "0xB0AA Warning")
    }

    func testNamesDependOnTheService() {
        XCTAssertEqual(DIMSEStatus(0xB000).name(for: .cGetRSP), "Sub-operations Complete - One or more Failures or Warnings")
        XCTAssertEqual(DIMSEStatus(0xFF00).name(for: .cFindRSP), "Pending: Matches are continuing")
        XCTAssertEqual(DIMSEStatus(0xFF00).name(for: .cMoveRSP), "Pending: Sub-operations are continuing")
        XCTAssertEqual(DIMSEStatus(0xA900).name(for: .cFindRSP), "Error: Identifier does not match SOP Class")
        XCTAssertEqual(DIMSEStatus(0xC001).name(for: .cMoveRSP), "Failed: Unable to process")
        XCTAssertEqual(DIMSEStatus(0xA702).name(for: .cGetRSP), "Refused: Out of Resources - Unable to perform sub-operations")
        XCTAssertEqual(DIMSEStatus(0xB000).name(for: .cStoreRSP), "Coercion of Data Elements")
    }
}
