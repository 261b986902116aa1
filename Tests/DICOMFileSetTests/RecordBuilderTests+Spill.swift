import DICOMCore
@testable import DICOMFileSet
import DICOMIO
import TestSupport
import XCTest

extension RecordBuilderTests {
    // MARK: - Records spilled to a file

    /// A new empty folder (TestSupport's, removed when the tests end).
    func spillFolder() throws -> String { try tempDir("record-spill").path }

    /// Records of different sizes kept and read back in every order: from the unwritten buffer, read alone, read
    /// ahead in order; a 256-byte chunk makes most of them go to the file.
    func testBytesReadBackAsKeptInAnyOrder() throws {
        let spill = RecordSpill(directory: try spillFolder(), chunk: 256)
        var kept: [(at: Int, bytes: [UInt8])] = []
        for i in 0..<400 {
            let bytes = (0..<(i % 37) * 2 + 2).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ i) }
            kept.append((try XCTUnwrap(spill.append(bytes)), bytes))
        }
        XCTAssertGreaterThan(spill.spilledBytes, 10_000, "the file holds most of them")
        for k in kept { XCTAssertEqual(spill.read(at: k.at, count: k.bytes.count), k.bytes) }  // in order: read ahead
        for k in kept.reversed() { XCTAssertEqual(spill.read(at: k.at, count: k.bytes.count), k.bytes) }  // each alone
        var rng = SystemRandomNumberGenerator()
        for k in kept.shuffled(using: &rng) { XCTAssertEqual(spill.read(at: k.at, count: k.bytes.count), k.bytes) }
        // The same few again and again (an insert's patient, study and series): kept, and still right after others.
        for _ in 0..<3 {
            for k in [kept[3], kept[150], kept[399], kept[3], kept[7], kept[150]] {
                XCTAssertEqual(spill.read(at: k.at, count: k.bytes.count), k.bytes)
            }
        }
    }

    /// A tree built with a spill gives the same DICOMDIR, index and problems as one held in memory; its records
    /// hold their keys in the file; a key filled in later and a duplicate are handled as without it.
    func testFileSetBuiltWithASpillIsTheSame() throws {
        let t = self
        func tree(spill: RecordSpill?) throws -> (FileSet, FileSetIndex, [InsertResult]) {
            var fs = FileSet(fileSetID: "S", fileSetUID: "1.2.4.0")
            fs.recordSpill = spill
            var index = FileSetIndex()
            var results: [InsertResult] = []
            var n = 0
            for p in ["A", "B", "C"] {
                for st in 1...3 {
                    for se in 1...3 {
                        for _ in 0..<40 {
                            n += 1
                            var h = t.header(patient: p, study: "1.2.4.\(p.utf8.first!).\(st)", series: "1.2.4.\(p.utf8.first!).\(st).\(se)")
                            if n % 50 == 0 { h.setString(.patientName, .PN, "Other^Name") }  // a conflict on a spilled PATIENT
                            results.append(fs.insert(try t.built(h, uid: "1.2.4.9.\(n)"), index: &index))
                        }
                    }
                }
            }
            // Duplicates: found by the UID the spilled record holds.
            for i in [1, 500, 1080] { results.append(fs.insert(try t.built(t.header(), uid: "1.2.4.9.\(i)", file: "X"), index: &index)) }
            return (fs, index, results)
        }
        let spill = RecordSpill(directory: try spillFolder(), chunk: 1024)
        let (spilled, spilledIndex, spilledResults) = try tree(spill: spill)
        let (held, _, heldResults) = try tree(spill: nil)
        XCTAssertGreaterThan(spill.spilledBytes, 100_000)
        let image = spilled.records[1].children[2].children[0].children[5]
        guard case .spilled = image.encodedKeys else { return XCTFail("an image record holds its keys in the spill") }
        guard case .spilled = spilled.records[2].children[0].encodedKeys else { return XCTFail("a study record too") }
        XCTAssertEqual(image.packedCount, image.packed.count)
        XCTAssertEqual(image.referencedSOPInstanceUID, held.records[1].children[2].children[0].children[5].referencedSOPInstanceUID)
        XCTAssertEqual(spilledResults, heldResults)
        XCTAssertEqual(spilledResults.suffix(3), [1, 500, 1080].map { .duplicate(existingFileID: FileID(["IMG", "I\($0)"])) })
        XCTAssertEqual(spilledIndex.fileID(forSOPInstanceUID: "1.2.4.9.777"), .some(FileID(["IMG", "I777"])))
        XCTAssertEqual(spilled.recordCount, 3 + 9 + 27 + 1080)
        XCTAssertEqual(try DICOMDIRWriter.encode(spilled), try DICOMDIRWriter.encode(held))
        XCTAssertEqual(spilled.records, held.records)

        // A spilled record changed: its keys come back from the file, changed in memory.
        var changed = spilled.records[0].children[0]
        changed.keys.setString(.studyID, .SH, "NEW")
        XCTAssertEqual(changed.keys.string(.studyID), "NEW")
        XCTAssertEqual(changed.keys.string(.studyInstanceUID), "1.2.4.65.1")
        XCTAssertEqual(spilled.records[0].children[0].keys.string(.studyID), "S1", "the tree's record is unchanged")
    }

    /// A spill whose file cannot be made (no such folder) keeps the records in memory: the same tree, nothing lost.
    func testASpillThatCannotBeWrittenKeepsTheRecords() throws {
        let t = self
        let spill = RecordSpill(directory: try spillFolder() + "/missing", chunk: 256)
        var fs = FileSet(fileSetID: "S", fileSetUID: "1.2.4.0")
        fs.recordSpill = spill
        var held = FileSet(fileSetID: "S", fileSetUID: "1.2.4.0")
        var index = FileSetIndex(), heldIndex = FileSetIndex()
        for i in 0..<200 {
            XCTAssertTrue(fs.insert(try t.built(t.header(), uid: "1.2.4.8.\(i)"), index: &index).isInserted)
            _ = held.insert(try t.built(t.header(), uid: "1.2.4.8.\(i)"), index: &heldIndex)
        }
        XCTAssertEqual(spill.spilledBytes, 0)
        XCTAssertEqual(try DICOMDIRWriter.encode(fs), try DICOMDIRWriter.encode(held))
        XCTAssertEqual(index.fileID(forSOPInstanceUID: "1.2.4.8.199"), .some(FileID(["IMG", "I199"])))

        // A folder that is a symbolic link (planted where the tool folder should be) is not followed.
        let elsewhere = try spillFolder(), link = try spillFolder() + "/link"
        try FileManager.default.createSymbolicLink(atPath: link, withDestinationPath: elsewhere)
        let linked = RecordSpill(directory: link, chunk: 16)
        let at = try XCTUnwrap(linked.append(Array(repeating: 7, count: 64)))
        XCTAssertNil(linked.append([1, 2]), "a spill that failed takes no more")
        XCTAssertEqual(linked.read(at: at, count: 64), Array(repeating: 7, count: 64), "what it took is still there")
        XCTAssertEqual(linked.spilledBytes, 0)
    }
}
