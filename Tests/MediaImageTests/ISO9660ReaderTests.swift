import Foundation
import XCTest
@testable import MediaImage

/// Builds small ISO 9660 images block by block (ECMA-119): a primary volume descriptor at block 16,
/// the terminator at 17, the root directory at `rootBlock`; directories and data where the test says.
struct ISOBuilder {
    var blocks: [Int: [UInt8]] = [:]
    var volumeBlocks: Int
    var rootBlock = 18, rootLength = 2048
    var joliet: (block: Int, length: Int)?

    init(volumeBlocks: Int = 40) { self.volumeBlocks = volumeBlocks }

    static func record(_ name: [UInt8], extent: Int, length: Int, flags: UInt8 = 0, systemUse: [UInt8] = []) -> [UInt8] {
        var r = [UInt8](repeating: 0, count: 33)
        r[2...5] = le32(extent)[...]; r[6...9] = be32(extent)[...]
        r[10...13] = le32(length)[...]; r[14...17] = be32(length)[...]
        r[25] = flags; r[28] = 1; r[31] = 1
        r[32] = UInt8(name.count)
        r += name
        if name.count % 2 == 0 { r.append(0) }
        r += systemUse
        if r.count % 2 == 1 { r.append(0) }
        r[0] = UInt8(r.count)
        return r
    }
    static func record(_ name: String, extent: Int, length: Int, flags: UInt8 = 0, systemUse: [UInt8] = []) -> [UInt8] {
        record(Array(name.utf8), extent: extent, length: length, flags: flags, systemUse: systemUse)
    }
    static func le32(_ v: Int) -> [UInt8] { [UInt8(v & 255), UInt8(v >> 8 & 255), UInt8(v >> 16 & 255), UInt8(v >> 24 & 255)] }
    static func be32(_ v: Int) -> [UInt8] { le32(v).reversed() }
    /// A SUSP entry (IEEE P1281 4.1).
    static func susp(_ sig: String, _ body: [UInt8]) -> [UInt8] { Array(sig.utf8) + [UInt8(4 + body.count), 1] + body }

    /// A directory's records ("." and ".." first), packed into blocks without crossing a block boundary.
    mutating func directory(at block: Int, parent: Int, _ entries: [[UInt8]], dotSystemUse: [UInt8] = [], blocks count: Int = 1) {
        var data: [UInt8] = []
        func put(_ r: [UInt8]) {
            if data.count / 2048 != (data.count + r.count - 1) / 2048 { data += [UInt8](repeating: 0, count: 2048 - data.count % 2048) }
            data += r
        }
        put(Self.record([0], extent: block, length: count * 2048, flags: 2, systemUse: dotSystemUse))
        put(Self.record([1], extent: parent, length: 2048, flags: 2))
        for e in entries { put(e) }
        data += [UInt8](repeating: 0, count: count * 2048 - data.count)
        for i in 0..<count { blocks[block + i] = Array(data[(i * 2048)..<((i + 1) * 2048)]) }
    }

    func bytes(cutAt: Int? = nil) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: volumeBlocks * 2048)
        var pvd = [UInt8](repeating: 0, count: 2048)
        pvd[0] = 1; pvd[1...5] = Array("CD001".utf8)[...]; pvd[6] = 1
        pvd[40..<48] = Array("TEST_VOL".utf8)[...]
        pvd[80...83] = Self.le32(volumeBlocks)[...]
        pvd[128] = 0; pvd[129] = 8  // 2048, little endian
        let root = Self.record([0], extent: rootBlock, length: rootLength, flags: 2)
        pvd[156..<(156 + root.count)] = root[...]
        out[(16 * 2048)..<(17 * 2048)] = pvd[...]
        if let j = joliet {
            var svd = pvd
            svd[0] = 2; svd[88] = 0x25; svd[89] = 0x2F; svd[90] = 0x45
            let jr = Self.record([0], extent: j.block, length: j.length, flags: 2)
            svd[156..<(156 + jr.count)] = jr[...]
            out[(17 * 2048)..<(18 * 2048)] = svd[...]
            out[18 * 2048] = 255; out[(18 * 2048 + 1)...(18 * 2048 + 5)] = Array("CD001".utf8)[...]
        } else {
            out[17 * 2048] = 255; out[(17 * 2048 + 1)...(17 * 2048 + 5)] = Array("CD001".utf8)[...]
        }
        for (b, d) in blocks { out[(b * 2048)..<(b * 2048 + d.count)] = d[...] }
        return cutAt.map { Array(out.prefix($0)) } ?? out
    }
}

