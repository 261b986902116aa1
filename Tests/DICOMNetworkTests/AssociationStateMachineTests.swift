import DICOMCore
import Foundation
import XCTest

@testable import DICOMNetwork

/// The Upper Layer state machine against PS3.8 §9.2: the standard's sequences for both sides, and every cell of Table 9-10.
final class AssociationStateMachineTests: XCTestCase {
    /// Feeds `events` to `machine`, asserting the effects and state after each step.
    func walk(
        _ machine: inout AssociationStateMachine, _ steps: [(AssociationEvent, [AssociationEffect], AssociationState)],
        file: StaticString = #filePath, line: UInt = #line
    ) throws {
        for (event, effects, state) in steps {
            let from = machine.state
            XCTAssertEqual(try machine.handle(event), effects, "\(event) in \(from)", file: file, line: line)
            XCTAssertEqual(machine.state, state, "\(event) in \(from)", file: file, line: line)
        }
    }

    func testRequestorAssociatesTransfersAndReleases() throws {
        var m = AssociationStateMachine()
        let associate: [(AssociationEvent, [AssociationEffect], AssociationState)] = [
            (.associateRequest, [.transportConnect], .sta4), (.transportConnectConfirm, [.send(.associateRQ)], .sta5),
            (.associateAcceptReceived, [.issue(.associateAccepted)], .sta6),
        ]
        try walk(&m, associate)
        XCTAssertEqual(m.side, .requestor)
        try walk(&m, [(.pDataRequest, [.send(.pDataTF)], .sta6), (.pDataReceived, [.issue(.pDataIndication)], .sta6)])
        // AR-6: data the peer sent before it saw our A-RELEASE-RQ still arrives.
        let release: [(AssociationEvent, [AssociationEffect], AssociationState)] = [
            (.releaseRequest, [.send(.releaseRQ)], .sta7), (.pDataReceived, [.issue(.pDataIndication)], .sta7),
            (.releaseResponseReceived, [.issue(.releaseConfirmation), .closeTransport], .sta1),
        ]
        try walk(&m, release)
        XCTAssertNil(m.side)
        XCTAssertFalse(m.isARTIMRunning)
    }

    func testAcceptorAssociatesTransfersAndReleases() throws {
        var m = AssociationStateMachine()
        try walk(&m, [(.transportConnectIndication, [.transportAccept, .startARTIM], .sta2)])
        XCTAssertTrue(m.isARTIMRunning, "ARTIM guards the wait for the A-ASSOCIATE-RQ")
        try walk(
            &m,
            [
                (.associateRequestReceived(acceptable: true), [.stopARTIM, .issue(.associateIndication)], .sta3),
                (.associateResponseAccept, [.send(.associateAC)], .sta6),
            ])
        XCTAssertEqual(m.side, .acceptor)
        try walk(&m, [(.pDataReceived, [.issue(.pDataIndication)], .sta6), (.pDataRequest, [.send(.pDataTF)], .sta6)])
        // AR-7: the acceptor may still send data after the peer's A-RELEASE-RQ, before answering it.
        try walk(
            &m,
            [
                (.releaseRequestReceived, [.issue(.releaseIndication)], .sta8), (.pDataRequest, [.send(.pDataTF)], .sta8),
                (.releaseResponse, [.send(.releaseRP), .startARTIM], .sta13),
            ])
        XCTAssertTrue(m.isARTIMRunning)
        try walk(&m, [(.transportClosed, [.stopARTIM], .sta1)])
    }

