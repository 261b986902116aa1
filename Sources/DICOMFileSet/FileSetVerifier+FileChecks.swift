import DICOMCore
import DICOMIO
import Dispatch
import Foundation
#if canImport(Glibc)
import Glibc
#endif

// MARK: - One referenced file

extension FileSetVerifier {
    /// Reads one referenced file header-only and compares it with every record that references it.
    static func examine(_ job: FileJob, verifier v: FileSetVerifier, aggregateRules: [KeyRule]) -> FileOutcome {
        var out = FileOutcome()
        let first = job.refs.first
        func add(_ sev: Diagnostic.Severity, _ code: DiagnosticCode, _ msg: String, _ ref: Reference?, rule: String) {
            out.problems.append(FileSetProblem(sev, code, msg, fileID: ref?.fileID ?? first?.fileID, rule: rule, offset: ref?.offset))
        }
        let file: DICOMFile
        // A file in one extent of an image is read in place: its header and item headers, never its bulk data.
        let region = v.files.flatMap { $0.region(v.relative(job.path)) }
        var regionProblem: (any Error)?
        // Else one read per file: the whole file when it is small (or on a medium read in place), else header reads.
        let whole = region != nil ? nil : v.files.map { try? v.readFile(job.path, from: $0) } ?? readSmallFile(job.path)
        do {
            if let region {
                (file, regionProblem) = try Completeness.read(region: region, path: job.path, options: .headerOnly)
            } else {
                file = try whole.map { try Part10Reader.read(bytes: $0, path: job.path, options: .headerOnly) } ?? v.readHeader(job.path)
            }
        } catch let e as DICOMParseError {
            add(
                .error, .fileUnreadable, "the referenced file cannot be read as DICOM: \(e.offset.map { "offset \($0): " } ?? "")\(e.message)", first,
                rule: "PS3.10 7.1")
            return out
        } catch {
            add(.error, .fileUnreadable, "the referenced file cannot be read: \(error)", first, rule: "PS3.10 7.1")
            return out
        }
        out.readable = true
        // Complete instance (PS3.10 §7): every length inside the file, Pixel Data whole; bulk data is skipped, not read.
        do {
            if region != nil {
                if let regionProblem { throw regionProblem }
            } else if let whole {
                try Completeness.check(bytes: whole, path: job.path)
            } else if let files = v.files {
                try Completeness.check(bytes: try v.readFile(job.path, from: files), path: job.path)
            } else {
                try Completeness.check(path: job.path)
            }
        } catch let e as DICOMParseError {
            let code: DiagnosticCode = e.code == .incomplete ? .fileIncomplete : e.code == .impossible ? .fileImpossibleImage : .fileUnreadable
            add(.error, code, "the referenced file is not a complete instance: \(e.located)", first, rule: "PS3.10 7.1")
        } catch {
            add(.error, .fileUnreadable, "the referenced file cannot be read: \(error)", first, rule: "PS3.10 7.1")
        }
        let meta = file.fileMeta, ds = file.dataSet
        func nonEmpty(_ s: String?) -> String? { s.flatMap { $0.isEmpty ? nil : $0 } }
        let metaClass = nonEmpty(meta.string(.mediaStorageSOPClassUID)), dsClass = nonEmpty(ds.string(.sopClassUID))
        let metaInstance = nonEmpty(meta.string(.mediaStorageSOPInstanceUID)), dsInstance = nonEmpty(ds.string(.sopInstanceUID))
        let metaSyntax = nonEmpty(meta.string(.transferSyntaxUID))
        if meta.isEmpty {
            add(
                .error, .fileNoMeta, "the referenced file has no File Meta Information (preamble, DICM, group 0002): not a PS3.10 file", first,
                rule: "PS3.10 7.1")
        }
        if let m = metaClass, let d = dsClass, m != d {
            add(
                .error, .fileMetaMismatch, "Media Storage SOP Class UID (0002,0002) \(m) differs from SOP Class UID (0008,0016) \(d) in the same file", first,
                rule: "PS3.10 7.1")
        }
        if let m = metaInstance, let d = dsInstance, m != d {
            add(
                .error, .fileMetaMismatch, "Media Storage SOP Instance UID (0002,0003) \(m) differs from SOP Instance UID (0008,0018) \(d) in the same file",
                first, rule: "PS3.10 7.1")
        }
        let sopClass = metaClass ?? dsClass
        let sopInstance = metaInstance ?? dsInstance
        let syntax = metaSyntax ?? file.transferSyntax.uid
        let isSOPInstance = sopClass != nil && sopInstance != nil
        out.sopInstanceUID = dsInstance ?? metaInstance
        out.patientID = ds.string(.patientID)
        out.patientName = ds.personNames(.patientName)?.first
        for rule in aggregateRules where Pass.hasValue(value(of: rule, in: ds)) { out.nonEmptyAggregateTags.insert(rule.tag) }

        func compare(_ keys: DataSet?, _ tag: Tag, _ level: String, _ name: String, _ code: DiagnosticCode, _ rule: String, _ ref: Reference) {
            guard let keys, let rv = nonEmpty(keys.string(tag)) else { return }
            guard let fv = nonEmpty(ds.string(tag)) else {
                add(
                    .info, .keySupplied, "the \(level) record's \(name) '\(rv)' is not in the file, which has none: supplied by the File-set Creator", ref,
                    rule: "PS3.11 D.3.3.1 (note)")
                return
            }
            if rv != fv {
                add(.error, code, "the file's \(name) is '\(fv)' but the enclosing \(level) record's is '\(rv)'", ref, rule: rule)
            }
        }

        for ref in job.refs {
            let rk = ref.keys
            // (0004,1510) / (0004,1511) / (0004,1512) against the file (PS3.3 F.3.2.2).
            // When the file disagrees with itself (file-meta-mismatch) a record matching either value is not blamed.
            if let rc = nonEmpty(rk.string(.referencedSOPClassUIDInFile)), let fc = sopClass, rc != metaClass && rc != dsClass {
                let src = metaClass != nil ? "(0002,0002)" : "(0008,0016)"
                add(
                    .error, .sopClassMismatch, "Referenced SOP Class UID in File (0004,1510) is \(rc) but the file's \(src) is \(fc)", ref,
                    rule: "PS3.3 F.3.2.2")
            }
            if let ri = nonEmpty(rk.string(.referencedSOPInstanceUIDInFile)), let fi = sopInstance, ri != metaInstance && ri != dsInstance {
                let src = metaInstance != nil ? "(0002,0003)" : "(0008,0018)"
                add(
                    .error, .sopInstanceMismatch, "Referenced SOP Instance UID in File (0004,1511) is \(ri) but the file's \(src) is \(fi)", ref,
                    rule: "PS3.3 F.3.2.2")
            }
            if let rt = nonEmpty(rk.string(.referencedTransferSyntaxUIDInFile)), let ft = metaSyntax, rt != ft {
                add(
                    .error, .transferSyntaxMismatch, "Referenced Transfer Syntax UID in File (0004,1512) is \(rt) but the file's (0002,0010) is \(ft)", ref,
                    rule: "PS3.3 F.3.2.2")
            }
            if !Pass.isInstanceType(ref.type) && isSOPInstance {
                let missing = Pass.missingReferencedUIDs(rk)
                if !missing.isEmpty {
                    add(
                        .error, .missingReferencedUID, "\(ref.type) record references a SOP instance but lacks \(missing.joined(separator: ", "))", ref,
                        rule: "PS3.3 F.3.2.2")
                }
            }
            if Pass.hasValue(ds[.relatedGeneralSOPClassUID]) && !Pass.hasValue(rk[.referencedRelatedGeneralSOPClassUIDInFile]) {
                add(
                    .error, .missingReferencedUID,
                    "the instance has Related General SOP Class UID (0008,001A) but the record lacks Referenced Related General SOP Class UID in File (0004,151A)",
                    ref, rule: "PS3.3 F.3.2.2")
            }

            // The enclosing PATIENT / STUDY / SERIES records (PS3.3 F.5.1-F.5.3).
            if Pass.isInstanceType(ref.type) {
                compare(ref.patientKeys, .patientID, "PATIENT", "Patient ID (0010,0020)", .patientIDMismatch, "PS3.3 F.5.1", ref)
                compare(ref.studyKeys, .studyInstanceUID, "STUDY", "Study Instance UID (0020,000D)", .studyUIDMismatch, "PS3.3 F.5.2", ref)
                compare(ref.seriesKeys, .seriesInstanceUID, "SERIES", "Series Instance UID (0020,000E)", .seriesUIDMismatch, "PS3.3 F.5.3", ref)
            }

            // 1C / 2C keys whose condition is on the instance.
            var reported = Set<Tag>()
            for (rule, reference) in v.rules(for: ref.type) where rule.tag != .iconImageSequence && !reported.contains(rule.tag) {
                guard rule.type == .type1C || rule.type == .type2C, rule.condition != .always else { continue }
                if rule.condition == .ifAnyInstanceNonEmpty && !Pass.isInstanceType(ref.type) { continue }
                let value = value(of: rule, in: ds)
                let holds: Bool
                switch rule.condition {
                case .always: holds = true
                case .ifPresent: holds = rule.type == .type1C ? Pass.hasValue(value) : value != nil
                case .ifPresentNonEmpty, .ifAnyInstanceNonEmpty: holds = Pass.hasValue(value)
                case .ifSOPClass(let classes): holds = sopClass.map(classes.contains) ?? false
                case .ifValue(let tag, let index, let values):
                    if let vals = ds.strings(tag), index < vals.count { holds = values.contains(vals[index]) } else { holds = false }
                }
                guard holds else { continue }
                let e = rk[rule.tag]
                let ok = rule.type == .type1C ? Pass.hasValue(e) : e != nil
                if !ok {
                    reported.insert(rule.tag)
                    let code: DiagnosticCode = rule.type == .type1C ? .missingType1CKey : .missingType2CKey
                    add(
                        .error, code,
                        "\(rule.name) is \(e == nil ? "missing" : "empty") in the \(ref.type) record; it is Type \(rule.type.label) and its condition holds for the referenced instance",
                        ref, rule: reference)
                }
            }
        }

        // The profile's SOP classes, transfer syntaxes and image constraints (PS3.11).
        if let p = v.profile, let sop = sopClass, isSOPInstance {
            let ref = first
            if let allowed = p.sopClasses, !allowed.contains(sop) {
                add(.error, .profileSOPClass, "\(p.id) does not allow \(DataDictionary.uidName(sop) ?? sop) (\(sop))", ref, rule: p.transferSyntaxRule)
            } else if !p.transferSyntaxes(for: sop).contains(syntax) {
                let allowed = p.transferSyntaxes(for: sop).map { TransferSyntax(uid: $0).name }.joined(separator: ", ")
                add(
                    .error, .profileTransferSyntax,
                    "\(p.id) allows \(allowed) for \(DataDictionary.uidName(sop) ?? sop); the file is \(TransferSyntax(uid: syntax).name) (\(syntax))", ref,
                    rule: p.transferSyntaxRule)
            } else if let why = p.violation(sopClassUID: sop, transferSyntaxUID: syntax, header: ds) {
                add(.error, .profileImage, why, ref, rule: p.transferSyntaxRule)
            }
        }
        return out
    }

    /// Files up to this size are read whole, once, for both the header and the completeness check.
    static let wholeReadLimit = 1 << 20

    /// The bytes of a regular file of at most `wholeReadLimit` bytes (one open, fstat, read); nil
    /// for a larger file or on any failure (the path-based readers then report it as they do).
    static func readSmallFile(_ path: String) -> [UInt8]? {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var st = stat()
        guard fstat(fd, &st) == 0, (st.st_mode & S_IFMT) == S_IFREG, st.st_size <= wholeReadLimit else { return nil }
        let size = Int(st.st_size)
        var complete = true
        let bytes = [UInt8](unsafeUninitializedCapacity: max(size, 1)) { buf, initialized in
            var got = 0
            while got < size {
                let n = read(fd, buf.baseAddress! + got, size - got)
                if n < 0 && errno == EINTR { continue }
                if n <= 0 { break }
                got += n
            }
            initialized = got
            complete = got == size
        }
        // A file that changed size while read: the path-based readers decide.
        return complete ? bytes : nil
    }

    /// The instance value a key is copied from (PS3.11 Table H.3-2 for the functional groups).
    static func value(of rule: KeyRule, in header: DataSet) -> DataElement? { rule.sourceValue(in: header) }

}
