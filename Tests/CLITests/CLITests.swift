import Foundation
import TestSupport
import XCTest

/// Runs the built `dicom-media` binary: exit codes and one-line errors (PS3.10 readers must not crash).
final class CLITests: XCTestCase {
    static var binary: URL { Products.executable("dicom-media") }
    static var corpus: URL { get throws { try Corpus.root } }

    struct Run { var status: Int32; var stdout: String; var stderr: String }

    func run(_ args: [String]) throws -> Run { try Self.run(args) }

    /// Runs the binary with `args`; `environment` entries are added to this process's environment.
    static func run(_ args: [String], environment: [String: String] = [:]) throws -> Run {
        let env = environment.isEmpty ? nil : ProcessInfo.processInfo.environment.merging(environment) { $1 }
        let r = try runExecutable(binary, args, environment: env)
        return Run(status: r.status, stdout: r.stdout, stderr: r.stderr)
    }

    func tmp() throws -> URL { try tempDir("dm-cli") }

    var ctSmall: String { get throws { try Self.corpus.appendingPathComponent("pydicom-3.0.2/test_files/CT_small.dcm").path } }

    func testDumpPrintsElements() throws {
        XCTAssertTrue(FileManager.default.fileExists(atPath: Self.binary.path), "binary not built at \(Self.binary.path)")
        let r = try run(["dump", ctSmall])
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertTrue(r.stdout.contains("(0010,0010) PN [CompressedSamples^CT1]"), r.stdout)
        XCTAssertTrue(r.stdout.contains("PatientName"))
    }

