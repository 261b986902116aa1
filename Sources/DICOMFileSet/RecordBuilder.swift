import DICOMCore

/// Builds directory records from instance headers for one application profile (PS3.3 Annex F,
/// PS3.11 additional keys, PS3.5 character sets).
///
/// Key values are copied byte for byte from the instance, never re-encoded; a record gets the
/// instance's Specific Character Set (0008,0005) when one of its copied keys needs a non-default
/// repertoire (digest §7.3). Missing Type 1 keys are supplied with a warning (Study Date/Time from
/// Series/Acquisition/Content date/time or the export date/time, Series/Instance Number 1, Patient
/// ID and Study ID from a hash of the Study Instance UID, Modality OT), or refused when `strict`.
/// A Type 1 key nothing can supply is written empty with an error problem (or refused when `strict`).
public struct RecordBuilder: Sendable {
    public let profile: ApplicationProfile
    public let strict: Bool
    /// YYYYMMDD and HHMMSS used when no date/time in the instance can stand in for a missing one.
    public let exportDate: String
    public let exportTime: String

    /// Annex F keys merged with the profile's, per record type, computed once.
    let merged: [DirectoryRecordType: [(rule: KeyRule, reference: String)]]

    public init(profile: ApplicationProfile, strict: Bool, exportDate: String, exportTime: String) {
        self.profile = profile; self.strict = strict; self.exportDate = exportDate; self.exportTime = exportTime
        var merged: [DirectoryRecordType: [(rule: KeyRule, reference: String)]] = [:]
        for type in Set(RecordPolicy.keyTable.keys).union(profile.extraKeys.keys) {
            merged[type] = Self.merge(
                RecordPolicy.keys(for: type), reference: RecordPolicy.section(for: type),
                extra: profile.extraKeys(for: type), extraReference: profile.keysRule)
        }
        self.merged = merged
    }

    /// Why an instance cannot get directory records under this builder's rules (code `.instanceRefused`;
    /// `path` is the file the instance came from, `rule` the rule): the module's one error type.
    public typealias Refusal = FileSetError

    /// One instance's records: PATIENT, STUDY, SERIES keys and its instance record referencing `fileID`.
    ///
    /// Throws ``Refusal`` when the SOP class has no record type, the profile does not allow the SOP
    /// class, transfer syntax or pixel attributes (pass the syntax the file will have on the medium),
    /// the Study or Series Instance UID is missing, the File ID is not conformant, or (when `strict`)
    /// a Type 1 key is missing.
    public func build(
        header: DataSet, sopClassUID: String, sopInstanceUID: String, transferSyntaxUID: String,
        fileID: FileID, source: String
    ) throws -> BuiltRecords {
        let sop = sopClassUID.trimmingTrailingPadding(), iuid = sopInstanceUID.trimmingTrailingPadding()
        let ts = transferSyntaxUID.trimmingTrailingPadding()
        func refuse(_ message: String, _ rule: String) -> Refusal { Refusal(refusing: source, message, rule: rule) }

        guard let type = RecordPolicy.recordType(sopClassUID: sop, header: header) else {
            throw refuse(
                "\(ApplicationProfile.sopName(sop)) (\(sop)) has no directory record type, so a File-set with a DICOMDIR cannot reference it",
                "PS3.3 F.4, Table F.4-1")
        }
        if let v = profile.violationParts(sopClassUID: sop, transferSyntaxUID: ts, header: header) {
            throw refuse(v.message, v.rule)
        }
        if iuid.isEmpty { throw refuse("the SOP Instance UID is empty; (0004,1511) must identify the instance", "PS3.3 F.3.2.2") }
        if let bad = fileID.nonConformance { throw refuse("File ID \(fileID.path): \(bad)", "PS3.10 8.5") }

        var ctx = Context(builder: self, header: header, sopClassUID: sop, fileID: fileID, source: source)
        let isRoot = type.level == 0
        var built = BuiltRecords(
            patient: DataSet(), study: DataSet(), series: DataSet(), instance: DirectoryRecord(type: type),
            problems: [], isRootLevel: isRoot, fillIfEmpty: [:])
        if !isRoot {
            for (tag, record) in [(Tag.studyInstanceUID, "STUDY"), (.seriesInstanceUID, "SERIES")] where !ctx.hasValue(header[tag]) {
                throw refuse(
                    "\(KeyRule(tag, .type1).name) is missing or empty; it is needed to place the instance under its \(record) record",
                    RecordPolicy.section(for: DirectoryRecordType(record)))
            }
            built.patient = try ctx.record(.patient)
            built.study = try ctx.record(.study)
            built.series = try ctx.record(.series)
            for t in [DirectoryRecordType.patient, .study, .series] {
                let tags = rules(for: t).filter { $0.rule.condition == .ifAnyInstanceNonEmpty }.map(\.rule.tag)
                if !tags.isEmpty { built.fillIfEmpty[t] = tags }
            }
        }
        var keys = try ctx.record(type)
        keys.setString(.referencedFileID, .CS, fileID.components)
        keys.setString(.referencedSOPClassUIDInFile, .UI, sop)
        keys.setString(.referencedSOPInstanceUIDInFile, .UI, iuid)
        keys.setString(.referencedTransferSyntaxUIDInFile, .UI, ts)
        if let related = header[.relatedGeneralSOPClassUID], let b = related.bytes, ctx.hasValue(related) {
            keys.set(DataElement(tag: .referencedRelatedGeneralSOPClassUIDInFile, vr: .UI, bytes: b))
        }
        built.instance = DirectoryRecord(type: type, keys: keys)
        // Kept for the whole run, one per file: its elements in an array of their own size, not the
        // capacity the appends above grew it to.
        built.instance.keys = DataSet(built.instance.keys.elements, characterSet: built.instance.keys.characterSet)
        built.problems = ctx.problems
        return built
    }

