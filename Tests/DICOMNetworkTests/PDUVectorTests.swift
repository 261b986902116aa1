import DICOMCore
import DICOMNetwork
import XCTest

/// PDUs made by pynetdicom (Tools/gen-pdu-vectors.py): decoded, read as pynetdicom meant them, re-encoded byte for byte (PS3.8 §9.3).
final class PDUVectorTests: XCTestCase {
    func testEverySingleVectorReencodesByteForByte() throws {
        let names = try PDUTestSupport.fixtureNames(prefix: "pdu-")
        XCTAssertEqual(names.count, 11)
        for name in names {
            let bytes = try PDUTestSupport.fixture(name)
            let pdu = try PDU.decode(bytes)
            XCTAssertEqual(try pdu.encode(), bytes, name)
        }
    }

    func testTheRequestVectorReadsAsPynetdicomWroteIt() throws {
        guard case .associateRQ(let rq) = try PDU.decode(try PDUTestSupport.fixture("pdu-associate-rq")) else { return XCTFail("not an RQ") }
        XCTAssertEqual(rq.calledAETitle, "ANY-SCP")
        XCTAssertEqual(rq.callingAETitle, "PYNETDICOM")
        XCTAssertEqual(rq.presentationContexts.map(\.id), [1, 3])
        XCTAssertEqual(rq.presentationContexts[1].transferSyntaxes, ["1.2.840.10008.1.2.1", "1.2.840.10008.1.2", "1.2.840.10008.1.2.4.90"])
        // pynetdicom's order: 51H 52H 55H 53H 54H 56H 57H 58H.
        let expected: [UserInformation.SubItem] = [
            .maximumLength(16382), .implementationClassUID("1.2.826.0.1.3680043.9.3811.3.0.4"), .implementationVersionName("PYNETDICOM_304"),
            .asynchronousOperationsWindow(AsynchronousOperationsWindow(maximumOperationsInvoked: 5, maximumOperationsPerformed: 3)),
            .roleSelection(RoleSelection(sopClassUID: "1.2.840.10008.5.1.4.1.1.2", scuRole: false, scpRole: true)),
            .sopClassExtendedNegotiation(SOPClassExtendedNegotiation(sopClassUID: "1.2.840.10008.5.1.4.1.1.2", applicationInformation: [2, 0, 1, 0])),
            .sopClassCommonExtendedNegotiation(
                SOPClassCommonExtendedNegotiation(
                    sopClassUID: "1.2.840.10008.5.1.4.1.1.88.22", serviceClassUID: "1.2.840.10008.4.2",
                    relatedGeneralSOPClassUIDs: ["1.2.840.10008.5.1.4.1.1.88.11", "1.2.840.10008.5.1.4.1.1.88.33"])),
            .userIdentityRQ(
                UserIdentityRQ(
                    identityType: .usernameAndPasscode, positiveResponseRequested: true, primaryField: Array("alice".utf8), secondaryField: Array("s3cret".utf8)
                )),
        ]
        XCTAssertEqual(rq.userInformation.subItems, expected)
        guard case .associateRQ(let minimal) = try PDU.decode(try PDUTestSupport.fixture("pdu-associate-rq-minimal")) else { return XCTFail("not an RQ") }
        XCTAssertEqual(minimal.userInformation.maximumLength, 0)
    }

