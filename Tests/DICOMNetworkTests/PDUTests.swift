import DICOMCore
import DICOMNetwork
import XCTest

/// The PDU codec: every PDU and item round-trips; the fields the standard fixes are where it says (PS3.8 §9.3).
final class PDUTests: XCTestCase {
    func testEveryPDURoundTrips() throws {
        for pdu in PDUTestSupport.everyPDU {
            let bytes = try pdu.encode()
            XCTAssertEqual(bytes[0], pdu.type.rawValue)
            XCTAssertEqual(Int(bytes[2]) << 24 | Int(bytes[3]) << 16 | Int(bytes[4]) << 8 | Int(bytes[5]), bytes.count - 6, "\(pdu.type)")
            XCTAssertEqual(try PDU.decode(bytes), pdu, "\(pdu.type)")
            XCTAssertEqual(try PDU.decode(bytes).encode(), bytes, "\(pdu.type)")
        }
    }

    func testEveryUserInformationSubItemIsReadBack() throws {
        guard case .associateRQ(let rq) = try PDU.decode(try PDU.associateRQ(PDUTestSupport.fullRequest).encode()) else { return XCTFail("not an RQ") }
        let ui = rq.userInformation
        XCTAssertEqual(ui.maximumLength, 16384)
        XCTAssertEqual(ui.implementationClassUID, "1.2.3.4")
        XCTAssertEqual(ui.implementationVersionName, "DICOM_MEDIA_1")
        XCTAssertEqual(ui.asynchronousOperationsWindow, AsynchronousOperationsWindow(maximumOperationsInvoked: 2, maximumOperationsPerformed: 0))
        XCTAssertEqual(ui.roleSelections, [RoleSelection(sopClassUID: "1.2.840.10008.5.1.4.1.1.2", scuRole: false, scpRole: true)])
        XCTAssertEqual(ui.sopClassExtendedNegotiations.first?.applicationInformation, [1, 0, 1])
        XCTAssertEqual(ui.sopClassCommonExtendedNegotiations.first?.relatedGeneralSOPClassUIDs, ["1.2.3", "1.2.3.4.5"])
        XCTAssertEqual(ui.userIdentityRQ?.identityType, .usernameAndPasscode)
        XCTAssertEqual(ui.userIdentityRQ?.secondaryField, Array("pw".utf8))
        XCTAssertEqual(ui.subItems.map(\.type), [0x51, 0x52, 0x53, 0x54, 0x55, 0x58, 0x56, 0x57, 0x5F])
        XCTAssertEqual(rq.unknownItems, [UnknownItem(type: 0x7E, value: [1, 2])])
        XCTAssertEqual(rq.presentationContexts[1].transferSyntaxes.count, 2)
        XCTAssertEqual(rq.applicationContextName, UID.dicomApplicationContext)
    }

    func testAssociateRQFixedFieldsAreWhereTheStandardPutsThem() throws {
        let bytes = try PDU.associateRQ(PDUTestSupport.fullRequest).encode()
        XCTAssertEqual(Array(bytes[6..<8]), [0, 1], "protocol version 1")
        XCTAssertEqual(Array(bytes[10..<26]), Array("ORTHANC         ".utf8), "called AE title, space-padded")
        XCTAssertEqual(Array(bytes[26..<42]), Array("DICOM_MEDIA     ".utf8), "calling AE title")
        XCTAssertEqual(Array(bytes[42..<74]), Array(repeating: 0, count: 32))
        XCTAssertEqual(bytes[74], 0x10, "the Application Context item comes first")
    }

    func testAETitleSpacesAndUIDPaddingAreNotSignificant() throws {
        var bytes = try PDU.associateRQ(PDUTestSupport.fullRequest).encode()
        bytes.replaceSubrange(10..<26, with: Array("  ORTHANC       ".utf8))
        // The Application Context name padded with a NUL (PS3.5 §9.1): the item grows by one byte, and so does the PDU.
        let app = 74
        bytes.insert(0, at: app + 4 + UID.dicomApplicationContext.utf8.count)
        bytes[app + 3] += 1
        bytes[5] += 1
        guard case .associateRQ(let rq) = try PDU.decode(bytes) else { return XCTFail("not an RQ") }
        XCTAssertEqual(rq.calledAETitle, "ORTHANC")
        XCTAssertEqual(rq.applicationContextName, UID.dicomApplicationContext)
        bytes.replaceSubrange(10..<26, with: Array("ORTH\u{7F}NC         ".utf8))
        let e = assertNetworkError(.badValue) { try PDU.decode(bytes) }
        XCTAssertEqual(e?.offset, 10)
        // The acceptance's AE title fields only echo the request's and are not tested (PS3.8 §9.3.3).
        var ac = try PDU.associateAC(PDUTestSupport.fullAccept).encode()
        ac.replaceSubrange(10..<26, with: Array("ORTH\u{7F}NC         ".utf8))
        guard case .associateAC(let accepted) = try PDU.decode(ac) else { return XCTFail("not an AC") }
        XCTAssertEqual(accepted.calledAETitle, "")
        XCTAssertEqual(accepted.presentationContexts, PDUTestSupport.fullAccept.presentationContexts)
    }