    /// The keys of a record type under this profile, each with the rule that requires it: the
    /// Annex F keys, with the profile's extra keys replacing or added to them.
    public func rules(for type: DirectoryRecordType) -> [(rule: KeyRule, reference: String)] { merged[type] ?? [] }

    static func merge(_ base: [KeyRule], reference: String, extra: [KeyRule], extraReference: String) -> [(rule: KeyRule, reference: String)] {
        var out = base.map { (rule: $0, reference: reference) }
        for e in extra {
            let entry = (rule: e, reference: extraReference)
            if let i = out.firstIndex(where: { $0.rule.tag == e.tag }) { out[i] = entry } else { out.append(entry) }
        }
        return out
    }

    // MARK: - Supplying missing Type 1 keys

    enum Invention: Sendable {
        /// The first of these instance attributes with a value, else the export date or time.
        case firstOf([Tag], thenExport: Tag?)
        case constant(String)
        /// A deterministic 16-character hash of the Study Instance UID.
        case studyUIDHash
    }

    /// Keys a missing value can be supplied for (PS3.11 D.3.3.1 note: "supplied in some other way by the FSC").
    static let inventions: [Tag: Invention] = [
        .studyDate: .firstOf([.seriesDate, .acquisitionDate, .contentDate], thenExport: .studyDate),
        .studyTime: .firstOf([.seriesTime, .acquisitionTime, .contentTime], thenExport: .studyTime),
        .contentDate: .firstOf([.acquisitionDate, .seriesDate, .studyDate, .instanceCreationDate], thenExport: .studyDate),
        .contentTime: .firstOf([.acquisitionTime, .seriesTime, .studyTime, .instanceCreationTime], thenExport: .studyTime),
        .presentationCreationDate: .firstOf([.instanceCreationDate, .contentDate], thenExport: .studyDate),
        .presentationCreationTime: .firstOf([.instanceCreationTime, .contentTime], thenExport: .studyTime),
        .instanceCreationDate: .firstOf([.contentDate], thenExport: .studyDate),
        .seriesNumber: .constant("1"),
        .instanceNumber: .constant("1"),
        .modality: .constant("OT"),
        .patientID: .studyUIDHash,
        .studyID: .studyUIDHash,
    ]

    /// FNV-1a 64 of the bytes as 16 upper-case hex digits (fits LO and SH).
    static func hash16(_ bytes: [UInt8]) -> String {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        for b in bytes { h = (h ^ UInt64(b)) &* 0x0000_0100_0000_01B3 }
        let digits = Array("0123456789ABCDEF")
        return String((0..<16).map { digits[Int(h >> UInt64(60 - 4 * $0) & 0xF)] })
    }
}
