import DICOMCore
import Foundation
import TestSupport
import XCTest
@testable import DICOMIO

/// The file-backed reader's sliding window and direct reads of long values give what a read of the
/// same bytes in memory gives: data set, diagnostics, errors and their offsets.
final class WindowTests: XCTestCase {
    /// Reads `path` through a tiny window (chunk 16 bytes, values of 64 bytes or more read directly).
    func windowed(_ path: String, _ options: ReadOptions) -> Result<DICOMFile, DICOMParseError> {
        do {
            return .success(try Part10Reader.read(ByteSource(path: path, chunk: 16, direct: 64), options: options))
        } catch let e as DICOMParseError { return .failure(e) } catch {
            return .failure(DICOMIOError(.io, "unexpected error", path: path, cause: error))  // fails the comparison
        }
    }
    func inMemory(_ bytes: [UInt8], _ path: String, _ options: ReadOptions) -> Result<DICOMFile, DICOMParseError> {
        do { return .success(try Part10Reader.read(bytes: bytes, path: path, options: options)) } catch let e as DICOMParseError { return .failure(e) } catch {
            return .failure(DICOMIOError(.io, "unexpected error", path: path, cause: error))  // fails the comparison
        }
    }
    func assertSame(_ a: Result<DICOMFile, DICOMParseError>, _ b: Result<DICOMFile, DICOMParseError>, _ what: String) {
        switch (a, b) {
        case (.success(let x), .success(let y)):
            XCTAssertEqual(x.dataSet, y.dataSet, what)
            XCTAssertEqual(x.fileMeta, y.fileMeta, what)
            XCTAssertEqual(x.diagnostics, y.diagnostics, what)
            XCTAssertEqual(x.stoppedBeforePixelData, y.stoppedBeforePixelData, what)
        case (.failure(let x), .failure(let y)):
            XCTAssertEqual(x.description, y.description, what)
        default:
            XCTFail("\(what): windowed \(a) but in memory \(b)")
        }
    }

    func testEveryCorpusFileReadsTheSameThroughATinyWindow() throws {
        let files = try Corpus.files()
        XCTAssertGreaterThan(files.count, 100)
        for path in files {
            guard let bytes = try? [UInt8](Data(contentsOf: URL(fileURLWithPath: path))) else { continue }
            for options in [ReadOptions(), ReadOptions.headerOnly] {
                assertSame(windowed(path, options), inMemory(bytes, path, options), path)
            }
        }
    }

    /// Writes every `step`-th prefix of the corpus file `name`, checks that it reads the same through a tiny
    /// window as in memory, and returns the errors of the prefixes that failed.
    func everyCutReadsTheSame(_ name: String, step: Int, file: String) throws -> [DICOMParseError] {
        let full = try [UInt8](Data(contentsOf: Corpus.root.appendingPathComponent(name)))
        let dir = try tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent(file).path
        var failures: [DICOMParseError] = []
        for n in Swift.stride(from: 0, to: full.count, by: step) {
            let cut = Array(full[0..<n])
            try Data(cut).write(to: URL(fileURLWithPath: path))
            let w = windowed(path, ReadOptions())
            if case .failure(let e) = w { failures.append(e) }
            assertSame(w, inMemory(cut, path, ReadOptions()), "\(n) bytes")
        }
        return failures
    }

    func testEveryTruncationReadsTheSameThroughATinyWindow() throws {
        XCTAssertGreaterThan(try everyCutReadsTheSame("pydicom-3.0.2/test_files/CT_small.dcm", step: 5, file: "cut.dcm").count, 100)
    }

    /// A defined-length sequence is checked against the file's size, not loaded whole: every cut of a
    /// DICOMDIR (one long Directory Record Sequence) still fails as a read in memory does.
    func testEveryTruncationOfADICOMDIRReadsTheSameThroughATinyWindow() throws {
        let failures = try everyCutReadsTheSame("pydicom-3.0.2/dicomdirtests/DICOMDIR", step: 7, file: "DICOMDIR")
        XCTAssertGreaterThan(failures.filter { $0.message.contains("file ends inside the sequence") }.count, 10)
    }
}
