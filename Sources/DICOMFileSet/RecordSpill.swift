import FileSystem
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// An append-only anonymous file holding the packed keys of directory records (PS3.3 F.3.2.2) while a File-set is
/// built, so a tree of 100,000 instances keeps about 50 bytes an instance record in memory, not its keys.
///
/// Records spilled here (``DirectoryRecord/spill(into:)``) read their keys back on each use: from the last 64 KiB
/// written, still in memory, else from the file. A read that follows the one before it in the file reads the next
/// 64 KiB (a DICOMDIR is written in about the order its records were made); another is read alone and kept among
/// the last few (the patient, study and series an insert looks up again and again). The file is made in `directory` on the first flush and has no name
/// (``FileSystem/anonymousFile(in:)``). When it cannot be made or written (a full disk), records stay packed in
/// memory: nothing is lost.
public final class RecordSpill: Sendable {
    struct State {
        var fd: Int32 = -1
        /// The file could not be made or written: nothing more is spilled.
        var failed = false
        /// Bytes in the file; `buffer` holds what follows them.
        var spilled = 0
        var buffer: [UInt8] = []
        /// The last part read ahead from the file, and where it starts.
        var cache: [UInt8] = []
        var cacheStart = 0
        /// Where the last read from the file ended.
        var lastEnd = -1
        /// The last records read alone, by offset.
        var recent: [(offset: Int, bytes: [UInt8])] = []
    }
    /// Records read alone that are kept.
    static let recentCount = 4
    private let state = Mutex(State())
    let directory: String
    /// Buffered bytes that make a flush, and the size of a read from the file.
    let chunk: Int

    /// A spill whose file is made in `directory` (a private folder: the File-set's tool folder) when first needed.
    public init(directory: String, chunk: Int = 64 * 1024) {
        self.directory = directory
        self.chunk = chunk
    }
    deinit { state.withLock { if $0.fd >= 0 { close($0.fd) } } }

    /// Bytes held in the file, not in memory.
    public var spilledBytes: Int { state.withLock { $0.spilled } }

    /// Keeps `bytes` and returns where they are, or nil when the spill has failed (the caller keeps them).
    func append(_ bytes: [UInt8]) -> Int? {
        state.withLock { s -> Int? in
            guard !s.failed else { return nil }
            let at = s.spilled + s.buffer.count
            s.buffer += bytes
            if s.buffer.count >= chunk { flush(&s) }
            return at
        }
    }

    /// Writes the buffer to the file (made on the first flush). On a failure the buffer stays, and so readable,
    /// and later appends are refused.
    private func flush(_ s: inout State) {
        if s.fd < 0 {
            guard let fd = anonymousFile(in: directory) else { s.failed = true; return }
            s.fd = fd
        }
        let at = s.spilled
        do { try s.buffer.withUnsafeBytes { try pwriteAll(s.fd, $0, at: at) } } catch {
            s.failed = true
            return
        }
        s.spilled += s.buffer.count
        s.buffer.removeAll(keepingCapacity: true)
    }

    /// The `count` bytes kept at `offset` by ``append(_:)``.
    func read(at offset: Int, count: Int) -> [UInt8] {
        state.withLock { s in
            if offset >= s.spilled {
                let from = offset - s.spilled
                return Array(s.buffer[from..<from + count])
            }
            if offset >= s.cacheStart && offset + count <= s.cacheStart + s.cache.count {
                s.lastEnd = offset + count
                let from = offset - s.cacheStart
                return Array(s.cache[from..<from + count])
            }
            if let kept = s.recent.first(where: { $0.offset == offset && $0.bytes.count == count }) { return kept.bytes }
            let sequential = offset == s.lastEnd
            s.lastEnd = offset + count
            if sequential {
                // The records that follow are likely read next: the 64 KiB from here.
                s.cache = readFile(s.fd, at: offset, count: max(count, min(chunk, s.spilled - offset)))
                s.cacheStart = offset
                return Array(s.cache[0..<count])
            }
            let bytes = readFile(s.fd, at: offset, count: count)
            if s.recent.count == Self.recentCount { s.recent.removeFirst() }
            s.recent.append((offset, bytes))
            return bytes
        }
    }

    private func readFile(_ fd: Int32, at offset: Int, count: Int) -> [UInt8] {
        var bytes = [UInt8](repeating: 0, count: count)
        do { try bytes.withUnsafeMutableBytes { try preadAll(fd, $0, at: offset) } } catch {
            // The file was written by this process and is held open: a failed read means the disk failed under it.
            preconditionFailure("directory records spilled to an anonymous file in \(directory) could not be read back (\(error))")
        }
        return bytes
    }
}

/// Where a spilled record's packed keys are (``RecordSpill``).
final class SpilledKeys: Sendable {
    let spill: RecordSpill
    let offset: Int
    let count: Int
    init(spill: RecordSpill, offset: Int, count: Int) {
        self.spill = spill; self.offset = offset; self.count = count
    }
    var bytes: [UInt8] { spill.read(at: offset, count: count) }
}
