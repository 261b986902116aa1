import DICOMCore
import DICOMNetwork
import XCTest

/// PDUFramer: PDUs out of a byte stream however it is cut, lengths refused from the header (PS3.8 §9.3.1, §D.1).
final class FramerTests: XCTestCase {
    static func stream() throws -> (bytes: [UInt8], pdus: [PDU]) {
        let pdus = PDUTestSupport.everyPDU
        return (try pdus.flatMap { try $0.encode() }, pdus)
    }

    func testAWholeStreamInOneChunkGivesEveryPDU() throws {
        let (bytes, pdus) = try Self.stream()
        var framer = PDUFramer(maximumLengthReceived: 0)
        framer.append(bytes)
        var out: [PDU] = []
        while let pdu = try framer.next() { out.append(pdu) }
        XCTAssertEqual(out, pdus)
        XCTAssertTrue(framer.isAtPDUBoundary)
        XCTAssertNil(try framer.next())
    }

    func testByteByByteAndRandomChunksGiveTheSamePDUs() throws {
        let (bytes, pdus) = try Self.stream()
        var one = PDUFramer(maximumLengthReceived: 0)
        XCTAssertEqual(try PDUTestSupport.frame(bytes, framer: &one) { 1 }, pdus)
        var random = PDUTestSupport.Random(state: 7)
        for round in 0..<50 {
            var framer = PDUFramer(maximumLengthReceived: 0)
            let limit = [3, 7, 64, 700][round % 4]
            XCTAssertEqual(try PDUTestSupport.frame(bytes, framer: &framer) { Int.random(in: 1...limit, using: &random) }, pdus, "round \(round)")
            XCTAssertTrue(framer.isAtPDUBoundary)
        }
    }

    func testAPDUOverOurLimitIsRefusedFromItsHeaderBeforeItsBody() throws {
        var framer = PDUFramer(maximumLengthReceived: 16384, maximumPDULength: 1 << 20)
        framer.append(try PDU.releaseRQ.encode())
        framer.append([0x01, 0x00, 0xFF, 0xFF, 0xFF, 0xF0])  // an A-ASSOCIATE-RQ of almost 4 GiB
        XCTAssertEqual(try framer.next(), .releaseRQ, "the PDU before the refused one is still given")
        let e = assertNetworkError(.pduTooLarge) { try framer.next() }
        XCTAssertEqual(e?.offset, 10 + 2, "the length field of the second PDU in the stream")
        XCTAssertEqual(framer.bufferedByteCount, 0, "nothing of the refused PDU is kept")
        framer.append(Array(repeating: 0, count: 1000))
        XCTAssertEqual(framer.bufferedByteCount, 0, "nothing after the error is read")
        assertNetworkError(.pduTooLarge) { try framer.next() }
    }

    func testPDataLongerThanTheMaximumLengthWeAnnouncedIsRefused() throws {
        let pdv = PDV(presentationContextID: 1, isCommand: false, isLastFragment: true, fragment: Array(repeating: 7, count: 100))
        let bytes = try PDU.pData(PDataTF(pdvs: [pdv])).encode()  // length 106
        for (announced, ok) in [(UInt32(106), true), (105, false), (0, true)] {
            var framer = PDUFramer(maximumLengthReceived: announced)
            framer.append(bytes.prefix(6))
            if ok {
                XCTAssertNil(try framer.next())
                framer.append(bytes.dropFirst(6))
                XCTAssertEqual(try framer.next(), .pData(PDataTF(pdvs: [pdv])))
            } else {
                XCTAssertEqual(framer.bufferedByteCount, 0)
                assertNetworkError(.pduTooLarge) { try framer.next() }
            }
        }
        // The announced maximum bounds P-DATA-TF only: a longer A-ASSOCIATE-RQ passes (PS3.8 §D.1).
        var framer = PDUFramer(maximumLengthReceived: 16)
        framer.append(try PDU.associateRQ(PDUTestSupport.fullRequest).encode())
        XCTAssertEqual(try framer.next(), .associateRQ(PDUTestSupport.fullRequest))
    }

    func testAnUnknownPDUTypeIsRefusedFromItsHeader() throws {
        var framer = PDUFramer(maximumLengthReceived: 0)
        framer.append(try PDU.releaseRP.encode() + [0x09, 0, 0, 0, 0, 4])
        XCTAssertEqual(try framer.next(), .releaseRP)
        let e = assertNetworkError(.unknownPDUType) { try framer.next() }
        XCTAssertEqual(e?.offset, 10)
    }

    func testADecodingErrorCarriesItsStreamOffset() throws {
        var framer = PDUFramer(maximumLengthReceived: 0)
        framer.append(try PDU.releaseRQ.encode() + [0x03, 0, 0, 0, 0, 4, 0, 9, 1, 1])  // A-ASSOCIATE-RJ result 9
        XCTAssertEqual(try framer.next(), .releaseRQ)
        let e = assertNetworkError(.badValue) { try framer.next() }
        XCTAssertEqual(e?.offset, 10 + 7)
        XCTAssertFalse(framer.isAtPDUBoundary)
    }

    func testOnlyTheCheckedLengthIsBuffered() throws {
        let bytes = try PDU.associateRQ(PDUTestSupport.fullRequest).encode()
        var framer = PDUFramer(maximumLengthReceived: 0)
        framer.append(bytes + [0x05, 0x00, 0x00])  // the next PDU's first 3 bytes
        XCTAssertEqual(try framer.next(), .associateRQ(PDUTestSupport.fullRequest))
        XCTAssertNil(try framer.next())
        XCTAssertEqual(framer.bufferedByteCount, 3)
        XCTAssertFalse(framer.isAtPDUBoundary)
        framer.append([0x00, 0x00, 0x04, 0, 0, 0, 0])
        XCTAssertEqual(try framer.next(), .releaseRQ)
        XCTAssertTrue(framer.isAtPDUBoundary)
    }
}
