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
        public var notFound: [RemovalSelector] = []
        public var dryRun = false
        public var json: JSON {
            .object([
                ("root", .string(root)), ("dryRun", .bool(dryRun)),
                ("removedFiles", .array(removedFiles.map { .string($0) })),
                ("removedRecords", .int(Int64(removedRecords))),
                ("notFound", .array(notFound.map { .string(describe($0)) })),
            ])
        }
        public var text: String {
            var l = ["remove \(root): \(dryRun ? "would remove" : "removed") \(removedFiles.count) file(s), \(removedRecords) record(s)"]
            for f in removedFiles { l.append("  " + f) }
            for n in notFound { l.append("not found: \(describe(n))") }
            return l.joined(separator: "\n")
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

    public static func remove(fileSet source: String, selectors: [RemovalSelector], dryRun: Bool = false, sourceAETitle: String? = nil) throws -> Report {
        let loc = try FileSetLocation(source: source)
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
        func collectFiles(_ r: DirectoryRecord) {
            r.forEach { rec, _ in
                report.removedRecords += 1
                if let id = rec.referencedFileID { report.removedFiles.append(id.path) }
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
                    continue
                }
                out.append(r)
            }
            return out
        }
        fs.records = prune(fs.records)
        report.notFound = selectors.filter { !matched.contains($0) }
        if dryRun || report.removedRecords == 0 { return report }
        let dicomdir = try DICOMDIRWriter.encode(fs, sourceAETitle: sourceAETitle)
        let tx = FileSetTransaction(operation: "remove", deletions: report.removedFiles)
        try tx.run(root: loc.root, dicomdir: dicomdir)
        return report
    }
}
