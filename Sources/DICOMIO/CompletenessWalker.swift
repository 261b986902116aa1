import DICOMCore
import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Walks element and item headers with positional reads, skipping values (the completeness check).
struct Walker {
    enum Input { case file(Int32), memory([UInt8]) }
    let input: Input
    let size: Int
    let path: String?
    let syntax: TransferSyntax
    let options: ReadOptions
    /// The encoding in force (Implicit VR Little Endian inside a UN sequence, PS3.5 §6.2.2).
    var explicitVR: Bool, bigEndian: Bool
    var encapsulated: Bool { syntax.isEncapsulated }
    /// A window of the file: header reads come from it.
    var window: [UInt8] = []
    var windowStart = 0
    /// Where the file starts in the descriptor (a region of a larger file, e.g. an image's extent).
    var origin = 0
    // The top-level image description, as met before Pixel Data.
    var rows: Int?, columns: Int?, samples: Int?, bitsAllocated: Int?, framesText: String?, photometric: String?
    var items = 0

    init(input: Input, size: Int, path: String?, syntax: TransferSyntax, options: ReadOptions) {
        self.input = input; self.size = size; self.path = path; self.syntax = syntax; self.options = options
        explicitVR = syntax.isExplicitVR; bigEndian = syntax.byteOrder == .bigEndian
    }

    func incomplete(_ msg: String, _ offset: Int, _ tag: Tag?) -> DICOMIOError {
        DICOMIOError(.incomplete, msg, path: path, offset: offset, tag: tag)
    }

    /// `count` bytes at `offset` (the caller checked they are inside the file).
    mutating func bytes(_ offset: Int, _ count: Int) -> ArraySlice<UInt8> {
        switch input {
        case .memory(let b): return b[offset..<(offset + count)]
        case .file(let fd):
            if offset >= windowStart && offset + count <= windowStart + window.count {
                return window[(offset - windowStart)..<(offset - windowStart + count)]
            }
            let want = min(max(count, 64 * 1024), size - offset)
            window = [UInt8](unsafeUninitializedCapacity: want) { buf, initialized in
                var got = 0
                while got < want {
                    let n = pread(fd, buf.baseAddress! + got, want - got, off_t(origin + offset + got))
                    if n < 0 && errno == EINTR { continue }
                    if n <= 0 { break }
                    got += n
                }
                initialized = got
            }
            windowStart = offset
            let n = min(count, window.count)
            if n < count { window += [UInt8](repeating: 0, count: count - n) }  // the file shrank under us: read as zeros
            return window[0..<count]
        }
    }

    mutating func u16(_ p: Int) -> UInt16 {
        let b = bytes(p, 2), i = b.startIndex
        return bigEndian ? UInt16(b[i]) << 8 | UInt16(b[i + 1]) : UInt16(b[i]) | UInt16(b[i + 1]) << 8
    }
    mutating func u32(_ p: Int) -> UInt32 {
        let b = bytes(p, 4), i = b.startIndex
        return bigEndian
            ? UInt32(b[i]) << 24 | UInt32(b[i + 1]) << 16 | UInt32(b[i + 2]) << 8 | UInt32(b[i + 3])
            : UInt32(b[i]) | UInt32(b[i + 1]) << 8 | UInt32(b[i + 2]) << 16 | UInt32(b[i + 3]) << 24
    }

    mutating func run(from start: Int) throws {
        var pos = start
        _ = try elements(at: &pos, end: nil, depth: 0)
    }

    /// Element headers until `end`, an Item Delimitation Item (returns true) or the end of the file.
    mutating func elements(at pos: inout Int, end: Int?, depth: Int) throws -> Bool {
        while true {
            if let end, pos >= end {
                if pos > end { throw incomplete("element runs past the end of its item (item ends at \(end))", pos, nil) }
                return false
            }
            if pos >= size { return false }
            if size - pos < 8 {
                if end == nil && depth == 0 && bytes(pos, size - pos).allSatisfy({ $0 == 0 }) { return false }
                throw incomplete("file ends inside an element header (\(size - pos) byte(s) left)", pos, nil)
            }
            let tag = Tag(u16(pos), u16(pos + 2))
            if tag == .itemDelimitationItem { pos += 8; return true }
            if tag == .sequenceDelimitationItem || tag == .item {
                throw DICOMIOError(
                    .malformed, "unexpected \(tag == .item ? "item" : "sequence delimiter") tag among data elements", path: path, offset: pos, tag: tag)
            }
            try element(at: &pos, depth: depth, tag: tag)
        }
    }

