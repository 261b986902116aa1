import DICOMCore
@testable import DICOMFileSet
import XCTest

final class FileListResolverTests: XCTestCase {
    /// Exact names, then variants (case, ISO 9660 version, suffix), missing and outside the root: the same answers
    /// with real hashes and with every path colliding (each then confirmed against the list, the rest kept whole).
    func testPathsFoundByHashAreConfirmedAgainstTheList() {
        let paths = ["DICOMDIR", "DICOM/P1/S1/I1", "DICOM/P1/S1/I2;1", "dicom/p2/im1.dcm", "DICOM/P2/IM1", "README"]
        for colliding in [false, true] {
            let collide: @Sendable (String) -> Int = { _ in 1 }
            let hash = colliding ? collide : nil
            let r = FileListResolver(paths: paths, hash: hash)
            XCTAssertEqual(r.resolve(FileID(["DICOM", "P1", "S1", "I1"])), Medium.Match.exact("DICOM/P1/S1/I1"))
            XCTAssertEqual(r.resolve(FileID(["DICOM", "P1", "S1", "I2"])), Medium.Match.variant("DICOM/P1/S1/I2;1"))
            XCTAssertEqual(r.resolve(FileID(["DICOM", "P2", "IM1"])), Medium.Match.exact("DICOM/P2/IM1"))
            XCTAssertEqual(r.resolve(FileID(["DICOM", "P1", "S1", "I1X"])), Medium.Match.missing)
            XCTAssertEqual(r.resolve(FileID(["readme"])), Medium.Match.variant("README"))
            XCTAssertEqual(r.resolve(FileID(["DICOM", "P1", "S1", "I3"])), Medium.Match.missing)
            XCTAssertEqual(r.resolve(FileID([".."])), Medium.Match.outsideRoot)
            XCTAssertEqual(r.resolve(FileID([])), Medium.Match.outsideRoot)
        }
        // Two paths that normalise alike: the first listed answers, as before.
        let collide: @Sendable (String) -> Int = { _ in 5 }
        let r = FileListResolver(paths: ["A/b", "A/B"], hash: collide)
        XCTAssertEqual(r.resolve(FileID(["a", "B"])), Medium.Match.variant("A/b"))
    }
}
