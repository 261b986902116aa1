import Foundation
import DICOMCore
import FileSystem

// File ID layouts: how a File-set creator names the files it writes. A layout is a text template
// (templates/layouts/*.layout, syntax in templates/layouts/README.md), one line per File ID
// component, so that users change the naming by editing a template rather than code. Whatever a
// template says, the names produced are conformant File IDs: 1-8 components of 1-8 characters from
// A-Z, 0-9 and _ (PS3.10 §8.2, §8.5), which also satisfies ISO 9660 level 1 and FAT 8.3 names
// (PS3.12 Annexes F, R; see the checklist in DICOM-MEDIA.md §4.7).

// MARK: - Errors

/// A layout that cannot be loaded or parsed; parse errors carry the 1-based template line.
public struct FileIDLayoutError: Error, Sendable, CustomStringConvertible, LocalizedError {
    /// The layout's name or the path asked for.
    public let layout: String
    /// 1-based line of the template, nil when the problem is not on one line.
    public let line: Int?
    /// The line's text, when `line` is set.
    public let lineText: String?
    public let message: String

    public init(layout: String, line: Int? = nil, lineText: String? = nil, message: String) {
        self.layout = layout; self.line = line; self.lineText = lineText; self.message = message
    }

    public var description: String {
        guard let line else { return "layout '\(layout)': \(message)" }
        let text = lineText.map { " '\($0)'" } ?? ""
        return "layout '\(layout)' line \(line)\(text): \(message)"
    }
    public var errorDescription: String? { description }
}

// MARK: - Layout model

/// A File ID layout loaded from a template (templates/layouts/*.layout).
public struct FileIDLayout: Sendable, CustomStringConvertible {
    public let name: String
    /// The template text the layout was parsed from.
    public let template: String
    let components: [LayoutComponent]

    /// Number of File ID components every allocated ID has (1-8).
    public var componentCount: Int { components.count }
    /// The primary pattern of each component, e.g. `DICOM/P{counter:patient}/...`.
    public var description: String { components.map { $0.alternatives[0].text }.joined(separator: "/") }

    /// Parses a template; errors name the line and the problem.
    public init(name: String, template: String) throws {
        self.name = name
        self.template = template
        self.components = try LayoutParser.parse(template, layoutName: name)
    }

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
            guard let data = FileManager.default.contents(atPath: path) else {
                throw FileIDLayoutError(layout: nameOrPath, message: "cannot read \(path)")
            }
            guard let text = String(data: data, encoding: .utf8) else {
                throw FileIDLayoutError(layout: nameOrPath, message: "\(path) is not UTF-8 text")
            }
            var base = (path as NSString).lastPathComponent
            if base.hasSuffix(".layout") { base = String(base.dropLast(".layout".count)) }
            return try FileIDLayout(name: base, template: text)
        }
        let known = available(templatesDirectory: templatesDirectory)
        let hint = known.isEmpty ? "" : "; available layouts: \(known.joined(separator: ", "))"
        throw FileIDLayoutError(layout: nameOrPath, message: "no layout template found (looked at \(candidates.joined(separator: ", ")))\(hint)")
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

/// The entity a component names: one folder per patient/study/series, one file per instance.
enum LayoutLevel: String, Sendable, CaseIterable {
    case patient, study, series, instance

    /// The identity of this level in a header (PS3.3 F.5: the keys of the directory records).
    var keyword: String {
        switch self {
        case .patient: return "Patient ID"
        case .study: return "Study Instance UID"
        case .series: return "Series Instance UID"
        case .instance: return "instance"
        }
    }
}

enum LayoutValueKind: Sendable { case text, date, time, dateTime }

/// Where a placeholder's value comes from.
enum LayoutValueSource: Sendable {
    case element(Tag, label: String, vr: VR)
    case exportDate, exportTime

    var label: String {
        switch self {
        case .element(_, let label, _): return label
        case .exportDate: return "export date"
        case .exportTime: return "export time"
        }
    }
    var kind: LayoutValueKind {
        switch self {
        case .exportDate: return .date
        case .exportTime: return .time
        case .element(_, _, let vr):
            if vr == .DA { return .date }
            if vr == .TM { return .time }
            if vr == .DT { return .dateTime }
            return .text
        }
    }
}

enum LayoutNumberBase: Sendable {
    case decimal, base36
    var radix: UInt64 { self == .decimal ? 10 : 36 }
}

enum LayoutDateField: Sendable { case year4, year2, month, day, hour, minute, second }

enum LayoutPart: Sendable {
    case literal(String)
    /// The value sanitised; at most `max` characters when given.
    case text(LayoutValueSource, max: Int?)
    /// The value as a non-negative integer, zero-padded to `width` digits.
    case number(LayoutValueSource, width: Int)
    case date(LayoutValueSource, [LayoutDateField])
    /// FNV-1a 64 of the value, modulo radix^width; width nil = the rest of the component.
    case hash(LayoutValueSource, width: Int?, base: LayoutNumberBase)
    /// The folder's sequence number for this level; width nil = the rest of the component.
    case counter(LayoutLevel, width: Int?, base: LayoutNumberBase)

