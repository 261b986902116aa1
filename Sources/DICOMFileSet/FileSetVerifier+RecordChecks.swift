import DICOMCore
import FileSystem
import DICOMIO
import Dispatch
import Foundation
#if canImport(Glibc)
import Glibc
#endif

// Checks of the records themselves, without reading the files they reference.

extension FileSetVerifier.Pass {
    // MARK: File-set identification (PS3.3 F.3.2.1)

    mutating func checkFileSetIdentification() {
        let id = v.fileSet.fileSetID
        if id.utf8.count > 16 || id.unicodeScalars.contains(where: { !FileID.isAllowed($0) }) {
            add(
                .error, .fileSetIDInvalid, "File-set ID (0004,1130) '\(id)' must be 0 to 16 characters from A-Z, 0-9 and _",
                fileID: "DICOMDIR", rule: "PS3.10 8.5, PS3.3 F.3.2.1")
        }
        guard let desc = v.fileSet.descriptorFileID else { return }
        if let why = desc.nonConformance {
            add(
                .error, .descriptorFileID, "File-set Descriptor File ID (0004,1141) '\(desc.components.joined(separator: "\\"))': \(why)",
                fileID: desc.path, rule: "PS3.10 8.5")
        }
        switch resolve(desc) {
        case .exact(let p): excluded.insert(realPath(p) ?? p)
        case .variant(let p):
            excluded.insert(realPath(p) ?? p)
            add(.warning, .fileIDVariant, "the File-set descriptor file exists only as \(relative(p))", fileID: desc.path, rule: "PS3.10 8.5, PS3.12")
        case .missing:
            add(.warning, .descriptorMissing, "the File-set descriptor file named by (0004,1141) does not exist", fileID: desc.path, rule: "PS3.3 F.3.2.1")
        case .outsideRoot:
            add(.error, .fileIDOutsideRoot, "File-set Descriptor File ID leaves the File-set root; not followed", fileID: desc.path, rule: "PS3.10 8.2")
        }
    }

    func relative(_ path: String) -> String { v.relative(path) }

    // MARK: Records (static checks)

    static func isInstanceType(_ t: DirectoryRecordType) -> Bool {
        DirectoryRecordType.instanceLevel.contains(t) || (DirectoryRecordType.rootLevel.contains(t) && t != .patient && t != .private)
    }

    mutating func walk(_ rec: DirectoryRecord, parent: DirectoryRecordType?, context: FileSetVerifier.Context) {
        let node = nodeCount
        nodeCount += 1
        var ctx = context
        checkRecord(rec, parent: parent, context: ctx, node: node)
        switch rec.type {
        case .patient: ctx.patient = (node, rec.keys); ctx.study = nil; ctx.series = nil
        case .study: ctx.study = (node, rec.keys); ctx.series = nil
        case .series: ctx.series = (node, rec.keys)
        default: break
        }
        for c in rec.children { walk(c, parent: rec.type, context: ctx) }
    }