    func testDumpJSONHasBulkDataURIWithOffset() throws {
        let r = try run(["dump", "--json", ctSmall])
        XCTAssertEqual(r.status, 0, r.stderr)
        let obj = try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any]
        let px = obj?["7FE00010"] as? [String: Any]
        let uri = try XCTUnwrap(px?["BulkDataURI"] as? String)
        XCTAssertTrue(uri.contains("offset="), uri)
        let name = (obj?["00100010"] as? [String: Any])?["Value"] as? [[String: Any]]
        XCTAssertEqual(name?.first?["Alphabetic"] as? String, "CompressedSamples^CT1")
    }

    func testUnreadableInputsExitTwoWithOneLine() throws {
        let d = try tmp()
        let empty = d.appendingPathComponent("empty.dcm"); _ = FileManager.default.createFile(atPath: empty.path, contents: Data())
        let zeros = d.appendingPathComponent("zeros.dcm"); _ = FileManager.default.createFile(atPath: zeros.path, contents: Data(count: 10000))
        let random = d.appendingPathComponent("random.dcm")
        _ = FileManager.default.createFile(atPath: random.path, contents: Data((0..<5000).map { _ in UInt8.random(in: 0...255) }))
        let truncated = d.appendingPathComponent("truncated.dcm")
        let full = try Data(contentsOf: URL(fileURLWithPath: ctSmall))
        _ = FileManager.default.createFile(atPath: truncated.path, contents: full.prefix(full.count / 2))
        for path in [empty.path, zeros.path, random.path, truncated.path, d.path, d.appendingPathComponent("missing").path] {
            let r = try run(["dump", path])
            XCTAssertEqual(r.status, 2, "\(path): \(r.stderr)")
            let lines = r.stderr.split(separator: "\n")
            XCTAssertEqual(lines.count, 1, r.stderr)
            XCTAssertTrue(r.stderr.hasPrefix(path), r.stderr)
            XCTAssertTrue(r.stderr.contains("offset"), r.stderr)
        }
        let t = try run(["dump", truncated.path])
        XCTAssertTrue(t.stderr.contains("file ends"), t.stderr)
    }

    func testWarningsExitZeroUnlessFailOnWarning() throws {
        // Odd-length value: read, with a warning on stderr (the contract: exit 0; 1 with --fail-on warning).
        let d = try tmp()
        var bytes = [UInt8](repeating: 0, count: 128) + Array("DICM".utf8)
        bytes += [0x02, 0x00, 0x10, 0x00, 0x55, 0x49, 0x14, 0x00] + Array("1.2.840.10008.1.2.1\0".utf8)
        bytes += [0x10, 0x00, 0x20, 0x00, 0x4C, 0x4F, 0x03, 0x00, 0x41, 0x42, 0x43]
        let odd = d.appendingPathComponent("odd.dcm")
        _ = FileManager.default.createFile(atPath: odd.path, contents: Data(bytes))
        var r = try run(["dump", odd.path])
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertTrue(r.stderr.contains("odd-length"), r.stderr)
        XCTAssertFalse(r.stdout.contains("odd-length"), r.stdout)
        r = try run(["dump", odd.path, "--fail-on", "warning"])
        XCTAssertEqual(r.status, 1, r.stderr)
    }

    /// `transcode --to explicit-little` of a corpus file into a fresh folder: the folder, the output path, the result.
    func transcodeToExplicit(_ corpusFile: String) throws -> (URL, String, Run) {
        let d = try tmp()
        let out = d.appendingPathComponent("ele.dcm").path
        return (d, out, try run(["transcode", try Self.corpus.appendingPathComponent(corpusFile).path, out, "--to", "explicit-little"]))
    }

    func testTranscodeImplicitToExplicitAndBack() throws {
        let (d, out, first) = try transcodeToExplicit("pydicom-3.0.2/test_files/MR_small_bigendian.dcm")
        XCTAssertEqual(first.status, 0, first.stderr)
        var r = try run(["dump", out])
        XCTAssertTrue(r.stdout.contains("Explicit VR Little Endian"), r.stdout)
        let ile = d.appendingPathComponent("ile.dcm").path
        r = try run(["transcode", out, ile, "--to", "implicit-little"])
        XCTAssertEqual(r.status, 0, r.stderr)
        r = try run(["dump", "--json", ile])
        XCTAssertTrue(r.stdout.contains("1.2.840.10008.1.2\""), r.stdout)
        let dfl = d.appendingPathComponent("dfl.dcm").path
        r = try run(["transcode", ile, dfl, "--to", "deflated"])
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertLessThan(try Data(contentsOf: URL(fileURLWithPath: dfl)).count, try Data(contentsOf: URL(fileURLWithPath: ile)).count)
    }

    func testRetiredProgressiveJPEGIsRefusedByName() throws {
        let (_, out, r) = try transcodeToExplicit("cornerstone3D/testImages/CTImage.dcm_JPEGProcess10_12TransferSyntax_1.2.840.10008.1.2.4.55.dcm")
        XCTAssertEqual(r.status, 2, r.stderr)
        XCTAssertTrue(r.stderr.contains("unsupported transfer syntax"), r.stderr)
        XCTAssertTrue(r.stderr.contains("1.2.840.10008.1.2.4.55"), r.stderr)
        XCTAssertFalse(FileManager.default.fileExists(atPath: out))
    }

    func testTranscodeUnknownTargetAndBadArguments() throws {
        let src = try Self.corpus.appendingPathComponent("pydicom-3.0.2/test_files/MR_small.dcm").path
        var r = try run(["transcode", src, "/tmp/x.dcm", "--to", "jpeg-xl"])
        XCTAssertEqual(r.status, 64, r.stderr)
        XCTAssertTrue(r.stderr.contains("jpeg-lossless"), r.stderr)
        r = try run(["transcode", src, "--to", "rle"])
        XCTAssertEqual(r.status, 64, r.stderr)
        r = try run(["transcode", src, "/tmp/x.dcm", "--to", "jpeg-baseline", "--quality", "0"])
        XCTAssertEqual(r.status, 64, r.stderr)
    }

    func testHelpDocumentsExitCodes() throws {
        let r = try run(["--help"])
        XCTAssertTrue(r.stdout.contains("Exit codes"), r.stdout)
        // Help text is wrapped: compare with whitespace runs made one space.
        XCTAssertTrue(
            try run(["transcode", "--help"]).stdout.split(whereSeparator: \.isWhitespace).joined(separator: " ").contains("2 the input could not be read"))
        // Every command's --help states the contract.
        for cmd in [
            ["dump"], ["create"], ["update"], ["remove"], ["list"], ["verify"], ["iso"], ["import"], ["export"],
            ["store", "list"], ["store", "show"], ["store", "remove"], ["store", "verify"],
        ] {
            let h = try run(cmd + ["--help"]).stdout.split(whereSeparator: \.isWhitespace).joined(separator: " ")
            XCTAssertTrue(h.contains("stdout is exactly one JSON document") && h.contains("64 usage"), "\(cmd): \(h)")
            XCTAssertTrue(h.contains("--quiet") && h.contains("--verbose") && h.contains("--json"), "\(cmd): \(h)")
        }
    }
}
