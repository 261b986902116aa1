import XCTest
@testable import MediaKit

final class VolumePlanTests: XCTestCase {
    /// Costs without structure overhead, so the arithmetic is visible: sizes in sectors of 1 byte.
    var flat: VolumePlanner.Costs {
        var c = VolumePlanner.Costs()
        c.perVolume = 0; c.perInstance = 0; c.perSeries = 0; c.block = 1
        return c
    }

    func s(_ patient: String, _ study: String, _ series: String, _ sizes: [Int64]) -> VolumePlanner.Series {
        .init(patient: patient, study: study, series: series, instanceSizes: sizes)
    }

    func testEverythingFitsInOneVolume() throws {
        let p = try VolumePlanner.plan([s("P", "A", "1", [10, 10]), s("P", "B", "2", [5])], capacity: 100, costs: flat)
        XCTAssertEqual(p.volumes.count, 1)
        XCTAssertEqual(p.volumes[0].used, 25)
        XCTAssertEqual(p.volumes[0].pieces.map(\.index), [0, 1])
    }

    func testStudiesStayTogetherAndFirstFitBackfills() throws {
        // Study A (60) and B (50) cannot share; C (30) goes back into A's volume.
        let series = [s("P", "A", "1", [30]), s("P", "A", "2", [30]), s("P", "B", "3", [50]), s("Q", "C", "4", [30])]
        let p = try VolumePlanner.plan(series, capacity: 100, costs: flat)
        XCTAssertEqual(p.volumes.map { $0.pieces.map(\.index) }, [[0, 1, 3], [2]])
        XCTAssertEqual(p.volumes.map(\.used), [90, 50])
        XCTAssertTrue(p.dividedSeries.isEmpty)
    }

    func testStudyLargerThanMediumSplitsBetweenSeriesNeverInside() throws {
        let series = [s("P", "A", "1", [40, 40]), s("P", "A", "2", [60]), s("P", "A", "3", [30])]
        let p = try VolumePlanner.plan(series, capacity: 100, costs: flat)
        // Each series whole; 80 + 60 > 100, so series 2 opens volume 2, series 3 fits there.
        XCTAssertEqual(p.volumes.map { $0.pieces.map(\.index) }, [[0], [1, 2]])
        for v in p.volumes { for piece in v.pieces { XCTAssertEqual(piece.instances, 0..<series[piece.index].instanceSizes.count) } }
    }

    func testSeriesLargerThanMediumIsDividedAndReported() throws {
        let p = try VolumePlanner.plan([s("P", "A", "1", [40, 40, 40])], capacity: 100, costs: flat)
        XCTAssertEqual(p.dividedSeries, ["1"])
        XCTAssertEqual(p.volumes.map { $0.pieces.map(\.instances) }, [[0..<2], [2..<3]])
    }

    func testInstanceLargerThanMediumThrows() {
        let series = [s("P", "A", "1", [10, 150])]
        let o = VolumePlanner.oversized(series, capacity: 100, costs: flat)
        XCTAssertEqual(o?.series, "1"); XCTAssertEqual(o?.instance, 1)
        XCTAssertNil(VolumePlanner.oversized([s("P", "A", "1", [10, 90])], capacity: 100, costs: flat))
        XCTAssertThrowsError(try VolumePlanner.plan(series, capacity: 100, costs: flat)) { e in
            XCTAssertEqual((e as? MediaError)?.code, .refused, "\(e)")
        }
    }

    func testEveryInstanceExactlyOnceUnderDefaultCosts() throws {
        var series: [VolumePlanner.Series] = []
        var rng = SystemRandomNumberGenerator()
        for st in 0..<12 {
            for se in 0..<Int.random(in: 1...4, using: &rng) {
                series.append(
                    s(
                        "P\(st % 3)", "S\(st)", "\(st).\(se)",
                        (0..<Int.random(in: 1...30, using: &rng)).map { _ in Int64.random(in: 1000...600_000, using: &rng) }))
            }
        }
        let costs = VolumePlanner.Costs()
        let capacity: Int64 = 12 << 20
        let p = try VolumePlanner.plan(series, capacity: capacity, costs: costs)
        var seen: [Int: [Int]] = [:]
        for v in p.volumes {
            XCTAssertLessThanOrEqual(v.used, capacity)
            let recomputed = v.pieces.reduce(costs.perVolume) { acc, piece in
                acc + costs.perSeries + series[piece.index].instanceSizes[piece.instances].reduce(0) { $0 + costs.instance($1) }
            }
            XCTAssertEqual(recomputed, v.used)
            for piece in v.pieces { seen[piece.index, default: []] += Array(piece.instances) }
        }
        for (i, s) in series.enumerated() { XCTAssertEqual(seen[i]?.sorted(), Array(0..<s.instanceSizes.count)) }
    }

    func testCapacityNames() throws {
        XCTAssertEqual(try MediaCapacity.parse("cd"), 737_280_000)
        XCTAssertEqual(try MediaCapacity.parse("DVD"), 4_700_372_992)
        XCTAssertEqual(try MediaCapacity.parse("bd-dl"), 50_050_629_632)
        XCTAssertNil(try MediaCapacity.parse("usb"))
        XCTAssertEqual(try MediaCapacity.parse("1500"), 1500)
        XCTAssertEqual(try MediaCapacity.parse("2K"), 2048)
        XCTAssertEqual(try MediaCapacity.parse("3m"), 3 << 20)
        XCTAssertEqual(try MediaCapacity.parse("1G"), 1 << 30)
        for bad in ["", "K", "-5", "1.5G", "12T", "dvdx"] { XCTAssertThrowsError(try MediaCapacity.parse(bad), bad) }
    }

    func testNumberedOutputs() {
        XCTAssertEqual(FileSetCreator.numbered("/a/OUT/", "_2", image: false), "/a/OUT_2")
        XCTAssertEqual(FileSetCreator.numbered("/a/disc.iso", "_1", image: true), "/a/disc_1.iso")
        XCTAssertEqual(FileSetCreator.numbered("/a.b/disc", "_1", image: true), "/a.b/disc_1")
    }

    func testPDINames() {
        XCTAssertTrue(PDIChecker.is83("README.TXT", folder: false))
        XCTAssertTrue(PDIChecker.is83("IHE_PDI", folder: true))
        XCTAssertFalse(PDIChecker.is83("index.htm", folder: false))
        XCTAssertFalse(PDIChecker.is83("LONGNAME1.TXT", folder: false))
        XCTAssertFalse(PDIChecker.is83("A.HTML", folder: false))
        XCTAssertFalse(PDIChecker.is83("A.B", folder: true))
    }
}
