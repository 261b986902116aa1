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
        try forEachEntry { e, _ in
            out.append(e); return true
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
        /// All bytes of the entry.
        public func readAll() throws -> [UInt8] {
            var out: [UInt8] = []
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
        let a = try open()
        defer { archive_read_free(a) }
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
                path: Self.normalise(String(cString: cPath)), size: isDir ? 0 : archive_entry_size(entry), isDirectory: isDir, isSpecial: special)
            if e.path.isEmpty { continue }
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

    private func open() throws -> OpaquePointer {
        guard let a = archive_read_new() else { throw ImageError(.libraryFailed, path: path, "libarchive: out of memory") }
        archive_read_support_format_iso9660(a)
        archive_read_support_format_zip(a)
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