    var describe: String? {
        switch self {
        case .literal: return nil
        case .text(let s, _), .number(let s, _), .date(let s, _): return "the \(s.label)"
        case .hash(let s, _, _): return "hash of the \(s.label)"
        case .counter(let l, _, _): return "\(l.rawValue) counter"
        }
    }
}

struct LayoutPattern: Sendable {
    let text: String
    let parts: [LayoutPart]
    let counterLevel: LayoutLevel?
    /// The name, when the pattern is only literal text.
    let constant: String?

    init(text: String, parts: [LayoutPart]) {
        self.text = text
        self.parts = parts
        var level: LayoutLevel?
        var literal = ""
        var allLiteral = true
        for p in parts {
            switch p {
            case .counter(let l, _, _): if level == nil { level = l }; allLiteral = false
            case .literal(let s): literal += s
            default: allLiteral = false
            }
        }
        counterLevel = level
        constant = allLiteral ? literal : nil
    }
    var usesCounter: Bool { counterLevel != nil }
    var describe: String {
        let d = parts.compactMap(\.describe)
        return d.isEmpty ? "fixed name" : d.joined(separator: " + ")
    }
}

struct LayoutComponent: Sendable {
    let line: Int
    /// Primary pattern first, then the fallbacks in order.
    let alternatives: [LayoutPattern]
    /// Folders with a level get one name per key (a new key never reuses a name);
    /// folders without one are shared by everything that renders the same name.
    let level: LayoutLevel?
}

// MARK: - Parser

enum LayoutParser {
    struct Problem: Error { let message: String }

    static func parse(_ template: String, layoutName: String) throws -> [LayoutComponent] {
        var components: [LayoutComponent] = []
        var lastLine = ""
        let lines = template.split(omittingEmptySubsequences: false, whereSeparator: { $0 == "\n" || $0 == "\r\n" || $0 == "\r" })
        for (i, raw) in lines.enumerated() {
            let lineText = String(raw)
            var tokens: [String] = []
            for t in lineText.split(whereSeparator: { $0 == " " || $0 == "\t" }) {
                if t.hasPrefix("#") { break }
                tokens.append(String(t))
            }
            if tokens.isEmpty { continue }
            let trimmed = lineText.trimmingCharacters(in: .whitespaces)
            do {
                components.append(try parseComponent(tokens, line: i + 1))
            } catch let p as Problem {
                throw FileIDLayoutError(layout: layoutName, line: i + 1, lineText: trimmed, message: p.message)
            }
            lastLine = trimmed
            if components.count > 8 {
                throw FileIDLayoutError(layout: layoutName, line: i + 1, lineText: trimmed,
                                        message: "a 9th component; a File ID has at most 8 components (PS3.10 §8.5)")
            }
        }
        guard let last = components.last else {
            throw FileIDLayoutError(layout: layoutName, message: "the template has no component lines; a File ID needs at least one component")
        }
        // The last component names the file: one per instance.
        for p in last.alternatives {
            if let l = p.counterLevel, l != .instance {
                throw FileIDLayoutError(layout: layoutName, line: last.line, lineText: lastLine,
                                        message: "the last component names the file; use {counter:instance}, not {counter:\(l.rawValue)}")
            }
        }
        if let l = last.level, l != .instance {
            throw FileIDLayoutError(layout: layoutName, line: last.line, lineText: lastLine,
                                    message: "the last component names the file, one per instance; 'per \(l.rawValue)' is only for folders")
        }
        return components.enumerated().map { i, c in
            i == components.count - 1 ? LayoutComponent(line: c.line, alternatives: c.alternatives, level: .instance) : c
        }
    }

    static func parseComponent(_ tokens: [String], line: Int) throws -> LayoutComponent {
        var alternatives = [try parsePattern(tokens[0])]
        var per: LayoutLevel?
        var i = 1
        while i < tokens.count {
            let word = tokens[i]
            switch word {
            case "fallback":
                guard i + 1 < tokens.count else { throw Problem(message: "'fallback' needs a pattern after it") }
                alternatives.append(try parsePattern(tokens[i + 1]))
                i += 2
            case "per":
                guard i + 1 < tokens.count else { throw Problem(message: "'per' needs a level: patient, study, series or instance") }
                guard let l = LayoutLevel(rawValue: tokens[i + 1]) else {
                    throw Problem(message: "unknown level '\(tokens[i + 1])' after 'per'; use patient, study, series or instance")
                }
                if per != nil { throw Problem(message: "'per' given twice") }
                per = l
                i += 2
            default:
                throw Problem(message: "unexpected '\(word)'; after the pattern only 'fallback PATTERN' and 'per LEVEL' may follow (patterns contain no spaces; '#' starts a comment)")
            }
        }
        let counterLevels = Set(alternatives.compactMap(\.counterLevel))
        if counterLevels.count > 1 {
            throw Problem(message: "counters of different levels (\(counterLevels.map(\.rawValue).sorted().joined(separator: ", "))) in one component")
        }
        if let c = counterLevels.first, let per, c != per {
            throw Problem(message: "{counter:\(c.rawValue)} in a component that is 'per \(per.rawValue)'")
        }
        return LayoutComponent(line: line, alternatives: alternatives, level: per ?? counterLevels.first)
    }