    func testRejectionByThePeerTheUserAndTheProvider() throws {
        var requestor = AssociationStateMachine(state: .sta5, side: .requestor)
        try walk(&requestor, [(.associateRejectReceived, [.issue(.associateRejected), .closeTransport], .sta1)])

        var byUser = AssociationStateMachine()
        try walk(
            &byUser,
            [
                (.transportConnectIndication, [.transportAccept, .startARTIM], .sta2),
                (.associateRequestReceived(acceptable: true), [.stopARTIM, .issue(.associateIndication)], .sta3),
                (.associateResponseReject, [.send(.associateRJ), .startARTIM], .sta13),
                (.transportClosed, [.stopARTIM], .sta1),
            ])

        // AE-6: the service-provider finds the A-ASSOCIATE-RQ unacceptable and rejects it without asking the user.
        var byProvider = AssociationStateMachine()
        try walk(
            &byProvider,
            [
                (.transportConnectIndication, [.transportAccept, .startARTIM], .sta2),
                (.associateRequestReceived(acceptable: false), [.stopARTIM, .send(.associateRJ), .startARTIM], .sta13),
                (.pDataReceived, [], .sta13),
                (.artimExpired, [.stopARTIM, .closeTransport], .sta1),
            ])
    }

    func testAbortFromEitherSideAndFromTheProvider() throws {
        var local = AssociationStateMachine(state: .sta6, side: .requestor)
        try walk(
            &local,
            [
                (.abortRequest, [.send(.abort(.serviceUser)), .startARTIM], .sta13),
                (.releaseRequestReceived, [], .sta13),
                (.transportClosed, [.stopARTIM], .sta1),
            ])

        var peerUser = AssociationStateMachine(state: .sta6, side: .acceptor)
        try walk(&peerUser, [(.abortReceived(source: .serviceUser), [.issue(.abortIndication), .closeTransport], .sta1)])

        var peerProvider = AssociationStateMachine(state: .sta7, side: .requestor)
        try walk(&peerProvider, [(.abortReceived(source: .serviceProvider), [.issue(.providerAbortIndication), .closeTransport], .sta1)])

        // AA-8: an invalid PDU makes the local provider abort; AA-7 answers whatever else arrives before the close.
        var provider = AssociationStateMachine(state: .sta6, side: .acceptor)
        try walk(
            &provider,
            [
                (.invalidPDU, [.send(.abort(.serviceProvider)), .issue(.providerAbortIndication), .startARTIM], .sta13),
                (.invalidPDU, [.send(.abort(.serviceProvider))], .sta13),
                (.abortReceived(source: .serviceUser), [.stopARTIM, .closeTransport], .sta1),
            ])

        var dropped = AssociationStateMachine(state: .sta6, side: .requestor)
        try walk(&dropped, [(.transportClosed, [.issue(.providerAbortIndication)], .sta1)])

        var connecting = AssociationStateMachine()
        try walk(&connecting, [(.associateRequest, [.transportConnect], .sta4), (.abortRequest, [.closeTransport], .sta1)])
    }

    func testARTIMExpiryInSta2AndSta13() throws {
        var waiting = AssociationStateMachine()
        try walk(
            &waiting,
            [
                (.transportConnectIndication, [.transportAccept, .startARTIM], .sta2),
                (.artimExpired, [.stopARTIM, .closeTransport], .sta1),
            ])
        var closing = AssociationStateMachine(state: .sta6, side: .requestor)
        try walk(
            &closing,
            [
                (.abortRequest, [.send(.abort(.serviceUser)), .startARTIM], .sta13),
                (.artimExpired, [.stopARTIM, .closeTransport], .sta1),
            ])
        // ARTIM does not run in the other states: its expiry there is a blank cell.
        var established = AssociationStateMachine(state: .sta6, side: .requestor)
        XCTAssertThrowsError(try established.handle(.artimExpired)) { XCTAssertEqual(($0 as? NetworkError)?.code, .unexpectedEvent) }
        XCTAssertEqual(established.state, .sta6)
    }

    /// Two machines joined by a simulated transport: each PDU one sends is the matching event at the other.
    struct Link {
        var requestor = AssociationStateMachine(), acceptor = AssociationStateMachine()

