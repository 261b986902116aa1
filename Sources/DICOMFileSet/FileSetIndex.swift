import DICOMCore
import DICOMIO

/// Maps from Patient ID, Study / Series Instance UID and SOP Instance UID to positions in a
/// ``FileSet``'s tree, so ``FileSet/insert(_:index:)`` is O(1) amortised. Build it once from the
/// File-set (``init(_:)``) and pass the same index to every insert; if the tree is changed by other
/// means the index notices a mismatch on use and rebuilds itself.
public struct FileSetIndex: Sendable {
    struct StudyPath: Sendable, Equatable { var patient: Int; var study: Int }
    struct SeriesPath: Sendable, Equatable { var patient: Int; var study: Int; var series: Int }

    /// Patient ID, Study and Series Instance UID -> the record's place (see ``KeyTable``).
    var patientTable = KeyTable<[UInt8], Int>()
    var studyTable = KeyTable<[UInt8], StudyPath>()
    var seriesTable = KeyTable<[UInt8], SeriesPath>()
    /// SOP Instance UID -> the record that references it (see ``InstanceTable``).
    var instances = InstanceTable()
    /// Conflicts already reported, so 20,000 instances of one patient give one warning.
    var reported: Set<String> = []
    /// Short values of the records inserted so far (record types, SOP Classes, transfer syntaxes, Image
    /// Types): an inserted record's equal values share their bytes instead of holding a copy each.
    var values: Set<[UInt8]> = []

    public init() {}

    /// Indexes every PATIENT, STUDY, SERIES and file-referencing record of the tree.
    public init(_ fileSet: FileSet) {
        for (p, patient) in fileSet.records.enumerated() {
            patient.forEach { r, _ in
                if let uid = Self.key(r, .referencedSOPInstanceUIDInFile), !uid.isEmpty, instances[uid] == nil {
                    instances.insert(uid, record: r)
                }
            }
            guard patient.type == .patient, let pid = Self.key(patient, .patientID) else { continue }
            add(patient: pid, at: p, in: fileSet)
            for (s, study) in patient.children.enumerated() where study.type == .study {
                guard let suid = Self.key(study, .studyInstanceUID), !suid.isEmpty else { continue }
                add(study: suid, at: StudyPath(patient: p, study: s), in: fileSet)
                for (e, ser) in study.children.enumerated() where ser.type == .series {
                    guard let euid = Self.key(ser, .seriesInstanceUID), !euid.isEmpty else { continue }
                    add(series: euid, at: SeriesPath(patient: p, study: s, series: e), in: fileSet)
                }
            }
        }
    }

    /// Replaces the short byte values of `keys` by equal ones already held (at most 4,096 values are kept).
    mutating func share(_ keys: inout DataSet) {
        keys.shareValues { b in
            guard b.count <= 64 else { return }
            if let i = values.firstIndex(of: b) { b = values[i] } else if values.count < 4096 { values.insert(b) }
        }
    }

    /// Room for `n` more instances, so the table is not grown (and held twice while it is) as they are inserted.
    public mutating func reserve(instances n: Int) { instances.reserve(n) }

    /// Number of instances (file-referencing records) indexed.
    public var instanceCount: Int { instances.count }
    public func contains(sopInstanceUID: String) -> Bool { instances[Array(sopInstanceUID.utf8)] != nil }
    /// The File ID of the record that references this SOP Instance UID.
    public func fileID(forSOPInstanceUID uid: String) -> FileID?? { instances[Array(uid.utf8)].map { Self.fileID($0.bytes) } }

    /// The File ID (0004,1500) in a record's encoded keys (PS3.3 F.3.2.2), nil when it has none.
    static func fileID(_ keys: [UInt8]) -> FileID? {
        guard let v = ElementStream.value(.referencedFileID, in: keys) else { return nil }
        return DirectoryRecord(keys: DataSet([DataElement(tag: .referencedFileID, vr: .CS, bytes: Array(v))]), offset: -1, inUse: true).referencedFileID
    }

