import DICOMCore
import DICOMFileSet

/// One input the executor rewrites before it is copied to its File ID: decoded and encoded in another
/// transfer syntax (PS3.5 §8, §10), changed by a transform (de-identify, reconcile), re-encoded as a
/// Part 10 file, or given a File Meta rebuilt from its data set (PS3.10 §7.1). Planned from the header:
/// the output syntax, the lossy copy's new SOP Instance UID and the records are predictions the executor
/// holds the encoder to.
public struct FileSetRewrite: Sendable {
    public enum Kind: Sendable, Equatable {
        /// Decode and encode in `syntax`, with the plan's transform (``FileTranscoder``).
        case transcode
        /// The data set copied byte for byte under a File Meta rebuilt from it (PS3.10 7.1).
        case rebuildFileMeta
        /// An input without File Meta written as a Part 10 file in `syntax` (PS3.10 7.1).
        case part10
    }
    public var kind: Kind
    /// The input file.
    public var source: String
    public var fileID: FileID
    /// The syntax asked of the encoder (a transcode), or the one written (the other kinds).
    public var target: TransferSyntax
    /// The syntax the rewritten file is in (predicted from the header for a transcode).
    public var syntax: TransferSyntax
    /// The SOP Class and Instance UIDs the rewritten file has (for a lossy copy, the new UID the plan made).
    public var sopClassUID: String
    public var sopInstanceUID: String
    /// The new SOP Instance UID of a lossy copy (PS3.3 C.7.6.1.1.5), given to the encoder; nil when not lossy.
    public var lossyInstanceUID: String?
    /// The staged file the executor writes (in the plan's staging folder).
    public var staged: String
    /// Where the rewrite's warnings go in the report's problems (the order of a one-pass run).
    var problemIndex: Int
    /// The warnings the header predicts (reading it, lossy source); the executor reports the measured ones instead.
    var predictedProblems: [FileSetProblem] = []
    /// Where an execution failure goes in the report's refusals (the order of a one-pass run).
    var refusedIndex: Int
    /// Inputs planned as already present with the same content as this one (path, refusal position, place in the plan's order).
    var sameContent: [(path: String, refusedIndex: Int, order: Int)] = []
    /// The input's place in the plan's order.
    var order = 0

    /// A rewrite's warnings (reading the input, transcoding it) as problems naming the input.
    static func problems(_ diagnostics: [Diagnostic], source: String) -> [FileSetProblem] {
        diagnostics.filter { $0.severity >= .warning }.map { FileSetProblem(.warning, $0.code, "\(source): \($0.message)", rule: "PS3.5 8.2") }
    }
}
