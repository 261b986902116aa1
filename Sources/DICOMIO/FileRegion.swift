/// The bytes of one file lying contiguously inside an open file, e.g. a file's extent in an ISO 9660
/// image (ECMA-119 6.5): read in place with `pread`, nothing copied out first. The descriptor
/// belongs to whoever made the region and must stay open while it is read.
public struct FileRegion: Sendable, Hashable {
    /// The open file holding the bytes.
    public var fd: Int32
    /// Where the file's first byte lies in `fd`.
    public var offset: Int64
    /// The file's size in bytes.
    public var size: Int
    public init(fd: Int32, offset: Int64, size: Int) { self.fd = fd; self.offset = offset; self.size = size }
}
