import CBurn
import CNativeLibraries
import DICOMCore
import DICOMStore
import Glibc
import Synchronization

// libburn's call order (libburn.h; its test/libburner.c): burn_initialize, burn_drive_scan_and_grab (a `stdio:` address
// is a pseudo-drive on a file, no further switch needed), burn_disc_get_status until it is not UNREADY, a disc of one
// session of one data track (MODE1) fed by a fifo over the image file, write options (TAO or SAO chosen by
// burn_write_opts_auto_write_type), burn_disc_write, burn_drive_get_status polled until IDLE (burn_drive_cancel to
// stop), burn_drive_wrote_well; then the drive is released and grabbed again (libburn advises it after a write), the
// written bytes read back with burn_read_data and hashed, and the drive released (ejecting a real drive). libburn is
// loaded on first use (Sources/CNativeLibraries): where it is missing, a burn is `burn-library-missing`, not a stop.
/// Burns an ISO image to an optical drive or a `stdio:` pseudo-drive with libburn, then verifies it by reading it back.
public final class DiscBurner: Sendable {
    /// The drive's libburn address: `/dev/sr0`, or `stdio:/path/file` for a file standing in for a drive.
    public let device: String
    /// Extra bytes written after the image on a real disc (libburner's default) so that read-ahead at its end succeeds.
    let tail: Int32

    public init(device: String) {
        self.device = device
        tail = device.hasPrefix("stdio:") ? 0 : 300 * 1024
    }

    /// What one burn wrote and what reading it back found.
    public struct Result: Sendable, Equatable {
        public var device: String
        public var bytes: Int64
        /// SHA-256 of the image, and of the same number of bytes read back from the disc.
        public var sha256: String
        public var readBack: String
        public var writeType: String
        public var verified: Bool { sha256 == readBack }

        public var json: JSON {
            .object([
                ("device", .string(device)), ("bytes", .int(bytes)), ("writeType", .string(writeType)), ("sha256", .string(sha256)),
                ("readBack", .string(readBack)), ("verified", .bool(verified)),
            ])
        }
    }

    /// Writes `image` as one session of one track, reports the bytes written, and reads them back. `cancelled` is asked
    /// while the drive writes; true stops the burn (`burn-cancelled`). Blocks the calling thread until the drive is idle.
    public func burn(
        image: String, progress: (_ written: Int64, _ total: Int64) -> Void = { _, _ in }, cancelled: () -> Bool = { false }
    ) throws(StationError) -> Result {
        var st = stat()
        guard stat(image, &st) == 0, (st.st_mode & S_IFMT) == S_IFREG, st.st_size > 0 else {
            throw StationError(.burnFailed, "the image is not a non-empty regular file", path: image)
        }
        let size = Int64(st.st_size)
        let sha = try Self.sha256(of: image)
        try LibBurn.acquire()
        defer { LibBurn.release() }
        var drive = try Grabbed(device)
        let role = burn_drive_get_drive_role(drive.drive)
        let writeType: String
        do { writeType = try write(image: image, size: size, drive: drive.drive, progress: progress, cancelled: cancelled) } catch {
            drive.release(eject: false)
            throw error
        }
        drive.release(eject: false)
        drive = try Grabbed(device)
        defer { drive.release(eject: role == 1) }
        let back = try readBack(drive.drive, bytes: size)
        return Result(device: device, bytes: size, sha256: sha, readBack: back, writeType: writeType)
    }

