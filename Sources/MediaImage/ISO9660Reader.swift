#if canImport(Glibc)
import Glibc
#endif

/// One regular file of an ISO 9660 image, read in place by `ISO9660Reader`.
public struct ISOFile: Sendable, Hashable {
    /// Path inside the image, components joined by "/": the Rock Ridge name (RRIP NM) when the
    /// image has Rock Ridge, else the Joliet name, else the ISO 9660 name without ";1" and trailing ".".
    public var path: String
    /// Size in bytes (the sum of its extents for a multi-extent file, ECMA-119 6.5.1).
    public var size: Int64
    /// The byte ranges of the image holding the data, in order.
    public var extents: [Range<Int64>]
}

/// Something in the image that was not listed: refused (unsafe name, symbolic link, loop), or
/// beyond the end of a truncated image.
public struct ISOSkipped: Sendable, Hashable, CustomStringConvertible {
    /// The path of the entry (as far as it could be named).
    public var path: String
    public var reason: String
    /// True when the entry's data (or directory) lies past the end of the image: the image is cut short.
    public var beyondEnd: Bool
    public var description: String { "\(path): \(reason)" }
}

/// An ISO 9660 image (ECMA-119) read in place: the volume descriptors, the directory tree through
/// its extents, and file data with `pread` by extent; nothing is extracted or written.
///
/// Names come from Rock Ridge (IEEE P1282 RRIP NM/PX/SL/CL/RE over SUSP P1281) when the primary
/// tree carries it, else from the Joliet supplementary descriptor (UCS-2), else from the level-1
/// names with ";1" stripped. Everything in the image is untrusted: extents past the end, loops,
/// absurd sizes and unsafe names (`/`, `..`, NUL, empty) are refused and listed in `skipped`,
/// symbolic links are never followed (skipped and listed), and the work is bounded by the image size.
///
///     let iso = try ISO9660Reader(path: "disc.iso")
///     for f in iso.files { ... try iso.read(f) ... }
///     if let end = iso.truncatedAt { print("image ends at byte \(end)") }
// Safe because the reader owns a file descriptor (a C handle) that it only reads with pread(2), which
// shares no file offset between threads, and its `var`s are written only while `init` walks the tree:
// once constructed it is immutable.
public final class ISO9660Reader: @unchecked Sendable {
    public let path: String
    /// Size of the image file in bytes.
    public let imageSize: Int64
    /// The logical block size of the volume (ECMA-119 8.4.12), 2048 on every CD/DVD/BD.
    public let blockSize: Int64
    /// The volume identifier of the primary volume descriptor (ECMA-119 8.4.6), trailing spaces dropped.
    public let volumeID: String
    /// The size the primary volume descriptor gives the volume (ECMA-119 8.4.8), in bytes.
    public let volumeSize: Int64
    /// Which names were used: "rock-ridge", "joliet" or "iso9660".
    public private(set) var naming = "iso9660"
    /// Every regular file whose data lies inside the image, in directory order.
    public private(set) var files: [ISOFile] = []
    /// Entries not listed, with why.
    public private(set) var skipped: [ISOSkipped] = []
    /// When the volume (or an extent) says the image is longer than the file: the file's size.
    public private(set) var truncatedAt: Int64?

    private let fd: Int32
    private let source: ISOByteSource
    /// The image's open descriptor (nil for an image in memory), for reading a file's extent in
    /// place; it stays open as long as the reader lives.
    public var fileDescriptor: Int32? { fd >= 0 ? fd : nil }
    /// Directory bytes read so far; a well-formed image never needs more than the image holds.
    private var directoryBudget: Int64
    private var visited = Set<Int64>()
    /// Bounds against crafted images.
    static let maxDepth = 64, maxEntries = 1_000_000, maxContinuations = 64

