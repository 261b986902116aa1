import DICOMCore
import DICOMFileSet
import DICOMIO
import DICOMStore

/// What an import found and did, per file, plus what it said about each medium.
public struct ImportReport: Sendable {
    public struct Item: Sendable {
        public var sopInstanceUID: String
        public var source: String
        /// Path on the medium (relative to its root).
        public var sourcePath: String
        /// Path of the stored file, relative to the store (the existing copy for already-present ones).
        public var storedPath: String?
        /// SHA-256 of the content read (after any transform): names a copy in `store remove UID --copy SHA256`.
        public var sha256: String?
    }
    public typealias Items = SpillList<Item>
    public struct FileProblem: Sendable {
        public var source: String
        public var path: String
        public var reason: String
    }
    /// How a medium was read.
    public struct Medium: Sendable {
        public var location: String
        public var kind: String
        /// "used" (followed the DICOMDIR), "stale" (followed it and scanned files it does not list),
        /// "broken" (unreadable: scanned the medium), "missing" (none: scanned the medium).
        public var dicomdir: String
        public var fileSetID: String?
        public var fileSetUID: String?
        public var files: Int
        public var note: String
    }

    public var store: String
    public var dryRun: Bool
    public var media: [Medium] = []
    /// One entry per file read: held in the store's private folder, not in memory (``SpillList``).
    public var imported = Items()
    public var alreadyPresent = Items()
    public var conflicts = Items()
    /// The import was asked to stop (`ImportOptions.shouldStop`) before it read every file; what it stored is complete.
    public var stopped = false
    /// Why the import ended before it read every file: writing the store failed (its disk full, say) after part was
    /// stored. What it stored is complete; `notRead` files were not imported, and running it again adds them.
    public var interrupted: String?
    public var notRead = 0
    public var missing: [FileProblem] = []
    public var failed: [FileProblem] = []
    public var notDICOM: [FileProblem] = []
    /// DICOMDIR problems, records that disagree with their files, names found only as variants, refused File IDs.
    public var problems: [(source: String, problem: FileSetProblem)] = []
    public var reconciliation: DICOMStore.Reconciliation?
    /// The plan a dry run carried out, as text and JSON (printed with its report).
    public var plan: (text: String, json: JSON)?

    /// Missing, failed, conflicting files, or a stale or broken DICOMDIR, or any error-level problem.
    public var hasProblems: Bool {
        stopped || interrupted != nil || !missing.isEmpty || !failed.isEmpty || !conflicts.isEmpty
            || media.contains { $0.dicomdir == "stale" || $0.dicomdir == "broken" }
            || problems.contains { $0.problem.severity >= .error }
    }

    public var json: JSON {
        func item(_ i: Item) -> JSON {
            .object([
                ("sopInstanceUID", .string(i.sopInstanceUID)), ("source", .string(i.source)),
                ("sourcePath", .string(i.sourcePath)), ("storedPath", i.storedPath.map { .string($0) } ?? .null),
                ("sha256", i.sha256.map { .string($0) } ?? .null),
            ])
        }
        func fp(_ p: FileProblem, _ key: String = "path") -> JSON {
            .object([("source", .string(p.source)), (key, .string(p.path)), ("reason", .string(p.reason))])
        }
        var rec: JSON = .null
        if let r = reconciliation, r.interrupted {
            rec = .object([
                ("tmpRemoved", .int(Int64(r.tmpRemoved))), ("orphanFilesRemoved", .int(Int64(r.orphanFilesRemoved))),
                ("rowsWithoutFileRemoved", .int(Int64(r.rowsWithoutFileRemoved))),
            ])
        }
        var head: [(String, JSON)] = stopped ? [("stopped", .bool(true))] : []
        if let interrupted { head += [("interrupted", .string(interrupted)), ("notRead", .int(Int64(notRead)))] }
        return .object(
            head + [
                ("store", .string(store)),
                ("dryRun", .bool(dryRun)),
                ("imported", .int(Int64(imported.count))),
                ("alreadyPresent", .int(Int64(alreadyPresent.count))),
                ("conflicts", .int(Int64(conflicts.count))),
                ("missing", .int(Int64(missing.count))),
                ("failed", .int(Int64(failed.count))),
                ("notDicom", .int(Int64(notDICOM.count))),
                (
                    "media",
                    .array(
                        media.map { m in
                            .object([
                                ("location", .string(m.location)), ("kind", .string(m.kind)), ("dicomdir", .string(m.dicomdir)),
                                ("fileSetID", m.fileSetID.map { .string($0) } ?? .null), ("fileSetUID", m.fileSetUID.map { .string($0) } ?? .null),
                                ("files", .int(Int64(m.files))), ("note", .string(m.note)),
                            ])
                        })
                ),
                (
                    "lists",
                    .object([
                        ("imported", .array(imported.map(item))),
                        ("alreadyPresent", .array(alreadyPresent.map(item))),
                        ("conflicts", .array(conflicts.map(item))),
                        ("missing", .array(missing.map { fp($0, "fileID") })),
                        ("failed", .array(failed.map { fp($0) })),
                        ("notDicom", .array(notDICOM.map { fp($0) })),
                    ])
                ),
                (
                    "problems",
                    .array(
                        problems.map { s, p in
                            var o: [(String, JSON)] = [("source", .string(s))]
                            if case .object(let po) = p.json { o += po }
                            return .object(o)
                        })
                ),
                ("reconciled", rec),
            ] + (plan.map { [("plan", $0.json)] } ?? [] as [(String, JSON)]))
    }

