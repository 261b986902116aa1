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
    /// Patient ID, Study and Series Instance UID and Instance Number: the plan's order.
    public var sortKey: SortKey
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

/// The order of instances on a medium: patient, study, series, then Instance Number (0020,0013), an instance
/// without one first (PS3.3 C.7.6.1). Held inline in each ``SourceInstance``: no array per file.
public struct SortKey: Sendable, Comparable {
    public var patientID: String
    public var studyInstanceUID: String
    public var seriesInstanceUID: String
    public var instanceNumber: Int?

    public init(patientID: String, studyInstanceUID: String, seriesInstanceUID: String, instanceNumber: Int?) {
        self.patientID = patientID; self.studyInstanceUID = studyInstanceUID; self.seriesInstanceUID = seriesInstanceUID
        self.instanceNumber = instanceNumber
    }

    public static func < (a: SortKey, b: SortKey) -> Bool {
        if a.patientID != b.patientID { return a.patientID < b.patientID }
        if a.studyInstanceUID != b.studyInstanceUID { return a.studyInstanceUID < b.studyInstanceUID }
        if a.seriesInstanceUID != b.seriesInstanceUID { return a.seriesInstanceUID < b.seriesInstanceUID }
        switch (a.instanceNumber, b.instanceNumber) {
        case (let x?, let y?): return x < y
        case (nil, let y): return y != nil
        default: return false
        }
    }
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