    /// One element at `pos` (header checked to be in the file): its value skipped, or its items walked.
    mutating func element(at pos: inout Int, depth: Int, tag: Tag) throws {
        let start = pos
        var vr: VR?
        var length: UInt32
        if explicitVR {
            let b = bytes(pos + 4, 2)
            let candidate = VR(bytes: b[b.startIndex], b[b.startIndex + 1])
            if candidate.isWellFormed {
                vr = candidate
                if candidate.hasLongLength {
                    guard size - pos >= 12 else { throw incomplete("file ends inside the header of \(tag)", pos, tag) }
                    length = u32(pos + 8); pos += 12
                } else {
                    length = UInt32(u16(pos + 6)); pos += 8
                }
            } else {
                length = u32(pos + 4); pos += 8
            }
        } else {
            length = u32(pos + 4); pos += 8
        }
        let isPixel = depth == 0 && (tag == .pixelData || tag == .floatPixelData || tag == .doubleFloatPixelData)
        if length == 0xFFFF_FFFF {
            if vr == .SQ || vr == .UN || (vr == nil && tag != .pixelData) {
                // UN of undefined length is an Implicit VR Little Endian sequence (PS3.5 §6.2.2).
                let saved = (explicitVR, bigEndian)
                if vr == .UN { explicitVR = false; bigEndian = false }
                defer { (explicitVR, bigEndian) = saved }
                try itemsOf(tag, at: &pos, end: nil, depth: depth + 1)
                return
            }
            if tag == .pixelData || vr == .OB || vr == .OW {
                try fragments(tag, at: &pos, start: start, pixel: isPixel)
                return
            }
            throw DICOMIOError(.malformed, "undefined length on a \(vr?.code ?? "??") element", path: path, offset: start, tag: tag)
        }
        let len = Int(length)
        guard len <= size - pos else {
            if isPixel { throw incomplete("file ends inside Pixel Data (length \(len), \(size - pos) byte(s) left)", start, tag) }
            throw incomplete("file ends inside the value (length \(len), \(size - pos) byte(s) left)", start, tag)
        }
        if vr == .SQ {
            let valueEnd = pos + len
            try itemsOf(tag, at: &pos, end: valueEnd, depth: depth + 1)
            pos = max(pos, valueEnd)
            return
        }
        if depth == 0 && tag.group == 0x0028 && len <= 64 {
            // The value with spaces and NULs trimmed at both ends (bytes that never occur inside a UTF-8 sequence).
            func text() -> String {
                let v = bytes(pos, len)
                var lo = v.startIndex, hi = v.endIndex
                while lo < hi && (v[lo] == 0x20 || v[lo] == 0) { lo += 1 }
                while hi > lo && (v[hi - 1] == 0x20 || v[hi - 1] == 0) { hi -= 1 }
                return String(decoding: v[lo..<hi], as: UTF8.self)
            }
            func us() -> Int? { len >= 2 ? Int(u16(pos)) : nil }
            switch tag {
            case .rows: rows = us()
            case .columns: columns = us()
            case .samplesPerPixel: samples = us()
            case .bitsAllocated: bitsAllocated = us()
            case .numberOfFrames: framesText = text()
            case .photometricInterpretation: photometric = text()
            default: break
            }
        }
        if isPixel && !encapsulated {
            try checkNative(tag, length: len, at: start)
        }
        pos += len
    }

    /// Native Pixel Data must hold the whole image description (PS3.5 §8.1.1).
    func checkNative(_ tag: Tag, length: Int, at start: Int) throws {
        guard let rows, let columns, var bits = bitsAllocated else { return }
        if tag == .floatPixelData { bits = 32 } else if tag == .doubleFloatPixelData { bits = 64 }
        let frames = try Completeness.frames(framesText, path: path, offset: start)
        let want = try Completeness.nativePixelDataSize(
            rows: rows, columns: columns, samplesPerPixel: samples ?? 1, bitsAllocated: bits,
            frames: frames, photometric: photometric, path: path, offset: start, tag: tag)
        if length < want {
            throw incomplete(
                "native Pixel Data has \(length) bytes; Rows \(rows) x Columns \(columns) x Samples \(samples ?? 1) x Bits Allocated \(bits) x Frames \(frames) needs \(want)",
                start, tag)
        }
    }

    /// A file that ends right after a fragment lacks only the delimiter when it has a fragment per frame
    /// and its last fragment is a whole frame: RLE has one fragment per frame (PS3.5 §G.2); a JPEG
    /// family stream ends with its EOI/EOC marker FFD9 (ISO 10918-1 B.2.1, ISO 15444-1 A.3.2, ISO 14495-1).
    mutating func lastFrameWhole(fragments count: Int, lastFragment: (offset: Int, length: Int)) throws -> Bool {
        guard encapsulated, count >= 1, count >= (try Completeness.frames(framesText, path: path, offset: nil)) else { return false }
        if syntax.uid == "1.2.840.10008.1.2.5" { return true }
        guard syntax.uid.hasPrefix("1.2.840.10008.1.2.4."), lastFragment.length >= 2 else { return false }
        let tailCount = min(lastFragment.length, 3)
        var tail = Array(bytes(lastFragment.offset + lastFragment.length - tailCount, tailCount))
        if tail.last == 0 { tail.removeLast() }
        return tail.count >= 2 && tail[tail.count - 2] == 0xFF && tail[tail.count - 1] == 0xD9
    }

