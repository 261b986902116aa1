import DICOMNetwork
import Foundation
import TestSupport
import XCTest

@testable import Station

/// libburn on its `stdio:` pseudo-drive (a file standing in for a drive): an image burned, read back and compared by
/// SHA-256; burned again over the same file; a cancel mid-burn; the clear errors for a missing image and an unusable drive.
final class DiscBurnerTests: XCTestCase {
    func folder() throws -> String {
        let dir = try tempDir("dm-burn").resolvingSymlinksInPath().path
        addTeardownBlock { try? FileManager.default.removeItem(atPath: dir) }
        return dir
    }

    /// An image of `sectors` 2048-byte sectors of seeded random bytes (libburn writes any data track; ISO 9660 is not needed).
    func image(_ dir: String, sectors: Int, seed: UInt64 = 13) throws -> (path: String, data: Data) {
        var rng = SplitMix(seed: seed)
        var bytes = [UInt8](repeating: 0, count: sectors * 2048)
        for i in stride(from: 0, to: bytes.count, by: 8) { withUnsafeBytes(of: rng.next()) { bytes.replaceSubrange(i..<i + 8, with: $0) } }
        let path = dir + "/image.iso"
        let data = Data(bytes)
        try data.write(to: URL(fileURLWithPath: path))
        return (path, data)
    }