    static func parsePattern(_ text: String) throws -> LayoutPattern {
        var parts: [LayoutPart] = []
        var literal = ""
        var it = text.unicodeScalars.makeIterator()
        while let u = it.next() {
            if u == "{" {
                var inside = ""
                var closed = false
                while let v = it.next() {
                    if v == "}" { closed = true; break }
                    if v == "{" { throw Problem(message: "'{' inside a placeholder in '\(text)'") }
                    inside.unicodeScalars.append(v)
                }
                guard closed else { throw Problem(message: "unclosed '{' in '\(text)'") }
                if !literal.isEmpty { parts.append(.literal(literal)); literal = "" }
                parts.append(try parsePlaceholder(inside))
            } else if u == "}" {
                throw Problem(message: "'}' without '{' in '\(text)'")
            } else if FileID.isAllowed(u) {
                literal.unicodeScalars.append(u)
            } else {
                throw Problem(message: "'\(u)' in '\(text)': literal text may use only A-Z, 0-9 and _ (PS3.10 §8.5)")
            }
        }
        if !literal.isEmpty { parts.append(.literal(literal)) }
        if parts.isEmpty { throw Problem(message: "empty pattern") }
        var minimum = 0, fills = 0
        for p in parts {
            switch p {
            case .literal(let s): minimum += s.count
            case .text: minimum += 1
            case .number(_, let w): minimum += w
            case .date(_, let f): minimum += f.reduce(0) { $0 + ($1 == .year4 ? 4 : 2) }
            case .hash(_, let w, _), .counter(_, let w, _):
                if let w { minimum += w } else { fills += 1; minimum += 1 }
            }
        }
        if fills > 1 { throw Problem(message: "'\(text)' has more than one hash/counter without a width; give all but one a width") }
        if minimum > 8 { throw Problem(message: "'\(text)' needs at least \(minimum) characters; a component has at most 8 (PS3.10 §8.5)") }
        return LayoutPattern(text: text, parts: parts)
    }

    static func parseWidthAndBase(_ args: ArraySlice<Substring>, what: String, defaultBase: LayoutNumberBase) throws -> (Int?, LayoutNumberBase) {
        var width: Int?
        var base: LayoutNumberBase?
        for a in args {
            if let n = Int(a) {
                guard (1...8).contains(n), width == nil else { throw Problem(message: "width '\(a)' in \(what): one width of 1 to 8") }
                width = n
            } else if a == "dec" || a == "b10" {
                guard base == nil else { throw Problem(message: "two bases in \(what)") }
                base = .decimal
            } else if a == "b36" || a == "base36" {
                guard base == nil else { throw Problem(message: "two bases in \(what)") }
                base = .base36
            } else {
                throw Problem(message: "'\(a)' in \(what): expected a width (1-8) or a base (dec, b36)")
            }
        }
        return (width, base ?? defaultBase)
    }

    static func source(_ keyword: Substring, in placeholder: String) throws -> LayoutValueSource {
        switch keyword {
        case "ExportDate": return .exportDate
        case "ExportTime": return .exportTime
        default:
            guard !keyword.isEmpty, let e = DataDictionary.entry(forKeyword: String(keyword)) else {
                throw Problem(message: "unknown keyword '\(keyword)' in {\(placeholder)}: use a PS3.6 keyword (e.g. StudyID, SeriesNumber), ExportDate, ExportTime, counter or hash")
            }
            if e.vr == .SQ { throw Problem(message: "{\(placeholder)}: \(keyword) is a sequence and has no value to name a file by") }
            return .element(e.tag, label: e.name, vr: e.vr)
        }
    }

    static func parsePlaceholder(_ inside: String) throws -> LayoutPart {
        let args = inside.split(separator: ":", omittingEmptySubsequences: false)
        switch args[0] {
        case "counter":
            guard args.count >= 2, let level = LayoutLevel(rawValue: String(args[1])) else {
                throw Problem(message: "{\(inside)}: write {counter:LEVEL[:WIDTH][:BASE]} with LEVEL patient, study, series or instance")
            }
            let (w, b) = try parseWidthAndBase(args.dropFirst(2), what: "{\(inside)}", defaultBase: .decimal)
            return .counter(level, width: w, base: b)
        case "hash":
            guard args.count >= 2 else { throw Problem(message: "{\(inside)}: write {hash:KEYWORD[:WIDTH][:BASE]}") }
            let s = try source(args[1], in: inside)
            let (w, b) = try parseWidthAndBase(args.dropFirst(2), what: "{\(inside)}", defaultBase: .base36)
            return .hash(s, width: w, base: b)
        default:
            let s = try source(args[0], in: inside)
            if args.count == 1 { return .text(s, max: nil) }
            guard args.count == 2 else { throw Problem(message: "{\(inside)}: too many ':'; write {KEYWORD[:FORMAT]}") }
            return try parseFormat(args[1], source: s, placeholder: inside)
        }
    }

