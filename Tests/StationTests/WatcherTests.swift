import Foundation
import TestSupport
import XCTest

@testable import Station

/// ``Watcher``: a dropped folder or ISO becomes one import job once it has settled, once per signature.
final class WatcherTests: XCTestCase {
    func testDroppedMediaBecomeOneJobEachOnceSettled() throws {
        let root = try tempDir("dm-watch").resolvingSymlinksInPath().path
        addTeardownBlock { try? FileManager.default.removeItem(atPath: root) }
        let fm = FileManager.default
        try fm.createDirectory(atPath: root + "/drop/disc", withIntermediateDirectories: true)
        try Data([1, 2, 3]).write(to: URL(fileURLWithPath: root + "/drop/disc/IM1"))
        try Data([0]).write(to: URL(fileURLWithPath: root + "/drop/study.ISO"))
        try Data([0]).write(to: URL(fileURLWithPath: root + "/drop/notes.txt"))
        try Data([0]).write(to: URL(fileURLWithPath: root + "/drop/.partial.iso"))
        try fm.createSymbolicLink(atPath: root + "/drop/link", withDestinationPath: "/etc")
        var config = StationConfig(store: root + "/store", state: root + "/state", roots: [root])
        config.watch = [StationConfig.Watch(kind: .folder, path: root + "/drop", destination: .store)]
        let jobs = try JobStore(state: root + "/state")
        let watcher = Watcher(config: config, jobs: jobs, settle: 2)
        XCTAssertEqual(try watcher.scan(now: 100).count, 0, "first seen: not settled yet")
        let queued = try watcher.scan(now: 103)
        XCTAssertEqual(queued.map(\.title).sorted(), ["Import \(root)/drop/disc into the store", "Import \(root)/drop/study.ISO into the store"])
        XCTAssertEqual(try watcher.scan(now: 110).count, 0, "imported once")
        // A changed folder is a new source; it settles again first.
        try Data([4]).write(to: URL(fileURLWithPath: root + "/drop/disc/IM2"))
        XCTAssertEqual(try watcher.scan(now: 120).count, 0)
        XCTAssertEqual(try watcher.scan(now: 123).map(\.title), ["Import \(root)/drop/disc into the store"])
        // A new watcher (a restarted station) does not queue them again.
        XCTAssertEqual(try Watcher(config: config, jobs: jobs, settle: 0).scan(now: 200).count, 0)
        XCTAssertEqual(try jobs.count(), 3)
    }

    func testASourceStillChangingIsNotTaken() throws {
        let root = try tempDir("dm-watch").resolvingSymlinksInPath().path
        addTeardownBlock { try? FileManager.default.removeItem(atPath: root) }
        try FileManager.default.createDirectory(atPath: root + "/drop", withIntermediateDirectories: true)
        var config = StationConfig(store: root + "/store", state: root + "/state", roots: [root])
        config.watch = [StationConfig.Watch(kind: .folder, path: root + "/drop", destination: .store)]
        let watcher = Watcher(config: config, jobs: try JobStore(state: root + "/state"), settle: 2)
        let iso = URL(fileURLWithPath: root + "/drop/a.iso")
        for (i, t) in [100.0, 101.5, 103, 104.5].enumerated() {
            try Data(count: 1000 * (i + 1)).write(to: iso)
            XCTAssertEqual(try watcher.scan(now: t).count, 0, "still growing at \(t)")
        }
        XCTAssertEqual(try watcher.scan(now: 107).count, 1)
    }
}
