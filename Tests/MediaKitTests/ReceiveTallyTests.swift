@testable import DICOMNetwork
import Synchronization
import XCTest
@testable import MediaKit

/// `receive` counts an association as active until its report is written whole, so a SIGTERM right after the peer's
/// release does not exit between the stdout line and the failure lines on stderr.
final class ReceiveTallyTests: XCTestCase {
    func testAnAssociationStaysActiveWhileItsReportIsWritten() {
        final class Seen: Sendable {
            let tally = Mutex<ReceiveTally?>(nil)
            let activeWhileReporting = Mutex<[Int]>([])
        }
        let seen = Seen()
        let tally = ReceiveTally { a in
            XCTAssertEqual(a.number, 7)
            let active = seen.tally.withLock { $0 }?.active ?? -1
            seen.activeWhileReporting.withLock { $0.append(active) }
        }
        seen.tally.withLock { $0 = tally }
        let negotiated = NegotiatedAssociation(
            callingAETitle: "MODALITY", calledAETitle: "DICOM_MEDIA", acceptedContexts: [], peerMaximumLength: 0, localMaximumLength: 0,
            peerImplementationClassUID: nil, peerImplementationVersionName: nil)
        tally.began(7, negotiated)
        XCTAssertEqual(tally.active, 1)
        tally.ended(7, negotiated, error: nil)
        XCTAssertEqual(seen.activeWhileReporting.withLock { $0 }, [1])
        XCTAssertEqual(tally.active, 0)
        // An association never begun is not reported.
        tally.ended(8, negotiated, error: nil)
        XCTAssertEqual(seen.activeWhileReporting.withLock { $0 }.count, 1)
    }
}
