import DICOMCore
@testable import DICOMFileSet
import DICOMIO
import XCTest

final class DICOMDIRWriterTests: XCTestCase {
    /// Three patients of 1,200, 1 and 700 images, packed and not, in a tree with a second study and series.
    func fileSet() -> FileSet {
        var a = DICOMDIRDamageTests.patient("A", images: 1200)
        var second = DICOMDIRDamageTests.patient("A", images: 3).children[0]
        second.keys.setString(.studyInstanceUID, .UI, "1.2.1.9")
        second.children[0].keys.setString(.seriesInstanceUID, .UI, "1.2.1.9.1")
        a.children.append(second)
        var c = DICOMDIRDamageTests.patient("CCC", images: 700)
        c.forEachPacking()
        return FileSet(fileSetID: "W", fileSetUID: "1.2.3.98", records: [a, DICOMDIRDamageTests.patient("BB", images: 1), c])
    }

    func testWrittenInPartsAsEncodedAndReadBackWhole() throws {
        let fs = fileSet()
        var parts: [[UInt8]] = []
        try DICOMDIRWriter.write(fs) { parts.append(Array($0)) }
        let whole = parts.flatMap { $0 }
        XCTAssertGreaterThan(parts.count, 1, "a DICOMDIR over 64 KiB is handed over in parts")
        // A part is the 64 KiB chunk plus at most the item that crossed it, never the whole DICOMDIR.
        for p in parts.dropLast() { XCTAssertLessThan(p.count, DICOMDIRWriter.chunk + 1024) }
        XCTAssertEqual(whole, try DICOMDIRWriter.encode(fs))

        // The offsets are followed by the reader: every record is reached, in order, with no problem and no orphan.
        let read = DICOMDIRReader.read(try Part10Reader.read(bytes: whole, path: "DICOMDIR"))
        XCTAssertEqual(read.problems, [])
        XCTAssertEqual(read.orphans.count, 0)
        XCTAssertEqual(read.recordCount, fs.recordCount)
        XCTAssertEqual(read.records.map { $0.keys.string(.patientID) }, ["A", "BB", "CCC"])
        XCTAssertEqual(read.records[0].children.map { $0.children[0].children.count }, [1200, 3])
        XCTAssertEqual(read.records[2].children[0].children[0].children.map(\.referencedFileID), (0..<700).map { FileID(["DICOM", "CCC", "I\($0)"]) })
        // Each record's offset is where its item starts: (FFFE,E000) at that byte.
        for (r, _) in read.allRecords() { XCTAssertEqual(Array(whole[r.offset..<r.offset + 4]), [0xFE, 0xFF, 0x00, 0xE0]) }
    }

    func testEmptyFileSetHasNoRootOffsets() throws {
        var parts = 0
        try DICOMDIRWriter.write(FileSet(fileSetID: "E")) { _ in parts += 1 }
        XCTAssertEqual(parts, 1)
        let read = DICOMDIRReader.read(try Part10Reader.read(bytes: DICOMDIRWriter.encode(FileSet(fileSetID: "E")), path: "DICOMDIR"))
        XCTAssertEqual(read.recordCount, 0)
        XCTAssertEqual(read.problems, [])
    }

    func testAFailingSinkStopsTheWrite() throws {
        struct Full: Error {}
        var calls = 0
        XCTAssertThrowsError(
            try DICOMDIRWriter.write(fileSet()) { _ in
                calls += 1
                if calls == 2 { throw Full() }
            }
        ) { XCTAssertTrue($0 is Full) }
        XCTAssertEqual(calls, 2)
    }
}

extension DirectoryRecord {
    /// Packs this record and every record under it.
    mutating func forEachPacking() {
        pack()
        for i in children.indices { children[i].forEachPacking() }
    }
}
