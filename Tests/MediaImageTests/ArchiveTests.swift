import Foundation
import XCTest
@testable import MediaImage

final class ArchiveTests: XCTestCase {
    func testNormalise() {
        XCTAssertEqual(ArchiveReader.normalise("./DICOM/P0000001/S0000001;1"), "DICOM/P0000001/S0000001")
        XCTAssertEqual(ArchiveReader.normalise("DICOMDIR.;1"), "DICOMDIR")
        XCTAssertEqual(ArchiveReader.normalise("README.TXT;1"), "README.TXT")
        XCTAssertEqual(ArchiveReader.normalise("IHE_PDI/INDEX.HTM"), "IHE_PDI/INDEX.HTM")
    }

    func testVolumeIDRules() {
        XCTAssertNil(ISOWriter.volumeIDProblem("FILESET_1"))
        XCTAssertNotNil(ISOWriter.volumeIDProblem("Smith^John"))
        XCTAssertNotNil(ISOWriter.volumeIDProblem(String(repeating: "A", count: 33)))
        XCTAssertNotNil(ISOWriter.volumeIDProblem(""))
    }

    /// Both engines write an image that libarchive reads back with the same names and bytes.
    func testWriteAndReadBack() throws {
        let dir = NSTemporaryDirectory() + "isotest-\(getpid())"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let src = dir + "/src.bin"
        let payload = (0..<100_000).map { UInt8(truncatingIfNeeded: $0 &* 7) }
        _ = FileManager.default.createFile(atPath: src, contents: Data(payload))
        for engine in ISOWriteOptions.Engine.allCases {
            for rr in [true, false] {
                var o = ISOWriteOptions(volumeID: "TEST_VOL")
                o.engine = engine; o.rockRidge = rr
                let iso = dir + "/\(engine)-\(rr).iso"
                try ISOWriter.write(
                    files: [
                        ImageFile(path: "DICOMDIR", content: .bytes([1, 2, 3])),
                        ImageFile(path: "DICOM/P0000001/I0000001", content: .file(src)),
                    ], to: iso, options: o)
                let r = try ArchiveReader(path: iso)
                let entries = try r.entries()
                let files = entries.filter { !$0.isDirectory }.map(\.path).sorted()
                XCTAssertEqual(files, ["DICOM/P0000001/I0000001", "DICOMDIR"], "\(engine) rr=\(rr)")
                XCTAssertEqual(try r.read("DICOMDIR"), [1, 2, 3])
                XCTAssertEqual(try r.read("DICOM/P0000001/I0000001"), payload)
                XCTAssertEqual(r.lookup("dicom/p0000001/i0000001", in: entries)?.size, 100_000)
                // Volume identifier at offset 40 of the Primary Volume Descriptor (sector 16), ECMA-119 8.4.6.
                let bytes = try Data(contentsOf: URL(fileURLWithPath: iso))
                XCTAssertEqual(String(decoding: bytes[(16 * 2048 + 40)..<(16 * 2048 + 48)], as: UTF8.self), "TEST_VOL")
            }
        }
    }

    func testNotAnImage() throws {
        let p = NSTemporaryDirectory() + "notiso-\(getpid()).iso"
        _ = FileManager.default.createFile(atPath: p, contents: Data("hello, not an image".utf8))
        defer { unlink(p) }
        XCTAssertThrowsError(try ArchiveReader(path: p))
    }
}
