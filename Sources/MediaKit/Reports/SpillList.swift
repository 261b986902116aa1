import FileSystem
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// A report entry that a ``SpillList`` holds as bytes.
public protocol Spillable: Sendable {
    /// Appends the entry's bytes to `out`.
    func spill(into out: inout [UInt8])
    /// The entry `spill(into:)` wrote.
    init(unspilling bytes: inout SpillReader)
}

/// Reads the fields of one spilled entry in the order they were written.
public struct SpillReader {
    let bytes: [UInt8]
    var at = 0

    /// A string written by ``SpillWriter/string(_:into:)``, or nil.
    public mutating func string() -> String? {
        guard at + 4 <= bytes.count else { return nil }
        let n = Int(UInt32(bytes[at]) | UInt32(bytes[at + 1]) << 8 | UInt32(bytes[at + 2]) << 16 | UInt32(bytes[at + 3]) << 24)
        at += 4
        guard n != 0xFFFF_FFFF, at + n <= bytes.count else { return nil }
        defer { at += n }
        return String(decoding: bytes[at..<at + n], as: UTF8.self)
    }
}

/// Writes the fields of one entry for a ``SpillReader``.
public enum SpillWriter {
    /// A length (UInt32 LE, all ones for nil) then the UTF-8 bytes.
    public static func string(_ s: String?, into out: inout [UInt8]) {
        guard let s else {
            out += [0xFF, 0xFF, 0xFF, 0xFF]
            return
        }
        let n = UInt32(s.utf8.count)
        out += [UInt8(n & 0xFF), UInt8(n >> 8 & 0xFF), UInt8(n >> 16 & 0xFF), UInt8(n >> 24)]
        out += s.utf8
    }
}

/// An append-only list of report entries (one per file of an import) that keeps them in an anonymous file in
/// `directory` once they pass 64 KiB: a report of 100,000 files holds 8 bytes per entry in memory, not its
/// strings. The file has no name (O_TMPFILE; a name unlinked at once where that is not supported), so it goes
/// with the process. Without a directory, or when the file cannot be made or written (a full disk), the
/// entries stay in memory: nothing is lost.
public struct SpillList<Element: Spillable>: Sendable, RandomAccessCollection {
    final class Storage: Sendable {
        struct State {
            var directory: String?
            var fd: Int32 = -1
            /// The file could not be made or written: everything stays in `buffer`.
            var inMemory = false
            /// Bytes in the file; `buffer` holds the entries after them.
            var spilled = 0
            var buffer: [UInt8] = []
            /// Where each entry ends, counted from the start of the file.
            var ends: [Int] = []
        }
        let state: Mutex<State>
        /// Buffered bytes that make a flush.
        let threshold: Int
        init(directory: String?, threshold: Int) {
            state = Mutex(State(directory: directory))
            self.threshold = threshold
        }
        deinit { state.withLock { if $0.fd >= 0 { close($0.fd) } } }
    }

    private var storage: Storage

    /// A list whose entries spill into an anonymous file in `directory` (nil: kept in memory) once `threshold`
    /// bytes of them are buffered.
    public init(directory: String?, threshold: Int = 64 * 1024) { storage = Storage(directory: directory, threshold: threshold) }
    /// A list held in memory.
    public init() { self.init(directory: nil) }

    /// Bytes of entries in the file (the rest are in memory).
    var spilledBytes: Int { storage.state.withLock { $0.spilled } }

    public var startIndex: Int { 0 }
    public var endIndex: Int { storage.state.withLock { $0.ends.count } }

    public subscript(i: Int) -> Element {
        var reader = SpillReader(bytes: storage.state.withLock { s in Self.bytes(of: i, in: s) })
        return Element(unspilling: &reader)
    }

    /// Entry `i`'s bytes, from the file or the buffer (a flush writes whole entries, so none is split).
    private static func bytes(of i: Int, in s: Storage.State) -> [UInt8] {
        let start = i == 0 ? 0 : s.ends[i - 1], end = s.ends[i]
        if start >= s.spilled { return Array(s.buffer[(start - s.spilled)..<(end - s.spilled)]) }
        var out = [UInt8](repeating: 0, count: end - start)
        do { try out.withUnsafeMutableBytes { try preadAll(s.fd, $0, at: start) } } catch {
            // The file was written by this process and is held open: a failed read means the disk failed under it.
            preconditionFailure("the report's spill file could not be read back (\(error))")
        }
        return out
    }

    public mutating func append(_ element: Element) {
        if !isKnownUniquelyReferenced(&storage) { storage = copy() }
        var bytes: [UInt8] = []
        element.spill(into: &bytes)
        let threshold = storage.threshold
        storage.state.withLock { s in
            s.buffer += bytes
            s.ends.append(s.spilled + s.buffer.count)
            if s.buffer.count >= threshold && !s.inMemory { Self.flush(&s) }
        }
    }

    /// Removes the entries `shouldRemove` picks (the list is written again, in the same place).
    public mutating func removeAll(where shouldRemove: (Element) throws -> Bool) rethrows {
        var kept = SpillList(directory: storage.state.withLock { $0.directory }, threshold: storage.threshold)
        for e in self where try !shouldRemove(e) { kept.append(e) }
        self = kept
    }

    /// Changes every entry with `body` (the list is written again, in the same place).
    public mutating func updateEach(_ body: (inout Element) throws -> Void) rethrows {
        var changed = SpillList(directory: storage.state.withLock { $0.directory }, threshold: storage.threshold)
        for var e in self {
            try body(&e)
            changed.append(e)
        }
        self = changed
    }

    /// Writes the buffer to the file (made on the first flush); on a failure the entries stay in memory.
    private static func flush(_ s: inout Storage.State) {
        if s.fd < 0 {
            guard let dir = s.directory, let fd = anonymousFile(in: dir) else { s.inMemory = true; return }
            s.fd = fd
        }
        let at = s.spilled
        do { try s.buffer.withUnsafeBytes { try pwriteAll(s.fd, $0, at: at) } } catch {
            s.inMemory = true  // what was written stays unused: the buffer still holds it all
            return
        }
        s.spilled += s.buffer.count
        s.buffer = []
    }

    /// A storage of its own with the same entries (a copy of the list was appended to).
    private func copy() -> Storage {
        storage.state.withLock { s in
            let new = Storage(directory: s.directory, threshold: storage.threshold)
            new.state.withLock { n in
                n.inMemory = true  // a copy is rare (a report copied, then both appended to): it stays in memory
                for i in s.ends.indices { n.buffer += Self.bytes(of: i, in: s) }
                n.ends = s.ends
            }
            return new
        }
    }
}

extension SpillList: ExpressibleByArrayLiteral {
    /// A list held in memory with these entries.
    public init(arrayLiteral elements: Element...) {
        self.init()
        for e in elements { append(e) }
    }
}
