import DICOMCore
import DICOMFileSet
import DICOMIO
import Foundation
import MediaImage

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
    /// Folder holding README.TXT, INDEX.HTM, WEBINDEX.HTM and SERIES.HTM templates.
    public var templates: String
    public init(templates: String) { self.templates = templates }
}

/// Builds the PDI files from the File-set about to be written (so they list exactly what is on the medium).
public struct PDIWriter {
    public var options: PDIOptions
    public init(options: PDIOptions) { self.options = options }

    /// Largest side of a JPEG rendering (IHE PDI web content).
    public static let renderingSize = 512

    /// (path on the medium, bytes) of every PDI file; `copies` give the source of each File ID for renderings.
    public func files(for fs: FileSet, copies: [FileSetTransaction.Copy]) throws -> [(path: String, bytes: [UInt8])] {
        let source = Dictionary(copies.map { ($0.fileID.uppercased(), $0.source) }, uniquingKeysWith: { a, _ in a })
        let m = Manifest(fs)
        var out: [(String, [UInt8])] = []
        let plain = try baseVars(m)
        let vars = plain.mapValues(esc)
        var t = plain
        t["WEB"] =
            options.web
            ? "IHE_PDI/      web pages (XHTML) and JPEG renderings of one image per series,\n              for viewing in a web browser; they are not for diagnosis."
            : "              This medium holds no web content (DICOM only)."
        out.append(("README.TXT", Array(try render("README.TXT", t).utf8)))
        var v = vars
        v["MANIFEST"] = manifestHTML(m, seriesLink: nil)
        v["WEB_LINK"] =
            options.web
            ? "<p><a href=\"IHE_PDI/INDEX.HTM\">View the images in a web browser (IHE_PDI/INDEX.HTM)</a></p>"
            : "<p>DICOM ONLY: this medium holds no web content.</p>"
        out.append(("INDEX.HTM", Array(try render("INDEX.HTM", v).utf8)))
        guard options.web else { return out }

        var w = vars
        w["MANIFEST"] = manifestHTML(m) { n, _ in String(format: "S%07d.HTM", n + 1) }
        out.append(("IHE_PDI/INDEX.HTM", Array(try render("WEBINDEX.HTM", w).utf8)))
        for (n, s) in m.series.enumerated() {
            let base = String(format: "S%07d", n + 1)
            var p = vars
            p["PATIENT"] = esc(s.patient); p["STUDY"] = esc(s.studyLine); p["STUDY_UID"] = esc(s.studyUID)
            p["SERIES"] = esc(s.line); p["SERIES_UID"] = esc(s.uid); p["COUNT"] = String(s.instances.count)
            // One rendering per series: its middle image (web content is a viewing aid, not the data).
            let images = s.instances.filter { $0.type == .image }
            var imageHTML = "<p>This series has no images to render (\(esc(Set(s.instances.map(\.type.rawValue)).sorted().joined(separator: ", ")))).</p>"
            if !images.isEmpty {
                let rec = images[images.count / 2]
                let id = rec.referencedFileID?.path ?? ""
                do {
                    guard let src = source[id.uppercased()] else { throw MediaError(.renderFailed, "source of \(id) unknown") }
                    let jpeg = try Self.renderJPEG(path: src, size: Self.renderingSize)
                    out.append(("IHE_PDI/\(base).JPG", jpeg))
                    imageHTML =
                        "<p><img src=\"\(base).JPG\" alt=\"Image \(esc(rec.keys.string(.instanceNumber) ?? "")) of series \(esc(s.line))\" /></p>\n<p>Rendering of the DICOM file \(esc(id)) (windowed, at most \(Self.renderingSize) pixels; not for diagnosis).</p>"
                } catch {
                    imageHTML = "<p>No web rendering of \(esc(id)): \(esc("\(error)")). Open the DICOM files with a DICOM viewer.</p>"
                }
            }
            p["IMAGE"] = imageHTML
            p["INSTANCES"] = s.instances.map { r in
                "<tr><td>\(esc(r.type.rawValue))</td><td>\(esc(r.keys.string(.instanceNumber) ?? ""))</td><td>\(esc(r.referencedFileID?.path ?? ""))</td></tr>"
            }.joined(separator: "\n")
            out.append(("IHE_PDI/\(base).HTM", Array(try render("SERIES.HTM", p).utf8)))
        }
        return out
    }

    /// The first frame of a file as an 8-bit greyscale JPEG, windowed (Window Center/Width, else
    /// 1st-99th percentile) and letterboxed into size x size; compressed Pixel Data is decoded first.
    public static func renderJPEG(path: String, size: Int) throws -> [UInt8] {
        let icon = try IconImage.make(from: FileSetCreator.nativeDataSet(path), size: size)
        guard let pixels = icon[.pixelData]?.bytes, pixels.count >= size * size else { throw MediaError(.renderFailed, "no rendering") }
        do { return try JPEGEncoder.encodeGray(pixels, width: size, height: size, quality: 90) } catch let e as ImageError {
            throw MediaError(.renderFailed, e.message, cause: e)
        }
    }

