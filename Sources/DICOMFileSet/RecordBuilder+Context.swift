import DICOMCore

extension RecordBuilder {
    // MARK: - Building one record

    /// The building of one instance's records: its header and what the records found.
    struct Context {
        let builder: RecordBuilder
        /// The instance's header, the source of every key value.
        let header: DataSet
        /// The instance's SOP class, the File ID its record references (problems name it) and the
        /// file it came from (refusals name it).
        let sopClassUID: String, fileID: FileID, source: String
        var problems: [FileSetProblem] = []

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
            out.setString(.directoryRecordType, .CS, type.rawValue)
            for (rule, reference) in builder.rules(for: type) {
                try apply(rule, reference: reference, type: type, into: &out)
            }
            if out.contains(where: Context.needsCharacterSet) {
                let rule = "PS3.3 \(RecordPolicy.sections[type] ?? "F.5"), PS3.5 6.1.2.5"
                if !RecordPolicy.allowsSpecificCharacterSet(type) {
                    problem(
                        .warning, .charsetNotAllowed,
                        "the \(type) record has keys outside the default repertoire but its record type has no Specific Character Set key", rule)
                } else if let cs = header[.specificCharacterSet], hasValue(cs) {
                    out.set(copy(cs))
                    out.characterSet = header.characterSet
                } else {
                    problem(
                        .warning, .charsetUndeclared,
                        "the \(type) record copies keys with bytes outside the default repertoire, but the instance has no Specific Character Set (0008,0005)",
                        rule)
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
            if builder.strict { throw Refusal(refusing: source, why, rule: reference) }
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
                problem(.warning, .inventedKey, "\(why): \(how)", reference)
            } else {
                out.set(present.map { copy($0, as: rule.tag) } ?? emptyElement(rule.tag))
                problem(.error, .missingKey, "\(why) and cannot be supplied: written empty", reference)
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
                    problem(.warning, .iconDropped, "the instance's Icon Image Sequence was not copied into the \(type) record: \(why)", ruleText)
                } else {
                    out.set(DataElement(tag: .iconImageSequence, vr: .SQ, value: .sequence([item])))
                    return
                }
            }
            if required {
                let size = iconRule.map { "a \($0.size)x\($0.size) " } ?? "an "
                problem(
                    .warning, .iconMissing,
                    "\(builder.profile.id) requires \(size)icon (Icon Image Sequence (0088,0200)) in every \(type) record and the instance has none that fits; add one before writing the DICOMDIR",
                    ruleText)
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
            if !bits.contains(ba) || bs != ba {
                return "Bits Allocated/Stored \(ba)/\(bs) are not \(ProfileConstraint.list(bits.sorted().map { "\($0)/\($0)" }))"
            }
            if let r = rule, item.integer(.rows) != r.size || item.integer(.columns) != r.size {
                return "it is \(item.integer(.columns) ?? 0)x\(item.integer(.rows) ?? 0), not \(r.size)x\(r.size)"
            }
            if item[.pixelData]?.bytes == nil { return "its Pixel Data is missing or encapsulated" }
            return nil
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
