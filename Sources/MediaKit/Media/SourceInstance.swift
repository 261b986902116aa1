import DICOMCore
import DICOMFileSet
import DICOMIO
import Dispatch
#if canImport(Glibc)
import Glibc
#endif

/// One DICOM instance found in the inputs, with the header summary the plan needs.
public struct SourceInstance: Sendable {
    /// Path of the file.
    public var path: String
    /// The data set up to Pixel Data (header-only read), less private, overlay and long binary
    /// elements; empty when the scan was asked not to keep headers (see ``InstanceScanner/loadHeader(_:)``).
    public var header: DataSet
    /// Patient ID, Study and Series Instance UID and Instance Number (zero-padded): the plan's order.
    public var sortKey: [String]
    public var fileMeta: DataSet
    public var transferSyntax: TransferSyntax
    public var sopClassUID: String
    public var sopInstanceUID: String
    /// Size in bytes.
    public var size: Int
    /// The file is a complete Part 10 file (preamble, DICM, File Meta) that can be copied as is.
    public var isPart10: Bool
    /// Reading problems tolerated.
    public var diagnostics: [Diagnostic]
    /// How the File Meta disagrees with the data set (``FileMetaCheck``); the data set's UIDs identify the instance.
    public var fileMetaMismatches: [String] = []
    /// The File Meta disagrees or lacks a UID the data set has: a copy written to a medium gets a rebuilt one.
    public var fileMetaNeedsRebuild = false
}

/// What the scan of the inputs found.
public struct SourceScan: Sendable {
    public var instances: [SourceInstance] = []
    /// Files that are not DICOM (viewers, autorun, web pages, ...): skipped and listed.
    public var notDICOM: [(path: String, reason: String)] = []
    /// DICOM files that could not be read.
    public var unreadable: [(path: String, reason: String)] = []
    /// Problems of the File-sets read through their DICOMDIR (missing files, ...).
    public var problems: [FileSetProblem] = []
}
