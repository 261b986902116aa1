import DICOMCore
import DICOMFileSet
import DICOMIO
import Foundation

/// Builds the PDI files from the File-set about to be written (so they list exactly what is on the medium), from the
/// templates README.TXT, INDEX.HTM (the root's and IHE_PDI's), SERIES.HTM and LABEL.TXT of `PDIOptions.templates`, each
/// replaceable from `userTemplates`.
public struct PDIWriter {
    public var options: PDIOptions
    public init(options: PDIOptions) { self.options = options }

    /// Largest side of a JPEG rendering (IHE PDI web content).
    public static let renderingSize = PDIRenderer.size

    /// What the PDI writer adds to a medium: files (path on the medium, bytes), and the key images that could not be
    /// rendered (their pages say "This image cannot be shown"; the reason is for the report only).
    public struct Output {
        public var files: [(path: String, bytes: [UInt8])] = []
        public var problems: [FileSetProblem] = []
        /// The lines of the disc label and case insert (LABEL.TXT), when either is asked for.
        public var labelLines: [String] = []

        /// Writes the disc label and case insert the options ask for (beside the medium, never on it).
        public func writeLabels(_ options: PDIOptions) throws {
            if let label = options.label { try PDILabel.write(labelLines, kind: .disc, to: label) }
            if let insert = options.insert { try PDILabel.write(labelLines, kind: .insert, to: insert) }
        }
    }

    /// (path on the medium, bytes) of every PDI file; `copies` give the source of each File ID for renderings.
    public func files(for fs: FileSet, copies: [FileSetTransaction.Copy]) throws -> [(path: String, bytes: [UInt8])] {
        try output(for: fs, copies: copies).files
    }

    /// The PDI files and the problems met making them; `copies` give the source of each File ID.
    public func output(for fs: FileSet, copies: [FileSetTransaction.Copy]) throws -> Output {
        let source = Dictionary(copies.map { ($0.fileID.uppercased(), $0.source) }, uniquingKeysWith: { a, _ in a })
        // Templates first: a bad one fails before any rendering work.
        let readme = try template("README.TXT"), index = try template("INDEX.HTM")
        let seriesPage = options.web ? try template("SERIES.HTM") : nil
        let content = PDIContent(fs, source: source)
        let renderings = options.web ? PDIRenderer.render(content, source: source) : content.series.map { _ in [] }
        let context = PDIContext(content: content, renderings: renderings, locale: options.locale, web: options.web)
        var medium = context.medium(options)
        medium["DISC"] = .text(options.discCount > 1 ? "Disc \(options.discNumber) of \(options.discCount)" : "")
        medium["DISC_NUMBER"] = .text(String(options.discNumber))
        medium["DISC_COUNT"] = .text(String(options.discCount))
        // The same INDEX.HTM template makes the root index and IHE_PDI's (links relative to each).
        func indexPage(inWeb: Bool) throws -> [UInt8] {
            var fields = medium.merging(context.patients(linkPrefix: inWeb ? "" : "IHE_PDI/")) { a, _ in a }
            fields["IN_WEB"] = .flag(inWeb)
            fields["TOP"] = .text(inWeb ? "../" : "")
            return Array(try index.render(fields, escape: escapeXML).utf8)
        }
        var out = Output()
        out.files.append(("README.TXT", Array(try readme.render(medium.merging(context.patients(linkPrefix: "")) { a, _ in a }, escape: { $0 }).utf8)))
        out.files.append(("INDEX.HTM", try indexPage(inWeb: false)))
        // Labels are written after the medium: one already there stops the run before anything is written.
        for path in [options.label, options.insert].compactMap({ $0 }) where FileManager.default.fileExists(atPath: path) {
            throw MediaError(.refused, "already exists; it is never overwritten", path: path)
        }
        if options.label != nil || options.insert != nil {
            let text = try template("LABEL.TXT").render(medium.merging(context.patients(linkPrefix: "")) { a, _ in a }, escape: { $0 })
            out.labelLines = text.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        }
        guard let seriesPage else { return out }
        out.files.append(("IHE_PDI/INDEX.HTM", try indexPage(inWeb: true)))
        func addSeriesPage(_ s: PDIContent.Series, of st: PDIContent.Study, _ p: PDIContent.Patient) throws {
            for r in renderings[s.index] {
                if let jpeg = r.jpeg {
                    out.files.append(("IHE_PDI/" + r.name, jpeg))
                } else {
                    out.problems.append(
                        FileSetProblem(
                            .warning, .pdiImageNotShown, "no web rendering (the page says the image cannot be shown): \(r.failure ?? "")",
                            fileID: r.fileID, rule: "IHE PDI web content"))
                }
            }
            let page = medium.merging(context.seriesPage(s, of: st, p)) { _, b in b }
            out.files.append(("IHE_PDI/" + PDIContext.page(s.index), Array(try seriesPage.render(page, escape: escapeXML).utf8)))
        }
        for p in content.patients {
            for st in p.studies {
                for s in st.series { try addSeriesPage(s, of: st, p) }
            }
        }
        return out
    }

    /// The template `name`: from `userTemplates` when it holds one, else from `templates`.
    func template(_ name: String) throws -> PDITemplate {
        var path = options.templates + "/" + name
        if let user = options.userTemplates, FileManager.default.fileExists(atPath: user + "/" + name) { path = user + "/" + name }
        guard let data = FileManager.default.contents(atPath: path), let text = String(data: data, encoding: .utf8) else {
            throw MediaError(.notFound, "PDI template missing (templates/pdi/\(name))", path: path)
        }
        if name.hasSuffix(".HTM"), let found = Self.script(in: text) {
            throw MediaError(.badArgument, "PDI template \(name) holds \(found); IHE PDI pages hold no scripts", path: path)
        }
        return try PDITemplate(text, path: path)
    }

    /// A script in a page: a script element, an event handler attribute or a javascript: URL (IHE PDI allows none).
    static func script(in html: String) -> String? {
        let lower = html.lowercased()
        if lower.contains("<script") { return "a <script> element" }
        if lower.contains("javascript:") { return "a javascript: URL" }
        if let r = lower.range(of: #"\son[a-z]+\s*="#, options: .regularExpression) {
            return "an event handler (\(lower[r].trimmingCharacters(in: .whitespaces)))"
        }
        return nil
    }
}

/// XML/HTML text escaping.
func escapeXML(_ s: String) -> String {
    var o = ""
    for c in s {
        switch c {
        case "&": o += "&amp;"
        case "<": o += "&lt;"
        case ">": o += "&gt;"
        case "\"": o += "&quot;"
        default: o.append(c)
        }
    }
    return o
}
