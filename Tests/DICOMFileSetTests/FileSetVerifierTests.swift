import DICOMCore
import DICOMFileSet
import DICOMIO
import Foundation
import TestSupport
import XCTest

/// Each check of ``FileSetVerifier`` proven by a File-set made to have exactly that problem.
final class FileSetVerifierTests: XCTestCase {
    var fixtures: [VerifierFileSet] = []
    override func tearDown() { fixtures.forEach { $0.remove() }; fixtures = [] }

    func clean(images: Int = 2, sopClass: String = VerifierUID.ct, bits: Int = 16) throws -> VerifierFileSet {
        let f = try VerifierFileSet.clean(images: images, sopClass: sopClass, bits: bits)
        fixtures.append(f)
        return f
    }

    // MARK: Clean File-sets

    func testCleanFileSetHasNoProblems() throws {
        let f = try clean()
        let problems = try f.writeAndVerify()
        XCTAssertEqual(problems, [], problems.map(\.description).joined(separator: "\n"))
        for id in ["STD-GEN-CD", "STD-GEN-USB-JPEG", "STD-CTMR-CD"] {
            assertProblemCodes(try f.verifyOnDisk(profile: ApplicationProfile.named(id)!), [])
        }
    }

    func testManyFilesInParallelWithProgress() throws {
        let f = try clean(images: 60)
        try f.write()
        try writeTestFile(Array("plain text\n".utf8), to: f.root + "/README")
        let log = VerifierProgressLog()
        let problems = try f.verifyOnDisk(progress: { log.record($0, $1) })
        assertProblemCodes(problems, [])
        let calls = log.all
        XCTAssertEqual(calls.first?.0, 0)
        XCTAssertTrue(calls.contains { $0.0 == 61 && $0.1 == 61 }, "the last call reports every file done: \(calls.suffix(3))")
        XCTAssertTrue(calls.allSatisfy { $0.1 == 61 && $0.0 <= 61 })
    }

    // MARK: Record types and placement (PS3.3 F.3.2.2, F.4)

    func testRecordMisplaced() throws {
        var f = try clean()
        // An IMAGE record directly in the root, a STUDY under a SERIES.
        let image = f.record(VerifierFileSet.imagePath(1))
        f.edit([0, 0, 0]) { $0.children.removeLast() }
        f.fileSet.records.append(image)
        let studyKeys = f.record([0, 0]).keys
        f.edit([0, 0, 0]) { $0.children.append(DirectoryRecord(type: .study, keys: studyKeys)) }
        let problems = try f.writeAndVerify()
        assertProblemCodes(problems, ["record-misplaced", "duplicate-study", "empty-record"])
        XCTAssertEqual(problems.filter { $0.code == "record-misplaced" }.count, 2)
        let p = assertProblem(problems, "record-misplaced", .error, fileID: "DICOM/IM000002")
        XCTAssertEqual(p?.rule, "PS3.3 F.4, Table F.4-1")
        XCTAssertNotNil(p?.offset)
    }

    func testUnknownAndRetiredRecordTypes() throws {
        var f = try clean()
        f.edit([0, 0, 0]) { $0.children.append(DirectoryRecord(type: DirectoryRecordType("FUTURE THING"))) }
        f.edit([0]) { $0.children.append(DirectoryRecord(type: DirectoryRecordType("VISIT"))) }
        let problems = try f.writeAndVerify()
        assertProblemCodes(problems, ["record-type-unknown", "record-type-retired"])
        assertProblem(problems, "record-type-unknown", .warning)
        assertProblem(problems, "record-type-retired", .warning)
    }

    func testMissingRecordType() throws {
        var f = try clean()
        f.edit([0, 0, 0]) { var k = DataSet(); k.setString(.instanceNumber, .IS, "9"); $0.children.append(DirectoryRecord(type: .image, keys: k)) }
        f.edit([0, 0, 0, 2]) { $0.keys.remove(.directoryRecordTypeTag) }
        assertProblemCodes(try f.writeAndVerify(), ["record-type-missing"])
    }