    func testReservedFieldsAreIgnoredOnReceipt() throws {
        var bytes = try PDU.associateRQ(PDUTestSupport.fullRequest).encode()
        bytes[1] = 0xFF; bytes[8] = 0xFF; bytes[50] = 0x77; bytes[75] = 0x33  // PDU, header, AE area, item reserved bytes
        XCTAssertEqual(try PDU.decode(bytes), .associateRQ(PDUTestSupport.fullRequest))
        var release = try PDU.releaseRP.encode()
        release[7] = 9
        XCTAssertEqual(try PDU.decode(release), .releaseRP)
        var abort = try PDU.abort(.serviceUser).encode()
        abort[9] = 5  // the reason of a service-user abort is not significant
        XCTAssertEqual(try PDU.decode(abort), .abort(.serviceUser))
    }

    func testRejectionAndAbortNamesAndValues() throws {
        let rj = AssociateRJ(result: .rejectedPermanent, source: .serviceUser(.calledAETitleNotRecognized))
        XCTAssertEqual(Array(try PDU.associateRJ(rj).encode()[6...]), [0, 1, 1, 7])
        XCTAssertEqual(rj.description, "rejected-permanent, DICOM UL service-user: called-AE-title-not-recognized")
        let abort = Abort(source: .serviceProvider, reason: .unexpectedPDU)
        XCTAssertEqual(Array(try PDU.abort(abort).encode()[6...]), [0, 0, 2, 2])
        XCTAssertEqual(abort.description, "DICOM UL service-provider: unexpected-PDU")
        XCTAssertNil(Abort(source: .serviceUser, reason: .unexpectedPDU).reason, "a user abort has no reason")
        XCTAssertEqual(PresentationContextAC.Result.abstractSyntaxNotSupported.description, "abstract-syntax-not-supported (provider rejection)")
        XCTAssertEqual(Abort.reason(for: NetworkError(.unknownPDUType, "x")), .unrecognizedPDU)
        XCTAssertEqual(Abort.reason(for: NetworkError(.unexpectedItem, "x")), .unexpectedPDUParameter)
        XCTAssertEqual(Abort.reason(for: NetworkError(.itemLength, "x")), .invalidPDUParameterValue)
    }

    func testUndefinedValuesAreRefusedWithTheirOffset() throws {
        let e = assertNetworkError(.badValue) { try PDU.decode([3, 0, 0, 0, 0, 4, 0, 1, 1, 4]) }  // user reason 4 is reserved
        XCTAssertEqual(e?.offset, 9)
        assertNetworkError(.badValue) { try PDU.decode([3, 0, 0, 0, 0, 4, 0, 3, 1, 1]) }  // result 3
        assertNetworkError(.badValue) { try PDU.decode([3, 0, 0, 0, 0, 4, 0, 1, 4, 1]) }  // source 4
        assertNetworkError(.badValue) { try PDU.decode([7, 0, 0, 0, 0, 4, 0, 0, 3, 0]) }  // abort source 3
        assertNetworkError(.badValue) { try PDU.decode([7, 0, 0, 0, 0, 4, 0, 0, 2, 3]) }  // provider reason 3 is reserved
        let u = assertNetworkError(.unknownPDUType) { try PDU.decode([8, 0, 0, 0, 0, 4, 0, 0, 0, 0]) }
        XCTAssertEqual(u?.offset, 0)
    }

    func testFixedLengthPDUsOfAnotherLengthAreRefused() {
        assertNetworkError(.pduLength) { try PDU.decode([5, 0, 0, 0, 0, 5, 0, 0, 0, 0, 0]) }
        assertNetworkError(.pduLength) { try PDU.decode([6, 0, 0, 0, 0, 2, 0, 0]) }
        assertNetworkError(.pduLength) { try PDU.decode([5, 0, 0, 0, 0, 4, 0, 0, 0, 0, 0]) }  // a byte after the declared length
        assertNetworkError(.pduTruncated) { try PDU.decode([5, 0, 0, 0, 0, 4, 0, 0]) }
        assertNetworkError(.pduTruncated) { try PDU.decode([5, 0, 0]) }
        assertNetworkError(.emptyPData) { try PDU.decode([4, 0, 0, 0, 0, 0]) }
    }

