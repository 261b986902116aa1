import DICOMCore
import XCTest

@testable import DICOMNetwork

/// Command sets built here: every message round-trips, each field PS3.7 requires is enforced, malformed bytes are refused.
final class DIMSECommandSetTests: XCTestCase {
    static let ct = "1.2.840.10008.5.1.4.1.1.2", commitment = "1.2.840.10008.1.20.1", commitmentInstance = "1.2.840.10008.1.20.1.1"

    /// One message of every type, with optional fields set where the type has them.
    static var samples: [DIMSEMessage] {
        var actionRSP = NActionRSP(DIMSEResponseFields(respondingTo: 6, affectedSOPClassUID: commitment, affectedSOPInstanceUID: commitmentInstance))
        actionRSP.actionTypeID = 1
        var reportRSP = NEventReportRSP(DIMSEResponseFields(respondingTo: 7, status: DIMSEStatus(0x0113)))
        reportRSP.eventTypeID = 2
        return [
            .cEchoRQ(CEchoRQ(messageID: 1, affectedSOPClassUID: "1.2.840.10008.1.1")),
            .cEchoRSP(CEchoRSP(DIMSEResponseFields(respondingTo: 1, affectedSOPClassUID: "1.2.840.10008.1.1"))),
            .cStoreRQ(
                CStoreRQ(
                    messageID: 2, affectedSOPClassUID: ct, affectedSOPInstanceUID: "1.2.3", priority: .low, moveOriginatorAETitle: "ORTHANC",
                    moveOriginatorMessageID: 9)),
            .cStoreRSP(
                CStoreRSP(
                    DIMSEResponseFields(
                        respondingTo: 2, status: DIMSEStatus(0xA7FF), affectedSOPClassUID: ct, affectedSOPInstanceUID: "1.2.3",
                        offendingElements: [.patientID], errorComment: "odd", errorID: 5))),
            .cFindRQ(CFindRQ(messageID: 3, affectedSOPClassUID: "1.2.840.10008.5.1.4.1.2.2.1")),
            .cFindRSP(CFindRSP(DIMSEResponseFields(respondingTo: 3, status: .pending, dataSetType: .present))),
            .cGetRQ(CGetRQ(messageID: 4, affectedSOPClassUID: "1.2.840.10008.5.1.4.1.2.2.3", priority: .high)),
            .cGetRSP(
                CGetRSP(
                    DIMSEResponseFields(respondingTo: 4, status: .cancel), subOperations: SubOperationCounts(remaining: 1, completed: 2, failed: 3, warning: 4))
            ),
            .cMoveRQ(CMoveRQ(messageID: 5, affectedSOPClassUID: "1.2.840.10008.5.1.4.1.2.2.2", moveDestination: "DICOM_MEDIA")),
            .cMoveRSP(CMoveRSP(DIMSEResponseFields(respondingTo: 5, status: DIMSEStatus(0xA801)), subOperations: SubOperationCounts(completed: 0, failed: 0))),
            .cCancelRQ(CCancelRQ(messageIDBeingRespondedTo: 3)),
            .nActionRQ(NActionRQ(messageID: 6, requestedSOPClassUID: commitment, requestedSOPInstanceUID: commitmentInstance, actionTypeID: 1)),
            .nActionRSP(actionRSP),
            .nEventReportRQ(NEventReportRQ(messageID: 7, affectedSOPClassUID: commitment, affectedSOPInstanceUID: commitmentInstance, eventTypeID: 1)),
            .nEventReportRSP(reportRSP),
        ]
    }

    /// The fields PS3.7 marks "M" for each message (Tables 9.3-1 to 9.3-13, 10.3-1, 10.3-2, 10.3-7, 10.3-8).
    static let required: [CommandField: Set<Tag>] = {
        let common: Set<Tag> = [.commandField, .commandDataSetType]
        let rsp = common.union([.messageIDBeingRespondedTo, .status])
        let query = common.union([.affectedSOPClassUID, .messageID, .priority])
        return [
            .cEchoRQ: common.union([.affectedSOPClassUID, .messageID]), .cEchoRSP: rsp,
            .cStoreRQ: query.union([.affectedSOPInstanceUID]), .cStoreRSP: rsp,
            .cFindRQ: query, .cFindRSP: rsp, .cGetRQ: query, .cGetRSP: rsp, .cMoveRQ: query.union([.moveDestination]), .cMoveRSP: rsp,
            .cCancelRQ: common.union([.messageIDBeingRespondedTo]),
            .nActionRQ: common.union([.requestedSOPClassUID, .messageID, .requestedSOPInstanceUID, .actionTypeID]), .nActionRSP: rsp,
            .nEventReportRQ: common.union([.affectedSOPClassUID, .messageID, .affectedSOPInstanceUID, .eventTypeID]), .nEventReportRSP: rsp,
        ]
    }()