    func testPrivateRecordWithoutPrivateRecordUID() throws {
        var f = try clean()
        f.edit([0, 0, 0]) { $0.children.append(DirectoryRecord(type: .private)) }
        let problems = try f.writeAndVerify()
        assertProblemCodes(problems, ["private-record-uid"])
        assertProblem(problems, "private-record-uid", .error)
        // With the UID it is a proper extension (PS3.3 F.6).
        f.edit([0, 0, 0, 2]) { $0.keys.setString(.privateRecordUIDTag, .UI, "1.2.3.4.5") }
        assertProblemCodes(try f.writeAndVerify(), [])
    }

    // MARK: Keys (PS3.3 F.5, PS3.11)

    func testMissingType1AndType2Keys() throws {
        var f = try clean()
        f.edit([0, 0]) { $0.keys.remove(.studyDate); $0.keys.remove(.accessionNumber) }
        f.edit([0]) { $0.keys.setString(.patientID, .LO, "") }
        let problems = try f.writeAndVerify()
        assertProblemCodes(problems, ["missing-type1-key", "missing-type2-key"])
        XCTAssertEqual(problems.filter { $0.code == "missing-type1-key" }.count, 2)
        let p = assertProblem(problems, "missing-type2-key", .error)
        XCTAssertEqual(p?.rule, "PS3.3 F.5.2")
    }

    func testType1CKeyRequiredByTheInstance() throws {
        // STD-GEN-CD: Image Type is 1C "if present in the image" (PS3.11 Table D.3-2).
        var f = try clean()
        f.edit(VerifierFileSet.imagePath(0)) { $0.keys.remove(.imageType) }
        let problems = try f.writeAndVerify(profile: ApplicationProfile.named("STD-GEN-CD"))
        assertProblemCodes(problems, ["missing-type1c-key"])
        let p = assertProblem(problems, "missing-type1c-key", .error, fileID: "DICOM/IM000001")
        XCTAssertTrue(p?.rule.hasPrefix("STD-GEN-CD") ?? false, p?.rule ?? "")
        // Without a profile Image Type is not a key of the IMAGE record.
        assertProblemCodes(try f.verifyOnDisk(), [])
    }

    func testType1CKeyRequiredByTheInstancesBelow() throws {
        // STD-GEN-USB-JPEG: PATIENT Patient's Birth Date is 1C if any instance below has a value (Table H.3-2).
        var f = try clean()
        f.instances[1].dataSet.setString(.patientBirthDate, .DA, "19700101")
        let problems = try f.writeAndVerify(profile: ApplicationProfile.named("STD-GEN-USB-JPEG"))
        assertProblemCodes(problems, ["missing-type1c-key"])
        let p = assertProblem(problems, "missing-type1c-key", .error)
        XCTAssertTrue(p?.message.contains("PATIENT") ?? false)
        f.edit([0]) { $0.keys.setString(.patientBirthDate, .DA, "19700101") }
        assertProblemCodes(try f.writeAndVerify(profile: ApplicationProfile.named("STD-GEN-USB-JPEG")), [])
    }

    // MARK: File references of records (PS3.3 F.3.2.2)

    func testInstanceRecordWithoutFile() throws {
        var f = try clean()
        f.edit(VerifierFileSet.imagePath(1)) {
            for t in [Tag.referencedFileIDTag, .referencedSOPClassUIDInFileTag, .referencedSOPInstanceUIDInFileTag, .referencedTransferSyntaxUIDInFileTag] {
                $0.keys.remove(t)
            }
        }
        let problems = try f.writeAndVerify()
        // The file it should reference is now referenced by nothing.
        assertProblemCodes(problems, ["instance-no-file", "unreferenced-file"])
        assertProblem(problems, "instance-no-file", .error)
        assertProblem(problems, "unreferenced-file", .error, fileID: "DICOM/IM000002")
    }

    func testMissingReferencedUIDs() throws {
        var f = try clean()
        f.edit(VerifierFileSet.imagePath(0)) { $0.keys.remove(.referencedTransferSyntaxUIDInFileTag) }
        let problems = try f.writeAndVerify()
        assertProblemCodes(problems, ["missing-referenced-uid"])
        XCTAssertTrue(assertProblem(problems, "missing-referenced-uid", .error, fileID: "DICOM/IM000001")?.message.contains("(0004,1512)") ?? false)
    }

