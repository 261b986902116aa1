import FileSystem
import DICOMCore
import DICOMFileSet
import DICOMPixel

/// The options of `create`, `update` and `export` as given on the command line, checked and resolved
/// into ``FileSetOptions``; a bad value is a `badArgument` MediaError whose message the CLI shows as a usage error.
public struct FileSetRequest: Sendable {
    /// Media application profile (PS3.11); nil: STD-GEN-CD, and `update` keeps the File-set's.
    public var profile: String?
    /// File ID layout: a name in the templates folder or a template file.
    public var layout = "standard"
    public var fileSetID: String?
    public var descriptor: String?
    public var icons = false
    public var strict = false
    public var dryRun = false
    /// YYYYMMDDHHMMSS (any separators); nil: now.
    public var exportTime: String?
    public var sourceAE: String?
    /// none, lossless or lossy (any case).
    public var compression = "lossless"
    public var recompress = false
    public var quality: Int?
    public var transform: (any InstanceTransform)?
    public var lockWait: Double = FileSetLock.defaultWait

    public init() {}

    /// The options, checked in the order the command line reports them.
    public func resolve() throws -> FileSetOptions {
        guard let mode = CompressionMode(rawValue: compression.lowercased()) else {
            throw MediaError(.badArgument, "--compression must be none, lossless or lossy, got '\(compression)'")
        }
        if let q = quality, !(1...100).contains(q) { throw MediaError(.badArgument, "--quality must be 1-100") }
        let profile = try Self.profile(named: self.profile ?? ApplicationProfile.default.id)
        var date: String, time: String
        if let t = exportTime {
            let digits = t.filter(\.isNumber)
            guard digits.count == 14, DICOMDate(String(digits.prefix(8))) != nil, DICOMTime(String(digits.suffix(6))) != nil else {
                throw MediaError(.badArgument, "--export-time must be YYYYMMDDHHMMSS, got '\(t)'")
            }
            date = String(digits.prefix(8)); time = String(digits.suffix(6))
        } else {
            (date, time) = FileSetOptions.now()
        }
        guard let dir = FileIDLayout.defaultTemplatesDirectory() ?? (isRegularFile(self.layout) ? "." : nil) else {
            throw MediaError(.badArgument, "templates folder not found: set DICOM_MEDIA_TEMPLATES")
        }
        let layout: FileIDLayout
        do { layout = try FileIDLayout.load(self.layout, templatesDirectory: dir) } catch {
            throw MediaError(.badArgument, "\(error)", cause: error)
        }
        var o = FileSetOptions(layout: layout, exportDate: date, exportTime: time)
        o.profile = profile; o.profileExplicit = self.profile != nil; o.fileSetID = fileSetID?.uppercased(); o.descriptor = descriptor; o.icons = icons
        o.strict = strict; o.dryRun = dryRun; o.sourceAETitle = sourceAE
        o.compression = mode; o.recompress = recompress; o.encodeParameters = EncodeParameters(quality: quality)
        o.transform = transform
        o.lockWait = lockWait
        return o
    }

    /// The profile of that name (PS3.11), or a `badArgument` error listing the known ones.
    public static func profile(named id: String) throws -> ApplicationProfile {
        guard let p = ApplicationProfile.named(id) else {
            throw MediaError(.badArgument, "unknown profile '\(id)'; known: \(ApplicationProfile.all.map(\.id).joined(separator: ", "))")
        }
        return p
    }

    /// The default profile's name (help texts).
    public static var defaultProfile: String { ApplicationProfile.default.id }
}