    mutating func checkRecord(_ rec: DirectoryRecord, parent: DirectoryRecordType?, context: FileSetVerifier.Context, node: Int) {
        let type = rec.type
        let offset = rec.offset >= 0 ? rec.offset : nil
        let fileID = rec.referencedFileID?.path
        let where_ = parent.map { "under a \($0) record" } ?? "in the root directory entity"

        // Record type (PS3.3 F.3.2.2) and placement (Table F.4-1).
        if type.rawValue.isEmpty {
            add(.error, .recordTypeMissing, "a record has no Directory Record Type (0004,1430)", fileID: fileID, rule: "PS3.3 F.3.2.2", offset: offset)
            return
        }
        if DirectoryRecordType.retired.contains(type) {
            add(
                .warning, .recordTypeRetired, "record type \(type) is retired; readers may ignore it", fileID: fileID, rule: "PS3.3 F.3.2.2 (retired)",
                offset: offset)
        } else if !type.isStandard {
            add(
                .warning, .recordTypeUnknown, "record type '\(type)' is not defined by PS3.3 as known here; ignored", fileID: fileID,
                rule: "PS3.3 F.3.2.2, PS3.2 7.3", offset: offset)
        }
        if type.isStandard && !(offset.map(readerMisplaced.contains) ?? false) {
            let allowed: Set<DirectoryRecordType>?
            if let p = parent { allowed = p.isStandard ? p.allowedChildren : nil } else { allowed = DirectoryRecordType.rootLevel }
            if let allowed, !allowed.contains(type) {
                add(.error, .recordMisplaced, "a \(type) record is not allowed \(where_)", fileID: fileID, rule: "PS3.3 F.4, Table F.4-1", offset: offset)
            }
        }
        if type == .private, !Self.hasValue(rec.keys[.privateRecordUID]) {
            add(.error, .privateRecordUID, "PRIVATE record without Private Record UID (0004,1432)", fileID: fileID, rule: "PS3.3 F.3.2.2, F.6", offset: offset)
        }

        // Keys known without the file: Type 1 / 2, and 1C / 2C without a file condition.
        var reported = Set<Tag>()
        for (rule, reference) in v.rules(for: type) where rule.tag != .iconImageSequence && !reported.contains(rule.tag) {
            let e = rec.keys[rule.tag]
            switch (rule.type, rule.condition) {
            case (.type1, _), (.type1C, .always):
                if !Self.hasValue(e) {
                    reported.insert(rule.tag)
                    let code: DiagnosticCode = rule.type == .type1 ? .missingType1Key : .missingType1CKey
                    add(
                        .error, code, "\(rule.name) is \(e == nil ? "missing" : "empty") in the \(type) record (Type \(rule.type.label))", fileID: fileID,
                        rule: reference, offset: offset)
                }
            case (.type2, _), (.type2C, .always):
                if e == nil {
                    reported.insert(rule.tag)
                    let code: DiagnosticCode = rule.type == .type2 ? .missingType2Key : .missingType2CKey
                    add(
                        .error, code, "\(rule.name) is missing in the \(type) record (Type \(rule.type.label): present, may be empty)", fileID: fileID,
                        rule: reference, offset: offset)
                }
            case (.type1C, .ifAnyInstanceNonEmpty), (.type2C, .ifAnyInstanceNonEmpty):
                if !Self.isInstanceType(type) {
                    let satisfied = rule.type == .type1C ? Self.hasValue(e) : e != nil
                    if !satisfied { pending.append(FileSetVerifier.PendingAggregate(node: node, type: type, rule: rule, reference: reference, offset: offset)) }
                }
            default:
                break  // conditions on the instance: checked when its file is read
            }
        }

        // Icons (PS3.3 F.7; PS3.11 A.3.3, B.3.3, E.3.3.3).
        checkIcon(rec, offset: offset)

        // File references (PS3.3 F.3.2.2).
        let isInstance = Self.isInstanceType(type)
        if isInstance {
            if rec.referencedFileID == nil {
                add(
                    .error, .instanceNoFile, "\(type) record has no Referenced File ID (0004,1500)", rule: "PS3.3 F.3.2.2, \(RecordPolicy.section(for: type))",
                    offset: offset)
            } else {
                let missing = Self.missingReferencedUIDs(rec.keys)
                if !missing.isEmpty {
                    add(
                        .error, .missingReferencedUID, "\(type) record references a SOP instance but lacks \(missing.joined(separator: ", "))", fileID: fileID,
                        rule: "PS3.3 F.3.2.2", offset: offset)
                }
            }
        } else if [.patient, .study, .series].contains(type) {
            if rec.referencedFileID != nil {
                add(
                    .warning, .intermediateReferencesFile, "\(type) record references a file; only instance records normally do", fileID: fileID,
                    rule: "PS3.3 F.2.2.1, PS3.10 Annex A", offset: offset)
            }
            if rec.children.isEmpty {
                add(
                    .warning, .emptyRecord, "\(type) record has no lower-level records", fileID: fileID,
                    rule: "PS3.11 (DICOMDIR: empty directories not allowed)", offset: offset)
            }
        }

        // Cross-record bookkeeping (F.5 rules 6-8, F.2.1 rule 4).
        if let uid = rec.referencedSOPInstanceUID, !uid.isEmpty { sopInstances[uid, default: []].append(fileID ?? "record at offset \(rec.offset)") }
        switch type {
        case .patient:
            if let pid = rec.keys.string(.patientID), !pid.isEmpty {
                patients[pid, default: 0] += 1
                if let name = rec.keys.personNames(.patientName)?.first { patientNames[pid, default: []].append((name, "PATIENT record")) }
            }
        case .study: if let uid = rec.keys.string(.studyInstanceUID), !uid.isEmpty { studies[uid, default: 0] += 1 }
        case .series: if let uid = rec.keys.string(.seriesInstanceUID), !uid.isEmpty { series[uid, default: 0] += 1 }
        default: break
        }

        guard let id = rec.referencedFileID else { return }
        addReference(rec, id: id, context: context, offset: offset)
    }

    static func missingReferencedUIDs(_ keys: DataSet) -> [String] {
        [
            (Tag.referencedSOPClassUIDInFile, "Referenced SOP Class UID in File (0004,1510)"),
            (.referencedSOPInstanceUIDInFile, "Referenced SOP Instance UID in File (0004,1511)"),
            (.referencedTransferSyntaxUIDInFile, "Referenced Transfer Syntax UID in File (0004,1512)"),
        ]
        .filter { !hasValue(keys[$0.0]) }.map(\.1)
    }

