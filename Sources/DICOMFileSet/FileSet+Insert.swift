import DICOMCore

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
        let uid = FileSetIndex.key(built.instance.keys, .referencedSOPInstanceUIDInFile) ?? []
        if let existing = index.instances[uid] { return .duplicate(existingFileID: FileSetIndex.fileID(existing.bytes)) }
        // The instance record is held packed: one buffer about its DICOMDIR size, not an element array and a value
        // each; with a spill, in that file.
        var instance = built.instance
        if !instance.pack() {
            index.share(&instance.keys)
        } else if let recordSpill {
            instance.spill(into: recordSpill)
        }
        if built.isRootLevel {
            records.append(instance)
            index.instances.insert(uid, record: instance)
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

        var seriesPath = index.series(euid, in: self)
        var studyPath = seriesPath.map { FileSetIndex.StudyPath(patient: $0.patient, study: $0.study) } ?? index.study(suid, in: self)
        if let sp = seriesPath, let known = index.study(suid, in: self), known != FileSetIndex.StudyPath(patient: sp.patient, study: sp.study) {
            report(
                .error, .seriesUnderTwoStudies, once: text(euid),
                "Series Instance UID \(text(euid)) is already in another study than Study Instance UID \(text(suid)); the instance joins the existing series",
                "PS3.3 F.5.3")
        }
        // The patient: the one holding the study, else by Patient ID, else new.
        let patientIndex: Int
        if let st = studyPath {
            patientIndex = st.patient
            let holder = FileSetIndex.key(records[st.patient], .patientID) ?? []
            if holder != pid {
                report(
                    .error, .studyUnderTwoPatients, once: text(suid) + "\u{0}" + text(pid),
                    "Study Instance UID \(text(suid)) is already under Patient ID '\(text(holder))'; this instance has Patient ID '\(text(pid))' and joins the existing study",
                    "PS3.11 D.3.3 (Patient ID unique per PATIENT record), PS3.3 F.5.2")
            }
        } else if let p = index.patient(pid, in: self) {
            patientIndex = p
        } else {
            records.append(packed(DirectoryRecord(type: .patient, keys: built.patient)))
            patientIndex = records.count - 1
            index.add(patient: pid, at: patientIndex, in: self)
        }
        if FileSetIndex.key(records[patientIndex], .patientID) == pid {
            let new = built.patient
            // The names' bytes first: the record is decoded only when they differ.
            func trailingTrimmed(_ v: [UInt8]?) -> ArraySlice<UInt8>? {
                guard let v else { return nil }
                var end = v.count
                while end > 0 && (v[end - 1] == 0x20 || v[end - 1] == 0) { end -= 1 }
                return v[..<end]
            }
            let same = trailingTrimmed(records[patientIndex].value(.patientName)) == trailingTrimmed(new[.patientName]?.bytes)
            let a = same ? "" : records[patientIndex].keys.text(.patientName) ?? "", b = same ? "" : new.text(.patientName) ?? ""
            if a != b {
                report(
                    .warning, .patientNameConflict, once: text(pid) + "\u{0}" + b,
                    "Patient ID '\(text(pid))' has Patient's Name '\(a)' in the DICOMDIR and '\(b)' in this instance; the PATIENT record keeps '\(a)'",
                    "PS3.3 F.5.1")
            }
            Self.fill(&records[patientIndex], from: new, tags: built.fillIfEmpty[.patient] ?? [], problems: &problems, fileID: fileIDText)
        }
        if studyPath == nil {
            records[patientIndex].children.append(packed(DirectoryRecord(type: .study, keys: built.study)))
            let path = FileSetIndex.StudyPath(patient: patientIndex, study: records[patientIndex].children.count - 1)
            index.add(study: suid, at: path, in: self)
            studyPath = path
        } else if let st = studyPath {
            Self.fill(
                &records[st.patient].children[st.study], from: built.study, tags: built.fillIfEmpty[.study] ?? [],
                problems: &problems, fileID: fileIDText)
        }
        let st = studyPath!
        if seriesPath == nil {
            records[st.patient].children[st.study].children.append(packed(DirectoryRecord(type: .series, keys: built.series)))
            let path = FileSetIndex.SeriesPath(patient: st.patient, study: st.study, series: records[st.patient].children[st.study].children.count - 1)
            index.add(series: euid, at: path, in: self)
            seriesPath = path
        } else if let sp = seriesPath {
            Self.fill(
                &records[sp.patient].children[sp.study].children[sp.series], from: built.series,
                tags: built.fillIfEmpty[.series] ?? [], problems: &problems, fileID: fileIDText)
        }
        let sp = seriesPath!
        index.instances.insert(uid, record: instance)
        records[sp.patient].children[sp.study].children[sp.series].children.append(instance)
        return .inserted(problems: problems)
    }

    /// The record packed when it can be (``DirectoryRecord/pack()``), and spilled when the File-set has a spill.
    func packed(_ record: DirectoryRecord) -> DirectoryRecord {
        var r = record
        if r.pack(), let recordSpill { r.spill(into: recordSpill) }
        return r
    }

    /// ``fill(_:from:tags:problems:fileID:)`` of a record, unpacked only when a key is filled in or a conflict found.
    static func fill(_ record: inout DirectoryRecord, from new: DataSet, tags: [Tag], problems: inout [FileSetProblem], fileID: String?) {
        let needed = tags.contains { tag in
            guard let e = new[tag], RecordBuilder.Context.isNonEmpty(e) else { return false }
            return !(record.value(tag).map { RecordBuilder.Context.isNonEmpty(DataElement(tag: tag, vr: e.vr, bytes: $0)) } ?? false)
        }
        if needed { fill(&record.keys, from: new, tags: tags, problems: &problems, fileID: fileID) }
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
                    problems.append(
                        FileSetProblem(
                            .warning, .charsetConflict,
                            "\(KeyRule(tag, .type1C).name) was not filled in: its value uses another Specific Character Set than the record",
                            fileID: fileID, rule: "PS3.3 F.5, PS3.5 6.1.2.5"))
                    continue
                }
            }
            record.set(e)
        }
    }
}
