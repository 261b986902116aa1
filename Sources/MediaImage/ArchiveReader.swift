import CArchive
import DICOMPixel
#if canImport(Glibc)
import Glibc
#endif

/// One entry of an ISO 9660 image or a ZIP/tar archive.
public struct ArchiveEntry: Sendable, Hashable {
    /// Path inside the image, components joined by "/", without a leading "./", without ISO 9660
    /// version numbers (";1") and without the trailing "." of a name that has no extension
    /// (ECMA-119 §7.5: "NAME.;1" is the file NAME).
    public var path: String
    /// Size in bytes (0 for folders).
    public var size: Int64
    public var isDirectory: Bool
    /// Anything that is neither a folder nor a regular file (a symbolic or hard link, a device...).
    public var isSpecial: Bool = false
    /// Where the entry's headers start in an archive read without a compression filter (libarchive's
    /// header position), so that `read(_:at:)` can read it without a pass over the entries before it.
    public var headerOffset: Int64?
}

/// Read-only access to a ZIP or tar archive (or an ISO 9660 image) through libarchive, without
/// mounting or extracting; `ISO9660Reader` reads ISO images in place for the media commands.
///
/// libarchive reads sequentially: every call makes one pass from the start of the file, so a
/// caller that needs many entries uses `forEachEntry` (one pass) rather than repeated `read`.
///
///     let image = try ArchiveReader(path: "disc.iso")
///     let entries = try image.entries()                       // paths and sizes
///     let dicomdir = try image.read(image.lookup("dicomdir", in: entries)!.path)
public struct ArchiveReader: Sendable {
    public let path: String

    /// Opens the file once to check that libarchive recognises its format.
    public init(path: String) throws {
        self.path = path
        let a = try open()
        defer { archive_read_free(a) }
        var entry: OpaquePointer?
        let r = archive_read_next_header(a, &entry)
        if r != ARCHIVE_OK && r != ARCHIVE_EOF && r != ARCHIVE_WARN {
            throw ImageError(
                .notAnImage, path: path, "not a readable ISO 9660 image or archive: \(Self.message(a))", cause: Self.cause(a, "archive_read_next_header"))
        }
    }

    /// Every entry with its size, in image order (one pass).
    public func entries() throws -> [ArchiveEntry] {
        var out: [ArchiveEntry] = []
        var format: Int32 = 0
        try forEachEntry(
            format: { format = $0 & ARCHIVE_FORMAT_BASE_MASK },
            { e, _ in
                out.append(e); return true
            })
        if format != ARCHIVE_FORMAT_TAR && format != ARCHIVE_FORMAT_ZIP {
            for i in out.indices { out[i].headerOffset = nil }  // an ISO image: `read(_:at:)` reads tar and ZIP entries only
        } else if format == ARCHIVE_FORMAT_ZIP {
            // A ZIP is listed from its central directory, where libarchive's header position is not the entry's:
            // the local headers' offsets come from a pass of the streaming reader (as far as it can read).
            var local: [String: Int64] = [:]
            try? forEachEntry(streaming: true) { e, _ in
                if local[e.path] == nil, let o = e.headerOffset { local[e.path] = o }
                return true
            }
            for i in out.indices { out[i].headerOffset = local[out[i].path] }
        }
        return out
    }

    /// The bytes of the entry at `entryPath` (normalised as `ArchiveEntry.path`, exact case).
    public func read(_ entryPath: String) throws -> [UInt8] {
        let want = Self.normalise(entryPath)
        var found: [UInt8]?
        try forEachEntry { e, data in
            if e.path == want && !e.isDirectory { found = try data.readAll(); return false }
            return true
        }
        guard let found else { throw ImageError(.noEntry, path: path, "no entry \(entryPath)") }
        return found
    }

