import Foundation
import TestSupport
import XCTest

/// docs/DIAGNOSTICS.md is the single source of the codes: Tools/gen-diagnostics.py generates each
/// module's `Generated/DiagnosticCodes.swift` and `Generated/ErrorCodes.swift` from it, so a code used
/// but not documented does not compile. These tests check the rest: the generated files are not
/// stale, no hand-written source declares a code or passes a string literal as one, and no
/// diagnostic code is declared by two modules.
final class DiagnosticCodesDocumentedTests: XCTestCase {
    static let repoRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    static func matches(_ pattern: String, in text: String) -> [String] {
        let re = try! NSRegularExpression(pattern: pattern)
        return re.matches(in: text, range: NSRange(text.startIndex..., in: text)).compactMap { m in
            Range(m.range(at: 1), in: text).map { String(text[$0]) }
        }
    }

    /// A hand-written file's breaches: a code declared outside Generated/ (`DiagnosticCode("…")`,
    /// `Code(rawValue: "…")`, `Self(rawValue: "…")` in an extension of a `Code`), a literal passed as a code.
    static func handWritten(module: String, name: String, text: String) -> [String] {
        var problems: [String] = []
        let declared =
            matches(#"DiagnosticCode\(\s*(?:rawValue:\s*)?"([^"]*)""#, in: text) + matches(#"Code\(\s*rawValue:\s*"([^"]*)""#, in: text)
            + (text.range(of: #"extension\s+[\w.]*Code\b"#, options: .regularExpression) != nil
                ? matches(#"Self\(\s*rawValue:\s*"([^"]*)""#, in: text) : [])
        for c in declared {
            problems.append("\(module)/\(name) declares the code \"\(c)\" by hand; add it to docs/DIAGNOSTICS.md and run Tools/gen-diagnostics.py")
        }
        for c in matches(#"(?:Diagnostic|FileSetProblem)\(\s*\.\w+\s*,\s*"([^"]*)""#, in: text) {
            problems.append("\(module)/\(name) passes the literal \"\(c)\" as a diagnostic code; use a DiagnosticCode constant")
        }
        return problems
    }

    /// The diagnostic codes a generated `DiagnosticCodes.swift` declares.
    static func generatedDiagnostics(_ text: String) -> [String] { matches(#"= DiagnosticCode\("([^"]*)"\)"#, in: text) }

    /// Every problem: `sources` maps module -> its hand-written files, `generated` module -> its
    /// generated DiagnosticCodes.swift.
    static func check(sources: [String: [(name: String, text: String)]], generated: [String: String]) -> [String] {
        var problems: [String] = []
        for module in sources.keys.sorted() {
            for (name, text) in sources[module]! { problems += handWritten(module: module, name: name, text: text) }
        }
        var owner: [String: String] = [:]
        for module in generated.keys.sorted() {
            for c in generatedDiagnostics(generated[module]!) {
                if let other = owner[c] {
                    problems.append("diagnostic code \(c) declared by both \(other) and \(module); declare it once, in the lower module")
                }
                owner[c] = module
            }
        }
        return problems
    }

    /// Sources/<Module>/**/*.swift: the hand-written files, and each module's generated DiagnosticCodes.swift.
    static func repoSources() throws -> (handWritten: [String: [(name: String, text: String)]], generated: [String: String]) {
        let sources = repoRoot.appendingPathComponent("Sources")
        var out: [String: [(name: String, text: String)]] = [:], generated: [String: String] = [:]
        for module in try FileManager.default.contentsOfDirectory(atPath: sources.path).sorted() {
            let dir = sources.appendingPathComponent(module)
            guard let walk = FileManager.default.enumerator(atPath: dir.path) else { continue }
            var files: [(name: String, text: String)] = []
            while let rel = walk.nextObject() as? String {
                guard rel.hasSuffix(".swift") else { continue }
                let text = try String(contentsOf: dir.appendingPathComponent(rel), encoding: .utf8)
                if rel == "Generated/DiagnosticCodes.swift" { generated[module] = text }
                guard !rel.hasPrefix("Generated/"), !rel.contains("/Generated/") else { continue }
                files.append((rel, text))
            }
            out[module] = files.sorted { $0.name < $1.name }
        }
        return (out, generated)
    }

    func testNoCodeIsDeclaredByHandAndNoneTwice() throws {
        let (handWritten, generated) = try Self.repoSources()
        XCTAssertNotNil(handWritten["DICOMIO"], "Sources/DICOMIO not found from \(Self.repoRoot.path)")
        let problems = Self.check(sources: handWritten, generated: generated)
        XCTAssertEqual(problems, [], problems.joined(separator: "\n"))
        // The check saw the generated tables (it did not pass by looking at nothing).
        XCTAssertTrue(Self.generatedDiagnostics(generated["DICOMIO"] ?? "").contains("odd-length"))
        XCTAssertTrue(Self.generatedDiagnostics(generated["DICOMFileSet"] ?? "").contains("unreferenced-file"))
    }

    /// The generated files are what docs/DIAGNOSTICS.md says (the generator's `--check`).
    func testGeneratedCodeFilesMatchTheDocument() throws {
        // python3 on PATH, else the peer-tool rule: skipped in the quick loop, a failure in the full run.
        let python = try PeerTool.path("python3") ?? PeerTool.require("python3")
        let p = Process()
        p.executableURL = URL(fileURLWithPath: python)
        p.arguments = [Self.repoRoot.appendingPathComponent("Tools/gen-diagnostics.py").path, "--check"]
        let err = Pipe()
        p.standardError = err
        p.standardOutput = FileHandle.nullDevice
        try p.run()
        let message = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        p.waitUntilExit()
        XCTAssertEqual(p.terminationStatus, 0, message)
    }

    /// The checker finds each kind of breach (so the repository check above can fail).
    func testCheckerFindsBreaches() {
        let sources: [String: [(name: String, text: String)]] = [
            "A": [
                ("Codes.swift", #"extension DiagnosticCode { public static let one = DiagnosticCode("a-one") }"#),
                ("AError.swift", #"extension AError.Code { static let e = Self(rawValue: "a-error") }"#),
                ("Old.swift", #"public static let f = Code(rawValue: "a-old")"#),
                ("Use.swift", #"d.append(Diagnostic(.warning, "a-one", "text"))"#),
                ("Fine.swift", #"let s = Self(rawValue: "not a code")  // no Code extension here"#),
            ]
        ]
        let generated = [
            "A": #"extension DiagnosticCode { public static let s = DiagnosticCode("shared") }"#,
            "B": #"extension DiagnosticCode { public static let s = DiagnosticCode("shared") }"#,
        ]
        let problems = Self.check(sources: sources, generated: generated)
        XCTAssertTrue(problems.contains { $0.hasPrefix("A/Codes.swift declares the code \"a-one\"") }, "\(problems)")
        XCTAssertTrue(problems.contains { $0.hasPrefix("A/AError.swift declares the code \"a-error\"") }, "\(problems)")
        XCTAssertTrue(problems.contains { $0.hasPrefix("A/Old.swift declares the code \"a-old\"") }, "\(problems)")
        XCTAssertTrue(problems.contains { $0.hasPrefix("A/Use.swift passes the literal \"a-one\"") }, "\(problems)")
        XCTAssertTrue(problems.contains("diagnostic code shared declared by both A and B; declare it once, in the lower module"), "\(problems)")
        XCTAssertFalse(problems.contains { $0.contains("Fine.swift") }, "\(problems)")
        XCTAssertEqual(problems.count, 5, "\(problems)")
        XCTAssertEqual(Self.check(sources: [:], generated: ["B": generated["B"]!]), [])
    }
}
