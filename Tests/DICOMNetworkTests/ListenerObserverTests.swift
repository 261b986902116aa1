import DICOMCore
import DICOMNetwork
import Foundation
import Synchronization
import TestSupport
import XCTest

/// ``AssociationObserver``: a listener reports each association's start and end (nil after a release, the error
/// after an abort), and its providers see the association's number in ``AssociationListener/servedAssociationID``.
final class ListenerObserverTests: XCTestCase {
    static let timeouts = AssociationTimeouts(connect: .seconds(5), artim: .seconds(2), idle: .seconds(10))

    final class Recorder: AssociationObserver, DIMSEServiceProvider {
        let events = Mutex<[String]>([])
        func began(_ id: Int, _ negotiated: NegotiatedAssociation) { events.withLock { $0.append("began \(id) \(negotiated.callingAETitle)") } }
        func ended(_ id: Int, _ negotiated: NegotiatedAssociation, error: (any Error)?) {
            events.withLock { $0.append("ended \(id) " + (error == nil ? "released" : "failed")) }
        }
        func accepts(abstractSyntax: String) -> Bool { abstractSyntax == UID.verificationSOPClass }
        func respond(to request: DIMSEReceived, on association: NegotiatedAssociation) async -> DIMSEMessage? {
            events.withLock { $0.append("request on \(AssociationListener.servedAssociationID.map(String.init) ?? "nil")") }
            return await VerificationSCP().respond(to: request, on: association)
        }
        var all: [String] { events.withLock { $0 } }
    }

    func waitFor(_ recorder: Recorder, count: Int) async throws {
        for _ in 0..<200 where recorder.all.count < count { try await Task.sleep(for: .milliseconds(25)) }
    }

    func testReleasedAndAbortedAssociationsAreReported() async throws {
        let recorder = Recorder()
        let scp = try await AssociationListener.bind(
            port: 0, policy: AcceptorPolicy(aeTitle: "OURSCP", timeouts: Self.timeouts), services: [recorder], observer: recorder)
        defer { Task { await scp.close() } }
        let a = try await Association.connect(
            host: "127.0.0.1", port: scp.port, callingAETitle: "FIRST", calledAETitle: "OURSCP", contexts: [Association.verificationContext],
            timeouts: Self.timeouts)
        _ = try await a.echo()
        try await a.release()
        try await waitFor(recorder, count: 3)
        XCTAssertEqual(recorder.all, ["began 1 FIRST", "request on 1", "ended 1 released"])
        let b = try await Association.connect(
            host: "127.0.0.1", port: scp.port, callingAETitle: "SECOND", calledAETitle: "OURSCP", contexts: [Association.verificationContext],
            timeouts: Self.timeouts)
        _ = try await b.echo()
        await b.abort()
        try await waitFor(recorder, count: 6)
        XCTAssertEqual(Array(recorder.all.dropFirst(3)), ["began 2 SECOND", "request on 2", "ended 2 failed"])
        // A rejected association is not one the observer hears of.
        do {
            _ = try await Association.connect(
                host: "127.0.0.1", port: scp.port, callingAETitle: "THIRD", calledAETitle: "NOTUS", contexts: [Association.verificationContext],
                timeouts: Self.timeouts)
            XCTFail("a wrong called AE title was accepted")
        } catch let e as NetworkError { XCTAssertEqual(e.code, .associationRejected) }
        XCTAssertEqual(recorder.all.count, 6)
    }
}
