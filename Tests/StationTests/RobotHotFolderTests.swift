import Foundation
import TestSupport
import XCTest

@testable import Station

/// Disc-robot hot folders: the PTBurn and TD Bridge job files, written atomically; the robot's renamings read back as
/// pending, taken, done and failed with its reason; withdraw and abort; hostile status files never crash the reading.
final class RobotHotFolderTests: XCTestCase {
    /// A robot of `format` on a fresh hot folder.
    func hotFolder(_ format: StationConfig.RobotFormat) throws -> (String, RobotHotFolder) {
        let dir = try tempDir("dm-robot").resolvingSymlinksInPath().path
        addTeardownBlock { try? FileManager.default.removeItem(atPath: dir) }
        return (dir, RobotHotFolder(folder: dir, format: format))
    }

    func write(_ text: String, _ path: String) throws { try text.write(toFile: path, atomically: true, encoding: .utf8) }

    func rename(_ dir: String, _ from: String, _ to: String) throws {
        try FileManager.default.moveItem(atPath: dir + "/" + from, toPath: dir + "/" + to)
    }

    func testPTBurnJobFileAndItsLifecycle() throws {
        let (dir, robot) = try hotFolder(.ptburn)
        let text = robot.jobText(id: 7, data: dir + "/JOB7.iso", copies: 2, label: "Knee\tleft")
        XCTAssertEqual(
            text,
            "JobID=JOB7\r\nClientID=dicom-media\r\nImageFile=\(dir)/JOB7.iso\r\nCopies=2\r\nRejectIfNotBlank=YES\r\nVerifyDisc=YES\r\nDeleteFiles=NO\r\n"
                + "MergeField=Knee left\r\n")
        let file = try robot.submit(id: 7, data: dir + "/JOB7.iso", copies: 2, label: nil)
        XCTAssertEqual(file, dir + "/JOB7.JRQ")
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: dir), ["JOB7.JRQ"])
        XCTAssertEqual(robot.outcome(id: 7), .pending(taken: false))
        try rename(dir, "JOB7.JRQ", "JOB7.INP")
        XCTAssertEqual(robot.outcome(id: 7), .pending(taken: true))
        XCTAssertFalse(robot.withdraw(id: 7))
        XCTAssertTrue(robot.abort(id: 7))
        XCTAssertEqual(try String(contentsOfFile: dir + "/JOB7.PTM", encoding: .utf8), "Message=ABORT\r\nClientID=dicom-media\r\n")
        try rename(dir, "JOB7.INP", "JOB7.DON")
        XCTAssertEqual(robot.outcome(id: 7), .done)
    }

    func testPTBurnFailureCarriesTheRobotsReason() throws {
        let (dir, robot) = try hotFolder(.ptburn)
        _ = try robot.submit(id: 9, data: dir + "/JOB9.iso", copies: 1, label: nil)
        try rename(dir, "JOB9.JRQ", "JOB9.ERR")
        if case .failed(let m) = robot.outcome(id: 9) { XCTAssertTrue(m.contains("no reason")) } else { XCTFail("not failed") }
        try FileManager.default.createDirectory(atPath: dir + "/Status", withIntermediateDirectories: true)
        try write("[JobList]\r\nJob0=JOB8\r\n[JOB9]\r\nJobState=3\r\nJobErrorNumber=17\r\nJobErrorString=Recorder error\u{7}\r\n", dir + "/Status/XRP.txt")
        XCTAssertEqual(robot.outcome(id: 9), .failed("JobErrorString Recorder error (error 17)"))
    }

    func testTDBridgeJobFileAndItsStatusFile() throws {
        let (dir, robot) = try hotFolder(.tdbridge)
        XCTAssertEqual(
            robot.jobText(id: 3, data: dir + "/JOB3", copies: 1, label: "ignored"), "JOB_ID=JOB3\r\nCOPIES=1\r\nFORMAT=ISO9660L2\r\nDATA=\(dir)/JOB3\r\n")
        _ = try robot.submit(id: 3, data: dir + "/JOB3", copies: 1, label: nil)
        XCTAssertEqual(robot.outcome(id: 3), .pending(taken: false))
        XCTAssertTrue(robot.withdraw(id: 3))
        XCTAssertFalse(FileManager.default.fileExists(atPath: dir + "/JOB3.JDF"))
        _ = try robot.submit(id: 3, data: dir + "/JOB3", copies: 1, label: nil)
        try rename(dir, "JOB3.JDF", "JOB3.RJD")
        XCTAssertEqual(robot.outcome(id: 3), .pending(taken: true))
        XCTAssertFalse(robot.abort(id: 3))
        try rename(dir, "JOB3.RJD", "JOB3.ERR")
        try write("[ACTIVE_JOB]\nJOB1=JOB3\n[job3]\nSTATUS=ERROR\nERROR=0x0301 disc eject failed\n", dir + "/PP100.STF")
        XCTAssertEqual(robot.outcome(id: 3), .failed("ERROR 0x0301 disc eject failed; STATUS ERROR"))
    }

    func testHostileStatusFilesAreReadSafely() throws {
        let (dir, robot) = try hotFolder(.ptburn)
        try FileManager.default.createDirectory(atPath: dir + "/Status/dir.txt", withIntermediateDirectories: true)
        var rng = SplitMix(seed: 5)
        let noise = Data((0..<300_000).map { _ in UInt8(truncatingIfNeeded: rng.next()) })
        try noise.write(to: URL(fileURLWithPath: dir + "/Status/a.txt"))
        let long = String(repeating: "x", count: 3_000_000)
        try write("[JOB4]\nJobErrorString=\(long)\n", dir + "/Status/b.txt")
        try write("[JOB4\nJobErrorString\n=\n[]\n", dir + "/Status/c.txt")
        XCTAssertTrue(FileManager.default.createFile(atPath: dir + "/JOB4.ERR", contents: noise))
        guard case .failed(let m) = robot.outcome(id: 4) else { return XCTFail("not failed") }
        // b.txt is cut at 1 MiB, inside the value: what is read is kept to one short line.
        XCTAssertLessThan(m.count, 400)
        XCTAssertFalse(m.contains("\n"))
        XCTAssertNil(RobotHotFolder.section("JOB4", in: "[JOB4\nJobErrorString=x\n"))
        XCTAssertEqual(RobotHotFolder.section("JOB4", in: "[ JOB4 ]\r\n k = v=w \r\nk=second\r\n[X]\r\nk=other"), ["k": "v=w"])
    }

    func testARobotThatNeverAnswersTimesTheJobOutAndWithdrawsIt() throws {
        let (dir, robot) = try hotFolder(.ptburn)
        let config = StationConfig(store: dir + "/store", state: dir + "/state", roots: [dir])
        let jobs = try JobStore(state: dir + "/state")
        let request = JobRequest.publish(.init(studies: ["1.2.3"], target: .robot(hotFolder: dir, format: .ptburn)))
        _ = try jobs.create(kind: .publish, title: request.title, request: request.stored.serialized(), resource: request.resource)
        let job = try XCTUnwrap(try jobs.claim())
        XCTAssertTrue(FileManager.default.createFile(atPath: dir + "/JOB\(job.id).iso", contents: Data([1, 2, 3])))
        let runner = JobRunner(jobs: jobs, config: config, robotTimeout: 0.3, robotPoll: 0.05)
        guard case .publish(let p) = request else { return XCTFail("not a publish request") }
        let outcome = try runner.sendToRobot(job, p, data: dir + "/JOB\(job.id).iso", robot: robot, report: .object([]))
        XCTAssertEqual(outcome.state, .failed)
        XCTAssertTrue(outcome.reason?.contains("no result from the robot") ?? false, outcome.reason ?? "")
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: dir).filter { $0.hasPrefix("JOB") }, [])
    }
}
