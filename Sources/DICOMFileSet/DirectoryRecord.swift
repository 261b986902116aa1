import DICOMCore

/// One directory record: its keys and its lower-level entity (PS3.3 §F.3.2.2).
public struct DirectoryRecord: Sendable, Equatable {
    /// Every element of the record item except the offsets and the In-use Flag, which the
    /// writer computes: the record type, the file reference and the record keys.
    public var keys: DataSet
    /// The lower-level directory entity, in sibling order.
    public var children: [DirectoryRecord]
    /// Record In-use Flag (0004,1410) was not 0000H (PS3.3 §F.3.2.2; 0000H is retired "inactive").
    public var inUse: Bool
    /// File offset of the record's item in the DICOMDIR it was read from, or -1.
    public var offset: Int

    public init(type: DirectoryRecordType, keys: DataSet = DataSet(), children: [DirectoryRecord] = []) {
        self.keys = keys; self.children = children; inUse = true; offset = -1
        self.keys.compact(reserving: keys.contains(.directoryRecordType) ? 0 : 1)  // held as long as the tree: no spare room
        self.type = type
    }
    init(keys: DataSet, offset: Int, inUse: Bool) {
        self.keys = keys; self.children = []; self.inUse = inUse; self.offset = offset
    }

    public var type: DirectoryRecordType {
        get { DirectoryRecordType(keys.string(.directoryRecordType) ?? "") }
        set { keys.setString(.directoryRecordType, .CS, newValue.rawValue) }
    }
    /// Referenced File ID (0004,1500), or nil when the record references no file.
    public var referencedFileID: FileID? {
        get { keys.strings(.referencedFileID).map(FileID.init) }
        set {
            if let f = newValue { keys.setString(.referencedFileID, .CS, f.components) } else { keys.remove(.referencedFileID) }
        }
    }
    public var referencedSOPClassUID: String? { keys.string(.referencedSOPClassUIDInFile) }
    public var referencedSOPInstanceUID: String? { keys.string(.referencedSOPInstanceUIDInFile) }
    public var referencedTransferSyntaxUID: String? { keys.string(.referencedTransferSyntaxUIDInFile) }

    /// Visits this record and its descendants depth-first, parents before children.
    public func forEach(depth: Int = 0, _ body: (DirectoryRecord, Int) throws -> Void) rethrows {
        try body(self, depth)
        for c in children { try c.forEach(depth: depth + 1, body) }
    }
    /// Number of records in this subtree.
    public var subtreeCount: Int { 1 + children.reduce(0) { $0 + $1.subtreeCount } }
}
