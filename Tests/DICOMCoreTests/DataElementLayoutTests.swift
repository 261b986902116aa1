import DICOMCore
import XCTest

/// Every data set held in memory (records of a 100,000-file DICOMDIR, plans) is an array of elements: their size matters.
final class DataElementLayoutTests: XCTestCase {
    func testAnElementIsThreeWords() {
        XCTAssertEqual(MemoryLayout<Value>.size, 8, "a value is one word (fragments boxed)")
        XCTAssertEqual(MemoryLayout<DataElement>.stride, 24, "tag, VR and flag share a word")
        XCTAssertEqual(MemoryLayout<SpecificCharacterSet>.size, 8, "a character set is one shared reference")
        XCTAssertEqual(MemoryLayout<DataSet>.stride, 24, "elements, character set and item offset")
        let a = SpecificCharacterSet(terms: ["ISO 2022 IR 87 "]), b = SpecificCharacterSet(terms: ["ISO 2022 IR 87"])
        XCTAssertEqual(a, b, "equal terms (spaces trimmed) are one character set")
        XCTAssertNotEqual(a, .default)
        // Boxed fragments read back as they were given.
        let f = PixelFragments(basicOffsetTable: [0, 4], fragments: [[1, 2, 3, 4], [5, 6]])
        let e = DataElement(tag: .pixelData, vr: .OB, value: .fragments(f), hadUndefinedLength: true)
        XCTAssertEqual(e.fragments, f)
        XCTAssertTrue(e.hadUndefinedLength)
        XCTAssertNil(e.bytes)
    }
}
