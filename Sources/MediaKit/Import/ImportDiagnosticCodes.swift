import DICOMCore

// The problems an import reports (docs/DIAGNOSTICS.md, `## MediaKit import`). Names begin with
// `import` since the File-set side reports some of the same codes about a File-set.
extension DiagnosticCode {
    /// A SOP Instance UID already stored with other content: both copies kept, the new one flagged.
    public static let importConflict = DiagnosticCode("conflict")
    /// A file that could not be read, parsed, transformed or is not a complete instance (PS3.10 7).
    public static let importFailed = DiagnosticCode("failed")
    /// A file that is not DICOM, skipped (viewers, autorun files) (PS3.10 7.1).
    public static let notDICOM = DiagnosticCode("not-dicom")
    /// The medium's DICOMDIR cannot be read: the medium was scanned instead (PS3.10 8.6).
    public static let importDICOMDIRBroken = DiagnosticCode("dicomdir-broken")
    /// The DICOMDIR does not list DICOM files found on the medium (PS3.10 8.3).
    public static let importDICOMDIRStale = DiagnosticCode("dicomdir-stale")
    /// A file disagrees with the directory record naming it: SOP Instance, SOP Class or transfer syntax (PS3.3 F.5).
    public static let importRecordMismatch = DiagnosticCode("record-mismatch")
}