    /// The value bytes of a record's key without padding, read without unpacking the record.
    static func key(_ r: DirectoryRecord, _ tag: Tag) -> [UInt8]? { r.value(tag).flatMap(unpadded) }

    /// The value bytes of a key without padding (leading and trailing spaces, trailing NULs).
    static func key(_ ds: DataSet, _ tag: Tag) -> [UInt8]? { ds[tag]?.bytes.flatMap(unpadded) }

    static func unpadded(_ b: [UInt8]) -> [UInt8]? {
        var lo = 0, hi = b.count
        while hi > lo && (b[hi - 1] == 0x20 || b[hi - 1] == 0) { hi -= 1 }
        while lo < hi && b[lo] == 0x20 { lo += 1 }
        return lo == 0 && hi == b.count ? b : Array(b[lo..<hi])  // unpadded: the value's own bytes, shared
    }

    /// The place of the PATIENT record with this Patient ID, of the STUDY and of the SERIES record with this UID.
    func patient(_ pid: [UInt8], in fs: FileSet) -> Int? { patientTable.find(pid) { Self.patientKey($0, in: fs) } }
    func study(_ suid: [UInt8], in fs: FileSet) -> StudyPath? { studyTable.find(suid) { Self.studyKey($0, in: fs) } }
    func series(_ euid: [UInt8], in fs: FileSet) -> SeriesPath? { seriesTable.find(euid) { Self.seriesKey($0, in: fs) } }
    /// Indexes a record just put at this place (the first place of a key is kept).
    mutating func add(patient pid: [UInt8], at p: Int, in fs: FileSet) { patientTable.add(pid, p) { Self.patientKey($0, in: fs) } }
    mutating func add(study suid: [UInt8], at s: StudyPath, in fs: FileSet) { studyTable.add(suid, s) { Self.studyKey($0, in: fs) } }
    mutating func add(series euid: [UInt8], at e: SeriesPath, in fs: FileSet) { seriesTable.add(euid, e) { Self.seriesKey($0, in: fs) } }

    /// The key of the record at a place, when one of the right type is there (no value: empty, as a built record's).
    static func patientKey(_ p: Int, in fs: FileSet) -> [UInt8]? {
        guard p < fs.records.count, fs.records[p].type == .patient else { return nil }
        return key(fs.records[p], .patientID) ?? []
    }
    static func studyKey(_ s: StudyPath, in fs: FileSet) -> [UInt8]? {
        guard s.patient < fs.records.count, s.study < fs.records[s.patient].children.count else { return nil }
        let r = fs.records[s.patient].children[s.study]
        return r.type == .study ? key(r, .studyInstanceUID) ?? [] : nil
    }
    static func seriesKey(_ e: SeriesPath, in fs: FileSet) -> [UInt8]? {
        guard e.patient < fs.records.count, e.study < fs.records[e.patient].children.count,
            e.series < fs.records[e.patient].children[e.study].children.count
        else { return nil }
        let r = fs.records[e.patient].children[e.study].children[e.series]
        return r.type == .series ? key(r, .seriesInstanceUID) ?? [] : nil
    }

    /// The places still hold records of the right type with the keys they were indexed under
    /// (the tree may have been edited without the index).
    func isValid(for fs: FileSet, pid: [UInt8], suid: [UInt8], euid: [UInt8]) -> Bool {
        !patientTable.isStale(pid) { Self.patientKey($0, in: fs) } && !studyTable.isStale(suid) { Self.studyKey($0, in: fs) }
            && !seriesTable.isStale(euid) { Self.seriesKey($0, in: fs) }
    }
}

/// Keys (a Patient ID, a Study or Series Instance UID, a path) -> a place (in the tree, in a list), by the key's
/// hash: the key is read back from what is at that place to confirm it, so no copy of any key is held (about 30
/// bytes per key). A key whose hash an earlier, different key has is kept whole.
struct KeyTable<Key: Hashable & Sendable, Place: Sendable & Equatable>: Sendable {
    private var byHash: [Int: Place] = [:]
    private var overflow: [Key: Place] = [:]
    /// The hash of a key (Swift's per-process seeded hash; a test can make every key collide).
    var hash: @Sendable (Key) -> Int = { $0.hashValue }

