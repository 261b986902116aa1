import DICOMCore

// The codes MediaKit's reports (list, verify, images read in place) give their problems; listed in
// docs/DIAGNOSTICS.md under "MediaKit reports". Tests match these, never message text.
extension DiagnosticCode {
    /// A file written by an interrupted create, update or remove, referenced once its journal completes (dicom-media journal).
    public static let pendingFile = DiagnosticCode("pending-file")
    /// An interrupted create, update or remove is pending in the File-set's journal (dicom-media journal).
    public static let pendingTransaction = DiagnosticCode("pending-transaction")
    /// The File-set's journal cannot be read or names something outside the File-set; refused untouched (dicom-media journal).
    public static let journalRefused = DiagnosticCode("journal-refused")
    /// A frame of a referenced encapsulated image does not decode (`verify --deep`, PS3.5 8).
    public static let frameUndecodable = DiagnosticCode("frame-undecodable")
    /// An ISO image ends before its volume does: entries beyond the end are not read (ECMA-119 8.4.8).
    public static let imageTruncated = DiagnosticCode("image-truncated")
    /// An image entry lies beyond the end of a truncated image; not read (ECMA-119 8.4.8).
    public static let imageEntryBeyondEnd = DiagnosticCode("image-entry-beyond-end")
    /// An image entry that is a link, a special file or an unsafe name (leaves the root); not read (ECMA-119 9.1, RRIP SL).
    public static let imageEntryRefused = DiagnosticCode("image-entry-refused")
}