    /// The media check, the write and its polling; returns the write type used (TAO or SAO).
    func write(
        image: String, size: Int64, drive: OpaquePointer, progress: (Int64, Int64) -> Void, cancelled: () -> Bool
    ) throws(StationError) -> String {
        try checkMedia(drive, size: size)
        guard let disc = burn_disc_create(), let session = burn_session_create(), let track = burn_track_create() else {
            throw StationError(.burnFailed, "libburn cannot make a disc description")
        }
        defer { burn_track_free(track); burn_session_free(session); burn_disc_free(disc) }
        _ = burn_disc_add_session(disc, session, UInt32(BURN_POS_END))
        burn_track_define_data(track, 0, tail, 1, BURN_MODE1)
        guard let file = burn_file_source_new(image, nil) else { throw StationError(.burnFailed, "libburn cannot read the image", path: image) }
        // A 4 MiB fifo between the file and the drive, as libburner has.
        guard let fifo = burn_fifo_source_new(file, 2048, 2048, 0) else {
            burn_source_free(file)
            throw StationError(.burnFailed, "libburn cannot make its fifo")
        }
        burn_source_free(file)
        defer { burn_source_free(fifo) }
        guard burn_track_set_source(track, fifo) == BURN_SOURCE_OK else { throw StationError(.burnFailed, "libburn refused the image as a track") }
        _ = burn_session_add_track(session, track, UInt32(BURN_POS_END))
        guard let opts = burn_write_opts_new(drive) else { throw StationError(.burnFailed, "libburn cannot make write options") }
        burn_write_opts_set_perform_opc(opts, 0)
        burn_write_opts_set_multi(opts, 0)
        _ = burn_write_opts_set_simulate(opts, 0)
        _ = burn_write_opts_set_underrun_proof(opts, 1)
        burn_drive_set_speed(drive, 0, 0)
        var reasons = [CChar](repeating: 0, count: Int(BURN_REASONS_LEN))
        let type = burn_write_opts_auto_write_type(opts, disc, &reasons, 0)
        guard type == BURN_WRITE_TAO || type == BURN_WRITE_SAO else {
            burn_write_opts_free(opts)
            let why = LibBurn.string(reasons)
            throw StationError(.burnFailed, "neither TAO nor SAO can write this disc: \(why)\(LibBurn.messages())")
        }
        _ = LibBurn.messages()
        burn_disc_write(opts, disc)
        burn_write_opts_free(opts)
        var stop = false
        while burn_drive_get_status(drive, nil) == BURN_DRIVE_SPAWNING { usleep(50_000) }
        var p = burn_progress()
        while burn_drive_get_status(drive, &p) != BURN_DRIVE_IDLE {
            if p.sectors > 0 { progress(min(size, Int64(p.sector) * 2048), size) }
            if !stop && cancelled() {
                burn_drive_cancel(drive)
                stop = true
            }
            usleep(200_000)
        }
        // A failed or cancelled write reports the drive idle before its worker thread has ended; the disc, its track
        // and the fifo may be freed (and the drive used again) only after libburn's last message, "Burn run failed".
        if stop {
            let messages = LibBurn.messages(untilCode: LibBurn.burnRunFailed)
            throw StationError(.burnCancelled, "the burn was cancelled; the disc in \(device) is incomplete\(messages)")
        }
        guard burn_drive_wrote_well(drive) == 1 else {
            throw StationError(.burnFailed, "libburn did not write the disc well\(LibBurn.messages(untilCode: LibBurn.burnRunFailed))")
        }
        progress(size, size)
        return type == BURN_WRITE_TAO ? "TAO" : "SAO"
    }

    /// A blank or appendable disc with room for `size` bytes; anything else is a clear error.
    func checkMedia(_ drive: OpaquePointer, size: Int64) throws(StationError) {
        var status = burn_disc_get_status(drive)
        var waited = 0
        while status == BURN_DISC_UNREADY && waited < 600 {
            usleep(100_000)
            waited += 1
            status = burn_disc_get_status(drive)
        }
        switch status {
        case BURN_DISC_BLANK, BURN_DISC_APPENDABLE: break
        case BURN_DISC_EMPTY: throw StationError(.burnNoDisc, "there is no disc in \(device)")
        case BURN_DISC_FULL: throw StationError(.burnMedia, "the disc in \(device) is closed (full): it takes no more sessions")
        case BURN_DISC_UNREADY: throw StationError(.burnMedia, "the disc in \(device) did not become ready within 60 s")
        default: throw StationError(.burnMedia, "the disc in \(device) is not one libburn can write\(LibBurn.messages())")
        }
        let free = Int64(burn_disc_available_space(drive, nil))
        if free < size + Int64(tail) {
            throw StationError(.burnCapacity, "the image needs \(size + Int64(tail)) bytes; the disc in \(device) has \(free) free")
        }
    }

    /// SHA-256 of the first `bytes` bytes of the disc, read with libburn.
    func readBack(_ drive: OpaquePointer, bytes: Int64) throws(StationError) -> String {
        var hasher = SHA256Hasher()
        let chunk = 32 * 2048
        var buffer = [CChar](repeating: 0, count: chunk)
        var at: Int64 = 0
        while at < bytes {
            let want = Int(min(Int64(chunk), bytes - at))
            var count: off_t = 0
            // bit1: no message of its own for a read error (it is reported here), bit2: no retry block by block.
            guard burn_read_data(drive, off_t(at), &buffer, off_t(want), &count, 2 | 4) == 1, count == want else {
                throw StationError(.burnVerify, "the disc in \(device) cannot be read back at byte \(at + Int64(count))\(LibBurn.messages())")
            }
            buffer.withUnsafeBytes { hasher.update(UnsafeRawBufferPointer(rebasing: $0[0..<want])) }
            at += Int64(want)
        }
        return hasher.finalizeHex()
    }

