import DICOMCore

/// A File-set as described by its DICOMDIR (PS3.10 §8, PS3.3 §F.3).
public struct FileSet: Sendable {
    /// File-set ID (0004,1130), 0-16 characters (PS3.10 §8.5).
    public var fileSetID: String
    /// File-set UID: the DICOMDIR's Media Storage SOP Instance UID; never changes (PS3.10 §8.4).
    public var fileSetUID: String
    /// File-set Descriptor File ID (0004,1141) and its character set (0004,1142).
    public var descriptorFileID: FileID?
    public var descriptorCharacterSet: String?
    /// The root directory entity.
    public var records: [DirectoryRecord]
    /// Records that no offset chain reaches (kept so nothing is lost; reported as problems).
    public var orphans: [DirectoryRecord]
    /// Records marked inactive (In-use Flag 0000H, retired), with their lower-level records.
    public var inactive: [DirectoryRecord] = []
    /// The DICOMDIR's File Meta as read (kept for Source AE and private meta elements).
    public var fileMeta: DataSet
    /// Problems found while reading the DICOMDIR.
    public var problems: [FileSetProblem]
    /// Where ``insert(_:index:)`` moves the packed keys of the instance records it adds (``RecordSpill``), or nil
    /// to hold them in memory.
    public var recordSpill: RecordSpill?

    public init(fileSetID: String = "", fileSetUID: String = UID.make(), records: [DirectoryRecord] = []) {
        self.fileSetID = fileSetID; self.fileSetUID = fileSetUID; self.records = records
        orphans = []; fileMeta = DataSet(); problems = []
    }

    /// Every record in the tree (not the orphans), depth-first.
    public func allRecords() -> [(record: DirectoryRecord, depth: Int)] {
        var out: [(DirectoryRecord, Int)] = []
        for r in records { r.forEach { out.append(($0, $1)) } }
        return out
    }
    /// Every record in the tree, then every orphan subtree (records only their own links reach), depth-first.
    public func allRecords(includingOrphans: Bool) -> [(record: DirectoryRecord, depth: Int)] {
        var out = allRecords()
        if includingOrphans { for r in orphans { r.forEach { out.append(($0, $1)) } } }
        return out
    }
    /// Number of records in the tree.
    public var recordCount: Int { records.reduce(0) { $0 + $1.subtreeCount } }
}
