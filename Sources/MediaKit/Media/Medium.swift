import DICOMFileSet
import DICOMIO

/// One file on a medium: its path relative to the medium's root ("/"-separated) and its size.
public struct MediumFile: Sendable, Hashable {
    public var path: String
    public var size: Int
    public init(path: String, size: Int) { self.path = path; self.size = size }
}

/// Read access to a removable medium (PS3.12): a mounted disc or folder, an ISO 9660 image, ...
/// Implementations must be safe to call from several threads at once (the import reads in parallel)
/// and must never read outside the medium.
public protocol MediumReader: Sendable {
    /// What the medium is, for reports: a folder path, or an image path.
    var location: String { get }
    /// "folder" or "iso": recorded as the provenance of stored instances.
    var kind: String { get }
    /// Every regular file on the medium, in a stable order; hidden names (".x") left out.
    func files() throws -> [MediumFile]
    /// The bytes of the file at `path` (relative, as `files()` gives it).
    func read(_ path: String) throws -> [UInt8]
    /// The first `count` bytes of the file (fewer when it is shorter): enough to tell a DICOM file
    /// from a viewer's executable without loading the whole of it.
    func readPrefix(_ path: String, count: Int) throws -> [UInt8]
    /// The files and the links skipped because they leave the medium or loop.
    func scan() throws -> MediumScan
    /// The file at `path` parsed as a Part 10 file (PS3.10 7), read in place where the medium allows it.
    func readDICOM(_ path: String, options: ReadOptions) throws -> DICOMFile
}

/// What a medium holds: its files, and the entries skipped (symbolic links out of it, loops).
public struct MediumScan: Sendable {
    public var files: [MediumFile] = []
    public var skipped: [(path: String, reason: String)] = []
    public init(files: [MediumFile] = [], skipped: [(path: String, reason: String)] = []) { self.files = files; self.skipped = skipped }
}

extension MediumReader {
    public func readPrefix(_ path: String, count: Int) throws -> [UInt8] { Array(try read(path).prefix(count)) }
    public func scan() throws -> MediumScan { MediumScan(files: try files()) }
    public func readDICOM(_ path: String, options: ReadOptions) throws -> DICOMFile {
        try Part10Reader.read(bytes: try read(path), path: path, options: options)
    }
}

/// Where a File ID led on a medium (PS3.10 §8.2).
public typealias MediumLookup = Medium.Match

/// The PS3.12 File ID lookup of ``Medium`` over a medium's file list (an image's entries, a folder's
/// walk): the same names, the same refusals (``Medium/problem(_:)``, ``Medium/normalisedPath(_:)``).
public struct MediumIndex: Sendable {
    public let files: [MediumFile]
    private let resolver: FileListResolver

    public init(files: [MediumFile]) {
        self.files = files
        resolver = FileListResolver(paths: files.map(\.path))
    }

    public func lookup(_ id: FileID) -> MediumLookup { resolver.resolve(id) }
}
