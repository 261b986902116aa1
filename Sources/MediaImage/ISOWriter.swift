import CArchive
import CISOFS
import FileSystem
import DICOMPixel
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// A file to put into an image: its path in the image and where its bytes come from.
public struct ImageFile: Sendable {
    public enum Content: Sendable {
        /// Read from this file while the image is written (no staging copy with libisofs).
        case file(String)
        /// Held in memory (the DICOMDIR, README.TXT, pages).
        case bytes([UInt8])
    }
    /// Path inside the image, components joined by "/".
    public var path: String
    public var content: Content
    public init(path: String, content: Content) { self.path = path; self.content = content }
}

/// How to write an ISO 9660 image (ECMA-119; PS3.12 Annex F/G: ISO 9660 level 1 names for DICOM files).
public struct ISOWriteOptions: Sendable {
    public enum Engine: String, Sendable, CaseIterable {
        /// libisofs (the library behind xorriso): streams file data from the sources.
        case libisofs
        /// libarchive's iso9660 writer: stages every file's data in a temporary file first.
        case libarchive
    }
    /// Primary volume identifier (ECMA-119 §8.4.6): up to 32 d-characters (A-Z, 0-9, _).
    public var volumeID: String
    public var rockRidge = true
    public var joliet = true
    public var engine: Engine = .libisofs
    /// Publisher and application identifiers of the volume descriptor (a-characters, up to 128).
    public var publisher: String?
    public var application: String?
    public init(volumeID: String) { self.volumeID = volumeID }
}

/// Writes ISO 9660 level 1 images with Joliet and (optionally) Rock Ridge extensions.
public enum ISOWriter {
    /// Why a volume identifier is not allowed (ECMA-119 §7.4.1 d-characters, §8.4.6 32 bytes), or nil.
    public static func volumeIDProblem(_ id: String) -> String? {
        if id.isEmpty { return "is empty" }
        if id.utf8.count > 32 { return "is longer than 32 characters (ECMA-119 8.4.6)" }
        if let bad = id.unicodeScalars.first(where: { !(("A"..."Z").contains($0) || ("0"..."9").contains($0) || $0 == "_") }) {
            return "contains '\(bad)'; only A-Z, 0-9 and _ are allowed (ECMA-119 7.4.1 d-characters)"
        }
        return nil
    }

    /// Writes `files` as an image to `output` (through `output.tmp` and a rename); folders are implied by the paths.
    /// `progress` gets bytes written so far and the image size when known (libisofs).
    public static func write(
        files: [ImageFile], to output: String, options: ISOWriteOptions,
        progress: ((Int64, Int64) -> Void)? = nil
    ) throws {
        if let why = volumeIDProblem(options.volumeID) { throw ImageError(.invalidName, path: output, "volume ID '\(options.volumeID)' \(why)") }
        do {  // the names checked are dropped before the image is built
            var seen = Set<String>()
            for f in files {
                let parts = f.path.split(separator: "/")
                if parts.isEmpty || parts.contains("..") || parts.contains(".") {
                    throw ImageError(.invalidName, path: output, "bad path in image: '\(f.path)'")
                }
                if !seen.insert(f.path.uppercased()).inserted {
                    throw ImageError(.invalidName, path: output, "two files would have the path \(f.path) in the image")
                }
            }
        }
        let tmp = output + ".tmp"
        do {
            switch options.engine {
            case .libisofs: try writeLibisofs(files: files, to: tmp, options: options, progress: progress)
            case .libarchive: try writeLibarchive(files: files, to: tmp, options: options)
            }
        } catch { unlink(tmp); throw error }
        guard rename(tmp, output) == 0 else {
            let e = errno; unlink(tmp)
            throw ImageError.system(path: output, "cannot rename into place", function: "rename", errno: e)
        }
    }

    // MARK: libisofs

    /// Whether iso_init has run (once per process), guarded so that concurrent writers initialise it once.
    private static let isofsReady = Mutex(false)