    func testItemLengthsAreCheckedAgainstTheirParents() throws {
        let good = try PDU.associateRQ(PDUTestSupport.fullRequest).encode()
        // The Application Context item at 74 claims more bytes than the PDU has.
        var overrun = good
        overrun[76] = 0xFF; overrun[77] = 0xFF
        let e = assertNetworkError(.itemLength) { try PDU.decode(overrun) }
        XCTAssertEqual(e?.offset, 78)
        // The Maximum Length sub-item (51H) with length 2: its 4-byte field does not fit.
        let ml = try XCTUnwrap(find([0x51, 0x00, 0x00, 0x04], in: good))
        var short = good
        short[ml + 3] = 2
        assertNetworkError(.itemLength) { try PDU.decode(short) }
        // A role selection whose UID length runs past its sub-item.
        let rs = try XCTUnwrap(find([0x54, 0x00], in: good))
        var role = good
        role[rs + 5] += 10
        assertNetworkError(.itemLength) { try PDU.decode(role) }
        role = good
        role[rs + 4 + 2 + 25] = 2  // SCU role 2
        assertNetworkError(.badValue) { try PDU.decode(role) }
    }

    func testMissingDuplicateAndMisplacedItemsAreRefused() throws {
        var rq = PDUTestSupport.fullRequest
        rq.presentationContexts[0].transferSyntaxes = []
        assertNetworkError(.missingItem) { try PDU.decode(try PDU.associateRQ(rq).encode()) }
        let ac = PDUTestSupport.fullAccept
        let acBytes = try PDU.associateAC(ac).encode()
        var asRQ = acBytes
        asRQ[0] = 1  // 21H items inside an A-ASSOCIATE-RQ
        assertNetworkError(.unexpectedItem) { try PDU.decode(asRQ) }
        var twice = PDUTestSupport.fullRequest
        twice.userInformation.subItems.append(.maximumLength(1))
        assertNetworkError(.duplicateItem) { try PDU.decode(try PDU.associateRQ(twice).encode()) }
        var accepted = ac
        accepted.presentationContexts[0].transferSyntax = nil
        assertNetworkError(.missingItem) { try PDU.decode(try PDU.associateAC(accepted).encode()) }
        // No User Information item at all: cut it off and fix the PDU length.
        let bytes = try PDU.associateRQ(PDUTestSupport.fullRequest).encode()
        let ui = try XCTUnwrap(find([0x50, 0x00], in: bytes, from: 74))
        var noUI = Array(bytes[..<ui])
        let n = noUI.count - 6
        noUI.replaceSubrange(2..<6, with: [UInt8(n >> 24), UInt8(n >> 16 & 0xFF), UInt8(n >> 8 & 0xFF), UInt8(n & 0xFF)])
        let e = assertNetworkError(.missingItem) { try PDU.decode(noUI) }
        XCTAssertEqual(e?.offset, noUI.count)
    }

    func testUnknownSubItemsOfAPresentationContextAreSkipped() throws {
        var bytes = try PDU.associateRQ(PDUTestSupport.fullRequest).encode()
        let pc = try XCTUnwrap(find([0x20, 0x00], in: bytes, from: 74))
        // Insert an unknown 3-byte sub-item (type 7FH) after the context's ID and reserved bytes.
        bytes.insert(contentsOf: [0x7F, 0, 0, 3, 1, 2, 3], at: pc + 8)
        bytes[pc + 3] += 7
        bytes[5] += 7
        XCTAssertEqual(try PDU.decode(bytes), .associateRQ(PDUTestSupport.fullRequest))
    }

    func testValuesTooLongForTheirFieldsAreRefusedWhenEncoding() {
        var rq = PDUTestSupport.fullRequest
        rq.calledAETitle = "SEVENTEEN_CHARS_X"
        assertNetworkError(.valueTooLong) { try PDU.associateRQ(rq).encode() }
        rq = PDUTestSupport.fullRequest
        rq.userInformation.subItems.append(.userIdentityAC(UserIdentityAC(serverResponse: Array(repeating: 1, count: 70_000))))
        assertNetworkError(.valueTooLong) { try PDU.associateRQ(rq).encode() }
    }

    private func find(_ needle: [UInt8], in bytes: [UInt8], from start: Int = 0) -> Int? {
        guard bytes.count >= needle.count else { return nil }
        return (start...(bytes.count - needle.count)).first { Array(bytes[$0..<$0 + needle.count]) == needle }
    }
}
