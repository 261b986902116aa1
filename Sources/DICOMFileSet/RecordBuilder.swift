import DICOMCore

/// The directory records built from one instance header (``RecordBuilder/build(header:sopClassUID:sopInstanceUID:transferSyntaxUID:fileID:source:)``).
public struct BuiltRecords: Sendable {
    /// PATIENT, STUDY and SERIES keys, each including (0004,1430); they reference no file.
    public var patient: DataSet
    public var study: DataSet
    public var series: DataSet
    /// The instance record: its keys, (0004,1430) and the (0004,1500)-(0004,151A) file reference.
    public var instance: DirectoryRecord
    /// Warnings and errors found while building (invented keys, dropped icons, ...), `fileID` set.
    public var problems: [FileSetProblem]
    /// The record sits in the root directory entity (HANGING PROTOCOL, PALETTE, IMPLANT*, INVENTORY);
    /// `patient`, `study` and `series` are then empty and unused.
    public var isRootLevel: Bool
    /// Parent-level keys a later instance fills in when the existing record has no value (the
    /// "if any object under this record has a value" 1C keys of PS3.11 Table H.3-2).
    public var fillIfEmpty: [DirectoryRecordType: [Tag]]

    public var sopInstanceUID: String { instance.referencedSOPInstanceUID ?? "" }
    public var fileID: FileID? { instance.referencedFileID }
}

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
            merged[type] = Self.merge(RecordPolicy.keys(for: type), reference: RecordPolicy.section(for: type),
                                      extra: profile.extraKeys(for: type), extraReference: profile.keysRule)
        }
        self.merged = merged
    }

    /// Why an instance cannot get directory records under this builder's rules.
    public struct Refusal: Error, CustomStringConvertible, Equatable {
        /// The file (path or name) the instance came from.
        public let source: String
        public let message: String
        /// The rule, e.g. "PS3.3 F.5.2".
        public let rule: String
        public init(source: String, message: String, rule: String) {
            self.source = source; self.message = message; self.rule = rule
        }
        public var description: String { "\(source): \(message) (\(rule))" }
    }

    /// One instance's records: PATIENT, STUDY, SERIES keys and its instance record referencing `fileID`.
    ///
    /// Throws ``Refusal`` when the SOP class has no record type, the profile does not allow the SOP
    /// class, transfer syntax or pixel attributes (pass the syntax the file will have on the medium),
    /// the Study or Series Instance UID is missing, the File ID is not conformant, or (when `strict`)
    /// a Type 1 key is missing.
    public func build(header: DataSet, sopClassUID: String, sopInstanceUID: String, transferSyntaxUID: String,
                      fileID: FileID, source: String) throws -> BuiltRecords {
        let sop = sopClassUID.trimmingTrailingPadding(), iuid = sopInstanceUID.trimmingTrailingPadding()
        let ts = transferSyntaxUID.trimmingTrailingPadding()
        func refuse(_ message: String, _ rule: String) -> Refusal { Refusal(source: source, message: message, rule: rule) }

        guard let type = RecordPolicy.recordType(sopClassUID: sop, header: header) else {
            throw refuse("\(ApplicationProfile.sopName(sop)) (\(sop)) has no directory record type, so a File-set with a DICOMDIR cannot reference it",
                         "PS3.3 F.4, Table F.4-1")
        }
        if let v = profile.violationParts(sopClassUID: sop, transferSyntaxUID: ts, header: header) {
            throw refuse(v.message, v.rule)
        }
        if iuid.isEmpty { throw refuse("the SOP Instance UID is empty; (0004,1511) must identify the instance", "PS3.3 F.3.2.2") }
        if let bad = fileID.nonConformance { throw refuse("File ID \(fileID.path): \(bad)", "PS3.10 8.5") }

        var ctx = Context(builder: self, header: header, sopClassUID: sop, fileID: fileID, source: source)
        let isRoot = type.level == 0
        var built = BuiltRecords(patient: DataSet(), study: DataSet(), series: DataSet(), instance: DirectoryRecord(type: type),
                                 problems: [], isRootLevel: isRoot, fillIfEmpty: [:])
        if !isRoot {
            for (tag, record) in [(Tag.studyInstanceUID, "STUDY"), (.seriesInstanceUID, "SERIES")] where !ctx.hasValue(header[tag]) {
                throw refuse("\(KeyRule(tag, .type1).name) is missing or empty; it is needed to place the instance under its \(record) record",
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
        keys.setString(.referencedFileIDTag, .CS, fileID.components)
        keys.setString(.referencedSOPClassUIDInFileTag, .UI, sop)
        keys.setString(.referencedSOPInstanceUIDInFileTag, .UI, iuid)
        keys.setString(.referencedTransferSyntaxUIDInFileTag, .UI, ts)
        if let related = header[.relatedGeneralSOPClassUID], let b = related.bytes, ctx.hasValue(related) {
            keys.set(DataElement(tag: .referencedRelatedGeneralSOPClassUIDInFileTag, vr: .UI, bytes: b))
        }
        built.instance = DirectoryRecord(type: type, keys: keys)
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

    // MARK: - Building one record

    struct Context {
        let builder: RecordBuilder
        let header: DataSet
        let sopClassUID: String
        let fileID: FileID
        let source: String
        var problems: [FileSetProblem] = []

        init(builder: RecordBuilder, header: DataSet, sopClassUID: String, fileID: FileID, source: String) {
            self.builder = builder; self.header = header; self.sopClassUID = sopClassUID; self.fileID = fileID; self.source = source
        }

        mutating func problem(_ sev: Diagnostic.Severity, _ code: DiagnosticCode, _ message: String, _ rule: String) {
            problems.append(FileSetProblem(sev, code, message, fileID: fileID.path, rule: rule))
        }

        func hasValue(_ e: DataElement?) -> Bool { Self.isNonEmpty(e) }

        /// A text value (or one inside a sequence) has bytes outside the default repertoire (PS3.5 6.1.2.5).
        static func needsCharacterSet(_ e: DataElement) -> Bool {
            switch e.value {
            case .bytes(let b): return e.vr.usesSpecificCharacterSet && b.contains { $0 >= 0x80 || $0 == 0x1B }
            case .sequence(let items): return items.contains { $0.contains(where: needsCharacterSet) }
            case .fragments: return false
            }
        }

        func emptyElement(_ tag: Tag) -> DataElement {
            let vr = DataDictionary.entry(for: tag)?.vr ?? .UN
            return vr == .SQ ? DataElement(tag: tag, vr: .SQ, value: .sequence([])) : DataElement(tag: tag, vr: vr, bytes: [])
        }

        /// A copy of an element under `tag`, value bytes untouched.
        func copy(_ e: DataElement, as tag: Tag? = nil) -> DataElement {
            DataElement(tag: tag ?? e.tag, vr: e.vr, value: e.value)
        }

        /// The instance value for a key, per its source.
        func value(for rule: KeyRule) -> DataElement? { rule.sourceValue(in: header) }

        func conditionHolds(_ rule: KeyRule, _ value: DataElement?) -> Bool {
            switch rule.condition {
            case .always: return true
            case .ifPresent: return rule.type == .type1C ? hasValue(value) : value != nil
            case .ifPresentNonEmpty, .ifAnyInstanceNonEmpty: return hasValue(value)
            case .ifSOPClass(let classes): return classes.contains(sopClassUID)
            case .ifValue(let tag, let index, let values):
                guard let v = header.strings(tag), index < v.count else { return false }
                return values.contains(v[index])
            }
        }

        mutating func record(_ type: DirectoryRecordType) throws -> DataSet {
            var out = DataSet()
            out.setString(.directoryRecordTypeTag, .CS, type.rawValue)
            for (rule, reference) in builder.rules(for: type) {
                try apply(rule, reference: reference, type: type, into: &out)
            }
            if out.contains(where: Context.needsCharacterSet) {
                let rule = "PS3.3 \(RecordPolicy.sections[type] ?? "F.5"), PS3.5 6.1.2.5"
                if !RecordPolicy.allowsSpecificCharacterSet(type) {
                    problem(.warning, "charset-not-allowed", "the \(type) record has keys outside the default repertoire but its record type has no Specific Character Set key", rule)
                } else if let cs = header[.specificCharacterSet], hasValue(cs) {
                    out.set(copy(cs))
                    out.characterSet = header.characterSet
                } else {
                    problem(.warning, "charset-undeclared", "the \(type) record copies keys with bytes outside the default repertoire, but the instance has no Specific Character Set (0008,0005)", rule)
                }
            }
            return out
        }

        mutating func apply(_ rule: KeyRule, reference: String, type: DirectoryRecordType, into out: inout DataSet) throws {
            if RecordPolicy.neverCopied.contains(rule.tag) { return }
            if rule.tag == .iconImageSequence { applyIcon(rule, reference: reference, type: type, into: &out); return }
            let value = value(for: rule)
            let holds = conditionHolds(rule, value)
            let needsValue: Bool, needsPresence: Bool
            switch rule.type {
            case .type1: (needsValue, needsPresence) = (true, true)
            case .type2: (needsValue, needsPresence) = (false, true)
            case .type1C: (needsValue, needsPresence) = (holds, holds)
            case .type2C: (needsValue, needsPresence) = (false, holds)
            case .type3: (needsValue, needsPresence) = (false, false)
            }
            if needsValue {
                if let v = value, hasValue(v) { out.set(copy(v, as: rule.tag)); return }
                try supply(rule, reference: reference, type: type, present: value, into: &out)
            } else if needsPresence {
                out.set(value.map { copy($0, as: rule.tag) } ?? emptyElement(rule.tag))
            } else if let v = value, rule.type != .type1C || hasValue(v) {
                out.set(copy(v, as: rule.tag))
            }
        }

        /// A required value is missing: invent it (warning), refuse (strict), or write it empty (error).
        mutating func supply(_ rule: KeyRule, reference: String, type: DirectoryRecordType, present: DataElement?, into out: inout DataSet) throws {
            let why = "\(rule.name) is missing or empty; it is Type \(rule.type.label) in the \(type) record"
            if builder.strict { throw Refusal(source: source, message: why, rule: reference) }
            let vr = DataDictionary.entry(for: rule.tag)?.vr ?? .UN
            var how: String?
            switch RecordBuilder.inventions[rule.tag] {
            case .firstOf(let tags, let export)?:
                if let t = tags.first(where: { hasValue(header[$0]) }), let e = header[t] {
                    out.set(DataElement(tag: rule.tag, vr: vr, value: e.value))
                    how = "used \(KeyRule(t, .type3).name) '\(header.string(t) ?? "")'"
                } else if let export {
                    let v = export == .studyTime ? builder.exportTime : builder.exportDate
                    out.setString(rule.tag, vr, v)
                    how = "used the export \(export == .studyTime ? "time" : "date") '\(v)'"
                }
            case .constant(let v)?:
                out.setString(rule.tag, vr, v)
                how = "wrote '\(v)'"
            case .studyUIDHash?:
                if let uid = header[.studyInstanceUID]?.bytes, hasValue(header[.studyInstanceUID]) {
                    let trimmed = Array(uid.reversed().drop(while: { $0 == 0 || $0 == 0x20 }).reversed())
                    let v = RecordBuilder.hash16(trimmed)
                    out.setString(rule.tag, vr, v)
                    how = "wrote '\(v)', a hash of the Study Instance UID"
                }
            case nil:
                break
            }
            if let how {
                problem(.warning, "invented-key", "\(why): \(how)", reference)
            } else {
                out.set(present.map { copy($0, as: rule.tag) } ?? emptyElement(rule.tag))
                problem(.error, "missing-key", "\(why) and cannot be supplied: written empty", reference)
            }
        }

        /// Icon Image Sequence: copied from the instance when it fits F.7 and the profile; a required
        /// icon that is missing is reported, since rendering one needs the pixel data. SERIES records
        /// get no icon from a single instance (the key is Type 3 there).
        mutating func applyIcon(_ rule: KeyRule, reference: String, type: DirectoryRecordType, into out: inout DataSet) {
            if type == .series { return }
            let iconRule = builder.profile.icons
            guard (iconRule?.recordTypes ?? IconRule.f7RecordTypes).contains(type) else { return }
            let required = rule.type == .type1 || (iconRule?.required ?? false)
            let ruleText = iconRule?.reference ?? "PS3.3 F.7"
            if let e = header[.iconImageSequence], let item = e.items?.first {
                if let why = Context.iconMismatch(item, iconRule) {
                    problem(.warning, "icon-dropped", "the instance's Icon Image Sequence was not copied into the \(type) record: \(why)", ruleText)
                } else {
                    out.set(DataElement(tag: .iconImageSequence, vr: .SQ, value: .sequence([item])))
                    return
                }
            }
            if required {
                let size = iconRule.map { "a \($0.size)x\($0.size) " } ?? "an "
                problem(.warning, "icon-missing", "\(builder.profile.id) requires \(size)icon (Icon Image Sequence (0088,0200)) in every \(type) record and the instance has none that fits; add one before writing the DICOMDIR", ruleText)
            }
        }

        /// Why an icon item does not satisfy PS3.3 F.7 and the profile's icon rule, or nil.
        static func iconMismatch(_ item: DataSet, _ rule: IconRule?) -> String? {
            let pi = item.string(.photometricInterpretation) ?? ""
            let allowedPI = rule?.photometricInterpretations ?? IconRule.f7Photometric
            if item.integer(.samplesPerPixel) != 1 { return "Samples per Pixel must be 1" }
            if !allowedPI.contains(pi) { return "Photometric Interpretation '\(pi)' is not \(ProfileConstraint.list(allowedPI.sorted()))" }
            let ba = item.integer(.bitsAllocated) ?? 0, bs = item.integer(.bitsStored) ?? 0
            let bits: Set<Int> = rule == nil && pi != "PALETTE COLOR" ? [1, 8] : [8]
            if !bits.contains(ba) || bs != ba { return "Bits Allocated/Stored \(ba)/\(bs) are not \(ProfileConstraint.list(bits.sorted().map { "\($0)/\($0)" }))" }
            if let r = rule, item.integer(.rows) != r.size || item.integer(.columns) != r.size {
                return "it is \(item.integer(.columns) ?? 0)x\(item.integer(.rows) ?? 0), not \(r.size)x\(r.size)"
            }
            if item[.pixelData]?.bytes == nil { return "its Pixel Data is missing or encapsulated" }
            return nil
        }
    }
}

// MARK: - Inserting into the tree

/// Maps from Patient ID, Study / Series Instance UID and SOP Instance UID to positions in a
/// ``FileSet``'s tree, so ``FileSet/insert(_:index:)`` is O(1) amortised. Build it once from the
/// File-set (``init(_:)``) and pass the same index to every insert; if the tree is changed by other
/// means the index notices a mismatch on use and rebuilds itself.
public struct FileSetIndex: Sendable {
    struct StudyPath: Sendable, Equatable { var patient: Int; var study: Int }
    struct SeriesPath: Sendable, Equatable { var patient: Int; var study: Int; var series: Int }

    var patients: [[UInt8]: Int] = [:]
    var studies: [[UInt8]: StudyPath] = [:]
    var series: [[UInt8]: SeriesPath] = [:]
    var instances: [[UInt8]: FileID?] = [:]
    /// Conflicts already reported, so 20,000 instances of one patient give one warning.
    var reported: Set<String> = []

    public init() {}

    /// Indexes every PATIENT, STUDY, SERIES and file-referencing record of the tree.
    public init(_ fileSet: FileSet) {
        for (p, patient) in fileSet.records.enumerated() {
            patient.forEach { r, _ in
                if let uid = Self.key(r.keys, .referencedSOPInstanceUIDInFileTag), !uid.isEmpty, instances[uid] == nil {
                    instances[uid] = .some(r.referencedFileID)
                }
            }
            guard patient.type == .patient, let pid = Self.key(patient.keys, .patientID) else { continue }
            if patients[pid] == nil { patients[pid] = p }
            for (s, study) in patient.children.enumerated() where study.type == .study {
                guard let suid = Self.key(study.keys, .studyInstanceUID), !suid.isEmpty else { continue }
                if studies[suid] == nil { studies[suid] = StudyPath(patient: p, study: s) }
                for (e, ser) in study.children.enumerated() where ser.type == .series {
                    guard let euid = Self.key(ser.keys, .seriesInstanceUID), !euid.isEmpty else { continue }
                    if series[euid] == nil { series[euid] = SeriesPath(patient: p, study: s, series: e) }
                }
            }
        }
    }

    /// Number of instances (file-referencing records) indexed.
    public var instanceCount: Int { instances.count }
    public func contains(sopInstanceUID: String) -> Bool { instances[Array(sopInstanceUID.utf8)] != nil }
    /// The File ID of the record that references this SOP Instance UID.
    public func fileID(forSOPInstanceUID uid: String) -> FileID?? { instances[Array(uid.utf8)] }

    /// The value bytes of a key without padding (leading and trailing spaces, trailing NULs).
    static func key(_ ds: DataSet, _ tag: Tag) -> [UInt8]? {
        guard let b = ds[tag]?.bytes else { return nil }
        var lo = 0, hi = b.count
        while hi > lo && (b[hi - 1] == 0x20 || b[hi - 1] == 0) { hi -= 1 }
        while lo < hi && b[lo] == 0x20 { lo += 1 }
        return Array(b[lo..<hi])
    }

    /// The paths still point at records of the right type with the keys they were indexed under
    /// (the tree may have been edited without the index).
    func isValid(for fs: FileSet, pid: [UInt8], suid: [UInt8], euid: [UInt8]) -> Bool {
        func at(_ p: Int, _ s: Int? = nil, _ e: Int? = nil) -> DirectoryRecord? {
            guard p < fs.records.count else { return nil }
            guard let s else { return fs.records[p] }
            guard s < fs.records[p].children.count else { return nil }
            guard let e else { return fs.records[p].children[s] }
            guard e < fs.records[p].children[s].children.count else { return nil }
            return fs.records[p].children[s].children[e]
        }
        if let p = patients[pid] {
            guard let r = at(p), r.type == .patient, Self.key(r.keys, .patientID) == pid else { return false }
        }
        if let s = studies[suid] {
            guard let r = at(s.patient, s.study), r.type == .study, Self.key(r.keys, .studyInstanceUID) == suid else { return false }
        }
        if let e = series[euid] {
            guard let r = at(e.patient, e.study, e.series), r.type == .series, Self.key(r.keys, .seriesInstanceUID) == euid else { return false }
        }
        return true
    }
}

/// What ``FileSet/insert(_:index:)`` did.
public enum InsertResult: Sendable, Equatable {
    /// The records were added; the problems are conflicts with records already in the tree.
    case inserted(problems: [FileSetProblem])
    /// A record already references this SOP Instance UID; nothing was added.
    case duplicate(existingFileID: FileID?)

    public var problems: [FileSetProblem] { if case .inserted(let p) = self { return p }; return [] }
    public var isInserted: Bool { if case .inserted = self { return true }; return false }
}

extension FileSet {
    /// Inserts built records: finds or creates PATIENT by Patient ID, STUDY by Study Instance UID
    /// (under that patient) and SERIES by Series Instance UID, then appends the instance record
    /// (root-level records go to the root). Fills a parent's profile 1C keys ("if any object under
    /// this record has a value") when the existing record has no value.
    ///
    /// Problems: same Patient ID with another Patient's Name (warning "patient-name-conflict");
    /// a Study Instance UID already under another Patient ID (error "study-under-two-patients";
    /// the instance joins the existing study so the UID stays unique); likewise a Series Instance
    /// UID under another study (error "series-under-two-studies"). A SOP Instance UID already in the
    /// tree returns `.duplicate` and inserts nothing.
    public mutating func insert(_ built: BuiltRecords, index: inout FileSetIndex) -> InsertResult {
        let uid = FileSetIndex.key(built.instance.keys, .referencedSOPInstanceUIDInFileTag) ?? []
        if let existing = index.instances[uid] { return .duplicate(existingFileID: existing) }
        if built.isRootLevel {
            records.append(built.instance)
            index.instances[uid] = .some(built.instance.referencedFileID)
            return .inserted(problems: [])
        }
        let pid = FileSetIndex.key(built.patient, .patientID) ?? []
        let suid = FileSetIndex.key(built.study, .studyInstanceUID) ?? []
        let euid = FileSetIndex.key(built.series, .seriesInstanceUID) ?? []
        if !index.isValid(for: self, pid: pid, suid: suid, euid: euid) {
            index = FileSetIndex(self)
        }
        var problems: [FileSetProblem] = []
        let fileIDText = built.instance.referencedFileID?.path
        func text(_ b: [UInt8]) -> String { String(decoding: b, as: UTF8.self) }
        func report(_ sev: Diagnostic.Severity, _ code: DiagnosticCode, once key: String, _ message: String, _ rule: String) {
            guard index.reported.insert(code.rawValue + "\u{0}" + key).inserted else { return }
            problems.append(FileSetProblem(sev, code, message, fileID: fileIDText, rule: rule))
        }

        var seriesPath = index.series[euid]
        var studyPath = seriesPath.map { FileSetIndex.StudyPath(patient: $0.patient, study: $0.study) } ?? index.studies[suid]
        if let sp = seriesPath, let known = index.studies[suid], known != FileSetIndex.StudyPath(patient: sp.patient, study: sp.study) {
            report(.error, "series-under-two-studies", once: text(euid),
                   "Series Instance UID \(text(euid)) is already in another study than Study Instance UID \(text(suid)); the instance joins the existing series",
                   "PS3.3 F.5.3")
        }
        // The patient: the one holding the study, else by Patient ID, else new.
        let patientIndex: Int
        if let st = studyPath {
            patientIndex = st.patient
            let holder = FileSetIndex.key(records[st.patient].keys, .patientID) ?? []
            if holder != pid {
                report(.error, "study-under-two-patients", once: text(suid) + "\u{0}" + text(pid),
                       "Study Instance UID \(text(suid)) is already under Patient ID '\(text(holder))'; this instance has Patient ID '\(text(pid))' and joins the existing study",
                       "PS3.11 D.3.3 (Patient ID unique per PATIENT record), PS3.3 F.5.2")
            }
        } else if let p = index.patients[pid] {
            patientIndex = p
        } else {
            records.append(DirectoryRecord(type: .patient, keys: built.patient))
            patientIndex = records.count - 1
            index.patients[pid] = patientIndex
        }
        if FileSetIndex.key(records[patientIndex].keys, .patientID) == pid {
            let old = records[patientIndex].keys, new = built.patient
            let a = old.text(.patientName) ?? "", b = new.text(.patientName) ?? ""
            if a != b {
                report(.warning, "patient-name-conflict", once: text(pid) + "\u{0}" + b,
                       "Patient ID '\(text(pid))' has Patient's Name '\(a)' in the DICOMDIR and '\(b)' in this instance; the PATIENT record keeps '\(a)'",
                       "PS3.3 F.5.1")
            }
            Self.fill(&records[patientIndex].keys, from: new, tags: built.fillIfEmpty[.patient] ?? [], problems: &problems, fileID: fileIDText)
        }
        if studyPath == nil {
            records[patientIndex].children.append(DirectoryRecord(type: .study, keys: built.study))
            let path = FileSetIndex.StudyPath(patient: patientIndex, study: records[patientIndex].children.count - 1)
            index.studies[suid] = path
            studyPath = path
        } else if let st = studyPath {
            Self.fill(&records[st.patient].children[st.study].keys, from: built.study, tags: built.fillIfEmpty[.study] ?? [],
                      problems: &problems, fileID: fileIDText)
        }
        let st = studyPath!
        if seriesPath == nil {
            records[st.patient].children[st.study].children.append(DirectoryRecord(type: .series, keys: built.series))
            let path = FileSetIndex.SeriesPath(patient: st.patient, study: st.study, series: records[st.patient].children[st.study].children.count - 1)
            index.series[euid] = path
            seriesPath = path
        } else if let sp = seriesPath {
            Self.fill(&records[sp.patient].children[sp.study].children[sp.series].keys, from: built.series,
                      tags: built.fillIfEmpty[.series] ?? [], problems: &problems, fileID: fileIDText)
        }
        let sp = seriesPath!
        records[sp.patient].children[sp.study].children[sp.series].children.append(built.instance)
        index.instances[uid] = .some(built.instance.referencedFileID)
        return .inserted(problems: problems)
    }

    /// Copies the listed keys from `new` into `record` where the record has no value, keeping one
    /// Specific Character Set per record.
    static func fill(_ record: inout DataSet, from new: DataSet, tags: [Tag], problems: inout [FileSetProblem], fileID: String?) {
        for tag in tags {
            guard let e = new[tag], RecordBuilder.Context.isNonEmpty(e), !RecordBuilder.Context.isNonEmpty(record[tag]) else { continue }
            if RecordBuilder.Context.needsCharacterSet(e) {
                let mine = record[.specificCharacterSet], theirs = new[.specificCharacterSet]
                if mine == nil, let theirs {
                    if record.contains(where: RecordBuilder.Context.needsCharacterSet) { continue }
                    record.set(theirs); record.characterSet = new.characterSet
                } else if mine?.bytes != theirs?.bytes {
                    problems.append(FileSetProblem(.warning, "charset-conflict",
                        "\(KeyRule(tag, .type1C).name) was not filled in: its value uses another Specific Character Set than the record",
                        fileID: fileID, rule: "PS3.3 F.5, PS3.5 6.1.2.5"))
                    continue
                }
            }
            record.set(e)
        }
    }
}

extension RecordBuilder.Context {
    /// The element has a value: for text, bytes other than padding; for binary VRs any bytes (0 is a
    /// value); for sequences at least one item; encapsulated fragments always.
    static func isNonEmpty(_ e: DataElement?) -> Bool {
        guard let e else { return false }
        switch e.value {
        case .bytes(let b): return e.vr.isString ? b.contains { $0 != 0x20 && $0 != 0x00 } : !b.isEmpty
        case .sequence(let items): return !items.isEmpty
        case .fragments: return true
        }
    }
}

extension KeyRule {
    /// The instance value this key is copied from, per its source (PS3.3 Annex F; PS3.11 Table H.3-2
    /// for the functional groups); shared by the builder and the verifier.
    public func sourceValue(in header: DataSet) -> DataElement? {
        let rule = self
            switch rule.source {
            case .element:
                return header[rule.tag]
            case .elementOrSharedFunctionalGroups:
                if let e = header[rule.tag], RecordBuilder.Context.isNonEmpty(e) { return e }
                if let shared = header[.sharedFunctionalGroupsSequence]?.items?.first {
                    if let e = shared[rule.tag], RecordBuilder.Context.isNonEmpty(e) { return e }
                    for macro in shared {
                        if let e = macro.items?.first?[rule.tag], RecordBuilder.Context.isNonEmpty(e) { return e }
                    }
                }
                return header[rule.tag]
            case .conceptModifierContentItems:
                guard let items = header[.contentSequence]?.items else { return nil }
                let modifiers = items.filter { $0.string(.relationshipType) == "HAS CONCEPT MOD" }
                return modifiers.isEmpty ? nil : DataElement(tag: rule.tag, vr: .SQ, value: .sequence(modifiers))
            case .latestVerificationDateTime:
                guard header.string(.verificationFlag) == "VERIFIED", let observers = header[.verifyingObserverSequence]?.items else { return nil }
                let stamps = observers.compactMap { $0[.verificationDateTime] }.filter { RecordBuilder.Context.isNonEmpty($0) }
                guard let latest = stamps.max(by: { ($0.bytes ?? []).lexicographicallyPrecedes($1.bytes ?? []) }) else { return nil }
                return DataElement(tag: rule.tag, vr: .DT, value: latest.value)
            }
        }
}