    /// SHA-256 of a file, as 64 hex digits.
    static func sha256(of path: String) throws(StationError) -> String {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw StationError(.burnFailed, "the image cannot be opened: \(String(cString: strerror(errno)))", path: path) }
        defer { close(fd) }
        var hasher = SHA256Hasher()
        var buffer = [UInt8](repeating: 0, count: 1 << 20)
        while true {
            let n = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if n < 0 && errno == EINTR { continue }
            guard n >= 0 else { throw StationError(.burnFailed, "the image cannot be read: \(String(cString: strerror(errno)))", path: path) }
            if n == 0 { break }
            buffer.withUnsafeBytes { hasher.update(UnsafeRawBufferPointer(rebasing: $0[0..<n])) }
        }
        return hasher.finalizeHex()
    }

    /// A drive grabbed by its address, released once.
    struct Grabbed {
        let infos: UnsafeMutablePointer<burn_drive_info>
        let drive: OpaquePointer
        var held = true

        init(_ device: String) throws(StationError) {
            var list: UnsafeMutablePointer<burn_drive_info>?
            let r = device.withCString { burn_drive_scan_and_grab(&list, UnsafeMutablePointer(mutating: $0), 1) }
            guard r == 1, let list, let d = list[0].drive else {
                throw StationError(.burnDrive, "libburn cannot open the drive \(device)\(LibBurn.messages())")
            }
            infos = list
            drive = d
        }

        mutating func release(eject: Bool) {
            guard held else { return }
            held = false
            burn_drive_release(drive, eject ? 1 : 0)
            burn_drive_info_free(infos)
        }
    }
}

/// libburn's library state: initialised while a burn runs, shut down when the last one ends; its messages queued
/// (not printed) so that an error can carry them.
enum LibBurn {
    static let users = Mutex(0)

    static func acquire() throws(StationError) {
        guard dm_native_library_available(5 /* DM_LIBBURN, loader.h */) != 0 else {
            throw StationError(.burnLibraryMissing, "libburn (libburn.so.4, Debian's libburn4) cannot be loaded: the station cannot burn discs")
        }
        let ok = users.withLock { n -> Bool in
            if n == 0 {
                guard burn_initialize() != 0 else { return false }
                var queue = Array("SORRY".utf8CString), print = Array("NEVER".utf8CString), prefix = Array("libburn: ".utf8CString)
                _ = burn_msgs_set_severities(&queue, &print, &prefix)
            }
            n += 1
            return true
        }
        guard ok else { throw StationError(.burnLibraryMissing, "libburn cannot be initialised") }
    }

    static func release() {
        users.withLock { n in
            n -= 1
            if n == 0 { burn_finish() }
        }
    }

    /// A C string in a buffer, up to its NUL.
    static func string(_ c: [CChar]) -> String { String(decoding: c.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self) }

    /// libburn's code (libdax_msgs.h) of its last message after a write that did not end well.
    static let burnRunFailed: Int32 = 0x0002_010b

    /// The queued messages as `: first; second`, or "" (the queue is emptied). With `untilCode`, waits up to 30 s for
    /// the message with that code.
    static func messages(untilCode: Int32? = nil) -> String {
        var out: [String] = []
        var text = [CChar](repeating: 0, count: Int(BURN_MSGS_MESSAGE_LEN))
        var severity = [CChar](repeating: 0, count: 80)
        var code: Int32 = 0, osErrno: Int32 = 0
        var all = Array("ALL".utf8CString)
        var waited = 0
        var seen = untilCode == nil
        repeat {
            while burn_msgs_obtain(&all, &code, &text, &osErrno, &severity) == 1 {
                if out.count < 20 { out.append(string(text)) }
                seen = seen || code == untilCode
            }
            if !seen {
                usleep(100_000)
                waited += 1
            }
        } while !seen && waited < 300
        return out.isEmpty ? "" : ": " + out.joined(separator: "; ")
    }
}
