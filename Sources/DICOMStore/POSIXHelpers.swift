import CCrypto
import DICOMCore
import FileSystem
import Dispatch
#if canImport(Glibc)
import Glibc
#endif

// Small POSIX helpers of the store: folders, whole-file reads and writes, the durability barrier.

/// FileSystem's `makeDirectories` (the last folder gets `mode`; temporary folders: 0700), a failure as the
/// store's `io` error naming the folder, FileSystem's `SystemErrno` (call and errno) kept as its cause.
func createDirectories(_ path: String, mode: mode_t = 0o755) throws {
    do { try makeDirectories(path, mode: mode) } catch {
        throw StoreError(.io, "cannot create folder: \(error.text)", path: path, cause: error)
    }
}

/// syncfs(2) on the file system holding `path`: one durability barrier for a whole batch of files.
func syncFileSystem(_ path: String) {
    let fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
    if fd >= 0 { _ = dm_syncfs(fd); close(fd) }
}

/// `body(0..<n)` on all cores (nothing when `n` is 0).
func concurrentlyPerform(_ n: Int, _ body: @Sendable (Int) -> Void) {
    if n == 0 { return }
    DispatchQueue.concurrentPerform(iterations: n, execute: body)
}

/// Writes a new file (O_EXCL, mode 0600: stored copies hold patients' data), starting a large one's writeback; the error or nil.
func writeFile(_ path: String, _ bytes: [UInt8]) -> StoreError? {
    let fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
    if fd < 0 { return StoreError(.io, "cannot create \(path)", errno: errno, call: "open") }
    defer { close(fd) }
    var written = 0
    return bytes.withUnsafeBytes { p -> StoreError? in
        while written < p.count {
            let n = write(fd, p.baseAddress! + written, p.count - written)
            if n < 0 && errno == EINTR { continue }
            if n <= 0 { return StoreError(.io, "cannot write \(path)", errno: n == 0 ? ENOSPC : errno, call: "write") }
            written += n
        }
        // A large file goes to the disk now, alongside the reading and hashing of the next ones (the batch's syncfs,
        // still before the rename, finds less to do). Small files are left to syncfs, which merges them: starting each
        // one's writeback alone made 2,000 10 KiB files 1.28x slower to import.
        if bytes.count >= 1 << 17 { _ = dm_start_writeback(fd) }
        return nil
    }
}

/// Reads a whole file with read(2).
public func readWholeFile(_ path: String) throws -> [UInt8] {
    let fd = open(path, O_RDONLY | O_CLOEXEC)
    if fd < 0 { throw StoreError(.io, "cannot open", path: path, errno: errno, call: "open") }
    defer { close(fd) }
    var st = stat()
    guard fstat(fd, &st) == 0 else { throw StoreError(.io, "cannot stat", path: path, errno: errno, call: "fstat") }
    let size = Int(st.st_size)
    var failure: StoreError?
    let buf = [UInt8](unsafeUninitializedCapacity: size) { p, count in
        var done = 0
        while done < size {
            let n = read(fd, p.baseAddress! + done, size - done)
            if n < 0 {
                if errno == EINTR { continue }
                failure = StoreError(.io, "read failed at byte \(done)", path: path, errno: errno, call: "read"); break
            }
            if n == 0 { break }  // the file shrank while being read
            done += n
        }
        count = done
    }
    if let failure { throw failure }
    return buf
}
