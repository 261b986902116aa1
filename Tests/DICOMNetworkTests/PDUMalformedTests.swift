import DICOMCore
import DICOMNetwork
import XCTest

/// Malformed PDUs: every truncation and many corruptions give a NetworkError or "need more bytes", never a trap (PS3.8 §9.3.1).
final class PDUMalformedTests: XCTestCase {
    static func validPDUs() throws -> [(String, [UInt8])] {
        let vectors = try PDUTestSupport.fixtureNames(prefix: "pdu-").map { ($0, try PDUTestSupport.fixture($0)) }
        return try vectors + PDUTestSupport.everyPDU.map { ("\($0.type)", try $0.encode()) }
    }

    func testEveryTruncationIsAnErrorOrNeedsMoreBytes() throws {
        for (name, bytes) in try Self.validPDUs() {
            for cut in 0..<bytes.count {
                let prefix = Array(bytes[..<cut])
                do {
                    _ = try PDU.decode(prefix)
                    XCTFail("\(name) cut at \(cut) decoded")
                } catch let e as NetworkError {
                    XCTAssertEqual(e.code, .pduTruncated, "\(name) cut at \(cut): \(e)")
                }
                var framer = PDUFramer(maximumLengthReceived: 0)
                framer.append(prefix)
                XCTAssertNil(try framer.next(), "\(name) cut at \(cut)")
                XCTAssertEqual(framer.bufferedByteCount, cut)
            }
        }
    }

    /// Inner lengths cut short while the PDU length is made to agree: each is an error with an offset inside the PDU.
    func testShortenedBodiesWithConsistentPDULengthsAreErrors() throws {
        for (name, bytes) in try Self.validPDUs() where bytes.count > 6 {
            for cut in 6..<bytes.count {
                var body = Array(bytes[..<cut])
                let n = cut - 6
                body.replaceSubrange(2..<6, with: [UInt8(n >> 24), UInt8(n >> 16 & 0xFF), UInt8(n >> 8 & 0xFF), UInt8(n & 0xFF)])
                do {
                    let pdu = try PDU.decode(body)
                    // A P-DATA-TF cut at a PDV boundary, or an A-ASSOCIATE cut between items, is still well-formed.
                    XCTAssertEqual(try PDU.decode(try pdu.encode()), pdu, "\(name) cut at \(cut)")
                } catch let e as NetworkError {
                    XCTAssertNotNil(e.offset, "\(name) cut at \(cut): \(e)")
                    XCTAssertLessThanOrEqual(e.offset ?? .max, cut, "\(name) cut at \(cut): \(e)")
                }
            }
        }
    }

    /// Every single byte changed to a few values: decoded or refused with a code, and what decodes re-encodes to what decodes the same.
    func testCorruptedBytesNeverTrap() throws {
        var random = PDUTestSupport.Random(state: 12)
        var refused = Set<String>()
        for (name, bytes) in try Self.validPDUs() {
            for i in bytes.indices {
                for value in [0x00, 0xFF, bytes[i] ^ 0x01, UInt8.random(in: 0...255, using: &random)] {
                    var b = bytes
                    b[i] = UInt8(value)
                    do {
                        let pdu = try PDU.decode(b)
                        XCTAssertEqual(try PDU.decode(try pdu.encode()), pdu, "\(name) byte \(i) = \(value)")
                    } catch let e as NetworkError {
                        refused.insert(e.code.rawValue)
                    } catch {
                        XCTFail("\(name) byte \(i) = \(value): not a NetworkError: \(error)")
                    }
                }
            }
        }
        for code in ["pdu-length", "pdu-truncated", "item-length", "unknown-pdu-type", "bad-value", "missing-item", "unexpected-item", "pdv-length"] {
            XCTAssertTrue(refused.contains(code), "no corruption gave \(code)")
        }
    }

    func testPDVItemLengthsAreCheckedAgainstTheirPDU() {
        let e = assertNetworkError(.pdvLength) { try PDU.decode([4, 0, 0, 0, 0, 6, 0, 0, 0, 9, 1, 3]) }  // PDV of 9 in a PDU of 6
        XCTAssertEqual(e?.offset, 6)
        assertNetworkError(.pdvLength) { try PDU.decode([4, 0, 0, 0, 0, 5, 0, 0, 0, 1, 1]) }  // no message control header
        assertNetworkError(.pdvLength) { try PDU.decode([4, 0, 0, 0, 0, 7, 0, 0, 0, 2, 1, 3, 0]) }  // 1 byte left: not a PDV
        assertNetworkError(.pdvLength) { try PDU.decode([4, 0, 0, 0, 0, 9, 0, 0, 0, 0xFF, 0xFF, 0xFF, 0xFF, 1, 3]) }
    }
}
