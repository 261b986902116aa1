import DICOMCore
@testable import DICOMIO
import Foundation
import TestSupport
import XCTest

/// Every file of the shared media corpus is read; what we write reads back the same.
final class CorpusTests: XCTestCase {
    func testEveryCorpusFileIsRead() throws {
        let files = try Corpus.files()
        XCTAssertGreaterThan(files.count, 150)
        var read = 0
        for path in files {
            do {
                let f = try Part10Reader.read(path: path)
                XCTAssertFalse(f.dataSet.isEmpty && f.fileMeta.isEmpty, path)
                read += 1
            } catch {
                XCTFail("\(path): \(error)")
            }
        }
        XCTAssertEqual(read, files.count)
    }

    func testHeaderOnlyReadAgreesWithFullRead() throws {
        for path in try Corpus.files() {
            guard let full = try? Part10Reader.read(path: path) else { continue }
            let head = try Part10Reader.read(path: path, options: .headerOnly)
            var expected = full.dataSet
            if full.dataSet[.pixelData] != nil {
                XCTAssertTrue(head.stoppedBeforePixelData, path)
                expected.removeAll { $0.tag >= .pixelData }
            }
            XCTAssertEqual(head.dataSet, expected, path)
        }
    }

    /// Native files written in ELE, ILE and deflated read back as the same data set.
    func testWriteReadRoundTrip() throws {
        for path in try Corpus.files() {
            guard let f = try? Part10Reader.read(path: path), !f.transferSyntax.isEncapsulated else { continue }
            for ts in [TransferSyntax.explicitVRLittleEndian, .implicitVRLittleEndian, .deflatedExplicitVRLittleEndian] {
                let bytes = try Part10Writer.encode(dataSet: f.dataSet, fileMeta: f.fileMeta, options: WriteOptions(transferSyntax: ts))
                let back = try Part10Reader.read(bytes: bytes, path: path)
                XCTAssertEqual(back.transferSyntax.uid, ts.uid, path)
                let a = comparable(f.dataSet, implicit: ts == .implicitVRLittleEndian)
                let b = comparable(back.dataSet, implicit: ts == .implicitVRLittleEndian)
                if a != b {
                    let diff = zip(a.elements, b.elements).first { $0 != $1 }
                    XCTFail(
                        "\(path) as \(ts.name): differs at \(String(describing: diff?.0.tag)) \(String(describing: diff?.0.vr)) vs \(String(describing: diff?.1.vr))"
                    )
                }
                XCTAssertEqual(back.fileMeta.string(.implementationClassUID), Implementation.classUID)
            }
        }
    }

    /// Values as they must survive: odd values padded, group lengths recomputed, and in Implicit VR
    /// the VR of elements the dictionary does not know (or knows as ambiguous) is not encoded.
    func comparable(_ ds: DataSet, implicit: Bool) -> DataSet {
        var out = DataSet()
        for var e in ds where !e.tag.isGroupLength {
            switch e.value {
            case .bytes(var b):
                if b.count & 1 == 1 { b.append(e.vr.paddingByte) }
                e.value = .bytes(b)
            case .sequence(let items):
                e.value = .sequence(items.map { comparable($0, implicit: implicit) })
            case .fragments: break
            }
            if implicit { e.vr = VR.UN }
            e.valueOffset = -1
            out.set(e)
        }
        return out
    }
}

/// Hostile and broken input: always a clear error naming the file and offset, never a crash or hang.
final class BadInputTests: XCTestCase {
    func readError(_ bytes: [UInt8]) -> DICOMParseError? {
        do { _ = try Part10Reader.read(bytes: bytes, path: "x.dcm"); return nil } catch { return error as? DICOMParseError }
    }

    func testEmptyZerosRandomAndDirectory() throws {
        XCTAssertEqual(readError([])?.code, .empty)
        XCTAssertEqual(readError([UInt8](repeating: 0, count: 4096))?.code, .notDICOM)
        var rng = SystemRandomNumberGenerator()
        for _ in 0..<200 {
            let junk = (0..<Int.random(in: 1...2000, using: &rng)).map { _ in UInt8.random(in: 0...255, using: &rng) }
            _ = readError(junk)  // must return, whatever it decides
        }
        let dir = try tempDir()
        XCTAssertThrowsError(try Part10Reader.read(path: dir.path)) { e in
            XCTAssertEqual((e as? DICOMParseError)?.code, .isDirectory)
            XCTAssertTrue("\(e)".contains(dir.path))
        }
        XCTAssertThrowsError(try Part10Reader.read(path: dir.appendingPathComponent("missing").path)) { e in
            XCTAssertEqual((e as? DICOMParseError)?.code, .io)
        }
    }

    /// Every prefix of a real file either reads (a shorter but valid data set) or fails with an offset.
    func testEveryTruncationOfARealFile() throws {
        let path = try Corpus.root.appendingPathComponent("pydicom-3.0.2/test_files/CT_small.dcm").path
        let full = try [UInt8](Data(contentsOf: URL(fileURLWithPath: path)))
        var failures = 0
        for n in Swift.stride(from: 0, to: full.count, by: full.count > 20000 ? 7 : 1) {
            do {
                _ = try Part10Reader.read(bytes: Array(full[0..<n]), path: path)
            } catch let e as DICOMParseError {
                failures += 1
                XCTAssertNotNil(e.offset, "\(n): \(e)")
                XCTAssertTrue(e.description.hasPrefix(path), e.description)
            }
        }
        XCTAssertGreaterThan(failures, 100)
    }

    /// Corrupted lengths in every element of a real file never crash or hang.
    func testCorruptedBytesOfARealFile() throws {
        let path = try Corpus.root.appendingPathComponent("pydicom-3.0.2/test_files/rtplan.dcm").path
        let full = try [UInt8](Data(contentsOf: URL(fileURLWithPath: path)))
        for i in Swift.stride(from: 132, to: min(full.count, 6000), by: 3) {
            for v: UInt8 in [0x00, 0xFF, 0x7F] {
                var b = full
                b[i] = v
                _ = try? Part10Reader.read(bytes: b, path: path)
            }
        }
    }
}
