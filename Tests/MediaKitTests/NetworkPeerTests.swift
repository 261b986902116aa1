import DICOMCore
import DICOMFileSet
import DICOMNetwork
import Foundation
import TestSupport
import XCTest
@testable import MediaKit

/// ``NetworkPeer`` (how NODE and --ae are read) and ``SendReport`` (what counts as sent, the exit it leads to).
final class NetworkPeerTests: XCTestCase {
    func testAddressesNeedNoNodesFile() throws {
        let dimse = try NetworkPeer("PACS@127.0.0.1:104", nodesFile: "/nonexistent/nodes.json")
        XCTAssertTrue(dimse.usesDIMSE)
        XCTAssertEqual(dimse.label, "PACS@127.0.0.1:104")
        XCTAssertEqual(dimse.callingAETitle, "DICOM_MEDIA")
        let v6 = try NetworkPeer("PACS@[::1]:11112", callingAETitle: " ME ")
        XCTAssertEqual(v6.label, "PACS@[::1]:11112")
        XCTAssertEqual(v6.callingAETitle, "ME")
        let web = try NetworkPeer("http://127.0.0.1:8042/dicom-web/")
        XCTAssertFalse(web.usesDIMSE)
        XCTAssertEqual(web.label, "http://127.0.0.1:8042/dicom-web")
    }

    func testNamesComeFromTheNodesFile() throws {
        let dir = try tempDir("dm-nodes")
        let file = dir.appendingPathComponent("nodes.json").path
        try Data(#"{"pacs": {"aeTitle": "ARCHIVE", "host": "10.0.0.5", "port": 104}}"#.utf8).write(to: URL(fileURLWithPath: file))
        let peer = try NetworkPeer("pacs", nodesFile: file)
        XCTAssertEqual(peer.label, "pacs (ARCHIVE@10.0.0.5:104)")
        XCTAssertThrowsError(try NetworkPeer("other", nodesFile: file)) { XCTAssertTrue(NetworkPeer.isUsageError($0), "\($0)") }
        XCTAssertThrowsError(try NetworkPeer("AE@host:0")) { XCTAssertTrue(NetworkPeer.isUsageError($0), "\($0)") }
        XCTAssertThrowsError(try NetworkPeer("PACS@127.0.0.1:104", callingAETitle: "BACK\\SLASH")) { XCTAssertTrue(NetworkPeer.isUsageError($0)) }
        // A nodes file that is wrong is not a usage error (exit 2): it names the key.
        let bad = dir.appendingPathComponent("bad.json").path
        try Data(#"{"pacs": {"aeTitle": "A", "host": "h", "port": 104, "password": "x"}}"#.utf8).write(to: URL(fileURLWithPath: bad))
        XCTAssertThrowsError(try NetworkPeer("pacs", nodesFile: bad)) {
            XCTAssertFalse(NetworkPeer.isUsageError($0))
            XCTAssertTrue("\($0)".contains("password"), "\($0)")
        }
    }

    func instance(_ uid: String, study: String = "1.2", status: UInt16?, error: String? = nil) -> SendReport.Instance {
        SendReport.Instance(path: uid + ".dcm", sopInstanceUID: uid, studyInstanceUID: study, status: status.map { DIMSEStatus($0) }, error: error)
    }

    func testOnlyConfirmedInstancesCountAsSent() {
        var r = SendReport(peer: "P@h:1", service: "C-STORE")
        r.instances = [
            instance("1", status: 0x0000), instance("2", status: 0xB000), instance("3", status: 0xA700),
            instance("4", status: 0x0000, error: "no response"), instance("5", study: "1.3", status: nil, error: "not sent"),
        ]
        XCTAssertEqual(r.confirmed, 2)
        XCTAssertEqual(r.failed.map(\.sopInstanceUID), ["3", "4", "5"])
        XCTAssertFalse(r.couldNotConnect)
        let codes = r.diagnostics.map(\.code)
        XCTAssertEqual(codes.filter { $0 == .sendFailed }.count, 3)
        XCTAssertEqual(codes.filter { $0 == .sendWarning }.count, 1)
        XCTAssertTrue(r.summary.hasPrefix("sent 2 of 5 instances (2 studies)"), r.summary)
    }

    func testNothingConnectedIsCouldNotConnect() {
        var r = SendReport(peer: "P@h:1", service: "C-STORE")
        r.studyErrors = [("1.2", "cannot connect to P@h:1: connection refused")]
        r.instances = [instance("1", status: nil, error: "study not sent"), instance("2", status: nil, error: "study not sent")]
        XCTAssertTrue(r.couldNotConnect)
        r.dryRun = true
        XCTAssertFalse(r.couldNotConnect)
        XCTAssertTrue(r.diagnostics.allSatisfy { !$0.message.contains("not stored") })
    }
}
