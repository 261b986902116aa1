import DICOMCore
import DICOMIO

/// Reads a DICOMDIR into a record tree by following its offsets (PS3.3 §F.3.2.1, PS3.10 §7),
/// tolerating the damage real media carry and reporting every problem as a value.
public enum DICOMDIRReader {
    /// Reads the DICOMDIR file at `path`.
    public static func read(path: String) throws -> FileSet {
        let file = try Part10Reader.read(path: path)
        return read(file)
    }

    public static func read(_ file: DICOMFile) -> FileSet {
        let ds = file.dataSet
        var fs = FileSet(fileSetID: ds.string(.fileSetIDTag) ?? "",
                         fileSetUID: file.fileMeta.string(.mediaStorageSOPInstanceUID) ?? "")
        fs.fileMeta = file.fileMeta
        fs.descriptorFileID = ds.strings(.fileSetDescriptorFileID).map(FileID.init)
        fs.descriptorCharacterSet = ds.string(.specificCharacterSetOfFileSetDescriptorFile)
        var problems: [FileSetProblem] = []
        func problem(_ sev: Diagnostic.Severity, _ code: DiagnosticCode, _ msg: String, rule: String, offset: Int? = nil) {
            problems.append(FileSetProblem(sev, code, msg, fileID: "DICOMDIR", rule: rule, offset: offset))
        }
        for d in file.diagnostics where d.severity >= .warning {
            problem(.warning, "dicomdir-encoding", d.message, rule: "PS3.10 7.1", offset: d.offset)
        }
        if file.fileMeta.isEmpty {
            problem(.error, "dicomdir-no-meta", "DICOMDIR has no File Meta Information", rule: "PS3.10 7.1")
        } else if let sc = file.fileMeta.string(.mediaStorageSOPClassUID), sc != UID.mediaStorageDirectoryStorage {
            problem(.error, "dicomdir-sop-class", "Media Storage SOP Class UID is \(sc), not Media Storage Directory Storage", rule: "PS3.10 7.1")
        }
        if file.transferSyntax.uid != TransferSyntax.explicitVRLittleEndian.uid {
            problem(.warning, "dicomdir-transfer-syntax", "DICOMDIR is encoded in \(file.transferSyntax.name); the standard requires Explicit VR Little Endian", rule: "PS3.10 8.6 / PS3.11")
        }
        if fs.fileSetUID.isEmpty { problem(.error, "no-fileset-uid", "no File-set UID (Media Storage SOP Instance UID)", rule: "PS3.10 8.4") }
        if let flag = ds.integer(.fileSetConsistencyFlagTag), flag != 0 {
            problem(.warning, "consistency-flag", "File-set Consistency Flag is \(String(flag, radix: 16)); 0000H is required", rule: "PS3.3 F.3.2.1")
        }

        let items = ds[.directoryRecordSequenceTag]?.items ?? []
        if ds[.directoryRecordSequenceTag] == nil {
            problem(.error, "no-record-sequence", "no Directory Record Sequence (0004,1220)", rule: "PS3.3 F.3.2.1")
        }
        // Item offsets: where each record starts. For DICOMDIRs read from a non-LE stream there are none.
        var indexByOffset: [Int: Int] = [:]
        for (i, item) in items.enumerated() where item.itemOffset >= 0 { indexByOffset[item.itemOffset] = i }

        func link(_ item: DataSet, _ tag: Tag) -> Int { item.integer(tag) ?? 0 }
        let rootOffset = ds.integer(.offsetOfFirstRootRecord) ?? 0
        let offsetsUsable = !items.isEmpty && rootOffset != 0 && indexByOffset[rootOffset] != nil
        var reached = Set<Int>()
        var inactive: [DirectoryRecord] = []

        /// Builds the entity starting at `offset`, following next-record links.
        /// `orphan`: an orphan chain that runs into records already listed stops there quietly (the
        /// orphan is reported on its own).
        func entity(from offset: Int, depth: Int, orphan: Bool = false) -> [DirectoryRecord] {
            var out: [DirectoryRecord] = []
            var next = offset
            while next != 0 {
                guard let idx = indexByOffset[next] else {
                    problem(.error, "offset-not-item", "an offset (\(next)) does not point at the start of a directory record item", rule: "PS3.3 F.3.2.1", offset: next)
                    break
                }
                if reached.contains(idx) && orphan && depth == 0 && next != offset { break }
                if reached.contains(idx) {
                    problem(.error, "record-loop", "record at offset \(next) is reached twice (a loop or a shared entity)", rule: "PS3.3 F.2.1", offset: next)
                    break
                }
                if depth > 64 {
                    problem(.error, "record-depth", "directory nested deeper than 64 levels", rule: "PS3.3 F.2.1", offset: next)
                    break
                }
                reached.insert(idx)
                let item = items[idx]
                var rec = makeRecord(item)
                let lower = link(item, .offsetOfLowerLevelEntity)
                if lower != 0 { rec.children = entity(from: lower, depth: depth + 1) }
                if rec.inUse { out.append(rec) } else {
                    inactive.append(rec)
                    problem(.warning, "inactive-record", "record of type \(rec.type) is marked inactive (In-use Flag 0000H, retired) and is ignored with its \(rec.subtreeCount - 1) lower-level record(s)", rule: "PS3.3 F.3.2.2", offset: item.itemOffset)
                }
                next = link(item, .offsetOfNextRecord)
            }
            return out
        }

        /// Heads of the chains no reached record links to, built by their own links (orphans),
        /// then records in cycles among themselves, one by one: every record any link reaches is kept.
        func unreachedEntities(report: Bool) -> [DirectoryRecord] {
            let unreached = items.indices.filter { !reached.contains($0) }
            guard !unreached.isEmpty else { return [] }
            var pointedAt = Set<Int>()
            for i in unreached {
                for t in [Tag.offsetOfLowerLevelEntity, .offsetOfNextRecord] {
                    if let j = indexByOffset[link(items[i], t)], !reached.contains(j), j != i { pointedAt.insert(j) }
                }
            }
            var out: [DirectoryRecord] = []
            for i in unreached where !pointedAt.contains(i) && !reached.contains(i) {
                let sub = entity(from: items[i].itemOffset, depth: 0, orphan: report)
                out += sub
                let count = sub.reduce(0) { $0 + $1.subtreeCount }
                let rec = makeRecord(items[i])
                if report {
                    problems.append(FileSetProblem(.error, "orphan-record", "record of type \(rec.type) and \(max(0, count - 1)) record(s) linked from it are not reachable from the root directory entity; listed by their own links",
                                                   fileID: rec.referencedFileID?.path, rule: "PS3.3 F.2.1", offset: items[i].itemOffset))
                }
            }
            // Unreached records in cycles among themselves (no head of their own): each cycle from its first record.
            for i in unreached where !reached.contains(i) {
                let rec = makeRecord(items[i])
                problems.append(FileSetProblem(.error, "orphan-record", "record of type \(rec.type) is not reachable from the root directory entity (its chain loops); listed by its own links",
                                               fileID: rec.referencedFileID?.path, rule: "PS3.3 F.2.1", offset: items[i].itemOffset))
                out += entity(from: items[i].itemOffset, depth: 0)
            }
            return out
        }
        /// Whether any record links to another record: then the links, not the record order, make the tree.
        let linksUsable = items.contains { item in
            [Tag.offsetOfLowerLevelEntity, .offsetOfNextRecord].contains { indexByOffset[link(item, $0)] != nil }
        }

        if offsetsUsable {
            fs.records = entity(from: rootOffset, depth: 0)
            let lastRoot = ds.integer(.offsetOfLastRootRecord) ?? 0
            if let last = fs.records.last, lastRoot != last.offset && lastRoot != 0 {
                problem(.warning, "last-root-offset", "Offset of the Last Directory Record of the Root Directory Entity (\(lastRoot)) is not the last root record (\(last.offset))", rule: "PS3.3 F.3.2.1", offset: lastRoot)
            }
            fs.orphans = unreachedEntities(report: true)
        } else if !items.isEmpty {
            let how = linksUsable ? "records listed by their own links" : "tree rebuilt from record order"
            problem(.error, rootOffset == 0 ? "no-root-offset" : "offset-not-item",
                    rootOffset == 0 ? "the root offset (0004,1200) is 0 or missing although there are \(items.count) records; \(how)"
                                    : "the root offset (0004,1200) does not point at a record; \(how)",
                    rule: "PS3.3 F.3.2.1", offset: rootOffset == 0 ? nil : rootOffset)
            if linksUsable {
                // Chains no record links to are the root entity (and any orphans): follow their own links.
                fs.records = unreachedEntities(report: false)
            } else {
                fs.records = rebuildFromOrder(items.map(makeRecord), problems: &problems)
            }
        }
        // Records the root entity may not hold (PS3.3 Table F.4-1): reported, still listed.
        for r in fs.records where !DirectoryRecordType.rootLevel.contains(r.type) && !DirectoryRecordType.retired.contains(r.type) {
            problems.append(FileSetProblem(.error, "root-record-type", "record of type '\(r.type)' in the root directory entity, where PS3.3 Table F.4-1 allows only \(DirectoryRecordType.rootLevel.map(\.rawValue).sorted().joined(separator: ", ")); listed with its lower-level records",
                                           fileID: r.referencedFileID?.path, rule: "PS3.3 F.4", offset: r.offset >= 0 ? r.offset : nil))
        }
        fs.inactive = inactive
        fs.problems = problems
        return fs
    }

