import DICOMCore
import DICOMFileSet
import XCTest

final class RecordPolicyTests: XCTestCase {
    private let p = "1.2.840.10008.5.1.4.1.1."

    private func type(_ uid: String, _ header: DataSet = DataSet()) -> DirectoryRecordType? {
        RecordPolicy.recordType(sopClassUID: uid, header: header)
    }

    /// One or more SOP classes from each row of the SOP Class -> record type table (digest §2.6).
    func testSOPClassTableSamples() {
        let samples: [(String, DirectoryRecordType)] = [
            (p + "2", .image), (p + "4", .image), (p + "66.4", .image), (p + "481.1", .image), (p + "6.1", .image),
            (p + "91.1", .annotation), (p + "90.1", .assessment),
            (p + "104.1", .encapDoc), (p + "104.2", .encapDoc), (p + "104.3", .encapDoc),
            (p + "66.2", .fiducial), (p + "88.59", .keyObjectDoc),
            (p + "78.1", .measurement), (p + "78.8", .measurement), (p + "80.1", .measurement),
            ("1.2.840.10008.5.1.4.34.7", .plan), ("1.2.840.10008.5.1.4.34.10", .plan), (p + "481.25", .plan),
            (p + "11.1", .presentation), (p + "11.2", .presentation), (p + "11.8", .presentation), (p + "11.12", .presentation),
            (p + "131", .presentation),
            (p + "481.10", .radiotherapy), (p + "481.16", .radiotherapy), (p + "481.22", .radiotherapy),
            (p + "66", .rawData), (p + "66.1", .registration), (p + "66.3", .registration),
            (p + "481.2", .rtDose), (p + "481.5", .rtPlan), (p + "481.8", .rtPlan), (p + "481.3", .rtStructureSet),
            (p + "481.4", .rtTreatRecord), (p + "481.6", .rtTreatRecord), (p + "481.7", .rtTreatRecord), (p + "481.9", .rtTreatRecord),
            (p + "4.2", .spectroscopy),
            (p + "88.11", .srDocument), (p + "88.33", .srDocument), (p + "88.67", .srDocument), (p + "88.76", .srDocument),
            (p + "79.1", .srDocument), (p + "78.6", .srDocument),
            (p + "77.1.5.3", .stereometric), (p + "66.5", .surface), (p + "68.1", .surfaceScan), (p + "68.2", .surfaceScan),
            (p + "66.6", .tract), (p + "67", .valueMap),
            (p + "9.1.1", .waveform), (p + "9.4.1", .waveform), (p + "9.7.4", .waveform),
            (p + "9.100.1", .wfPresentation), (p + "9.100.2", .wfPresentation),
            ("1.2.840.10008.5.1.4.38.1", .hangingProtocol), ("1.2.840.10008.5.1.4.39.1", .palette),
            ("1.2.840.10008.5.1.4.43.1", .implant), ("1.2.840.10008.5.1.4.44.1", .implantAssy),
            ("1.2.840.10008.5.1.4.45.1", .implantGroup), (p + "201.1", .inventory),
        ]
        for (uid, expected) in samples {
            XCTAssertEqual(type(uid), expected, "\(uid) \(DataDictionary.uidName(uid) ?? "")")
        }
        // Padding from the file does not matter.
        XCTAssertEqual(type(p + "481.2\u{0}"), .rtDose)
    }

    func testRootLevelClassesGiveRootLevelRecordTypes() {
        for (uid, t) in RecordPolicy.rootLevelClasses {
            XCTAssertTrue(DirectoryRecordType.rootLevel.contains(t), uid)
            XCTAssertEqual(t.level, 0)
        }
        for (uid, t) in RecordPolicy.instanceClasses {
            XCTAssertTrue(DirectoryRecordType.instanceLevel.contains(t), "\(uid) -> \(t)")
            XCTAssertNil(RecordPolicy.rootLevelClasses[uid])
        }
    }

    func testAttributeBasedRules() {
        let unknown = "1.2.3.4.5.6"
        var ds = DataSet()
        XCTAssertEqual(type(unknown, ds), .image, "default for any other storage class")
        for m in ["RTINTENT", "RTSEGANN", "RTRAD"] {
            ds.setString(.modality, .CS, m)
            XCTAssertEqual(type(unknown, ds), .radiotherapy, m)
        }
        ds.setString(.modality, .CS, "PLAN")
        XCTAssertEqual(type(unknown, ds), .plan)

        var doc = DataSet()
        doc.setString(.modality, .CS, "DOC")
        doc.set(DataElement(tag: .encapsulatedDocument, vr: .OB, bytes: Array("%PDF".utf8)))
        XCTAssertEqual(type(unknown, doc), .encapDoc)

        var plan = DataSet()
        plan.setString(.modality, .CS, "RTPLAN")
        plan.setString(.rtPlanLabel, .SH, "Plan1")
        XCTAssertEqual(type(unknown, plan), .rtPlan)
        // Modality wins over the SOP class table, as in pydicom's rule order.
        XCTAssertEqual(type(p + "2", ds), .plan)
    }

    func testClassesWithoutRecordTypeAreRefused() {
        XCTAssertNil(type(p + "200.1"), "CT Defined Procedure Protocol")
        XCTAssertNil(type(p + "200.7"), "XA Defined Procedure Protocol")
        XCTAssertNil(type(p + "200.3"), "Protocol Approval")
        XCTAssertNil(type("1.2.840.10008.1.3.10"), "a DICOMDIR")
    }

    private func rule(_ t: DirectoryRecordType, _ tag: Tag) -> KeyRule? {
        RecordPolicy.keys(for: t).first { $0.tag == tag }
    }