    /// Room for `n` more keys.
    mutating func reserve(_ n: Int) { byHash.reserveCapacity(byHash.count + n) }

    /// The place indexed for `key`; `keyAt` reads the key of what is at a place (nil: nothing there).
    func find(_ key: Key, keyAt: (Place) -> Key?) -> Place? {
        if !overflow.isEmpty, let p = overflow[key] { return p }
        if let p = byHash[hash(key)], keyAt(p) == key { return p }
        return nil
    }

    /// Indexes `place` for `key` unless the key is indexed.
    mutating func add(_ key: Key, _ place: Place, keyAt: (Place) -> Key?) {
        let h = hash(key)
        guard let held = byHash[h] else { byHash[h] = place; return }
        if keyAt(held) != key && overflow[key] == nil { overflow[key] = place }
    }

    /// The entry that `key` would use names a record without that key: the tree was edited without the index (or,
    /// once, a new key shares an indexed key's hash).
    func isStale(_ key: Key, keyAt: (Place) -> Key?) -> Bool {
        if !overflow.isEmpty, let p = overflow[key] { return keyAt(p) != key }
        if let p = byHash[hash(key)] { return keyAt(p) != key }
        return false
    }
}

/// SOP Instance UID -> the keys of the record that references it, as encoded by ``ElementStream``: a packed
/// record's own buffer or the place it spilled them (shared, so an indexed file costs a hash and a reference,
/// about 25 bytes), else a small encoding of its UID and File ID. Lookups compare the UID held in those keys, so a hash that two UIDs share
/// never mixes them up: the later one is kept by its bytes.
struct InstanceTable: Sendable {
    /// The UID's hash -> the keys of the first record indexed with it.
    private var byHash: [Int: EncodedKeys] = [:]
    /// UIDs whose hash an earlier, different UID already has, by their bytes.
    private var overflow: [[UInt8]: EncodedKeys] = [:]
    /// The hash of a UID (Swift's per-process seeded hash; a test can make every UID collide).
    var hash: @Sendable ([UInt8]) -> Int = { $0.hashValue }

    var count: Int { byHash.count + overflow.count }

    /// Room for `n` more UIDs.
    mutating func reserve(_ n: Int) { byHash.reserveCapacity(byHash.count + n) }

    /// The keys indexed for this (unpadded) UID.
    subscript(uid: [UInt8]) -> EncodedKeys? {
        guard let keys = byHash[hash(uid)] else { return nil }
        return Self.uid(in: keys.bytes) == uid ? keys : overflow[uid]
    }

    /// Indexes `record` under `uid` (unpadded) unless that UID is already indexed.
    mutating func insert(_ uid: [UInt8], record: DirectoryRecord) {
        let h = hash(uid)
        if let held = byHash[h] {
            if Self.uid(in: held.bytes) != uid && overflow[uid] == nil { overflow[uid] = Self.keys(of: record) }
        } else {
            byHash[h] = Self.keys(of: record)
        }
    }

    /// A packed record's buffer or spilled keys, else the encoding of its UID and File ID (PS3.3 F.3.2.2).
    static func keys(of record: DirectoryRecord) -> EncodedKeys {
        if let keys = record.encodedKeys { return keys }
        var elements = [DataElement(tag: .referencedSOPInstanceUIDInFile, vr: .UI, bytes: record.value(.referencedSOPInstanceUIDInFile) ?? [])]
        if let f = record.value(.referencedFileID) { elements.append(DataElement(tag: .referencedFileID, vr: .CS, bytes: f)) }
        return .memory(ElementStream.encode(DataSet(elements)))
    }

    /// The unpadded Referenced SOP Instance UID in File (0004,1511) of encoded keys, empty when absent.
    static func uid(in keys: [UInt8]) -> [UInt8] {
        ElementStream.value(.referencedSOPInstanceUIDInFile, in: keys).flatMap { FileSetIndex.unpadded(Array($0)) } ?? []
    }
}
