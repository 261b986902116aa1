import DICOMFileSet
import MediaImage

extension ImageOutput {
    /// The name of the default image writer (libisofs).
    public static let defaultEngineName = ISOWriteOptions.Engine.libisofs.rawValue

    /// The image options of `create --iso` and `iso`, checked: the writer by name (libisofs or
    /// libarchive), then the volume identifier, upper-cased (ECMA-119 7.4.1 d-characters, 8.4.6);
    /// a bad one is a `.badArgument` error.
    public static func checked(path: String, volumeID: String?, rockRidge: Bool, engine: String) throws -> ImageOutput {
        var image = ImageOutput(path: path)
        image.volumeID = volumeID?.uppercased()
        image.rockRidge = rockRidge
        guard let e = ISOWriteOptions.Engine(rawValue: engine) else { throw MediaError(.badArgument, "--iso-writer: libisofs or libarchive") }
        image.engine = e
        if let v = image.volumeID, let why = ISOWriter.volumeIDProblem(v) { throw MediaError(.badArgument, "--volume-id '\(v)' \(why)") }
        return image
    }
}

extension PDIOptions {
    /// PDI options whose templates are the `pdi` folder of the templates found as layouts are
    /// (DICOM_MEDIA_TEMPLATES, or beside the binary); none found is a `.badArgument` error.
    public static func withDefaultTemplates() throws -> PDIOptions {
        guard let dir = FileIDLayout.defaultTemplatesDirectory() else {
            throw MediaError(.badArgument, "templates folder not found: set DICOM_MEDIA_TEMPLATES")
        }
        return PDIOptions(templates: dir + "/pdi")
    }
}