    func testSeriesRecordReferencingAFile() throws {
        var f = try clean()
        var extra = f.instances[0]
        extra.fileID = ["DICOM", "SERIES"]
        extra.dataSet.setString(.sopInstanceUID, .UI, UID.make())
        f.instances.append(extra)
        let ref = VerifierFixture.image(extra)
        f.edit([0, 0, 0]) { for e in ref.keys where e.tag.group == 0x0004 && e.tag != .directoryRecordTypeTag { $0.keys.set(e) } }
        let problems = try f.writeAndVerify()
        assertProblemCodes(problems, ["intermediate-references-file"])
        assertProblem(problems, "intermediate-references-file", .warning, fileID: "DICOM/SERIES")
    }

    func testEmptyIntermediateRecord() throws {
        var f = try clean()
        var keys = f.record([0, 0, 0]).keys
        keys.setString(.seriesInstanceUID, .UI, UID.make())
        f.edit([0, 0]) { $0.children.append(DirectoryRecord(type: .series, keys: keys)) }
        assertProblemCodes(try f.writeAndVerify(), ["empty-record"])
    }

    // MARK: Referenced File IDs and files (PS3.10 8.2, 8.5; PS3.3 F.2.1)

    func testNonConformantFileID() throws {
        var f = try clean()
        f.instances[0].fileID = ["DICOM", "im-1"]
        f.rebuildTree()
        let problems = try f.writeAndVerify()
        assertProblemCodes(problems, ["file-id-nonconformant"])
        assertProblem(problems, "file-id-nonconformant", .error, fileID: "DICOM/im-1")
        // Nine components, one of nine characters.
        f.instances[0].fileID = ["A", "B", "C", "D", "E", "F", "G", "H", "ABCDEFGHI"]
        f.rebuildTree()
        assertProblemCodes(try f.writeAndVerify(), ["file-id-nonconformant", "unreferenced-file"])
    }

    func testFileIDOutsideTheRootIsNeverRead() throws {
        var f = try clean()
        try f.write()
        // A file outside the root that would fail to read if it were opened.
        let outside = (f.root as NSString).deletingLastPathComponent + "/OUTSIDE-\(UUID().uuidString.prefix(8))"
        try writeTestFile(Array("not DICOM".utf8), to: outside)
        defer { try? FileManager.default.removeItem(atPath: outside) }
        try FileManager.default.removeItem(atPath: f.root + "/DICOM/IM000002")
        f.instances.removeLast()
        f.edit(VerifierFileSet.imagePath(1)) { $0.keys.setString(.referencedFileIDTag, .CS, ["..", (outside as NSString).lastPathComponent]) }
        try Part10Writer.write(DICOMDIRWriter.encode(f.fileSet), to: f.dicomdirPath)
        let problems = try f.verifyOnDisk()
        assertProblemCodes(problems, ["file-id-outside-root"])
        assertProblem(problems, "file-id-outside-root", .error)
    }

    func testMissingFile() throws {
        let f = try clean()
        try f.write()
        try FileManager.default.removeItem(atPath: f.root + "/DICOM/IM000002")
        let problems = try f.verifyOnDisk()
        assertProblemCodes(problems, ["file-missing"])
        assertProblem(problems, "file-missing", .error, fileID: "DICOM/IM000002")
    }

    func testFileFoundOnlyUnderAVariantName() throws {
        let f = try clean()
        try f.write()
        try FileManager.default.moveItem(atPath: f.root + "/DICOM/IM000002", toPath: f.root + "/DICOM/im000002.dcm")
        let problems = try f.verifyOnDisk()
        assertProblemCodes(problems, ["file-id-variant"])
        XCTAssertTrue(assertProblem(problems, "file-id-variant", .warning, fileID: "DICOM/IM000002")?.message.contains("im000002.dcm") ?? false)
    }

    func testUnreadableFile() throws {
        let f = try clean()
        try f.write()
        try writeTestFile(Array("this is not a DICOM file at all".utf8), to: f.root + "/DICOM/IM000001")
        let problems = try f.verifyOnDisk()
        assertProblemCodes(problems, ["file-unreadable"])
        assertProblem(problems, "file-unreadable", .error, fileID: "DICOM/IM000001")
    }

