import DICOMCore
import DICOMIO

/// Read-only access to the files of a File-set that is not a folder of the file system, e.g. an
/// ISO 9660 image read in place: the list of its regular files and their bytes, by path relative
/// to the File-set root ("/"-separated). Implementations never read outside the medium and are
/// safe to call from several threads at once.
public protocol FileSetFiles: Sendable {
    /// Every regular file of the medium, relative to its root, in a stable order.
    func filePaths() throws -> [String]
    /// The bytes of the file at `path` (as `filePaths()` gives it).
    func readFile(_ path: String) throws -> [UInt8]
    /// The first `count` bytes of the file (fewer when it is shorter).
    func readFilePrefix(_ path: String, count: Int) throws -> [UInt8]
    /// Where the file's bytes lie in one piece in an open file (an image's extent), so that they can
    /// be read in place (header and item headers only); nil when they do not (the file is then read whole).
    func region(_ path: String) -> FileRegion?
}

extension FileSetFiles {
    public func region(_ path: String) -> FileRegion? { nil }
}
