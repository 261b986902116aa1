import DICOMCore
import Dispatch
import Synchronization
@testable import MediaKit
import XCTest

/// The Basic Profile table (PS3.15 Table E.1-1), the de-identifier's actions and the reconciler.
final class ImportDeidentifyTests: XCTestCase {
    // MARK: Table E.1-1

    func testTableMatchesTheStandardOnKeyAttributes() {
        // Rows of PS3.15 2026c Table E.1-1 (also in ../shared/spec/DICOM-MEDIA.md §6.2).
        let expected: [(UInt16, UInt16, ProfileAction)] = [
            (0x0010, 0x0010, .Z), (0x0010, 0x0020, .ZD), (0x0010, 0x0030, .Z), (0x0010, 0x0040, .Z),
            (0x0010, 0x1010, .X), (0x0010, 0x1020, .X), (0x0010, 0x1030, .X), (0x0010, 0x1000, .X), (0x0010, 0x1040, .X),
            (0x0010, 0x4000, .X), (0x0010, 0x21B0, .X), (0x0008, 0x0020, .Z), (0x0008, 0x0030, .Z),
            (0x0008, 0x0021, .XD), (0x0008, 0x0031, .XD), (0x0008, 0x0022, .XZ), (0x0008, 0x0032, .XZ),
            (0x0008, 0x0023, .ZD), (0x0008, 0x0033, .ZD), (0x0008, 0x002A, .XZD), (0x0008, 0x0012, .XD),
            (0x0008, 0x0013, .XZD), (0x0008, 0x0201, .X), (0x0008, 0x0050, .Z), (0x0020, 0x0010, .Z),
            (0x0020, 0x000D, .U), (0x0020, 0x000E, .U), (0x0008, 0x0018, .U), (0x0020, 0x0052, .U),
            (0x0020, 0x0200, .U), (0x0008, 0x0014, .U), (0x0002, 0x0003, .U), (0x0008, 0x1155, .U), (0x0004, 0x1511, .U),
            (0x0008, 0x0080, .XZD), (0x0008, 0x0081, .X), (0x0008, 0x1040, .X), (0x0008, 0x0090, .Z),
            (0x0008, 0x1050, .X), (0x0008, 0x1048, .X), (0x0008, 0x1060, .X), (0x0032, 0x1032, .X),
            (0x0008, 0x1070, .XZD), (0x0008, 0x1010, .XZD), (0x0018, 0x1000, .XZD), (0x0008, 0x1030, .X),
            (0x0008, 0x103E, .X), (0x0020, 0x4000, .X), (0x0018, 0x1030, .XD), (0x0070, 0x0084, .ZD),
            (0x0040, 0xA730, .D), (0x0088, 0x0200, .X), (0x0040, 0x0275, .X), (0x0400, 0x0561, .X),
            (0x0008, 0x1140, .XZU), (0x0008, 0x2112, .XZU), (0xFFFA, 0xFFFA, .X),
        ]
        for (g, e, a) in expected {
            XCTAssertEqual(BasicProfile.action(for: Tag(g, e)), a, "\(Tag(g, e))")
        }
        XCTAssertGreaterThan(BasicProfile.table.count, 600)
        XCTAssertEqual(Set(BasicProfile.table.map(\.tag)).count, BasicProfile.table.count, "one row per tag")
        XCTAssertEqual(BasicProfile.table.map(\.tag), BasicProfile.table.map(\.tag).sorted())
        // Repeating groups: overlays (60xx) and curves (50xx).
        XCTAssertEqual(BasicProfile.action(for: Tag(0x6002, 0x3000)), .X)
        XCTAssertEqual(BasicProfile.action(for: Tag(0x601E, 0x4000)), .X)
        XCTAssertEqual(BasicProfile.action(for: Tag(0x5004, 0x0010)), .X)
        XCTAssertNil(BasicProfile.action(for: Tag(0x6000, 0x0010)))
        // Not in the table: kept.
        for t in [Tag.sopClassUID, .pixelData, .rows, .modality, Tag.referencedSOPClassUID] { XCTAssertNil(BasicProfile.action(for: t), "\(t)") }
        XCTAssertEqual(BasicProfile.name(of: Tag.patientName), "Patient's Name")
    }