    func testFileWithoutFileMeta() throws {
        var f = try clean()
        f.instances[1].bare = true
        let problems = try f.writeAndVerify()
        assertProblemCodes(problems, ["file-no-meta"])
        assertProblem(problems, "file-no-meta", .error, fileID: "DICOM/IM000002")
    }

    func testFileWhoseMetaDisagreesWithItsDataSet() throws {
        let f = try clean()
        try f.write()
        // Change one digit of (0002,0003) only: the first occurrence of the UID is in the File Meta.
        let path = f.root + "/DICOM/IM000001"
        var bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
        let uid = Array(f.instances[0].sopInstanceUID.utf8)
        let at = (0...(bytes.count - uid.count)).first { Array(bytes[$0..<($0 + uid.count)]) == uid }!
        XCTAssertLessThan(at, 400, "the first copy is in the File Meta")
        bytes[at + uid.count - 1] = bytes[at + uid.count - 1] == 0x31 ? 0x32 : 0x31
        try writeTestFile(bytes, to: path)
        let problems = try f.verifyOnDisk()
        assertProblemCodes(problems, ["file-meta-mismatch"])
        assertProblem(problems, "file-meta-mismatch", .error, fileID: "DICOM/IM000001")
    }

    func testFileReferencedTwice() throws {
        var f = try clean()
        var again = f.record(VerifierFileSet.imagePath(0))
        again.keys.setString(.instanceNumber, .IS, "3")
        f.edit([0, 0, 0]) { $0.children.append(again) }
        let problems = try f.writeAndVerify()
        // The second record also repeats the SOP Instance UID.
        assertProblemCodes(problems, ["file-referenced-twice", "duplicate-sop-instance"])
        assertProblem(problems, "file-referenced-twice", .error, fileID: "DICOM/IM000001")
    }

    // MARK: Records against their files

    func testRecordUIDsDisagreeWithTheFile() throws {
        let cases: [(Tag, String, DiagnosticCode)] = [
            (.referencedSOPClassUIDInFileTag, VerifierUID.mr, "sop-class-mismatch"),
            (.referencedSOPInstanceUIDInFileTag, UID.make(), "sop-instance-mismatch"),
            (.referencedTransferSyntaxUIDInFileTag, VerifierUID.implicitLE, "transfer-syntax-mismatch"),
        ]
        for (tag, value, code) in cases {
            var f = try clean()
            f.edit(VerifierFileSet.imagePath(1)) { $0.keys.setString(tag, .UI, value) }
            let problems = try f.writeAndVerify()
            assertProblemCodes(problems, [code])
            assertProblem(problems, code, .error, fileID: "DICOM/IM000002")
        }
    }

    func testFileDisagreesWithEnclosingPatientStudySeries() throws {
        let cases: [(Tag, VR, DiagnosticCode)] = [
            (.patientID, .LO, "patient-id-mismatch"), (.studyInstanceUID, .UI, "study-uid-mismatch"), (.seriesInstanceUID, .UI, "series-uid-mismatch"),
        ]
        for (tag, vr, code) in cases {
            var f = try clean()
            // The tree is built from the clean instances; then the second file is written with another value.
            f.instances[1].dataSet.setString(tag, vr, tag == .patientID ? "OTHER" : UID.make())
            let problems = try f.writeAndVerify()
            assertProblemCodes(problems, [code])
            assertProblem(problems, code, .error, fileID: "DICOM/IM000002")
        }
    }

    func testValueSuppliedByTheCreatorIsOnlyNoted() throws {
        var f = try clean()
        f.instances[1].dataSet.remove(.patientID)
        let problems = try f.writeAndVerify()
        assertProblemCodes(problems, [])
        assertProblem(problems, "key-supplied", .info, fileID: "DICOM/IM000002")
    }

    // MARK: Uniqueness (PS3.3 F.5 / digest §1.7 rules 6-8)

    func testDuplicateSOPInstanceUID() throws {
        var f = try clean()
        f.instances[1].dataSet.setString(.sopInstanceUID, .UI, f.instances[0].sopInstanceUID)
        f.rebuildTree()
        let problems = try f.writeAndVerify()
        assertProblemCodes(problems, ["duplicate-sop-instance"])
        XCTAssertEqual(problems.filter { $0.code == "duplicate-sop-instance" }.count, 1, "records and files report it once")
    }

