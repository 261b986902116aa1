import DICOMCore
import DICOMFileSet
import DICOMIO
import Foundation
import MediaImage

/// `verify --pdi`: the rules of DICOM-MEDIA.md §4.7-4.8 on a medium's root folder.
public enum PDIChecker {
    static let webExtensions: Set<String> = ["HTM", "HTML", "XHT", "JPG", "JPEG", "PNG", "GIF", "CSS", "TXT"]

    /// Problems found in the folder `root` with File-set `fs`.
    public static func check(root: String, fileSet fs: FileSet) -> [FileSetProblem] {
        check(medium: FolderMedium(root: root), fileSet: fs)
    }

    /// Problems found on `medium` (a folder, or an image read in place) with File-set `fs`.
    public static func check(medium: MediumReader, fileSet fs: FileSet) -> [FileSetProblem] {
        var problems: [FileSetProblem] = []
        let all = ((try? medium.files()) ?? []).map(\.path)
        let folders = Set(
            all.flatMap { p in
                let c = p.split(separator: "/").dropLast()
                return c.indices.map { c[c.startIndex...$0].joined(separator: "/").uppercased() }
            })
        let upper = Set(all.map { $0.uppercased() })
        var referenced = Set<String>()
        for (r, _) in fs.allRecords() { if let id = r.referencedFileID { referenced.insert(id.path.uppercased()) } }
        let dicomFolders = Set(referenced.compactMap { p in p.split(separator: "/").first.map(String.init) })
        for (name, rule) in [("DICOMDIR", "PS3.12 6.1 / IHE PDI"), ("README.TXT", "IHE PDI README.TXT")] where !upper.contains(name) {
            problems.append(FileSetProblem(.error, .pdiMissingFile, "\(name) is missing from the root of the medium", fileID: name, rule: rule))
        }
        let hasWeb = all.contains { $0.uppercased().hasPrefix("IHE_PDI/") }
        if !upper.contains("INDEX.HTM") {
            problems.append(
                FileSetProblem(
                    hasWeb ? .error : .warning, .pdiMissingFile, "INDEX.HTM is missing from the root of the medium", fileID: "INDEX.HTM",
                    rule: "IHE PDI INDEX.HTM"))
        }
        for rel in all {
            let comps = rel.split(separator: "/").map(String.init)
            let u = rel.uppercased()
            if u == "DICOMDIR" || referenced.contains(u) {
                if comps.first?.uppercased() == "IHE_PDI" {
                    problems.append(
                        FileSetProblem(
                            .error, .pdiDICOMInWeb, "a DICOM file of the File-set is inside IHE_PDI", fileID: rel,
                            rule: "IHE PDI: IHE_PDI holds web content only"))
                }
                continue
            }
            // Every other file: 8.3 names throughout (ISO 9660 level 1).
            if let bad = comps.enumerated().first(where: { !is83($0.element, folder: $0.offset < comps.count - 1) }) {
                problems.append(
                    FileSetProblem(
                        .error, .pdiNameNot83, "'\(bad.element)' is not an ISO 9660 level 1 (8.3, A-Z 0-9 _) name", fileID: rel,
                        rule: "IHE PDI file names; PS3.12 F"))
            }
            if comps.first?.uppercased() == "IHE_PDI" {
                let ext = comps.last!.split(separator: ".").dropFirst().last.map { String($0).uppercased() } ?? ""
                if !webExtensions.contains(ext) {
                    problems.append(
                        FileSetProblem(
                            .error, .pdiNonWebContent, "IHE_PDI holds a file that is not web content (.\(ext))", fileID: rel,
                            rule: "IHE PDI: IHE_PDI holds web content only"))
                }
            }
            if comps.count == 1 && comps[0].uppercased() == "AUTORUN.INF" {
                problems.append(
                    FileSetProblem(
                        .warning, .pdiAutorun, "AUTORUN.INF present; PDI media should not start software by themselves", fileID: rel, rule: "IHE PDI"))
            }
            // A DICOM file not referenced by the DICOMDIR, inside or outside the DICOM tree.
            if isPart10((try? medium.readPrefix(rel, count: 132)) ?? []) {
                let inTree = comps.count > 1 && dicomFolders.contains(comps[0].uppercased())
                problems.append(
                    FileSetProblem(
                        .error, inTree ? .pdiUnreferencedDICOM : .pdiDICOMOutsideTree,
                        inTree ? "DICOM file not referenced by the DICOMDIR" : "DICOM file outside the DICOM tree",
                        fileID: rel, rule: "IHE PDI: DICOM files only in the File-set"))
            }
        }
        // Links of the HTML pages resolve on the medium.
        for rel in all where rel.uppercased().hasSuffix(".HTM") || rel.uppercased().hasSuffix(".HTML") {
            guard let data = try? medium.read(rel), let text = String(bytes: data, encoding: .utf8) else { continue }
            let dir = rel.split(separator: "/").dropLast().joined(separator: "/")
            for whole in links(in: text) where !whole.contains(":") && !whole.hasPrefix("#") {
                // A fragment names a place in the target page: the page must be on the medium.
                let link = String(whole.prefix { $0 != "#" })
                var parts = dir.isEmpty ? [] : dir.split(separator: "/").map(String.init)
                for c in link.split(separator: "/") { if c == ".." { _ = parts.popLast() } else if c != "." { parts.append(String(c)) } }
                let target = parts.joined(separator: "/")
                if !upper.contains(target.uppercased()) && !folders.contains(target.uppercased()) {
                    problems.append(
                        FileSetProblem(.error, .pdiBrokenLink, "links to \(link), which is not on the medium", fileID: rel, rule: "IHE PDI INDEX.HTM"))
                }
            }
        }
        return problems
    }

    static func is83(_ name: String, folder: Bool) -> Bool {
        let parts = name.split(separator: ".", omittingEmptySubsequences: false)
        let ok: (Substring) -> Bool = { $0.unicodeScalars.allSatisfy { ("A"..."Z").contains($0) || ("0"..."9").contains($0) || $0 == "_" } }
        if parts.count == 1 { return !name.isEmpty && name.count <= 8 && ok(parts[0]) }
        return !folder && parts.count == 2 && !parts[0].isEmpty && parts[0].count <= 8 && parts[1].count <= 3 && ok(parts[0]) && ok(parts[1])
    }

    static func links(in html: String) -> [String] {
        var out: [String] = []
        for attr in ["href=\"", "src=\""] {
            var rest = Substring(html)
            while let r = rest.range(of: attr) {
                rest = rest[r.upperBound...]
                if let end = rest.firstIndex(of: "\"") { out.append(String(rest[..<end])); rest = rest[end...] }
            }
        }
        return out
    }

    static func isPart10(_ head: [UInt8]) -> Bool {
        head.count >= 132 && head[128..<132].elementsEqual("DICM".utf8)
    }
}