    func testCombinedCodesResolveWithoutLosingRequiredAttributes() {
        XCTAssertEqual(ProfileAction.ZD.resolved, .dummy)
        XCTAssertEqual(ProfileAction.XZ.resolved, .empty)
        XCTAssertEqual(ProfileAction.XD.resolved, .dummy)
        XCTAssertEqual(ProfileAction.XZD.resolved, .dummy)
        XCTAssertEqual(ProfileAction.XZU.resolved, .replaceUIDs)
        XCTAssertEqual(ProfileAction.X.resolved, .remove)
        XCTAssertEqual(ProfileAction.Z.resolved, .empty)
        XCTAssertEqual(ProfileAction.D.resolvedForSequence, .keep)
        XCTAssertEqual(ProfileAction.XZ.resolvedForSequence, .empty)
        XCTAssertEqual(ProfileAction.XD.resolvedForSequence, .remove)
        XCTAssertEqual(ProfileAction.XZU.resolvedForSequence, .keep)
        XCTAssertEqual(ProfileAction(rawValue: "X/Z/U*"), .XZU)
    }

    // MARK: Hashing

    func testSHA256AndHMACKnownAnswers() {
        func hex(_ b: [UInt8]) -> String { b.map { String(format: "%02x", $0) }.joined() }
        XCTAssertEqual(hex(KeyedHash.sha256(Array("abc".utf8))), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        XCTAssertEqual(hex(KeyedHash.sha256([])), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        XCTAssertEqual(
            hex(KeyedHash.sha256(Array(String(repeating: "a", count: 1000).utf8))),
            "41edece42d63e8d9bf515a9ba6932e1c20cbc9f5a5d134645adb5db1b9737ea3")
        // RFC 4231 test case 2.
        XCTAssertEqual(
            hex(KeyedHash.hmac(key: Array("Jefe".utf8), Array("what do ya want for nothing?".utf8))),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843")
    }

    // MARK: De-identification

    /// An instance with identities at the top level, in nested sequences and in private elements.
    func sample(sop: String = "1.2.3.4.5", study: String = "1.2.3.100") -> (DataSet, DataSet) {
        var ds = DataSet()
        ds.setString(.specificCharacterSet, .CS, "ISO_IR 100")
        ds.setString(.sopClassUID, .UI, "1.2.840.10008.5.1.4.1.1.2")
        ds.setString(.sopInstanceUID, .UI, sop)
        ds.setString(.studyDate, .DA, "20240102")
        ds.setString(Tag.seriesDate, .DA, "20240102")
        ds.setString(Tag.acquisitionDate, .DA, "20240102")
        ds.setString(Tag.accessionNumber, .SH, "ACC123")
        ds.setString(.modality, .CS, "CT")
        ds.setString(Tag.institutionName, .LO, "General Hospital")
        ds.setString(Tag.institutionAddress, .ST, "1 Main Street")
        ds.setString(Tag.studyDescription, .LO, "CT head for Jane")
        var ref = DataSet()
        ref.setString(Tag.referencedSOPClassUID, .UI, "1.2.840.10008.5.1.4.1.1.2")
        ref.setString(Tag.referencedSOPInstanceUID, .UI, "1.2.3.4.6")
        ref.setString(.patientName, .PN, "Doe^Jane")  // not allowed here, but must be cleaned anywhere
        ref.set(DataElement(tag: Tag(0x0009, 0x0010), vr: .LO, bytes: Array("ACME 1.0".utf8)))
        ds.setSequence(Tag.referencedImageSequence, [ref])
        var code = DataSet()
        code.setString(Tag.codeValue, .SH, "T-A0100")
        ds.setSequence(Tag.anatomicRegionSequence, [code])  // Anatomic Region Sequence: not listed, kept
        ds.setString(.patientName, .PN, "Doe^Jane")
        ds.setString(.patientID, .LO, "PID-42")
        ds.setString(Tag.patientBirthDate, .DA, "19700101")
        ds.setString(Tag.patientAge, .AS, "054Y")
        ds.set(DataElement(tag: Tag(0x0019, 0x0010), vr: .LO, bytes: Array("GEMS_ACQU_01".utf8)))
        ds.set(DataElement(tag: Tag(0x0019, 0x1001), vr: .SH, bytes: Array("Jane".utf8)))
        ds.setString(.studyInstanceUID, .UI, study)
        ds.setString(.seriesInstanceUID, .UI, "1.2.3.101")
        ds.setString(Tag.frameOfReferenceUID, .UI, "1.2.3.102")
        ds.setString(Tag.burnedInAnnotation, .CS, "NO")
        ds.setUInt16(Tag(0x6000, 0x0010), [4])
        ds.set(DataElement(tag: Tag(0x6000, 0x3000), vr: .OW, bytes: [1, 2, 3, 4]))
        ds.set(DataElement(tag: .pixelData, vr: .OW, bytes: [9, 8, 7, 6]))
        var meta = DataSet()
        meta.set(DataElement(tag: .fileMetaInformationVersion, vr: .OB, bytes: [0, 1]))
        meta.setString(.mediaStorageSOPClassUID, .UI, "1.2.840.10008.5.1.4.1.1.2")
        meta.setString(.mediaStorageSOPInstanceUID, .UI, sop)
        meta.setString(.transferSyntaxUID, .UI, "1.2.840.10008.1.2.1")
        meta.setString(.sourceApplicationEntityTitle, .AE, "SCANNER_ROOM_3")
        return (ds, meta)
    }

    func testActionsApplyAtEveryLevel() throws {
        let d = Deidentifier()
        var (ds, meta) = sample()
        try d.apply(to: &ds, fileMeta: &meta)
        // Z: empty.
        XCTAssertEqual(ds[.patientName]?.bytes, [])
        XCTAssertEqual(ds.string(.studyDate), "19000101", "Z as a dummy: a Type 1 key of STUDY records")
        XCTAssertEqual(ds[Tag.accessionNumber]?.bytes, [])
        XCTAssertEqual(ds[Tag.patientBirthDate]?.bytes, [])
        // X: removed.
        for t in [Tag.patientAge, Tag.institutionAddress, Tag.studyDescription] { XCTAssertNil(ds[t], "\(t)") }
        // X/D, X/Z/D: dummy; X/Z: empty; Z/D (Patient ID): a dummy that is not the original.
        XCTAssertEqual(ds.string(Tag.seriesDate), "19000101")
        XCTAssertEqual(ds.string(Tag.institutionName), "ANONYMIZED")
        XCTAssertEqual(ds[Tag.acquisitionDate]?.bytes, [])
        XCTAssertEqual(ds.string(.patientID), d.replacementPatientID(for: "PID-42"))
        XCTAssertNotEqual(ds.string(.patientID), "PID-42")
        // Private elements, overlays: gone; Pixel Data and unlisted attributes: unchanged.
        XCTAssertFalse(ds.elements.contains { $0.tag.isPrivate })
        XCTAssertTrue(ds.group(0x6000).isEmpty)
        XCTAssertEqual(ds[.pixelData]?.bytes, [9, 8, 7, 6])
        XCTAssertEqual(ds.string(.modality), "CT")
        XCTAssertEqual(ds[Tag.anatomicRegionSequence]?.items?.first?.string(Tag.codeValue), "T-A0100")
        // UIDs: replaced with 2.25 UIDs; inside the X/Z/U* sequence too; class UIDs kept.
        let sop = try XCTUnwrap(ds.string(.sopInstanceUID))
        XCTAssertTrue(sop.hasPrefix("2.25.") && UID.isValid(sop))
        XCTAssertEqual(sop, d.replacementUID(for: "1.2.3.4.5"))
        let item = try XCTUnwrap(ds[Tag.referencedImageSequence]?.items?.first)
        XCTAssertEqual(item.string(Tag.referencedSOPInstanceUID), d.replacementUID(for: "1.2.3.4.6"))
        XCTAssertEqual(item.string(Tag.referencedSOPClassUID), "1.2.840.10008.5.1.4.1.1.2")
        XCTAssertEqual(item[.patientName]?.bytes, [])
        XCTAssertFalse(item.elements.contains { $0.tag.isPrivate })
        XCTAssertEqual(ds.string(.sopClassUID), "1.2.840.10008.5.1.4.1.1.2")
        // Added attributes (PS3.15 E.1.1, E.3.6).
        XCTAssertEqual(ds.string(Tag.patientIdentityRemoved), "YES")
        XCTAssertEqual(ds.string(Tag.deidentificationMethod), Deidentifier.methodDescription)
        let code = try XCTUnwrap(ds[Tag.deidentificationMethodCodeSequence]?.items?.first)
        XCTAssertEqual(
            [code.string(Tag.codeValue), code.string(Tag.codingSchemeDesignator), code.string(Tag.codeMeaning)],
            ["113100", "DCM", "Basic Application Confidentiality Profile"])
        XCTAssertEqual(ds.string(Tag.longitudinalTemporalInformationModified), "REMOVED")
        // File Meta: follows the new SOP Instance UID; the source AE title is dropped.
        XCTAssertEqual(meta.string(.mediaStorageSOPInstanceUID), sop)
        XCTAssertNil(meta[.sourceApplicationEntityTitle])
        XCTAssertEqual(meta.string(.transferSyntaxUID), "1.2.840.10008.1.2.1")
    }

    func testFreeTextInsideContentSequenceIsReplaced() throws {
        // SR content: Content Sequence is D; its items keep their structure and codes, lose free text.
        var concept = DataSet()
        concept.setString(Tag.codeValue, .SH, "121071")
        var inner = DataSet()
        inner.setString(Tag.valueType, .CS, "TEXT")
        inner.setSequence(Tag.conceptNameCodeSequence, [concept])
        inner.setString(Tag.textValue, .UT, "Patient Jane Doe, seen by Dr Smith")
        var outer = DataSet()
        outer.setString(Tag.valueType, .CS, "CONTAINER")
        outer.setSequence(Tag.contentSequence, [inner])
        var ds = DataSet()
        ds.setString(.sopInstanceUID, .UI, "1.2.3")
        ds.setSequence(Tag.contentSequence, [outer])
        var meta = DataSet()
        try Deidentifier().apply(to: &ds, fileMeta: &meta)
        let item = try XCTUnwrap(ds[Tag.contentSequence]?.items?.first?[Tag.contentSequence]?.items?.first)
        XCTAssertEqual(item.string(Tag.textValue), "ANONYMIZED")
        XCTAssertEqual(item.string(Tag.valueType), "TEXT")
        XCTAssertEqual(item[Tag.conceptNameCodeSequence]?.items?.first?.string(Tag.codeValue), "121071")
        // Person Identification Code Sequence (D): the code is the identity.
        var person = DataSet()
        person.setString(Tag.codeValue, .SH, "EMP-0042")
        person.setString(Tag.codingSchemeDesignator, .SH, "99HOSP")
        person.setString(Tag.codeMeaning, .LO, "Dr John Smith")
        var observer = DataSet()
        observer.setSequence(Tag.personIdentificationCodeSequence, [person])
        var withPerson = DataSet()
        withPerson.setSequence(Tag.contentSequence, [observer])
        var m1 = DataSet()
        try Deidentifier().apply(to: &withPerson, fileMeta: &m1)
        let code = try XCTUnwrap(withPerson[Tag.contentSequence]?.items?.first?[Tag.personIdentificationCodeSequence]?.items?.first)
        XCTAssertEqual(code.string(Tag.codeValue), "ANONYMIZED")
        XCTAssertEqual(code.string(Tag.codeMeaning), "ANONYMIZED")
        // Outside a D sequence, Text Value is not in Table E.1-1 and is kept.
        var plain = DataSet()
        plain.setString(Tag.textValue, .UT, "kept")
        var m2 = DataSet()
        try Deidentifier().apply(to: &plain, fileMeta: &m2)
        XCTAssertEqual(plain.string(Tag.textValue), "kept")
    }

    func testUIDsAreConsistentWithinARunAndDifferAcrossRuns() throws {
        let d = Deidentifier()
        var (a, am) = sample(sop: "1.2.3.4.5")
        var (b, bm) = sample(sop: "1.2.3.4.6")
        try d.apply(to: &a, fileMeta: &am)
        try d.apply(to: &b, fileMeta: &bm)
        XCTAssertEqual(a.string(.studyInstanceUID), b.string(.studyInstanceUID))
        XCTAssertNotEqual(a.string(.sopInstanceUID), b.string(.sopInstanceUID))
        // a's reference to 1.2.3.4.6 is b's new SOP Instance UID.
        XCTAssertEqual(a[Tag.referencedImageSequence]?.items?.first?.string(Tag.referencedSOPInstanceUID), b.string(.sopInstanceUID))
        XCTAssertEqual(a.string(.patientID), b.string(.patientID))
        // Another run (another random key) gives other UIDs; the same key gives the same ones.
        XCTAssertNotEqual(Deidentifier().replacementUID(for: "1.2.3"), d.replacementUID(for: "1.2.3"))
        let key = Array("secret".utf8)
        XCTAssertEqual(Deidentifier(.init(key: key)).replacementUID(for: "1.2.3"), Deidentifier(.init(key: key)).replacementUID(for: "1.2.3"))
        XCTAssertEqual(d.replacementUID(for: ""), "")
    }

    func testConcurrentUseGivesTheSameResults() throws {
        let d = Deidentifier()
        var (expected, em) = sample()
        try d.apply(to: &expected, fileMeta: &em)
        let results = Locked<[DataSet]>([])
        let (original, originalMeta) = sample()
        DispatchQueue.concurrentPerform(iterations: 64) { _ in
            var ds = original, meta = originalMeta
            try? d.apply(to: &ds, fileMeta: &meta)
            results.mutate { $0.append(ds) }
        }
        XCTAssertEqual(results.value.count, 64)
        for r in results.value { XCTAssertEqual(r, expected) }
    }

    func testBurnedInAnnotationIsRefusedUnlessAllowed() throws {
        var (ds, meta) = sample()
        ds.setString(Tag.burnedInAnnotation, .CS, "YES")
        var copy = ds, copyMeta = meta
        XCTAssertThrowsError(try Deidentifier().apply(to: &copy, fileMeta: &copyMeta)) { e in
            XCTAssertEqual((e as? MediaError)?.code, .transformRefused, "\(e)")
            XCTAssertTrue((e as? MediaError)?.context.rule?.contains("PS3.15") == true, "\(e)")
        }
        XCTAssertEqual(copy, ds, "a refused data set is left as it was")
        XCTAssertNoThrow(try Deidentifier(.init(allowBurnedIn: true)).apply(to: &ds, fileMeta: &meta))
        XCTAssertEqual(ds.string(Tag.patientIdentityRemoved), "YES")
    }

    // MARK: Reconciliation

    func testReconcilerReplacesAndKeepsOriginals() throws {
        let map = try Reconciler.parse(
            """
            source_patient_id,patient_id,patient_name,birth_date,sex,accession_number
            PID-42,LOCAL-1,"Doe^Jane, Jr",19700102,f,
            OTHER,LOCAL-2,,,,

            """)
        XCTAssertEqual(map["PID-42"], Reconciler.Entry(patientID: "LOCAL-1", patientName: "Doe^Jane, Jr", birthDate: "19700102", sex: "F", line: 2))
        let r = Reconciler(entries: map, modificationDateTime: "20261124120000")
        var (ds, meta) = sample()
        ds.remove(Tag.patientSex)
        try r.apply(to: &ds, fileMeta: &meta)
        XCTAssertEqual(ds.string(.patientID), "LOCAL-1")
        XCTAssertEqual(ds.text(.patientName), "Doe^Jane, Jr")
        XCTAssertEqual(ds.string(Tag.patientBirthDate), "19700102")
        XCTAssertEqual(ds.string(Tag.patientSex), "F")
        XCTAssertEqual(ds.string(Tag.accessionNumber), "ACC123", "blank keeps the value")
        let item = try XCTUnwrap(ds[Tag.originalAttributesSequence]?.items?.last)
        XCTAssertEqual(item.string(Tag.reasonForTheAttributeModification), "COERCE")
        XCTAssertEqual(item.string(Tag.attributeModificationDateTime), "20261124120000")
        XCTAssertEqual(item.string(Tag.modifyingSystem), "dicom-media")
        XCTAssertNotNil(item[Tag.sourceOfPreviousValues])
        let old = try XCTUnwrap(item[Tag.modifiedAttributesSequence]?.items?.first)
        XCTAssertEqual(old.string(.patientID), "PID-42")
        XCTAssertEqual(old.text(.patientName), "Doe^Jane")
        XCTAssertEqual(old.string(Tag.patientBirthDate), "19700101")
        XCTAssertEqual(old[Tag.patientSex]?.bytes, [], "an inserted attribute is recorded empty")
        XCTAssertNil(old[Tag.accessionNumber], "unchanged attributes are not recorded")
        // A second reconciliation appends an item.
        let again = Reconciler(entries: ["LOCAL-1": .init(patientID: "LOCAL-9", line: 2)], modificationDateTime: "20261124120001")
        try again.apply(to: &ds, fileMeta: &meta)
        XCTAssertEqual(ds[Tag.originalAttributesSequence]?.items?.count, 2)
        // Not in the map: unchanged.
        var (other, om) = sample()
        let before = other
        try Reconciler(entries: ["NOBODY": .init(patientID: "X", line: 2)]).apply(to: &other, fileMeta: &om)
        XCTAssertEqual(other, before)
    }

    func testReconcilerCSVErrorsNameLineAndColumn() {
        /// The map error's code, line and column (nil code: no error or another error).
        func error(_ text: String) -> (MediaError.Code?, Int, String?) {
            do { _ = try Reconciler.parse(text, path: "map.csv"); return (nil, 0, nil) } catch let e as MediaError {
                XCTAssertEqual(e.context.path, "map.csv")
                return (e.code, e.context.line ?? 0, e.context.column)
            } catch { return (nil, 0, nil) }
        }
        func check(_ text: String, _ code: MediaError.Code, line: Int, column: String?, file: StaticString = #filePath, at: UInt = #line) {
            let (c, l, col) = error(text)
            XCTAssertEqual(c, code, file: file, line: at)
            XCTAssertEqual(l, line, file: file, line: at)
            XCTAssertEqual(col, column, file: file, line: at)
        }
        check("source_patient_id,birth_date\nA,19700101\nB,1970-01-01\n", .mapInvalidValue, line: 3, column: "birth_date")
        check("source_patient_id,sex\r\nA,Q\r\n", .mapInvalidValue, line: 2, column: "sex")
        check("source_patient_id,weight\nA,1\n", .mapUnknownColumn, line: 1, column: "2 'weight'")
        check("source_patient_id,sex,sex\nA,M,M\n", .mapDuplicateColumn, line: 1, column: "sex")
        check("patient_id\nA\n", .mapNoSourceColumn, line: 1, column: nil)
        check("source_patient_id,patient_id\nA,B\nA,C\n", .mapAlreadyMapped, line: 3, column: "source_patient_id")
        check("source_patient_id,patient_id\nA\n", .mapValueCount, line: 2, column: nil)
        check("source_patient_id,patient_id\n\"A,B\n", .mapQuoting, line: 2, column: "1")
        check("source_patient_id,patient_id\nA\"B,C\n", .mapQuoting, line: 2, column: "1")
        check("source_patient_id,patient_id\n,B\n", .mapEmptySource, line: 2, column: "source_patient_id")
        check("source_patient_id,patient_name\nA,a^b^c^d^e^f\n", .mapInvalidValue, line: 2, column: "patient_name")
        check("", .mapEmpty, line: 1, column: nil)
        // A quoted value may span lines (then it is refused: no field may hold a newline); the lines are still counted.
        check("source_patient_id,patient_name\n\"A\",\"x,\ny\"\n", .mapInvalidValue, line: 2, column: "patient_name")
        check("source_patient_id,patient_name\n\"A\",\"x, y\"\n\n\nB,x\\y\n", .mapInvalidValue, line: 5, column: "patient_name")
        XCTAssertEqual(MediaError.map(.mapEmpty, path: "m", line: 3, column: "sex", message: "x").description, "m: line 3, column sex: x")
    }

    func testReconcilerRefusesNamesTheCharacterSetCannotHold() {
        var (ds, meta) = sample()
        ds.characterSet = SpecificCharacterSet(terms: ["ISO_IR 100"])  // Latin-1, as the reader sets it
        let r = Reconciler(entries: ["PID-42": .init(patientName: "山田^太郎", line: 5)])
        XCTAssertThrowsError(try r.apply(to: &ds, fileMeta: &meta)) { e in
            XCTAssertEqual((e as? MediaError)?.code, .transformRefused, "\(e)")
            XCTAssertEqual((e as? MediaError)?.context.rule, "PS3.5 6.1.2.5", "\(e)")
        }
        var (ds2, meta2) = sample()
        ds2.characterSet = SpecificCharacterSet(terms: ["ISO_IR 100"])
        XCTAssertNoThrow(try Reconciler(entries: ["PID-42": .init(patientName: "Müller^Jörg", line: 2)]).apply(to: &ds2, fileMeta: &meta2))
        XCTAssertEqual(ds2.text(.patientName), "Müller^Jörg")
    }

    func testChainAppliesInOrder() throws {
        let chain = TransformChain([Reconciler(entries: ["PID-42": .init(patientID: "LOCAL-1", line: 2)]), Deidentifier()])
        var (ds, meta) = sample()
        try chain.apply(to: &ds, fileMeta: &meta)
        XCTAssertNil(ds[Tag.originalAttributesSequence], "Original Attributes Sequence is X: de-identification drops the originals")
        XCTAssertNotEqual(ds.string(.patientID), "LOCAL-1")
    }
}

/// A value behind a lock, for collecting results from concurrent workers.
final class Locked<T: Sendable>: Sendable {
    private let v: Mutex<T>
    init(_ v: T) { self.v = Mutex(v) }
    var value: T { v.withLock { $0 } }
    func mutate(_ f: (inout T) -> Void) { v.withLock { f(&$0) } }
}
