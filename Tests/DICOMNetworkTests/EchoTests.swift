import DICOMCore
import DICOMIO
import DICOMNetwork
import Foundation
import TestSupport
import XCTest

/// C-ECHO both ways: our SCU against DCMTK and our own SCP, DCMTK's echoscu against our SCP (PS3.4 Annex A).
final class EchoTests: XCTestCase {
    static let timeouts = AssociationTimeouts(connect: .seconds(5), artim: .seconds(2), idle: .seconds(10))

    func listener(_ policy: AcceptorPolicy) async throws -> AssociationListener {
        try await AssociationListener.bind(port: 0, policy: policy, services: [VerificationSCP()])
    }

    func testEchoSCUToStorescp() async throws {
        let port = try Loopback.freePort()
        let scp = try Loopback.startPeer("storescp", ["-aet", "STORESCP", String(port)], port: port)
        defer { Loopback.stop(scp) }
        let a = try await Association.connect(
            host: "127.0.0.1", port: port, callingAETitle: "ECHOSCU", calledAETitle: "STORESCP", contexts: [Association.verificationContext],
            timeouts: Self.timeouts)
        XCTAssertEqual(a.negotiated.acceptedContexts.map(\.abstractSyntax), [UID.verificationSOPClass])
        XCTAssertNotNil(a.negotiated.peerImplementationClassUID)
        let status = try await a.echo()
        XCTAssertEqual(status, .success)
        try await a.release()
    }

    func testEchoscuToOurSCP() async throws {
        let scp = try await listener(AcceptorPolicy(aeTitle: "OURSCP", timeouts: Self.timeouts))
        defer { Task { await scp.close() } }
        let ok = try runProcess("echoscu", ["-aet", "ECHOSCU", "-aec", "OURSCP", "127.0.0.1", String(scp.port)])
        XCTAssertEqual(ok.status, 0, ok.output)
        let wrong = try runProcess("echoscu", ["-aet", "ECHOSCU", "-aec", "NOTUS", "127.0.0.1", String(scp.port)])
        XCTAssertNotEqual(wrong.status, 0, "a wrong called AE title must be rejected")
        XCTAssertTrue(wrong.output.contains("Called AE Title Not Recognized"), wrong.output)
    }

    func testOurSCUToOurSCP() async throws {
        let scp = try await listener(AcceptorPolicy(aeTitle: "OURSCP", allowedCallingAETitles: ["FRIEND"], maximumAssociations: 1, timeouts: Self.timeouts))
        defer { Task { await scp.close() } }
        let a = try await Association.connect(
            host: "127.0.0.1", port: scp.port, callingAETitle: "FRIEND", calledAETitle: "OURSCP", contexts: [Association.verificationContext],
            timeouts: Self.timeouts)
        XCTAssertEqual(a.negotiated.peerImplementationClassUID, Implementation.classUID)
        for _ in 0..<3 {
            let status = try await a.echo()
            XCTAssertEqual(status, .success)
        }
        // A second association over the limit of one is rejected transiently.
        try await assertRejected(port: scp.port, callingAETitle: "FRIEND", "an association over the limit was accepted")
        try await a.release()
        // A calling AE title not on the allow-list is rejected.
        try await assertRejected(port: scp.port, callingAETitle: "STRANGER", "a calling AE title off the allow-list was accepted")
    }

    func assertRejected(port: Int, callingAETitle: String, _ message: String) async throws {
        do {
            _ = try await Association.connect(
                host: "127.0.0.1", port: port, callingAETitle: callingAETitle, calledAETitle: "OURSCP", contexts: [Association.verificationContext],
                timeouts: Self.timeouts)
            XCTFail(message)
        } catch let e as NetworkError { XCTAssertEqual(e.code, .associationRejected) }
    }

    func testConnectionRefused() async throws {
        let port = try Loopback.freePort()
        do {
            _ = try await Association.connect(
                host: "127.0.0.1", port: port, callingAETitle: "A", calledAETitle: "B", contexts: [Association.verificationContext], timeouts: Self.timeouts)
            XCTFail("connected to a closed port")
        } catch let e as NetworkError { XCTAssertEqual(e.code, .connectFailed) }
    }
}