    func testDuplicateStudyAndSeriesRecords() throws {
        var f = try clean()
        // The second image in a second STUDY record with the same Study Instance UID.
        let image = f.record(VerifierFileSet.imagePath(1))
        f.edit([0, 0, 0]) { $0.children.removeLast() }
        var series = f.record([0, 0, 0]); series.children = [image]
        var study = f.record([0, 0]); study.children = [series]
        f.edit([0]) { $0.children.append(study) }
        assertProblemCodes(try f.writeAndVerify(), ["duplicate-study", "duplicate-series"])

        // Two SERIES records with one Series Instance UID in one study.
        var g = try clean()
        let image2 = g.record(VerifierFileSet.imagePath(1))
        g.edit([0, 0, 0]) { $0.children.removeLast() }
        var series2 = g.record([0, 0, 0]); series2.children = [image2]
        g.edit([0, 0]) { $0.children.append(series2) }
        let problems = try g.writeAndVerify()
        assertProblemCodes(problems, ["duplicate-series"])
        assertProblem(problems, "duplicate-series", .error)
    }

    func testDuplicatePatientRecords() throws {
        var f = try clean()
        f.instances[1].dataSet.setString(.studyInstanceUID, .UI, UID.make())
        f.instances[1].dataSet.setString(.seriesInstanceUID, .UI, UID.make())
        f.rebuildTree()
        // Split the patient: the second study goes into a second PATIENT record with the same Patient ID.
        let secondStudy = f.record([0, 1])
        f.edit([0]) { $0.children.removeLast() }
        f.fileSet.records.append(VerifierFixture.patient(f.instances[1].dataSet, [secondStudy]))
        let problems = try f.writeAndVerify()
        assertProblemCodes(problems, ["duplicate-patient"])
        assertProblem(problems, "duplicate-patient", .error)
    }

    func testOnePatientIDWithTwoNames() throws {
        var f = try clean()
        f.instances[1].dataSet.setString(.patientName, .PN, "DOE^JANE")
        let problems = try f.writeAndVerify()
        assertProblemCodes(problems, ["patient-name-conflict"])
        assertProblem(problems, "patient-name-conflict", .warning)
        // Trailing empty components are the same name.
        var g = try clean()
        g.instances[1].dataSet.setString(.patientName, .PN, "DOE^JOHN^^^")
        assertProblemCodes(try g.writeAndVerify(), [])
    }

    // MARK: The folder (PS3.3 F.2.1 rules 3 and 5)

    func testUnreferencedDICOMFiles() throws {
        let f = try clean()
        try f.write()
        var extra = f.instances[0]
        extra.fileID = ["DICOM", "EXTRA", "IM000009"]
        extra.dataSet.setString(.sopInstanceUID, .UI, UID.make())
        try VerifierFixture.write(extra, root: f.root)
        // A copy under an alternate name, and a bare data set without preamble.
        try FileManager.default.copyItem(atPath: f.root + "/DICOM/IM000001", toPath: f.root + "/DICOM/IM000001.DCM")
        var bare = extra; bare.fileID = ["BARE"]; bare.bare = true
        try VerifierFixture.write(bare, root: f.root)
        let problems = try f.verifyOnDisk()
        assertProblemCodes(problems, ["unreferenced-file"])
        XCTAssertEqual(Set(problems.filter { $0.code == "unreferenced-file" }.compactMap(\.fileID)), ["DICOM/EXTRA/IM000009", "DICOM/IM000001.DCM", "BARE"])
        XCTAssertTrue(problems.first { $0.fileID == "DICOM/IM000001.DCM" }?.message.contains("DICOM/IM000001") ?? false, "a copy names its original")
    }