    private static func isofsInit() throws {
        try isofsReady.withLock { ready in
            if ready { return }
            try isofsInitOnce()
            ready = true
        }
    }

    private static func isofsInitOnce() throws {
        let r = iso_init()
        guard r >= 0 else { throw isoError(path: "libisofs", "iso_init failed", function: "iso_init", r) }
        // The library never prints: no libisofs messages on stderr.
        _ = "NEVER".withCString { never in
            "".withCString { id in
                iso_set_msgs_severities(UnsafeMutablePointer(mutating: never), UnsafeMutablePointer(mutating: never), UnsafeMutablePointer(mutating: id))
            }
        }
    }

    /// A failed libisofs call: `what: message`, its return code kept as the cause.
    static func isoError(path: String, _ what: String, function: String, _ r: Int32) -> ImageError {
        ImageError.library("libisofs", path: path, what, function: function, code: Int(r), message: isoMessage(r))
    }

    static func isoMessage(_ code: Int32) -> String {
        iso_error_to_msg(code).map { String(cString: $0) } ?? "libisofs error \(code)"
    }

    private static func writeLibisofs(
        files: [ImageFile], to output: String, options: ISOWriteOptions,
        progress: ((Int64, Int64) -> Void)?
    ) throws {
        try isofsInit()
        var imageOpt: OpaquePointer?
        var r = iso_image_new(options.volumeID, &imageOpt)
        guard r >= 0, let image = imageOpt else { throw isoError(path: output, "iso_image_new", function: "iso_image_new", r) }
        defer { iso_image_unref(image) }
        if let p = options.publisher { iso_image_set_publisher_id(image, p) }
        if let a = options.application { iso_image_set_application_id(image, a); iso_image_set_data_preparer_id(image, a) }
        guard let root = iso_image_get_root(image) else { throw ImageError(.libraryFailed, path: output, "libisofs: no root folder") }
        var dirs: [String: OpaquePointer] = ["": root]
        func folder(_ path: String) throws -> OpaquePointer {
            if let d = dirs[path] { return d }
            let parent: OpaquePointer, name: String
            if let slash = path.lastIndex(of: "/") {
                parent = try folder(String(path[..<slash])); name = String(path[path.index(after: slash)...])
            } else {
                parent = root; name = path
            }
            var d: OpaquePointer?
            let r = iso_tree_add_new_dir(parent, name, &d)
            guard r >= 0, let d else { throw isoError(path: output, "adding folder \(path)", function: "iso_tree_add_new_dir", r) }
            dirs[path] = d
            return d
        }
        let now = time(nil)
        for f in files {
            let parent: OpaquePointer, name: String
            if let slash = f.path.lastIndex(of: "/") {
                parent = try folder(String(f.path[..<slash])); name = String(f.path[f.path.index(after: slash)...])
            } else {
                parent = root; name = f.path
            }
            switch f.content {
            case .file(let src):
                var node: OpaquePointer?
                // libisofs's local filesystem resolves only absolute paths.
                let r = iso_tree_add_new_node(image, parent, name, absolutePath(src), &node)
                guard r >= 0 else { throw isoError(path: src, "adding to the image as \(f.path)", function: "iso_tree_add_new_node", r) }
            case .bytes(let bytes):
                guard let buf = malloc(max(1, bytes.count))?.assumingMemoryBound(to: UInt8.self) else {
                    throw ImageError(.libraryFailed, path: output, "out of memory")
                }
                bytes.withUnsafeBufferPointer { if let b = $0.baseAddress { buf.initialize(from: b, count: bytes.count) } }
                var stream: UnsafeMutablePointer<IsoStream>?
                var r = iso_memory_stream_new(buf, bytes.count, &stream)
                guard r >= 0, let stream else { free(buf); throw isoError(path: output, "memory stream for \(f.path)", function: "iso_memory_stream_new", r) }
                var file: OpaquePointer?
                r = iso_image_add_new_file(image, parent, name, stream, &file)
                guard r >= 0, let file else {
                    iso_stream_unref(stream); throw isoError(path: output, "adding \(f.path)", function: "iso_image_add_new_file", r)
                }
                iso_node_set_permissions(file, 0o644)
                iso_node_set_mtime(file, now); iso_node_set_atime(file, now); iso_node_set_ctime(file, now)
            }
        }
        var optsOpt: OpaquePointer?
        r = iso_write_opts_new(&optsOpt, 0)
        guard r >= 0, let opts = optsOpt else { throw isoError(path: output, "iso_write_opts_new", function: "iso_write_opts_new", r) }
        defer { iso_write_opts_free(opts) }
        iso_write_opts_set_iso_level(opts, 1)
        iso_write_opts_set_rockridge(opts, options.rockRidge ? 1 : 0)
        iso_write_opts_set_joliet(opts, options.joliet ? 1 : 0)
        // Files 644, folders 755, owned by root, whatever the sources were (PS3.12 P: everyone may read).
        iso_write_opts_set_replace_mode(opts, 2, 2, 1, 1)
        iso_write_opts_set_default_file_mode(opts, 0o644)
        iso_write_opts_set_default_dir_mode(opts, 0o755)
        iso_write_opts_set_fifo_size(opts, 2048)  // 2048 blocks of 2 KiB: a 4 MiB ring buffer
        var srcOpt: UnsafeMutablePointer<burn_source>?
        r = iso_image_create_burn_source(image, opts, &srcOpt)
        guard r >= 0, let src = srcOpt else { throw isoError(path: output, "iso_image_create_burn_source", function: "iso_image_create_burn_source", r) }
        defer { cisofs_free(src) }
        let total = Int64(src.pointee.get_size?(src) ?? 0)
        let fd = open(output, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        guard fd >= 0 else { cisofs_cancel(src); throw ImageError.system(path: output, "cannot create", function: "open") }
        defer { close(fd) }
        let block = 2048 * 32
        var buf = [UInt8](repeating: 0, count: block)
        var written: Int64 = 0, flushed: Int64 = 0
        while true {
            // libisofs's ring buffer answers a read of N bytes with N bytes, or with 0 at its end even
            // when part was there: while the image size says 64 KiB are still to come, one read takes
            // them all (one hand-over between threads instead of 32); the tail goes 2 KiB at a time.
            var filled = 0
            var eof = false
            let whole = total > 0 && total - written >= Int64(block)
            while filled < block {
                let want = whole ? block - filled : 2048
                let n = buf.withUnsafeMutableBufferPointer { cisofs_read(src, $0.baseAddress! + filled, Int32(want)) }
                if n < 0 {
                    cisofs_cancel(src)
                    throw ImageError(
                        .libraryFailed, path: output, "libisofs failed while writing the image (a source file unreadable or changed?)",
                        cause: LibraryCallError(library: "libisofs", function: "burn_source read", code: Int(n), message: "read failed"))
                }
                if n == 0 { eof = true; break }
                filled += Int(n)
            }
            var off = 0
            while off < filled {
                let w = buf.withUnsafeBytes { Glibc.write(fd, $0.baseAddress! + off, filled - off) }
                if w < 0 {
                    if errno == EINTR { continue }
                    let e = errno; cisofs_cancel(src)
                    throw ImageError.system(path: output, "write failed", function: "write", errno: e)
                }
                off += w
            }
            written += Int64(filled)
            // Writeback of every 8 MiB starts while the rest is made: the disk works alongside
            // libisofs, and the fsync below waits only for the tail (durability unchanged).
            if written - flushed >= 8 << 20 {
                _ = cisofs_start_writeback(fd, Int(flushed), Int(written - flushed))
                flushed = written
            }
            progress?(written, total)
            if eof { break }
        }
        if fsync(fd) != 0 { throw ImageError.system(path: output, "fsync failed", function: "fsync") }
    }

    // MARK: libarchive

    private static func writeLibarchive(files: [ImageFile], to output: String, options: ISOWriteOptions) throws {
        guard let a = archive_write_new() else { throw ImageError(.libraryFailed, path: output, "libarchive: out of memory") }
        defer { archive_write_free(a) }
        func check(_ r: Int32, _ what: String) throws {
            if r != ARCHIVE_OK && r != ARCHIVE_WARN {
                throw ImageError(.libraryFailed, path: output, "\(what): \(ArchiveReader.message(a))", cause: ArchiveReader.cause(a, "archive_write"))
            }
        }
        try check(archive_write_set_format_iso9660(a), "iso9660 format")
        try check(archive_write_set_format_option(a, "iso9660", "iso-level", "1"), "iso-level")
        try check(archive_write_set_format_option(a, "iso9660", "volume-id", options.volumeID), "volume-id")
        try check(archive_write_set_format_option(a, "iso9660", "joliet", options.joliet ? "1" : nil), "joliet")
        try check(archive_write_set_format_option(a, "iso9660", "rockridge", options.rockRidge ? "1" : nil), "rockridge")
        if let p = options.publisher { try check(archive_write_set_format_option(a, "iso9660", "publisher", p), "publisher") }
        if let ap = options.application { try check(archive_write_set_format_option(a, "iso9660", "application-id", ap), "application-id") }
        try check(archive_write_open_filename(a, output), "open")
        guard let entry = archive_entry_new() else { throw ImageError(.libraryFailed, path: output, "libarchive: out of memory") }
        defer { archive_entry_free(entry) }
        let now = time(nil)
        var made = Set<String>()
        func header(_ path: String, dir: Bool, size: Int64) throws {
            archive_entry_clear(entry)
            archive_entry_set_pathname(entry, path)
            archive_entry_set_filetype(entry, UInt32(dir ? 0o040000 : 0o100000))  // AE_IFDIR / AE_IFREG
            archive_entry_set_perm(entry, dir ? 0o755 : 0o644)
            archive_entry_set_size(entry, size)
            archive_entry_set_mtime(entry, now, 0)
            try check(archive_write_header(a, entry), "header of \(path)")
        }
        var buf = [UInt8](repeating: 0, count: 1 << 20)
        for f in files {
            let parts = f.path.split(separator: "/").map(String.init)
            for k in 1..<max(1, parts.count) {
                let d = parts[0..<k].joined(separator: "/")
                if made.insert(d).inserted { try header(d, dir: true, size: 0) }
            }
            switch f.content {
            case .bytes(let b):
                try header(f.path, dir: false, size: Int64(b.count))
                if archive_write_data(a, b, b.count) < 0 {
                    throw ImageError(
                        .libraryFailed, path: output, "writing \(f.path): \(ArchiveReader.message(a))", cause: ArchiveReader.cause(a, "archive_write_data"))
                }
            case .file(let src):
                let fd = open(src, O_RDONLY)
                guard fd >= 0 else { throw ImageError.system(path: src, "cannot open", function: "open") }
                defer { close(fd) }
                var st = stat()
                fstat(fd, &st)
                try header(f.path, dir: false, size: Int64(st.st_size))
                while true {
                    let n = buf.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
                    if n == 0 { break }
                    if n < 0 { if errno == EINTR { continue }; throw ImageError.system(path: src, "read failed", function: "read") }
                    if archive_write_data(a, buf, n) < 0 {
                        throw ImageError(
                            .libraryFailed, path: output, "writing \(f.path): \(ArchiveReader.message(a))", cause: ArchiveReader.cause(a, "archive_write_data"))
                    }
                }
            }
        }
        try check(archive_write_close(a), "finishing the image")
        fsyncPath(output)
    }
}

/// `path` made absolute against the current directory (libisofs takes absolute paths only).
func absolutePath(_ path: String) -> String {
    if path.hasPrefix("/") { return path }
    var buf = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
    guard getcwd(&buf, buf.count) != nil else { return path }
    let bytes = buf.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }
    return String(decoding: bytes, as: UTF8.self) + "/" + path
}
