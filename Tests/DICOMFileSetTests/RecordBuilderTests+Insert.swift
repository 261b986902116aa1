import DICOMCore
import DICOMFileSet
import DICOMIO
import Foundation
import XCTest

extension RecordBuilderTests {
    // MARK: - Insert

    func built(_ ds: DataSet, uid: String, profile: String = "STD-GEN-CD", file: String? = nil) throws -> BuiltRecords {
        try builder(profile).build(
            header: ds, sopClassUID: "1.2.840.10008.5.1.4.1.1.7", sopInstanceUID: uid, transferSyntaxUID: ele,
            fileID: FileID(["IMG", file ?? "I\(uid.split(separator: ".").last!)"]), source: uid)
    }

    func testInsertSharesParentsAndDetectsDuplicates() throws {
        var fs = FileSet()
        var index = FileSetIndex(fs)
        for i in 0..<5 {
            XCTAssertEqual(fs.insert(try built(header(), uid: "1.2.9.\(i)"), index: &index), .inserted(problems: []))
        }
        XCTAssertEqual(fs.records.count, 1)
        XCTAssertEqual(fs.records[0].type, .patient)
        XCTAssertEqual(fs.records[0].children.count, 1)
        XCTAssertEqual(fs.records[0].children[0].children.count, 1)
        let instances = fs.records[0].children[0].children[0].children
        XCTAssertEqual(instances.count, 5)
        XCTAssertEqual(instances.map(\.referencedSOPInstanceUID), (0..<5).map { "1.2.9.\($0)" })
        // Every inserted record is held packed: its keys as one encoded buffer, read back unchanged.
        for (i, r) in instances.enumerated() {
            XCTAssertFalse(r.packed.isEmpty)
            XCTAssertEqual(r.type, .image)
            XCTAssertEqual(r.referencedFileID, FileID(["IMG", "I\(i)"]))
            XCTAssertEqual(r.keys.string(.referencedSOPInstanceUIDInFile), "1.2.9.\(i)")
            XCTAssertEqual(r.keys.string(.referencedTransferSyntaxUIDInFile), ele)
        }
        for r in [fs.records[0], fs.records[0].children[0], fs.records[0].children[0].children[0]] {
            XCTAssertFalse(r.packed.isEmpty)
            XCTAssertNil(r.referencedFileID)
            XCTAssertNotNil(r.keys[.directoryRecordType])
        }
        // Another series and study of the same patient.
        _ = fs.insert(try built(header(series: "1.2.3.1.2"), uid: "1.2.9.10"), index: &index)
        _ = fs.insert(try built(header(study: "1.2.3.2", series: "1.2.3.2.1"), uid: "1.2.9.11"), index: &index)
        XCTAssertEqual(fs.records.count, 1)
        XCTAssertEqual(fs.records[0].children.count, 2)
        XCTAssertEqual(fs.records[0].children[0].children.count, 2)
        XCTAssertEqual(fs.recordCount, 1 + 2 + 3 + 7)

        let again = fs.insert(try built(header(), uid: "1.2.9.3", file: "OTHER"), index: &index)
        XCTAssertEqual(again, .duplicate(existingFileID: FileID(["IMG", "I3"])))
        XCTAssertEqual(fs.recordCount, 13, "nothing inserted")

        // A fresh index over the tree sees the same instances.
        var rebuilt = FileSetIndex(fs)
        XCTAssertEqual(rebuilt.instanceCount, 7)
        XCTAssertEqual(rebuilt.fileID(forSOPInstanceUID: "1.2.9.3"), .some(FileID(["IMG", "I3"])))
        XCTAssertNil(rebuilt.fileID(forSOPInstanceUID: "1.2.9.99"))
        XCTAssertFalse(fs.insert(try built(header(), uid: "1.2.9.4"), index: &rebuilt).isInserted)
        XCTAssertTrue(fs.insert(try built(header(), uid: "1.2.9.5"), index: &rebuilt).isInserted)
        XCTAssertEqual(fs.records[0].children[0].children[0].children.count, 6)
    }

    func testInsertReportsConflicts() throws {
        var fs = FileSet()
        var index = FileSetIndex()
        _ = fs.insert(try built(header(), uid: "1.2.8.1"), index: &index)
        let renamed = fs.insert(try built(header(name: "Doe^John"), uid: "1.2.8.2"), index: &index)
        XCTAssertEqual(renamed.problems.map(\.code), [.patientNameConflict])
        XCTAssertEqual(renamed.problems.first?.severity, .warning)
        XCTAssertEqual(renamed.problems.first?.fileID, "IMG/I2")
        XCTAssertEqual(fs.records[0].keys.string(.patientName), "Doe^Jane", "the record keeps the first name")
        XCTAssertEqual(fs.insert(try built(header(name: "Doe^John"), uid: "1.2.8.3"), index: &index).problems, [], "reported once")

        let moved = fs.insert(try built(header(patient: "PID2"), uid: "1.2.8.4"), index: &index)
        XCTAssertEqual(moved.problems.map(\.code), [.studyUnderTwoPatients])
        XCTAssertEqual(moved.problems.first?.severity, .error)
        XCTAssertEqual(fs.records.count, 1, "no second PATIENT for a study that already exists")
        XCTAssertEqual(fs.records[0].children.count, 1, "Study Instance UID stays unique")
        XCTAssertEqual(fs.records[0].children[0].children[0].children.count, 4)

        // A new study of the second patient creates its PATIENT record.
        _ = fs.insert(try built(header(patient: "PID2", study: "1.2.3.5", series: "1.2.3.5.1"), uid: "1.2.8.5"), index: &index)
        XCTAssertEqual(fs.records.map { $0.keys.string(.patientID) }, ["PID1", "PID2"])
    }