    func testNonDICOMFilesAreOnlyNoted() throws {
        let f = try clean()
        try f.write()
        try writeTestFile(Array("Disc made for testing\r\n".utf8), to: f.root + "/README.TXT")
        try writeTestFile(Array("<html><body>index</body></html>".utf8), to: f.root + "/INDEX.HTM")
        try writeTestFile([0x4D, 0x5A, 0x90, 0x00] + [UInt8](repeating: 0, count: 200), to: f.root + "/VIEWER/VIEWER.EXE")
        let problems = try f.verifyOnDisk()
        assertProblemCodes(problems, [])
        let note = assertProblem(problems, "non-dicom-files", .info)
        XCTAssertTrue(note?.message.contains("3 file(s)") ?? false, note?.message ?? "")
    }

    func testOtherDICOMDIRsAndNestedFileSets() throws {
        let f = try clean()
        try f.write()
        try FileManager.default.copyItem(atPath: f.dicomdirPath, toPath: f.root + "/DICOMDIR.BAK")
        // A folder with its own DICOMDIR is another File-set; its files are not "unreferenced" here.
        let nested = try VerifierFileSet.clean()
        fixtures.append(nested)
        try nested.write()
        try FileManager.default.moveItem(atPath: nested.root, toPath: f.root + "/OTHER")
        let problems = try f.verifyOnDisk()
        assertProblemCodes(problems, ["extra-dicomdir", "nested-fileset"])
        assertProblem(problems, "extra-dicomdir", .warning, fileID: "DICOMDIR.BAK")
        assertProblem(problems, "nested-fileset", .warning, fileID: "OTHER")
    }

    // MARK: File-set identification (PS3.10 8.5, PS3.3 F.3.2.1)

    func testFileSetID() throws {
        for bad in ["my set", "ABCDEFGHIJKLMNOPQ", "DISC-1"] {
            var f = try clean()
            f.fileSet.fileSetID = bad
            let problems = try f.writeAndVerify()
            assertProblemCodes(problems, ["fileset-id-invalid"])
            assertProblem(problems, "fileset-id-invalid", .error, fileID: "DICOMDIR")
        }
        var ok = try clean()
        ok.fileSet.fileSetID = "ABCDEFGHIJKLMNOP"
        assertProblemCodes(try ok.writeAndVerify(), [])
    }

    func testDescriptorFile() throws {
        var f = try clean()
        f.fileSet.descriptorFileID = FileID(["README"])
        assertProblemCodes(try f.writeAndVerify(), ["descriptor-missing"])
        try writeTestFile(Array("About this disc\n".utf8), to: f.root + "/README")
        let problems = try f.verifyOnDisk()
        assertProblemCodes(problems, [])
        XCTAssertFalse(problems.contains { $0.code == "non-dicom-files" }, "the descriptor is not listed as an unknown file")
        f.fileSet.descriptorFileID = FileID(["read.me"])
        assertProblemCodes(try f.writeAndVerify(), ["descriptor-file-id", "descriptor-missing"])
    }

    // MARK: DICOMDIR damage found by the reader is passed through