    static func parseFormat(_ f: Substring, source s: LayoutValueSource, placeholder: String) throws -> LayoutPart {
        func width(_ digits: Substring) throws -> Int {
            guard let n = Int(digits), (1...8).contains(n) else {
                throw Problem(message: "{\(placeholder)}: width '\(digits)' must be 1 to 8")
            }
            return n
        }
        if f == "text" { return .text(s, max: nil) }
        if f.hasPrefix("text") { return .text(s, max: try width(f.dropFirst(4))) }
        if f.hasPrefix("num") { return .number(s, width: try width(f.dropFirst(3))) }
        if f.hasPrefix("pad") { return .number(s, width: try width(f.dropFirst(3))) }
        // Date/time letters: runs YYYY, YY, MM, DD, HH, MM, SS.
        let formatHelp = "use text, textN, numN, padN or date/time letters (YYYY YY MM DD HH MM SS, e.g. YYMMDD, HHMMSS)"
        guard !f.isEmpty, f.allSatisfy({ "YMDHS".contains($0) }) else {
            throw Problem(message: "{\(placeholder)}: unknown format '\(f)'; \(formatHelp)")
        }
        let kind = s.kind
        guard kind != .text else {
            throw Problem(message: "{\(placeholder)}: date/time format '\(f)' needs a DA, TM or DT element, ExportDate or ExportTime")
        }
        var fields: [LayoutDateField] = []
        var seenHour = false
        var chars = Array(f)[...]
        while let c = chars.first {
            var n = 0
            while let d = chars.first, d == c { n += 1; chars = chars.dropFirst() }
            let field: LayoutDateField
            switch (c, n) {
            case ("Y", 4): field = .year4
            case ("Y", 2): field = .year2
            case ("M", 2):
                field = kind == .time || (kind == .dateTime && seenHour) ? .minute : .month
            case ("D", 2): field = .day
            case ("H", 2): field = .hour; seenHour = true
            case ("S", 2): field = .second
            default:
                throw Problem(message: "{\(placeholder)}: '\(String(repeating: c, count: n))' in format '\(f)'; \(formatHelp)")
            }
            let isDateField = field == .year4 || field == .year2 || field == .month || field == .day
            if kind == .date && !isDateField { throw Problem(message: "{\(placeholder)}: \(s.label) is a date; format '\(f)' asks for a time field") }
            if kind == .time && isDateField { throw Problem(message: "{\(placeholder)}: \(s.label) is a time; format '\(f)' asks for a date field") }
            fields.append(field)
        }
        return .date(s, fields)
    }
}

// MARK: - Rendering

/// Sanitises a value to the File ID character set: a-z upper-cased, A-Z 0-9 _ kept, others '_'.
func fileIDSanitised(_ s: String) -> String {
    var out = String.UnicodeScalarView()
    for u in s.unicodeScalars {
        if u >= "a" && u <= "z" { out.append(Unicode.Scalar(u.value - 32)!) }
        else if FileID.isAllowed(u) { out.append(u) }
        else { out.append("_") }
    }
    return String(out)
}

/// FNV-1a, 64 bit: a hash that is the same in every run and on every platform (unlike `Hasher`).
func layoutFNV1a(_ s: String) -> UInt64 {
    var h: UInt64 = 0xcbf29ce484222325
    for b in s.utf8 { h = (h ^ UInt64(b)) &* 0x100000001b3 }
    return h
}

private let layoutDigits: [UInt8] = Array("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ".utf8)

/// `v` in `base`, zero-padded to `width` digits; nil when it needs more.
func layoutEncode(_ v: UInt64, base: LayoutNumberBase, width: Int) -> String? {
    let r = base.radix
    var out = [UInt8](repeating: UInt8(ascii: "0"), count: width)
    var v = v
    var i = width - 1
    while v > 0 {
        if i < 0 { return nil }
        out[i] = layoutDigits[Int(v % r)]
        v /= r
        i -= 1
    }
    return String(decoding: out, as: UTF8.self)
}

func layoutPower(_ base: LayoutNumberBase, _ width: Int) -> UInt64 {
    var p: UInt64 = 1
    for _ in 0..<width { p *= base.radix }
    return p
}

enum LayoutRenderResult {
    case name(String)
    /// Why the pattern does not fit; `long` is the rendered name when the only problem is its length.
    case failure(String, long: String?)
}

struct LayoutRenderContext {
    let header: DataSet
    let exportDate: String
    let exportTime: String