    mutating func addReference(_ rec: DirectoryRecord, id: FileID, context: FileSetVerifier.Context, offset: Int?) {
        let fid = id.path
        let resolved: String
        switch resolve(id) {
        case .outsideRoot:
            add(
                .error, .fileIDOutsideRoot, "Referenced File ID leaves the File-set root; not followed", fileID: id.components.joined(separator: "\\"),
                rule: "PS3.10 8.2, PS3.3 F.2.1", offset: offset)
            return
        case .missing:
            if let why = id.nonConformance { add(.error, .fileIDNonconformant, why, fileID: fid, rule: "PS3.10 8.5", offset: offset) }
            add(.error, .fileMissing, "the \(rec.type) record references a file that does not exist", fileID: fid, rule: "PS3.3 F.2.1", offset: offset)
            return
        case .exact(let p):
            if let why = id.nonConformance { add(.error, .fileIDNonconformant, why, fileID: fid, rule: "PS3.10 8.5", offset: offset) }
            resolved = p
        case .variant(let p):
            if let why = id.nonConformance { add(.error, .fileIDNonconformant, why, fileID: fid, rule: "PS3.10 8.5", offset: offset) }
            add(
                .warning, .fileIDVariant, "file found only as \(relative(p)) (case or suffix differs from the File ID)", fileID: fid,
                rule: "PS3.10 8.5, PS3.12", offset: offset)
            resolved = p
        }
        let real = canonicalPath(of: id, at: resolved)
        excluded.insert(real)
        let ref = FileSetVerifier.Reference(
            type: rec.type, keys: rec.keys, fileID: fid, offset: offset,
            patientKeys: context.patient?.keys, studyKeys: context.study?.keys, seriesKeys: context.series?.keys,
            ancestors: [context.patient?.node, context.study?.node, context.series?.node].compactMap { $0 })
        if let j = jobByPath[real] {
            let first = jobs[j].refs.first?.fileID ?? fid
            add(
                .error, .fileReferencedTwice, "the file is referenced by more than one record (also as \(first))", fileID: fid,
                rule: "PS3.3 F.2.1 (a file is referenced by at most one record)", offset: offset)
            jobs[j].refs.append(ref)
        } else {
            jobByPath[real] = jobs.count
            jobs.append(FileSetVerifier.FileJob(path: resolved, refs: [ref]))
        }
    }

    // MARK: Icons

    mutating func checkIcon(_ rec: DirectoryRecord, offset: Int?) {
        let type = rec.type
        let fileID = rec.referencedFileID?.path
        let iconRule = v.profile?.icons
        let ruleText = iconRule?.reference ?? "PS3.3 F.7"
        let requiredByKeys = v.rules(for: type).contains { $0.rule.tag == .iconImageSequence && $0.rule.type == .type1 }
        let required = requiredByKeys || (iconRule.map { $0.required && $0.recordTypes.contains(type) } ?? false)
        guard let e = rec.keys[.iconImageSequence] else {
            if required {
                let size = iconRule.map { "a \($0.size)x\($0.size) icon" } ?? "an icon"
                add(
                    .error, .iconMissing, "\(v.profile?.id ?? "the profile") requires \(size) (Icon Image Sequence (0088,0200)) in every \(type) record",
                    fileID: fileID, rule: ruleText, offset: offset)
            }
            return
        }
        guard let items = e.items, items.count == 1 else {
            add(
                .error, .iconFormat, "Icon Image Sequence (0088,0200) must hold exactly one item (it has \(e.items?.count ?? 0))", fileID: fileID,
                rule: "PS3.3 F.7", offset: offset)
            return
        }
        if let why = Self.iconFormatProblem(items[0], rule: iconRule) {
            add(.error, .iconFormat, "icon: \(why)", fileID: fileID, rule: iconRule == nil ? "PS3.3 F.7" : "PS3.3 F.7, \(ruleText)", offset: offset)
        }
        if let r = iconRule {
            let rows = items[0].integer(.rows), cols = items[0].integer(.columns)
            if rows != r.size || cols != r.size {
                add(
                    .error, .iconSize,
                    "icon is \(cols.map(String.init) ?? "?")x\(rows.map(String.init) ?? "?"); \(v.profile?.id ?? "the profile") requires \(r.size)x\(r.size)",
                    fileID: fileID, rule: ruleText, offset: offset)
            }
        }
    }

