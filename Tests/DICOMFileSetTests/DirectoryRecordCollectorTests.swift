import DICOMCore
@testable import DICOMFileSet
import DICOMIO
import TestSupport
import XCTest

/// A DICOMDIR read with a ``DirectoryRecordCollector`` (each record made and packed as its item is parsed) gives
/// the same File-set as the whole read: records, links, orphans, problems and the DICOMDIR written from it.
final class DirectoryRecordCollectorTests: XCTestCase {
    /// Reads `bytes` both ways and checks they agree; the collected File-set.
    @discardableResult
    func readBothWays(_ bytes: [UInt8], _ options: ReadOptions = ReadOptions(), file: StaticString = #filePath, line: UInt = #line) throws -> FileSet {
        let whole = DICOMDIRReader.read(try Part10Reader.read(bytes: bytes, path: "DICOMDIR", options: options))
        let collector = DirectoryRecordCollector()
        let parsed = try Part10Reader.read(bytes: bytes, path: "DICOMDIR", options: collector.reading(options))
        let collected = DICOMDIRReader.read(parsed, collected: collector)
        func all(_ fs: FileSet) -> [DirectoryRecord] { fs.allRecords(includingOrphans: true).map(\.0) }
        XCTAssertEqual(all(collected).map(\.keys), all(whole).map(\.keys), file: file, line: line)
        XCTAssertEqual(all(collected).map(\.offset), all(whole).map(\.offset), file: file, line: line)
        XCTAssertEqual(all(collected).map(\.inUse), all(whole).map(\.inUse), file: file, line: line)
        XCTAssertEqual(collected.records.count, whole.records.count, file: file, line: line)
        XCTAssertEqual(collected.orphans.count, whole.orphans.count, file: file, line: line)
        XCTAssertEqual(collected.inactive.count, whole.inactive.count, file: file, line: line)
        XCTAssertEqual(collected.problems.map(\.message), whole.problems.map(\.message), file: file, line: line)
        if !whole.fileSetUID.isEmpty, whole.inactive.isEmpty {
            XCTAssertEqual(try DICOMDIRWriter.encode(collected), try DICOMDIRWriter.encode(whole), file: file, line: line)
        }
        return collected
    }