    /// Opens and reads the directory tree of the image at `path`.
    public convenience init(path: String) throws {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw ImageError.system(path: path, "cannot open", function: "open") }
        var st = stat()
        guard fstat(fd, &st) == 0, (st.st_mode & S_IFMT) == S_IFREG else {
            close(fd); throw ImageError(.notAnImage, path: path, "not a regular file")
        }
        do { try self.init(path: path, source: .file(fd), size: Int64(st.st_size), ownedFD: fd) } catch { close(fd); throw error }
    }

    /// Reads an image held in memory (tests, fuzzing).
    public convenience init(bytes: [UInt8], name: String = "<memory>") throws {
        try self.init(path: name, source: .memory(bytes), size: Int64(bytes.count), ownedFD: -1)
    }

    private init(path: String, source: ISOByteSource, size: Int64, ownedFD: Int32) throws {
        self.path = path; self.source = source; self.imageSize = size; self.fd = ownedFD
        directoryBudget = size
        // Volume descriptors from sector 16 (ECMA-119 6.7.1, 8.1); the set ends with type 255.
        var pvd: [UInt8]?, joliet: [UInt8]?
        var sector: Int64 = 16
        while sector < 16 + 256 {
            let d = try Self.pread(source, at: sector * 2048, count: 2048)
            if d.count < 2048 {
                if pvd == nil { throw ImageError(.notAnImage, path: path, "not an ISO 9660 image: the volume descriptors end at byte \(size) (ECMA-119 8.1)") }
                break
            }
            guard d[1...5].elementsEqual("CD001".utf8) else {
                if pvd == nil {
                    throw ImageError(
                        .notAnImage, path: path, "not an ISO 9660 image: no volume descriptor (\"CD001\") at byte \(sector * 2048 + 1) (ECMA-119 8.1)")
                }
                break
            }
            if d[0] == 255 { break }
            if d[0] == 1 && pvd == nil { pvd = d }
            // Joliet: a supplementary descriptor whose escape sequences name UCS-2 level 1, 2 or 3.
            if d[0] == 2 && joliet == nil && d[88] == 0x25 && d[89] == 0x2F && [0x40, 0x43, 0x45].contains(d[90]) { joliet = d }
            sector += 1
        }
        guard let pvd else { throw ImageError(.notAnImage, path: path, "no primary volume descriptor (ECMA-119 8.4)") }
        let bs = Int64(Self.le16(pvd, 128))
        guard [512, 1024, 2048].contains(bs) else {
            throw ImageError(.notAnImage, path: path, "logical block size \(bs) is not 512, 1024 or 2048 (ECMA-119 6.2.2)")
        }
        blockSize = bs
        volumeID = String(decoding: pvd[40..<72], as: UTF8.self).trimmingTrailing(" ").trimmingTrailing("\0").trimmingTrailing(" ")
        volumeSize = Int64(Self.le32(pvd, 80)) * bs
        if volumeSize > size { truncatedAt = size }

        // Rock Ridge: the root's "." record starts its System Use with SP (SUSP 5.3).
        let pvdRoot = (try? Self.record(Array(pvd[156..<190]), at: 0)) ?? nil
        var rrSkip: Int?
        if let pvdRoot,
            let first = (try? readDirectory(extent: pvdRoot.extent + pvdRoot.xar, length: min(pvdRoot.length, blockSize), countBudget: false))?.first,
            let sp = first.systemUse, sp.count >= 7, sp[0] == 0x53, sp[1] == 0x50, sp[4] == 0xBE, sp[5] == 0xEF
        {
            rrSkip = Int(sp[6])
        }
        let root: DirectoryRecordFields
        if let rrSkip, let pvdRoot {
            naming = "rock-ridge"; root = pvdRoot; susp = rrSkip
        } else if let joliet, let r = (try? Self.record(Array(joliet[156..<190]), at: 0)) ?? nil {
            naming = "joliet"; root = r; ucs2 = true
        } else if let pvdRoot {
            naming = "iso9660"; root = pvdRoot
        } else {
            throw ImageError(.damagedImage, path: path, "the root directory record is damaged (ECMA-119 8.4.18)")
        }
        try walk(root, path: "", depth: 0)
        if truncatedAt == nil && skipped.contains(where: \.beyondEnd) { truncatedAt = size }
    }

    deinit { if fd >= 0 { close(fd) } }

    private var susp: Int?
    private var ucs2 = false

    // MARK: Reading data

    /// The bytes of `file`, read from the image by extent.
    public func read(_ file: ISOFile) throws -> [UInt8] {
        try readPrefix(file, count: Int(clamping: file.size))
    }

    /// The first `count` bytes of `file` (fewer when it is shorter).
    public func readPrefix(_ file: ISOFile, count: Int) throws -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(min(count, Int(clamping: file.size)))
        for e in file.extents where out.count < count {
            let n = Int(min(Int64(count - out.count), e.upperBound - e.lowerBound))
            let chunk = try Self.pread(source, at: e.lowerBound, count: n)
            if chunk.count < n { throw ImageError(.damagedImage, path: path + ":" + file.path, "image ends at byte \(imageSize) inside this file") }
            out += chunk
        }
        return out
    }

    // MARK: The directory tree

    struct DirectoryRecordFields {
        var extent: Int64  // logical block number
        var xar: Int64  // extended attribute record length in blocks
        var length: Int64
        var flags: UInt8
        var interleaved: Bool
        var name: [UInt8]
        var systemUse: [UInt8]?
        var isDirectory: Bool { flags & 0x02 != 0 }
        var multiExtent: Bool { flags & 0x80 != 0 }
    }

    /// One directory record at `offset` of `d` (ECMA-119 9.1); nil when its length byte is 0.
    static func record(_ d: [UInt8], at offset: Int) throws -> DirectoryRecordFields? {
        let len = Int(d[offset])
        if len == 0 { return nil }
        guard len >= 34, offset + len <= d.count else {
            throw ImageError(.damagedImage, path: "", "directory record of \(len) bytes at offset \(offset)", offset: offset)
        }
        let nameLen = Int(d[offset + 32])
        guard 33 + nameLen <= len else {
            throw ImageError(.damagedImage, path: "", "file identifier longer than its record at offset \(offset)", offset: offset)
        }
        let name = Array(d[(offset + 33)..<(offset + 33 + nameLen)])
        let suStart = 33 + nameLen + (nameLen % 2 == 0 ? 1 : 0)
        let su = suStart < len ? Array(d[(offset + suStart)..<(offset + len)]) : nil
        return DirectoryRecordFields(
            extent: Int64(le32(d, offset + 2)), xar: Int64(d[offset + 1]), length: Int64(le32(d, offset + 10)),
            flags: d[offset + 25], interleaved: d[offset + 26] != 0 || d[offset + 27] != 0, name: name, systemUse: su)
    }

    /// The records of a directory extent, "." and ".." included; records never cross a block
    /// boundary, the rest of a block after a 0 length byte is padding (ECMA-119 6.8.1.1).
    private func readDirectory(extent: Int64, length: Int64, countBudget: Bool = true) throws -> [DirectoryRecordFields] {
        let start = extent * blockSize
        guard length >= 0, start + length <= imageSize else { throw beyondEnd(start + length) }
        if countBudget {
            directoryBudget -= length
            if directoryBudget < 0 {
                throw ImageError(.refused, path: path, "the directories claim more bytes than the image holds (overlapping extents); refused")
            }
        }
        let d = try Self.pread(source, at: start, count: Int(length))
        guard d.count == Int(length) else { throw beyondEnd(start + length) }
        var out: [DirectoryRecordFields] = []
        var offset = 0
        while offset < d.count {
            if d[offset] == 0 {
                let next = (offset / Int(blockSize) + 1) * Int(blockSize)
                offset = next; continue
            }
            guard let r = try? Self.record(d, at: offset) else {
                throw ImageError(.refused, path: path, "damaged directory record at byte \(start + Int64(offset)) (ECMA-119 9.1)")
            }
            out.append(r)
            offset += Int(d[offset])
        }
        return out
    }

    /// A directory extent ending at byte `end`, past the end of the image.
    private func beyondEnd(_ end: Int64) -> ImageError {
        ImageError(.beyondEnd, path: path, "directory extent ends at byte \(end), beyond the image", offset: Int(clamping: end))
    }

    /// What Rock Ridge says about one record.
    struct RockRidge {
        var name: [UInt8]?
        var mode: UInt32?
        var symlink = false
        var childLink: Int64?
        var relocated = false
    }

    private func rockRidge(_ r: DirectoryRecordFields) -> RockRidge {
        var out = RockRidge()
        guard let skip = susp, var area = r.systemUse else { return out }
        area = skip < area.count ? Array(area[skip...]) : []
        var continuations = 0
        var name: [UInt8] = [], inName = false
        while true {
            var i = 0
            var next: (Int64, Int64, Int64)?
            while i + 4 <= area.count {
                let len = Int(area[i + 2])
                if len < 4 || i + len > area.count { break }
                let sig = (area[i], area[i + 1])
                let body = Array(area[(i + 4)..<(i + len)])
                switch sig {
                case (0x4E, 0x4D):  // NM
                    if let f = body.first {
                        if f & 0x06 != 0 { break }  // CURRENT/PARENT: not a name
                        name += body.dropFirst(); inName = true
                    }
                case (0x50, 0x58): if body.count >= 4 { out.mode = Self.le32(body, 0) }  // PX
                case (0x53, 0x4C): out.symlink = true  // SL
                case (0x43, 0x4C): if body.count >= 4 { out.childLink = Int64(Self.le32(body, 0)) }  // CL
                case (0x52, 0x45): out.relocated = true  // RE
                case (0x43, 0x45): if body.count >= 24 { next = (Int64(Self.le32(body, 0)), Int64(Self.le32(body, 8)), Int64(Self.le32(body, 16))) }  // CE
                case (0x53, 0x54): i = area.count; continue  // ST: end of the area
                default: break
                }
                i += len
            }
            guard let (block, offset, length) = next, continuations < Self.maxContinuations else { break }
            continuations += 1
            let at = block * blockSize + offset
            guard length > 0, length <= blockSize, at >= 0, at + length <= imageSize,
                let more = try? Self.pread(source, at: at, count: Int(length)), more.count == Int(length)
            else { break }
            area = more
        }
        if inName { out.name = name }
        return out
    }

    /// The name of a record, or nil for "." and "..".
    private func name(_ r: DirectoryRecordFields, rr: RockRidge) -> String? {
        if r.name == [0] || r.name == [1] { return nil }
        if let n = rr.name { return String(decoding: n, as: UTF8.self) }
        var s: String
        if ucs2 {
            var units: [UInt16] = []
            var i = 0
            while i + 1 < r.name.count { units.append(UInt16(r.name[i]) << 8 | UInt16(r.name[i + 1])); i += 2 }
            s = String(decoding: units, as: UTF16.self)
        } else {
            s = String(decoding: r.name, as: UTF8.self)
        }
        if let semi = s.lastIndex(of: ";"), s[s.index(after: semi)...].allSatisfy(\.isNumber) { s = String(s[..<semi]) }
        if s.hasSuffix(".") && s.count > 1 && s != ".." { s.removeLast() }
        return s
    }

    private func skip(_ path: String, _ reason: String, beyond: Bool = false) {
        skipped.append(ISOSkipped(path: path, reason: reason, beyondEnd: beyond))
    }

    private func walk(_ dir: DirectoryRecordFields, path: String, depth: Int) throws {
        let shown = path.isEmpty ? "/" : path
        guard depth < Self.maxDepth else { skip(shown, "directory nested deeper than \(Self.maxDepth) levels; not read"); return }
        guard visited.insert(dir.extent).inserted else { skip(shown, "directory loop (extent at block \(dir.extent) already read); not followed"); return }
        let records: [DirectoryRecordFields]
        do { records = try readDirectory(extent: dir.extent + dir.xar, length: dir.length) } catch let e as ImageError where e.code == .beyondEnd {
            skip(shown, e.message, beyond: true); return
        } catch let e as ImageError where e.code == .refused {
            if depth == 0 { throw e }
            skip(shown, e.message); return
        }
        var i = 0
        while i < records.count {
            if files.count + skipped.count >= Self.maxEntries { throw ImageError(.refused, path: self.path, "more than \(Self.maxEntries) entries; refused") }
            var r = records[i]
            i += 1
            let rr = rockRidge(r)
            guard let n = name(r, rr: rr) else { continue }
            let full = path.isEmpty ? n : path + "/" + n
            if n.isEmpty || n == "." || n == ".." || n.contains("/") || n.contains("\0") {
                skip(full.replacingNUL(), "unsafe name refused"); continue
            }
            if rr.relocated { continue }  // shown where its CL record stands (RRIP 4.1.5)
            if rr.symlink || (rr.mode.map { $0 & 0o170000 == 0o120000 } ?? false) {
                skip(full, "symbolic link; not followed"); continue
            }
            if let cl = rr.childLink {
                // A relocated directory: its own "." record gives its length.
                guard cl * blockSize + 34 <= imageSize,
                    let dot = try? Self.pread(source, at: cl * blockSize, count: 34), dot.count == 34,
                    let rec = try? Self.record(dot, at: 0)
                else {
                    skip(full, "relocated directory beyond the image", beyond: true); continue
                }
                var moved = rec
                moved.extent = cl; moved.xar = 0
                try walk(moved, path: full, depth: depth + 1)
                continue
            }
            if r.isDirectory { try walk(r, path: full, depth: depth + 1); continue }
            if let mode = rr.mode, mode & 0o170000 != 0o100000 && mode & 0o170000 != 0 {
                skip(full, "not a regular file (mode \(String(mode, radix: 8))); not read"); continue
            }
            // A multi-extent file: records of the same name follow, the last without the flag (ECMA-119 6.5.1).
            var extents: [(DirectoryRecordFields)] = [r]
            while r.multiExtent && i < records.count {
                r = records[i]; i += 1
                extents.append(r)
            }
            if extents.contains(where: \.interleaved) { skip(full, "interleaved file (ECMA-119 6.4.4); not supported"); continue }
            var ranges: [Range<Int64>] = []
            var size: Int64 = 0
            var end: Int64 = 0
            for e in extents {
                let start = (e.extent + e.xar) * blockSize
                ranges.append(start..<(start + e.length))
                size += e.length
                end = max(end, start + e.length)
            }
            if end > imageSize {
                skip(full, "data ends at byte \(end), beyond the image", beyond: true); continue
            }
            files.append(ISOFile(path: full, size: size, extents: ranges))
        }
    }

    // MARK: Bytes

    static func pread(_ s: ISOByteSource, at offset: Int64, count: Int) throws -> [UInt8] {
        guard count > 0, offset >= 0 else { return [] }
        switch s {
        case .memory(let b):
            guard offset < Int64(b.count) else { return [] }
            let lo = Int(offset)
            return Array(b[lo..<min(b.count, lo + count)])
        case .file(let fd):
            var buf = [UInt8](repeating: 0, count: count)
            var done = 0
            while done < count {
                let n = buf.withUnsafeMutableBytes { Glibc.pread(fd, $0.baseAddress! + done, count - done, off_t(offset) + off_t(done)) }
                if n < 0 && errno == EINTR { continue }
                if n < 0 { throw ImageError.system(path: "fd \(fd)", "read error at byte \(offset + Int64(done))", function: "pread") }
                if n == 0 { break }
                done += n
            }
            if done < count { buf.removeLast(count - done) }
            return buf
        }
    }

    static func le16(_ d: [UInt8], _ o: Int) -> UInt16 { UInt16(d[o]) | UInt16(d[o + 1]) << 8 }
    static func le32(_ d: [UInt8], _ o: Int) -> UInt32 {
        UInt32(d[o]) | UInt32(d[o + 1]) << 8 | UInt32(d[o + 2]) << 16 | UInt32(d[o + 3]) << 24
    }
}

enum ISOByteSource: Sendable {
    case file(Int32)
    case memory([UInt8])
}

extension String {
    func trimmingTrailing(_ c: Character) -> String {
        var s = self
        while s.last == c { s.removeLast() }
        return s
    }
    func replacingNUL() -> String { String(map { $0 == "\0" ? "?" : $0 }) }
}
