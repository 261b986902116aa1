import DICOMCore
import DICOMIO

/// One directory record: its keys and its lower-level entity (PS3.3 §F.3.2.2).
public struct DirectoryRecord: Sendable, Equatable {
    /// Every element of the record item except the offsets and the In-use Flag, which the
    /// writer computes: the record type, the file reference and the record keys.
    ///
    /// A packed record (``pack()``) holds them as their encoding and decodes them on each read;
    /// changing them unpacks the record.
    public var keys: DataSet {
        get {
            switch storage {
            case .packed(let bytes): Self.unpack(bytes)
            case .decoded(let keys): keys
            case .spilled(let spilled): Self.unpack(spilled.bytes)
            }
        }
        set { storage = .decoded(newValue) }
        _modify {
            var keys = self.keys
            storage = .packed([])  // the held keys let go, so `keys` is their only holder and changes in place
            defer { storage = .decoded(keys) }
            yield &keys
        }
    }
    /// The keys, packed, decoded or packed in a ``RecordSpill``: one reference each way, so a record is 32 bytes
    /// beside its keys.
    private enum Storage: Sendable {
        case packed([UInt8])
        indirect case decoded(DataSet)
        case spilled(SpilledKeys)
    }
    private var storage: Storage
    /// The keys while the record is not packed.
    private var stored: DataSet {
        if case .decoded(let keys) = storage { return keys }
        return DataSet()
    }
    /// The keys as one Explicit VR Little Endian element stream (``ElementStream``), or empty when not packed:
    /// one buffer of about the size the record has in a DICOMDIR, instead of an array of elements and a value each.
    /// A spilled record's are read back (``spill(into:)``).
    public var packed: [UInt8] {
        switch storage {
        case .packed(let bytes): bytes
        case .spilled(let spilled): spilled.bytes
        case .decoded: []
        }
    }
    /// The size of ``packed`` (0 when not packed), without reading a spilled record back.
    public var packedCount: Int {
        switch storage {
        case .packed(let bytes): bytes.count
        case .spilled(let spilled): spilled.count
        case .decoded: 0
        }
    }
    /// The packed keys as the index holds them: the record's own buffer, or where it spilled them.
    var encodedKeys: EncodedKeys? {
        switch storage {
        case .packed(let bytes): bytes.isEmpty ? nil : .memory(bytes)
        case .spilled(let spilled): .spilled(spilled)
        case .decoded: nil
        }
    }

    /// Moves the packed keys into `spill`, so the record holds only where they are (``RecordSpill``); returns
    /// whether they were moved. A record not packed, or a spill that failed, keeps its keys.
    @discardableResult
    public mutating func spill(into spill: RecordSpill) -> Bool {
        guard case .packed(let bytes) = storage, !bytes.isEmpty else { return false }
        guard let at = spill.append(bytes) else { return false }
        storage = .spilled(SpilledKeys(spill: spill, offset: at, count: bytes.count))
        return true
    }
    /// The lower-level directory entity, in sibling order.
    public var children: [DirectoryRecord]
    /// Record In-use Flag (0004,1410) was not 0000H (PS3.3 §F.3.2.2; 0000H is retired "inactive").
    public var inUse: Bool
    /// File offset of the record's item in the DICOMDIR it was read from, or -1.
    public var offset: Int

    public init(type: DirectoryRecordType, keys: DataSet = DataSet(), children: [DirectoryRecord] = []) {
        var keys = keys
        keys.compact(reserving: keys.contains(.directoryRecordType) ? 0 : 1)  // held as long as the tree: no spare room
        self.storage = .decoded(keys); self.children = children; inUse = true; offset = -1
        self.type = type
    }
    init(keys: DataSet, offset: Int, inUse: Bool) {
        self.storage = .decoded(keys); self.children = []; self.inUse = inUse; self.offset = offset
    }

    public static func == (a: DirectoryRecord, b: DirectoryRecord) -> Bool {
        guard a.inUse == b.inUse && a.offset == b.offset && a.children == b.children else { return false }
        let pa = a.packed, pb = b.packed
        return pa == pb && !pa.isEmpty || a.keys == b.keys
    }

