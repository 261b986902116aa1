import DICOMCore
import DICOMIO

/// Writes a DICOMDIR: records in depth-first order, offsets computed (PS3.3 §F.3.2.1, PS3.10 §7).
public enum DICOMDIRWriter {
    /// Encodes the File-set's DICOMDIR as a complete Part 10 file in Explicit VR Little Endian.
    public static func encode(_ fs: FileSet, sourceAETitle: String? = nil) throws -> [UInt8] {
        // Flatten depth-first: parents before children, siblings in order. A packed record's encoding is
        // used as it is (shared, not copied); the others are encoded, once to learn their size and once to write.
        struct Flat { var keys: DataSet; var packed: [UInt8]; var next: Int?; var lower: Int? }
        var flat: [Flat] = []
        flat.reserveCapacity(fs.recordCount)
        func add(_ list: [DirectoryRecord]) -> Int? {
            var first: Int?
            var previous: Int?
            for r in list {
                let i = flat.count
                flat.append(Flat(keys: r.packed.isEmpty ? r.keys : DataSet(), packed: r.packed, next: nil, lower: nil))
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

        // The item's elements: the keys with the offsets and In-use Flag in their tag order (PS3.3 F.3.2.2).
        func encoded(_ f: Flat, next: UInt32, lower: UInt32) -> [UInt8] {
            var d = f.keys
            d.setUInt32(.offsetOfTheNextDirectoryRecord, [next])
            d.setUInt16(.recordInUseFlag, [0xFFFF])
            d.setUInt32(.offsetOfReferencedLowerLevelDirectoryEntity, [lower])
            return ElementStream.encode(d)
        }
        /// Appends the item (its tag, length and elements) to `out`.
        func appendItem(_ f: Flat, next: UInt32, lower: UInt32, to out: inout [UInt8]) {
            guard !f.packed.isEmpty else {
                let item = encoded(f, next: next, lower: lower)
                out += [0xFE, 0xFF, 0x00, 0xE0] + le32bytes(UInt32(item.count))
                out += item
                return
            }
            let split = ElementStream.offset(before: .offsetOfTheNextDirectoryRecord, in: f.packed)
            out += [0xFE, 0xFF, 0x00, 0xE0] + le32bytes(UInt32(f.packed.count + packedOverhead))
            out += f.packed[..<split]
            out += [0x04, 0x00, 0x00, 0x14, 0x55, 0x4C, 0x04, 0x00] + le32bytes(next)
            out += [0x04, 0x00, 0x10, 0x14, 0x55, 0x53, 0x02, 0x00, 0xFF, 0xFF]
            out += [0x04, 0x00, 0x20, 0x14, 0x55, 0x4C, 0x04, 0x00] + le32bytes(lower)
            out += f.packed[split...]
        }
        // Each record's size with zero offsets (the offset elements have a fixed size).
        var sizes: [Int] = []
        sizes.reserveCapacity(flat.count)
        for f in flat { sizes.append((f.packed.isEmpty ? encoded(f, next: 0, lower: 0).count : f.packed.count + packedOverhead) + 8) }

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
            d.setString(.fileSetID, .CS, fs.fileSetID)
            if let desc = fs.descriptorFileID { d.setString(.fileSetDescriptorFileID, .CS, desc.components) }
            if let cs = fs.descriptorCharacterSet { d.setString(.specificCharacterSetOfFileSetDescriptorFile, .CS, cs) }
            d.setUInt32(.offsetOfTheFirstDirectoryRecordOfTheRootDirectoryEntity, [first])
            d.setUInt32(.offsetOfTheLastDirectoryRecordOfTheRootDirectoryEntity, [last])
            d.setUInt16(.fileSetConsistencyFlag, [0])
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
        guard pos <= Int(UInt32.max) else { throw FileSetError(.dicomdirTooLarge, "DICOMDIR would exceed 4 GiB: offsets do not fit in 32 bits") }

        var out = [UInt8](repeating: 0, count: 128) + Array("DICM".utf8) + metaBytes
        out.reserveCapacity(pos)
        out += headElements(first: firstRoot.map { UInt32(offsets[$0]) } ?? 0, last: lastRoot.map { UInt32(offsets[$0]) } ?? 0)
        out += [0x04, 0x00, 0x20, 0x12, 0x53, 0x51, 0x00, 0x00] + le32bytes(UInt32(totalItems))
        for (i, f) in flat.enumerated() {
            precondition(out.count == offsets[i], "DICOMDIR offset computation out of step")
            appendItem(f, next: f.next.map { UInt32(offsets[$0]) } ?? 0, lower: f.lower.map { UInt32(offsets[$0]) } ?? 0, to: &out)
        }
        return out
    }
}

/// The bytes the offsets and In-use Flag add to a packed record's keys: two UL and one US element (PS3.3 F.3.2.2).
private let packedOverhead = 12 + 10 + 12

func le32bytes(_ v: UInt32) -> [UInt8] { [UInt8(v & 0xFF), UInt8(v >> 8 & 0xFF), UInt8(v >> 16 & 0xFF), UInt8(v >> 24)] }
