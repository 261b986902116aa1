import DICOMCore
import FileSystem
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Bytes of a file loaded on demand, so a header-only read never touches the Pixel Data.
///
/// Positions are absolute file offsets. A file-backed source keeps a sliding window: `bytes` holds
/// the file from `base` on; the prefix before the parser's `release(before:)` mark is dropped when
/// more is loaded, and values of `directThreshold` bytes or more are read straight from the file
/// into their own array (`take`), so a full read costs the parsed data set plus a bounded window.
final class ByteSource {
    /// The loaded window: file bytes `base ..< base + bytes.count`.
    private(set) var bytes: [UInt8]
    /// File offset of `bytes[0]` (0 for bytes in memory).
    private(set) var base = 0
    /// The open file descriptor (-1 for bytes in memory).
    private(set) var fd: Int32 = -1
    /// Where the file starts in `fd`: 0, or the start of a region of a larger file (an image's extent).
    private(set) var origin = 0
    /// Whether `fd` is this source's own (closed with it), not a region's borrowed descriptor.
    private(set) var ownsFD = true
    /// The region read, when this source reads one (see `init(region:path:)`).
    private var region: FileRegion?
    private(set) var atEOF: Bool
    /// Size of the file when it was opened (the byte count for bytes in memory).
    private(set) var fileSize: Int
    let path: String?
    let chunk: Int
    /// Bytes before this offset are no longer needed and may be dropped from the window.
    private var keepFrom = 0
    /// A regular file: its size is known, so long values can be read from it directly.
    private var regular = false
    /// Values at least this long bypass the window (regular files only).
    let directThreshold: Int

    init(bytes: [UInt8], path: String? = nil) {
        self.bytes = bytes; atEOF = true; self.path = path; chunk = 0; fileSize = bytes.count; directThreshold = Int.max
    }

    /// Opens the file; reads nothing yet. `direct`: the value length from which values bypass the window.
    init(path: String, chunk: Int = 256 * 1024, direct: Int = 1 << 20) throws {
        self.path = path; self.chunk = chunk; bytes = []; atEOF = false; fileSize = 0; directThreshold = direct
        var st = stat()
        guard stat(path, &st) == 0 else { throw ByteSource.cannotOpen(path, SystemErrno.current("stat")) }
        if (st.st_mode & S_IFMT) == S_IFDIR { throw DICOMIOError(.isDirectory, "is a directory, not a file", path: path, offset: 0) }
        fd = open(path, O_RDONLY)
        guard fd >= 0 else { throw ByteSource.cannotOpen(path, SystemErrno.current("open")) }
        var fst = stat()
        if fstat(fd, &fst) == 0 {
            fileSize = Int(fst.st_size)
            regular = (fst.st_mode & S_IFMT) == S_IFREG
        }
        bytes.reserveCapacity(Int(min(Int64(chunk), Int64(st.st_size))))
    }
    /// Reads `region` of an open file as if it were the whole file (positions relative to its start);
    /// the descriptor stays the caller's.
    init(region: FileRegion, path: String, chunk: Int = 64 * 1024, direct: Int = 1 << 20) {
        self.path = path; self.chunk = chunk; bytes = []; atEOF = false; directThreshold = direct
        fd = region.fd; origin = Int(region.offset); fileSize = region.size; regular = true; ownsFD = false
        self.region = region
        bytes.reserveCapacity(min(chunk, region.size))
    }
    deinit { if fd >= 0 && ownsFD { close(fd) } }

    /// A new source over the same file (opened again) or region, from its start.
    func reopened(chunk: Int = 64 * 1024) throws -> ByteSource {
        if let region, let path { return ByteSource(region: region, path: path, chunk: chunk) }
        if let path, fd >= 0 { return try ByteSource(path: path, chunk: chunk) }
        return ByteSource(bytes: bytes, path: path)
    }

    static func cannotOpen(_ path: String, _ e: SystemErrno) -> DICOMIOError {
        DICOMIOError(.io, "cannot open: \(e.text)", path: path, offset: 0, cause: e)
    }

    /// File offset just past the loaded window.
    var end: Int { base + bytes.count }

    /// The byte at file offset `p` (which must be loaded).
    @inline(__always) subscript(p: Int) -> UInt8 { bytes[p - base] }

    /// Marks the bytes before `p` as no longer needed (the parser only moves forward).
    func release(before p: Int) { if p > keepFrom { keepFrom = p } }