    func testOffsetDamageIsReportedOnceAndFilesStayReferenced() throws {
        let f = try clean()
        try f.write()
        // Make the STUDY record's lower-level offset (0004,1420) point 2 bytes past the SERIES item.
        var bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: f.dicomdirPath)))
        let fs = try DICOMDIRReader.read(path: f.dicomdirPath)
        let studyOffset = fs.records[0].children[0].offset
        let pattern: [UInt8] = [0x04, 0x00, 0x20, 0x14, 0x55, 0x4C, 0x04, 0x00]  // (0004,1420) UL length 4
        let at = (studyOffset..<(bytes.count - 12)).first { Array(bytes[$0..<($0 + 8)]) == pattern }!
        bytes[at + 8] &+= 2
        try writeTestFile(bytes, to: f.dicomdirPath)
        let problems = try f.verifyOnDisk()
        assertProblemCodes(problems, ["offset-not-item", "orphan-record", "empty-record"])
        XCTAssertFalse(problems.contains { $0.code == "unreferenced-file" }, "files of orphan records are reported by orphan-record only")
    }

    // MARK: Application profiles (PS3.11)

    func testProfileSOPClassTransferSyntaxAndImageConstraints() throws {
        let ctmr = ApplicationProfile.named("STD-CTMR-CD")!
        // A SOP class the profile does not list.
        var a = try clean()
        a.instances[1].dataSet.setString(.sopClassUID, .UI, VerifierUID.us)
        a.rebuildTree()
        assertProblemCodes(try a.writeAndVerify(profile: ctmr), ["profile-sop-class"])
        // A transfer syntax it does not allow for CT (Implicit VR Little Endian).
        var b = try clean()
        b.instances[1].transferSyntax = .implicitVRLittleEndian
        b.rebuildTree()
        let problems = try b.writeAndVerify(profile: ctmr)
        assertProblemCodes(problems, ["profile-transfer-syntax"])
        assertProblem(problems, "profile-transfer-syntax", .error, fileID: "DICOM/IM000002")
        assertProblemCodes(try b.verifyOnDisk(), [])  // without a profile the syntax is fine
        // An image constraint: CT must be MONOCHROME2 (PS3.11 Table E.3-3).
        var c = try clean()
        c.instances[0].dataSet.setString(.photometricInterpretation, .CS, "MONOCHROME1")
        let constraint = try c.writeAndVerify(profile: ctmr)
        assertProblemCodes(constraint, ["profile-image"])
        XCTAssertTrue(assertProblem(constraint, "profile-image", .error, fileID: "DICOM/IM000001")?.message.contains("MONOCHROME2") ?? false)
    }

    func testIconFormatAndSize() throws {
        // F.7: an RGB icon is not allowed in any record.
        var f = try clean()
        f.edit(VerifierFileSet.imagePath(0)) { $0.keys.set(VerifierFixture.icon(size: 64, photometric: "RGB", samples: 3)) }
        let problems = try f.writeAndVerify()
        assertProblemCodes(problems, ["icon-format"])
        assertProblem(problems, "icon-format", .error, fileID: "DICOM/IM000001")
        // STD-CTMR: icons are 64x64 (PS3.11 E.3.3.3).
        var g = try clean()
        g.edit(VerifierFileSet.imagePath(0)) { $0.keys.set(VerifierFixture.icon(size: 32)) }
        g.edit([0, 0, 0]) { $0.keys.set(VerifierFixture.icon(size: 64)) }
        let ctmr = ApplicationProfile.named("STD-CTMR-CD")!
        let sized = try g.writeAndVerify(profile: ctmr)
        assertProblemCodes(sized, ["icon-size"])
        assertProblem(sized, "icon-size", .error, fileID: "DICOM/IM000001")
        assertProblemCodes(try g.verifyOnDisk(), [])  // without a profile any size is allowed
    }

    func testIconRequiredByXAProfile() throws {
        // STD-XA1K-CD with Secondary Capture (Explicit VR LE, 8-bit MONOCHROME2): every IMAGE needs a 128x128 icon.
        var f = try clean(sopClass: VerifierUID.sc, bits: 8)
        f.edit([0]) { $0.keys.setString(.patientBirthDate, .DA, ""); $0.keys.setString(.patientSex, .CS, "M") }
        f.edit([0, 0, 0]) {
            for t in [Tag.institutionName, .institutionAddress, .performingPhysicianName] { $0.keys.set(DataElement(tag: t, vr: t == .performingPhysicianName ? .PN : (t == .institutionAddress ? .ST : .LO), bytes: [])) }
        }
        for i in 0..<2 {
            f.edit(VerifierFileSet.imagePath(i)) { $0.keys.set(VerifierFixture.icon(size: 128)); $0.keys.set(DataElement(tag: .calibrationImage, vr: .CS, bytes: [])) }
        }
        let xa1k = ApplicationProfile.named("STD-XA1K-CD")!
        assertProblemCodes(try f.writeAndVerify(profile: xa1k), [])
        f.edit(VerifierFileSet.imagePath(1)) { $0.keys.remove(.iconImageSequence) }
        let problems = try f.writeAndVerify(profile: xa1k)
        assertProblemCodes(problems, ["icon-missing"])
        assertProblem(problems, "icon-missing", .error, fileID: "DICOM/IM000002")
    }
}

/// The verifier on File-sets written by other tools (shared/media-corpus). None may produce an
/// error the standard does not justify; what each produces is recorded here exactly.
final class FileSetVerifierCorpusTests: XCTestCase {
    override func setUpWithError() throws { try Corpus.require() }

