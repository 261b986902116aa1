import Foundation
import DICOMCore

enum LayoutParser {
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
            } catch let p as FileSetError where p.code == .layoutSyntax && p.templateLine == nil {
                // A component's problem gets the layout's name, the line and its text (PS3.10 §8.5).
                throw FileSetError(.layoutSyntax, layout: layoutName, templateLine: i + 1, lineText: trimmed, message: p.message)
            }
            lastLine = trimmed
            if components.count > 8 {
                throw FileSetError(
                    .layoutSyntax, layout: layoutName, templateLine: i + 1, lineText: trimmed,
                    message: "a 9th component; a File ID has at most 8 components (PS3.10 §8.5)")
            }
        }
        guard let last = components.last else {
            throw FileSetError(.layoutSyntax, layout: layoutName, message: "the template has no component lines; a File ID needs at least one component")
        }
        // The last component names the file: one per instance.
        for p in last.alternatives {
            if let l = p.counterLevel, l != .instance {
                throw FileSetError(
                    .layoutSyntax, layout: layoutName, templateLine: last.line, lineText: lastLine,
                    message: "the last component names the file; use {counter:instance}, not {counter:\(l.rawValue)}")
            }
        }
        if let l = last.level, l != .instance {
            throw FileSetError(
                .layoutSyntax, layout: layoutName, templateLine: last.line, lineText: lastLine,
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
                guard i + 1 < tokens.count else { throw FileSetError(.layoutSyntax, layout: "", message: "'fallback' needs a pattern after it") }
                alternatives.append(try parsePattern(tokens[i + 1]))
                i += 2
            case "per":
                guard i + 1 < tokens.count else {
                    throw FileSetError(.layoutSyntax, layout: "", message: "'per' needs a level: patient, study, series or instance")
                }
                guard let l = LayoutLevel(rawValue: tokens[i + 1]) else {
                    throw FileSetError(
                        .layoutSyntax, layout: "", message: "unknown level '\(tokens[i + 1])' after 'per'; use patient, study, series or instance")
                }
                if per != nil { throw FileSetError(.layoutSyntax, layout: "", message: "'per' given twice") }
                per = l
                i += 2
            default:
                throw FileSetError(
                    .layoutSyntax, layout: "",
                    message:
                        "unexpected '\(word)'; after the pattern only 'fallback PATTERN' and 'per LEVEL' may follow (patterns contain no spaces; '#' starts a comment)"
                )
            }
        }
        let counterLevels = Set(alternatives.compactMap(\.counterLevel))
        if counterLevels.count > 1 {
            throw FileSetError(
                .layoutSyntax, layout: "",
                message: "counters of different levels (\(counterLevels.map(\.rawValue).sorted().joined(separator: ", "))) in one component")
        }
        if let c = counterLevels.first, let per, c != per {
            throw FileSetError(.layoutSyntax, layout: "", message: "{counter:\(c.rawValue)} in a component that is 'per \(per.rawValue)'")
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
                    if v == "{" { throw FileSetError(.layoutSyntax, layout: "", message: "'{' inside a placeholder in '\(text)'") }
                    inside.unicodeScalars.append(v)
                }
                guard closed else { throw FileSetError(.layoutSyntax, layout: "", message: "unclosed '{' in '\(text)'") }
                if !literal.isEmpty { parts.append(.literal(literal)); literal = "" }
                parts.append(try parsePlaceholder(inside))
            } else if u == "}" {
                throw FileSetError(.layoutSyntax, layout: "", message: "'}' without '{' in '\(text)'")
            } else if FileID.isAllowed(u) {
                literal.unicodeScalars.append(u)
            } else {
                throw FileSetError(.layoutSyntax, layout: "", message: "'\(u)' in '\(text)': literal text may use only A-Z, 0-9 and _ (PS3.10 §8.5)")
            }
        }
        if !literal.isEmpty { parts.append(.literal(literal)) }
        if parts.isEmpty { throw FileSetError(.layoutSyntax, layout: "", message: "empty pattern") }
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
        if fills > 1 {
            throw FileSetError(.layoutSyntax, layout: "", message: "'\(text)' has more than one hash/counter without a width; give all but one a width")
        }
        if minimum > 8 {
            throw FileSetError(.layoutSyntax, layout: "", message: "'\(text)' needs at least \(minimum) characters; a component has at most 8 (PS3.10 §8.5)")
        }
        return LayoutPattern(text: text, parts: parts)
    }

    static func parseWidthAndBase(_ args: ArraySlice<Substring>, what: String, defaultBase: LayoutNumberBase) throws -> (Int?, LayoutNumberBase) {
        var width: Int?
        var base: LayoutNumberBase?
        for a in args {
            if let n = Int(a) {
                guard (1...8).contains(n), width == nil else {
                    throw FileSetError(.layoutSyntax, layout: "", message: "width '\(a)' in \(what): one width of 1 to 8")
                }
                width = n
            } else if a == "dec" || a == "b10" {
                guard base == nil else { throw FileSetError(.layoutSyntax, layout: "", message: "two bases in \(what)") }
                base = .decimal
            } else if a == "b36" || a == "base36" {
                guard base == nil else { throw FileSetError(.layoutSyntax, layout: "", message: "two bases in \(what)") }
                base = .base36
            } else {
                throw FileSetError(.layoutSyntax, layout: "", message: "'\(a)' in \(what): expected a width (1-8) or a base (dec, b36)")
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
                throw FileSetError(
                    .layoutSyntax, layout: "",
                    message:
                        "unknown keyword '\(keyword)' in {\(placeholder)}: use a PS3.6 keyword (e.g. StudyID, SeriesNumber), ExportDate, ExportTime, counter or hash"
                )
            }
            if e.vr == .SQ {
                throw FileSetError(.layoutSyntax, layout: "", message: "{\(placeholder)}: \(keyword) is a sequence and has no value to name a file by")
            }
            return .element(e.tag, label: e.name, vr: e.vr)
        }
    }

    static func parsePlaceholder(_ inside: String) throws -> LayoutPart {
        let args = inside.split(separator: ":", omittingEmptySubsequences: false)
        switch args[0] {
        case "counter":
            guard args.count >= 2, let level = LayoutLevel(rawValue: String(args[1])) else {
                throw FileSetError(
                    .layoutSyntax, layout: "", message: "{\(inside)}: write {counter:LEVEL[:WIDTH][:BASE]} with LEVEL patient, study, series or instance")
            }
            let (w, b) = try parseWidthAndBase(args.dropFirst(2), what: "{\(inside)}", defaultBase: .decimal)
            return .counter(level, width: w, base: b)
        case "hash":
            guard args.count >= 2 else { throw FileSetError(.layoutSyntax, layout: "", message: "{\(inside)}: write {hash:KEYWORD[:WIDTH][:BASE]}") }
            let s = try source(args[1], in: inside)
            let (w, b) = try parseWidthAndBase(args.dropFirst(2), what: "{\(inside)}", defaultBase: .base36)
            return .hash(s, width: w, base: b)
        default:
            let s = try source(args[0], in: inside)
            if args.count == 1 { return .text(s, max: nil) }
            guard args.count == 2 else { throw FileSetError(.layoutSyntax, layout: "", message: "{\(inside)}: too many ':'; write {KEYWORD[:FORMAT]}") }
            return try parseFormat(args[1], source: s, placeholder: inside)
        }
    }

    static func parseFormat(_ f: Substring, source s: LayoutValueSource, placeholder: String) throws -> LayoutPart {
        func width(_ digits: Substring) throws -> Int {
            guard let n = Int(digits), (1...8).contains(n) else {
                throw FileSetError(.layoutSyntax, layout: "", message: "{\(placeholder)}: width '\(digits)' must be 1 to 8")
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
            throw FileSetError(.layoutSyntax, layout: "", message: "{\(placeholder)}: unknown format '\(f)'; \(formatHelp)")
        }
        let kind = s.kind
        guard kind != .text else {
            throw FileSetError(
                .layoutSyntax, layout: "", message: "{\(placeholder)}: date/time format '\(f)' needs a DA, TM or DT element, ExportDate or ExportTime")
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
                throw FileSetError(.layoutSyntax, layout: "", message: "{\(placeholder)}: '\(String(repeating: c, count: n))' in format '\(f)'; \(formatHelp)")
            }
            let isDateField = field == .year4 || field == .year2 || field == .month || field == .day
            if kind == .date && !isDateField {
                throw FileSetError(.layoutSyntax, layout: "", message: "{\(placeholder)}: \(s.label) is a date; format '\(f)' asks for a time field")
            }
            if kind == .time && isDateField {
                throw FileSetError(.layoutSyntax, layout: "", message: "{\(placeholder)}: \(s.label) is a time; format '\(f)' asks for a date field")
            }
            fields.append(field)
        }
        return .date(s, fields)
    }
}
