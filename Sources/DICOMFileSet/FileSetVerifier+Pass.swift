import DICOMCore
import FileSystem
import DICOMIO
import Dispatch
import Foundation
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

// The driver: one pass over the records, then every file read on all cores, then the findings merged.

extension FileSetVerifier {
    struct Pass {
        let v: FileSetVerifier
        let resolver: Medium
        var problems: [FileSetProblem]
        var jobs: [FileJob] = []
        var jobByPath: [String: Int] = [:]
        /// Real paths of every file a record (tree or orphan) references, plus the DICOMDIR and descriptor.
        var excluded: Set<String> = []
        var nodeCount = 0
        var pending: [PendingAggregate] = []
        var readerMisplaced: Set<Int>
        // Cross-record bookkeeping.
        var sopInstances: [String: [String]] = [:]
        var studies: [String: Int] = [:]
        var series: [String: Int] = [:]
        var patients: [String: Int] = [:]
        var patientNames: [String: [(name: PersonName, source: String)]] = [:]

        init(verifier: FileSetVerifier) {
            v = verifier
            resolver = Medium(root: verifier.root)
            // The reader's `root-record-type` is reported here as `record-misplaced` (with the other F.4 checks).
            problems = verifier.fileSet.problems.filter { $0.code != .rootRecordType }
            if let files = verifier.files {
                var paths: [String] = []
                do { paths = try files.filePaths() } catch {
                    problems.append(
                        FileSetProblem(
                            .error, .fileListUnreadable, "the medium's list of files cannot be read (\(error)); no file was checked",
                            rule: "PS3.10 8"))
                }
                listed = (paths, FileListResolver(paths: paths))
            }
            readerMisplaced = Set(verifier.fileSet.problems.filter { $0.code == .recordOrderNoParent }.compactMap(\.offset))
        }

        /// The medium's files when it is not a folder.
        var listed: (paths: [String], resolver: FileListResolver)?

        /// Where the referenced File IDs of a folder lead, looked up once for the whole File-set
        /// (`Medium.resolveAllWithRealPaths`), with the real path of each file found exactly.
        var folderMatches: [FileID: (match: Medium.Match, real: String?)] = [:]

        /// Looks up every File ID the records reference (tree, orphans, inactive) in one batch.
        mutating func resolveReferences() {
            guard listed == nil else { return }
            var ids: [FileID] = []
            var seen = Set<FileID>()
            for top in v.fileSet.records + v.fileSet.orphans + v.fileSet.inactive {
                top.forEach { r, _ in if let id = r.referencedFileID, seen.insert(id).inserted { ids.append(id) } }
            }
            for (id, m) in zip(ids, resolver.resolveAllWithRealPaths(ids)) { folderMatches[id] = m }
        }

        /// The real path of the file `id` led to at `path` (as `realPath` gives it, else `path`).
        func canonicalPath(of id: FileID, at path: String) -> String {
            if let r = folderMatches[id]?.real { return r }
            return realPath(path) ?? path
        }

        /// `resolver.resolve`, or the file list's lookup (paths prefixed with the root).
        func resolve(_ id: FileID) -> Medium.Match {
            guard let listed else { return folderMatches[id]?.match ?? resolver.resolve(id) }
            switch listed.resolver.resolve(id) {
            case .exact(let p): return .exact(v.root + "/" + p)
            case .variant(let p): return .variant(v.root + "/" + p)
            case let m: return m
            }
        }
        func path(_ id: FileID) -> String? {
            switch resolve(id) {
            case .exact(let p), .variant(let p): return p;
            default: return nil
            }
        }

        mutating func add(_ sev: Diagnostic.Severity, _ code: DiagnosticCode, _ message: String, fileID: String? = nil, rule: String, offset: Int? = nil) {
            problems.append(FileSetProblem(sev, code, message, fileID: fileID, rule: rule, offset: offset))
        }

