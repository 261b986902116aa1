import DICOMCore

// The keys are held as text and encoded when the Identifier is made, so the character set can be chosen from
// them: the one the caller names, else ISO_IR 192 when a value is not ASCII, else none (PS3.5 §6.1.2.5).
/// The matching and return keys of a Patient Root or Study Root C-FIND, C-MOVE or C-GET Identifier (PS3.4 §C.4.1.1.3, §C.6).
public struct QueryKeys: Sendable, Hashable {
    public var level: QueryLevel
    public var patientID: String?
    /// Patient's Name, `*` and `?` wildcards allowed (PS3.4 §C.2.2.2.4).
    public var patientName: String?
    public var patientBirthDate: DateRange?
    public var studyDate: DateRange?
    /// Modalities in Study (0008,0061) at the STUDY level, Modality (0008,0060) at SERIES and IMAGE.
    public var modality: String?
    public var accessionNumber: String?
    public var studyInstanceUID: String?
    public var seriesInstanceUID: String?
    public var sopInstanceUID: String?
    /// More return keys, sent empty (universal matching); a key set above with a value is not repeated.
    public var returnKeys: [Tag]

    public init(
        level: QueryLevel, patientID: String? = nil, patientName: String? = nil, patientBirthDate: DateRange? = nil, studyDate: DateRange? = nil,
        modality: String? = nil, accessionNumber: String? = nil, studyInstanceUID: String? = nil, seriesInstanceUID: String? = nil,
        sopInstanceUID: String? = nil, returnKeys: [Tag] = []
    ) {
        self.level = level; self.patientID = patientID; self.patientName = patientName; self.patientBirthDate = patientBirthDate
        self.studyDate = studyDate; self.modality = modality; self.accessionNumber = accessionNumber; self.studyInstanceUID = studyInstanceUID
        self.seriesInstanceUID = seriesInstanceUID; self.sopInstanceUID = sopInstanceUID; self.returnKeys = returnKeys
    }

    /// The return keys asked at each level besides the matching keys (PS3.4 Tables C.6-1 to C.6-4, C.6-5 to C.6-7).
    static func defaultReturnKeys(_ level: QueryLevel) -> [Tag] {
        switch level {
        case .patient: [.patientName, .patientID, .patientBirthDate, .patientSex, .numberOfPatientRelatedStudies]
        case .study:
            [
                .studyDate, .studyTime, .accessionNumber, .patientName, .patientID, .patientBirthDate, .patientSex, .studyID, .studyInstanceUID,
                .studyDescription, .modalitiesInStudy, .numberOfStudyRelatedSeries, .numberOfStudyRelatedInstances,
            ]
        case .series: [.studyInstanceUID, .seriesInstanceUID, .modality, .seriesNumber, .seriesDescription]
        case .image: [.studyInstanceUID, .seriesInstanceUID, .sopInstanceUID, .sopClassUID, .instanceNumber]
        }
    }

    /// The matching keys with a value, each with its tag.
    var matching: [(Tag, String)] {
        let modalityTag: Tag = level == .study ? .modalitiesInStudy : .modality
        let keys: [(Tag, String?)] = [
            (.patientID, patientID), (.patientName, patientName), (.patientBirthDate, patientBirthDate?.matchValue),
            (.studyDate, studyDate?.matchValue), (modalityTag, modality), (.accessionNumber, accessionNumber),
            (.studyInstanceUID, studyInstanceUID), (.seriesInstanceUID, seriesInstanceUID), (.sopInstanceUID, sopInstanceUID),
        ]
        return keys.compactMap { t, v in v.map { (t, $0) } }
    }

    /// The Identifier: Query/Retrieve Level, the matching keys, the level's return keys empty, Specific Character Set when one is
    /// used (`characterSet`, else ISO_IR 192 when a value is not ASCII). A value the character set cannot hold is `query-character-set`.
    public func identifier(characterSet: String? = nil) throws -> DataSet {
        var ds = try IdentifierBuilder(values: matching.map { $0.1 }, characterSet: characterSet).start()
        ds.setString(.queryRetrieveLevel, .CS, level.rawValue)
        try IdentifierBuilder.set(matching, returnKeys: Self.defaultReturnKeys(level) + returnKeys, in: &ds)
        return ds
    }

    /// The Identifier of a C-MOVE or C-GET: Query/Retrieve Level and the unique keys given (Patient ID, Study, Series and SOP Instance
    /// UIDs), nothing else, since a retrieve takes no return keys (PS3.4 §C.4.2.1.4.1, §C.4.3.1.3.1).
    public func retrieveIdentifier() throws -> DataSet {
        let unique: Set<Tag> = [.patientID, .studyInstanceUID, .seriesInstanceUID, .sopInstanceUID]
        let keys = matching.filter { unique.contains($0.0) }
        var ds = try IdentifierBuilder(values: keys.map { $0.1 }, characterSet: nil).start()
        ds.setString(.queryRetrieveLevel, .CS, level.rawValue)
        try IdentifierBuilder.set(keys, returnKeys: [], in: &ds)
        return ds
    }
}

