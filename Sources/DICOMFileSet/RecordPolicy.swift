import DICOMCore

/// Which directory record an instance gets and which keys each record type carries (PS3.3 Annex F),
/// kept as tables: SOP Class -> record type, record type -> keys.
public enum RecordPolicy {
    /// SOP Class (+ data set for the attribute-based rules) -> record type (digest §2.6): root-level
    /// classes first, then Modality RTINTENT/RTSEGANN/RTRAD -> RADIOTHERAPY, PLAN -> PLAN, an
    /// Encapsulated Document -> ENCAP DOC, an RT Plan Label -> RT PLAN, then the SOP class table,
    /// else IMAGE. nil = no record type exists (CT/XA Defined Procedure Protocol, Protocol Approval,
    /// a DICOMDIR itself): such files cannot be indexed.
    public static func recordType(sopClassUID: String, header: DataSet) -> DirectoryRecordType? {
        let uid = sopClassUID.trimmingTrailingPadding()
        if noRecordType.contains(uid) { return nil }
        if let root = rootLevelClasses[uid] { return root }
        if let modality = header.string(.modality), let t = modalityRecordTypes[modality] { return t }
        if header.contains(.encapsulatedDocument) { return .encapDoc }
        if header.contains(.rtPlanLabel) { return .rtPlan }
        return instanceClasses[uid] ?? .image
    }

    /// The Annex F keys of a record type, excluding the (0004,xxxx) elements and Specific Character
    /// Set (0008,0005), which the record builder handles. Empty for unknown types and for PLAN and
    /// STEREOMETRIC, whose only key is Specific Character Set.
    public static func keys(for type: DirectoryRecordType) -> [KeyRule] { keyTable[type] ?? [] }

    /// The PS3.3 section that defines a record type's keys, e.g. "PS3.3 F.5.2".
    public static func section(for type: DirectoryRecordType) -> String {
        sections[type].map { "PS3.3 \($0)" } ?? "PS3.3 F.5"
    }

    /// Whether the record type lists Specific Character Set (0008,0005) as a key: all but IMPLANT,
    /// IMPLANT ASSY and IMPLANT GROUP (PS3.3 F.5.37-F.5.39).
    public static func allowsSpecificCharacterSet(_ type: DirectoryRecordType) -> Bool {
        ![.implant, .implantAssy, .implantGroup].contains(type)
    }

    /// Attributes never copied into a record, whatever a table says: Encapsulated Document (PS3.3 F.5.32).
    public static let neverCopied: Set<Tag> = [.encapsulatedDocument, .pixelData, .floatPixelData, .doubleFloatPixelData]

    // MARK: Tables

    /// Classes with no directory record type (DCMTK refuses them; digest §2.6 step 4).
    public static let noRecordType: Set<String> = [
        "1.2.840.10008.5.1.4.1.1.200.1",  // CT Defined Procedure Protocol Storage
        "1.2.840.10008.5.1.4.1.1.200.7",  // XA Defined Procedure Protocol Storage
        "1.2.840.10008.5.1.4.1.1.200.3",  // Protocol Approval Storage
        "1.2.840.10008.1.3.10",  // Media Storage Directory Storage (a DICOMDIR)
    ]

    /// Single-level classes whose records sit in the root directory entity (PS3.3 Table F.4-1).
    public static let rootLevelClasses: [String: DirectoryRecordType] = [
        "1.2.840.10008.5.1.4.38.1": .hangingProtocol,
        "1.2.840.10008.5.1.4.39.1": .palette,
        "1.2.840.10008.5.1.4.43.1": .implant,
        "1.2.840.10008.5.1.4.44.1": .implantAssy,
        "1.2.840.10008.5.1.4.45.1": .implantGroup,
        "1.2.840.10008.5.1.4.1.1.201.1": .inventory,
    ]

    /// Modality values that select a record type whatever the SOP class (digest §2.6 step 2).
    public static let modalityRecordTypes: [String: DirectoryRecordType] = [
        "RTINTENT": .radiotherapy, "RTSEGANN": .radiotherapy, "RTRAD": .radiotherapy, "PLAN": .plan,
    ]