    func testCorpusDICOMDIRsReadTheSameCollected() throws {
        let dicomdirs = try Corpus.manifest().filter { $0.content.contains("Media Storage Directory Storage") }.map(\.path)
        XCTAssertGreaterThanOrEqual(dicomdirs.count, 5)
        var packed = 0
        for path in dicomdirs {
            let bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: try Corpus.path(path))))
            let fs = try readBothWays(bytes)
            packed += fs.allRecords().filter { !$0.record.packed.isEmpty }.count
            // Only the file references, as an import reads them: every record packed, whatever the character set.
            var references = ReadOptions()
            references.itemElements = (.directoryRecordSequence, DICOMDIRReader.linkTags.union([.directoryRecordType, .referencedFileID]))
            let slim = try readBothWays(bytes, references)
            XCTAssertTrue(slim.allRecords().allSatisfy { !$0.record.packed.isEmpty }, path)
        }
        XCTAssertGreaterThan(packed, 0, "records without icons or a foreign character set are held packed")
    }

    func testDamagedLinksReadTheSameCollected() throws {
        let fs = FileSet(fileSetID: "T", records: [DICOMDIRDamageTests.patient("A", images: 2), DICOMDIRDamageTests.patient("BB", images: 3)])
        let clean = try DICOMDIRWriter.encode(fs)
        let tag: [UInt8] = [0x04, 0x00, 0x00, 0x12, 0x55, 0x4C, 0x04, 0x00]
        let starts: Range<Int> = 0..<(clean.count - 8)
        let found = starts.first { (i: Int) -> Bool in Array(clean[i..<i + 8]) == tag }
        let at = try XCTUnwrap(found) + 8
        let read = DICOMDIRReader.read(try Part10Reader.read(bytes: clean, path: "DICOMDIR"))
        try readBothWays(clean)
        // The first root offset pointing at the second patient (an orphan), off by 3 (links followed), or 0 (order).
        let second = UInt32(read.records[1].offset)
        for value in [second, second &+ 3, 0] {
            var b = clean
            for i in 0..<4 { b[at + i] = UInt8(value >> (8 * UInt32(i)) & 0xFF) }
            let got = try readBothWays(b)
            XCTAssertFalse(got.problems.isEmpty)
        }
        // The root offset and every record's links zeroed: the tree rebuilt from record order.
        var b = clean
        for i in 0..<4 { b[at + i] = 0 }
        for t: [UInt8] in [[0x04, 0x00, 0x00, 0x14, 0x55, 0x4C, 0x04, 0x00], [0x04, 0x00, 0x20, 0x14, 0x55, 0x4C, 0x04, 0x00]] {
            var i = 0
            while i + 12 <= b.count {
                if Array(b[i..<i + 8]) == t { for k in 0..<4 { b[i + 8 + k] = 0 } }
                i += 1
            }
        }
        let rebuilt = try readBothWays(b)
        XCTAssertEqual(rebuilt.allRecords().count, 2 * 3 + 5)
        XCTAssertTrue(rebuilt.problems.contains { $0.message.contains("tree rebuilt from record order") })
    }

    /// The sink takes the items of the top-level Directory Record Sequence only: a record sequence nested in an
    /// item stays where it is, and the whole sequence is left empty in the data set.
    func testOnlyTopLevelItemsAreCollected() throws {
        var inner = DataSet()
        inner.setString(.directoryRecordType, .CS, "PRIVATE")
        var record = DirectoryRecord(type: .patient)
        record.keys.setString(.patientID, .LO, "P")
        record.keys.set(DataElement(tag: .directoryRecordSequence, vr: .SQ, value: .sequence([inner])))
        let bytes = try DICOMDIRWriter.encode(FileSet(fileSetID: "N", records: [record]))
        let collector = DirectoryRecordCollector()
        let parsed = try Part10Reader.read(bytes: bytes, path: "DICOMDIR", options: collector.reading(ReadOptions()))
        guard case .sequence(let items)? = parsed.dataSet[.directoryRecordSequence]?.value else { return XCTFail("no record sequence") }
        XCTAssertTrue(items.isEmpty)
        let fs = DICOMDIRReader.read(parsed, collected: collector)
        XCTAssertEqual(fs.records.count, 1)
        guard case .sequence(let nested)? = fs.records.first?.keys[.directoryRecordSequence]?.value else { return XCTFail("nested sequence lost") }
        XCTAssertEqual(nested.first?.string(.directoryRecordType), "PRIVATE")
        XCTAssertTrue(fs.records[0].packed.isEmpty, "a record with a sequence stays unpacked")
        try readBothWays(bytes)
    }
    /// A hostile DICOMDIR with two Directory Record Sequences: the whole read keeps the last one (PS3.5 §7.1
    /// allows only one), and so does the collector, which drops the items it took from the first.
    func testDuplicateRecordSequenceKeepsTheLastCollected() throws {
        func sequenceStart(_ b: [UInt8]) throws -> Int {
            let tag: [UInt8] = [0x04, 0x00, 0x20, 0x12]
            return try XCTUnwrap((0..<(b.count - 4)).first { Array(b[$0..<$0 + 4]) == tag })
        }
        let first = try DICOMDIRWriter.encode(FileSet(fileSetID: "A", records: [DICOMDIRDamageTests.patient("A", images: 2)]))
        let second = try DICOMDIRWriter.encode(FileSet(fileSetID: "B", records: [DICOMDIRDamageTests.patient("BB", images: 3)]))
        let bytes = first + second[try sequenceStart(second)...]
        let fs = try readBothWays(bytes)
        XCTAssertTrue(fs.problems.contains { $0.message.contains("appears twice") })
        let ids = fs.allRecords(includingOrphans: true).compactMap { $0.0.keys.string(.patientID) }
        XCTAssertEqual(ids, ["BB"], "only the last sequence's patient")
        // The same with the second copy first: the sink starts again at each one.
        let swapped = second + first[try sequenceStart(first)...]
        let other = try readBothWays(swapped)
        XCTAssertEqual(other.allRecords(includingOrphans: true).compactMap { $0.0.keys.string(.patientID) }, ["A"])
    }
}