/// The matching and return keys of a Modality Worklist C-FIND, the Scheduled Procedure Step keys in their sequence (PS3.4 §K.6.1.2).
public struct WorklistKeys: Sendable, Hashable {
    public var patientID: String?
    /// Patient's Name, `*` and `?` wildcards allowed (PS3.4 §C.2.2.2.4).
    public var patientName: String?
    public var patientBirthDate: DateRange?
    public var accessionNumber: String?
    public var requestedProcedureID: String?
    /// Scheduled Station AE Title (0040,0001), in the Scheduled Procedure Step Sequence.
    public var scheduledStationAETitle: String?
    /// Scheduled Procedure Step Start Date (0040,0002), in the Scheduled Procedure Step Sequence.
    public var scheduledDate: DateRange?
    /// Modality (0008,0060), in the Scheduled Procedure Step Sequence.
    public var modality: String?
    /// More top-level return keys, sent empty.
    public var returnKeys: [Tag]

    public init(
        patientID: String? = nil, patientName: String? = nil, patientBirthDate: DateRange? = nil, accessionNumber: String? = nil,
        requestedProcedureID: String? = nil, scheduledStationAETitle: String? = nil, scheduledDate: DateRange? = nil, modality: String? = nil,
        returnKeys: [Tag] = []
    ) {
        self.patientID = patientID; self.patientName = patientName; self.patientBirthDate = patientBirthDate
        self.accessionNumber = accessionNumber; self.requestedProcedureID = requestedProcedureID
        self.scheduledStationAETitle = scheduledStationAETitle; self.scheduledDate = scheduledDate; self.modality = modality
        self.returnKeys = returnKeys
    }

    static let topReturnKeys: [Tag] = [
        .accessionNumber, .referringPhysicianName, .patientName, .patientID, .patientBirthDate, .patientSex, .studyInstanceUID,
        .requestedProcedureDescription, .requestedProcedureID,
    ]
    static let stepReturnKeys: [Tag] = [
        .modality, .scheduledStationAETitle, .scheduledProcedureStepStartDate, .scheduledProcedureStepStartTime,
        .scheduledPerformingPhysicianName, .scheduledProcedureStepDescription, .scheduledProcedureStepID,
    ]

    /// The Identifier: the keys, the Scheduled Procedure Step Sequence with one item, Specific Character Set as for ``QueryKeys``.
    public func identifier(characterSet: String? = nil) throws -> DataSet {
        let top: [(Tag, String?)] = [
            (.patientID, patientID), (.patientName, patientName), (.patientBirthDate, patientBirthDate?.matchValue),
            (.accessionNumber, accessionNumber), (.requestedProcedureID, requestedProcedureID),
        ]
        let step: [(Tag, String?)] = [
            (.scheduledStationAETitle, scheduledStationAETitle), (.scheduledProcedureStepStartDate, scheduledDate?.matchValue), (.modality, modality),
        ]
        let topKeys = top.compactMap { t, v in v.map { (t, $0) } }, stepKeys = step.compactMap { t, v in v.map { (t, $0) } }
        let builder = IdentifierBuilder(values: (topKeys + stepKeys).map { $0.1 }, characterSet: characterSet)
        var ds = try builder.start()
        var item = DataSet([], characterSet: ds.characterSet)
        try IdentifierBuilder.set(stepKeys, returnKeys: Self.stepReturnKeys, in: &item)
        try IdentifierBuilder.set(topKeys, returnKeys: Self.topReturnKeys + returnKeys, in: &ds)
        ds.setSequence(.scheduledProcedureStepSequence, [item])
        return ds
    }
}

/// Makes an Identifier: chooses the Specific Character Set and sets keys, checking each value survives the encoding (PS3.5 §6.1).
struct IdentifierBuilder {
    var values: [String]
    var characterSet: String?

    /// A data set with (0008,0005) set when a character set is used.
    func start() throws -> DataSet {
        let term = characterSet ?? (values.contains { !$0.unicodeScalars.allSatisfy(\.isASCII) } ? "ISO_IR 192" : nil)
        guard let term, !term.isEmpty else { return DataSet() }
        let cs = SpecificCharacterSet(terms: [term])
        if let problem = cs.diagnostics.first {
            throw NetworkError(.queryCharacterSet, "Specific Character Set '\(term)': \(problem)", tag: .specificCharacterSet)
        }
        var ds = DataSet([], characterSet: cs)
        ds.setString(.specificCharacterSet, .CS, term)
        return ds
    }

    /// Sets the matching keys with their values, then the return keys not already there, empty.
    static func set(_ keys: [(Tag, String)], returnKeys: [Tag], in ds: inout DataSet) throws {
        for (tag, value) in keys {
            let vr = DataDictionary.entry(for: tag)?.vr ?? .LO
            ds.setString(tag, vr, value)
            if vr.usesSpecificCharacterSet, ds.text(tag) != value.trimmingSpaces() {
                let terms = ds.characterSet.terms.joined(separator: "\\")
                throw NetworkError(
                    .queryCharacterSet, "the value '\(value)' cannot be encoded in Specific Character Set '\(terms.isEmpty ? "ISO_IR 6" : terms)'",
                    tag: tag)
            }
        }
        for tag in returnKeys where !ds.contains(tag) {
            ds.set(DataElement(tag: tag, vr: DataDictionary.entry(for: tag)?.vr ?? .UN, bytes: []))
        }
    }
}
