import DICOMCore
import Foundation
import MediaImage

/// An ISO 9660 image (or ZIP/tar archive) read as a medium without mounting it (PS3.12 Annex F):
/// extracted once, sequentially, by libarchive into a private temporary folder that is removed
/// when the medium is released; entries that would leave the root are refused by the extraction.
public final class ImageMedium: MediumReader, @unchecked Sendable {
    public let location: String
    public var kind: String { location.lowercased().hasSuffix(".zip") ? "zip" : location.lowercased().hasSuffix(".tar") ? "tar" : "iso" }
    private let folder: FolderMedium
    private let dir: String

    public init(image: String) throws {
        location = image
        dir = NSTemporaryDirectory() + "dicom-media-medium-\(getpid())-\(UID.make().suffix(12))"
        try FileSetImage.checkImage(image)
        do {
            _ = try ArchiveReader(path: image).extract(to: dir)
        } catch let e as ImageError {
            try? FileManager.default.removeItem(atPath: dir)
            throw MediaError(.unreadable, e.message, path: e.path)
        }
        folder = FolderMedium(root: dir)
    }

    deinit { try? FileManager.default.removeItem(atPath: dir) }

    /// The folder the image was extracted into (removed with the medium).
    public var extractedRoot: String { dir }

    public func files() throws -> [MediumFile] { try folder.files() }
    public func read(_ path: String) throws -> [UInt8] { try folder.read(path) }
    public func readPrefix(_ path: String, count: Int) throws -> [UInt8] { try folder.readPrefix(path, count: count) }
}
