import Foundation
import Synchronization
import TestSupport
import XCTest

@testable import Station

/// ``JobStore``: the job life cycle, one job per resource, cancel/retry rules, and recovery after a killed station.
final class JobStoreTests: XCTestCase {
    func store() throws -> JobStore {
        let dir = try tempDir("dm-jobs").path
        addTeardownBlock { try? FileManager.default.removeItem(atPath: dir) }
        return try JobStore(state: dir + "/state")
    }

    func testALifeCycle() throws {
        let s = try store()
        let j = try s.create(kind: .import, title: "Import /media/cdrom", request: #"{"source": "/media/cdrom"}"#)
        XCTAssertEqual(j.state, .queued)
        let claimed = try XCTUnwrap(try s.claim())
        XCTAssertEqual(claimed.id, j.id)
        XCTAssertEqual(claimed.state, .running)
        XCTAssertEqual(claimed.attempts, 1)
        XCTAssertNil(try s.claim(), "nothing else is queued")
        try s.progress(j.id, done: 3, total: 10)
        try s.log(j.id, .warning, "one file refused")
        try s.finish(j.id, .done, report: #"{"stored": 9}"#)
        let finished = try s.job(j.id)
        XCTAssertEqual(finished.state, .done)
        XCTAssertEqual([finished.done, finished.total], [3, 10])
        XCTAssertEqual(finished.report, #"{"stored": 9}"#)
        XCTAssertNotNil(finished.finished)
        XCTAssertEqual(try s.log(of: j.id).map(\.message), ["one file refused"])
        XCTAssertThrowsError(try s.finish(j.id, .failed)) { XCTAssertEqual(($0 as? StationError)?.code, .jobState) }
        XCTAssertThrowsError(try s.cancel(j.id)) { XCTAssertEqual(($0 as? StationError)?.code, .jobState) }
        XCTAssertThrowsError(try s.retry(j.id)) { XCTAssertEqual(($0 as? StationError)?.code, .jobState) }
        XCTAssertThrowsError(try s.job(999)) { XCTAssertEqual(($0 as? StationError)?.code, .jobUnknown) }
    }

    func testOneJobPerResourceAtATime() throws {
        let s = try store()
        let a = try s.create(kind: .publish, title: "a", request: "{}", resource: "drive:/dev/sr0")
        let b = try s.create(kind: .publish, title: "b", request: "{}", resource: "drive:/dev/sr0")
        let c = try s.create(kind: .publish, title: "c", request: "{}", resource: "robot:ptburn")
        XCTAssertEqual(try s.claim()?.id, a.id)
        XCTAssertEqual(try s.claim()?.id, c.id, "b waits for the drive a holds")
        XCTAssertNil(try s.claim())
        try s.finish(a.id, .done)
        XCTAssertEqual(try s.claim()?.id, b.id)
    }

    func testCancelAndRetry() throws {
        let s = try store()
        let q = try s.create(kind: .import, title: "q", request: "{}")
        XCTAssertEqual(try s.cancel(q.id).state, .cancelled)
        XCTAssertNil(try s.claim(), "a cancelled job is not run")
        let r = try s.retry(q.id)
        XCTAssertEqual(r.state, .queued)
        XCTAssertNil(r.reason)
        let running = try XCTUnwrap(try s.claim())
        XCTAssertEqual(running.attempts, 1)
        let asked = try s.cancel(running.id)
        XCTAssertEqual(asked.state, .running, "a running job is asked to stop")
        XCTAssertTrue(asked.cancelRequested)
        try s.finish(running.id, .failed, reason: "disc full")
        XCTAssertEqual(try s.job(running.id).reason, "disc full")
        XCTAssertEqual(try s.retry(running.id).state, .queued)
        XCTAssertEqual(try s.claim()?.attempts, 2)
    }

    /// A station killed mid-job: at the next start the job is run again or failed with the reason, never left running.
    func testRecoveryAfterAKilledStation() throws {
        let dir = try tempDir("dm-jobs").path
        addTeardownBlock { try? FileManager.default.removeItem(atPath: dir) }
        do {
            let s = try JobStore(state: dir)
            try s.create(kind: .import, title: "import", request: "{}")
            try s.create(kind: .publish, title: "burn", request: "{}", resource: "drive:/dev/sr0")
            _ = try s.claim()
            _ = try s.claim()
        }
        let again = try JobStore(state: dir)
        let settled = try again.recover { $0.kind == .import }
        XCTAssertEqual(settled.map(\.state), [.failed, .queued])
        XCTAssertTrue(settled[0].reason?.contains("stopped") ?? false)
        XCTAssertEqual(try again.count(state: .running), 0)
        XCTAssertEqual(try again.claim()?.kind, .import)
    }

    func testListsFilterAndPage() throws {
        let s = try store()
        for i in 0..<25 { try s.create(kind: i % 5 == 0 ? .publish : .import, title: "\(i)", request: "{}") }
        XCTAssertEqual(try s.count(), 25)
        XCTAssertEqual(try s.count(kind: .publish), 5)
        XCTAssertEqual(try s.jobs(limit: 10).map(\.title), (15..<25).reversed().map(String.init))
        XCTAssertEqual(try s.jobs(limit: 10, offset: 20).count, 5)
        XCTAssertEqual(try s.jobs(state: .queued, kind: .publish).map(\.title), ["20", "15", "10", "5", "0"])
    }

    func testOneStationPerStateFolder() throws {
        let dir = try tempDir("dm-jobs").path
        addTeardownBlock { try? FileManager.default.removeItem(atPath: dir) }
        let held = try JobStore.lock(state: dir + "/state")
        XCTAssertThrowsError(try JobStore.lock(state: dir + "/state")) { XCTAssertEqual(($0 as? StationError)?.code, .stationBusy) }
        held.release()
        XCTAssertNoThrow(try JobStore.lock(state: dir + "/state").release())
    }

    func testTheQueueRingsItsDoorbellForIdleWorkers() async throws {
        let s = try store()
        let before = s.doorbell.generation
        let j = try s.create(kind: .import, title: "Import /media/cdrom", request: #"{"source": "/media/cdrom"}"#)
        XCTAssertEqual(s.doorbell.generation, before + 1, "a new job rings")
        _ = try s.claim()
        try s.finish(j.id, .failed, reason: "test")
        XCTAssertEqual(s.doorbell.generation, before + 2, "a job that ends frees its drive: rings")
        try s.retry(j.id)
        XCTAssertEqual(s.doorbell.generation, before + 3, "a retried job rings")
        // A ring before the wait starts, or a short timeout, returns at once; a ring during the wait wakes it
        // (without it the wait would last an hour and the loop below fails after 30 s).
        await s.doorbell.wait(after: before, upTo: 3600)
        await s.doorbell.wait(after: s.doorbell.generation, upTo: 0.01)
        let seen = s.doorbell.generation
        let woke = Mutex(false)
        Task {
            await s.doorbell.wait(after: seen, upTo: 3600)
            woke.withLock { $0 = true }
        }
        try await Task.sleep(for: .milliseconds(50))
        try s.create(kind: .import, title: "Import /media/cdrom1", request: #"{"source": "/media/cdrom1"}"#)
        let deadline = ContinuousClock.now + .seconds(30)
        while !woke.withLock({ $0 }), ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(10)) }
        XCTAssertTrue(woke.withLock { $0 }, "the waiting worker was woken by the new job")
    }
}
