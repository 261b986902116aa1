import Foundation
import XCTest

/// docs/DIAGNOSTICS.md against the code constants in Sources/*: both ways, per module (the rules are
/// in the document's introduction). A module is checked once it has a DiagnosticCodes.swift or a section.
final class DiagnosticCodesDocumentedTests: XCTestCase {
    /// The codes of one module, as declared in its sources or as listed in its section of the document.
    struct Codes: Equatable {
        var diagnostics: Set<String> = []
        var errors: Set<String> = []
    }

    static let repoRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// `## Module` sections, their `### Diagnostic codes` and `### Error codes` tables; the code is the
    /// first cell, in backticks.
    static func documented(_ markdown: String) -> (codes: [String: Codes], problems: [String]) {
        var codes: [String: Codes] = [:], problems: [String] = []
        var module: String?, table: String?
        for line in markdown.split(separator: "\n", omittingEmptySubsequences: false) {
            if line.hasPrefix("## ") {
                module = String(line.dropFirst(3)).trimmingCharacters(in: .whitespaces); table = nil
                if codes[module!] != nil { problems.append("section \(module!) appears twice") }
                codes[module!] = Codes()
            } else if line.hasPrefix("#### ") {
                table = nil  // a sub-heading of the module (a flow): the next table names its kind again
            } else if line.hasPrefix("### ") {
                table = String(line.dropFirst(4)).trimmingCharacters(in: .whitespaces).lowercased()
            } else if line.hasPrefix("| `"), let module {
                let cell = line.dropFirst(3).prefix { $0 != "`" }
                let code = String(cell)
                switch table {
                case "diagnostic codes":
                    if !codes[module, default: Codes()].diagnostics.insert(code).inserted { problems.append("\(module): diagnostic code \(code) listed twice") }
                case "error codes":
                    if !codes[module, default: Codes()].errors.insert(code).inserted { problems.append("\(module): error code \(code) listed twice") }
                default:
                    problems.append("\(module): row `\(code)` outside a Diagnostic codes or Error codes table")
                }
            }
        }
        return (codes, problems)
    }

    static func matches(_ pattern: String, in text: String) -> [String] {
        let re = try! NSRegularExpression(pattern: pattern)
        return re.matches(in: text, range: NSRange(text.startIndex..., in: text)).compactMap { m in
            Range(m.range(at: 1), in: text).map { String(text[$0]) }
        }
    }

