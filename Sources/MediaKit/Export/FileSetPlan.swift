import DICOMCore
import DICOMFileSet

/// What `create`, `update` or `export` will write, decided before anything is written (PS3.10 §8.3):
/// the records tree, each copy (source -> File ID), the icons to make and the report (additions,
/// transcodes, refusals). `--dry-run` prints it; ``FileSetExecutor`` carries it out.
public struct FileSetPlan: Sendable {
    /// An Icon Image Sequence (0088,0200) the executor makes for an instance record (PS3.3 F.7).
    public struct Icon: Sendable {
        /// The record's Referenced File ID.
        public var fileID: FileID
        /// The file the icon is decoded from (the staged copy when there is one, else the input).
        public var source: String
        public var size: Int
        /// The profile requires icons: a failure is an error, else a warning.
        public var required: Bool
        /// Where the failure's problem goes in the report's problems (the order of a one-pass run).
        var problemIndex: Int
    }

    /// The File-set folder, or the image file with `--iso`.
    public var root: String
    /// The records tree as the new DICOMDIR will hold it (icons are added by the executor).
    public var fileSet: FileSet
    /// Each file to write: an input or staged file -> its File ID. An empty source is an input without
    /// File Meta, re-encoded as Part 10 by the executor (its source is the `report.added` entry of the File ID).
    public var copies: [FileSetTransaction.Copy]
    public var icons: [Icon]
    /// Additions, transcodes, already present, refusals, problems: what the run reports.
    public var report: FileSetReport
    /// The private folder the planner staged transcoded files in and the executor stages more.
    public var staging: String
    public var options: FileSetOptions

    /// The plan writes files and a DICOMDIR (else: nothing to add, or nothing at all).
    public var writes: Bool { !report.nothingWritten && !(report.added.isEmpty && report.operation == "update") }
}