    func raw(_ s: LayoutValueSource) -> String? {
        switch s {
        case .exportDate: return exportDate.isEmpty ? nil : exportDate
        case .exportTime: return exportTime.isEmpty ? nil : exportTime
        case .element(let tag, _, _):
            guard let e = header[tag] else { return nil }
            switch e.vr {
            case .US, .SS, .UL, .SL, .UV, .SV: return header.integer(tag).map(String.init)
            default:
                guard let v = header.string(tag)?.trimmingSpaces(), !v.isEmpty else { return nil }
                return v
            }
        }
    }

    /// Digits of a non-negative integer value without leading zeros, or a reason.
    static func canonicalNumber(_ v: String, label: String) -> Result<String, Problem> {
        var s = Substring(v)
        if s.first == "+" { s = s.dropFirst() }
        if !s.isEmpty && s.utf8.allSatisfy({ $0 >= 48 && $0 <= 57 }) {
            let stripped = s.drop(while: { $0 == "0" })
            return .success(stripped.isEmpty ? "0" : String(stripped))
        }
        // "12.0" (a whole number written as a decimal) is 12.
        if let dot = s.firstIndex(of: "."), !s[..<dot].isEmpty, s[..<dot].utf8.allSatisfy({ $0 >= 48 && $0 <= 57 }),
           s[s.index(after: dot)...].allSatisfy({ $0 == "0" }) {
            return canonicalNumber(String(s[..<dot]), label: label)
        }
        if s.first == "-", s.count > 1, s.dropFirst().utf8.allSatisfy({ ($0 >= 48 && $0 <= 57) || $0 == 46 }) {
            return .failure(Problem("negative \(label) '\(v)'"))
        }
        return .failure(Problem("non-numeric \(label) '\(v)'"))
    }
    struct Problem: Error { let text: String; init(_ t: String) { text = t } }

    /// YYYYMMDD and HHMMSS parts of a DA/TM/DT value (legacy '.' and ':' separators accepted).
    static func dateTimeParts(_ v: String, kind: LayoutValueKind) -> (date: [UInt8]?, time: [UInt8]?) {
        func digitsPrefix(_ s: Substring) -> [UInt8] { Array(s.utf8.prefix(while: { $0 >= 48 && $0 <= 57 })) }
        func two(_ d: [UInt8], _ i: Int) -> Int { Int(d[i] - 48) * 10 + Int(d[i + 1] - 48) }
        func time(_ d: [UInt8]) -> [UInt8]? {
            guard d.count >= 2 else { return nil }
            var t = Array(d.prefix(6))
            if t.count % 2 == 1 { t.removeLast() }
            while t.count < 6 { t.append(48) }
            return two(t, 0) <= 23 && two(t, 2) <= 59 && two(t, 4) <= 60 ? t : nil
        }
        func date(_ d: [UInt8]) -> [UInt8]? {
            guard d.count >= 8 else { return nil }
            let t = Array(d.prefix(8))
            return (1...12).contains(two(t, 4)) && (1...31).contains(two(t, 6)) ? t : nil
        }
        switch kind {
        case .date:
            let d = digitsPrefix(Substring(v.replacingOccurrences(of: ".", with: "")))
            return (d.count == 8 ? date(d) : nil, nil)
        case .time:
            let d = digitsPrefix(Substring(v.replacingOccurrences(of: ":", with: "")))
            return (nil, time(d))
        case .dateTime:
            let d = digitsPrefix(Substring(v))
            guard d.count >= 8 else { return (nil, nil) }
            let rest = Array(d.dropFirst(8))
            return (date(d), rest.isEmpty ? Array("000000".utf8) : time(rest))
        case .text:
            return (nil, nil)
        }
    }