    /// The bytes of the regular entry `entryPath` read from its header at `offset` (``ArchiveEntry/headerOffset``):
    /// one entry read, not a pass from the start. Nil when what lies there is not that entry (the file changed, a
    /// ZIP entry only its central directory describes): the caller reads it with `read(_:)` instead.
    public func read(_ entryPath: String, at offset: Int64) -> [UInt8]? {
        let fd = Glibc.open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        guard offset >= 0 else { return nil }
        let source = Unmanaged.passRetained(RegionSource(fd: fd, offset: offset))
        defer { source.release() }  // after the archive is freed (defers run last first)
        guard let a = archive_read_new() else { return nil }
        defer { archive_read_free(a) }
        // Only the streaming readers: no format that seeks (a ZIP's central directory) may be picked, as the
        // source starts at the entry, not at the start of the file.
        archive_read_support_format_tar(a)
        archive_read_support_format_zip_streamable(a)
        guard archive_read_open2(a, source.toOpaque(), nil, RegionSource.read, RegionSource.skip, nil) == ARCHIVE_OK else { return nil }
        var entry: OpaquePointer?
        guard archive_read_next_header(a, &entry) == ARCHIVE_OK, let entry, let cPath = archive_entry_pathname(entry),
            Self.normalise(String(cString: cPath)) == Self.normalise(entryPath), archive_entry_filetype(entry) == 0o100000,
            archive_entry_hardlink(entry) == nil
        else { return nil }
        var st = stat()
        let size = archive_entry_size(entry)
        let expected = fstat(fd, &st) == 0 && size > 0 && size <= Int64(st.st_size) - offset ? Int(size) : 0  // never more than the file holds
        return try? EntryData(archive: a, path: path + ":" + entryPath).readAll(expected: expected)
    }

    /// The bytes of an archive file from an offset on, for libarchive's read callbacks (pread, one buffer).
    private final class RegionSource {
        let fd: Int32
        var offset: Int64
        let buffer = UnsafeMutableRawPointer.allocate(byteCount: 1 << 16, alignment: 16)
        init(fd: Int32, offset: Int64) { self.fd = fd; self.offset = offset }
        deinit { buffer.deallocate() }

        static let read: @convention(c) (OpaquePointer?, UnsafeMutableRawPointer?, UnsafeMutablePointer<UnsafeRawPointer?>?) -> Int = {
            _, client, out in
            guard let client else { return -1 }
            let s = Unmanaged<RegionSource>.fromOpaque(client).takeUnretainedValue()
            let n = pread(s.fd, s.buffer, 1 << 16, off_t(s.offset))
            guard n >= 0 else { return -1 }
            s.offset += Int64(n)
            out?.pointee = UnsafeRawPointer(s.buffer)
            return n
        }
        static let skip: @convention(c) (OpaquePointer?, UnsafeMutableRawPointer?, Int64) -> Int64 = { _, client, request in
            guard let client, request > 0 else { return 0 }
            Unmanaged<RegionSource>.fromOpaque(client).takeUnretainedValue().offset += request
            return request
        }
    }

    /// The entry whose path equals `entryPath` ignoring case (ISO 9660 names are upper case,
    /// Joliet and Rock Ridge names keep the case they were written with); exact matches win.
    public func lookup(_ entryPath: String, in entries: [ArchiveEntry]) -> ArchiveEntry? {
        let want = Self.normalise(entryPath)
        if let e = entries.first(where: { $0.path == want }) { return e }
        let lower = want.lowercased()
        return entries.first { $0.path.lowercased() == lower }
    }

    /// The data of the current entry during `forEachEntry`; valid only inside the callback.
    public struct EntryData {
        let archive: OpaquePointer
        let path: String
        /// All bytes of the entry; `expected` (its declared size, when known not to exceed the archive) is read
        /// straight into one buffer of that size, so a large entry is neither copied twice nor regrown.
        public func readAll(expected: Int = 0) throws -> [UInt8] {
            var failed: Int?
            var out = [UInt8](unsafeUninitializedCapacity: max(0, expected)) { b, count in
                while count < b.count {
                    let n = archive_read_data(archive, b.baseAddress! + count, b.count - count)
                    if n <= 0 { if n < 0 { failed = n }; return }
                    count += n
                }
            }
            if failed != nil {
                throw ImageError(
                    .libraryFailed, path: path, "reading entry data: \(ArchiveReader.message(archive))",
                    cause: ArchiveReader.cause(archive, "archive_read_data"))
            }
            if expected > 0 && out.count < expected { return out }  // the data ended first
            var buf = [UInt8](repeating: 0, count: 1 << 16)
            while true {
                let n = buf.withUnsafeMutableBytes { archive_read_data(archive, $0.baseAddress, $0.count) }
                if n == 0 { return out }
                if n < 0 {
                    throw ImageError(
                        .libraryFailed, path: path, "reading entry data: \(ArchiveReader.message(archive))",
                        cause: ArchiveReader.cause(archive, "archive_read_data"))
                }
                out.append(contentsOf: buf[0..<n])
            }
        }
        /// Writes the entry's bytes to an open file descriptor.
        public func write(to fd: Int32) throws {
            if archive_read_data_into_fd(archive, fd) != ARCHIVE_OK {
                throw ImageError(
                    .libraryFailed, path: path, "extracting entry data: \(ArchiveReader.message(archive))",
                    cause: ArchiveReader.cause(archive, "archive_read_data_into_fd"))
            }
        }
    }