        mutating func run(progress: (@Sendable (Int, Int) -> Void)?) -> [FileSetProblem] {
            resolveReferences()
            checkFileSetIdentification()
            for rec in v.fileSet.records { walk(rec, parent: nil, context: Context()) }
            // Orphans are reported by the reader; their files still count as referenced, so that the
            // same damage is not reported twice as unreferenced files.
            // Files of inactive records (retired In-use Flag 0000H) were reported with the record by the
            // reader; they are not unreferenced either.
            for orphan in v.fileSet.orphans + v.fileSet.inactive {
                orphan.forEach { r, _ in
                    if let id = r.referencedFileID, let p = path(id) { excluded.insert(canonicalPath(of: id, at: p)) }
                }
            }
            if let dir = v.dicomdirPath ?? path(FileID(["DICOMDIR"])) { excluded.insert(realPath(dir) ?? dir) }
            checkDuplicateRecords()

            // Files to look at: referenced files (read header-only) and unreferenced candidates (sniffed).
            var walkProblems: [FileSetProblem] = []
            let candidates = listCandidates(problems: &walkProblems)
            let outcomes = examineAll(candidates: candidates, progress: progress)

            var fileSOPInstances: [String: [String]] = [:]
            var aggregate: [Int: Set<Tag>] = [:]
            var instanceFileIDs: [String: String] = [:]
            for (i, job) in jobs.enumerated() {
                guard case .file(let out)? = outcomes[i] else { continue }
                problems += out.problems
                guard out.readable else { continue }
                let fid = job.refs.first?.fileID ?? job.path
                if let uid = out.sopInstanceUID, !uid.isEmpty {
                    fileSOPInstances[uid, default: []].append(fid)
                    instanceFileIDs[uid] = fid
                }
                if let pid = out.patientID, !pid.isEmpty, let name = out.patientName {
                    patientNames[pid, default: []].append((name, "file \(fid)"))
                }
                if !out.nonEmptyAggregateTags.isEmpty {
                    for ref in job.refs { for a in ref.ancestors { aggregate[a, default: []].formUnion(out.nonEmptyAggregateTags) } }
                }
            }
            for p in pending where aggregate[p.node]?.contains(p.rule.tag) == true {
                let code: DiagnosticCode = p.rule.type == .type1C ? .missingType1CKey : .missingType2CKey
                add(
                    .error, code,
                    "\(p.rule.name) is missing\(p.rule.type == .type1C ? " or empty" : "") in the \(p.type) record although an instance below it has a value (Type \(p.rule.type.label))",
                    rule: p.reference, offset: p.offset)
            }
            // The same SOP instance in two files (records that say so are reported already).
            for (uid, fids) in fileSOPInstances.sorted(by: { $0.key < $1.key }) where Set(fids).count > 1 && (sopInstances[uid]?.count ?? 0) < 2 {
                add(
                    .error, .duplicateSOPInstance, "SOP Instance UID \(uid) is in \(fids.count) files: \(fids.joined(separator: ", "))",
                    fileID: fids[1], rule: "PS3.3 F.2.1, PS3.4 (one SOP Instance UID per instance)")
            }
            checkPatientNames()
            problems += walkProblems
            reportCandidates(candidates, outcomes: outcomes, offset: jobs.count, instanceFileIDs: instanceFileIDs)
            return problems
        }
    }
}

extension FileSetVerifier.Pass {
    // MARK: Reading files in parallel

    /// Reads every referenced file header-only and sniffs every candidate, on all cores; only
    /// small summaries are kept, so memory does not grow with the File-set.
    func examineAll(candidates: [String], progress: (@Sendable (Int, Int) -> Void)?) -> [FileSetVerifier.Outcome?] {
        let jobs = self.jobs
        let verifier = v
        let aggregateRules = Self.aggregateRules(verifier)
        let total = jobs.count + candidates.count
        progress?(0, total)
        guard total > 0 else { return [] }
        let counter = ProgressCounter(total: total, progress: progress)
        let outcomes = Mutex([FileSetVerifier.Outcome?](repeating: nil, count: total))
        DispatchQueue.concurrentPerform(iterations: total) { i in
            let outcome: FileSetVerifier.Outcome
            if i < jobs.count {
                outcome = .file(FileSetVerifier.examine(jobs[i], verifier: verifier, aggregateRules: aggregateRules))
            } else {
                outcome = .candidate(FileSetVerifier.sniff(candidates[i - jobs.count], verifier: verifier))
            }
            outcomes.withLock { $0[i] = outcome }
            counter.step()
        }
        return outcomes.withLock { $0 }
    }

    /// Parent-level 1C keys whose condition is "any instance below has a value", one per tag.
    static func aggregateRules(_ v: FileSetVerifier) -> [KeyRule] {
        var seen = Set<Tag>()
        var out: [KeyRule] = []
        for t in [DirectoryRecordType.patient, .study, .series] {
            for (rule, _) in v.rules(for: t) where rule.condition == .ifAnyInstanceNonEmpty && seen.insert(rule.tag).inserted { out.append(rule) }
        }
        return out
    }
}
