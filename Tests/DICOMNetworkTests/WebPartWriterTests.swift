import DICOMCore
import DICOMIO
import TestSupport
import XCTest

@testable import DICOMNetwork

/// WADO-RS parts written to disk (PS3.18 §10.4): atomically, named by SOP Instance UID, a non-DICOM part refused and removed.
final class WebPartWriterTests: XCTestCase {
    func testPartsAreWrittenAtomicallyUnderTheirUID() throws {
        let dir = try tempDir("dicom-media-wado-parts").path
        addTeardownBlock { try? FileManager.default.removeItem(atPath: dir) }
        let ds = SyntheticInstance.image(sopInstanceUID: "1.2.826.0.1.3680043.10.1", studyUID: "1.2.3", seriesUID: "1.2.3.4", instanceNumber: 1)
        let file = try Part10Writer.encode(dataSet: ds)
        let bytes = try WebMultipartTests.written([file, Array("not DICOM".utf8)], boundary: "b")
        var parser = MultipartParser(boundary: "b")
        var writer = WADOPartWriter(folder: dir, source: "http://h/x")
        var events = try parser.feed(bytes)
        // Until its part ends, the instance exists only under a hidden temporary name.
        let firstEnd = try XCTUnwrap(events.firstIndex(of: .partEnd))
        for e in events[..<firstEnd] { try writer.handle(e) }
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: dir).filter { !$0.hasPrefix(".") }, [])
        try writer.handle(events[firstEnd])
        XCTAssertEqual(writer.written.map(\.path), [dir + "/1.2.826.0.1.3680043.10.1.dcm"])
        XCTAssertEqual(Array(try Data(contentsOf: URL(fileURLWithPath: writer.written[0].path))), file)
        XCTAssertEqual(writer.written[0].transferSyntaxUID, TransferSyntax.explicitVRLittleEndian.uid)
        // The second part is not DICOM: refused, and nothing of it is left.
        events = Array(events[(firstEnd + 1)...])
        do {
            for e in events { try writer.handle(e) }
            XCTFail("kept a part that is not DICOM")
        } catch {
            XCTAssertEqual(error.code, .wadoPart)
            writer.discard()
        }
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: dir), ["1.2.826.0.1.3680043.10.1.dcm"])
        // A part of another type is refused before anything is written.
        var other = WADOPartWriter(folder: dir, source: nil)
        XCTAssertThrowsError(try other.handle(.partBegin(headers: [MultipartHeader(name: "content-type", value: "application/dicom+xml")]))) {
            XCTAssertEqual(($0 as? NetworkError)?.code, .wadoPart)
        }
    }
}
