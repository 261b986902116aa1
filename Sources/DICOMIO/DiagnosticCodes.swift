import DICOMCore

// The diagnostic codes DICOMIO reports while reading Part 10 files (listed in docs/DIAGNOSTICS.md).
extension DiagnosticCode {
    /// No 128-byte preamble before DICM, or neither preamble nor DICM (PS3.10 §7.1).
    public static let noPreamble = DiagnosticCode("no-preamble")
    /// No File Meta Information; the transfer syntax is guessed from the data (PS3.10 §7.1).
    public static let noMeta = DiagnosticCode("no-meta")
    /// A Transfer Syntax UID this reader does not know: read as Explicit VR Little Endian (PS3.5 §10).
    public static let unknownTransferSyntax = DiagnosticCode("unknown-transfer-syntax")
    /// File Meta without a Transfer Syntax UID (0002,0010): guessed from the data (PS3.10 §7.1).
    public static let noTransferSyntax = DiagnosticCode("no-transfer-syntax")
    /// The transfer syntax says explicit (implicit) VR, the data set is the other: read as found (PS3.5 §10).
    public static let vrEncodingMismatch = DiagnosticCode("vr-encoding-mismatch")
    /// A Deflated data set's deflate stream ends early (PS3.5 §A.5).
    public static let deflateTruncated = DiagnosticCode("deflate-truncated")
    /// More problems than the reader keeps (1000): only their count is reported.
    public static let moreProblems = DiagnosticCode("more-problems")
    /// The data set after the File Meta has no elements (PS3.10 §7.1).
    public static let emptyDataSet = DiagnosticCode("empty-data-set")
    /// File Meta Information Group Length too small: more group 0002 elements follow (PS3.10 §7.1).
    public static let metaGroupLength = DiagnosticCode("meta-group-length")
    /// An element appears twice in a data set; the last one is kept (PS3.5 §7.1).
    public static let duplicateTag = DiagnosticCode("duplicate-tag")
    /// Elements not in ascending tag order; sorted (PS3.5 §7.1).
    public static let tagOrder = DiagnosticCode("tag-order")
    /// Trailing zero bytes after the last element (PS3.5 §7.1).
    public static let trailingBytes = DiagnosticCode("trailing-bytes")
    /// A VR that is not in PS3.5 Table 6.2-1: the value is kept as bytes (PS3.5 §6.2).
    public static let unknownVR = DiagnosticCode("unknown-vr")
    /// No valid VR in an Explicit VR data set: the VR is taken from the dictionary (PS3.5 §7.1.2).
    public static let vrMismatch = DiagnosticCode("vr-mismatch")
    /// An odd value length (PS3.5 §7.1.1 requires even).
    public static let oddLength = DiagnosticCode("odd-length")
    /// The file ends before a Sequence Delimitation Item (PS3.5 §7.5, §A.4).
    public static let missingDelimiter = DiagnosticCode("missing-delimiter")
    /// A sequence or item delimiter inside a defined-length sequence or item (PS3.5 §7.5).
    public static let strayDelimiter = DiagnosticCode("stray-delimiter")
    /// An item length that runs past the end of its sequence; the item is cut there (PS3.5 §7.5).
    public static let itemLength = DiagnosticCode("item-length")
    /// A Basic Offset Table whose length is not a multiple of 4 (PS3.5 §A.4).
    public static let badOffsetTable = DiagnosticCode("bad-offset-table")
    // A file named by a File-set record or a store row, checked by DICOMFileSet and DICOMStore.
    /// error: the referenced file is not a complete instance (a length runs past its end, Pixel Data cut short) (PS3.10 7.1).
    public static let fileIncomplete = DiagnosticCode("file-incomplete")
    /// error: the referenced file does not exist (PS3.3 F.2.1).
    public static let fileMissing = DiagnosticCode("file-missing")
    /// error: the referenced file cannot be read as DICOM (PS3.10 7.1).
    public static let fileUnreadable = DiagnosticCode("file-unreadable")
}
