import DICOMCore
import DICOMFileSet

/// What `create`, `update` or `export` will write, decided from the inputs' headers before anything is
/// written or encoded (PS3.10 §8.3): the records tree, each copy (source -> File ID), the rewrites to do
/// (transcodes, transforms, rebuilt File Meta), the icons to make and the report (additions, transcodes,
/// refusals). `--dry-run` prints it; ``FileSetExecutor`` carries it out.
public struct FileSetPlan: Sendable {
    /// An Icon Image Sequence (0088,0200) the executor makes for an instance record (PS3.3 F.7).
    public struct Icon: Sendable {
        /// The record's Referenced File ID.
        public var fileID: FileID
        /// The file the icon is decoded from (the rewritten copy when there is one, else the input).
        public var source: String
        public var size: Int
        /// The profile requires icons: a failure is an error, else a warning.
        public var required: Bool
        /// Where the failure's problem goes in the report's problems (the order of a one-pass run).
        var problemIndex: Int
        /// The instance's place in the plan's order.
        var order = 0
    }

    /// The files: copies of inputs (or of rewritten files, staged by the executor) -> their File IDs.
    public var copies: [FileSetTransaction.Copy]
    /// The inputs the executor rewrites into the staging folder before they are copied (see ``FileSetRewrite``).
    public var rewrites: [FileSetRewrite]
    /// The File-set folder, or the image file with `--iso`.
    public var root: String
    /// The records tree as the new DICOMDIR will hold it (icons are added by the executor).
    public var fileSet: FileSet
    public var icons: [Icon]
    /// Additions, transcodes, already present, refusals, problems: what the run reports when every
    /// rewrite succeeds as predicted (with the predicted warnings of the rewrites, see ``predictedReport``).
    public var report: FileSetReport
    /// The private folder the executor stages rewritten files in.
    public var staging: String
    public var options: FileSetOptions

    /// The plan writes files and a DICOMDIR (else: nothing to add, or nothing at all).
    public var writes: Bool { !report.nothingWritten && !(report.added.isEmpty && report.operation == "update") }

    /// The report of the plan as `--dry-run` prints it: the rewrites' predicted warnings in their places.
    public var predictedReport: FileSetReport {
        var r = report
        r.problems = FileSetExecutor.inserting(rewrites.map { ($0.problemIndex, $0.predictedProblems) }, into: r.problems)
        return r
    }
}
