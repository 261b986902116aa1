import XCTest
@testable import MediaKit

/// The order of instances on a medium: patient, study, series, Instance Number (numerically, none first).
final class SortKeyTests: XCTestCase {
    func key(_ p: String, _ st: String, _ se: String, _ n: Int?) -> SortKey {
        SortKey(patientID: p, studyInstanceUID: st, seriesInstanceUID: se, instanceNumber: n)
    }

    func testOrder() {
        let keys = [
            key("P2", "1.1", "1.1.1", 1), key("P1", "1.2", "1.2.1", 1), key("P1", "1.1", "1.1.2", nil),
            key("P1", "1.1", "1.1.1", 10), key("P1", "1.1", "1.1.1", 2), key("P1", "1.1", "1.1.1", nil), key("P1", "1.1", "1.1.1", -3),
            key("P1", "1.1", "1.1.1", 1_000_000_000_000),
        ]
        XCTAssertEqual(
            keys.sorted().map { "\($0.patientID) \($0.studyInstanceUID) \($0.seriesInstanceUID) \($0.instanceNumber.map(String.init) ?? "-")" },
            [
                "P1 1.1 1.1.1 -", "P1 1.1 1.1.1 -3", "P1 1.1 1.1.1 2", "P1 1.1 1.1.1 10", "P1 1.1 1.1.1 1000000000000",
                "P1 1.1 1.1.2 -", "P1 1.2 1.2.1 1", "P2 1.1 1.1.1 1",
            ])
        XCTAssertFalse(key("P", "1", "1", nil) < key("P", "1", "1", nil))
        XCTAssertEqual(key("P", "1", "1", 4), key("P", "1", "1", 4))
    }
}