    static func makeRecord(_ item: DataSet) -> DirectoryRecord {
        var keys = item
        keys.itemOffset = -1
        let flag = item.integer(.recordInUseFlagTag)
        for t in [Tag.offsetOfNextRecord, .recordInUseFlagTag, .offsetOfLowerLevelEntity] { keys.remove(t) }
        return DirectoryRecord(keys: keys, offset: item.itemOffset, inUse: flag != 0)
    }

    /// Rebuilds a tree from record order when offsets are unusable: each record becomes a child
    /// of the nearest preceding record one hierarchy level up (PATIENT > STUDY > SERIES > instance).
    static func rebuildFromOrder(_ flat: [DirectoryRecord], problems: inout [FileSetProblem]) -> [DirectoryRecord] {
        var roots: [DirectoryRecord] = []
        // Stack of open records by level, stored as index paths into `roots`.
        var open: [Int: [Int]] = [:]
        func insert(_ rec: DirectoryRecord, at path: [Int]) -> [Int] {
            if path.isEmpty { roots.append(rec); return [roots.count - 1] }
            func go(_ list: inout [DirectoryRecord], _ p: ArraySlice<Int>) -> Int {
                if p.isEmpty { list.append(rec); return list.count - 1 }
                return go(&list[p.first!].children, p.dropFirst())
            }
            let i = go(&roots, path[...])
            return path + [i]
        }
        for rec in flat where rec.inUse {
            let level = rec.type.level
            var parentPath: [Int] = []
            if level > 0 {
                if let p = open[level - 1] { parentPath = p } else {
                    problems.append(FileSetProblem(.error, "record-order-no-parent", "record of type \(rec.type) has no parent of the level above it in record order", fileID: rec.referencedFileID?.path, rule: "PS3.3 F.4", offset: rec.offset))
                }
            }
            let path = insert(rec, at: parentPath)
            open[level] = path
            for l in (level + 1)...4 { open[l] = nil }
        }
        return roots
    }
}

