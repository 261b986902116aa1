import DICOMCore
import DICOMNetwork
import Foundation
import TestSupport
import XCTest

#if canImport(Glibc)
import Glibc
#endif

/// Peers that misbehave: garbage, a huge declared length, silence; each ends its own association, the listener goes on (PS3.8 §9.2).
final class TransportRobustnessTests: XCTestCase {
    func listener() async throws -> AssociationListener {
        try await AssociationListener.bind(
            port: 0, policy: AcceptorPolicy(aeTitle: "OURSCP", timeouts: AssociationTimeouts(connect: .seconds(5), artim: .seconds(1), idle: .seconds(2))),
            services: [VerificationSCP()])
    }

    func assertListenerAnswers(_ scp: AssociationListener) async throws {
        let a = try await Association.connect(
            host: "127.0.0.1", port: scp.port, callingAETitle: "CHECK", calledAETitle: "OURSCP", contexts: [Association.verificationContext])
        let status = try await a.echo()
        XCTAssertEqual(status, .success)
        try await a.release()
    }

    /// The A-ABORT PDU a raw peer received, if the bytes are one: source and reason.
    func abort(in bytes: [UInt8]) -> (source: UInt8, reason: UInt8)? {
        guard bytes.count == 10, bytes[0] == 0x07 else { return nil }
        return (bytes[8], bytes[9])
    }

    /// Sends `bytes` as a raw peer: an A-ABORT comes back, the connection closes, the listener still answers.
    func assertAborted(sending bytes: [UInt8]) async throws {
        let scp = try await listener()
        defer { Task { await scp.close() } }
        let fd = try XCTUnwrap(Loopback.connect(scp.port))
        Loopback.send(fd, bytes)
        let r = Loopback.readToEnd(fd)
        close(fd)
        // Evt19 in Sta2 is AA-1: an A-ABORT, then the connection closes (PS3.8 Table 9-10).
        XCTAssertNotNil(abort(in: r.bytes), "expected an A-ABORT, got \(r.bytes)")
        XCTAssertTrue(r.closed)
        try await assertListenerAnswers(scp)
    }

    func testGarbageIsAbortedAndListenerSurvives() async throws {
        try await assertAborted(sending: Array("GARBAGE GARBAGE GARBAGE".utf8))
    }

    /// A 4 GiB A-ASSOCIATE-RQ declared in the header: refused from the header, nothing allocated (PS3.8 §D.1).
    func testHugeDeclaredLengthIsAbortedBeforeAllocating() async throws {
        try await assertAborted(sending: [0x01, 0x00, 0xFF, 0xFF, 0xFF, 0xF0])
    }

    func testSilentPeerIsDroppedAfterARTIM() async throws {
        let scp = try await listener()
        defer { Task { await scp.close() } }
        let fd = try XCTUnwrap(Loopback.connect(scp.port))
        let start = Date()
        let r = Loopback.readToEnd(fd)
        close(fd)
        XCTAssertTrue(r.closed, "the silent connection was not closed")
        XCTAssertLessThan(Date().timeIntervalSince(start), 10)
        XCTAssertEqual(r.bytes, [], "nothing is sent to a peer that never asked for an association")
        try await assertListenerAnswers(scp)
    }

    func testIdlePeerAfterAssociationIsAborted() async throws {
        let scp = try await listener()
        defer { Task { await scp.close() } }
        let a = try await Association.connect(
            host: "127.0.0.1", port: scp.port, callingAETitle: "IDLE", calledAETitle: "OURSCP", contexts: [Association.verificationContext])
        let start = Date()
        do {
            _ = try await a.receive()
            XCTFail("the idle association was not aborted")
        } catch let e as NetworkError {
            XCTAssertEqual(e.code, .associationAborted)
        }
        XCTAssertLessThan(Date().timeIntervalSince(start), 10)
        try await assertListenerAnswers(scp)
    }

    /// A peer that takes the connection and never answers the A-ASSOCIATE-RQ: the requestor gives up after its idle timeout.
    func testPeerThatNeverAnswersTimesOut() async throws {
        let silent = try Loopback.silentListener()
        defer { close(silent.fd) }
        let start = Date()
        do {
            _ = try await Association.connect(
                host: "127.0.0.1", port: silent.port, callingAETitle: "OURSCU", calledAETitle: "SILENT", contexts: [Association.verificationContext],
                timeouts: AssociationTimeouts(connect: .seconds(5), artim: .seconds(1), idle: .seconds(1)))
            XCTFail("an association was established with a silent peer")
        } catch let e as NetworkError {
            XCTAssertEqual(e.code, .associationTimeout)
        }
        XCTAssertLessThan(Date().timeIntervalSince(start), 10)
    }
}
