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
                XCTAssertTrue(entries.allSatisfy { $0.headerOffset == nil }, "an ISO image's entries are not read by offset")
                // Volume identifier at offset 40 of the Primary Volume Descriptor (sector 16), ECMA-119 8.4.6.
                let bytes = try Data(contentsOf: URL(fileURLWithPath: iso))
                XCTAssertEqual(String(decoding: bytes[(16 * 2048 + 40)..<(16 * 2048 + 48)], as: UTF8.self), "TEST_VOL")
            }
        }
    }

    /// Every entry of a tar (GNU, pax, ustar) or ZIP (deflated, stored) archive reads from its header offset as from a
    /// pass over the archive; a compressed tar has no offsets (read by a pass), and an offset of another entry reads nothing.
    func testEntriesReadFromTheirHeaderOffset() throws {
        // bsdtar comes with libarchive-tools (scripts/setup.sh): without it this check cannot run, which is a failure, not a pass.
        guard FileManager.default.isExecutableFile(atPath: "/usr/bin/bsdtar") else {
            return XCTFail("bsdtar (libarchive-tools, installed by scripts/setup.sh) is missing: archives cannot be made to read back")
        }
        let dir = NSTemporaryDirectory() + "archive-offsets-\(getpid())"
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let src = dir + "/src"
        let long = "DICOM/" + String(repeating: "LONGNAME", count: 16) + "/I0000001"  // past ustar's 100-byte name: a long-name header first
        var contents: [String: [UInt8]] = [
            "DICOMDIR": Array("dicomdir".utf8), "DICOM/EMPTY": [], long: (0..<70_000).map { UInt8(truncatingIfNeeded: $0 &* 13) },
        ]
        for i in 0..<20 { contents["DICOM/P\(i)/I\(i)"] = (0..<(i * 997)).map { UInt8(truncatingIfNeeded: $0 &+ i) } }
        for (path, bytes) in contents {
            try FileManager.default.createDirectory(atPath: src + "/" + (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
            XCTAssertTrue(FileManager.default.createFile(atPath: src + "/" + path, contents: Data(bytes)))
        }
        let kinds: [(String, [String], Bool)] = [
            ("gnu.tar", ["--format", "gnutar"], true), ("pax.tar", ["--format", "pax"], true), ("ustar.tar", ["--format", "ustar"], false),
            ("deflate.zip", ["--format", "zip"], true), ("store.zip", ["--format", "zip", "--options", "zip:compression=store"], true),
            ("gzip.tar", ["-z", "--format", "pax"], false),
        ]
        for (name, flags, offsets) in kinds {
            let archive = dir + "/" + name
            let p = Process()
            p.executableURL = URL(fileURLWithPath: "/usr/bin/bsdtar")
            p.arguments = flags + ["-cf", archive, "-C", src] + contents.keys.sorted().filter { name != "ustar.tar" || $0 != long }
            try p.run(); p.waitUntilExit()
            XCTAssertEqual(p.terminationStatus, 0, name)
            let r = try ArchiveReader(path: archive)
            let files = try r.entries().filter { !$0.isDirectory }
            XCTAssertEqual(Set(files.map(\.path)), Set(contents.keys.filter { name != "ustar.tar" || $0 != long }), name)
            for e in files {
                XCTAssertEqual(try r.read(e.path), contents[e.path], "\(name): \(e.path)")
                if name == "gzip.tar" { XCTAssertNil(e.headerOffset, "\(name): no file offsets under a compression filter"); continue }
                if offsets || name.hasSuffix(".tar") {
                    guard let at = e.headerOffset else { XCTFail("\(name): \(e.path) has no header offset"); continue }
                    XCTAssertEqual(r.read(e.path, at: at), contents[e.path], "\(name): \(e.path) read from its offset")
                }
            }
            // What lies at an offset must be the entry asked for.
            if let a = files.first(where: { $0.path == "DICOMDIR" }), let b = files.first(where: { $0.path == "DICOM/P3/I3" }), let at = b.headerOffset {
                XCTAssertNil(r.read(a.path, at: at), name)
                XCTAssertNil(r.read(a.path, at: at + 1), name)
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