/// Writes a DICOMDIR: records in depth-first order, offsets computed (PS3.3 §F.3.2.1, PS3.10 §7).
public enum DICOMDIRWriter {
    /// Encodes the File-set's DICOMDIR as a complete Part 10 file in Explicit VR Little Endian.
    public static func encode(_ fs: FileSet, sourceAETitle: String? = nil) throws -> [UInt8] {
        // Flatten depth-first: parents before children, siblings in order.
        struct Flat { var keys: DataSet; var next: Int?; var lower: Int? }
        var flat: [Flat] = []
        flat.reserveCapacity(fs.recordCount)
        func add(_ list: [DirectoryRecord]) -> Int? {
            var first: Int?
            var previous: Int?
            for r in list {
                let i = flat.count
                flat.append(Flat(keys: r.keys, next: nil, lower: nil))
                if first == nil { first = i }
                if let p = previous { flat[p].next = i }
                previous = i
                flat[i].lower = add(r.children)
            }
            return first
        }
        let firstRoot = add(fs.records)
        var lastRoot: Int?
        if !fs.records.isEmpty, let f = firstRoot {
            var i = f
            while let n = flat[i].next { i = n }
            lastRoot = i
        }

        // Encode each record once with zero offsets to learn sizes (offset elements have fixed size).
        func itemDataSet(_ f: Flat, next: UInt32, lower: UInt32) -> DataSet {
            var d = f.keys
            d.setUInt32(.offsetOfNextRecord, [next])
            d.setUInt16(.recordInUseFlagTag, [0xFFFF])
            d.setUInt32(.offsetOfLowerLevelEntity, [lower])
            return d
        }
        var sizes: [Int] = []
        sizes.reserveCapacity(flat.count)
        for f in flat {
            var enc = DataSetEncoder(explicitVR: true, undefinedLengths: false)
            enc.encode(itemDataSet(f, next: 0, lower: 0))
            sizes.append(enc.out.count + 8)
        }

        var meta = DataSet()
        meta.setString(.mediaStorageSOPClassUID, .UI, UID.mediaStorageDirectoryStorage)
        meta.setString(.mediaStorageSOPInstanceUID, .UI, fs.fileSetUID)
        for e in fs.fileMeta where [0x0016, 0x0100, 0x0102].contains(e.tag.element) { meta.set(e) }
        var header = DataSet()
        header.setString(.sopClassUID, .UI, UID.mediaStorageDirectoryStorage)
        header.setString(.sopInstanceUID, .UI, fs.fileSetUID)
        let metaBytes = Part10Writer.encodeFileMeta(Part10Writer.makeFileMeta(for: header, existing: meta, options: WriteOptions(sourceAETitle: sourceAETitle)))

        func headElements(first: UInt32, last: UInt32) -> [UInt8] {
            var d = DataSet()
            d.setString(.fileSetIDTag, .CS, fs.fileSetID)
            if let desc = fs.descriptorFileID { d.setString(.fileSetDescriptorFileID, .CS, desc.components) }
            if let cs = fs.descriptorCharacterSet { d.setString(.specificCharacterSetOfFileSetDescriptorFile, .CS, cs) }
            d.setUInt32(.offsetOfFirstRootRecord, [first])
            d.setUInt32(.offsetOfLastRootRecord, [last])
            d.setUInt16(.fileSetConsistencyFlagTag, [0])
            var enc = DataSetEncoder(explicitVR: true, undefinedLengths: false)
            enc.encode(d)
            return enc.out
        }
        let totalItems = sizes.reduce(0, +)
        let base = 132 + metaBytes.count + headElements(first: 0, last: 0).count + 12
        var offsets: [Int] = []
        offsets.reserveCapacity(flat.count)
        var pos = base
        for s in sizes { offsets.append(pos); pos += s }
        guard pos <= Int(UInt32.max) else { throw DICOMWriteError("DICOMDIR would exceed 4 GiB: offsets do not fit in 32 bits") }

        var out = [UInt8](repeating: 0, count: 128) + Array("DICM".utf8) + metaBytes
        out.reserveCapacity(pos)
        out += headElements(first: firstRoot.map { UInt32(offsets[$0]) } ?? 0, last: lastRoot.map { UInt32(offsets[$0]) } ?? 0)
        out += [0x04, 0x00, 0x20, 0x12, 0x53, 0x51, 0x00, 0x00] + le32bytes(UInt32(totalItems))
        for (i, f) in flat.enumerated() {
            var enc = DataSetEncoder(explicitVR: true, undefinedLengths: false)
            enc.encode(itemDataSet(f, next: f.next.map { UInt32(offsets[$0]) } ?? 0, lower: f.lower.map { UInt32(offsets[$0]) } ?? 0))
            precondition(out.count == offsets[i], "DICOMDIR offset computation out of step")
            out += [0xFE, 0xFF, 0x00, 0xE0] + le32bytes(UInt32(enc.out.count))
            out += enc.out
        }
        return out
    }
}

func le32bytes(_ v: UInt32) -> [UInt8] { [UInt8(v & 0xFF), UInt8(v >> 8 & 0xFF), UInt8(v >> 16 & 0xFF), UInt8(v >> 24)] }
