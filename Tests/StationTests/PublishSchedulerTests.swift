import DICOMNetwork
import Foundation
import TestSupport
import XCTest

@testable import Station

/// ``PublishScheduler``: one publish job per quiet study (or patient) of a rule's calling AE, once.
final class PublishSchedulerTests: XCTestCase {
    func setUp(per: StationConfig.Rule.Per) throws -> (JobStore, PublishScheduler) {
        let root = try tempDir("dm-rules").resolvingSymlinksInPath().path
        addTeardownBlock { try? FileManager.default.removeItem(atPath: root) }
        var config = StationConfig(store: root + "/store", state: root + "/state", roots: [root])
        var rule = StationConfig.Rule(callingAE: try AETitle("MOD1"), target: .iso(path: root + "/out"))
        rule.per = per
        rule.quietSeconds = 10
        config.rules = [rule]
        let jobs = try JobStore(state: root + "/state")
        return (jobs, PublishScheduler(config: config, jobs: jobs))
    }

    func testAQuietStudyBecomesOnePublishJob() throws {
        let (jobs, scheduler) = try setUp(per: .study)
        for t in [100.0, 101, 102] { try jobs.arrived("MOD1", study: "1.2.1", patient: "P1", at: t) }
        try jobs.arrived("MOD1", study: "1.2.2", patient: "P1", at: 108)
        try jobs.arrived("OTHER", study: "1.2.9", patient: "P9", at: 100)
        XCTAssertEqual(try scheduler.scan(now: 111).count, 0, "1.2.1 quiet for 9 s only")
        let first = try scheduler.scan(now: 112)
        XCTAssertEqual(first.count, 1)
        XCTAssertTrue(first[0].request.contains("1.2.1") && !first[0].request.contains("1.2.2"), first[0].request)
        XCTAssertEqual(try scheduler.scan(now: 113).count, 0, "once")
        XCTAssertEqual(try scheduler.scan(now: 118).count, 1, "1.2.2 in its turn")
        XCTAssertEqual(try jobs.pendingArrivals().count, 0, "OTHER has no rule: nothing pending, nothing published")
        // More instances of a published study: a new job after a new quiet period.
        try jobs.arrived("MOD1", study: "1.2.1", patient: "P1", at: 200)
        XCTAssertEqual(try scheduler.scan(now: 205).count, 0)
        XCTAssertEqual(try scheduler.scan(now: 210).count, 1)
        XCTAssertEqual(try jobs.count(kind: .publish), 3)
    }

    func testPerPatientWaitsForAllTheirStudies() throws {
        let (jobs, scheduler) = try setUp(per: .patient)
        try jobs.arrived("MOD1", study: "1.2.1", patient: "P1", at: 100)
        try jobs.arrived("MOD1", study: "1.2.2", patient: "P1", at: 105)
        XCTAssertEqual(try scheduler.scan(now: 112).count, 0, "the patient's second study is not quiet yet")
        let jobsMade = try scheduler.scan(now: 115)
        XCTAssertEqual(jobsMade.count, 1)
        XCTAssertTrue(jobsMade[0].request.contains("1.2.1") && jobsMade[0].request.contains("1.2.2"))
    }
}
