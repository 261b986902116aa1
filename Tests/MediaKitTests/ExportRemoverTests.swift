import DICOMCore
import DICOMFileSet
import DICOMIO
import Foundation
import XCTest
@testable import MediaKit

/// ``FileSetRemover``: instances and the records left without children go; unknown selectors are reported.
final class ExportRemoverTests: XCTestCase {
    func makeFileSet(count: Int) throws -> (root: String, sets: [DataSet]) {
        let input = try ExportFixture.tempRoot("in"), parent = try ExportFixture.tempRoot("out")
        let sets = try ExportFixture.series(in: input, count: count)
        let r = try FileSetCreator.create(out: parent + "/fs", inputs: [input], options: ExportFixture.options())
        XCTAssertEqual(r.added.count, count)
        return (parent + "/fs", sets)
    }

    func testRemovingAnInstanceDeletesItsFileAndRecord() throws {
        let (root, sets) = try makeFileSet(count: 2)
        let uid = sets[0].string(.sopInstanceUID)!
        let r = try FileSetRemover.remove(fileSet: root, selectors: [.instance(uid)], wait: 0)
        XCTAssertEqual(r.removedFiles, ["DICOM/P0000001/S0000001/SE000001/I0000001"])
        XCTAssertTrue(r.notFound.isEmpty)
        XCTAssertEqual(ExportFixture.files(under: root), ["DICOM/P0000001/S0000001/SE000001/I0000002", "DICOMDIR"])
        let fs = try DICOMDIRReader.read(path: root + "/DICOMDIR")
        XCTAssertEqual(fs.allRecords().compactMap { $0.record.referencedSOPInstanceUID }, [sets[1].string(.sopInstanceUID)!])
    }

    func testRemovingTheLastInstanceRemovesItsParents() throws {
        let (root, sets) = try makeFileSet(count: 1)
        let r = try FileSetRemover.remove(fileSet: root, selectors: [.series(sets[0].string(.seriesInstanceUID)!)], wait: 0)
        XCTAssertEqual(r.removedFiles.count, 1)
        let fs = try DICOMDIRReader.read(path: root + "/DICOMDIR")
        XCTAssertEqual(fs.recordCount, 0, "patient, study and series records left without children go too")
    }

    func testUnknownSelectorIsNotFoundAndDryRunChangesNothing() throws {
        let (root, sets) = try makeFileSet(count: 1)
        let before = try Data(contentsOf: URL(fileURLWithPath: root + "/DICOMDIR"))
        let r = try FileSetRemover.remove(fileSet: root, selectors: [.study("1.2.3.4"), .instance(sets[0].string(.sopInstanceUID)!)], dryRun: true, wait: 0)
        XCTAssertEqual(r.notFound, [.study("1.2.3.4")])
        XCTAssertEqual(r.diagnostics.map(\.code), [.selectionNotFound])
        XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: root + "/DICOMDIR")), before)
        XCTAssertEqual(ExportFixture.files(under: root).count, 2)
    }
}
