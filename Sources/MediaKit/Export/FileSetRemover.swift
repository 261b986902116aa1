import DICOMCore
import DICOMFileSet
import DICOMIO

/// What to remove from a File-set.
public enum RemovalSelector: Sendable, Hashable {
    case instance(String), series(String), study(String), patient(String)
}

/// `remove`: deletes files and their records, then records left without children (PS3.10 §8.3 M-DELETE).
public enum FileSetRemover {
    public struct Report: Sendable {
        public var root: String
        public var removedFiles: [String] = []
        public var removedRecords = 0
        /// Each record removed: its type and key (UID, Patient ID) or File ID.
        public var records: [String] = []
        public var notFound: [RemovalSelector] = []
        public var dryRun = false
        /// Files whose records were removed but that are not deleted: their File ID leaves the root,
        /// or a symbolic link is on the way (the guarded medium never deletes through one).
        public var notDeleted: [(fileID: String, reason: String)] = []
        public var json: JSON {
            .object([
                ("root", .string(root)), ("dryRun", .bool(dryRun)),
                ("removedFiles", .array(removedFiles.map { .string($0) })),
                ("removedRecords", .int(Int64(removedRecords))),
                ("records", .array(records.map { .string($0) })),
                ("notFound", .array(notFound.map { .string(describe($0)) })),
                ("notDeleted", .array(notDeleted.map { .object([("fileID", .string($0.fileID)), ("reason", .string($0.reason))]) })),
            ])
        }
        public var text: String {
            var l = ["remove \(root): \(dryRun ? "would remove" : "removed") \(removedFiles.count) file(s), \(removedRecords) record(s)"]
            for f in removedFiles { l.append("  " + f) }
            if dryRun { for r in records { l.append("  record " + r) } }
            for n in notDeleted { l.append("not deleted: \(n.fileID): \(n.reason)") }
            return l.joined(separator: "\n")
        }
        /// Selectors that matched nothing (stderr): the job was done in part.
        public var diagnostics: [FileSetProblem] {
            notFound.map { FileSetProblem(.error, .selectionNotFound, "\(describe($0)) is not in the File-set", rule: "PS3.10 8.3") }
        }
    }

    static func describe(_ s: RemovalSelector) -> String {
        switch s {
        case .instance(let u): return "instance \(u)"
        case .series(let u): return "series \(u)"
        case .study(let u): return "study \(u)"
        case .patient(let id): return "patient \(id)"
        }
    }

    public static func remove(
        fileSet source: String, selectors: [RemovalSelector], dryRun: Bool = false, sourceAETitle: String? = nil,
        wait: Double = FileSetLock.defaultWait
    ) throws -> Report {
        let loc = try FileSetLocation(source: source)
        let lock = dryRun ? nil : try FileSetLock.acquire(root: loc.root, wait: wait)
        defer { lock?.release() }
        if !dryRun { try FileSetTransaction.recover(root: loc.root) }
        var fs = try DICOMDIRReader.read(path: loc.dicomdir)
        var report = Report(root: loc.root)
        report.dryRun = dryRun
        var matched = Set<RemovalSelector>()

        func matches(_ r: DirectoryRecord) -> RemovalSelector? {
            for s in selectors {
                switch s {
                case .instance(let u) where r.referencedSOPInstanceUID == u: return s
                case .series(let u) where r.type == .series && r.keys.string(.seriesInstanceUID) == u: return s
                case .study(let u) where r.type == .study && r.keys.string(.studyInstanceUID) == u: return s
                case .patient(let id) where r.type == .patient && r.keys.string(.patientID) == id: return s
                default: continue
                }
            }
            return nil
        }
        func label(_ r: DirectoryRecord) -> String {
            let key =
                r.referencedSOPInstanceUID ?? r.keys.string(.seriesInstanceUID).flatMap { r.type == .series ? $0 : nil }
                ?? r.keys.string(.studyInstanceUID).flatMap { r.type == .study ? $0 : nil } ?? r.keys.string(.patientID) ?? ""
            return "\(r.type.rawValue) \(key)" + (r.referencedFileID.map { " (\($0.path))" } ?? "")
        }
        var removedIDs: [FileID] = []
        func collectFiles(_ r: DirectoryRecord) {
            r.forEach { rec, _ in
                report.removedRecords += 1
                report.records.append(label(rec))
                if let id = rec.referencedFileID { report.removedFiles.append(id.path); removedIDs.append(id) }
            }
        }
        /// Removes matching subtrees; prunes PATIENT/STUDY/SERIES records left without children.
        func prune(_ list: [DirectoryRecord]) -> [DirectoryRecord] {
            var out: [DirectoryRecord] = []
            for var r in list {
                if let s = matches(r) { matched.insert(s); collectFiles(r); continue }
                let before = r.children.count
                r.children = prune(r.children)
                let emptied = before > 0 && r.children.isEmpty
                if emptied && [DirectoryRecordType.patient, .study, .series].contains(r.type) && r.referencedFileID == nil {
                    report.removedRecords += 1
                    report.records.append(label(r) + " (left without children)")
                    continue
                }
                out.append(r)
            }
            return out
        }
        fs.records = prune(fs.records)
        report.notFound = selectors.filter { !matched.contains($0) }
        if report.removedRecords == 0 { return report }
        let dicomdir = try DICOMDIRWriter.encode(fs, sourceAETitle: sourceAETitle)
        // Each file is deleted under its name on the medium, through the guarded medium only.
        let medium = Medium(root: loc.root)
        var deletions: [String] = []
        for fid in removedIDs {
            let id = fid.components.joined(separator: "\\")
            switch medium.resolve(fid) {
            case .exact(let p), .variant(let p):
                let comps = String(p.dropFirst(loc.root == "/" ? 1 : loc.root.count + 1)).split(separator: "/").map(String.init)
                do {
                    _ = try medium.regularFileSize(comps)
                    deletions.append(comps.joined(separator: "/"))
                } catch let e as MediumError { report.notDeleted.append((id, e.message)) }
            case .outsideRoot:
                report.notDeleted.append(
                    (id, "the File ID leaves the File-set root (\(Medium.problem(fid) ?? "a symbolic link out of it")); nothing outside is deleted"))
            case .missing: break
            }
        }
        if dryRun { return report }
        let tx = FileSetTransaction(operation: "remove", deletions: deletions)
        try tx.run(root: loc.root, dicomdir: consume dicomdir)
        return report
    }
}
