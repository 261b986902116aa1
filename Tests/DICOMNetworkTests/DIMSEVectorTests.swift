import DICOMCore
import Foundation
import XCTest

@testable import DICOMNetwork

/// Command sets encoded by pynetdicom (Tools/gen-dimse-vectors.py): each decodes to the values it was made with and re-encodes byte for byte.
final class DIMSEVectorTests: XCTestCase {
    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/dimse")

    struct Vector: Decodable {
        var name: String
        var command: String
        var hasDataSet: Bool
        var fields: [String: Field]
    }

    /// A field value as the generator wrote it: a number, a string, or a list of tags as `GGGGEEEE`.
    enum Field: Decodable, Equatable {
        case number(UInt16), text(String), tags([String])
        init(from decoder: any Decoder) throws {
            let c = try decoder.singleValueContainer()
            if let n = try? c.decode(UInt16.self) {
                self = .number(n)
            } else if let s = try? c.decode(String.self) {
                self = .text(s)
            } else {
                self = .tags(try c.decode([String].self))
            }
        }
    }

    static func vectors() throws -> [Vector] {
        struct Manifest: Decodable { var vectors: [Vector] }
        return try JSONDecoder().decode(Manifest.self, from: Data(contentsOf: fixtures.appendingPathComponent("vectors.json"))).vectors
    }

    static func bytes(_ name: String) throws -> [UInt8] {
        let hex = try String(contentsOf: fixtures.appendingPathComponent(name + ".hex"), encoding: .utf8).filter(\.isHexDigit)
        var out: [UInt8] = []
        var i = hex.startIndex
        while i < hex.endIndex {
            let j = hex.index(i, offsetBy: 2)
            out.append(UInt8(hex[i..<j], radix: 16)!)
            i = j
        }
        return out
    }

    func testEveryVectorDecodesToItsValuesAndReencodesByteForByte() throws {
        let vectors = try Self.vectors()
        XCTAssertEqual(vectors.count, 25)
        // Every message type of DIMSEMessage has at least one vector.
        XCTAssertEqual(Set(vectors.map(\.command)).count, 15)
        for v in vectors {
            let bytes = try Self.bytes(v.name)
            let message = try DIMSEMessage.decode(bytes)
            XCTAssertEqual(message.commandField.name, v.command, v.name)
            XCTAssertEqual(message.hasDataSet, v.hasDataSet, v.name)
            let set = message.commandSet
            for (keyword, expected) in v.fields {
                let tag = try XCTUnwrap(DataDictionary.entry(forKeyword: keyword)?.tag, keyword)
                switch expected {
                case .number(let n): XCTAssertEqual(try set.uint16(tag), n, "\(v.name) \(keyword)")
                case .text(let s): XCTAssertEqual(try set.string(tag), s, "\(v.name) \(keyword)")
                case .tags(let t): XCTAssertEqual(try set.tags(tag).map(\.jsonKey), t, "\(v.name) \(keyword)")
                }
            }
            XCTAssertEqual(message.encode(), bytes, "\(v.name) re-encodes to pynetdicom's bytes")
            // The typed message alone (not the command set it came from) gives the same bytes.
            XCTAssertEqual(try DIMSEMessage(commandSet: CommandSet.decode(bytes)).encode(), bytes, v.name)
        }
    }

    func testTypedFieldsOfSomeVectors() throws {
        guard case .cStoreRQ(let store) = try DIMSEMessage.decode(Self.bytes("c-store-rq-move-originator")) else { return XCTFail("not a C-STORE-RQ") }
        XCTAssertEqual(store.moveOriginatorAETitle, "MOVESCU")
        XCTAssertEqual(store.moveOriginatorMessageID, 3)
        XCTAssertEqual(store.messageID, 65535)
        XCTAssertEqual(store.priority, .high)
        XCTAssertEqual(store.affectedSOPInstanceUID, "1.2.3.4.5.6.7.8.9")

        guard case .cMoveRSP(let move) = try DIMSEMessage.decode(Self.bytes("c-move-rsp-warning")) else { return XCTFail("not a C-MOVE-RSP") }
        XCTAssertEqual(move.status.kind, .warning)
        XCTAssertEqual(move.subOperations, SubOperationCounts(remaining: nil, completed: 8, failed: 1, warning: 1))
        XCTAssertEqual(move.status.name(for: .cMoveRSP), "Sub-operations Complete - One or more Failures or Warnings")

        guard case .cGetRSP(let get) = try DIMSEMessage.decode(Self.bytes("c-get-rsp-pending")) else { return XCTFail("not a C-GET-RSP") }
        XCTAssertEqual(get.subOperations, SubOperationCounts(remaining: 2, completed: 3, failed: 0, warning: 0))
        XCTAssertTrue(get.status.isPending)

        let warning = try CStoreRSP.decode(Self.bytes("c-store-rsp-warning"))
        XCTAssertEqual(warning.response.offendingElements, [.patientName, .patientID])
        XCTAssertEqual(warning.response.errorComment, "Patient ID coerced")
        XCTAssertEqual(warning.status, .coercionOfDataElements)

        let move2 = try CMoveRQ.decode(Self.bytes("c-move-rq"))
        XCTAssertEqual(move2.moveDestination, "DICOM_MEDIA")
        let action = try NActionRQ.decode(Self.bytes("n-action-rq"))
        XCTAssertEqual(action.actionTypeID, 1)
        XCTAssertEqual(action.requestedSOPInstanceUID, "1.2.840.10008.1.20.1.1")
        XCTAssertTrue(action.hasDataSet)
        let report = try NEventReportRSP.decode(Self.bytes("n-event-report-rsp"))
        XCTAssertEqual(report.eventTypeID, 2)
        XCTAssertEqual(try CCancelRQ.decode(Self.bytes("c-cancel-rq")).messageIDBeingRespondedTo, 2)
    }

    func testAVectorDecodedAsAnotherMessageIsRefused() throws {
        XCTAssertThrowsError(try CStoreRQ.decode(Self.bytes("c-echo-rq"))) { error in
            XCTAssertEqual((error as? NetworkError)?.code, .commandBadValue)
            XCTAssertEqual((error as? NetworkError)?.tag, .commandField)
        }
    }
}
