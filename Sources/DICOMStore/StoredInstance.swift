import DICOMCore
import GRDB

/// One stored instance: a row of the index (table `instance`). Patient, study and series keys are
/// denormalised into it, so a row is the unit of an atomic insert (see docs/ARCHITECTURE.md).
public struct StoredInstance: Codable, Sendable, Equatable, FetchableRecord, MutablePersistableRecord {
    public static let databaseTableName = "instance"
    public var id: Int64?
    public var sopInstanceUID: String
    public var sopClassUID: String
    public var transferSyntaxUID: String
    public var patientID: String
    public var patientName: String?
    public var patientBirthDate: String?
    public var patientSex: String?
    public var studyInstanceUID: String
    public var studyDate: String?
    public var studyDescription: String?
    public var accessionNumber: String?
    public var seriesInstanceUID: String
    public var modality: String?
    public var seriesNumber: Int?
    public var instanceNumber: Int?
    /// File size in bytes.
    public var size: Int
    /// SHA-256 of the stored file (lower-case hex); the file is `objects/<first two>/<sha256>.dcm`.
    public var sha256: String
    /// Path of the stored file relative to the store root.
    public var path: String
    /// A newer copy of a SOP Instance UID already stored with different content.
    public var conflict: Bool
    /// Provenance: "folder" or "iso", the medium's path, its File-set ID and UID, the File ID that named
    /// the file in the DICOMDIR (nil when found by scanning), and the path on the medium.
    public var sourceKind: String
    public var sourceLocation: String
    public var sourceFileSetID: String?
    public var sourceFileSetUID: String?
    public var sourceFileID: String?
    public var sourcePath: String
    /// Import time, UTC, ISO 8601.
    public var importedAt: String
    /// Series Description (0008,103E) and Body Part Examined (0018,0015); migration "v2-series-description-body-part".
    public var seriesDescription: String? = nil
    public var bodyPartExamined: String? = nil

    public mutating func didInsert(_ inserted: InsertionSuccess) { id = inserted.rowID }

    /// Where an instance came from.
    public struct Provenance: Sendable {
        public var kind: String
        public var location: String
        public var fileSetID: String?
        public var fileSetUID: String?
        public var fileID: String?
        public var path: String
        public init(kind: String, location: String, fileSetID: String? = nil, fileSetUID: String? = nil, fileID: String? = nil, path: String) {
            self.kind = kind; self.location = location; self.fileSetID = fileSetID; self.fileSetUID = fileSetUID
            self.fileID = fileID; self.path = path
        }
    }

    /// The row for a file's `bytes`, its (header) data set and identity; hashes the bytes.
    public init(
        dataSet ds: DataSet, sopClassUID: String, sopInstanceUID: String, transferSyntaxUID: String,
        bytes: [UInt8], provenance: Provenance, importedAt: String
    ) {
        func s(_ t: Tag) -> String? { ds.string(t).flatMap { $0.isEmpty ? nil : $0 } }
        let sha = SHA256Hasher.hex(of: bytes)
        self.init(
            id: nil, sopInstanceUID: sopInstanceUID, sopClassUID: sopClassUID, transferSyntaxUID: transferSyntaxUID,
            patientID: s(.patientID) ?? "", patientName: ds.personNames(.patientName)?.first?.description,
            patientBirthDate: s(Tag.patientBirthDate), patientSex: s(Tag.patientSex),
            studyInstanceUID: s(.studyInstanceUID) ?? "", studyDate: s(.studyDate), studyDescription: s(Tag.studyDescription),
            accessionNumber: s(Tag.accessionNumber), seriesInstanceUID: s(.seriesInstanceUID) ?? "", modality: s(.modality),
            seriesNumber: ds.integer(Tag.seriesNumber), instanceNumber: ds.integer(Tag.instanceNumber),
            size: bytes.count, sha256: sha, path: DICOMStore.objectPath(sha256: sha), conflict: false,
            sourceKind: provenance.kind, sourceLocation: provenance.location, sourceFileSetID: provenance.fileSetID,
            sourceFileSetUID: provenance.fileSetUID, sourceFileID: provenance.fileID, sourcePath: provenance.path,
            importedAt: importedAt)
        seriesDescription = s(.seriesDescription); bodyPartExamined = s(.bodyPartExamined)
    }

    init(
        id: Int64?, sopInstanceUID: String, sopClassUID: String, transferSyntaxUID: String, patientID: String,
        patientName: String?, patientBirthDate: String?, patientSex: String?, studyInstanceUID: String, studyDate: String?,
        studyDescription: String?, accessionNumber: String?, seriesInstanceUID: String, modality: String?, seriesNumber: Int?,
        instanceNumber: Int?, size: Int, sha256: String, path: String, conflict: Bool, sourceKind: String, sourceLocation: String,
        sourceFileSetID: String?, sourceFileSetUID: String?, sourceFileID: String?, sourcePath: String, importedAt: String
    ) {
        self.id = id; self.sopInstanceUID = sopInstanceUID; self.sopClassUID = sopClassUID; self.transferSyntaxUID = transferSyntaxUID
        self.patientID = patientID; self.patientName = patientName; self.patientBirthDate = patientBirthDate; self.patientSex = patientSex
        self.studyInstanceUID = studyInstanceUID; self.studyDate = studyDate; self.studyDescription = studyDescription
        self.accessionNumber = accessionNumber; self.seriesInstanceUID = seriesInstanceUID; self.modality = modality
        self.seriesNumber = seriesNumber; self.instanceNumber = instanceNumber; self.size = size; self.sha256 = sha256
        self.path = path; self.conflict = conflict; self.sourceKind = sourceKind; self.sourceLocation = sourceLocation
        self.sourceFileSetID = sourceFileSetID; self.sourceFileSetUID = sourceFileSetUID; self.sourceFileID = sourceFileID
        self.sourcePath = sourcePath; self.importedAt = importedAt
    }
}
