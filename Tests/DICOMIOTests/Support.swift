import Foundation
import XCTest

/// The shared media corpus (PS3.10 files made by other tools); tests fail, never skip, without it.
enum Corpus {
    static var root: URL {
        if let env = ProcessInfo.processInfo.environment["DICOM_MEDIA_CORPUS"], !env.isEmpty { return URL(fileURLWithPath: env) }
        // Tests/DICOMIOTests/Support.swift -> repo -> ../shared/media-corpus
        return URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("shared/media-corpus")
    }

    /// Paths of the DICOM files listed in manifest.tsv (licences excluded).
    static func files() throws -> [String] {
        let manifest = root.appendingPathComponent("manifest.tsv")
        guard let text = try? String(contentsOf: manifest, encoding: .utf8) else {
            XCTFail("media corpus not found at \(root.path): set DICOM_MEDIA_CORPUS")
            return []
        }
        return text.split(separator: "\n").dropFirst().compactMap { line in
            let cols = line.split(separator: "\t", omittingEmptySubsequences: false)
            let path = String(cols.first ?? "")
            // The manifest's content column is empty for files that are not DICOM (licences, readmes).
            if cols.count < 6 || cols[5].isEmpty { return nil }
            return root.appendingPathComponent(path).path
        }
    }
}

func tempDir() throws -> URL {
    let d = FileManager.default.temporaryDirectory.appendingPathComponent("dicom-media-tests-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: d, withIntermediateDirectories: true)
    return d
}
