import XCTest
@testable import DICOMCore

/// Facts from pydicom 3.0.2's private dictionary, checked against the generated table.
final class PrivateDictionaryTests: XCTestCase {
    func testBlockAgnosticLookup() throws {
        // GEMS_ACQU_01 "0019xx02": SL 1 Detector Channel, whichever block the creator reserved.
        for block: UInt16 in [0x10, 0x11, 0x4F] {
            let e = try XCTUnwrap(PrivateDictionary.entry(for: Tag(0x0019, block << 8 | 0x02), creator: "GEMS_ACQU_01"))
            XCTAssertEqual(e.vr, .SL)
            XCTAssertEqual(e.vm, "1")
            XCTAssertEqual(e.name, "Detector Channel")
            XCTAssertEqual(e.keyword, "DetectorChannel")
        }
        XCTAssertEqual(PrivateDictionary.entry(for: Tag(0x0019, 0x1003), creator: "GEMS_ACQU_01")?.keyword, "CellNumberAtTheta")
        XCTAssertEqual(PrivateDictionary.entry(for: Tag(0x0029, 0x1010), creator: "SIEMENS CSA HEADER")?.vr, .OB)
    }

    func testCreatorPaddingUnknownCreatorsAndElements() {
        XCTAssertEqual(PrivateDictionary.entry(for: Tag(0x0019, 0x1002), creator: "GEMS_ACQU_01 ")?.vr, .SL, "trailing space of LO padding")
        XCTAssertNil(PrivateDictionary.entry(for: Tag(0x0019, 0x1002), creator: "NO SUCH CREATOR"))
        XCTAssertNil(PrivateDictionary.entry(for: Tag(0x0019, 0x0010), creator: "GEMS_ACQU_01"), "the creator element itself")
        XCTAssertNil(PrivateDictionary.entry(for: Tag(0x0010, 0x1002), creator: "GEMS_ACQU_01"), "public tag")
        XCTAssertGreaterThan(PrivateDictionary.creatorCount, 400)
    }

    func testRepeatingGroupPattern() throws {
        // DLX_ANNOT_01 "70xxxx04": ST Text_annotation, in any group 70xx.
        let e = try XCTUnwrap(PrivateDictionary.entry(for: Tag(0x7001, 0x1004), creator: "DLX_ANNOT_01"))
        XCTAssertEqual(e.vr, .ST)
        XCTAssertEqual(PrivateDictionary.entry(for: Tag(0x7003, 0x1204), creator: "DLX_ANNOT_01")?.vr, .ST)
    }

    func testCreatorReadFromTheDataSet() {
        var ds = DataSet()
        ds.setString(Tag(0x0019, 0x0012), .LO, "GEMS_ACQU_01")
        XCTAssertEqual(PrivateDictionary.entry(for: Tag(0x0019, 0x1211), in: ds)?.vr, .SS)
        XCTAssertNil(PrivateDictionary.entry(for: Tag(0x0019, 0x1311), in: ds), "block 13 has no creator")
    }
}
