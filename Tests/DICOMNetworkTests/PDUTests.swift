import DICOMNetwork
import XCTest

final class PDUTests: XCTestCase {
    func testReleaseRoundTrip() throws {
        XCTAssertEqual(try PDU.decode(try PDU.releaseRQ.encode()), .releaseRQ)
    }
}