    func testBurnsToAStdioDriveAndVerifiesByReadingBack() throws {
        let dir = try folder()
        let (path, data) = try image(dir, sectors: 160)
        var last: (Int64, Int64) = (0, 0)
        let r = try DiscBurner(device: "stdio:\(dir)/disc.img").burn(image: path, progress: { last = ($0, $1) })
        XCTAssertTrue(r.verified)
        XCTAssertEqual(r.bytes, Int64(data.count))
        XCTAssertEqual(r.sha256, try DiscBurner.sha256(of: path))
        XCTAssertEqual(r.readBack, r.sha256)
        XCTAssertEqual(last.0, last.1)
        XCTAssertEqual(last.1, Int64(data.count))
        let disc = try Data(contentsOf: URL(fileURLWithPath: dir + "/disc.img"))
        XCTAssertGreaterThanOrEqual(disc.count, data.count)
        XCTAssertEqual(disc.prefix(data.count), data)
        XCTAssertEqual(r.json.serialized().contains(#""verified":true"#), true)
    }

    func testASecondCopyOverwritesTheStdioDrive() throws {
        let dir = try folder()
        let first = try image(dir, sectors: 40, seed: 1)
        let burner = DiscBurner(device: "stdio:\(dir)/disc.img")
        XCTAssertTrue(try burner.burn(image: first.path).verified)
        let second = try image(dir, sectors: 40, seed: 2)
        let r = try burner.burn(image: second.path)
        XCTAssertTrue(r.verified)
        let disc = try Data(contentsOf: URL(fileURLWithPath: dir + "/disc.img"))
        XCTAssertEqual(disc.prefix(second.data.count), second.data)
    }

    func testACancelStopsTheBurn() throws {
        let dir = try folder()
        let (path, _) = try image(dir, sectors: 16 * 512)
        let burner = DiscBurner(device: "stdio:\(dir)/disc.img")
        XCTAssertThrowsError(try burner.burn(image: path, cancelled: { true })) { XCTAssertEqual(($0 as? StationError)?.code, .burnCancelled) }
        // libburn is left able to burn again (its write thread ended before the disc description was freed).
        let small = try image(dir, sectors: 8, seed: 3)
        XCTAssertTrue(try burner.burn(image: small.path).verified)
    }

    func testAMissingImageIsAClearError() throws {
        let dir = try folder()
        XCTAssertThrowsError(try DiscBurner(device: "stdio:\(dir)/disc.img").burn(image: dir + "/none.iso")) {
            XCTAssertEqual(($0 as? StationError)?.code, .burnFailed)
        }
    }

    func testADriveThatCannotBeOpenedIsAClearError() throws {
        let dir = try folder()
        let (path, _) = try image(dir, sectors: 4)
        XCTAssertThrowsError(try DiscBurner(device: "/dev/dm-no-such-drive").burn(image: path)) {
            XCTAssertEqual(($0 as? StationError)?.code, .burnDrive)
        }
    }

    func testARequestForADriveOrRobotCarriesCopiesLabelAndItsResource() throws {
        let dir = try folder()
        try FileManager.default.createDirectory(atPath: dir + "/hot", withIntermediateDirectories: true)
        let config = StationConfig(store: dir + "/store", state: dir + "/state", roots: [dir])
        let body = #"{"kind": "publish", "studies": ["1.2.3"], "target": {"kind": "drive", "device": "stdio:\#(dir)/disc.img"}, "copies": 3, "label": "Knee"}"#
        let r = try JobRequest.parse(Array(body.utf8), config: config)
        guard case .publish(let p) = r else { return XCTFail("not a publish request") }
        XCTAssertEqual(p.copies, 3)
        XCTAssertEqual(p.label, "Knee")
        XCTAssertEqual(r.resource, "drive:stdio:\(dir)/disc.img")
        XCTAssertEqual(try JobRequest(stored: r.stored.serialized(), config: config), r)
        let robot = #"{"kind": "publish", "studies": ["1.2.3"], "target": {"kind": "robot", "hotFolder": "\#(dir)/hot", "format": "ptburn"}}"#
        XCTAssertEqual(try JobRequest.parse(Array(robot.utf8), config: config).resource, "robot:\(dir)/hot")
        for bad in [
            #"{"kind": "publish", "studies": ["1.2.3"], "target": {"kind": "iso", "path": "\#(dir)"}, "copies": 2}"#,
            #"{"kind": "publish", "studies": ["1.2.3"], "target": {"kind": "drive", "device": "stdio:\#(dir)/disc.img"}, "copies": 101}"#,
            #"{"kind": "publish", "studies": ["1.2.3"], "target": {"kind": "drive", "device": "stdio:\#(dir)/disc.img"}, "label": "a\nb"}"#,
        ] {
            XCTAssertThrowsError(try JobRequest.parse(Array(bad.utf8), config: config)) { XCTAssertEqual(($0 as? StationError)?.code, .badRequest) }
        }
        for outside in ["stdio:/etc/disc.img", "/dev/sr0"] {
            let body = #"{"kind": "publish", "studies": ["1.2.3"], "target": {"kind": "drive", "device": "\#(outside)"}}"#
            XCTAssertThrowsError(try JobRequest.parse(Array(body.utf8), config: config), outside)
        }
        var withDrive = config
        withDrive.rules = [StationConfig.Rule(callingAE: try AETitle("MOD1"), target: .drive(device: "/dev/sr0"))]
        let sr0 = #"{"kind": "publish", "studies": ["1.2.3"], "target": {"kind": "drive", "device": "/dev/sr0"}}"#
        XCTAssertEqual(try JobRequest.parse(Array(sr0.utf8), config: withDrive).resource, "drive:/dev/sr0")
    }

    func testARuleBurnsItsCopiesInOneJobThatHoldsTheDrive() throws {
        let dir = try folder()
        var config = StationConfig(store: dir + "/store", state: dir + "/state", roots: [dir])
        var rule = StationConfig.Rule(callingAE: try AETitle("MOD1"), target: .drive(device: "stdio:\(dir)/disc.img"))
        rule.copies = 3
        rule.quietSeconds = 1
        config.rules = [rule]
        let jobs = try JobStore(state: dir + "/state")
        try jobs.arrived("MOD1", study: "1.2.1", patient: "P1", at: 100)
        try jobs.arrived("MOD1", study: "1.2.2", patient: "P2", at: 100)
        let made = try PublishScheduler(config: config, jobs: jobs).scan(now: 200)
        XCTAssertEqual(made.count, 2, "one job per study, not one per copy")
        XCTAssertEqual(made.map(\.resource), ["drive:stdio:\(dir)/disc.img", "drive:stdio:\(dir)/disc.img"])
        XCTAssertTrue(made[0].request.contains(#""copies":3"#), made[0].request)
        XCTAssertEqual(try jobs.claim()?.id, made[0].id)
        XCTAssertNil(try jobs.claim(), "the drive is busy")
    }
}
