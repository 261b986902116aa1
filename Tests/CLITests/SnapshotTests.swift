import Foundation
import XCTest

/// The text of every `--help` (each command and subcommand) and of `dump` for a few corpus files,
/// compared with the snapshots in Tests/CLITests/Snapshots/: a change in help text or dump output
/// fails here. After a deliberate change, regenerate them and review the diff:
///
///     DICOM_MEDIA_UPDATE_SNAPSHOTS=1 swift test --filter CLITests.SnapshotTests
final class SnapshotTests: XCTestCase {
    static let snapshots = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Snapshots")
    static var updating: Bool { ProcessInfo.processInfo.environment["DICOM_MEDIA_UPDATE_SNAPSHOTS"] == "1" }
    /// Help is wrapped to the terminal width: fixed for the snapshots.
    static let environment = ["COLUMNS": "80", "LINES": "24"]

    /// Compares `text` with the snapshot `name` (or writes it when updating).
    func assertSnapshot(_ text: String, _ name: String, file: StaticString = #filePath, line: UInt = #line) throws {
        let url = Self.snapshots.appendingPathComponent(name)
        if Self.updating {
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try Data(text.utf8).write(to: url)
            return
        }
        guard let stored = try? String(contentsOf: url, encoding: .utf8) else {
            return XCTFail("no snapshot \(name): run with DICOM_MEDIA_UPDATE_SNAPSHOTS=1 to record it", file: file, line: line)
        }
        if stored != text {
            let a = stored.split(separator: "\n", omittingEmptySubsequences: false), b = text.split(separator: "\n", omittingEmptySubsequences: false)
            let first = zip(a, b).enumerated().first { $0.element.0 != $0.element.1 }?.offset ?? min(a.count, b.count)
            XCTFail(
                """
                \(name) differs from its snapshot at line \(first + 1):
                  snapshot: \(first < a.count ? String(a[first]) : "(end)")
                  now:      \(first < b.count ? String(b[first]) : "(end)")
                (regenerate with DICOM_MEDIA_UPDATE_SNAPSHOTS=1 if the change is meant)
                """, file: file, line: line)
        }
    }

    /// The subcommand names listed in a help text's SUBCOMMANDS section.
    static func subcommands(_ help: String) -> [String] {
        var names: [String] = []
        var inSection = false
        for l in help.split(separator: "\n", omittingEmptySubsequences: false) {
            if l.hasPrefix("SUBCOMMANDS:") { inSection = true; continue }
            guard inSection else { continue }
            if !l.hasPrefix(" ") && !l.isEmpty { break }
            // "  name   abstract": a name at two spaces' indent; continuation lines are indented further.
            if l.hasPrefix("  "), !l.hasPrefix("   "), let name = l.split(separator: " ").first, !l.contains("See '") {
                names.append(String(name))
            }
        }
        return names
    }

    /// Every command path, found by walking the SUBCOMMANDS sections from the root.
    func commandPaths() throws -> [[String]] {
        var out: [[String]] = []
        var queue: [[String]] = [[]]
        while !queue.isEmpty {
            let path = queue.removeFirst()
            out.append(path)
            let help = try CLITests.run(path + ["--help"], environment: Self.environment).stdout
            queue += Self.subcommands(help).map { path + [$0] }
        }
        return out
    }

    func testEveryHelpMatchesItsSnapshot() throws {
        let paths = try commandPaths()
        XCTAssertGreaterThanOrEqual(paths.count, 19, "root, 13 commands and 5 store subcommands: \(paths)")
        var names = Set<String>()
        for path in paths {
            let r = try CLITests.run(path + ["--help"], environment: Self.environment)
            XCTAssertEqual(r.status, 0, "\(path): \(r.stderr)")
            XCTAssertEqual(r.stderr, "", "\(path)")
            let name = (["dicom-media"] + path).joined(separator: "-") + ".txt"
            names.insert(name)
            try assertSnapshot(r.stdout, "help/" + name)
        }
        // A snapshot of a command that no longer exists fails too.
        let stored = Set((try? FileManager.default.contentsOfDirectory(atPath: Self.snapshots.appendingPathComponent("help").path)) ?? [])
        if !Self.updating { XCTAssertEqual(stored.subtracting(names), [], "snapshots without a command") }
    }

    func testSubcommandsAreReadFromHelp() {
        let help =
            "USAGE: x\n\nSUBCOMMANDS:\n  list                    Print the tree\n                          (continued).\n  show                    Show.\n\n  See 'x help <subcommand>' for detailed help.\n"
        XCTAssertEqual(Self.subcommands(help), ["list", "show"])
        XCTAssertEqual(Self.subcommands("USAGE: x\n\nOPTIONS:\n  -h, --help  Show help.\n"), [])
    }

    /// Corpus files whose dump is kept: Explicit VR LE, sequences, encapsulated JPEG 2000, deflated,
    /// a DICOMDIR, a character set other than the default (ISO 2022 Japanese).
    static let dumped = [
        "pydicom-3.0.2/test_files/CT_small.dcm", "pydicom-3.0.2/test_files/rtplan.dcm", "pydicom-3.0.2/test_files/JPEG2000.dcm",
        "pydicom-3.0.2/test_files/image_dfl.dcm", "pydicom-3.0.2/dicomdirtests/DICOMDIR", "clunie-charset-fileset/SCSH31",
    ]

    func corpusFile(_ relative: String) throws -> String {
        let path = try CLITests.corpus.appendingPathComponent(relative).path
        guard FileManager.default.fileExists(atPath: path) else { throw XCTSkip("corpus file \(relative) not found (set DICOM_MEDIA_CORPUS)") }
        return path
    }

    /// The snapshot name of a corpus file: its path with "/" as "_".
    static func snapshotName(_ relative: String, _ suffix: String) -> String {
        "dump/" + relative.replacingOccurrences(of: "/", with: "_") + suffix
    }

    func testDumpTextMatchesSnapshots() throws {
        for rel in Self.dumped {
            let r = try CLITests.run(["dump", try corpusFile(rel)])
            XCTAssertEqual(r.status, 0, "\(rel): \(r.stderr)")
            try assertSnapshot(r.stdout, Self.snapshotName(rel, ".txt"))
        }
        let header = try CLITests.run(["dump", "--header-only", try corpusFile(Self.dumped[0])])
        try assertSnapshot(header.stdout, Self.snapshotName(Self.dumped[0], ".header-only.txt"))
    }

    func testDumpJSONMatchesSnapshot() throws {
        // The BulkDataURI names the file by its absolute path: kept as CORPUS/... in the snapshot.
        let rel = Self.dumped[0]
        let r = try CLITests.run(["dump", "--json", try corpusFile(rel)])
        XCTAssertEqual(r.status, 0, r.stderr)
        let text = try r.stdout.replacingOccurrences(of: CLITests.corpus.standardizedFileURL.path, with: "CORPUS")
        try assertSnapshot(text, Self.snapshotName(rel, ".json"))
    }
}
