import DICOMCore
import DICOMIO
import Foundation
import XCTest

/// Inputs found by scripts/fuzz.sh (Tests/Fixtures/fuzz/*.bin, see the README there): each must
/// read or throw a DICOMParseError that names an offset, quickly, and whatever reads must survive
/// the rest of what the fuzz target does with it (JSON, text decoding, Explicit VR LE round trip).
final class FuzzRegressionTests: XCTestCase {
    static var fixtures: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Fixtures/fuzz")
    }

    func fixtureFiles() throws -> [URL] {
        let names = try FileManager.default.contentsOfDirectory(atPath: Self.fixtures.path)
        return names.filter { $0.hasSuffix(".bin") }.sorted().map { Self.fixtures.appendingPathComponent($0) }
    }

    func testFixturesArePresent() throws {
        XCTAssertFalse(try fixtureFiles().isEmpty, "no fuzz fixtures in \(Self.fixtures.path)")
    }

    func testEveryFixtureParsesOrFailsCleanly() throws {
        for url in try fixtureFiles() {
            let name = url.lastPathComponent
            let bytes = try [UInt8](Data(contentsOf: url))
            let start = Date()
            for options in [ReadOptions(), ReadOptions.headerOnly] {
                do {
                    let file = try Part10Reader.read(bytes: bytes, path: name, options: options)
                    exercise(file, name)
                    if !options.stopBeforePixelData { roundTrip(file, name) }
                } catch let e as DICOMParseError {
                    XCTAssertNotNil(e.offset, "\(name): error without an offset: \(e)")
                } catch {
                    XCTFail("\(name): threw \(type(of: error)), not DICOMParseError: \(error)")
                }
            }
            let elapsed = Date().timeIntervalSince(start)
            XCTAssertLessThan(elapsed, 2, "\(name) took \(elapsed) s")
        }
    }

    /// What the fuzz target does with a file that reads (Fuzz/Part10/FuzzPart10.swift).
    func exercise(_ file: DICOMFile, _ name: String) {
        _ = JSONModel(path: name).json(file.fileMeta).serialized()
        _ = JSONModel(path: name).json(file.dataSet).serialized(pretty: true)
        let ds = file.dataSet
        for e in ds where e.bytes != nil {
            if e.vr.isString { _ = ds.strings(e.tag) }
            switch e.vr {
            case .PN: _ = ds.personNames(e.tag)
            case .DA: _ = ds.date(e.tag)
            case .TM: _ = ds.time(e.tag)
            case .DT: _ = ds.dateTime(e.tag)
            default: _ = ds.integers(e.tag); _ = ds.doubles(e.tag)
            }
        }
    }

    func roundTrip(_ file: DICOMFile, _ name: String) {
        let ds = file.dataSet.removingFileMeta()
        if ds[.pixelData]?.fragments != nil { return }
        do {
            let out = try Part10Writer.encode(dataSet: ds, fileMeta: file.fileMeta, options: WriteOptions(transferSyntax: .explicitVRLittleEndian))
            let back = try Part10Reader.read(bytes: out, path: name + " (rewritten)")
            XCTAssertEqual(tags(back.dataSet), tags(ds), "\(name): the Explicit VR LE round trip changed the tags")
        } catch {
            XCTFail("\(name): round trip failed: \(error)")
        }
    }

    /// Tags, with each sequence's items in brackets (group lengths are recomputed on write, so flat).
    func tags(_ ds: DataSet) -> String {
        ds.elements.map { e in
            if let items = e.items, !e.tag.isGroupLength { return "\(e.tag)[\(items.map(tags).joined(separator: "|"))]" }
            return e.tag.description
        }.joined(separator: " ")
    }
}
