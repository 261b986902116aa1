import DICOMCore
@testable import DICOMFileSet
import DICOMIO
import XCTest

extension RecordBuilderTests {
    // MARK: - Index of SOP Instance UIDs

    func testIndexedInstancesShareTheRecordsPackedKeys() throws {
        var fs = FileSet()
        var index = FileSetIndex()
        for i in 0..<3 { _ = fs.insert(try built(header(), uid: "1.2.7.\(i)"), index: &index) }
        let records = fs.records[0].children[0].children[0].children
        for (i, r) in records.enumerated() {
            guard case .memory(let held) = try XCTUnwrap(index.instances[Array("1.2.7.\(i)".utf8)]) else { return XCTFail("held in memory") }
            // The same buffer as the record's, not a copy: indexing a file adds no bytes of its own.
            XCTAssertEqual(held.withUnsafeBufferPointer { $0.baseAddress }, r.packed.withUnsafeBufferPointer { $0.baseAddress })
        }
    }

    func testIndexKeepsUIDsWhoseHashesCollideApart() throws {
        var fs = FileSet()
        var index = FileSetIndex()
        index.instances.hash = { _ in 7 }  // every UID has the same hash
        for i in 0..<5 {
            XCTAssertEqual(fs.insert(try built(header(), uid: "1.2.6.\(i)"), index: &index), .inserted(problems: []))
        }
        XCTAssertEqual(index.instanceCount, 5)
        for i in 0..<5 {
            XCTAssertEqual(
                fs.insert(try built(header(), uid: "1.2.6.\(i)", file: "OTHER"), index: &index), .duplicate(existingFileID: FileID(["IMG", "I\(i)"])))
            XCTAssertEqual(index.fileID(forSOPInstanceUID: "1.2.6.\(i)"), .some(FileID(["IMG", "I\(i)"])))
        }
        XCTAssertFalse(index.contains(sopInstanceUID: "1.2.6.9"))
        XCTAssertEqual(fs.recordCount, 3 + 5, "no duplicate inserted")

        // A record that is not packed (read from a DICOMDIR, or one that cannot be packed) is indexed by its UID and
        // File ID, colliding too; one without a File ID is found and has none.
        var unpacked = DirectoryRecord(type: .image)
        unpacked.keys.setString(.referencedSOPInstanceUIDInFile, .UI, "1.2.6.77")
        unpacked.keys.setString(.referencedFileID, .CS, ["A", "B"])
        var noFile = DirectoryRecord(type: .image)
        noFile.keys.setString(.referencedSOPInstanceUIDInFile, .UI, "1.2.6.78")
        XCTAssertTrue(unpacked.packed.isEmpty)
        index.instances.insert(Array("1.2.6.77".utf8), record: unpacked)
        index.instances.insert(Array("1.2.6.78".utf8), record: noFile)
        XCTAssertEqual(index.fileID(forSOPInstanceUID: "1.2.6.77"), .some(FileID(["A", "B"])))
        XCTAssertEqual(index.fileID(forSOPInstanceUID: "1.2.6.78"), .some(nil))
        XCTAssertEqual(index.instanceCount, 7)
    }

    func testPatientStudyAndSeriesKeysWhoseHashesCollideStayApart() throws {
        // Built twice, once with real hashes and once with every key colliding: the same tree either way.
        func tree(colliding: Bool) throws -> FileSet {
            var fs = FileSet()
            var index = FileSetIndex()
            if colliding {
                index.patientTable.hash = { _ in 3 }; index.studyTable.hash = { _ in 3 }; index.seriesTable.hash = { _ in 3 }
            }
            var n = 0
            for (k, p) in ["A", "B", "", "C"].enumerated() {
                for st in 1...2 {
                    for se in 1...2 {
                        for _ in 0..<2 {
                            n += 1
                            let h = header(patient: p, study: "1.2.5.\(k).\(st)", series: "1.2.5.\(k).\(st).\(se)")
                            XCTAssertTrue(fs.insert(try built(h, uid: "1.2.5.9.\(n)"), index: &index).isInserted)
                        }
                    }
                }
            }
            // An edit the index does not know of is noticed among colliding keys too.
            fs.records.removeFirst()
            XCTAssertTrue(fs.insert(try built(header(patient: "C", study: "1.2.5.3.1", series: "1.2.5.3.1.1"), uid: "1.2.5.9.99"), index: &index).isInserted)
            fs.fileSetUID = "1.2.5.0"
            return fs
        }
        let colliding = try tree(colliding: true), plain = try tree(colliding: false)
        // B; the two studies without a Patient ID, each under a PATIENT of its own (RecordBuilder); C, with the late instance.
        XCTAssertEqual(colliding.records.count, 4)
        XCTAssertEqual(colliding.records[0].keys.string(.patientID), "B")
        XCTAssertEqual(colliding.records[3].keys.string(.patientID), "C")
        XCTAssertEqual(
            colliding.records.map { $0.children.map { $0.children.map { $0.children.count } } },
            [[[2, 2], [2, 2]], [[2, 2]], [[2, 2]], [[3, 2], [2, 2]]])
        XCTAssertEqual(try DICOMDIRWriter.encode(colliding), try DICOMDIRWriter.encode(plain))
        XCTAssertEqual(colliding.recordCount, plain.recordCount)
    }
}
