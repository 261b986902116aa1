import DICOMCore

/// A DICOM file as read from disk: preamble, File Meta Information and data set (PS3.10 §7.1).
public struct DICOMFile: Sendable {
    /// The 128-byte preamble, or nil when the file had none.
    public var preamble: [UInt8]?
    /// Group 0002 elements (PS3.10 §7.1); empty when the file had no meta header.
    public var fileMeta: DataSet
    public var dataSet: DataSet
    /// The syntax the data set was actually decoded with.
    public var transferSyntax: TransferSyntax
    /// Problems tolerated while reading.
    public var diagnostics: [Diagnostic]
    /// File offset of the first data set byte.
    public var dataSetOffset: Int
    /// The read stopped before Pixel Data (header-only read).
    public var stoppedBeforePixelData: Bool

    public init(
        fileMeta: DataSet = DataSet(), dataSet: DataSet, transferSyntax: TransferSyntax = .explicitVRLittleEndian,
        preamble: [UInt8]? = nil
    ) {
        self.fileMeta = fileMeta; self.dataSet = dataSet; self.transferSyntax = transferSyntax; self.preamble = preamble
        diagnostics = []; dataSetOffset = 0; stoppedBeforePixelData = false
    }
}