final class ISO9660ReaderTests: XCTestCase {
    func block(_ fill: UInt8) -> [UInt8] { [UInt8](repeating: fill, count: 2048) }

    func testLevel1NamesAndData() throws {
        var b = ISOBuilder()
        b.directory(
            at: 18, parent: 18, [ISOBuilder.record("DICOMDIR.;1", extent: 30, length: 5), ISOBuilder.record("DICOM", extent: 19, length: 2048, flags: 2)])
        b.directory(at: 19, parent: 18, [ISOBuilder.record("I0000001.;1", extent: 31, length: 3000)])
        b.blocks[30] = Array("hello".utf8); b.blocks[31] = block(7) + block(8)
        let r = try ISO9660Reader(bytes: b.bytes())
        XCTAssertEqual(r.naming, "iso9660")
        XCTAssertEqual(r.volumeID, "TEST_VOL")
        XCTAssertEqual(r.files.map(\.path), ["DICOMDIR", "DICOM/I0000001"])
        XCTAssertEqual(try r.read(r.files[0]), Array("hello".utf8))
        XCTAssertEqual(try r.read(r.files[1]), block(7) + [UInt8](repeating: 8, count: 952))
        XCTAssertEqual(try r.readPrefix(r.files[1], count: 10), [UInt8](repeating: 7, count: 10))
        XCTAssertNil(r.truncatedAt)
        XCTAssertEqual(r.skipped, [])
    }

    /// Records never cross a block boundary: the rest of a block is zero padding (ECMA-119 6.8.1.1).
    func testDirectoryAcrossBlocksAndMultiExtent() throws {
        var b = ISOBuilder()
        var entries: [[UInt8]] = []
        for i in 0..<60 { entries.append(ISOBuilder.record(String(format: "FILE%04d.;1", i), extent: 30, length: 1)) }
        // A multi-extent file: two records of one name, the first flagged (ECMA-119 6.5.1, 9.1.6 bit 7).
        entries.append(ISOBuilder.record("ZBIG.;1", extent: 31, length: 2048, flags: 0x80))
        entries.append(ISOBuilder.record("ZBIG.;1", extent: 33, length: 100))
        b.directory(at: 18, parent: 18, entries, blocks: 3)
        b.rootLength = 3 * 2048
        b.blocks[30] = [42]; b.blocks[31] = block(1); b.blocks[33] = block(3)
        let r = try ISO9660Reader(bytes: b.bytes())
        XCTAssertEqual(r.files.count, 61)
        XCTAssertEqual(r.files.last?.path, "ZBIG")
        XCTAssertEqual(r.files.last?.size, 2148)
        XCTAssertEqual(try r.read(r.files.last!), block(1) + [UInt8](repeating: 3, count: 100))
    }

    func testTruncatedImageListsWhatIsInside() throws {
        var b = ISOBuilder()
        b.directory(
            at: 18, parent: 18,
            [
                ISOBuilder.record("A.;1", extent: 20, length: 10), ISOBuilder.record("B.;1", extent: 35, length: 10),
                ISOBuilder.record("SUB", extent: 36, length: 2048, flags: 2),
            ])
        b.blocks[20] = Array(repeating: 9, count: 10)
        let cut = 30 * 2048 + 17
        let r = try ISO9660Reader(bytes: b.bytes(cutAt: cut))
        XCTAssertEqual(r.files.map(\.path), ["A"])
        XCTAssertEqual(r.truncatedAt, Int64(cut))
        XCTAssertEqual(r.skipped.map(\.path), ["B", "SUB"])
        XCTAssertTrue(r.skipped.allSatisfy(\.beyondEnd))
        XCTAssertTrue(r.skipped[0].reason.contains("\(35 * 2048 + 10)"))
        // The volume descriptors themselves cut off: not an image.
        XCTAssertThrowsError(try ISO9660Reader(bytes: b.bytes(cutAt: 16 * 2048 + 100)))
    }