        static func event(for pdu: AssociationPDUKind) -> AssociationEvent {
            switch pdu {
            case .associateRQ: return .associateRequestReceived(acceptable: true)
            case .associateAC: return .associateAcceptReceived
            case .associateRJ: return .associateRejectReceived
            case .pDataTF: return .pDataReceived
            case .releaseRQ: return .releaseRequestReceived
            case .releaseRP: return .releaseResponseReceived
            case .abort(let source): return .abortReceived(source: source)
            }
        }

        /// The events the effects cause at the other end (PDUs sent, the transport closed).
        static func delivered(_ effects: [AssociationEffect]) -> [AssociationEvent] {
            effects.compactMap { effect in
                switch effect {
                case .send(let pdu): return event(for: pdu)
                case .closeTransport: return .transportClosed
                default: return nil
                }
            }
        }
    }

    func testReleaseCollisionOnBothSides() throws {
        var link = Link()
        // Association: the requestor's PDUs are handed to the acceptor and back.
        XCTAssertEqual(try link.requestor.handle(.associateRequest), [.transportConnect])
        _ = try link.acceptor.handle(.transportConnectIndication)
        let rq = try link.requestor.handle(.transportConnectConfirm)
        for e in Link.delivered(rq) { _ = try link.acceptor.handle(e) }
        let ac = try link.acceptor.handle(.associateResponseAccept)
        for e in Link.delivered(ac) { _ = try link.requestor.handle(e) }
        XCTAssertEqual([link.requestor.state, link.acceptor.state], [.sta6, .sta6])

        // Both ask for release at once; each receives the other's A-RELEASE-RQ in Sta7 (AR-8).
        let fromRequestor = try link.requestor.handle(.releaseRequest)
        let fromAcceptor = try link.acceptor.handle(.releaseRequest)
        XCTAssertEqual([link.requestor.state, link.acceptor.state], [.sta7, .sta7])
        for e in Link.delivered(fromAcceptor) { XCTAssertEqual(try link.requestor.handle(e), [.issue(.releaseCollisionIndication)]) }
        for e in Link.delivered(fromRequestor) { XCTAssertEqual(try link.acceptor.handle(e), [.issue(.releaseCollisionIndication)]) }
        XCTAssertEqual([link.requestor.state, link.acceptor.state], [.sta9, .sta10])

        // The requestor answers first (AR-9), the acceptor confirms (AR-10), answers (AR-4) and the requestor closes (AR-3).
        let rp1 = try link.requestor.handle(.releaseResponse)
        XCTAssertEqual(rp1, [.send(.releaseRP)])
        XCTAssertEqual(link.requestor.state, .sta11)
        for e in Link.delivered(rp1) { XCTAssertEqual(try link.acceptor.handle(e), [.issue(.releaseConfirmation)]) }
        XCTAssertEqual(link.acceptor.state, .sta12)
        let rp2 = try link.acceptor.handle(.releaseResponse)
        XCTAssertEqual(rp2, [.send(.releaseRP), .startARTIM])
        XCTAssertEqual(link.acceptor.state, .sta13)
        var closed: [AssociationEffect] = []
        for e in Link.delivered(rp2) { closed = try link.requestor.handle(e) }
        XCTAssertEqual(closed, [.issue(.releaseConfirmation), .closeTransport])
        for e in Link.delivered(closed) { XCTAssertEqual(try link.acceptor.handle(e), [.stopARTIM]) }
        XCTAssertEqual([link.requestor.state, link.acceptor.state], [.sta1, .sta1])
    }

    // MARK: Table 9-10, cell by cell

    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/association")

    /// `Evt-n, Sta-m, action` rows of a pynetdicom transcription (Tools/gen-dimse-vectors.py).
    static func rows(_ name: String) throws -> [[String]] {
        try String(contentsOf: fixtures.appendingPathComponent(name), encoding: .utf8).split(separator: "\n")
            .filter { !$0.hasPrefix("#") }.map { $0.split(separator: "\t").map(String.init) }
    }