    func render(_ p: LayoutPattern, counter n: Int) -> LayoutRenderResult {
        if let c = p.constant { return .name(c) }
        var pieces: [String] = []
        pieces.reserveCapacity(p.parts.count)
        var fill: Int?
        for i in p.parts.indices {
            switch p.parts[i] {
            case .literal(let s):
                pieces.append(s)
            case .text(let s, let max):
                guard let v = raw(s) else { return .failure("no \(s.label)", long: nil) }
                let t = fileIDSanitised(v)
                pieces.append(max.map { String(t.prefix($0)) } ?? t)
            case .number(let s, let width):
                guard let v = raw(s) else { return .failure("no \(s.label)", long: nil) }
                switch LayoutRenderContext.canonicalNumber(v, label: s.label) {
                case .failure(let why): return .failure(why.text, long: nil)
                case .success(let digits):
                    if digits.count > width { return .failure("\(s.label) \(digits) has more than \(width) digits", long: nil) }
                    pieces.append(String(repeating: "0", count: width - digits.count) + digits)
                }
            case .date(let s, let fields):
                guard let v = raw(s) else { return .failure("no \(s.label)", long: nil) }
                let (date, time) = LayoutRenderContext.dateTimeParts(v, kind: s.kind)
                var out: [UInt8] = []
                for f in fields {
                    switch f {
                    case .year4, .year2, .month, .day:
                        guard let d = date else { return .failure("\(s.label) '\(v)' is not a date (YYYYMMDD)", long: nil) }
                        switch f {
                        case .year4: out += d[0..<4]
                        case .year2: out += d[2..<4]
                        case .month: out += d[4..<6]
                        default: out += d[6..<8]
                        }
                    case .hour, .minute, .second:
                        guard let t = time else { return .failure("\(s.label) '\(v)' is not a time (HHMMSS)", long: nil) }
                        switch f {
                        case .hour: out += t[0..<2]
                        case .minute: out += t[2..<4]
                        default: out += t[4..<6]
                        }
                    }
                }
                pieces.append(String(decoding: out, as: UTF8.self))
            case .hash(let s, let width, let base):
                guard let v = raw(s) else { return .failure("no \(s.label) to hash", long: nil) }
                if let width {
                    pieces.append(layoutEncode(layoutFNV1a(v) % layoutPower(base, width), base: base, width: width)!)
                } else { fill = i; pieces.append("") }
            case .counter(let level, let width, let base):
                if let width {
                    guard let s = layoutEncode(UInt64(n), base: base, width: width) else {
                        return .failure("the \(level.rawValue) counter (\(n)) needs more than \(width) digits", long: nil)
                    }
                    pieces.append(s)
                } else { fill = i; pieces.append("") }
            }
        }
        if let fill {
            let room = 8 - pieces.reduce(0) { $0 + $1.utf8.count }
            guard room >= 1 else { return .failure("no room left in '\(p.text)' for its hash/counter", long: nil) }
            switch p.parts[fill] {
            case .hash(let s, _, let base):
                let v = raw(s)!
                pieces[fill] = layoutEncode(layoutFNV1a(v) % layoutPower(base, room), base: base, width: room)!
            case .counter(let level, _, let base):
                guard let s = layoutEncode(UInt64(n), base: base, width: room) else {
                    return .failure("the \(level.rawValue) counter (\(n)) needs more than \(room) digits", long: nil)
                }
                pieces[fill] = s
            default: break
            }
        }
        let name = pieces.joined()
        if name.isEmpty { return .failure("'\(p.text)' gives an empty name", long: nil) }
        if name.utf8.count > 8 { return .failure("'\(name)' is longer than 8 characters", long: name) }
        return .name(name)
    }
}

// MARK: - Allocator

/// Assigns File IDs to instances in order, guaranteeing uniqueness against IDs already used (e.g.
/// an existing File-set being updated) and reporting fallbacks.
///
/// Names are kept in a tree of folders. A folder component with a level (`per study`, or a
/// `{counter:study}`) gets one name per key (Patient ID, Study Instance UID, Series Instance UID)
/// within its parent folder, so all instances of a series land in the same folder, and a new key
/// never takes a name already used (by another key or by the existing File-set): counters
/// continue with the next free number, other names take the next free number in their last run
/// of digits (ST000123 -> ST000124). Each allocation costs O(1) (amortised) dictionary lookups.
public struct FileIDAllocator: Sendable {
    public let layout: FileIDLayout
    public let exportDate: String
    public let exportTime: String
    /// Number of IDs allocated so far.
    public private(set) var allocatedCount = 0

    struct Node: Sendable {
        enum Owner: Sendable { case existing, shared, keyed }
        let name: String
        let owner: Owner
        /// Child name -> folder node index, or `newFile` / `existingFile`.
        var entries: [String: Int32] = [:]
        /// Key (Study Instance UID, ...) -> child folder node, for the keyed component below this folder.
        var byKey: [[UInt8]: Int32] = [:]
        var nextCounter = 1
        /// Where to continue looking for a free name after a collision, per name shape.
        var hints: [String: Int] = [:]
    }
    static let newFile: Int32 = -1
    static let existingFile: Int32 = -2
    /// DICOMDIR at the root: always the directory's own name (PS3.10 §8.2).
    static let reservedFile: Int32 = -3
    /// Valid File IDs that Windows/DOS FAT cannot create as files or folders (device names).
    static let deviceNames: Set<String> = Set(["CON", "PRN", "AUX", "NUL"]
        + (1...9).map { "COM\($0)" } + (1...9).map { "LPT\($0)" })

    var nodes: [Node] = [Node(name: "", owner: .existing)]
    var warned: Set<String> = []

    public init(layout: FileIDLayout, exportDate: String /*YYYYMMDD*/, exportTime: String /*HHMMSS*/, existing: Set<FileID> = []) {
        self.layout = layout
        self.exportDate = exportDate
        self.exportTime = exportTime
        nodes[0].entries["DICOMDIR"] = Self.reservedFile
        // Sorted so that the tree (and so every later decision) does not depend on Set order.
        // Upper-cased: a case-insensitive medium would see "a" and "A" as one name.
        for id in existing.sorted() {
            var node = 0
            for (i, c) in id.components.enumerated() {
                let name = c.uppercased()
                if i == id.components.count - 1 {
                    if nodes[node].entries[name] == nil { nodes[node].entries[name] = Self.existingFile }
                } else if let child = nodes[node].entries[name] {
                    if child < 0 { break }  // a file where a folder should be: nothing below it can exist
                    node = Int(child)
                } else {
                    node = addFolder(name, owner: .existing, under: node)
                }
            }
        }
    }

