import DICOMCore
import DICOMFileSet
import DICOMIO

/// A medium seen by the File-set readers (`FileSetVerifier`, `FileSetListing`) as `FileSetFiles`.
public struct MediumFileSet: FileSetFiles {
    public let medium: MediumReader
    public init(medium: MediumReader) { self.medium = medium }
    public func filePaths() throws -> [String] { try medium.files().map(\.path) }
    public func readFile(_ path: String) throws -> [UInt8] { try medium.read(path) }
    public func readFilePrefix(_ path: String, count: Int) throws -> [UInt8] { try medium.readPrefix(path, count: count) }
    public func region(_ path: String) -> FileRegion? { (medium as? ImageMedium)?.region(path) }

    /// The DICOMDIR at the medium's root (any case, PS3.12): its location ("IMAGE", "IMAGE:NAME"),
    /// the File-set and the medium's file paths.
    static func read(_ medium: MediumReader) throws -> (FileSetLocation, FileSet, [String]) {
        let paths = try medium.files().map(\.path)
        switch FileListResolver(paths: paths).resolve(FileID(["DICOMDIR"])) {
        case .exact(let name), .variant(let name): return try read(medium, name: name, paths: paths)
        default:
            if let image = medium as? ImageMedium, let cut = image.problems.first(where: { $0.code == .imageTruncated }),
                image.problems.contains(where: { $0.code == .imageEntryBeyondEnd && ($0.fileID.map { ["DICOMDIR", "/"].contains($0.uppercased()) } ?? false) })
            {
                throw MediaError(
                    .unreadable, "\(cut.message); the DICOMDIR is among them (`import` salvages the \(paths.count) file(s) that read)", path: medium.location)
            }
            throw MediaError(.noDICOMDIR, "no DICOMDIR at the root of the image", path: medium.location)
        }
    }

    private static func read(_ medium: MediumReader, name: String, paths: [String]) throws -> (FileSetLocation, FileSet, [String]) {
        let loc = FileSetLocation(root: medium.location, dicomdir: medium.location + ":" + name)
        do {
            let file = try Part10Reader.read(bytes: try medium.read(name), path: loc.dicomdir)
            return (loc, DICOMDIRReader.read(consume file), paths)
        } catch let e as DICOMParseError {
            throw MediaError(.unreadable, "DICOMDIR cannot be read: \(e.description)", path: loc.dicomdir, cause: e)
        }
    }
}