    /// Warnings of the media read (names found only as variants, DICOMDIR problems of warning level).
    public var hasWarnings: Bool { problems.contains { $0.problem.severity == .warning } }

    /// Everything for stderr, each prefixed with the medium it was found on (its DICOMDIR when one was
    /// followed): conflicts, missing and failed files, problems, files skipped as not DICOM.
    public var diagnostics: [FileSetProblem] {
        func input(_ location: String) -> String {
            media.first { $0.location == location && $0.dicomdir != "missing" }.map { m in
                m.location.hasSuffix("DICOMDIR") ? m.location : m.location + (m.kind == "iso" ? ":DICOMDIR" : "/DICOMDIR")
            } ?? location
        }
        var out: [FileSetProblem] = []
        out += conflicts.map {
            FileSetProblem(
                .error, .importConflict,
                "SOP Instance \($0.sopInstanceUID) differs from the stored copy; kept both, this one (SHA-256 \($0.sha256 ?? "?")) flagged; compare the copies with `dicom-media store conflicts`, keep one with `dicom-media store remove \($0.sopInstanceUID) --copy SHA256`",
                fileID: $0.sourcePath, rule: "store: one content per SOP Instance UID", source: input($0.source))
        }
        if let interrupted {
            out.append(
                FileSetProblem(
                    .error, .importEndedEarly,
                    "the import ended early: \(interrupted); \(notRead) file(s) were not read; what is stored is complete: run the import again once the store can be written, and it adds the rest",
                    rule: "store: an instance is stored whole or not at all", source: store))
        }
        out += missing.map { FileSetProblem(.error, .fileMissing, $0.reason, fileID: $0.path, rule: "PS3.3 F.2.1", source: input($0.source)) }
        out += failed.map { FileSetProblem(.error, .importFailed, $0.reason, fileID: $0.path, rule: "PS3.10 7", source: input($0.source)) }
        out += problems.map { $0.problem.from(input($0.source)) }
        out += notDICOM.map {
            FileSetProblem(.info, .notDICOM, "not DICOM, skipped: \($0.reason)", fileID: $0.path, rule: "PS3.10 7.1", source: input($0.source))
        }
        return out
    }

    /// One line per medium read: where, what kind, how many files, how it was read.
    public var mediaLines: [String] { media.map { "\($0.location) (\($0.kind), \($0.files) files): \($0.note)" } }

    /// The results (stdout): each medium read and the summary; `diagnostics` go to stderr.
    public var text: String {
        var lines = mediaLines
        if let r = reconciliation, r.interrupted {
            lines.append(
                "recovered an interrupted run: \(r.tmpRemoved) temporary, \(r.orphanFilesRemoved) orphan files and \(r.rowsWithoutFileRemoved) rows without file removed"
            )
        }
        if let plan { lines.append(plan.text) }
        lines.append(
            "\(dryRun ? "would import" : "imported") \(imported.count), already present \(alreadyPresent.count), conflicts \(conflicts.count), missing \(missing.count), failed \(failed.count), not DICOM \(notDICOM.count)"
        )
        if interrupted != nil { lines.append("ended early: \(notRead) file(s) not read; run the import again once the store can be written") }
        return lines.joined(separator: "\n")
    }
}

extension ImportReport {
    /// A report whose per-file lists spill into `directory` (the store's private folder) as they grow.
    public init(store: String, dryRun: Bool, spillingIn directory: String?) {
        self.init(store: store, dryRun: dryRun)
        imported = Items(directory: directory)
        alreadyPresent = Items(directory: directory)
        conflicts = Items(directory: directory)
    }
}

extension ImportReport.Item: Spillable {
    public func spill(into out: inout [UInt8]) {
        for s in [sopInstanceUID, source, sourcePath, storedPath, sha256] { SpillWriter.string(s, into: &out) }
    }
    public init(unspilling r: inout SpillReader) {
        self.init(
            sopInstanceUID: r.string() ?? "", source: r.string() ?? "", sourcePath: r.string() ?? "", storedPath: r.string(), sha256: r.string())
    }
}