    private mutating func addFolder(_ name: String, owner: Node.Owner, under parent: Int) -> Int {
        nodes.append(Node(name: name, owner: owner))
        let i = nodes.count - 1
        nodes[parent].entries[name] = Int32(i)
        return i
    }

    enum Mode { case keyedFolder, sharedFolder, file }

    func isFree(_ name: String, in node: Int, _ mode: Mode) -> Bool {
        guard let e = nodes[node].entries[name] else { return name.utf8.count > 6 || !Self.deviceNames.contains(name) }
        return mode == .sharedFolder && e >= 0
    }

    func why(_ name: String, in node: Int, level: LayoutLevel?) -> String {
        guard let e = nodes[node].entries[name] else {
            return Self.deviceNames.contains(name) ? "is a device name that FAT/Windows cannot use" : "is free"
        }
        if e == Self.reservedFile { return "is the DICOMDIR's name" }
        if e == Self.existingFile { return "is a file already on the medium" }
        if e == Self.newFile { return "is already a file" }
        switch nodes[Int(e)].owner {
        case .existing: return "is a folder already on the medium"
        case .shared: return "is already a folder"
        case .keyed: return "is already used by another \(level?.rawValue ?? "entry")"
        }
    }

    func path(_ names: [String]) -> String { names.isEmpty ? "the File-set root" : names.joined(separator: "/") }

    /// The File ID for one instance (header = its data set read header-only), plus warnings
    /// ("non-numeric Study ID 'ABC': used ST482913 (hash of the Study Instance UID)").
    public mutating func allocate(for header: DataSet) -> (FileID, [String]) {
        allocatedCount += 1
        let ctx = LayoutRenderContext(header: header, exportDate: exportDate, exportTime: exportTime)
        var warnings: [String] = []
        var names: [String] = []
        names.reserveCapacity(layout.components.count)
        var node = 0
        let last = layout.components.count - 1
        for i in 0...last {
            let comp = layout.components[i]
            if i == last {
                let name = choose(comp, index: i, in: node, mode: .file, ctx: ctx, names: names, warnings: &warnings)
                nodes[node].entries[name] = Self.newFile
                names.append(name)
            } else if let level = comp.level {
                let key = keyValue(level, header)
                if let child = nodes[node].byKey[key] {
                    node = Int(child)
                } else {
                    var w: [String] = []
                    let name = choose(comp, index: i, in: node, mode: .keyedFolder, ctx: ctx, names: names, warnings: &w)
                    warnings += w
                    let child = addFolder(name, owner: .keyed, under: node)
                    nodes[node].byKey[key] = Int32(child)
                    node = child
                }
                names.append(nodes[node].name)
            } else {
                var w: [String] = []
                // Shared: any folder of that name is reused (a name held by a file is bumped, the
                // same way every time); its warnings are given once per folder.
                let name = choose(comp, index: i, in: node, mode: .sharedFolder, ctx: ctx, names: names, warnings: &w)
                for m in w where warned.insert(path(names) + "\u{0}" + m).inserted { warnings.append(m) }
                if let child = nodes[node].entries[name], child >= 0 {
                    node = Int(child)
                } else {
                    node = addFolder(name, owner: .shared, under: node)
                }
                names.append(nodes[node].name)
            }
        }
        return (FileID(names), warnings)
    }

    /// The key of a level: the value's bytes without padding (cheaper than decoding, and exactly
    /// the identity; PS3.5 §6.2 padding is a trailing space or NUL, leading spaces are insignificant).
    func keyValue(_ level: LayoutLevel, _ header: DataSet) -> [UInt8] {
        let tag: Tag
        switch level {
        case .patient: tag = .patientID
        case .study: tag = .studyInstanceUID
        case .series: tag = .seriesInstanceUID
        case .instance: return [0] + Array("\(allocatedCount)".utf8)
        }
        guard let b = header[tag]?.bytes else { return [] }
        var lo = 0, hi = b.count
        while hi > lo && (b[hi - 1] == 0x20 || b[hi - 1] == 0) { hi -= 1 }
        while lo < hi && b[lo] == 0x20 { lo += 1 }
        return Array(b[lo..<hi])
    }