    /// Why an icon item breaks PS3.3 F.7 (and the profile's photometric list), or nil.
    static func iconFormatProblem(_ item: DataSet, rule: IconRule?) -> String? {
        let pi = item.string(.photometricInterpretation) ?? ""
        let allowedPI = rule?.photometricInterpretations ?? IconRule.f7Photometric
        if item.integer(.samplesPerPixel) != 1 {
            return "Samples per Pixel (0028,0002) must be 1 (it is \(item.integer(.samplesPerPixel).map(String.init) ?? "absent"))"
        }
        if !allowedPI.contains(pi) { return "Photometric Interpretation (0028,0004) '\(pi)' is not \(ProfileConstraint.list(allowedPI.sorted()))" }
        if item[.planarConfiguration] != nil { return "Planar Configuration (0028,0006) must be absent" }
        let ba = item.integer(.bitsAllocated), bs = item.integer(.bitsStored)
        let bits: Set<Int> = pi == "PALETTE COLOR" || rule != nil ? [8] : [1, 8]
        guard let ba, let bs, bits.contains(ba), bs == ba else {
            return
                "Bits Allocated/Stored (0028,0100)/(0028,0101) are \(ba.map(String.init) ?? "absent")/\(bs.map(String.init) ?? "absent"); \(bits.sorted().map { "\($0)/\($0)" }.joined(separator: " or ")) required"
        }
        if let hb = item.integer(.highBit), hb != bs - 1 { return "High Bit (0028,0102) is \(hb), not Bits Stored - 1 = \(bs - 1)" }
        if item.integer(.pixelRepresentation) != 0 { return "Pixel Representation (0028,0103) must be 0 (unsigned)" }
        if item.integer(.rows) == nil || item.integer(.columns) == nil { return "Rows/Columns (0028,0010)/(0028,0011) are missing" }
        guard let px = item[.pixelData] else { return "Pixel Data (7FE0,0010) is missing" }
        if px.bytes == nil { return "Pixel Data (7FE0,0010) must be native (uncompressed) in a DICOMDIR" }
        return nil
    }

    // MARK: Cross-record checks (PS3.3 F.5 rules 6-8, F.2.1)

    mutating func checkDuplicateRecords() {
        for (uid, fids) in sopInstances.sorted(by: { $0.key < $1.key }) where fids.count > 1 {
            add(
                .error, .duplicateSOPInstance, "SOP Instance UID \(uid) is referenced by \(fids.count) records (\(fids.joined(separator: ", ")))",
                fileID: fids[1], rule: "PS3.3 F.2.1, F.3.2.2 ((0004,1511) identifies one instance)")
        }
        for (uid, n) in studies.sorted(by: { $0.key < $1.key }) where n > 1 {
            add(
                .error, .duplicateStudy, "\(n) STUDY records have Study Instance UID \(uid); one STUDY record per study",
                rule: "PS3.3 F.5.2 (F.2.1 / digest §1.7 rule 7)")
        }
        for (uid, n) in series.sorted(by: { $0.key < $1.key }) where n > 1 {
            add(
                .error, .duplicateSeries, "\(n) SERIES records have Series Instance UID \(uid); one SERIES record per series",
                rule: "PS3.3 F.5.3 (digest §1.7 rule 8)")
        }
        for (pid, n) in patients.sorted(by: { $0.key < $1.key }) where n > 1 {
            add(
                .error, .duplicatePatient, "\(n) PATIENT records have Patient ID '\(pid)'; Patient ID is unique per PATIENT record",
                rule: "PS3.3 F.5.1, PS3.11 (digest §1.7 rule 6)")
        }
    }

    mutating func checkPatientNames() {
        for (pid, names) in patientNames.sorted(by: { $0.key < $1.key }) {
            var distinct: [(name: PersonName, source: String)] = []
            for n in names where !Self.isEmptyName(n.name) && !distinct.contains(where: { Self.sameName($0.name, n.name) }) { distinct.append(n) }
            if distinct.count > 1 {
                let list = distinct.prefix(4).map { "'\($0.name)' (\($0.source))" }.joined(separator: ", ")
                add(.warning, .patientNameConflict, "Patient ID '\(pid)' has \(distinct.count) different Patient's Names: \(list)", rule: "PS3.3 F.5.1")
            }
        }
    }

    static func normalisedGroups(_ n: PersonName) -> [String] {
        [n.alphabetic, n.ideographic, n.phonetic].map { g in
            var s = Substring(g)
            while let l = s.last, l == "^" || l == " " { s = s.dropLast() }
            return String(s)
        }
    }
    static func isEmptyName(_ n: PersonName) -> Bool { normalisedGroups(n).allSatisfy(\.isEmpty) }
    /// Names agree when every component group both have is equal (a record may carry fewer groups).
    static func sameName(_ a: PersonName, _ b: PersonName) -> Bool {
        zip(normalisedGroups(a), normalisedGroups(b)).allSatisfy { $0.isEmpty || $1.isEmpty || $0 == $1 }
    }

    static func hasValue(_ e: DataElement?) -> Bool {
        guard let e else { return false }
        switch e.value {
        case .bytes(let b): return b.contains { $0 != 0x20 && $0 != 0x00 }
        case .sequence(let items): return !items.isEmpty
        case .fragments: return true
        }
    }
}
