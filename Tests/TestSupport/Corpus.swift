import Foundation
import XCTest

/// The shared media corpus (PS3.10 files and File-sets made by other tools), named by DICOM_MEDIA_CORPUS.
///
/// `swift test` alone is the quick loop: without DICOM_MEDIA_CORPUS, or when its folder is absent, every
/// accessor throws `XCTSkip`, so a test that needs the corpus is skipped with a message saying how to run it.
/// scripts/test.sh sets DICOM_MEDIA_CORPUS (default ../shared/media-corpus) and runs everything.
public enum Corpus {
    /// The environment variable naming the corpus folder.
    public static let variable = "DICOM_MEDIA_CORPUS"

    /// The corpus folder, when DICOM_MEDIA_CORPUS names a folder that exists.
    public static var location: URL? {
        guard let env = ProcessInfo.processInfo.environment[variable], !env.isEmpty else { return nil }
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: env, isDirectory: &isDirectory), isDirectory.boolValue else { return nil }
        return URL(fileURLWithPath: env)
    }

    /// True when the corpus is there: the full run (scripts/test.sh), where missing peer tools fail instead of skipping.
    public static var isAvailable: Bool { location != nil }

    /// The corpus folder; skips the test when it is not there.
    public static var root: URL {
        get throws {
            if let url = location { return url }
            let env = ProcessInfo.processInfo.environment[variable] ?? ""
            throw XCTSkip(
                env.isEmpty
                    ? "needs the media corpus: set \(variable) to its folder (scripts/test.sh uses ../shared/media-corpus)"
                    : "needs the media corpus: \(variable)=\(env) is not a folder")
        }
    }

    /// Skips the test when the corpus is not there (for a test whose first corpus access sits inside an
    /// XCTAssert, which would record the skip as a failure).
    public static func require() throws { _ = try root }

    /// The URL of a file under the corpus (relative path as in manifest.tsv); skips without the corpus.
    public static func url(_ relative: String) throws -> URL { try root.appendingPathComponent(relative) }

    /// The path of a corpus file; skips without the corpus, fails when the corpus lacks the file.
    public static func path(_ relative: String) throws -> String {
        let path = try url(relative).path
        guard FileManager.default.fileExists(atPath: path) else { throw TestFailure("corpus file missing: \(path)") }
        return path
    }

    /// One row of manifest.tsv: the file's relative path, its content column (empty for files that are not
    /// DICOM: licences, readmes) and its notes column.
    public struct Entry: Sendable {
        public var path: String
        public var content: String
        public var notes: String
    }

    /// The rows of manifest.tsv.
    public static func manifest() throws -> [Entry] {
        let url = try root.appendingPathComponent("manifest.tsv")
        guard let text = try? String(contentsOf: url, encoding: .utf8) else { throw TestFailure("corpus manifest missing: \(url.path)") }
        return text.split(separator: "\n").dropFirst().map { line in
            let c = line.split(separator: "\t", omittingEmptySubsequences: false).map(String.init)
            return Entry(path: c.first ?? "", content: c.count > 5 ? c[5] : "", notes: c.count > 6 ? c[6] : "")
        }
    }

    /// Absolute paths of the DICOM files listed in manifest.tsv (licences and readmes left out).
    public static func files() throws -> [String] {
        let root = try root
        return try manifest().filter { !$0.content.isEmpty }.map { root.appendingPathComponent($0.path).path }
    }

    /// Relative paths of the corpus files whose content column starts with `prefix`, e.g. "RLE Lossless".
    public static func files(content prefix: String) throws -> [String] {
        try manifest().filter { $0.content.hasPrefix(prefix) }.map(\.path)
    }
}

/// A test failure carrying its message (for helpers that cannot call XCTFail at the caller's line).
public struct TestFailure: Error, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}
