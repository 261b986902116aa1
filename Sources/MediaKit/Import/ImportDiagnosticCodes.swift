import DICOMCore

// The problems an import reports (docs/DIAGNOSTICS.md, `## MediaKit import`). Names begin with
// `import` since the File-set side reports some of the same codes about a File-set.
extension DiagnosticCode {
    /// A SOP Instance UID already stored with other content: both copies kept, the new one flagged.
    public static let importConflict = DiagnosticCode("conflict")
    /// A file the DICOMDIR (or a lower-level directory file) names is not on the medium (PS3.3 F.2.1).
    public static let importFileMissing = DiagnosticCode("file-missing")
    /// A file that could not be read, parsed, transformed or is not a complete instance (PS3.10 7).
    public static let importFailed = DiagnosticCode("failed")
    /// A file that is not DICOM, skipped (viewers, autorun files) (PS3.10 7.1).
    public static let importNotDICOM = DiagnosticCode("not-dicom")
    /// A File ID found only as a variant name on the medium: case, version or suffix differs (PS3.10 8.5).
    public static let importFileIDVariant = DiagnosticCode("file-id-variant")
    /// A File ID that leaves the medium's root: refused, not read (PS3.10 8.2).
    public static let importFileIDOutsideRoot = DiagnosticCode("file-id-outside-root")
    /// A symbolic link on the medium, not followed (PS3.10 8.2).
    public static let importSymlinkSkipped = DiagnosticCode("symlink-skipped")
    /// The medium's DICOMDIR cannot be read: the medium was scanned instead (PS3.10 8.6).
    public static let importDICOMDIRBroken = DiagnosticCode("dicomdir-broken")
    /// The DICOMDIR does not list DICOM files found on the medium (PS3.10 8.3).
    public static let importDICOMDIRStale = DiagnosticCode("dicomdir-stale")
    /// A file disagrees with the directory record naming it: SOP Instance, SOP Class or transfer syntax (PS3.3 F.5).
    public static let importRecordMismatch = DiagnosticCode("record-mismatch")
    /// A file's File Meta names another SOP Class or Instance than its data set (PS3.10 7.1).
    public static let importFileMetaMismatch = DiagnosticCode("file-meta-mismatch")
}
