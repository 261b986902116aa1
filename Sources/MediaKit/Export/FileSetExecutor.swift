import DICOMCore
import DICOMFileSet
import DICOMIO
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Carries out a ``FileSetPlan``: re-encodes inputs without File Meta as Part 10, makes the icons,
/// encodes the DICOMDIR and hands everything to the sink (a journaled folder write or an ISO image).
public enum FileSetExecutor {
    /// Writes the plan (the caller holds the File-set's lock) and returns its report, with any icon
    /// that could not be made added to its problems.
    public static func execute(_ plan: FileSetPlan, progress: (@Sendable (String, Int, Int) -> Void)? = nil) throws -> FileSetReport {
        var report = plan.report
        guard plan.writes else {
            // Nothing to write (PS3.10 8.3 makes no empty File-set from nothing): no DICOMDIR, no image.
            if report.nothingWritten { discardStaging(root: plan.root, options: plan.options) }
            return report
        }
        let options = plan.options
        var fs = plan.fileSet
        var copies = plan.copies
        // Inputs without File Meta are re-encoded as Part 10 into the journal folder first.
        for i in copies.indices where copies[i].source.isEmpty {
            guard let src = report.added.first(where: { $0.fileID == copies[i].fileID })?.source else { continue }
            let f = try Part10Reader.read(path: src)
            let ts = PlannedInstance.stagedSyntax(f.transferSyntax)
            let bytes = try Part10Writer.encode(
                dataSet: f.dataSet, fileMeta: f.fileMeta, options: WriteOptions(transferSyntax: ts, sourceAETitle: options.sourceAETitle))
            try makePrivateDirectory(plan.staging)
            let staged = plan.staging + "/\(i)"
            try writePrivateFile(bytes, to: staged)
            copies[i].source = staged
            copies[i].size = bytes.count
        }
        report.problems = makeIcons(plan.icons, in: &fs, problems: report.problems)
        let dicomdir = try DICOMDIRWriter.encode(fs, sourceAETitle: options.sourceAETitle)
        try FileSetSink.write(
            fs, root: plan.root, copies: copies, dicomdir: dicomdir, staging: plan.staging,
            operation: report.operation, options: options, progress: progress)
        return report
    }

    /// Decodes each icon's source and puts a 64x64 (or the profile's size) Icon Image Sequence in its
    /// record (PS3.3 F.7); a failure is a problem at the place a one-pass run reported it.
    static func makeIcons(_ icons: [FileSetPlan.Icon], in fs: inout FileSet, problems: [FileSetProblem]) -> [FileSetProblem] {
        var failures: [(index: Int, problem: FileSetProblem)] = []
        for icon in icons {
            do {
                let item = try IconImage.make(from: FileSetCreator.nativeDataSet(icon.source), size: icon.size)
                setIcon(item, fileID: icon.fileID, in: &fs.records)
            } catch {
                failures.append(
                    (
                        icon.problemIndex,
                        FileSetProblem(
                            icon.required ? .error : .warning, .iconNotMade, "no icon: \(error)",
                            fileID: icon.fileID.path, rule: "PS3.3 F.7")
                    ))
            }
        }
        var all = problems
        for f in failures.reversed() { all.insert(f.problem, at: min(f.index, all.count)) }
        return all
    }

    /// Sets the Icon Image Sequence of the record referencing `fileID`; false when none does.
    @discardableResult
    static func setIcon(_ icon: DataSet, fileID: FileID, in records: inout [DirectoryRecord]) -> Bool {
        for i in records.indices {
            if records[i].referencedFileID == fileID {
                records[i].keys.setSequence(.iconImageSequence, [icon])
                return true
            }
            if setIcon(icon, fileID: fileID, in: &records[i].children) { return true }
        }
        return false
    }

    /// Removes the staging folder of a run that writes nothing, and the journal folder when that leaves it empty.
    static func discardStaging(root: String, options: FileSetOptions) {
        let staging = FileSetSink.stagingFolder(root: root, options: options)
        try? FileManager.default.removeItem(atPath: staging)
        if options.image == nil { rmdir(FileSetTransaction.folder(root)) }
    }
}