    /// SOP Class UID -> instance record type for everything that is not IMAGE (digest §2.6 table).
    public static let instanceClasses: [String: DirectoryRecordType] = {
        let p = "1.2.840.10008.5.1.4.1.1."
        let rows: [(DirectoryRecordType, [String])] = [
            (.annotation, [p + "91.1"]),
            (.assessment, [p + "90.1"]),
            (.encapDoc, ["104.1", "104.2", "104.3", "104.4", "104.5"].map { p + $0 }),
            (.fiducial, [p + "66.2"]),
            (.keyObjectDoc, [p + "88.59"]),
            (.measurement, ["78.1", "78.2", "78.3", "78.4", "78.5", "78.7", "78.8", "80.1"].map { p + $0 }),
            (.plan, ["1.2.840.10008.5.1.4.34.7", "1.2.840.10008.5.1.4.34.10", p + "481.25"]),
            (.presentation, (1...12).map { p + "11.\($0)" } + [p + "131"]),
            (.radiotherapy, (10...22).map { p + "481.\($0)" }),
            (.rawData, [p + "66"]),
            (.registration, [p + "66.1", p + "66.3"]),
            (.rtDose, [p + "481.2"]),
            (.rtPlan, [p + "481.5", p + "481.8"]),
            (.rtStructureSet, [p + "481.3"]),
            (.rtTreatRecord, [p + "481.4", p + "481.6", p + "481.7", p + "481.9"]),
            (.spectroscopy, [p + "4.2"]),
            (
                .srDocument,
                [
                    "88.11", "88.22", "88.33", "88.34", "88.35", "88.40", "88.50", "88.65", "88.67", "88.68", "88.69",
                    "88.70", "88.71", "88.72", "88.73", "88.74", "88.75", "88.76", "88.77", "79.1", "78.6",
                ].map { p + $0 }
            ),
            (.stereometric, [p + "77.1.5.3"]),
            (.surface, [p + "66.5"]),
            (.surfaceScan, [p + "68.1", p + "68.2"]),
            (.tract, [p + "66.6"]),
            (.valueMap, [p + "67"]),
            (
                .waveform,
                [
                    "9.1.1", "9.1.2", "9.1.3", "9.1.4", "9.2.1", "9.3.1", "9.4.1", "9.4.2", "9.5.1", "9.6.1", "9.6.2",
                    "9.7.1", "9.7.2", "9.7.3", "9.7.4", "9.8.1",
                ].map { p + $0 }
            ),
            (.wfPresentation, [p + "9.100.1", p + "9.100.2"]),
        ]
        var map: [String: DirectoryRecordType] = [:]
        for (type, uids) in rows { for u in uids { precondition(map.updateValue(type, forKey: u) == nil, "duplicate SOP class \(u)") } }
        return map
    }()

    /// Content Identification Macro (PS3.3 Table 10-12).
    static let contentIdentification: [KeyRule] = [
        KeyRule(.instanceNumber, .type1),
        KeyRule(.contentLabel, .type1),
        KeyRule(.contentDescription, .type2),
        KeyRule(.conceptNameCodeSequence, .type3, .ifPresent),
        KeyRule(.alternateContentDescriptionSequence, .type3, .ifPresent),
        KeyRule(.contentCreatorName, .type2),
        KeyRule(.contentCreatorIdentificationCodeSequence, .type3, .ifPresent),
    ]
    static let contentDateTime: [KeyRule] = [KeyRule(.contentDate, .type1), KeyRule(.contentTime, .type1)]
    static let icon = KeyRule(.iconImageSequence, .type3, .ifPresent)