    func testIndexNoticesATreeEditedWithoutIt() throws {
        var fs = FileSet()
        var index = FileSetIndex(fs)
        _ = fs.insert(try built(header(patient: "A", study: "1.2.4.1", series: "1.2.4.1.1"), uid: "1.2.4.9.1"), index: &index)
        _ = fs.insert(try built(header(patient: "B", study: "1.2.4.2", series: "1.2.4.2.1"), uid: "1.2.4.9.2"), index: &index)
        fs.records.removeFirst()
        XCTAssertTrue(fs.insert(try built(header(patient: "B", study: "1.2.4.2", series: "1.2.4.2.1"), uid: "1.2.4.9.3"), index: &index).isInserted)
        XCTAssertEqual(fs.records.count, 1)
        XCTAssertEqual(fs.records[0].children[0].children[0].children.map(\.referencedSOPInstanceUID), ["1.2.4.9.2", "1.2.4.9.3"])
    }

    func testParentLevelConditionalKeysAreFilledByLaterInstances() throws {
        var fs = FileSet()
        var index = FileSetIndex(fs)
        var first = header()
        first.setString(.patientSex, .CS, "")
        let b1 = try built(first, uid: "1.2.7.1", profile: "STD-GEN-DVD-JPEG")
        XCTAssertNil(b1.patient[.patientSex])
        _ = fs.insert(b1, index: &index)
        XCTAssertNil(fs.records[0].keys[.patientSex])
        XCTAssertNil(fs.records[0].children[0].children[0].keys[.institutionName])

        var second = header()
        second.setString(.patientSex, .CS, "F")
        second.setString(.patientBirthDate, .DA, "19700101")
        second.setString(.institutionName, .LO, "General Hospital")
        XCTAssertEqual(fs.insert(try built(second, uid: "1.2.7.2", profile: "STD-GEN-DVD-JPEG"), index: &index).problems, [])
        XCTAssertEqual(fs.records[0].keys.string(.patientSex), "F")
        XCTAssertEqual(fs.records[0].keys.string(.patientBirthDate), "19700101")
        XCTAssertEqual(fs.records[0].children[0].children[0].keys.string(.institutionName), "General Hospital")

        var third = header()
        third.setString(.patientSex, .CS, "M")
        _ = fs.insert(try built(third, uid: "1.2.7.3", profile: "STD-GEN-DVD-JPEG"), index: &index)
        XCTAssertEqual(fs.records[0].keys.string(.patientSex), "F", "an existing value is kept")
    }

    func testInsertIntoAnExistingDICOMDIR() throws {
        var fs = try DICOMDIRReader.read(path: PolicyCorpus.path("pydicom-3.0.2/dicomdirtests/DICOMDIR"))
        var index = FileSetIndex(fs)
        XCTAssertEqual(index.instanceCount, 31)
        let before = fs.recordCount
        XCTAssertEqual(before, 52)
        let file = try Part10Reader.read(path: PolicyCorpus.path("pydicom-3.0.2/dicomdirtests/77654033/CR1/6154"), options: .headerOnly)
        let ds = file.dataSet
        let b = try builder().build(
            header: ds, sopClassUID: ds.string(.sopClassUID)!, sopInstanceUID: ds.string(.sopInstanceUID)!,
            transferSyntaxUID: ele, fileID: FileID(["NEW"]), source: "6154")
        XCTAssertEqual(fs.insert(b, index: &index), .duplicate(existingFileID: FileID(["77654033", "CR1", "6154"])))
        XCTAssertEqual(fs.recordCount, before)

        // The same instance under a new SOP Instance UID joins the existing patient, study and series.
        let copy = try builder().build(
            header: ds, sopClassUID: ds.string(.sopClassUID)!, sopInstanceUID: "1.2.826.0.1.3680043.99.1",
            transferSyntaxUID: ele, fileID: FileID(["NEW"]), source: "copy")
        XCTAssertTrue(fs.insert(copy, index: &index).isInserted)
        XCTAssertEqual(fs.recordCount, before + 1)
    }

    /// 20,000 instances (20 patients x 10 studies x 10 series x 10 instances) through build and insert;
    /// with the index each insert is O(1), so this finishes quickly (no timing assertion).
    func testTwentyThousandInstances() throws {
        let b = builder("STD-GEN-USB-JPEG")
        var fs = FileSet()
        var index = FileSetIndex(fs)
        var n = 0
        for p in 0..<20 {
            for s in 0..<10 {
                for e in 0..<10 {
                    var ds = header(patient: "P\(p)", name: "Name^\(p)", study: "1.2.5.\(p).\(s)", series: "1.2.5.\(p).\(s).\(e)")
                    ds.setUInt16(.rows, [16]); ds.setUInt16(.columns, [16])
                    for i in 0..<10 {
                        let rec = try b.build(
                            header: ds, sopClassUID: "1.2.840.10008.5.1.4.1.1.7", sopInstanceUID: "1.2.6.\(n)",
                            transferSyntaxUID: ele, fileID: FileID(["P\(p)", "S\(s)", "E\(e)", "I\(i)"]), source: "synthetic")
                        guard case .inserted(let problems) = fs.insert(rec, index: &index), problems.isEmpty else {
                            return XCTFail("instance \(n) not inserted cleanly")
                        }
                        n += 1
                    }
                }
            }
        }
        XCTAssertEqual(n, 20_000)
        XCTAssertEqual(fs.records.count, 20)
        XCTAssertEqual(fs.recordCount, 20 + 200 + 2_000 + 20_000)
        XCTAssertEqual(index.instanceCount, 20_000)
        XCTAssertEqual(fs.records[7].children[3].children[2].children[9].referencedFileID, FileID(["P7", "S3", "E2", "I9"]))
    }
}
