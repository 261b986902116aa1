import DICOMCore
import DICOMFileSet
import DICOMIO
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Carries out a ``FileSetPlan``: does its rewrites (transcodes, transforms, Part 10 re-encodings, rebuilt
/// File Meta) into the staging folder on every core, makes the icons from the written files, encodes the
/// DICOMDIR and hands everything to the sink (a journaled folder write or an ISO image).
///
/// A rewrite that fails although the plan predicted it (damaged pixel data, a codec error) is not written:
/// its record leaves the tree (and its parents when they are left empty) and the input moves from the
/// additions to the refusals, so the DICOMDIR never references a file that was not written.
public enum FileSetExecutor {
    /// Writes the plan (the caller holds the File-set's lock) and returns its report: the rewrites' measured
    /// warnings in place of the predicted ones, failed rewrites refused, icons that could not be made as problems.
    public static func execute(_ plan: FileSetPlan, progress: (@Sendable (String, Int, Int) -> Void)? = nil) throws -> FileSetReport {
        var report = plan.report
        guard plan.writes else {
            // Nothing to write (PS3.10 8.3 makes no empty File-set from nothing): no DICOMDIR, no image.
            if report.nothingWritten { discardStaging(root: plan.root, options: plan.options) }
            return plan.predictedReport
        }
        let options = plan.options
        var fs = plan.fileSet
        var copies = plan.copies
        let outcomes = try FileSetRewriter(plan: plan).run(into: &fs)
        var groups: [Placed<FileSetProblem>] = []
        var refusals: [Placed<(source: String, reason: String)>] = []
        var failed = Set<String>()
        // Each copy found by its File ID in one lookup, not a search of every copy per rewrite.
        let copyAt = Dictionary(copies.indices.map { (copies[$0].fileID, $0) }, uniquingKeysWith: { a, _ in a })
        for (r, outcome) in zip(plan.rewrites, outcomes) {
            switch outcome {
            case .success(let written):
                if let i = copyAt[r.fileID.path] { copies[i].size = written.size }
                groups.append(Placed(index: r.problemIndex, order: 2 * r.order, values: written.problems))
            case .failure(let e):
                let reason = (e as? MediaError).flatMap { $0.isRefusal ? $0.message : nil } ?? "\(e)"
                failed.insert(r.fileID.path)
                report.alreadyPresent.removeAll { a in r.sameContent.contains { $0.path == a.source } && a.fileID == "(same as \(r.source))" }
                refusals.append(Placed(index: r.refusedIndex, order: r.order, values: [(r.source, reason)]))
                refusals += r.sameContent.map { Placed(index: $0.refusedIndex, order: $0.order, values: [($0.path, reason)]) }
            }
        }
        if !failed.isEmpty {
            removeRecords(referencing: failed, from: &fs.records)
            copies.removeAll { failed.contains($0.fileID) }
            report.added.removeAll { failed.contains($0.fileID) }
            report.transcoded.removeAll { failed.contains($0.fileID) }
            report.refused = inserting(refusals, into: report.refused)
        }
        let icons = plan.icons.filter { !failed.contains($0.fileID.path) }
        groups += iconFailures(icons, in: &fs)
        report.problems = inserting(groups, into: report.problems)
        if report.added.isEmpty && (report.alreadyPresent.isEmpty || report.operation == "update") {
            // Every addition failed: nothing is written, as if none had been planned (PS3.10 8.3).
            report.nothingWritten = report.alreadyPresent.isEmpty
            discardStaging(root: plan.root, options: options)
            return report
        }
        report.problems += try FileSetSink.write(
            fs, root: plan.root, copies: copies, staging: plan.staging,
            operation: report.operation, options: options, progress: progress)
        return report
    }

    /// Values to put at `index` of a list, in the order of a one-pass run (`order` breaks ties).
    struct Placed<T> {
        var index: Int
        var order: Int
        var values: [T]
    }

    /// `list` with each group inserted at its index (indices into `list` as it is), groups at the same index in `order`.
    static func inserting<T>(_ groups: [Placed<T>], into list: [T]) -> [T] {
        var all = list
        let sorted = groups.enumerated().sorted { a, b in
            (a.element.index, a.element.order, a.offset) < (b.element.index, b.element.order, b.offset)
        }
        for g in sorted.reversed() where !g.element.values.isEmpty { all.insert(contentsOf: g.element.values, at: min(g.element.index, all.count)) }
        return all
    }

    /// `list` with each group of values inserted at its index, groups at the same index in the order given.
    static func inserting<T>(_ groups: [(index: Int, values: [T])], into list: [T]) -> [T] {
        inserting(groups.enumerated().map { Placed(index: $0.element.index, order: $0.offset, values: $0.element.values) }, into: list)
    }

    /// Decodes each icon's source and puts a 64x64 (or the profile's size) Icon Image Sequence in its
    /// record (PS3.3 F.7); a failure is a problem at the place a one-pass run reported it.
    static func makeIcons(_ icons: [FileSetPlan.Icon], in fs: inout FileSet, problems: [FileSetProblem]) -> [FileSetProblem] {
        inserting(iconFailures(icons, in: &fs), into: problems)
    }

    /// Makes the icons on every core; each one that cannot be made is a problem, placed. The icons go into
    /// their records in one walk of the tree, not one walk per icon.
    static func iconFailures(_ icons: [FileSetPlan.Icon], in fs: inout FileSet) -> [Placed<FileSetProblem>] {
        let made = ConcurrentSlots<Result<DataSet, Error>>(count: icons.count)
        DispatchQueue.concurrentPerform(iterations: icons.count) { i in
            made[i] = Result { try IconImage.make(from: FileSetCreator.nativeDataSet(icons[i].source), size: icons[i].size) }
        }
        var items: [String: DataSet] = [:]
        var failures: [Placed<FileSetProblem>] = []
        for (icon, result) in zip(icons, made.values) {
            switch result {
            case .success(let item)?: items[icon.fileID.path] = item
            case .failure(let error)?:
                let problem = FileSetProblem(
                    icon.required ? .error : .warning, .iconNotMade, "no icon: \(error)", fileID: icon.fileID.path, rule: "PS3.3 F.7")
                failures.append(Placed(index: icon.problemIndex, order: 2 * icon.order + 1, values: [problem]))
            case nil: break
            }
        }
        if !items.isEmpty { setIcons(items, in: &fs.records) }
        return failures
    }

    /// Sets the Icon Image Sequence (PS3.3 F.7) of each record whose Referenced File ID is a key of `icons`.
    static func setIcons(_ icons: [String: DataSet], in records: inout [DirectoryRecord]) {
        for i in records.indices {
            if let id = records[i].referencedFileID, let icon = icons[id.path] { records[i].keys.setSequence(.iconImageSequence, [icon]) }
            if !records[i].children.isEmpty { setIcons(icons, in: &records[i].children) }
        }
    }

    /// Removes the records referencing a File ID of `fileIDs`, and each parent their removal leaves without
    /// children, in one walk of the tree.
    static func removeRecords(referencing fileIDs: Set<String>, from records: inout [DirectoryRecord]) {
        records.removeAll { r in r.referencedFileID.map { fileIDs.contains($0.path) } ?? false }
        for i in records.indices.reversed() where !records[i].children.isEmpty {
            removeRecords(referencing: fileIDs, from: &records[i].children)
            if records[i].children.isEmpty && records[i].referencedFileID == nil { records.remove(at: i) }
        }
    }

    /// Removes the staging folder of a run that writes nothing, and the journal folder when that leaves it empty.
    static func discardStaging(root: String, options: FileSetOptions) {
        let staging = FileSetSink.stagingFolder(root: root, options: options)
        try? FileManager.default.removeItem(atPath: staging)
        if options.image == nil { rmdir(FileSetTransaction.folder(root)) }
    }
}