    func testTheTableIsTotal() {
        XCTAssertEqual(AssociationStateMachine.table.count, 19, "one row per event Evt1-Evt19")
        for (i, row) in AssociationStateMachine.table.enumerated() {
            XCTAssertEqual(row.count, 13, "Evt\(i + 1): one cell per state Sta1-Sta13")
        }
        XCTAssertEqual(AssociationEvent.allNumbered.map(\.number), Array(1...19))
        XCTAssertEqual(AssociationState.allCases.map(\.rawValue), Array(1...13))
        // Every action of PS3.8 §9.2.3 appears somewhere in the table.
        XCTAssertEqual(Set(AssociationStateMachine.table.joined().compactMap { $0 }), Set(AssociationAction.allCases))
    }

    func testEveryCellMatchesPynetdicomsTranscription() throws {
        var theirs: [String: String] = [:]
        for row in try Self.rows("pynetdicom-fsm.tsv") { theirs["\(row[0]) \(row[1])"] = row[2] }
        XCTAssertEqual(theirs.count, 123)
        var filled = 0
        for event in AssociationEvent.allNumbered {
            for state in AssociationState.allCases {
                let ours = AssociationStateMachine.action(for: event, in: state)?.rawValue
                XCTAssertEqual(ours, theirs["\(event) \(state.name)"], "\(event) in \(state.name)")
                if ours != nil { filled += 1 }
            }
        }
        XCTAssertEqual(filled, 123)
    }

    /// Each cell: a blank one throws and changes nothing; another goes where its action says (pynetdicom's next states), ARTIM running only in Sta2/Sta13.
    func testEveryCellTransitionsAsItsActionSays() throws {
        var next: [String: Set<String>] = [:]
        for row in try Self.rows("pynetdicom-actions.tsv") { next[row[0]] = Set(row[1].split(separator: ",").map(String.init)) }
        XCTAssertEqual(next.count, AssociationAction.allCases.count)
        let variants: [AssociationEvent] = [.associateRequestReceived(acceptable: false), .abortReceived(source: .serviceProvider)]
        for event in AssociationEvent.allNumbered + variants {
            for state in AssociationState.allCases {
                for side in [AssociationSide.requestor, .acceptor] {
                    var m = AssociationStateMachine(state: state, side: state == .sta1 ? nil : side)
                    let before = m
                    guard let action = AssociationStateMachine.action(for: event, in: state) else {
                        XCTAssertThrowsError(try m.handle(event), "\(event) in \(state.name)") { error in
                            XCTAssertEqual((error as? NetworkError)?.code, .unexpectedEvent)
                        }
                        XCTAssertEqual(m, before, "a blank cell changes nothing")
                        continue
                    }
                    let effects = try m.handle(event)
                    XCTAssertTrue(next[action.rawValue]?.contains(m.state.name) ?? false, "\(action) took \(event) in \(state.name) to \(m.state.name)")
                    XCTAssertEqual(m.isARTIMRunning, m.state == .sta2 || m.state == .sta13, "ARTIM after \(action) in \(m.state.name)")
                    let closes: Set<AssociationAction> = [.ae4, .ar3, .aa2, .aa3]  // PS3.8 Tables 9-6 to 9-9: the actions that close the transport
                    XCTAssertEqual(effects.contains(.closeTransport), closes.contains(action), "\(action) in \(state.name)")
                }
            }
        }
    }

    func testARSideDecidesTheCollisionState() throws {
        var requestor = AssociationStateMachine(state: .sta7, side: .requestor)
        var acceptor = AssociationStateMachine(state: .sta7, side: .acceptor)
        try requestor.handle(.releaseRequestReceived)
        try acceptor.handle(.releaseRequestReceived)
        XCTAssertEqual(requestor.state, .sta9)
        XCTAssertEqual(acceptor.state, .sta10)
        XCTAssertEqual(AssociationState.sta9.description, "Sta9 (Release collision requestor side; awaiting A-RELEASE response)")
    }
}