    /// The length of the item whose header is at `pos`, or nil at a Sequence Delimitation Item (then
    /// passed); anything else is `malformed` (tagged `tag`, or the tag found when nil) (PS3.5 §7.5).
    mutating func nextItem(at pos: inout Int, expected: String, tag: Tag?) throws -> UInt32? {
        let found = Tag(u16(pos), u16(pos + 2))
        if found == .sequenceDelimitationItem { pos += 8; return nil }
        guard found == .item else {
            throw DICOMIOError(.malformed, "expected \(expected), found \(found)", path: path, offset: pos, tag: tag ?? found)
        }
        return u32(pos + 4)
    }

    /// Items of a sequence until `end` or its Sequence Delimitation Item (PS3.5 §7.5).
    mutating func itemsOf(_ seqTag: Tag, at pos: inout Int, end: Int?, depth: Int) throws {
        if depth > options.maxDepth {
            throw DICOMIOError(.tooDeep, "sequences nested deeper than \(options.maxDepth) levels", path: path, offset: pos, tag: seqTag)
        }
        while true {
            if let end, pos >= end { return }
            guard size - pos >= 8 else {
                if end == nil && pos >= size { throw incomplete("file ends before the Sequence Delimitation Item of \(seqTag)", pos, seqTag) }
                throw incomplete("file ends inside sequence \(seqTag)", pos, seqTag)
            }
            guard let len = try nextItem(at: &pos, expected: "an item (FFFE,E000) in sequence \(seqTag)", tag: nil) else { return }
            items += 1
            if items > options.maxItems {
                throw DICOMIOError(.tooLarge, "more than \(options.maxItems) sequence items: refused (a limit on memory)", path: path, offset: pos, tag: seqTag)
            }
            let itemStart = pos
            pos += 8
            if len == 0xFFFF_FFFF {
                let closed = try elements(at: &pos, end: end, depth: depth)
                if !closed && end == nil { throw incomplete("file ends inside an item of \(seqTag)", itemStart, seqTag) }
            } else {
                var itemEnd = pos + Int(len)
                if let end, itemEnd > end { itemEnd = end }  // tolerated: cut at the sequence end
                guard itemEnd <= size else { throw incomplete("file ends inside an item of \(seqTag) (length \(len))", itemStart, seqTag) }
                _ = try elements(at: &pos, end: itemEnd, depth: depth)
                pos = max(pos, itemEnd)
            }
        }
    }

    /// Encapsulated Pixel Data: offset table, fragments and the Sequence Delimitation Item (PS3.5 §A.4).
    mutating func fragments(_ tag: Tag, at pos: inout Int, start: Int, pixel: Bool) throws {
        var count = -1  // the first item is the Basic Offset Table
        var lastFragment = (offset: 0, length: 0)
        while true {
            guard size - pos >= 8 else {
                if pos >= size, pixel, try lastFrameWhole(fragments: count, lastFragment: lastFragment) {
                    return  // only the delimiter is missing, every frame is whole (tolerated, as the reader does)
                }
                if pos >= size {
                    throw incomplete(
                        "file ends before the Sequence Delimitation Item of encapsulated Pixel Data (after \(max(count, 0)) fragment(s)): the last fragment or the delimiter is missing",
                        pos, tag)
                }
                throw incomplete("file ends inside a fragment item header of encapsulated Pixel Data", pos, tag)
            }
            guard let len = try nextItem(at: &pos, expected: "a fragment item in encapsulated Pixel Data", tag: tag) else { break }
            guard len != 0xFFFF_FFFF else { throw DICOMIOError(.malformed, "fragment with undefined length", path: path, offset: pos, tag: tag) }
            guard Int(len) <= size - pos - 8 else {
                throw incomplete("file ends inside Pixel Data fragment \(count + 1) (length \(len), \(size - pos - 8) byte(s) left)", pos, tag)
            }
            count += 1
            lastFragment = (pos + 8, Int(len))
            pos += 8 + Int(len)
        }
        if pixel && encapsulated {
            let frames = try Completeness.frames(framesText, path: path, offset: start)
            if count < frames {
                throw incomplete("encapsulated Pixel Data has \(max(count, 0)) fragment(s) for \(frames) frame(s)", start, tag)
            }
        }
    }
}
