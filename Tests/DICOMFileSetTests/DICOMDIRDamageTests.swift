import DICOMCore
@testable import DICOMFileSet
import DICOMIO
import XCTest

/// A DICOMDIR whose root links are damaged still yields every record any link reaches (PS3.3 F.2.1, F.3.2.1).
final class DICOMDIRDamageTests: XCTestCase {
    static func patient(_ id: String, images: Int) -> DirectoryRecord {
        var p = DirectoryRecord(type: .patient)
        p.keys.setString(.patientID, .LO, id)
        var st = DirectoryRecord(type: .study)
        st.keys.setString(.studyInstanceUID, .UI, "1.2.\(id.count).1")
        var se = DirectoryRecord(type: .series)
        se.keys.setString(.seriesInstanceUID, .UI, "1.2.\(id.count).2")
        for n in 0..<images {
            var im = DirectoryRecord(type: .image)
            im.keys.setString(.instanceNumber, .IS, "\(n + 1)")
            im.referencedFileID = FileID(["DICOM", id, "I\(n)"])
            se.children.append(im)
        }
        st.children = [se]
        p.children = [st]
        return p
    }

    /// Encodes two patients, then rewrites the first root offset with `first` (nil: keep) via `patch`.
    func damaged(_ patch: (inout [UInt8], _ firstRootAt: Int, _ records: FileSet) -> Void) throws -> FileSet {
        let fs = FileSet(fileSetID: "T", records: [Self.patient("A", images: 2), Self.patient("BB", images: 3)])
        var bytes = try DICOMDIRWriter.encode(fs)
        let tag: [UInt8] = [0x04, 0x00, 0x00, 0x12, 0x55, 0x4C, 0x04, 0x00]
        let at = try XCTUnwrap((0..<(bytes.count - 8)).first { Array(bytes[$0..<$0 + 8]) == tag }) + 8
        let clean = DICOMDIRReader.read(try Part10Reader.read(bytes: bytes, path: "DICOMDIR"))
        patch(&bytes, at, clean)
        return DICOMDIRReader.read(try Part10Reader.read(bytes: bytes, path: "DICOMDIR"))
    }

    func count(_ list: [DirectoryRecord]) -> Int { list.reduce(0) { $0 + $1.subtreeCount } }

    func testFirstRootOffsetSkippingARecordLeavesAnOrphanThatIsKept() throws {
        let fs = try damaged { b, at, clean in
            let second = UInt32(clean.records[1].offset)
            for i in 0..<4 { b[at + i] = UInt8(second >> (8 * UInt32(i)) & 0xFF) }
        }
        XCTAssertEqual(fs.records.count, 1)
        XCTAssertEqual(fs.orphans.first?.keys.string(.patientID), "A")
        XCTAssertEqual(count(fs.records) + count(fs.orphans), 2 * 3 + 5)
        XCTAssertTrue(fs.problems.contains { $0.code == .orphanRecord })
        XCTAssertFalse(fs.problems.contains { $0.code == .recordLoop }, "the orphan's chain joining the root chain is no loop")
    }

    func testBrokenFirstRootOffsetFollowsTheRecordsOwnLinks() throws {
        let fs = try damaged { b, at, _ in b[at] &+= 3 }
        XCTAssertEqual(fs.records.map { $0.keys.string(.patientID) }, ["A", "BB"])
        XCTAssertEqual(count(fs.records), 11)
        XCTAssertTrue(fs.problems.contains { $0.code == .offsetNotItem })
    }

    func testUnknownRecordTypeAtTheTopIsReportedAndKept() throws {
        let fs = try damaged { b, _, clean in
            let start = clean.records[0].offset
            let pat = Array("PATIENT ".utf8)
            let i = (start..<(b.count - 8)).first { Array(b[$0..<$0 + 8]) == pat }!
            b.replaceSubrange(i..<i + 8, with: Array("UNKNOWN ".utf8))
        }
        XCTAssertEqual(fs.records.first?.type.rawValue, "UNKNOWN")
        XCTAssertEqual(count(fs.records), 11)
        XCTAssertTrue(fs.problems.contains { $0.code == .rootRecordType })
    }

    /// Keeping only some elements of each record as the DICOMDIR is parsed gives the same tree, with only those keys.
    func testRecordsReadWithOnlySomeElementsKeepTheTree() throws {
        let fs = FileSet(fileSetID: "T", records: [Self.patient("A", images: 2), Self.patient("BB", images: 3)])
        let bytes = try DICOMDIRWriter.encode(fs)
        let full = DICOMDIRReader.read(try Part10Reader.read(bytes: bytes, path: "DICOMDIR"))
        var only = ReadOptions()
        only.itemElements = (.directoryRecordSequence, DICOMDIRReader.linkTags.union([.directoryRecordType, .referencedFileID]))
        let slim = DICOMDIRReader.read(try Part10Reader.read(bytes: bytes, path: "DICOMDIR", options: only))
        XCTAssertEqual(slim.problems.map(\.code), full.problems.map(\.code))
        let a = full.allRecords(includingOrphans: true).map(\.0), b = slim.allRecords(includingOrphans: true).map(\.0)
        XCTAssertEqual(b.count, 11)
        XCTAssertEqual(b.map(\.type), a.map(\.type))
        XCTAssertEqual(b.map(\.referencedFileID), a.map(\.referencedFileID))
        XCTAssertEqual(b.map(\.offset), a.map(\.offset))
        XCTAssertNil(b[0].keys.string(.patientID))
        XCTAssertEqual(a[0].keys.string(.patientID), "A")
        XCTAssertTrue(b.allSatisfy { Set($0.keys.map(\.tag)).isSubset(of: [.directoryRecordType, .referencedFileID]) })
    }
}
