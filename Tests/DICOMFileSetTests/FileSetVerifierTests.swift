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
        assertProblemCodes(problems, [.recordMisplaced, .duplicateStudy, .emptyRecord])
        XCTAssertEqual(problems.filter { $0.code == .recordMisplaced }.count, 2)
        let p = assertProblem(problems, .recordMisplaced, .error, fileID: "DICOM/IM000002")
        XCTAssertEqual(p?.rule, "PS3.3 F.4, Table F.4-1")
        XCTAssertNotNil(p?.offset)
    }

    func testUnknownAndRetiredRecordTypes() throws {
        var f = try clean()
        f.edit([0, 0, 0]) { $0.children.append(DirectoryRecord(type: DirectoryRecordType("FUTURE THING"))) }
        f.edit([0]) { $0.children.append(DirectoryRecord(type: DirectoryRecordType("VISIT"))) }
        let problems = try f.writeAndVerify()
        assertProblemCodes(problems, [.recordTypeUnknown, .recordTypeRetired])
        assertProblem(problems, .recordTypeUnknown, .warning)
        assertProblem(problems, .recordTypeRetired, .warning)
    }

    func testMissingRecordType() throws {
        var f = try clean()
        f.edit([0, 0, 0]) {
            var k = DataSet(); k.setString(.instanceNumber, .IS, "9"); $0.children.append(DirectoryRecord(type: .image, keys: k))
        }
        f.edit([0, 0, 0, 2]) { $0.keys.remove(.directoryRecordType) }
        assertProblemCodes(try f.writeAndVerify(), [.recordTypeMissing])
    }

    func testPrivateRecordWithoutPrivateRecordUID() throws {
        var f = try clean()
        f.edit([0, 0, 0]) { $0.children.append(DirectoryRecord(type: .private)) }
        let problems = try f.writeAndVerify()
        assertProblemCodes(problems, [.privateRecordUID])
        assertProblem(problems, .privateRecordUID, .error)
        // With the UID it is a proper extension (PS3.3 F.6).
        f.edit([0, 0, 0, 2]) { $0.keys.setString(.privateRecordUID, .UI, "1.2.3.4.5") }
        assertProblemCodes(try f.writeAndVerify(), [])
    }

    // MARK: Keys (PS3.3 F.5, PS3.11)

    func testMissingType1AndType2Keys() throws {
        var f = try clean()
        f.edit([0, 0]) {
            $0.keys.remove(.studyDate); $0.keys.remove(.accessionNumber)
        }
        f.edit([0]) { $0.keys.setString(.patientID, .LO, "") }
        let problems = try f.writeAndVerify()
        assertProblemCodes(problems, [.missingType1Key, .missingType2Key])
        XCTAssertEqual(problems.filter { $0.code == .missingType1Key }.count, 2)
        let p = assertProblem(problems, .missingType2Key, .error)
        XCTAssertEqual(p?.rule, "PS3.3 F.5.2")
    }

    func testType1CKeyRequiredByTheInstance() throws {
        // STD-GEN-CD: Image Type is 1C "if present in the image" (PS3.11 Table D.3-2).
        var f = try clean()
        f.edit(VerifierFileSet.imagePath(0)) { $0.keys.remove(.imageType) }
        let problems = try f.writeAndVerify(profile: ApplicationProfile.named("STD-GEN-CD"))
        assertProblemCodes(problems, [.missingType1CKey])
        let p = assertProblem(problems, .missingType1CKey, .error, fileID: "DICOM/IM000001")
        XCTAssertTrue(p?.rule.hasPrefix("STD-GEN-CD") ?? false, p?.rule ?? "")
        // Without a profile Image Type is not a key of the IMAGE record.
        assertProblemCodes(try f.verifyOnDisk(), [])
    }

    func testType1CKeyRequiredByTheInstancesBelow() throws {
        // STD-GEN-USB-JPEG: PATIENT Patient's Birth Date is 1C if any instance below has a value (Table H.3-2).
        var f = try clean()
        f.instances[1].dataSet.setString(.patientBirthDate, .DA, "19700101")
        let problems = try f.writeAndVerify(profile: ApplicationProfile.named("STD-GEN-USB-JPEG"))
        assertProblemCodes(problems, [.missingType1CKey])
        let p = assertProblem(problems, .missingType1CKey, .error)
        XCTAssertTrue(p?.message.contains("PATIENT") ?? false)
        f.edit([0]) { $0.keys.setString(.patientBirthDate, .DA, "19700101") }
        assertProblemCodes(try f.writeAndVerify(profile: ApplicationProfile.named("STD-GEN-USB-JPEG")), [])
    }

    // MARK: File references of records (PS3.3 F.3.2.2)

    func testInstanceRecordWithoutFile() throws {
        var f = try clean()
        f.edit(VerifierFileSet.imagePath(1)) {
            for t in [Tag.referencedFileID, .referencedSOPClassUIDInFile, .referencedSOPInstanceUIDInFile, .referencedTransferSyntaxUIDInFile] {
                $0.keys.remove(t)
            }
        }
        let problems = try f.writeAndVerify()
        // The file it should reference is now referenced by nothing.
        assertProblemCodes(problems, [.instanceNoFile, .unreferencedFile])
        assertProblem(problems, .instanceNoFile, .error)
        assertProblem(problems, .unreferencedFile, .error, fileID: "DICOM/IM000002")
    }

    func testMissingReferencedUIDs() throws {
        var f = try clean()
        f.edit(VerifierFileSet.imagePath(0)) { $0.keys.remove(.referencedTransferSyntaxUIDInFile) }
        let problems = try f.writeAndVerify()
        assertProblemCodes(problems, [.missingReferencedUID])
        XCTAssertTrue(assertProblem(problems, .missingReferencedUID, .error, fileID: "DICOM/IM000001")?.message.contains("(0004,1512)") ?? false)
    }

    func testSeriesRecordReferencingAFile() throws {
        var f = try clean()
        var extra = f.instances[0]
        extra.fileID = ["DICOM", "SERIES"]
        extra.dataSet.setString(.sopInstanceUID, .UI, UID.make())
        f.instances.append(extra)
        let ref = VerifierFixture.image(extra)
        f.edit([0, 0, 0]) { for e in ref.keys where e.tag.group == 0x0004 && e.tag != .directoryRecordType { $0.keys.set(e) } }
        let problems = try f.writeAndVerify()
        assertProblemCodes(problems, [.intermediateReferencesFile])
        assertProblem(problems, .intermediateReferencesFile, .warning, fileID: "DICOM/SERIES")
    }

    func testEmptyIntermediateRecord() throws {
        var f = try clean()
        var keys = f.record([0, 0, 0]).keys
        keys.setString(.seriesInstanceUID, .UI, UID.make())
        f.edit([0, 0]) { $0.children.append(DirectoryRecord(type: .series, keys: keys)) }
        assertProblemCodes(try f.writeAndVerify(), [.emptyRecord])
    }

    // MARK: Referenced File IDs and files (PS3.10 8.2, 8.5; PS3.3 F.2.1)

    func testNonConformantFileID() throws {
        var f = try clean()
        f.instances[0].fileID = ["DICOM", "im-1"]
        f.rebuildTree()
        let problems = try f.writeAndVerify()
        assertProblemCodes(problems, [.fileIDNonconformant])
        assertProblem(problems, .fileIDNonconformant, .error, fileID: "DICOM/im-1")
        // Nine components, one of nine characters.
        f.instances[0].fileID = ["A", "B", "C", "D", "E", "F", "G", "H", "ABCDEFGHI"]
        f.rebuildTree()
        assertProblemCodes(try f.writeAndVerify(), [.fileIDNonconformant, .unreferencedFile])
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
        f.edit(VerifierFileSet.imagePath(1)) { $0.keys.setString(.referencedFileID, .CS, ["..", (outside as NSString).lastPathComponent]) }
        try Part10Writer.write(DICOMDIRWriter.encode(f.fileSet), to: f.dicomdirPath)
        let problems = try f.verifyOnDisk()
        assertProblemCodes(problems, [.fileIDOutsideRoot])
        assertProblem(problems, .fileIDOutsideRoot, .error)
    }

    func testMissingFile() throws {
        let f = try clean()
        try f.write()
        try FileManager.default.removeItem(atPath: f.root + "/DICOM/IM000002")
        let problems = try f.verifyOnDisk()
        assertProblemCodes(problems, [.fileMissing])
        assertProblem(problems, .fileMissing, .error, fileID: "DICOM/IM000002")
    }

    func testFileFoundOnlyUnderAVariantName() throws {
        let f = try clean()
        try f.write()
        try FileManager.default.moveItem(atPath: f.root + "/DICOM/IM000002", toPath: f.root + "/DICOM/im000002.dcm")
        let problems = try f.verifyOnDisk()
        assertProblemCodes(problems, [.fileIDVariant])
        XCTAssertTrue(assertProblem(problems, .fileIDVariant, .warning, fileID: "DICOM/IM000002")?.message.contains("im000002.dcm") ?? false)
    }

    func testUnreadableFile() throws {
        let f = try clean()
        try f.write()
        try writeTestFile(Array("this is not a DICOM file at all".utf8), to: f.root + "/DICOM/IM000001")
        let problems = try f.verifyOnDisk()
        assertProblemCodes(problems, [.fileUnreadable])
        assertProblem(problems, .fileUnreadable, .error, fileID: "DICOM/IM000001")
    }

    func testFileWithoutFileMeta() throws {
        var f = try clean()
        f.instances[1].bare = true
        let problems = try f.writeAndVerify()
        assertProblemCodes(problems, [.fileNoMeta])
        assertProblem(problems, .fileNoMeta, .error, fileID: "DICOM/IM000002")
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
        assertProblemCodes(problems, [.fileMetaMismatch])
        assertProblem(problems, .fileMetaMismatch, .error, fileID: "DICOM/IM000001")
    }

    func testFileReferencedTwice() throws {
        var f = try clean()
        var again = f.record(VerifierFileSet.imagePath(0))
        again.keys.setString(.instanceNumber, .IS, "3")
        f.edit([0, 0, 0]) { $0.children.append(again) }
        let problems = try f.writeAndVerify()
        // The second record also repeats the SOP Instance UID.
        assertProblemCodes(problems, [.fileReferencedTwice, .duplicateSOPInstance])
        assertProblem(problems, .fileReferencedTwice, .error, fileID: "DICOM/IM000001")
    }

    // MARK: Records against their files

    func testRecordUIDsDisagreeWithTheFile() throws {
        let cases: [(Tag, String, DiagnosticCode)] = [
            (.referencedSOPClassUIDInFile, VerifierUID.mr, .sopClassMismatch),
            (.referencedSOPInstanceUIDInFile, UID.make(), .sopInstanceMismatch),
            (.referencedTransferSyntaxUIDInFile, VerifierUID.implicitLE, .transferSyntaxMismatch),
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
            (.patientID, .LO, .patientIDMismatch), (.studyInstanceUID, .UI, .studyUIDMismatch), (.seriesInstanceUID, .UI, .seriesUIDMismatch),
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
        assertProblem(problems, .keySupplied, .info, fileID: "DICOM/IM000002")
    }

    // MARK: Uniqueness (PS3.3 F.5 / digest §1.7 rules 6-8)

    func testDuplicateSOPInstanceUID() throws {
        var f = try clean()
        f.instances[1].dataSet.setString(.sopInstanceUID, .UI, f.instances[0].sopInstanceUID)
        f.rebuildTree()
        let problems = try f.writeAndVerify()
        assertProblemCodes(problems, [.duplicateSOPInstance])
        XCTAssertEqual(problems.filter { $0.code == .duplicateSOPInstance }.count, 1, "records and files report it once")
    }

    func testDuplicateStudyAndSeriesRecords() throws {
        var f = try clean()
        // The second image in a second STUDY record with the same Study Instance UID.
        let image = f.record(VerifierFileSet.imagePath(1))
        f.edit([0, 0, 0]) { $0.children.removeLast() }
        var series = f.record([0, 0, 0]); series.children = [image]
        var study = f.record([0, 0]); study.children = [series]
        f.edit([0]) { $0.children.append(study) }
        assertProblemCodes(try f.writeAndVerify(), [.duplicateStudy, .duplicateSeries])

        // Two SERIES records with one Series Instance UID in one study.
        var g = try clean()
        let image2 = g.record(VerifierFileSet.imagePath(1))
        g.edit([0, 0, 0]) { $0.children.removeLast() }
        var series2 = g.record([0, 0, 0]); series2.children = [image2]
        g.edit([0, 0]) { $0.children.append(series2) }
        let problems = try g.writeAndVerify()
        assertProblemCodes(problems, [.duplicateSeries])
        assertProblem(problems, .duplicateSeries, .error)
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
        assertProblemCodes(problems, [.duplicatePatient])
        assertProblem(problems, .duplicatePatient, .error)
    }

    func testOnePatientIDWithTwoNames() throws {
        var f = try clean()
        f.instances[1].dataSet.setString(.patientName, .PN, "DOE^JANE")
        let problems = try f.writeAndVerify()
        assertProblemCodes(problems, [.patientNameConflict])
        assertProblem(problems, .patientNameConflict, .warning)
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
        assertProblemCodes(problems, [.unreferencedFile])
        XCTAssertEqual(Set(problems.filter { $0.code == .unreferencedFile }.compactMap(\.fileID)), ["DICOM/EXTRA/IM000009", "DICOM/IM000001.DCM", "BARE"])
        XCTAssertTrue(problems.first { $0.fileID == "DICOM/IM000001.DCM" }?.message.contains("DICOM/IM000001") ?? false, "a copy names its original")
    }

    /// Names the caller says are not part of the File-set (a tool's journal folder) are not walked;
    /// without them the same DICOM file is unreferenced.
    func testIgnoredNamesAreNotWalked() throws {
        let f = try clean()
        try f.write()
        var staged = f.instances[0]
        staged.fileID = [".dicom-media", "staged", "t1"]
        staged.dataSet.setString(.sopInstanceUID, .UI, UID.make())
        try VerifierFixture.write(staged, root: f.root)
        XCTAssertEqual(try f.verifyOnDisk().filter { $0.code == .unreferencedFile }.compactMap(\.fileID), [".dicom-media/staged/t1"])
        assertProblemCodes(try f.verifyOnDisk(ignoring: [".dicom-media"]), [])
    }

    /// A medium whose list of files cannot be read is an error, not an empty File-set.
    func testUnreadableFileListIsReported() throws {
        struct BrokenList: FileSetFiles {
            func filePaths() throws -> [String] { throw FileSetError(.io, "cannot list", path: "image.iso") }
            func readFile(_ path: String) throws -> [UInt8] { throw FileSetError(.missing, "no", path: path) }
            func readFilePrefix(_ path: String, count: Int) throws -> [UInt8] { throw FileSetError(.missing, "no", path: path) }
        }
        let f = try clean()
        try f.write()
        let problems = try f.verifyOnDisk(files: BrokenList())
        XCTAssertEqual(problems.first { $0.code == .fileListUnreadable }?.severity, .error, "\(problems)")
    }

    func testNonDICOMFilesAreOnlyNoted() throws {
        let f = try clean()
        try f.write()
        try writeTestFile(Array("Disc made for testing\r\n".utf8), to: f.root + "/README.TXT")
        try writeTestFile(Array("<html><body>index</body></html>".utf8), to: f.root + "/INDEX.HTM")
        try writeTestFile([0x4D, 0x5A, 0x90, 0x00] + [UInt8](repeating: 0, count: 200), to: f.root + "/VIEWER/VIEWER.EXE")
        let problems = try f.verifyOnDisk()
        assertProblemCodes(problems, [])
        let note = assertProblem(problems, .nonDICOMFiles, .info)
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
        assertProblemCodes(problems, [.extraDICOMDIR, .nestedFileSet])
        assertProblem(problems, .extraDICOMDIR, .warning, fileID: "DICOMDIR.BAK")
        assertProblem(problems, .nestedFileSet, .warning, fileID: "OTHER")
    }

    // MARK: File-set identification (PS3.10 8.5, PS3.3 F.3.2.1)

    func testFileSetID() throws {
        for bad in ["my set", "ABCDEFGHIJKLMNOPQ", "DISC-1"] {
            var f = try clean()
            f.fileSet.fileSetID = bad
            let problems = try f.writeAndVerify()
            assertProblemCodes(problems, [.fileSetIDInvalid])
            assertProblem(problems, .fileSetIDInvalid, .error, fileID: "DICOMDIR")
        }
        var ok = try clean()
        ok.fileSet.fileSetID = "ABCDEFGHIJKLMNOP"
        assertProblemCodes(try ok.writeAndVerify(), [])
    }

    func testDescriptorFile() throws {
        var f = try clean()
        f.fileSet.descriptorFileID = FileID(["README"])
        assertProblemCodes(try f.writeAndVerify(), [.descriptorMissing])
        try writeTestFile(Array("About this disc\n".utf8), to: f.root + "/README")
        let problems = try f.verifyOnDisk()
        assertProblemCodes(problems, [])
        XCTAssertFalse(problems.contains { $0.code == .nonDICOMFiles }, "the descriptor is not listed as an unknown file")
        f.fileSet.descriptorFileID = FileID(["read.me"])
        assertProblemCodes(try f.writeAndVerify(), [.descriptorFileID, .descriptorMissing])
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
        assertProblemCodes(problems, [.offsetNotItem, .orphanRecord, .emptyRecord])
        XCTAssertFalse(problems.contains { $0.code == .unreferencedFile }, "files of orphan records are reported by orphan-record only")
    }
}
