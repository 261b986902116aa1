import DICOMCore

/// Tags of the Basic Directory IOD (PS3.3 §F.3).
public extension Tag {
    static let fileSetIDTag = Tag(0x0004, 0x1130)
    static let fileSetDescriptorFileID = Tag(0x0004, 0x1141)
    static let specificCharacterSetOfFileSetDescriptorFile = Tag(0x0004, 0x1142)
    static let offsetOfFirstRootRecord = Tag(0x0004, 0x1200)
    static let offsetOfLastRootRecord = Tag(0x0004, 0x1202)
    static let fileSetConsistencyFlagTag = Tag(0x0004, 0x1212)
    static let directoryRecordSequenceTag = Tag(0x0004, 0x1220)
    static let offsetOfNextRecord = Tag(0x0004, 0x1400)
    static let recordInUseFlagTag = Tag(0x0004, 0x1410)
    static let offsetOfLowerLevelEntity = Tag(0x0004, 0x1420)
    static let directoryRecordTypeTag = Tag(0x0004, 0x1430)
    static let privateRecordUIDTag = Tag(0x0004, 0x1432)
    static let referencedFileIDTag = Tag(0x0004, 0x1500)
    static let referencedSOPClassUIDInFileTag = Tag(0x0004, 0x1510)
    static let referencedSOPInstanceUIDInFileTag = Tag(0x0004, 0x1511)
    static let referencedTransferSyntaxUIDInFileTag = Tag(0x0004, 0x1512)
    static let referencedRelatedGeneralSOPClassUIDInFileTag = Tag(0x0004, 0x151A)
}

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
        self.type = type
    }
    init(keys: DataSet, offset: Int, inUse: Bool) {
        self.keys = keys; self.children = []; self.inUse = inUse; self.offset = offset
    }

    public var type: DirectoryRecordType {
        get { DirectoryRecordType(keys.string(.directoryRecordTypeTag) ?? "") }
        set { keys.setString(.directoryRecordTypeTag, .CS, newValue.rawValue) }
    }
    /// Referenced File ID (0004,1500), or nil when the record references no file.
    public var referencedFileID: FileID? {
        get { keys.strings(.referencedFileIDTag).map(FileID.init) }
        set {
            if let f = newValue { keys.setString(.referencedFileIDTag, .CS, f.components) } else { keys.remove(.referencedFileIDTag) }
        }
    }
    public var referencedSOPClassUID: String? { keys.string(.referencedSOPClassUIDInFileTag) }
    public var referencedSOPInstanceUID: String? { keys.string(.referencedSOPInstanceUIDInFileTag) }
    public var referencedTransferSyntaxUID: String? { keys.string(.referencedTransferSyntaxUIDInFileTag) }

    /// Visits this record and its descendants depth-first, parents before children.
    public func forEach(depth: Int = 0, _ body: (DirectoryRecord, Int) throws -> Void) rethrows {
        try body(self, depth)
        for c in children { try c.forEach(depth: depth + 1, body) }
    }
    /// Number of records in this subtree.
    public var subtreeCount: Int { 1 + children.reduce(0) { $0 + $1.subtreeCount } }
}

/// A problem in a File-set: severity, stable code, the File ID concerned and the rule broken.
public struct FileSetProblem: Sendable, Equatable, CustomStringConvertible {
    public var severity: Diagnostic.Severity
    /// Stable identifier for scripts and tests, e.g. "offset-not-item".
    public var code: DiagnosticCode
    public var message: String
    /// The File ID the problem is about, when there is one.
    public var fileID: String?
    /// The rule, e.g. "PS3.3 F.4".
    public var rule: String
    /// Byte offset in the DICOMDIR, when the problem is in it.
    public var offset: Int?
    /// The input the problem was found in (an input File-set's DICOMDIR, a medium), when it is not the output.
    public var source: String?

    public init(_ severity: Diagnostic.Severity, _ code: DiagnosticCode, _ message: String, fileID: String? = nil, rule: String, offset: Int? = nil, source: String? = nil) {
        self.severity = severity; self.code = code; self.message = message; self.fileID = fileID; self.rule = rule; self.offset = offset
        self.source = source
    }
    /// The same problem, found in the input `source`.
    public func from(_ source: String) -> FileSetProblem { var p = self; p.source = source; return p }
    public var description: String {
        var s = "\(severity.rawValue) [\(code)]"
        if let f = fileID { s += " \(f):" }
        s += " \(message) (\(rule))"
        if let o = offset { s += " at DICOMDIR offset \(o)" }
        return s
    }
    public var json: JSON {
        var o: [(String, JSON)] = [("severity", .string(severity.rawValue)), ("code", .string(code.rawValue)), ("message", .string(message))]
        o.append(("fileID", fileID.map { .string($0) } ?? .null))
        o.append(("rule", .string(rule)))
        if let off = offset { o.append(("offset", .int(Int64(off)))) }
        if let src = source { o.append(("source", .string(src))) }
        return .object(o)
    }
}

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
