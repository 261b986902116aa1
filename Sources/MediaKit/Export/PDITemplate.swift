import Foundation

/// A value a PDI template shows: text, a yes/no for a section, or a list a section repeats for.
enum PDIValue: Sendable {
    case text(String)
    case flag(Bool)
    case list([[String: PDIValue]])

    /// Whether a section `{{#name}}` over this value shows (non-empty text, true, a non-empty list).
    var isShown: Bool {
        switch self {
        case .text(let s): return !s.isEmpty
        case .flag(let b): return b
        case .list(let l): return !l.isEmpty
        }
    }
}

/// The templates of README.TXT, INDEX.HTM and the IHE_PDI pages: a subset of Mustache (`{{name}}` escaped,
/// `{{{name}}}` as is, `{{#name}}...{{/name}}` sections over lists, flags and text, `{{^name}}` inverted, `{{! comment}}`).
/// A name no context level defines is an error, so a misspelt field is found when the template is used.
struct PDITemplate {
    indirect enum Node {
        case text(String)
        case field(String, raw: Bool)
        case section(String, inverted: Bool, [Node])
    }

    let nodes: [Node]
    /// Where the template came from (errors name it).
    let path: String

    /// Parses `text`, the template read from `path`.
    init(_ text: String, path: String) throws {
        self.path = path
        let tokens = try Self.tokens(Self.trimStandaloneLines(text), path: path)
        var index = 0
        nodes = try Self.parse(tokens, &index, closing: nil, path: path)
    }

    /// The template filled from `context`; `escape` is applied to `{{name}}` fields (HTML pages), not to `{{{name}}}`.
    func render(_ context: [String: PDIValue], escape: (String) -> String) throws -> String {
        var out = ""
        try Self.render(nodes, [context], escape: escape, path: path, into: &out)
        return out
    }

    // MARK: Parsing

    enum Token {
        case text(String)
        /// A tag: its sigil ("", "{", "#", "^", "/", "!") and name.
        case tag(Character?, String)
    }

    static func tokens(_ text: String, path: String) throws -> [Token] {
        var out: [Token] = []
        var rest = Substring(text)
        while let open = rest.range(of: "{{") {
            if open.lowerBound > rest.startIndex { out.append(.text(String(rest[..<open.lowerBound]))) }
            let triple = rest[open.upperBound...].first == "{"
            let closer = triple ? "}}}" : "}}"
            guard let close = rest[open.upperBound...].range(of: closer) else {
                throw MediaError(.badArgument, "PDI template has an unclosed {{ tag", path: path)
            }
            var inner = Substring(rest[open.upperBound..<close.lowerBound])
            if triple { inner = inner.dropFirst() }
            var sigil: Character? = triple ? "{" : nil
            if !triple, let f = inner.first, "#^/!".contains(f) { sigil = f; inner = inner.dropFirst() }
            out.append(.tag(sigil, inner.trimmingCharacters(in: .whitespaces)))
            rest = rest[close.upperBound...]
        }
        if !rest.isEmpty { out.append(.text(String(rest))) }
        return out
    }

    /// Section and comment tags alone on their line leave no blank line behind (as in Mustache).
    static func trimStandaloneLines(_ text: String) -> String {
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        var out = ""
        for (k, line) in lines.enumerated() {
            let bare = line.trimmingCharacters(in: .whitespaces.union(CharacterSet(charactersIn: "\r")))
            if isBlockTags(Substring(bare)) {
                out += bare
                continue
            }
            out += line
            if k < lines.count - 1 { out += "\n" }
        }
        return out
    }

    /// Whether `s` is one or more `{{#..}}`, `{{^..}}`, `{{/..}}` or `{{!..}}` tags and spaces, nothing else.
    static func isBlockTags(_ s: Substring) -> Bool {
        var rest = s
        guard !rest.isEmpty else { return false }
        while !rest.isEmpty {
            guard rest.hasPrefix("{{"), let sigil = rest.dropFirst(2).first, "#^/!".contains(sigil),
                let close = rest.range(of: "}}")
            else { return false }
            rest = rest[close.upperBound...].drop { $0 == " " || $0 == "\t" }
        }
        return true
    }

    static func parse(_ tokens: [Token], _ i: inout Int, closing: String?, path: String) throws -> [Node] {
        var nodes: [Node] = []
        while i < tokens.count {
            let t = tokens[i]
            i += 1
            switch t {
            case .text(let s): nodes.append(.text(s))
            case .tag(let sigil, let name):
                switch sigil {
                case "!": continue
                case "#", "^": nodes.append(.section(name, inverted: sigil == "^", try parse(tokens, &i, closing: name, path: path)))
                case "/":
                    guard name == closing else { throw MediaError(.badArgument, "PDI template closes {{/\(name)}} which is not open", path: path) }
                    return nodes
                default: nodes.append(.field(name, raw: sigil == "{"))
                }
            }
        }
        if let closing { throw MediaError(.badArgument, "PDI template does not close {{#\(closing)}}", path: path) }
        return nodes
    }

    // MARK: Rendering

    static func lookup(_ name: String, _ stack: [[String: PDIValue]], path: String) throws -> PDIValue {
        for level in stack.reversed() { if let v = level[name] { return v } }
        throw MediaError(.badArgument, "PDI template uses unknown field {{\(name)}}", path: path)
    }

    static func render(_ nodes: [Node], _ stack: [[String: PDIValue]], escape: (String) -> String, path: String, into out: inout String) throws {
        for node in nodes {
            switch node {
            case .text(let s): out += s
            case .field(let name, let raw):
                switch try lookup(name, stack, path: path) {
                case .text(let s): out += raw ? s : escape(s)
                case .flag(let b): out += b ? "yes" : "no"
                case .list(let l): out += String(l.count)
                }
            case .section(let name, let inverted, let children):
                let value = try lookup(name, stack, path: path)
                if inverted {
                    if !value.isShown { try render(children, stack, escape: escape, path: path, into: &out) }
                } else if case .list(let items) = value {
                    for item in items { try render(children, stack + [item], escape: escape, path: path, into: &out) }
                } else if value.isShown {
                    try render(children, stack, escape: escape, path: path, into: &out)
                }
            }
        }
    }
}
