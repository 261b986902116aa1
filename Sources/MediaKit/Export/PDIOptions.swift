/// IHE Portable Data for Imaging content (RAD TF PDI; DICOM-MEDIA.md §4.8): README.TXT,
/// INDEX.HTM and, with `web`, an IHE_PDI folder of XHTML pages and JPEG renderings.
public struct PDIOptions: Sendable {
    /// Creating institution (README.TXT, INDEX.HTM, the image's publisher identifier).
    public var institution: String?
    /// Contact line for the institution (phone, address).
    public var contact: String?
    /// Creating application; default "dicom-media VERSION".
    public var application: String?
    public var web = false
    /// Folder holding the README.TXT, INDEX.HTM, SERIES.HTM and LABEL.TXT templates.
    public var templates: String
    /// A folder whose templates of those names replace the built-in ones (`--web-templates`); the others stay.
    public var userTemplates: String?
    /// Locale of dates and times (`--locale`); default the environment's, ISO 8601 when it names none.
    public var locale: PDILocale = .fromEnvironment()
    /// A disc label to write beside the medium (`--label`): a PDF, or a PNG when the name ends in .png.
    public var label: String?
    /// A case insert (front, 120 x 120 mm) to write beside the medium as a PDF (`--insert`).
    public var insert: String?
    /// This medium's number among the volumes of a split selection, and their count ("disc 1 of 3").
    public var discNumber = 1, discCount = 1
    public init(templates: String) { self.templates = templates }
}
