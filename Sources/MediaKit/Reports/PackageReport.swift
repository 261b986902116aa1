import DICOMCore

/// `iso FILESET FILE`: what packaging an existing File-set folder as an ISO 9660 image wrote.
public struct PackageReport: Sendable {
    public var result: FileSetPackager.Result

    /// Packages the File-set as `output` with the checked image options (see ``ImageOutput/checked(path:volumeID:rockRidge:engine:)``).
    public static func package(fileSet: String, image: ImageOutput) throws -> PackageReport {
        PackageReport(
            result: try FileSetPackager.package(fileSet: fileSet, to: image.path, volumeID: image.volumeID, rockRidge: image.rockRidge, engine: image.engine))
    }

    /// Links left out of the image (they leave the File-set or loop), each a stderr line; any makes exit 1.
    public var skippedLines: [String] { result.skipped.map { "iso: \($0.path): \($0.reason); left out" } }

    public var text: String { "iso \(result.image): volume '\(result.volumeID)', \(result.files) file(s), \(result.bytes) bytes of files" }

    /// `{image, volumeID, files, bytes, skipped [{path, reason}]}`.
    public var json: JSON {
        .object([
            ("image", .string(result.image)), ("volumeID", .string(result.volumeID)),
            ("files", .int(Int64(result.files))), ("bytes", .int(Int64(result.bytes))),
            ("skipped", .array(result.skipped.map { .object([("path", .string($0.path)), ("reason", .string($0.reason))]) })),
        ])
    }
}