    /// Holds the keys packed (see ``packed``) when they encode and decode to the same elements: values
    /// of even length (an odd one would come back padded) and at most 64 KiB, no sequence, no group length,
    /// no offset or In-use Flag, a character set that its own (0008,0005) gives. Returns whether the record is packed.
    @discardableResult
    public mutating func pack() -> Bool {
        guard case .decoded(let stored) = storage else { return true }  // packed, or spilled packed
        for e in stored {
            guard let b = e.bytes, b.count % 2 == 0, e.vr.isWellFormed, b.count <= 0xFFFE || e.vr.hasLongLength, !e.tag.isGroupLength,
                !(Self.writerTags ~= e.tag)
            else { return false }
        }
        if let terms = stored[.specificCharacterSet]?.bytes {
            let own = SpecificCharacterSet(terms: DataSet.splitValues(String(decoding: terms, as: UTF8.self), vr: .CS))
            guard own == stored.characterSet else { return false }
        } else if stored.characterSet != .default {
            return false
        }
        let bytes = ElementStream.encode(stored)
        // A buffer of exactly the encoding's size: the encoder's grew by doubling.
        if bytes.isEmpty { return true }  // no keys: nothing to pack
        storage = .packed(
            [UInt8](unsafeUninitializedCapacity: bytes.count) { buffer, count in
                count = buffer.initialize(from: bytes).1
            })
        return true
    }

    /// The tags the DICOMDIR writer sets: offsets and In-use Flag (PS3.3 F.3.2.2).
    static let writerTags = Tag.offsetOfTheNextDirectoryRecord...Tag.offsetOfReferencedLowerLevelDirectoryEntity

    static func unpack(_ bytes: [UInt8]) -> DataSet {
        do { return try ElementStream.decode(bytes) } catch {
            preconditionFailure("a packed directory record does not decode: \(error)")  // made by ElementStream.encode
        }
    }

    /// The value bytes of `tag` (padding kept), read from the packed keys without decoding them.
    public func value(_ tag: Tag) -> [UInt8]? {
        let packed = self.packed
        if packed.isEmpty { return stored[tag]?.bytes }
        return ElementStream.value(tag, in: packed).map(Array.init)
    }

    public var type: DirectoryRecordType {
        get { DirectoryRecordType(string(.directoryRecordType, .CS) ?? "") }
        set { keys.setString(.directoryRecordType, .CS, newValue.rawValue) }
    }
    /// Referenced File ID (0004,1500), or nil when the record references no file.
    public var referencedFileID: FileID? {
        get {
            if packedCount == 0 { return stored.strings(.referencedFileID).map(FileID.init) }
            return value(.referencedFileID).map { FileID(DataSet([DataElement(tag: .referencedFileID, vr: .CS, bytes: $0)]).strings(.referencedFileID) ?? []) }
        }
        set {
            if let f = newValue { keys.setString(.referencedFileID, .CS, f.components) } else { keys.remove(.referencedFileID) }
        }
    }
    public var referencedSOPClassUID: String? { string(.referencedSOPClassUIDInFile, .UI) }
    public var referencedSOPInstanceUID: String? { string(.referencedSOPInstanceUIDInFile, .UI) }
    public var referencedTransferSyntaxUID: String? { string(.referencedTransferSyntaxUIDInFile, .UI) }

    /// ``DICOMCore/DataSet/string(_:)`` of a key whose VR uses no character set, without unpacking the record.
    func string(_ tag: Tag, _ vr: VR) -> String? {
        if packedCount == 0 { return stored.string(tag) }
        return value(tag).map { DataSet([DataElement(tag: tag, vr: vr, bytes: $0)]).string(tag) ?? "" }
    }

    /// Visits this record and its descendants depth-first, parents before children.
    public func forEach(depth: Int = 0, _ body: (DirectoryRecord, Int) throws -> Void) rethrows {
        try body(self, depth)
        for c in children { try c.forEach(depth: depth + 1, body) }
    }
    /// Number of records in this subtree.
    public var subtreeCount: Int { 1 + children.reduce(0) { $0 + $1.subtreeCount } }
}

/// A packed record's keys where the index finds them: in memory, or spilled (``RecordSpill``).
enum EncodedKeys: Sendable {
    case memory([UInt8])
    case spilled(SpilledKeys)
    /// The keys as ``ElementStream`` encoded them (a spilled record's read back).
    var bytes: [UInt8] {
        switch self {
        case .memory(let bytes): bytes
        case .spilled(let spilled): spilled.bytes
        }
    }
}