    func testStudySeriesPatientImageKeys() {
        XCTAssertEqual(rule(.patient, .patientID)?.type, .type1)
        XCTAssertEqual(rule(.patient, .patientName)?.type, .type2)
        XCTAssertEqual(rule(.study, .studyDate)?.type, .type1)
        XCTAssertEqual(rule(.study, .studyTime)?.type, .type1)
        XCTAssertEqual(rule(.study, .studyDescription)?.type, .type2)
        XCTAssertEqual(rule(.study, .studyID)?.type, .type1)
        XCTAssertEqual(rule(.study, .accessionNumber)?.type, .type2)
        XCTAssertEqual(rule(.study, .studyInstanceUID)?.type, .type1C)
        XCTAssertEqual(rule(.series, .modality)?.type, .type1)
        XCTAssertEqual(rule(.series, .seriesNumber)?.type, .type1)
        XCTAssertEqual(rule(.series, .iconImageSequence)?.type, .type3)
        XCTAssertEqual(rule(.image, .instanceNumber)?.type, .type1)
        XCTAssertEqual(RecordPolicy.section(for: .study), "PS3.3 F.5.2")
        XCTAssertEqual(RecordPolicy.section(for: .wfPresentation), "PS3.3 F.5.49")
    }

    func testDocumentAndOtherKeys() {
        XCTAssertEqual(rule(.srDocument, .completionFlag)?.type, .type1)
        XCTAssertEqual(rule(.srDocument, .verificationFlag)?.type, .type1)
        XCTAssertEqual(rule(.srDocument, .verificationDateTime)?.condition, .ifValue(.verificationFlag, index: 0, in: ["VERIFIED"]))
        XCTAssertEqual(rule(.srDocument, .contentSequence)?.source, .conceptModifierContentItems)
        XCTAssertEqual(rule(.keyObjectDoc, .contentSequence)?.source, .conceptModifierContentItems)
        XCTAssertEqual(rule(.encapDoc, .mimeTypeOfEncapsulatedDocument)?.type, .type1)
        XCTAssertEqual(rule(.encapDoc, .documentTitle)?.type, .type2)
        XCTAssertEqual(rule(.encapDoc, .hl7InstanceIdentifier)?.type, .type1C)
        XCTAssertNil(rule(.encapDoc, .encapsulatedDocument), "(0042,0011) is never a key")
        XCTAssertTrue(RecordPolicy.neverCopied.contains(.encapsulatedDocument))
        XCTAssertEqual(rule(.rawData, .instanceNumber)?.type, .type2, "RAW DATA Instance Number is Type 2 (PS3.3 F.5.28)")
        XCTAssertEqual(rule(.rtDose, .doseSummationType)?.type, .type1)
        XCTAssertEqual(rule(.rtPlan, .rtPlanLabel)?.type, .type1)
        XCTAssertEqual(rule(.spectroscopy, .dataPointColumns)?.type, .type1)
        XCTAssertEqual(rule(.assessment, .instanceCreationTime)?.type, .type2)
        XCTAssertEqual(rule(.hangingProtocol, .numberOfPriorsReferenced)?.type, .type1)
        XCTAssertEqual(rule(.implant, .implantSize)?.type, .type1C)
        XCTAssertTrue(RecordPolicy.keys(for: .plan).isEmpty)
        XCTAssertTrue(RecordPolicy.keys(for: .stereometric).isEmpty)
        XCTAssertFalse(RecordPolicy.allowsSpecificCharacterSet(.implantGroup))
        XCTAssertTrue(RecordPolicy.allowsSpecificCharacterSet(.patient))
    }

    /// The Content Identification Macro (PS3.3 Table 10-12) is expanded in the records that use it.
    func testContentIdentificationMacroExpansion() {
        for t in [DirectoryRecordType.presentation, .wfPresentation, .registration, .fiducial, .valueMap, .measurement, .surface, .tract] {
            XCTAssertEqual(rule(t, .instanceNumber)?.type, .type1, "\(t)")
            XCTAssertEqual(rule(t, .contentLabel)?.type, .type1, "\(t)")
            XCTAssertEqual(rule(t, .contentDescription)?.type, .type2, "\(t)")
            XCTAssertEqual(rule(t, .contentCreatorName)?.type, .type2, "\(t)")
            XCTAssertEqual(rule(t, .contentCreatorIdentificationCodeSequence)?.type, .type3, "\(t)")
        }
        XCTAssertEqual(rule(.presentation, .presentationCreationDate)?.type, .type1)
        XCTAssertEqual(rule(.presentation, .referencedSeriesSequence)?.type, .type1C)
        XCTAssertNil(rule(.surfaceScan, .contentLabel))
    }

    func testEveryStandardRecordTypeHasATableAndNoForbiddenKeys() {
        for t in DirectoryRecordType.standard where t != .private {
            XCTAssertNotNil(RecordPolicy.keyTable[t], "\(t) has no key table")
            let tags = RecordPolicy.keys(for: t).map(\.tag)
            XCTAssertEqual(Set(tags).count, tags.count, "\(t) lists a key twice")
            XCTAssertFalse(tags.contains { $0.group == 0x0004 }, "\(t)")
            XCTAssertFalse(tags.contains(.specificCharacterSet), "\(t)")
            XCTAssertNotEqual(RecordPolicy.section(for: t), "PS3.3 F.5", "\(t) has no section")
            for r in RecordPolicy.keys(for: t) where r.type == .type1 || r.type == .type2 {
                if r.condition != .always { XCTFail("\(t) \(r): Type 1/2 keys are unconditional") }
            }
        }
    }
}
