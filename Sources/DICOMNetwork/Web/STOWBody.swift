import DICOMCore
import FileSystem
import Glibc
import NIOCore

/// The body of a STOW-RS request (PS3.18 §10.5.1.2): a multipart/related body with one
/// `application/dicom` part per Part 10 file, the files read from disk in chunks as the request is sent.
public struct STOWBody: AsyncSequence, Sendable {
    public typealias Element = ByteBuffer
    enum Piece: Sendable { case bytes([UInt8]), file(path: String, size: Int) }
    let pieces: [Piece]
    /// The body's length in bytes (the files' sizes when the body was made).
    public let length: Int
    /// The Content-Type header: `multipart/related; type="application/dicom"; boundary="..."`.
    public let contentType: MediaType
    let chunkSize: Int

    /// A body for `files`, each sized now; an unreadable file is a `web-file` error.
    public init(files: [String], boundary: String = MultipartWriter.randomBoundary(), chunkSize: Int = 256 << 10) throws(NetworkError) {
        var writer = try MultipartWriter(boundary: boundary)
        var pieces: [Piece] = []
        var length = 0
        for path in files {
            var st = stat()
            guard stat(path, &st) == 0, (st.st_mode & S_IFMT) == S_IFREG else {
                throw NetworkError(.webFile, "cannot read the file to send", path: path, cause: SystemErrno.current("stat"))
            }
            let head = writer.partHead(headers: [("Content-Type", "application/dicom")])
            pieces += [.bytes(head), .file(path: path, size: Int(st.st_size))]
            length += head.count + Int(st.st_size)
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
