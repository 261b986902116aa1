import DICOMCore
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Bytes of a file loaded on demand, so a header-only read never touches the Pixel Data.
final class ByteSource {
    private(set) var bytes: [UInt8]
    /// The open file descriptor (-1 for bytes in memory).
    private(set) var fd: Int32 = -1
    private(set) var atEOF: Bool
    let path: String?
    let chunk: Int

    init(bytes: [UInt8], path: String? = nil) {
        self.bytes = bytes; atEOF = true; self.path = path; chunk = 0
    }

    /// Opens the file; reads nothing yet.
    init(path: String, chunk: Int = 256 * 1024) throws {
        self.path = path; self.chunk = chunk; bytes = []; atEOF = false
        var st = stat()
        guard stat(path, &st) == 0 else {
            throw DICOMParseError(.io, "cannot open: \(String(cString: strerror(errno)))", path: path, offset: 0)
        }
        if (st.st_mode & S_IFMT) == S_IFDIR { throw DICOMParseError(.isDirectory, "is a directory, not a file", path: path, offset: 0) }
        fd = open(path, O_RDONLY)
        guard fd >= 0 else { throw DICOMParseError(.io, "cannot open: \(String(cString: strerror(errno)))", path: path, offset: 0) }
        bytes.reserveCapacity(Int(min(Int64(chunk), Int64(st.st_size))))
    }
    deinit { if fd >= 0 { close(fd) } }

    /// Makes sure bytes[0..<end] is loaded if the file has that many; returns whether it does.
    /// Reads go into uninitialised memory (no zero fill) in chunks that grow with the file.
    @discardableResult
    func ensure(_ end: Int) -> Bool {
        if end <= bytes.count { return true }
        while !atEOF && bytes.count < end {
            let want = max(bytes.isEmpty ? min(chunk, 64 * 1024) : max(chunk, bytes.count), end - bytes.count)
            let fd = self.fd
            var eof = false
            let piece = [UInt8](unsafeUninitializedCapacity: want) { buf, initialized in
                var got = 0
                while got < want {
                    let n = read(fd, buf.baseAddress! + got, want - got)
                    if n < 0 && errno == EINTR { continue }
                    if n <= 0 { eof = true; break }
                    got += n
                }
                initialized = got
            }
            if eof { atEOF = true }
            bytes.append(contentsOf: piece)
        }
        return end <= bytes.count
    }
    /// Loads everything.
    func loadAll() { while !atEOF { ensure(bytes.count + max(chunk, 1 << 20)) } }
    func replace(with newBytes: [UInt8]) { bytes = newBytes; atEOF = true }
}