    /// Makes sure bytes up to file offset `end` are loaded if the file has that many; returns whether they are.
    /// Reads go into uninitialised memory (no zero fill) in chunks that grow with the window.
    @discardableResult
    func ensure(_ end: Int) -> Bool {
        if end <= self.end { return true }
        if !atEOF { dropReleased() }
        while !atEOF && self.end < end {
            let want = max(bytes.isEmpty ? min(chunk, 64 * 1024) : max(chunk, bytes.count), end - self.end)
            let fd = self.fd
            let at = off_t(self.end)
            // A region ends at its size, not at the end of the file holding it.
            let limit = ownsFD ? want : max(0, min(want, fileSize - self.end))
            var eof = limit < want
            let origin = off_t(self.origin)
            let piece = [UInt8](unsafeUninitializedCapacity: limit) { buf, initialized in
                initialized = limit == 0 ? 0 : ByteSource.readFully(fd, buf.baseAddress!, limit, at: origin + at, eof: &eof)
            }
            if eof { atEOF = true }
            bytes.append(contentsOf: piece)
        }
        return end <= self.end
    }

    /// Drops the released prefix of the window once it is worth moving the rest.
    private func dropReleased() {
        let n = min(keepFrom - base, bytes.count)
        guard n > 0, n >= max(chunk, bytes.count / 2) else { return }
        bytes.removeSubrange(0..<n)
        base += n
    }

    /// Reads up to `count` bytes at `offset` with pread; stops at end of file or on an error.
    private static func readFully(_ fd: Int32, _ p: UnsafeMutablePointer<UInt8>, _ count: Int, at offset: off_t, eof: inout Bool) -> Int {
        var got = 0
        while got < count {
            let n = pread(fd, p + got, count - got, offset + off_t(got))
            if n < 0 && errno == EINTR { continue }
            if n <= 0 { eof = true; break }
            got += n
        }
        return got
    }

    /// Whether the file has at least `count` bytes from `pos` (loading the window when it must).
    func has(_ pos: Int, _ count: Int) -> Bool {
        if regular && count >= directThreshold && pos + count > self.end { return pos + count <= fileSize }
        return ensure(pos + count)
    }

    /// Bytes left in the file from `pos` (after `has` said too few).
    func left(from pos: Int) -> Int { max(0, (regular && !atEOF ? fileSize : self.end) - pos) }

    /// A copy of the `count` bytes at `pos`; nil when the file ends first. A value of
    /// `directThreshold` bytes or more not yet loaded is read from the file without the window.
    func take(_ pos: Int, _ count: Int) -> [UInt8]? {
        if regular && count >= directThreshold && pos + count > self.end && pos >= base {
            guard pos + count <= fileSize else { return nil }
            let have = max(0, min(self.end - pos, count))
            let fd = self.fd
            var eof = false
            var complete = true
            let value = [UInt8](unsafeUninitializedCapacity: count) { buf, initialized in
                if have > 0 {
                    bytes.withUnsafeBufferPointer { w in
                        buf.baseAddress!.update(from: w.baseAddress! + (pos - base), count: have)
                    }
                }
                let got = ByteSource.readFully(fd, buf.baseAddress! + have, count - have, at: off_t(origin + pos + have), eof: &eof)
                initialized = have + got
                complete = have + got == count
            }
            guard complete else { return nil }
            // The window restarts after the value: nothing before it is needed again.
            bytes.removeAll(keepingCapacity: true)
            base = pos + count
            keepFrom = base
            atEOF = false
            return value
        }
        guard ensure(pos + count) else { return nil }
        return Array(bytes[(pos - base)..<(pos - base + count)])
    }

    /// A copy of everything from `pos` to the end of the file.
    func rest(from pos: Int) -> [UInt8] {
        loadAll()
        return pos >= end ? [] : Array(bytes[max(0, pos - base)...])
    }

    /// Whether all loaded bytes from `pos` on are zero.
    func allZero(from pos: Int) -> Bool { pos >= end || bytes[(pos - base)...].allSatisfy { $0 == 0 } }

    /// Loads everything.
    func loadAll() { while !atEOF { ensure(end + max(chunk, 1 << 20)) } }
    func replace(with newBytes: [UInt8]) { bytes = newBytes; base = 0; atEOF = true }
}