    func code(_ body: @autoclosure () throws -> Any) -> (NetworkError.Code?, Tag?) {
        do {
            _ = try body()
            return (nil, nil)
        } catch let e as NetworkError {
            return (e.code, e.tag)
        } catch {
            return (nil, nil)
        }
    }

    func testEveryMessageRoundTripsWithItsGroupLength() throws {
        let samples = Self.samples
        XCTAssertEqual(Set(samples.map(\.commandField)).count, 15)
        for m in samples {
            let bytes = m.encode()
            XCTAssertEqual(Array(bytes[0..<8]), [0, 0, 0, 0, 4, 0, 0, 0], "\(m.commandField): Command Group Length first, UL, 4 bytes")
            XCTAssertEqual(le32(bytes, 8), UInt32(bytes.count - 12), "\(m.commandField)")
            XCTAssertEqual(bytes.count % 2, 0, "\(m.commandField): values padded to even length")
            XCTAssertEqual(try DIMSEMessage.decode(bytes), m, "\(m.commandField)")
        }
    }

    func testEachRequiredFieldIsRequiredAndNoOther() throws {
        for m in Self.samples {
            let required = try XCTUnwrap(Self.required[m.commandField])
            for element in m.commandSet.elements {
                var set = m.commandSet
                set.remove(element.tag)
                let (code, tag) = code(try DIMSEMessage.decode(set.encode()))
                if required.contains(element.tag) {
                    XCTAssertEqual(code, .commandMissingElement, "\(m.commandField) without \(element.tag)")
                    XCTAssertEqual(tag, element.tag)
                } else {
                    XCTAssertNil(code, "\(m.commandField) without the optional \(element.tag)")
                }
            }
        }
        var empty = DIMSEMessage.cMoveRQ(CMoveRQ(messageID: 1, affectedSOPClassUID: "1.2", moveDestination: "X")).commandSet
        empty.setString(.moveDestination, "  ")
        XCTAssertEqual(code(try DIMSEMessage.decode(empty.encode())).0, .commandMissingElement, "an empty required value is missing")
    }

    // MARK: Malformed command sets

    func element(_ tag: Tag, _ value: [UInt8]) -> [UInt8] {
        [UInt8(tag.group & 0xFF), UInt8(tag.group >> 8), UInt8(tag.element & 0xFF), UInt8(tag.element >> 8)] + u32(UInt32(value.count)) + value
    }
    func u32(_ v: UInt32) -> [UInt8] { (0..<4).map { UInt8(truncatingIfNeeded: v >> (8 * $0)) } }
    /// `body` after a Command Group Length that states its length.
    func grouped(_ body: [UInt8]) -> [UInt8] { element(.commandGroupLength, u32(UInt32(body.count))) + body }
    var echoBody: [UInt8] { Array(CEchoRQ(messageID: 1, affectedSOPClassUID: "1.2.840.10008.1.1").encode().dropFirst(12)) }

    func testWrongOrMissingGroupLengthIsRefused() {
        let good = grouped(echoBody)
        XCTAssertNoThrow(try CEchoRQ.decode(good))
        XCTAssertEqual(code(try CommandSet.decode(element(.commandGroupLength, u32(UInt32(echoBody.count + 2))) + echoBody)).0, .commandGroupLength)
        XCTAssertEqual(code(try CommandSet.decode(element(.commandGroupLength, u32(UInt32(echoBody.count - 2))) + echoBody)).0, .commandGroupLength)
        XCTAssertEqual(code(try CommandSet.decode(echoBody)).1, .affectedSOPClassUID, "no group length: the first element is named")
        XCTAssertEqual(code(try CommandSet.decode(echoBody)).0, .commandGroupLength)
        XCTAssertEqual(code(try CommandSet.decode(element(.commandGroupLength, [0, 0]) + echoBody)).0, .commandGroupLength)
        XCTAssertEqual(code(try CommandSet.decode([])).0, .commandGroupLength)
    }

    func testAnElementOutsideGroup0000IsRefused() {
        let bytes = grouped(echoBody + element(.sopClassUID, Array("1.2\0".utf8)))
        XCTAssertEqual(code(try CommandSet.decode(bytes)).0, .commandNotGroup0000)
        XCTAssertEqual(code(try CommandSet.decode(bytes)).1, .sopClassUID)
        // A whole data set where a command set belongs.
        XCTAssertEqual(code(try CommandSet.decode(element(.patientID, Array("ID".utf8)))).0, .commandNotGroup0000)
    }

    func testTruncatedAndUndefinedLengthsAreRefused() {
        var cut = echoBody
        cut.removeLast(2)
        XCTAssertEqual(code(try CommandSet.decode(grouped(cut))).0, .commandTruncated)
        XCTAssertEqual(code(try CommandSet.decode(grouped(echoBody + [0, 0, 0, 0]))).0, .commandTruncated, "half an element header")
        let undefined = [UInt8(0), 0, 0x02, 0x09] + u32(0xFFFF_FFFF)
        XCTAssertEqual(code(try CommandSet.decode(grouped(echoBody + undefined))).0, .commandTruncated)
        let huge = [UInt8(0), 0, 0x02, 0x09] + u32(0xFFFF_FFF0)
        XCTAssertEqual(code(try CommandSet.decode(grouped(echoBody + huge))).0, .commandTruncated, "a huge declared length is refused, not allocated")
    }

