import DICOMCore
import DICOMIO

/// Writes a DICOMDIR: records in depth-first order, offsets computed (PS3.3 §F.3.2.1, PS3.10 §7).
public enum DICOMDIRWriter {
    /// Encodes the File-set's DICOMDIR as a complete Part 10 file in Explicit VR Little Endian.
    public static func encode(_ fs: FileSet, sourceAETitle: String? = nil) throws -> [UInt8] {
        var out: [UInt8] = []
        try write(fs, sourceAETitle: sourceAETitle) { out.append(contentsOf: $0) }
        return out
    }

    /// Writes the File-set's DICOMDIR (as ``encode(_:sourceAETitle:)`` makes it) to `sink` in parts of about
    /// 64 KiB: the records are read from the tree as they are written, so no copy of the whole DICOMDIR is held,
    /// only two sizes per record. Nothing reaches `sink` when the DICOMDIR cannot be made (over 4 GiB).
    public static func write(_ fs: FileSet, sourceAETitle: String? = nil, to sink: (UnsafeRawBufferPointer) throws -> Void) throws {
        // The size of each record's item and of its whole subtree, in depth-first order (parents before children,
        // siblings in order): a record's first child follows its item, its next sibling follows its subtree.
        // An unpacked record (an icon's) is encoded here to learn its size and once more to be written, not a third time.
        var subtreeSizes: [Int] = [], itemSizes: [Int] = []
        subtreeSizes.reserveCapacity(fs.recordCount)
        itemSizes.reserveCapacity(fs.recordCount)
        func measure(_ r: DirectoryRecord) -> Int {
            let at = subtreeSizes.count
            subtreeSizes.append(0)
            itemSizes.append(itemSize(r))
            var size = itemSizes[at]
            for c in r.children { size += measure(c) }
            subtreeSizes[at] = size
            return size
        }
        var rootSizes: [Int] = []
        for r in fs.records { rootSizes.append(measure(r)) }

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
        let totalItems = rootSizes.reduce(0, +)
        let base = 132 + metaBytes.count + headElements(first: 0, last: 0).count + 12
        guard base + totalItems <= Int(UInt32.max) else {
            throw FileSetError(.dicomdirTooLarge, "DICOMDIR would exceed 4 GiB: offsets do not fit in 32 bits")
        }
        let first = fs.records.isEmpty ? 0 : UInt32(base), last = fs.records.isEmpty ? 0 : UInt32(base + totalItems - rootSizes.last!)

        var out = [UInt8](repeating: 0, count: 128) + Array("DICM".utf8) + metaBytes
        out.reserveCapacity(chunk + 1024)
        var written = 0
        func flush(_ force: Bool = false) throws {
            guard force || out.count >= chunk else { return }
            try out.withUnsafeBytes(sink)
            written += out.count
            out.removeAll(keepingCapacity: true)
        }
        out += headElements(first: first, last: last)
        out += [0x04, 0x00, 0x20, 0x12, 0x53, 0x51, 0x00, 0x00] + le32bytes(UInt32(totalItems))
        precondition(written + out.count == base, "DICOMDIR offset computation out of step")

        var position = base  // the offset of the next item
        var index = 0  // the next record's place in depth-first order
        func emit(_ list: [DirectoryRecord]) throws {
            for (k, r) in list.enumerated() {
                let start = position, subtree = subtreeSizes[index], item = itemSizes[index]
                index += 1
                let next = k + 1 < list.count ? UInt32(start + subtree) : 0
                let lower = r.children.isEmpty ? 0 : UInt32(start + item)
                appendItem(r, next: next, lower: lower, to: &out)
                position += item
                precondition(written + out.count == position, "DICOMDIR offset computation out of step")
                try flush()
                try emit(r.children)
            }
        }
        try emit(fs.records)
        try flush(true)
    }

    /// Bytes handed to the sink at a time.
    static let chunk = 64 * 1024

    /// The record's item size (tag, length and elements) with its offsets and In-use Flag (PS3.3 F.3.2.2).
    static func itemSize(_ r: DirectoryRecord) -> Int {
        let packed = r.packedCount  // a spilled record's size, without reading it back
        return (packed == 0 ? encoded(r.keys, next: 0, lower: 0).count : packed + packedOverhead) + 8
    }

    /// The item's elements: the keys with the offsets and In-use Flag in their tag order (PS3.3 F.3.2.2).
    static func encoded(_ keys: DataSet, next: UInt32, lower: UInt32) -> [UInt8] {
        var d = keys
        d.setUInt32(.offsetOfTheNextDirectoryRecord, [next])
        d.setUInt16(.recordInUseFlag, [0xFFFF])
        d.setUInt32(.offsetOfReferencedLowerLevelDirectoryEntity, [lower])
        return ElementStream.encode(d)
    }

    /// Appends the record's item (its tag, length and elements) to `out`; a packed record's encoding is used as it is.
    static func appendItem(_ r: DirectoryRecord, next: UInt32, lower: UInt32, to out: inout [UInt8]) {
        let packed = r.packed
        guard !packed.isEmpty else {
            let item = encoded(r.keys, next: next, lower: lower)
            out += [0xFE, 0xFF, 0x00, 0xE0] + le32bytes(UInt32(item.count))
            out += item
            return
        }
        let split = ElementStream.offset(before: .offsetOfTheNextDirectoryRecord, in: packed)
        out += [0xFE, 0xFF, 0x00, 0xE0] + le32bytes(UInt32(packed.count + packedOverhead))
        out += packed[..<split]
        out += [0x04, 0x00, 0x00, 0x14, 0x55, 0x4C, 0x04, 0x00] + le32bytes(next)
        out += [0x04, 0x00, 0x10, 0x14, 0x55, 0x53, 0x02, 0x00, 0xFF, 0xFF]
        out += [0x04, 0x00, 0x20, 0x14, 0x55, 0x4C, 0x04, 0x00] + le32bytes(lower)
        out += packed[split...]
    }
}

/// The bytes the offsets and In-use Flag add to a packed record's keys: two UL and one US element (PS3.3 F.3.2.2).
private let packedOverhead = 12 + 10 + 12

func le32bytes(_ v: UInt32) -> [UInt8] { [UInt8(v & 0xFF), UInt8(v >> 8 & 0xFF), UInt8(v >> 16 & 0xFF), UInt8(v >> 24)] }