    /// Renders the component's first pattern that fits and makes the name free in `node`.
    mutating func choose(_ comp: LayoutComponent, index: Int, in node: Int, mode: Mode, ctx: LayoutRenderContext,
                         names: [String], warnings: inout [String]) -> String {
        var n = nodes[node].nextCounter
        var firstFailure: String?
        var long: String?
        for ai in comp.alternatives.indices {
            let alt = comp.alternatives[ai]
            switch ctx.render(alt, counter: n) {
            case .failure(let why, let l):
                if firstFailure == nil { firstFailure = why }
                if long == nil { long = l }
            case .name(var name):
                if alt.usesCounter {
                    // Counters continue with the next free number; that is not a collision.
                    var fits = true
                    while !isFree(name, in: node, mode) {
                        n += 1
                        guard case .name(let next) = ctx.render(alt, counter: n) else { fits = false; break }
                        name = next
                    }
                    if !fits {
                        if firstFailure == nil { firstFailure = "the \(alt.counterLevel!.rawValue) counter ran out of digits in '\(alt.text)'" }
                        continue
                    }
                    nodes[node].nextCounter = n + 1
                } else if !isFree(name, in: node, mode) {
                    let r = bump(name, in: node, mode)
                    warnings.append("'\(name)' in \(path(names)) \(why(name, in: node, level: comp.level)): used \(r) (next free name)")
                    name = r
                }
                if ai > 0, let firstFailure {
                    warnings.append("\(firstFailure): used \(name) (\(alt.describe))")
                }
                return name
            }
        }
        let reason = firstFailure ?? "no pattern fits"
        if let long {
            var name = String(long.prefix(8))
            if !isFree(name, in: node, mode) { name = bump(name, in: node, mode) }
            warnings.append("\(reason): cut to \(name)")
            return name
        }
        // Last resort: X + a base-36 counter of the folder, so the ID is still conformant.
        var name: String
        repeat {
            name = "X" + layoutEncode(UInt64(n), base: .base36, width: 7)!
            n += 1
        } while !isFree(name, in: node, mode)
        nodes[node].nextCounter = n
        warnings.append("\(reason), and no fallback of component \(index + 1) ('\(comp.alternatives[0].text)', line \(comp.line)) fits: used \(name)")
        return name
    }

    /// The next free name after `name` in `node`: its last run of digits counted up at the same
    /// width (ST000123 -> ST000124), else (no digits, or they run out) a base-36 sequence number
    /// appended, replacing trailing characters when needed (SMITH -> SMITH1).
    mutating func bump(_ name: String, in node: Int, _ mode: Mode) -> String {
        let u = Array(name.utf8)
        let isDigit: (UInt8) -> Bool = { $0 >= 48 && $0 <= 57 }
        if let end = u.lastIndex(where: isDigit) {
            var start = end
            while start > 0 && isDigit(u[start - 1]) { start -= 1 }
            let width = end - start + 1
            let prefix = String(decoding: u[..<start], as: UTF8.self)
            let suffix = String(decoding: u[(end + 1)...], as: UTF8.self)
            let limit = Int(layoutPower(.decimal, width))
            let value = Int(String(decoding: u[start...end], as: UTF8.self))!
            let hintKey = "\(prefix)\u{0}\(width)\u{0}\(suffix)"
            func make(_ v: Int) -> String { prefix + layoutEncode(UInt64(v), base: .decimal, width: width)! + suffix }
            var v = value + 1
            if v < limit && !isFree(make(v), in: node, mode) { v = max(v + 1, nodes[node].hints[hintKey] ?? 0) }
            while v < limit {
                let c = make(v)
                if isFree(c, in: node, mode) { nodes[node].hints[hintKey] = v + 1; return c }
                v += 1
            }
        }
        let hintKey = "\u{1}" + name
        var m = nodes[node].hints[hintKey] ?? 1
        while true {
            var d = 1
            while layoutPower(.base36, d) <= UInt64(m) { d += 1 }
            let s = layoutEncode(UInt64(m), base: .base36, width: d)!
            let c = String(name.prefix(8 - s.count)) + s
            m += 1
            if isFree(c, in: node, mode) { nodes[node].hints[hintKey] = m; return c }
        }
    }
}

// MARK: - What is already on the medium

extension FileIDAllocator {
    /// Marks a folder already on the medium (referenced or stray): a shared folder of that name is
    /// reused, while no file and no new patient/study/series folder takes its name (PS3.10 §8.3:
    /// an updater never overwrites what is there).
    public mutating func reserveFolder(_ id: FileID) {
        var node = 0
        for c in id.components {
            let name = c.uppercased()
            if let child = nodes[node].entries[name] {
                if child < 0 { return }  // a file of that name: nothing can be below it
                node = Int(child)
            } else {
                node = addFolder(name, owner: .existing, under: node)
            }
        }
    }

    /// Registers an instance already in the File-set, by its File ID and a header holding its
    /// Patient ID, Study and Series Instance UID, so that a new instance of the same patient
    /// (study, series) is placed in that patient's (study's, series') existing folder rather than
    /// a new one. File IDs of another shape than the layout's are left alone. Call after `init`
    /// (which must have been given `id` in `existing`).
    public mutating func adopt(_ id: FileID, header: DataSet) {
        guard id.components.count == layout.componentCount else { return }
        var node = 0
        for i in 0..<(layout.componentCount - 1) {
            guard let child = nodes[node].entries[id.components[i].uppercased()], child >= 0 else { return }
            if let level = layout.components[i].level {
                let key = keyValue(level, header)
                if !key.isEmpty && nodes[node].byKey[key] == nil { nodes[node].byKey[key] = child }
            }
            node = Int(child)
        }
    }
}