    func testElementsOutOfOrderOrTwiceAreRefused() {
        let uid = element(.affectedSOPClassUID, Array("1.2\0".utf8)), field = element(.commandField, [0x30, 0])
        XCTAssertEqual(code(try CommandSet.decode(grouped(field + uid))).0, .commandElementOrder)
        XCTAssertEqual(code(try CommandSet.decode(grouped(uid + uid))).0, .commandElementOrder)
    }

    func testBadValuesAreRefused() {
        var set = CStoreRQ(messageID: 1, affectedSOPClassUID: Self.ct, affectedSOPInstanceUID: "1.2").commandSet
        set.setUInt16(.priority, 3)
        XCTAssertEqual(code(try CStoreRQ(commandSet: CommandSet.decode(set.encode()))).0, .commandBadValue)
        XCTAssertEqual(code(try CStoreRQ(commandSet: CommandSet.decode(set.encode()))).1, .priority)

        let wide = grouped(element(.affectedSOPClassUID, Array("1.2\0".utf8)) + element(.commandField, [0x30, 0]) + element(.messageID, [1, 0, 0, 0]))
        let wideFixed = grouped(Array(wide.dropFirst(12)) + element(.commandDataSetType, [1, 1]))
        XCTAssertEqual(code(try CEchoRQ.decode(wideFixed)).0, .commandBadValue)
        XCTAssertEqual(code(try CEchoRQ.decode(wideFixed)).1, .messageID)

        var unknown = CommandSet(.cEchoRQ)
        unknown.setUInt16(.commandField, 0x1234)
        XCTAssertEqual(code(try DIMSEMessage.decode(unknown.encode())).0, .unknownCommand)
        XCTAssertEqual(code(try DIMSEMessage.decode(CommandSet(.nGetRQ).encode())).0, .unknownCommand, "no message type for N-GET")
    }

    func testTheDataSetTypeMustFitTheCommand() {
        var echo = CEchoRQ(messageID: 1, affectedSOPClassUID: "1.2.840.10008.1.1")
        echo.dataSetType = .present
        XCTAssertEqual(code(try CEchoRQ.decode(echo.encode())).1, .commandDataSetType)
        var store = CStoreRQ(messageID: 1, affectedSOPClassUID: Self.ct, affectedSOPInstanceUID: "1.2")
        store.dataSetType = .absent
        XCTAssertEqual(code(try CStoreRQ.decode(store.encode())).0, .commandBadValue)
        // Any value but 0101H means a data set follows, and is kept as received (DCMTK sends 0102H).
        store.dataSetType = CommandDataSetType(rawValue: 0x0102)
        XCTAssertEqual(try CStoreRQ.decode(store.encode()), store)
        XCTAssertTrue(store.hasDataSet)
    }

    /// Text outside the default repertoire keeps its bytes both ways (found by fuzz-dimse: it became "?" after one round trip).
    func testTextBytesSurviveARoundTrip() throws {
        var set = CStoreRSP(DIMSEResponseFields(respondingTo: 1, status: .coercionOfDataElements)).commandSet
        let raw: [UInt8] = [0x50, 0x61, 0xFE, 0xFF, 0xE9, 0x20]
        set.remove(.errorComment)
        var bytes = set.encode()
        bytes += [0x00, 0x00, 0x02, 0x09] + u32(UInt32(raw.count)) + raw
        bytes.replaceSubrange(8..<12, with: u32(UInt32(bytes.count - 12)))
        let message = try CStoreRSP.decode(bytes)
        XCTAssertEqual(message.response.errorComment?.unicodeScalars.map(\.value), [0x50, 0x61, 0xFE, 0xFF, 0xE9])
        XCTAssertEqual(message.encode(), bytes)
        XCTAssertEqual(try CStoreRSP.decode(message.encode()), message)
        var wide = message
        wide.response.errorComment = "Ünïcode ☃"
        XCTAssertEqual(try CStoreRSP.decode(wide.encode()).response.errorComment, "Ünïcode ?", "beyond U+00FF: ?")
    }

    func testStringsArePaddedAsTheirVRsAsk() throws {
        let bytes = CMoveRQ(messageID: 1, affectedSOPClassUID: "1.2.3", moveDestination: "ODD").encode()
        let set = try CommandSet.decode(bytes)
        XCTAssertEqual(set.bytes(.affectedSOPClassUID), Array("1.2.3\0".utf8), "UI: NUL")
        XCTAssertEqual(set.bytes(.moveDestination), Array("ODD ".utf8), "AE: space")
        XCTAssertEqual(set.elements[.moveDestination]?.vr, .AE)
    }
}