    /// Template fields, unescaped (README.TXT); HTML pages escape them.
    func baseVars(_ m: Manifest) throws -> [String: String] {
        let date: String = {
            let f = DateFormatter(); f.locale = Locale(identifier: "en_US_POSIX"); f.dateFormat = "yyyy-MM-dd"
            return f.string(from: Date())
        }()
        return [
            "INSTITUTION": options.institution ?? "(not given)",
            "CONTACT": options.contact ?? "(not given)",
            "APPLICATION": options.application ?? "dicom-media \(Implementation.version)",
            "DATE": date,
            "FILESET_ID": m.fileSetID.isEmpty ? "(none)" : m.fileSetID,
            "PATIENTS": String(m.patients), "STUDIES": String(m.studies), "SERIES_COUNT": String(m.series.count),
            "INSTANCES": String(m.instances),
        ]
    }

    func manifestHTML(_ m: Manifest, seriesLink: ((Int, Manifest.Series) -> String)?) -> String {
        var rows: [String] = []
        var lastPatient = "", lastStudy = ""
        for (n, s) in m.series.enumerated() {
            if s.patientKey != lastPatient {
                rows.append("<tr class=\"patient\"><th colspan=\"4\">Patient: \(esc(s.patient))</th></tr>")
                lastPatient = s.patientKey; lastStudy = ""
            }
            if s.studyUID + s.patientKey != lastStudy {
                rows.append("<tr class=\"study\"><td colspan=\"3\">Study: \(esc(s.studyLine))</td><td class=\"uid\">\(esc(s.studyUID))</td></tr>")
                lastStudy = s.studyUID + s.patientKey
            }
            let label = seriesLink.map { "<a href=\"\($0(n, s))\">\(esc(s.line))</a>" } ?? esc(s.line)
            let numbers = s.instances.compactMap { $0.keys.integer(.instanceNumber) }
            let range = numbers.isEmpty ? "" : numbers.count == 1 ? " (number \(numbers[0]))" : " (numbers \(numbers.min()!)-\(numbers.max()!))"
            rows.append(
                "<tr class=\"series\"><td>Series: \(label)</td><td>\(s.instances.count) instance(s)\(range)</td><td>\(esc(s.folder))</td><td class=\"uid\">\(esc(s.uid))</td></tr>"
            )
        }
        return rows.joined(separator: "\n")
    }

    func render(_ name: String, _ vars: [String: String]) throws -> String {
        let path = options.templates + "/" + name
        guard let data = FileManager.default.contents(atPath: path), let text = String(data: data, encoding: .utf8) else {
            throw MediaError(.notFound, "PDI template missing (templates/pdi/\(name))", path: path)
        }
        var out = ""
        var rest = Substring(text)
        while let open = rest.range(of: "{{") {
            out += rest[..<open.lowerBound]
            guard let close = rest[open.upperBound...].range(of: "}}") else { rest = rest[open.lowerBound...]; break }
            let key = String(rest[open.upperBound..<close.lowerBound])
            guard let value = vars[key] else { throw MediaError(.badArgument, "PDI template uses unknown field {{\(key)}}", path: path) }
            out += value
            rest = rest[close.upperBound...]
        }
        out += rest
        return out
    }
}

/// Patients, studies and series of a File-set, in DICOMDIR order.
struct Manifest {
    struct Series {
        var patientKey: String, patient: String, studyUID: String, studyLine: String, uid: String, line: String, folder: String
        var instances: [DirectoryRecord]
    }
    var fileSetID: String
    var series: [Series] = []
    var patients = 0, studies = 0, instances = 0

    init(_ fs: FileSet) {
        fileSetID = fs.fileSetID
        for (pn, p) in fs.records.enumerated() where p.type == .patient {
            patients += 1
            let name = p.keys.personNames(.patientName)?.first?.description ?? ""
            let pid = p.keys.string(.patientID) ?? ""
            let pLine = "\(name.isEmpty ? "(no name)" : name) [ID \(pid)]" + (p.keys.string(.patientBirthDate).map { " born \($0)" } ?? "")
            for st in p.children where st.type == .study {
                studies += 1
                let uid = st.keys.string(.studyInstanceUID) ?? ""
                let sLine = [
                    st.keys.string(.studyDate) ?? "", st.keys.string(.studyDescription) ?? "",
                    st.keys.string(.accessionNumber).map { "accession \($0)" } ?? "",
                ].filter { !$0.isEmpty }.joined(separator: " ")
                for se in st.children where se.type == .series {
                    let insts = FileSetListing.sortedInstances(se.children.filter { $0.type != .private })
                    instances += insts.count
                    let folder = insts.compactMap(\.referencedFileID).first.map { $0.components.dropLast().joined(separator: "/") } ?? ""
                    let line = [
                        se.keys.string(.modality) ?? "", se.keys.string(.seriesNumber).map { "#\($0)" } ?? "",
                        se.keys.string(.seriesDescription) ?? "",
                        se.keys.string(.bodyPartExamined).map { "(\($0))" } ?? "",
                    ].filter { !$0.isEmpty && $0 != "()" }.joined(separator: " ")
                    series.append(
                        Series(
                            patientKey: "\(pn)", patient: pLine, studyUID: uid, studyLine: sLine.isEmpty ? "(no date)" : sLine,
                            uid: se.keys.string(.seriesInstanceUID) ?? "", line: line.isEmpty ? "(no modality)" : line,
                            folder: folder, instances: insts))
                }
            }
        }
    }
}

/// XML/HTML text escaping.
func esc(_ s: String) -> String {
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