    /// Record type -> keys (PS3.3 Tables F.5-1 ... F.5-49; digest §2.3).
    public static let keyTable: [DirectoryRecordType: [KeyRule]] = [
        .patient: [KeyRule(.patientName, .type2), KeyRule(.patientID, .type1)],
        .study: [
            KeyRule(.studyDate, .type1), KeyRule(.studyTime, .type1), KeyRule(.studyDescription, .type2),
            // 1C "if the record does not reference a file": STUDY records never do.
            KeyRule(.studyInstanceUID, .type1C, .always), KeyRule(.studyID, .type1), KeyRule(.accessionNumber, .type2),
        ],
        .series: [
            KeyRule(.modality, .type1), KeyRule(.seriesInstanceUID, .type1), KeyRule(.seriesNumber, .type1),
            // Type 3 (any Series IE attribute, PS3.3 F.5.3): what `list` and INDEX.HTM show.
            KeyRule(.seriesDescription, .type3, .ifPresent), KeyRule(.bodyPartExamined, .type3, .ifPresent), icon,
        ],
        .image: [KeyRule(.instanceNumber, .type1), icon],
        .rtDose: [KeyRule(.instanceNumber, .type1), KeyRule(.doseSummationType, .type1), KeyRule(.doseComment, .type3, .ifPresent), icon],
        .rtStructureSet: [
            KeyRule(.instanceNumber, .type1), KeyRule(.structureSetLabel, .type1),
            KeyRule(.structureSetDate, .type2), KeyRule(.structureSetTime, .type2),
        ],
        .rtPlan: [KeyRule(.instanceNumber, .type1), KeyRule(.rtPlanLabel, .type1), KeyRule(.rtPlanDate, .type2), KeyRule(.rtPlanTime, .type2)],
        .rtTreatRecord: [KeyRule(.instanceNumber, .type1), KeyRule(.treatmentDate, .type2), KeyRule(.treatmentTime, .type2)],
        .presentation: [KeyRule(.presentationCreationDate, .type1), KeyRule(.presentationCreationTime, .type1)]
            + contentIdentification
            + [KeyRule(.referencedSeriesSequence, .type1C, .ifPresent), KeyRule(.blendingSequence, .type1C, .ifPresent)],
        .wfPresentation: [KeyRule(.presentationCreationDate, .type1), KeyRule(.presentationCreationTime, .type1)]
            + contentIdentification
            + [KeyRule(.referencedSeriesSequence, .type1C, .ifPresent)],
        .waveform: [KeyRule(.instanceNumber, .type1)] + contentDateTime,
        .srDocument: [
            KeyRule(.instanceNumber, .type1), KeyRule(.completionFlag, .type1), KeyRule(.verificationFlag, .type1),
        ] + contentDateTime + [
            KeyRule(.verificationDateTime, .type1C, .ifValue(.verificationFlag, index: 0, in: ["VERIFIED"]), source: .latestVerificationDateTime),
            KeyRule(.conceptNameCodeSequence, .type1),
            KeyRule(.contentSequence, .type1C, .ifPresent, source: .conceptModifierContentItems),
        ],
        .keyObjectDoc: [KeyRule(.instanceNumber, .type1)] + contentDateTime + [
            KeyRule(.conceptNameCodeSequence, .type1),
            KeyRule(.contentSequence, .type1C, .ifPresent, source: .conceptModifierContentItems),
        ],
        .encapDoc: [
            KeyRule(.contentDate, .type2), KeyRule(.contentTime, .type2), KeyRule(.instanceNumber, .type1),
            KeyRule(.documentTitle, .type2), KeyRule(.hl7InstanceIdentifier, .type1C, .ifPresent),
            KeyRule(.conceptNameCodeSequence, .type2), KeyRule(.mimeTypeOfEncapsulatedDocument, .type1),
        ],
        .spectroscopy: [KeyRule(.imageType, .type1)] + contentDateTime + [
            KeyRule(.instanceNumber, .type1), KeyRule(.referencedImageEvidenceSequence, .type1C, .ifPresent),
            KeyRule(.numberOfFrames, .type1), KeyRule(.rows, .type1), KeyRule(.columns, .type1),
            KeyRule(.dataPointRows, .type1), KeyRule(.dataPointColumns, .type1), icon,
        ],
        .rawData: contentDateTime + [KeyRule(.instanceNumber, .type2), icon],
        .registration: contentDateTime + contentIdentification,
        .fiducial: contentDateTime + contentIdentification,
        .valueMap: contentDateTime + contentIdentification,
        .measurement: contentDateTime + contentIdentification,
        .surface: contentDateTime + contentIdentification,
        .tract: contentDateTime + contentIdentification,
        .surfaceScan: contentDateTime,
        .stereometric: [],
        .plan: [],
        .assessment: [KeyRule(.instanceNumber, .type1), KeyRule(.instanceCreationDate, .type1), KeyRule(.instanceCreationTime, .type2)],
        .radiotherapy: [
            KeyRule(.instanceNumber, .type1), KeyRule(.userContentLabel, .type1C, .ifPresent),
            KeyRule(.userContentLongLabel, .type1C, .ifPresent), KeyRule(.contentDescription, .type2), KeyRule(.contentCreatorName, .type2),
        ],
        .annotation: [KeyRule(.instanceNumber, .type1)] + contentDateTime + [
            KeyRule(.contentLabel, .type1), KeyRule(.contentDescription, .type2), KeyRule(.contentCreatorName, .type2),
        ],
        .hangingProtocol: [
            KeyRule(.hangingProtocolName, .type1), KeyRule(.hangingProtocolDescription, .type1), KeyRule(.hangingProtocolLevel, .type1),
            KeyRule(.hangingProtocolCreator, .type1), KeyRule(.hangingProtocolCreationDateTime, .type1),
            KeyRule(.hangingProtocolDefinitionSequence, .type1), KeyRule(.numberOfPriorsReferenced, .type1),
            KeyRule(.hangingProtocolUserIdentificationCodeSequence, .type2),
        ],
        .palette: [KeyRule(.contentLabel, .type1), KeyRule(.contentDescription, .type2)],
        .implant: [
            KeyRule(.manufacturer, .type1), KeyRule(.implantName, .type1), KeyRule(.implantSize, .type1C, .ifPresent),
            KeyRule(.implantPartNumber, .type1),
        ],
        .implantAssy: [KeyRule(.implantAssemblyTemplateName, .type1), KeyRule(.manufacturer, .type1), KeyRule(.procedureTypeCodeSequence, .type1)],
        .implantGroup: [
            KeyRule(.implantTemplateGroupName, .type1), KeyRule(.implantTemplateGroupDescription, .type3, .ifPresent),
            KeyRule(.implantTemplateGroupIssuer, .type1),
        ],
        // NEMA F.5.48 names only the Scope of Inventory Macro; the list is DCMTK's (digest §9 item 2).
        .inventory: contentDateTime + [
            KeyRule(.inventoryLevel, .type1), KeyRule(.inventoryCompletionStatus, .type1), KeyRule(.totalNumberOfStudyRecords, .type1),
            KeyRule(.inventoryPurpose, .type2), KeyRule(.scopeOfInventorySequence, .type2),
        ],
    ]

    /// Record type -> PS3.3 section (digest §2.1).
    static let sections: [DirectoryRecordType: String] = [
        .patient: "F.5.1", .study: "F.5.2", .series: "F.5.3", .image: "F.5.4", .rtDose: "F.5.19", .rtStructureSet: "F.5.20",
        .rtPlan: "F.5.21", .rtTreatRecord: "F.5.22", .presentation: "F.5.23", .waveform: "F.5.24", .srDocument: "F.5.25",
        .keyObjectDoc: "F.5.26", .spectroscopy: "F.5.27", .rawData: "F.5.28", .registration: "F.5.29", .fiducial: "F.5.30",
        .hangingProtocol: "F.5.31", .encapDoc: "F.5.32", .valueMap: "F.5.34", .stereometric: "F.5.35", .palette: "F.5.36",
        .implant: "F.5.37", .implantAssy: "F.5.38", .implantGroup: "F.5.39", .plan: "F.5.40", .measurement: "F.5.41",
        .surface: "F.5.42", .surfaceScan: "F.5.43", .tract: "F.5.44", .assessment: "F.5.45", .radiotherapy: "F.5.46",
        .annotation: "F.5.47", .inventory: "F.5.48", .wfPresentation: "F.5.49",
    ]
}
