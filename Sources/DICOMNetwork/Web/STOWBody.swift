import DICOMCore
import FileSystem
import Glibc
import NIOCore

/// The body of a STOW-RS request (PS3.18 §10.5.1.2): a multipart/related body with one
/// `application/dicom` part per Part 10 file, the files read from disk in chunks as the request is sent.
public struct STOWBody: AsyncSequence, Sendable {
    public typealias Element = ByteBuffer
    enum Piece: Sendable {
        case bytes([UInt8]), file(path: String, size: Int), produced(name: String, length: Int, make: @Sendable () throws -> [UInt8])
    }

    /// One instance to send: a Part 10 file on disk, or Part 10 bytes made when the request reaches it.
    public enum Part: Sendable {
        case file(String)
        /// `length` bytes, made by `make` when they are sent (a different length is a `web-file` error naming `name`).
        case produced(name: String, length: Int, make: @Sendable () throws -> [UInt8])
    }
    let pieces: [Piece]
    /// The body's length in bytes (the files' sizes when the body was made).
    public let length: Int
    /// The Content-Type header: `multipart/related; type="application/dicom"; boundary="..."`.
    public let contentType: MediaType
    let chunkSize: Int

    /// A body for `files`, each sized now; an unreadable file is a `web-file` error.
    public init(files: [String], boundary: String = MultipartWriter.randomBoundary(), chunkSize: Int = 256 << 10) throws(NetworkError) {
        try self.init(parts: files.map { .file($0) }, boundary: boundary, chunkSize: chunkSize)
    }

    /// A body for `parts`, files sized now; an unreadable file is a `web-file` error.
    public init(parts: [Part], boundary: String = MultipartWriter.randomBoundary(), chunkSize: Int = 256 << 10) throws(NetworkError) {
        var writer = try MultipartWriter(boundary: boundary)
        var pieces: [Piece] = []
        var length = 0
        for part in parts {
            let head = writer.partHead(headers: [("Content-Type", "application/dicom")])
            switch part {
            case .produced(let name, let size, let make):
                pieces += [.bytes(head), .produced(name: name, length: size, make: make)]
                length += head.count + size
            case .file(let path):
                var st = stat()
                guard stat(path, &st) == 0, (st.st_mode & S_IFMT) == S_IFREG else {
                    throw NetworkError(.webFile, "cannot read the file to send", path: path, cause: SystemErrno.current("stat"))
                }
                pieces += [.bytes(head), .file(path: path, size: Int(st.st_size))]
                length += head.count + Int(st.st_size)
            }
        }
        let close = writer.close()
        pieces.append(.bytes(close))
        length += close.count
        self.pieces = pieces; self.length = length; self.chunkSize = Swift.max(chunkSize, 4096)
        contentType = writer.contentType(rootType: "application/dicom")
    }

    public func makeAsyncIterator() -> Iterator { Iterator(body: self) }

    /// Yields the pieces in order, each file in chunks of `chunkSize`.
    public struct Iterator: AsyncIteratorProtocol {
        let body: STOWBody
        var index = 0
        let file = OpenFile()
        var remaining = 0

        public mutating func next() async throws -> ByteBuffer? {
            while index < body.pieces.count {
                switch body.pieces[index] {
                case .bytes(let b):
                    index += 1
                    return ByteBuffer(bytes: b)
                case .produced(let name, let length, let make):
                    index += 1
                    let b: [UInt8]
                    do { b = try make() } catch { throw NetworkError(.webFile, "cannot read the instance to send: \(error)", path: name, cause: error) }
                    guard b.count == length else {
                        throw NetworkError(.webFile, "the instance changed while it was sent: \(b.count) bytes, not \(length)", path: name)
                    }
                    return ByteBuffer(bytes: b)
                case .file(let path, let size):
                    if file.fd < 0 {
                        file.fd = open(path, O_RDONLY | O_CLOEXEC)
                        guard file.fd >= 0 else { throw NetworkError(.webFile, "cannot open the file to send", path: path, cause: SystemErrno.current("open")) }
                        remaining = size
                    }
                    if remaining == 0 {
                        file.close(); index += 1
                        continue
                    }
                    var buffer = ByteBuffer()
                    let want = Swift.min(remaining, body.chunkSize)
                    let n = buffer.writeWithUnsafeMutableBytes(minimumWritableBytes: want) { p in read(file.fd, p.baseAddress, want) }
                    if n <= 0 {
                        let e = SystemErrno.current("read")
                        file.close()
                        throw NetworkError(
                            .webFile, n == 0 ? "the file became shorter while it was sent" : "cannot read the file to send", path: path, cause: n == 0 ? nil : e
                        )
                    }
                    remaining -= n
                    return buffer
                }
            }
            return nil
        }
    }
}

/// The file being sent, closed when done or when the request is dropped midway.
final class OpenFile {
    var fd: Int32 = -1
    func close() {
        if fd >= 0 { _ = Glibc.close(fd) }
        fd = -1
    }
    deinit { close() }
}
