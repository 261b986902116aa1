import DICOMCore

// The problems `store verify` reports (docs/DIAGNOSTICS.md, `## DICOMStore`). Each is an error:
// a file missing, damaged or unindexed. Names begin with `store` where DICOMFileSet reports the same
// code about a File-set.
extension DiagnosticCode {
    /// SQLite's integrity check of index.sqlite did not answer "ok".
    public static let indexCorrupt = DiagnosticCode("index-corrupt")
    /// A SOP Instance UID has only rows flagged as conflicting copies (store: one unflagged copy per UID).
    public static let conflictWithoutOriginal = DiagnosticCode("conflict-without-original")
    /// A SOP Instance UID has several rows not flagged as conflicts.
    public static let duplicateInstance = DiagnosticCode("duplicate-instance")
    /// A file under objects/ that no row names.
    public static let orphanFile = DiagnosticCode("orphan-file")
    /// A folder in tmp/ left by an interrupted import or removal (the next command reconciles it).
    public static let interrupted = DiagnosticCode("interrupted")
    /// A row whose path does not follow its SHA-256 (objects/ab/<sha256>.dcm).
    public static let badPath = DiagnosticCode("bad-path")
    /// A stored file's size differs from its row.
    public static let sizeChanged = DiagnosticCode("size-changed")
    /// A stored file's SHA-256 differs from its row.
    public static let hashChanged = DiagnosticCode("hash-changed")
    /// A stored file's SOP Instance UID or transfer syntax differs from its row.
    public static let indexMismatch = DiagnosticCode("index-mismatch")
}
