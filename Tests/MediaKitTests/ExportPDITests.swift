import DICOMCore
import DICOMFileSet
import DICOMIO
import Foundation
import XCTest
@testable import MediaKit

/// ``PDIWriter`` and ``PDIChecker``: IHE PDI content beside the File-set.
final class ExportPDITests: XCTestCase {
    func makeFileSet() throws -> (root: String, fs: FileSet, copies: [FileSetTransaction.Copy]) {
        let input = try ExportFixture.tempRoot("in"), parent = try ExportFixture.tempRoot("out")
        try ExportFixture.series(in: input, count: 3)
        let root = parent + "/fs"
        _ = try FileSetCreator.create(out: root, inputs: [input], options: ExportFixture.options())
        let fs = try DICOMDIRReader.read(path: root + "/DICOMDIR")
        let copies = fs.allRecords().compactMap { $0.record.referencedFileID?.path }.map {
            FileSetTransaction.Copy(source: root + "/" + $0, fileID: $0, size: 0)
        }
        return (root, fs, copies)
    }

    var pdiOptions: PDIOptions {
        var o = PDIOptions(templates: ExportFixture.repository + "/templates/pdi")
        o.institution = "Test <Hospital>"
        return o
    }

    func testDICOMOnlyPDIHasReadmeAndIndexWithEscapedText() throws {
        let (_, fs, copies) = try makeFileSet()
        let files = try PDIWriter(options: pdiOptions).files(for: fs, copies: copies)
        XCTAssertEqual(files.map(\.path), ["README.TXT", "INDEX.HTM"])
        let index = String(decoding: files[1].bytes, as: UTF8.self)
        XCTAssertTrue(index.contains("DICOM ONLY"))
        XCTAssertTrue(index.contains("Test &lt;Hospital&gt;"), "institution is escaped in HTML")
        XCTAssertFalse(index.contains("Test <Hospital>"))
    }

    func testWebContentHasOnePagePerSeriesAndItsKeyImages() throws {
        let (root, fs, copies) = try makeFileSet()
        var o = pdiOptions
        o.web = true
        let files = try PDIWriter(options: o).files(for: fs, copies: copies)
        // A series of three: its first, middle and last image.
        XCTAssertEqual(
            files.map(\.path),
            ["README.TXT", "INDEX.HTM", "IHE_PDI/INDEX.HTM", "IHE_PDI/S0000001.JPG", "IHE_PDI/S0000002.JPG", "IHE_PDI/S0000003.JPG", "IHE_PDI/S0000001.HTM"])
        let jpeg = files[3].bytes
        XCTAssertEqual(Array(jpeg.prefix(2)), [0xFF, 0xD8], "a JPEG rendering")
        // Written beside the File-set, the PDI checker finds nothing wrong.
        for f in files {
            try FileManager.default.createDirectory(atPath: (root + "/" + f.path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
            try f.bytes.write(to: root + "/" + f.path)
        }
        XCTAssertEqual(PDIChecker.check(root: root, fileSet: fs).filter { $0.severity >= .warning }.map(\.code), [])
    }

    func testCheckerFindsMissingReadme() throws {
        let (root, fs, _) = try makeFileSet()
        let codes = PDIChecker.check(root: root, fileSet: fs).map(\.code)
        XCTAssertTrue(codes.contains(.pdiMissingFile))
    }
}