    func testHostileTreesAreBoundedAndRefused() throws {
        var b = ISOBuilder()
        b.directory(
            at: 18, parent: 18,
            [
                ISOBuilder.record("LOOP", extent: 18, length: 2048, flags: 2),  // the root again
                ISOBuilder.record("HUGE.;1", extent: 20, length: Int(UInt32.max)),  // absurd size
                ISOBuilder.record("FAR.;1", extent: 0x7FFF_FFFF, length: 10),  // extent far beyond
                ISOBuilder.record("SELF", extent: 19, length: 2048, flags: 2),
            ])
        b.directory(at: 19, parent: 18, [ISOBuilder.record("SELF", extent: 19, length: 2048, flags: 2)])
        let r = try ISO9660Reader(bytes: b.bytes())
        XCTAssertEqual(r.files, [])
        XCTAssertEqual(Set(r.skipped.map(\.path)), ["LOOP", "HUGE", "FAR", "SELF/SELF"])
        XCTAssertTrue(r.skipped.first { $0.path == "LOOP" }!.reason.contains("loop"))
    }

    /// Many directories sharing one large extent cannot make the reader do quadratic work.
    func testOverlappingDirectoriesRefused() throws {
        var b = ISOBuilder(volumeBlocks: 200)
        var entries: [[UInt8]] = []
        for i in 0..<50 { entries.append(ISOBuilder.record(String(format: "D%03d", i), extent: 19 + i, length: 100 * 2048, flags: 2)) }
        b.directory(at: 18, parent: 18, entries)
        let r = try ISO9660Reader(bytes: b.bytes())
        XCTAssertEqual(r.files, [])
        XCTAssertEqual(r.skipped.count, 49)  // the root takes 1 block of the budget, D000 half the image
        XCTAssertTrue(r.skipped.allSatisfy { $0.reason.contains("more bytes than the image holds") && !$0.beyondEnd }, "\(r.skipped.first!)")
    }

    func testRockRidgeNamesLinksAndUnsafeNames() throws {
        var b = ISOBuilder()
        let sp = ISOBuilder.susp("SP", [0xBE, 0xEF, 0])
        func nm(_ s: String) -> [UInt8] { ISOBuilder.susp("NM", [0] + Array(s.utf8)) }
        let px = ISOBuilder.susp("PX", ISOBuilder.le32(0o100644) + ISOBuilder.be32(0o100644) + [UInt8](repeating: 0, count: 24))
        b.directory(
            at: 18, parent: 18,
            [
                ISOBuilder.record("DICOMDIR.;1", extent: 30, length: 3, systemUse: nm("DICOMDIR") + px),
                ISOBuilder.record("README.TXT;1", extent: 30, length: 3, systemUse: nm("ReadMe.txt")),
                ISOBuilder.record("LINK.;1", extent: 0, length: 0, systemUse: nm("link") + ISOBuilder.susp("SL", [0, 0, 2, 0])),
                ISOBuilder.record("DOTDOT.;1", extent: 30, length: 3, systemUse: nm("..")),
                ISOBuilder.record("SLASH.;1", extent: 30, length: 3, systemUse: nm("a/b")),
                ISOBuilder.record("NUL.;1", extent: 30, length: 3, systemUse: nm("a\0b")),
            ], dotSystemUse: sp)
        b.blocks[30] = [1, 2, 3]
        let r = try ISO9660Reader(bytes: b.bytes())
        XCTAssertEqual(r.naming, "rock-ridge")
        XCTAssertEqual(r.files.map(\.path), ["DICOMDIR", "ReadMe.txt"])
        XCTAssertEqual(r.skipped.count, 4)
        XCTAssertTrue(r.skipped[0].reason.contains("symbolic link"))
        XCTAssertTrue(r.skipped.dropFirst().allSatisfy { $0.reason.contains("unsafe name") })
        XCTAssertFalse(r.skipped.contains { $0.beyondEnd })
    }

