import DICOMCore

/// The directory records built from one instance header (``RecordBuilder/build(header:sopClassUID:sopInstanceUID:transferSyntaxUID:fileID:source:)``).
public struct BuiltRecords: Sendable {
    /// PATIENT, STUDY and SERIES keys, each including (0004,1430); they reference no file.
    public var patient: DataSet
    public var study: DataSet
    public var series: DataSet
    /// The instance record: its keys, (0004,1430) and the (0004,1500)-(0004,151A) file reference.
    public var instance: DirectoryRecord
    /// Warnings and errors found while building (invented keys, dropped icons, ...), `fileID` set.
    public var problems: [FileSetProblem]
    /// The record sits in the root directory entity (HANGING PROTOCOL, PALETTE, IMPLANT*, INVENTORY);
    /// `patient`, `study` and `series` are then empty and unused.
    public var isRootLevel: Bool
    /// Parent-level keys a later instance fills in when the existing record has no value (the
    /// "if any object under this record has a value" 1C keys of PS3.11 Table H.3-2).
    public var fillIfEmpty: [DirectoryRecordType: [Tag]]

    public var sopInstanceUID: String { instance.referencedSOPInstanceUID ?? "" }
    public var fileID: FileID? { instance.referencedFileID }
}