    /// What one module's sources declare, and its breaches of the rules (codes declared outside
    /// DiagnosticCodes.swift, string literals passed to `Diagnostic(…)`).
    static func declared(module: String, files: [(name: String, text: String)]) -> (codes: Codes, problems: [String]) {
        var codes = Codes(), problems: [String] = []
        for (name, text) in files {
            let diagnostics = matches(#"DiagnosticCode\("([^"]*)"\)"#, in: text)
            if !diagnostics.isEmpty && !name.hasSuffix("DiagnosticCodes.swift") {
                problems.append("\(module)/\(name) declares diagnostic codes \(diagnostics); they belong in DiagnosticCodes.swift")
            }
            for c in diagnostics where !codes.diagnostics.insert(c).inserted { problems.append("\(module): diagnostic code \(c) declared twice") }
            for c in matches(#"Code\(rawValue: "([^"]*)"\)"#, in: text) { codes.errors.insert(c) }
            for c in matches(#"Diagnostic\(\s*\.\w+\s*,\s*"([^"]*)""#, in: text) {
                problems.append("\(module)/\(name) passes the literal \"\(c)\" as a diagnostic code; use a DiagnosticCode constant")
            }
        }
        return (codes, problems)
    }

    /// Every problem of the whole check: `sources` maps module -> its files, `markdown` is the document.
    static func check(sources: [String: [(name: String, text: String)]], markdown: String) -> [String] {
        let (docs, docProblems) = documented(markdown)
        var problems = docProblems
        var owner: [String: String] = [:]
        for module in sources.keys.sorted() {
            let files = sources[module]!
            let hasCodesFile = files.contains { $0.name.hasSuffix("DiagnosticCodes.swift") }
            guard hasCodesFile || docs[module] != nil else { continue }
            let (decl, p) = declared(module: module, files: files)
            problems += p
            let doc = docs[module] ?? Codes()
            if docs[module] == nil { problems.append("\(module) has a DiagnosticCodes.swift but no section in docs/DIAGNOSTICS.md") }
            for c in decl.diagnostics.subtracting(doc.diagnostics).sorted() { problems.append("\(module): diagnostic code \(c) declared but not documented") }
            for c in doc.diagnostics.subtracting(decl.diagnostics).sorted() { problems.append("\(module): diagnostic code \(c) documented but not declared") }
            for c in decl.errors.subtracting(doc.errors).sorted() { problems.append("\(module): error code \(c) declared but not documented") }
            for c in doc.errors.subtracting(decl.errors).sorted() { problems.append("\(module): error code \(c) documented but not declared") }
            for c in decl.diagnostics.sorted() {
                if let other = owner[c] {
                    problems.append("diagnostic code \(c) declared by both \(other) and \(module); declare it once, in the lower module")
                }
                owner[c] = module
            }
        }
        for module in docs.keys.sorted() where sources[module] == nil {
            problems.append("docs/DIAGNOSTICS.md has a section \(module), but Sources/\(module) does not exist")
        }
        return problems
    }

    /// Sources/<Module>/**/*.swift, generated code left out.
    static func repoSources() throws -> [String: [(name: String, text: String)]] {
        let sources = repoRoot.appendingPathComponent("Sources")
        var out: [String: [(name: String, text: String)]] = [:]
        for module in try FileManager.default.contentsOfDirectory(atPath: sources.path).sorted() {
            let dir = sources.appendingPathComponent(module)
            guard let walk = FileManager.default.enumerator(atPath: dir.path) else { continue }
            var files: [(name: String, text: String)] = []
            while let rel = walk.nextObject() as? String {
                guard rel.hasSuffix(".swift"), !rel.hasPrefix("Generated/"), !rel.contains("/Generated/") else { continue }
                files.append((rel, try String(contentsOf: dir.appendingPathComponent(rel), encoding: .utf8)))
            }
            out[module] = files.sorted { $0.name < $1.name }
        }
        return out
    }

    func testEveryCodeDeclaredIsDocumentedAndEveryDocumentedCodeDeclared() throws {
        let markdown = try String(contentsOf: Self.repoRoot.appendingPathComponent("docs/DIAGNOSTICS.md"), encoding: .utf8)
        let sources = try Self.repoSources()
        XCTAssertNotNil(sources["DICOMIO"], "Sources/DICOMIO not found from \(Self.repoRoot.path)")
        let problems = Self.check(sources: sources, markdown: markdown)
        XCTAssertEqual(problems, [], problems.joined(separator: "\n"))
        // The check saw the lower modules' codes (it did not pass by looking at nothing).
        let docs = Self.documented(markdown).codes
        XCTAssertTrue(docs["DICOMIO"]?.diagnostics.contains("odd-length") ?? false)
        XCTAssertTrue(docs["DICOMIO"]?.errors.contains("not-dicom") ?? false)
    }

    /// The checker finds each kind of mismatch (so the repository check above can fail).
    func testCheckerFindsMismatches() {
        let doc = """
            ## A
            ### Diagnostic codes
            | code | severity | meaning | rule |
            | `a-one` | warning | x | y |
            | `a-gone` | warning | x | y |
            ### Error codes
            | `a-error` | AError | x |
            ## B
            ### Diagnostic codes
            | `shared` | warning | x | y |
            ## Missing
            """
        let sources: [String: [(name: String, text: String)]] = [
            "A": [
                ("DiagnosticCodes.swift", #"public static let one = DiagnosticCode("a-one"); static let s = DiagnosticCode("shared")"#),
                ("AError.swift", #"static let e = Code(rawValue: "a-error"); static let f = Code(rawValue: "a-new")"#),
                ("Use.swift", #"d.append(Diagnostic(.warning, "a-one", "text"))"#),
            ],
            "B": [("DiagnosticCodes.swift", #"static let s = DiagnosticCode("shared")"#)],
            "C": [("Other.swift", #"static let x = Code(rawValue: "unchecked")"#)],
        ]
        let problems = Self.check(sources: sources, markdown: doc)
        XCTAssertTrue(problems.contains("A: diagnostic code a-gone documented but not declared"), "\(problems)")
        XCTAssertTrue(problems.contains("A: diagnostic code shared declared but not documented"), "\(problems)")
        XCTAssertTrue(problems.contains("A: error code a-new declared but not documented"), "\(problems)")
        XCTAssertTrue(problems.contains { $0.contains("declared by both A and B") }, "\(problems)")
        XCTAssertTrue(problems.contains { $0.contains("A/Use.swift passes the literal \"a-one\"") }, "\(problems)")
        XCTAssertTrue(problems.contains { $0.contains("section Missing") }, "\(problems)")
        XCTAssertFalse(problems.contains { $0.contains("unchecked") }, "a module without codes file or section is not checked yet")
        XCTAssertEqual(Self.check(sources: ["B": sources["B"]!], markdown: "## B\n### Diagnostic codes\n| `shared` | warning | x | y |\n"), [])
    }
}
