import DICOMFileSet
import XCTest
@testable import MediaKit

/// A report names what a store path stands for, in every list and message (`FileSetReport.nameSources`).
final class SourceNamesTests: XCTestCase {
    func testEveryPathInAMessageIsNamedAndTheLongestPathWins() {
        let names = ["/s/objects/ab/1": "instance 1", "/s/objects/ab/12": "twelve", "/s/objects/cd/3": "instance 3 (é)"]
        let sources = SourceNames(names)
        XCTAssertEqual(
            sources.rename(in: "/s/objects/ab/12 and /s/objects/cd/3: not /s/objects/zz/9, then /s/objects/ab/1."),
            "twelve and instance 3 (é): not /s/objects/zz/9, then instance 1.")
        XCTAssertEqual(sources.rename(in: "no path here"), "no path here")
        XCTAssertEqual(sources.rename(in: "ends in /s/objects/ab/1"), "ends in instance 1")
        XCTAssertEqual(sources.rename(in: ""), "")
        XCTAssertEqual(sources.name("/s/objects/cd/3"), "instance 3 (é)")
        XCTAssertEqual(sources.name("/elsewhere"), "/elsewhere")
    }

    func testReportListsAndProblemsAreNamed() {
        var r = FileSetReport(operation: "create", root: "/out")
        r.added = [.init(fileID: "DICOM/A", source: "/s/o/1", recordType: "IMAGE", sopInstanceUID: "1.2")]
        r.refused = [(source: "/s/o/2", reason: "/s/o/2: transfer syntax not allowed")]
        r.unreadable = [(path: "/s/o/3", reason: "truncated")]
        r.problems = [FileSetProblem(.warning, .patientNameConflict, "/s/o/1 differs from /s/o/2", fileID: "/s/o/3", rule: "PS3.3 F.5.1")]
        r.nameSources(["/s/o/1": "one", "/s/o/2": "two", "/s/o/3": "three"])
        XCTAssertEqual(r.added[0].source, "one")
        XCTAssertEqual(r.refused[0].source, "two")
        XCTAssertEqual(r.refused[0].reason, "two: transfer syntax not allowed")
        XCTAssertEqual(r.unreadable[0].path, "three")
        XCTAssertEqual(r.problems[0].message, "one differs from two")
        XCTAssertEqual(r.problems[0].fileID, "three")
    }
}