    /// Verifies `dicomdir` (relative to the corpus) with its folder as the File-set root and
    /// returns the problem counts as "severity code" -> count.
    func verify(_ dicomdir: String, records: Int, profile: ApplicationProfile? = nil,
                file: StaticString = #filePath, line: UInt = #line) throws -> [String: Int] {
        let path = try VerifierCorpus.root + "/" + dicomdir
        let root = (path as NSString).deletingLastPathComponent
        let fs = try DICOMDIRReader.read(path: path)
        XCTAssertEqual(fs.recordCount, records, "records in \(dicomdir)", file: file, line: line)
        let problems = FileSetVerifier(root: root, fileSet: fs, profile: profile, dicomdirPath: path).verify()
        print("verify \(dicomdir)\(profile.map { " --profile \($0.id)" } ?? ""): \(problems.count) problem(s)")
        for p in problems { print("  \(p)") }
        var counts: [String: Int] = [:]
        for p in problems { counts["\(p.severity.rawValue) \(p.code)", default: 0] += 1 }
        return counts
    }

    /// pydicom's dicomdirtests: a DCMTK (dcmmkdir 3.6.0) DICOMDIR of 2 patients, 6 studies, 13
    /// series, 31 images, and the same content re-encoded in Implicit VR LE and Big Endian, all in
    /// one folder that also holds an empty DICOMDIR, a README.txt and pydicom's TINY_ALPHA File-set.
    func testPydicomDICOMDIRVariants() throws {
        // Folder furniture, the same for the three: the other DICOMDIR variants beside the one
        // verified (PS3.10 8.6 allows one DICOMDIR per File-set: warning), TINY_ALPHA/ with its own
        // DICOMDIR (another File-set: warning), README.txt (non-DICOM: info). No errors.
        let furniture = ["warning extra-dicomdir": 3, "warning nested-fileset": 1, "info non-dicom-files": 1]
        XCTAssertEqual(try verify("pydicom-3.0.2/dicomdirtests/DICOMDIR", records: 52), furniture)
        // The DCMTK DICOMDIR was made for the general purpose profile and satisfies STD-GEN-CD too
        // (all files Explicit VR LE, Image Type copied into the IMAGE records).
        XCTAssertEqual(try verify("pydicom-3.0.2/dicomdirtests/DICOMDIR", records: 52, profile: ApplicationProfile.named("STD-GEN-CD")), furniture)
        // Re-encoded copies: the DICOMDIR must be Explicit VR Little Endian (PS3.10 8.6, PS3.11):
        // reported by the reader as a warning, since the content is intact.
        var reencoded = furniture
        reencoded["warning dicomdir-transfer-syntax"] = 1
        XCTAssertEqual(try verify("pydicom-3.0.2/dicomdirtests/DICOMDIR-implicit", records: 52), reencoded)
        XCTAssertEqual(try verify("pydicom-3.0.2/dicomdirtests/DICOMDIR-bigEnd", records: 52), reencoded)
    }

    /// dicom3tools' character set File-set: 11 patients, each in another Specific Character Set.
    func testClunieCharsetFileSet() throws {
        // (0004,1202) holds 8686, the offset of the very last record (an IMAGE), not of the last
        // root record (the PATIENT at 8112): a real defect of this DICOMDIR (PS3.3 F.3.2.1), which
        // the reader reports as a warning because the tree is still fully reachable from (0004,1200).
        // Names decoded in 11 character sets agree between records and files: no patient-name-conflict.
        XCTAssertEqual(try verify("clunie-charset-fileset/DICOMDIR", records: 44), ["warning last-root-offset": 1])
    }

    /// pydicom's TINY_ALPHA: a FileSet-written File-set of 50 instances with a README descriptor.
    func testPydicomTinyAlpha() throws {
        // The one error is justified: File-set ID (0004,1130) is "TINY ALPHA", and a File-set ID may
        // only use A-Z, 0-9 and _ (PS3.10 8.5: the File ID character set, which excludes SPACE).
        XCTAssertEqual(try verify("pydicom-3.0.2/dicomdirtests/TINY_ALPHA/DICOMDIR", records: 53), ["error fileset-id-invalid": 1])
    }
}
