import XCTest

@testable import MediaKit

/// ``StudyGrouper``: studies handed on when complete, in the order first seen, none lost.
final class StudyGrouperTests: XCTestCase {
    func instance(_ study: String, _ n: Int) -> OutgoingInstance {
        OutgoingInstance(
            path: "\(study)/\(n)", sopInstanceUID: "1.\(n)", sopClassUID: "1.2", transferSyntaxUID: "1.2.840.10008.1.2.1", studyInstanceUID: study,
            file: nil, bytes: { [] })
    }

    func testAStudyIsCompleteOnceWindowFilesFollowIt() {
        var g = StudyGrouper(window: 2)
        for n in 0..<3 { g.add(instance("A", n)) }
        g.add(instance("B", 3))
        g.add(instance("B", 4))
        XCTAssertTrue(g.complete().isEmpty, "A's last file is only two files back")
        g.add(instance("C", 5))
        XCTAssertEqual(g.complete().map { $0.map(\.path) }, [["A/0", "A/1", "A/2"]])
        XCTAssertTrue(g.complete().isEmpty, "handed on once")
        g.add(instance("B", 6))
        XCTAssertEqual(g.rest().map { $0.map(\.path) }, [["B/3", "B/4", "B/6"], ["C/5"]])
        XCTAssertTrue(g.rest().isEmpty)
    }

    func testInterleavedStudiesStayTogetherWithinTheWindow() {
        var g = StudyGrouper(window: 64)
        var all: [String] = []
        for n in 0..<100 {
            let i = instance(n % 2 == 0 ? "A" : "B", n)
            all.append(i.path)
            g.add(i)
            XCTAssertTrue(g.complete().isEmpty)
        }
        let studies = g.rest()
        XCTAssertEqual(studies.count, 2)
        XCTAssertEqual(Set(studies.flatMap { $0.map(\.path) }), Set(all))
    }
}
