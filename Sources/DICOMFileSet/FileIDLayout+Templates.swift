import Foundation
import DICOMCore
import FileSystem

// Template discovery: where layout templates are found and how they are loaded by name or path.

extension FileIDLayout {
    /// Loads a built-in layout by name ("standard", "arineta") from the templates folder
    /// (`<templatesDirectory>/layouts/<name>.layout`, or `<templatesDirectory>/<name>.layout`),
    /// or a template file by path (anything containing "/" or ending in ".layout").
    public static func load(_ nameOrPath: String, templatesDirectory: String) throws -> FileIDLayout {
        let isPath = nameOrPath.contains("/") || nameOrPath.hasSuffix(".layout")
        var candidates: [String] = []
        if isPath {
            candidates = [nameOrPath]
        } else {
            let lower = nameOrPath.lowercased()
            for n in lower == nameOrPath ? [nameOrPath] : [nameOrPath, lower] {
                candidates.append(join(templatesDirectory, "layouts/\(n).layout"))
                candidates.append(join(templatesDirectory, "\(n).layout"))
            }
        }
        for path in candidates where isPlainFile(path) {
            let data: Data
            do { data = try Data(contentsOf: URL(fileURLWithPath: path)) } catch {
                throw FileSetError(.layoutUnreadable, layout: nameOrPath, message: "cannot read \(path)", cause: error)
            }
            guard let text = String(data: data, encoding: .utf8) else {
                throw FileSetError(.layoutUnreadable, layout: nameOrPath, message: "\(path) is not UTF-8 text")
            }
            var base = (path as NSString).lastPathComponent
            if base.hasSuffix(".layout") { base = String(base.dropLast(".layout".count)) }
            return try FileIDLayout(name: base, template: text)
        }
        let known = available(templatesDirectory: templatesDirectory)
        let hint = known.isEmpty ? "" : "; available layouts: \(known.joined(separator: ", "))"
        throw FileSetError(.layoutNotFound, layout: nameOrPath, message: "no layout template found (looked at \(candidates.joined(separator: ", ")))\(hint)")
    }

    /// Names of the layouts in `<templatesDirectory>/layouts` (and `<templatesDirectory>` itself), sorted.
    public static func available(templatesDirectory: String) -> [String] {
        var names = Set<String>()
        for dir in [join(templatesDirectory, "layouts"), templatesDirectory] {
            for f in (try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? [] where f.hasSuffix(".layout") {
                names.insert(String(f.dropLast(".layout".count)))
            }
        }
        return names.sorted()
    }

    /// The templates folder: `$DICOM_MEDIA_TEMPLATES`, else `<executable dir>/../../templates`
    /// (a build tree's `.build/debug/dicom-media` finds the repository's `templates/`), else
    /// `<executable dir>/../share/dicom-media/templates` (an installed tree), else `./templates`.
    /// The executable directory is tried as invoked (`..` taken by name) and with symbolic links
    /// resolved; for the resolved SwiftPM build directory (`.build/<triple>/debug`)
    /// `../../../templates` is tried last. Returns an existing directory as an absolute path, or nil.
    public static func defaultTemplatesDirectory() -> String? {
        if let env = ProcessInfo.processInfo.environment["DICOM_MEDIA_TEMPLATES"], !env.isEmpty, isDir(env) { return env }
        var exeDirs: [String] = []
        if let arg0 = CommandLine.arguments.first, arg0.contains("/") {
            exeDirs.append((arg0 as NSString).deletingLastPathComponent)
        }
        if let exe = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe") {
            exeDirs.append((exe as NSString).deletingLastPathComponent)
        } else if let exe = Bundle.main.executablePath {
            exeDirs.append((exe as NSString).deletingLastPathComponent)
        }
        // ".." is taken lexically (`.build/debug/../../templates` is the repository's templates
        // even though `.build/debug` is a symbolic link into `.build/<triple>/debug`).
        var candidates: [String] = []
        for d in exeDirs { candidates.append(lexical(join(d, "../../templates"))) }
        for d in exeDirs { candidates.append(lexical(join(d, "../share/dicom-media/templates"))) }
        for d in exeDirs { candidates.append(lexical(join(d, "../../../templates"))) }
        candidates.append(lexical("templates"))
        return candidates.first(where: isDir)
    }

    /// An absolute path with "." and ".." resolved by name, not by following links.
    static func lexical(_ path: String) -> String {
        let absolute = path.hasPrefix("/") ? path : join(FileManager.default.currentDirectoryPath, path)
        var out: [Substring] = []
        for c in absolute.split(separator: "/") {
            if c == "." { continue }
            if c == ".." { if !out.isEmpty { out.removeLast() }; continue }
            out.append(c)
        }
        return "/" + out.joined(separator: "/")
    }

    private static func join(_ dir: String, _ rel: String) -> String {
        dir.isEmpty ? rel : (dir.hasSuffix("/") ? dir + rel : dir + "/" + rel)
    }
    private static func isDir(_ p: String) -> Bool { isDirectory(p) }
    private static func isPlainFile(_ p: String) -> Bool { fileExists(p) && !isDirectory(p) }
}