    func testTheAcceptRejectAndAbortVectorsReadAsPynetdicomWroteThem() throws {
        guard case .associateAC(let ac) = try PDU.decode(try PDUTestSupport.fixture("pdu-associate-ac")) else { return XCTFail("not an AC") }
        XCTAssertEqual(ac.presentationContexts.map(\.result), [.acceptance, .transferSyntaxesNotSupported, .abstractSyntaxNotSupported])
        XCTAssertEqual(ac.presentationContexts[0].transferSyntax, "1.2.840.10008.1.2")
        XCTAssertEqual(ac.userInformation.userIdentityAC, UserIdentityAC(serverResponse: Array("server-ticket".utf8)))
        let rejections: [String: AssociateRJ] = [
            "pdu-associate-rj-user": AssociateRJ(result: .rejectedPermanent, source: .serviceUser(.calledAETitleNotRecognized)),
            "pdu-associate-rj-acse": AssociateRJ(result: .rejectedTransient, source: .serviceProviderACSE(.protocolVersionNotSupported)),
            "pdu-associate-rj-presentation": AssociateRJ(result: .rejectedTransient, source: .serviceProviderPresentation(.temporaryCongestion)),
        ]
        for (name, rj) in rejections { XCTAssertEqual(try PDU.decode(try PDUTestSupport.fixture(name)), .associateRJ(rj), name) }
        XCTAssertEqual(try PDU.decode(try PDUTestSupport.fixture("pdu-abort-user")), .abort(.serviceUser))
        XCTAssertEqual(try PDU.decode(try PDUTestSupport.fixture("pdu-abort-provider")), .abort(Abort(source: .serviceProvider, reason: .unexpectedPDU)))
        XCTAssertEqual(try PDU.decode(try PDUTestSupport.fixture("pdu-release-rq")), .releaseRQ)
        XCTAssertEqual(try PDU.decode(try PDUTestSupport.fixture("pdu-release-rp")), .releaseRP)
        guard case .pData(let p) = try PDU.decode(try PDUTestSupport.fixture("pdu-p-data-tf")) else { return XCTFail("not a P-DATA-TF") }
        XCTAssertEqual(p.pdvs.map(\.presentationContextID), [1, 3, 3])
        XCTAssertEqual(p.pdvs.map(\.isCommand), [true, false, false])
        XCTAssertEqual(p.pdvs.map(\.isLastFragment), [true, false, true])
        XCTAssertEqual(p.pdvs.map(\.fragment.count), [16, 9, 4])
    }

    /// A real pynetdicom association captured on loopback: framed, each PDU re-encoded byte for byte, the messages reassembled.
    func testCapturedAssociationsFrameDecodeAndReencode() throws {
        for max in [0, 256] {
            for side in ["rq", "ac"] {
                let name = "stream-max\(max)-\(side)"
                let stream = try PDUTestSupport.fixture(name)
                var framer = PDUFramer(maximumLengthReceived: UInt32(max))
                let pdus = try PDUTestSupport.frame(stream, framer: &framer) { stream.count }
                XCTAssertTrue(framer.isAtPDUBoundary, name)
                XCTAssertEqual(try pdus.flatMap { try $0.encode() }, stream, name)
                XCTAssertEqual(pdus.first?.type, side == "rq" ? .associateRQ : .associateAC, name)
                XCTAssertEqual(pdus.last?.type, side == "rq" ? .releaseRQ : .releaseRP, name)
                var assembler = MessageAssembler(maximumMessageLength: 1 << 20)
                var messages: [PDVMessage] = []
                for case .pData(let p) in pdus {
                    for pdv in p.pdvs {
                        if max != 0 { XCTAssertLessThanOrEqual(p.length, max, name) }
                        if let m = try assembler.receive(pdv) { messages.append(m) }
                    }
                }
                XCTAssertTrue(assembler.isIdle, name)
                // C-ECHO then C-STORE: the request carries one data set (the C-STORE's), the responses none.
                XCTAssertEqual(messages.count, 2, name)
                XCTAssertEqual(messages.map { $0.dataSet != nil }, side == "rq" ? [false, true] : [false, false], name)
                if side == "rq", let ds = messages[1].dataSet {
                    XCTAssertNotNil(find(Array("PDU-VECTOR".utf8), in: ds), name)
                    let pDataCount = pdus.filter { $0.type == .pData }.count
                    // One P-DATA-TF per message part when unlimited (C-ECHO-RQ, C-STORE-RQ, its data set); more at 256.
                    XCTAssertTrue(max == 0 ? pDataCount == 3 : pDataCount > 4, "\(name): \(pDataCount) P-DATA-TF")
                }
            }
        }
    }

    private func find(_ needle: [UInt8], in bytes: [UInt8]) -> Int? {
        guard bytes.count >= needle.count else { return nil }
        return (0...(bytes.count - needle.count)).first { Array(bytes[$0..<$0 + needle.count]) == needle }
    }
}
