import DICOMCore
import DICOMIO

/// Reads a DICOMDIR into a record tree by following its offsets (PS3.3 §F.3.2.1, PS3.10 §7),
/// tolerating the damage real media carry and reporting every problem as a value.
public enum DICOMDIRReader {
    /// Reads the DICOMDIR file at `path`.
    public static func read(path: String) throws -> FileSet {
        read(try Part10Reader.read(path: path))
    }

    /// The File-set of a parsed DICOMDIR. Each record takes over its item's storage when the caller gives the
    /// file up (`read(consume file)`): the tree is not a second copy of the records beside the parsed items.
    /// With `collected`, the records an ``DirectoryRecordCollector`` made while the file was parsed are used
    /// when the parse left the Directory Record Sequence empty.
    public static func read(_ file: consuming DICOMFile, collected: DirectoryRecordCollector? = nil) -> FileSet {
        var ds = file.dataSet
        file.dataSet = DataSet()
        var fs = FileSet(
            fileSetID: ds.string(.fileSetID) ?? "",
            fileSetUID: file.fileMeta.string(.mediaStorageSOPInstanceUID) ?? "")
        fs.fileMeta = file.fileMeta
        fs.descriptorFileID = ds.strings(.fileSetDescriptorFileID).map(FileID.init)
        fs.descriptorCharacterSet = ds.string(.specificCharacterSetOfFileSetDescriptorFile)
        var problems: [FileSetProblem] = []
        func problem(_ sev: Diagnostic.Severity, _ code: DiagnosticCode, _ msg: String, rule: String, offset: Int? = nil) {
            problems.append(FileSetProblem(sev, code, msg, fileID: "DICOMDIR", rule: rule, offset: offset))
        }
        for d in file.diagnostics where d.severity >= .warning {
            problem(.warning, .dicomdirEncoding, d.message, rule: "PS3.10 7.1", offset: d.offset)
        }
        if file.fileMeta.isEmpty {
            problem(.error, .dicomdirNoMeta, "DICOMDIR has no File Meta Information", rule: "PS3.10 7.1")
        } else if let sc = file.fileMeta.string(.mediaStorageSOPClassUID), sc != UID.mediaStorageDirectoryStorage {
            problem(.error, .dicomdirSOPClass, "Media Storage SOP Class UID is \(sc), not Media Storage Directory Storage", rule: "PS3.10 7.1")
        }
        if file.transferSyntax.uid != TransferSyntax.explicitVRLittleEndian.uid {
            problem(
                .warning, .dicomdirTransferSyntax, "DICOMDIR is encoded in \(file.transferSyntax.name); the standard requires Explicit VR Little Endian",
                rule: "PS3.10 8.6 / PS3.11")
        }
        if fs.fileSetUID.isEmpty { problem(.error, .noFileSetUID, "no File-set UID (Media Storage SOP Instance UID)", rule: "PS3.10 8.4") }
        if let flag = ds.integer(.fileSetConsistencyFlag), flag != 0 {
            problem(.warning, .consistencyFlag, "File-set Consistency Flag is \(String(flag, radix: 16)); 0000H is required", rule: "PS3.3 F.3.2.1")
        }

        // The items are taken out of the data set, so each is held once and a record made from it keeps its storage.
        let hasSequence = ds[.directoryRecordSequence] != nil
        var items: [DataSet] = []
        if case .sequence(let list)? = ds.remove(.directoryRecordSequence)?.value { items = list }
        guard hasSequence else {
            problem(.error, .noRecordSequence, "no Directory Record Sequence (0004,1220)", rule: "PS3.3 F.3.2.1")
            fs.problems = problems
            return fs
        }
        // One record per item, in file order, with its links: made by the collector as the file was parsed, or
        // here from each item's own storage (the item is left empty).
        var records: [DirectoryRecord] = []
        var links: [Links] = []
        if let collected, items.isEmpty {
            (records, links) = collected.take()
        } else {
            records.reserveCapacity(items.count)
            links.reserveCapacity(items.count)
            for i in items.indices {
                var item = DataSet()
                swap(&item, &items[i])
                links.append(Links(item))
                records.append(makeRecord(item))
            }
            items = []
        }
        // Item offsets: where each record starts. For DICOMDIRs read from a non-LE stream there are none.
        var indexByOffset: [Int: Int] = [:]
        for (i, l) in links.enumerated() where l.offset >= 0 { indexByOffset[l.offset] = i }
        /// The record of item `i` (taken once: its place is left empty).
        func take(_ i: Int) -> DirectoryRecord {
            var r = DirectoryRecord(keys: DataSet(), offset: -1, inUse: true)
            swap(&r, &records[i])
            return r
        }
        let rootOffset = ds.integer(.offsetOfTheFirstDirectoryRecordOfTheRootDirectoryEntity) ?? 0
        let offsetsUsable = !records.isEmpty && rootOffset != 0 && indexByOffset[rootOffset] != nil
        var reached = ReachedSet(count: records.count)
        var inactive: [DirectoryRecord] = []

        /// Builds the entity starting at `offset`, following next-record links.
        /// `orphan`: an orphan chain that runs into records already listed stops there quietly (the
        /// orphan is reported on its own).
        func entity(from offset: Int, depth: Int, orphan: Bool = false) -> [DirectoryRecord] {
            var out: [DirectoryRecord] = []
            var next = offset
            while next != 0 {
                guard let idx = indexByOffset[next] else {
                    problem(
                        .error, .offsetNotItem, "an offset (\(next)) does not point at the start of a directory record item", rule: "PS3.3 F.3.2.1",
                        offset: next)
                    break
                }
                if reached.contains(idx) && orphan && depth == 0 && next != offset { break }
                if reached.contains(idx) {
                    problem(.error, .recordLoop, "record at offset \(next) is reached twice (a loop or a shared entity)", rule: "PS3.3 F.2.1", offset: next)
                    break
                }
                if depth > 64 {
                    problem(.error, .recordDepth, "directory nested deeper than 64 levels", rule: "PS3.3 F.2.1", offset: next)
                    break
                }
                reached.insert(idx)
                var rec = take(idx)
                let lower = links[idx].lower
                if lower != 0 { rec.children = entity(from: lower, depth: depth + 1) }
                if rec.inUse {
                    out.append(rec)
                } else {
                    inactive.append(rec)
                    problem(
                        .warning, .inactiveRecord,
                        "record of type \(rec.type) is marked inactive (In-use Flag 0000H, retired) and is ignored with its \(rec.subtreeCount - 1) lower-level record(s)",
                        rule: "PS3.3 F.3.2.2", offset: links[idx].offset)
                }
                next = links[idx].next
            }
            return out
        }

        /// Heads of the chains no reached record links to, built by their own links (orphans),
        /// then records in cycles among themselves, one by one: every record any link reaches is kept.
        func unreachedEntities(report: Bool) -> [DirectoryRecord] {
            let unreached = records.indices.filter { !reached.contains($0) }
            guard !unreached.isEmpty else { return [] }
            var pointedAt = Set<Int>()
            for i in unreached {
                for target in [links[i].lower, links[i].next] {
                    if let j = indexByOffset[target], !reached.contains(j), j != i { pointedAt.insert(j) }
                }
            }
            var out: [DirectoryRecord] = []
            for i in unreached where !pointedAt.contains(i) && !reached.contains(i) {
                let rec = records[i]  // named in the problem; the entity below takes it
                let sub = entity(from: links[i].offset, depth: 0, orphan: report)
                out += sub
                let count = sub.reduce(0) { $0 + $1.subtreeCount }
                if report {
                    problems.append(
                        FileSetProblem(
                            .error, .orphanRecord,
                            "record of type \(rec.type) and \(max(0, count - 1)) record(s) linked from it are not reachable from the root directory entity; listed by their own links",
                            fileID: rec.referencedFileID?.path, rule: "PS3.3 F.2.1", offset: links[i].offset))
                }
            }
            // Unreached records in cycles among themselves (no head of their own): each cycle from its first record.
            for i in unreached where !reached.contains(i) {
                let rec = records[i]
                problems.append(
                    FileSetProblem(
                        .error, .orphanRecord,
                        "record of type \(rec.type) is not reachable from the root directory entity (its chain loops); listed by its own links",
                        fileID: rec.referencedFileID?.path, rule: "PS3.3 F.2.1", offset: links[i].offset))
                out += entity(from: links[i].offset, depth: 0)
            }
            return out
        }
        /// Whether any record links to another record: then the links, not the record order, make the tree.
        let linksUsable = links.contains { indexByOffset[$0.lower] != nil || indexByOffset[$0.next] != nil }

        if offsetsUsable {
            fs.records = entity(from: rootOffset, depth: 0)
            let lastRoot = ds.integer(.offsetOfTheLastDirectoryRecordOfTheRootDirectoryEntity) ?? 0
            if let last = fs.records.last, lastRoot != last.offset && lastRoot != 0 {
                problem(
                    .warning, .lastRootOffset,
                    "Offset of the Last Directory Record of the Root Directory Entity (\(lastRoot)) is not the last root record (\(last.offset))",
                    rule: "PS3.3 F.3.2.1", offset: lastRoot)
            }
            fs.orphans = unreachedEntities(report: true)
        } else if !records.isEmpty {
            let how = linksUsable ? "records listed by their own links" : "tree rebuilt from record order"
            problem(
                .error, rootOffset == 0 ? .noRootOffset : .offsetNotItem,
                rootOffset == 0
                    ? "the root offset (0004,1200) is 0 or missing although there are \(records.count) records; \(how)"
                    : "the root offset (0004,1200) does not point at a record; \(how)",
                rule: "PS3.3 F.3.2.1", offset: rootOffset == 0 ? nil : rootOffset)
            if linksUsable {
                // Chains no record links to are the root entity (and any orphans): follow their own links.
                fs.records = unreachedEntities(report: false)
            } else {
                fs.records = rebuildFromOrder(records.indices.map(take), problems: &problems)
            }
        }
        // Records the root entity may not hold (PS3.3 Table F.4-1): reported, still listed.
        for r in fs.records where !DirectoryRecordType.rootLevel.contains(r.type) && !DirectoryRecordType.retired.contains(r.type) {
            problems.append(
                FileSetProblem(
                    .error, .rootRecordType,
                    "record of type '\(r.type)' in the root directory entity, where PS3.3 Table F.4-1 allows only \(DirectoryRecordType.rootLevel.map(\.rawValue).sorted().joined(separator: ", ")); listed with its lower-level records",
                    fileID: r.referencedFileID?.path, rule: "PS3.3 F.4", offset: r.offset >= 0 ? r.offset : nil))
        }
        fs.inactive = inactive
        fs.problems = problems
        return fs
    }