    func testJolietNames() throws {
        var b = ISOBuilder()
        b.directory(at: 18, parent: 18, [ISOBuilder.record("DICOMDIR.;1", extent: 30, length: 3)])
        let ucs2 = Array("Dicomdir;1".utf16).flatMap { [UInt8($0 >> 8), UInt8($0 & 255)] }
        b.directory(at: 19, parent: 19, [ISOBuilder.record(ucs2, extent: 30, length: 3)])
        b.joliet = (19, 2048)
        b.blocks[30] = [1, 2, 3]
        let r = try ISO9660Reader(bytes: b.bytes())
        XCTAssertEqual(r.naming, "joliet")
        XCTAssertEqual(r.files.map(\.path), ["Dicomdir"])
    }

    func testNotAnImage() {
        XCTAssertThrowsError(try ISO9660Reader(bytes: Array(repeating: 0, count: 40_000)))
        XCTAssertThrowsError(try ISO9660Reader(bytes: Array("hello".utf8)))
    }

    /// Images written by ISOWriter (libisofs and libarchive, with and without Rock Ridge) read back in place.
    func testReadsWhatISOWriterWrites() throws {
        let dir = NSTemporaryDirectory() + "iso9660test-\(getpid())"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let payload = (0..<100_000).map { UInt8(truncatingIfNeeded: $0 &* 7) }
        for engine in ISOWriteOptions.Engine.allCases {
            for rr in [true, false] {
                var o = ISOWriteOptions(volumeID: "TEST_VOL")
                o.engine = engine; o.rockRidge = rr
                let iso = dir + "/\(engine)-\(rr).iso"
                try ISOWriter.write(
                    files: [
                        ImageFile(path: "DICOMDIR", content: .bytes([1, 2, 3])),
                        ImageFile(path: "DICOM/P0000001/I0000001", content: .bytes(payload)),
                    ], to: iso, options: o)
                let r = try ISO9660Reader(path: iso)
                XCTAssertEqual(r.files.map(\.path).sorted(), ["DICOM/P0000001/I0000001", "DICOMDIR"], "\(engine) rr=\(rr)")
                XCTAssertEqual(try r.read(r.files.first { $0.path == "DICOMDIR" }!), [1, 2, 3])
                XCTAssertEqual(try r.read(r.files.first { $0.path != "DICOMDIR" }!), payload)
                XCTAssertEqual(r.volumeID, "TEST_VOL")
                XCTAssertEqual(r.skipped, [])
            }
        }
    }
}

import MediaKit

/// `ImageMedium` over the reader: the medium's files, reads by path, and one summary of a truncated image.
final class ImageMediumTests: XCTestCase {
    func testTruncatedImageMedium() throws {
        var b = ISOBuilder()
        b.directory(
            at: 18, parent: 18,
            [
                ISOBuilder.record("A.;1", extent: 20, length: 4), ISOBuilder.record("B.;1", extent: 35, length: 4),
                ISOBuilder.record("C.;1", extent: 36, length: 4),
            ])
        b.blocks[20] = [1, 2, 3, 4]
        let path = NSTemporaryDirectory() + "medium-\(getpid()).iso"
        let cut = 21 * 2048
        _ = FileManager.default.createFile(atPath: path, contents: Data(b.bytes(cutAt: cut)))
        defer { unlink(path) }
        let m = try ImageMedium(image: path)
        XCTAssertEqual(m.kind, "iso")
        XCTAssertEqual(try m.files().map(\.path), ["A"])
        XCTAssertEqual(try m.read("A"), [1, 2, 3, 4])
        XCTAssertEqual(try m.readPrefix("A", count: 2), [1, 2])
        XCTAssertThrowsError(try m.read("B"))
        XCTAssertThrowsError(try m.read("../A"))
        XCTAssertEqual(m.problems.first?.message, "image ends at byte \(cut); 2 entries beyond it not read")
        XCTAssertEqual(m.problems.dropFirst().map(\.code), [.imageEntryBeyondEnd, .imageEntryBeyondEnd])
        XCTAssertEqual(m.problems.dropFirst().compactMap(\.fileID), ["B", "C"])
    }
}