    /// One sequential pass: calls `body` with each entry and its data until it returns false.
    public func forEachEntry(_ body: (ArchiveEntry, EntryData) throws -> Bool) throws {
        try forEachEntry(streaming: false, body)
    }

    /// `forEachEntry`; `streaming` reads a ZIP by its local headers only; `format` is told libarchive's format code.
    func forEachEntry(streaming: Bool = false, format: ((Int32) -> Void)? = nil, _ body: (ArchiveEntry, EntryData) throws -> Bool) throws {
        var format = format
        let a = try open(streaming: streaming)
        defer { archive_read_free(a) }
        // Header positions are file offsets only when no compression filter is between the file and the reader.
        let plain = archive_filter_count(a) <= 1
        var entry: OpaquePointer?
        while true {
            let r = archive_read_next_header(a, &entry)
            if r == ARCHIVE_EOF { return }
            if r != ARCHIVE_OK && r != ARCHIVE_WARN {
                throw ImageError(.libraryFailed, path: path, "reading the directory: \(Self.message(a))", cause: Self.cause(a, "archive_read_next_header"))
            }
            guard let entry, let cPath = archive_entry_pathname(entry) else { continue }
            let type = archive_entry_filetype(entry)
            let isDir = type == 0o040000  // AE_IFDIR
            let special = !isDir && (type != 0o100000 || archive_entry_hardlink(entry) != nil)  // not AE_IFREG, or a hard link
            let e = ArchiveEntry(
                path: Self.normalise(String(cString: cPath)), size: isDir ? 0 : archive_entry_size(entry), isDirectory: isDir, isSpecial: special,
                headerOffset: plain ? archive_read_header_position(a) : nil)
            if e.path.isEmpty { continue }
            if let f = format { f(archive_format(a)); format = nil }
            if try !body(e, EntryData(archive: a, path: path + ":" + e.path)) { return }
        }
    }

    /// `NAME.;1` -> `NAME`, `./A/B` -> `A/B`.
    public static func normalise(_ p: String) -> String {
        var parts: [String] = []
        for var c in p.split(separator: "/").map(String.init) {
            if c == "." { continue }
            if let semi = c.lastIndex(of: ";"), c[c.index(after: semi)...].allSatisfy(\.isNumber) { c = String(c[..<semi]) }
            if c.hasSuffix(".") && c.count > 1 && c != ".." { c.removeLast() }
            parts.append(c)
        }
        return parts.joined(separator: "/")
    }

    private func open(streaming: Bool = false) throws -> OpaquePointer {
        guard let a = archive_read_new() else { throw ImageError(.libraryFailed, path: path, "libarchive: out of memory") }
        if streaming {
            archive_read_support_format_zip_streamable(a)
        } else {
            archive_read_support_format_iso9660(a)
            archive_read_support_format_zip(a)
        }
        archive_read_support_format_tar(a)
        archive_read_support_filter_all(a)
        if archive_read_open_filename(a, path, 1 << 16) != ARCHIVE_OK {
            let e = ImageError(.notAnImage, path: path, "cannot open: \(Self.message(a))", cause: Self.cause(a, "archive_read_open_filename"))
            archive_read_free(a)
            throw e
        }
        return a
    }

    static func message(_ a: OpaquePointer) -> String {
        archive_error_string(a).map { String(cString: $0) } ?? "libarchive error \(archive_errno(a))"
    }

    /// libarchive's error number and message after a failed `function`, as an error's cause.
    static func cause(_ a: OpaquePointer, _ function: String) -> LibraryCallError {
        LibraryCallError(library: "libarchive", function: function, code: Int(archive_errno(a)), message: message(a))
    }
}