    /// The elements of a record item that link records into a tree (PS3.3 F.3.2.2): followed, not kept as keys.
    public static let linkTags: Set<Tag> = [.offsetOfTheNextDirectoryRecord, .recordInUseFlag, .offsetOfReferencedLowerLevelDirectoryEntity]

    /// Where a record item links to (PS3.3 F.3.2.2) and where it starts in the file (-1 when unknown).
    struct Links {
        /// The UL offsets (PS3.3 F.3.2.2), 32 bits as in the file: 16 bytes a record with the item's offset.
        private let nextOffset: UInt32
        private let lowerOffset: UInt32
        let offset: Int
        var next: Int { Int(nextOffset) }
        var lower: Int { Int(lowerOffset) }

        init(_ item: DataSet) {
            nextOffset = Self.offset(link(item, .offsetOfTheNextDirectoryRecord))
            lowerOffset = Self.offset(link(item, .offsetOfReferencedLowerLevelDirectoryEntity))
            offset = item.itemOffset
        }
        /// A value no UL holds (a wrong VR) becomes an offset no item has, so it is still reported as one.
        static func offset(_ v: Int) -> UInt32 { UInt32(exactly: v) ?? .max }
    }

    /// The records (by their place in file order) that a link reached: one bit each.
    struct ReachedSet {
        private var bits: [UInt64]
        init(count: Int) { bits = Array(repeating: 0, count: (count + 63) / 64) }
        func contains(_ i: Int) -> Bool { bits[i >> 6] & (1 << UInt64(i & 63)) != 0 }
        mutating func insert(_ i: Int) { bits[i >> 6] |= 1 << UInt64(i & 63) }
    }

    static func link(_ item: DataSet, _ tag: Tag) -> Int { item.integer(tag) ?? 0 }

    static func makeRecord(_ item: consuming DataSet) -> DirectoryRecord {
        let offset = item.itemOffset
        let flag = item.integer(.recordInUseFlag)
        item.itemOffset = -1
        item.removeAll { linkTags.contains($0.tag) }
        item.compact()  // held for the whole run: no room left from parsing or from the links removed
        return DirectoryRecord(keys: item, offset: offset, inUse: flag != 0)
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
                if let p = open[level - 1] {
                    parentPath = p
                } else {
                    problems.append(
                        FileSetProblem(
                            .error, .recordOrderNoParent, "record of type \(rec.type) has no parent of the level above it in record order",
                            fileID: rec.referencedFileID?.path, rule: "PS3.3 F.4", offset: rec.offset))
                }
            }
            let path = insert(rec, at: parentPath)
            open[level] = path
            for l in (level + 1)...4 { open[l] = nil }
        }
        return roots
    }
}
