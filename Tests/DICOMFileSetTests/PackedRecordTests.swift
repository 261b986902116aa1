import DICOMCore
import DICOMFileSet
import DICOMIO
import Foundation
import XCTest

/// Directory records held packed (their keys as one Explicit VR Little Endian buffer) read, change and
/// write exactly as unpacked ones.
final class PackedRecordTests: XCTestCase {
    func image(_ n: Int, name: String = "Müller^Jörg") -> DirectoryRecord {
        var keys = DataSet()
        keys.characterSet = SpecificCharacterSet(terms: ["ISO_IR 192"])
        keys.setString(.specificCharacterSet, .CS, "ISO_IR 192")
        keys.setString(.referencedFileID, .CS, ["IMG", "I\(n)"])
        keys.setString(.referencedSOPClassUIDInFile, .UI, "1.2.840.10008.5.1.4.1.1.2")
        keys.setString(.referencedSOPInstanceUIDInFile, .UI, "1.2.3.\(n)")  // odd and even lengths
        keys.setString(.referencedTransferSyntaxUIDInFile, .UI, "1.2.840.10008.1.2.1")
        keys.setString(.imageType, .CS, ["ORIGINAL", "PRIMARY"])
        keys.setString(.instanceNumber, .IS, "\(n)")
        keys.setString(.imageComments, .LT, name)
        return DirectoryRecord(type: .image, keys: keys)
    }

    func testPackedRecordReadsAsUnpacked() throws {
        for n in [1, 12, 123] {
            let plain = image(n)
            var packed = plain
            XCTAssertTrue(packed.pack())
            XCTAssertFalse(packed.packed.isEmpty)
            XCTAssertTrue(packed.keys.isEmpty == false)
            XCTAssertEqual(packed.type, .image)
            XCTAssertEqual(packed.referencedFileID, FileID(["IMG", "I\(n)"]))
            XCTAssertEqual(packed.referencedSOPInstanceUID, "1.2.3.\(n)")
            XCTAssertEqual(packed.referencedSOPClassUID, plain.referencedSOPClassUID)
            XCTAssertEqual(packed.referencedTransferSyntaxUID, plain.referencedTransferSyntaxUID)
            XCTAssertEqual(packed.keys.text(.imageComments), "Müller^Jörg")
            XCTAssertEqual(packed.keys.characterSet, plain.keys.characterSet)
            for e in plain.keys {
                XCTAssertEqual(packed.keys.string(e.tag), plain.keys.string(e.tag), "\(e.tag)")
            }
            XCTAssertEqual(packed, packed)
            XCTAssertEqual(packed.value(.instanceNumber).map { String(decoding: $0, as: UTF8.self).trimmingCharacters(in: .whitespaces) }, "\(n)")
            XCTAssertNil(packed.value(.patientName))
        }
    }

    func testChangingAPackedRecordUnpacksIt() {
        var r = image(7)
        r.pack()
        r.keys.setString(.instanceNumber, .IS, "99")
        XCTAssertTrue(r.packed.isEmpty)
        XCTAssertEqual(r.keys.string(.instanceNumber), "99")
        XCTAssertEqual(r.referencedSOPInstanceUID, "1.2.3.7")
        r.pack()
        r.type = .rtDose
        XCTAssertEqual(r.type, .rtDose)
        XCTAssertEqual(r.keys.string(.instanceNumber), "99")
    }

    func testARecordIsFourWordsAndAChangeLeavesCopiesAlone() {
        // Keys packed or decoded behind one reference: a tree of 100,000 records holds 32 bytes of each beside its keys.
        XCTAssertEqual(MemoryLayout<DirectoryRecord>.stride, 32)
        var r = image(3)
        r.keys.setString(.instanceNumber, .IS, "5")  // decoded keys, changed in place
        let copy = r
        r.keys.setString(.instanceNumber, .IS, "6")
        XCTAssertEqual(copy.keys.string(.instanceNumber), "5", "a copy keeps its keys")
        XCTAssertEqual(r.keys.string(.instanceNumber), "6")
        var packed = copy
        packed.pack()
        var changed = packed
        changed.keys.remove(.instanceNumber)
        XCTAssertEqual(packed.keys.string(.instanceNumber), "5")
        XCTAssertFalse(packed.packed.isEmpty)
        XCTAssertNil(changed.keys[.instanceNumber])
        XCTAssertTrue(changed.packed.isEmpty)
    }

    func testWhatCannotRoundTripIsNotPacked() {
        var withSequence = image(1)
        withSequence.keys.setSequence(.iconImageSequence, [DataSet()])
        XCTAssertFalse(withSequence.pack())
        XCTAssertTrue(withSequence.packed.isEmpty)
        XCTAssertNotNil(withSequence.keys[.iconImageSequence])

        var withOffset = image(2)
        withOffset.keys.setUInt32(.offsetOfTheNextDirectoryRecord, [0])
        XCTAssertFalse(withOffset.pack())

        var withGroupLength = image(3)
        withGroupLength.keys.set(DataElement(tag: Tag(0x0008, 0x0000), vr: .UL, bytes: [0, 0, 0, 0]))
        XCTAssertFalse(withGroupLength.pack())

        // A character set the record's own (0008,0005) does not give.
        var keys = image(4).keys
        keys.remove(.specificCharacterSet)
        var noTerm = DirectoryRecord(type: .image, keys: keys)
        noTerm.keys.characterSet = image(4).keys.characterSet
        XCTAssertFalse(noTerm.pack())
        // A (0008,0005) that does not give the data set's character set.
        var otherTerm = image(4)
        otherTerm.keys.setString(.specificCharacterSet, .CS, "ISO_IR 100")
        XCTAssertFalse(otherTerm.pack())

        var long = image(5)
        long.keys.set(DataElement(tag: .imageComments, vr: .LT, bytes: [UInt8](repeating: 0x41, count: 0x10000)))
        XCTAssertFalse(long.pack())

        // An odd-length value (as read from a damaged DICOMDIR) would come back padded: found by fuzz-dicomdir.
        var odd = image(6)
        odd.keys.set(DataElement(tag: .photometricInterpretation, vr: .CS, bytes: Array("RGB".utf8)))
        XCTAssertFalse(odd.pack())
        XCTAssertEqual(odd.keys[.photometricInterpretation]?.bytes, Array("RGB".utf8))
    }

    func testDICOMDIROfPackedRecordsIsTheSameBytes() throws {
        func tree(packed: Bool) -> FileSet {
            var series = DirectoryRecord(type: .series, keys: DataSet())
            series.keys.setString(.seriesInstanceUID, .UI, "1.2.3.4.5")
            series.children = (0..<5).map { n in
                var r = image(n)
                if packed { r.pack() }
                return r
            }
            var withIcon = image(9)
            withIcon.keys.setSequence(.iconImageSequence, [DataSet()])
            series.children.append(withIcon)  // unpacked among packed ones
            if packed { series.pack() }
            var fs = FileSet(fileSetID: "PACKED", fileSetUID: "1.2.3.99", records: [])
            fs.records = [series]
            return fs
        }
        let a = try DICOMDIRWriter.encode(tree(packed: false))
        let b = try DICOMDIRWriter.encode(tree(packed: true))
        XCTAssertEqual(a.count, b.count)
        XCTAssertEqual(a, b)
        let read = DICOMDIRReader.read(try Part10Reader.read(bytes: b))
        XCTAssertEqual(read.recordCount, 7)
        XCTAssertEqual(read.records[0].children.map(\.referencedSOPInstanceUID), (0..<5).map { "1.2.3.\($0)" } + ["1.2.3.9"])
    }

    func testElementStreamWalkStopsAtDamage() {
        var ds = DataSet()
        ds.setString(.directoryRecordType, .CS, "IMAGE")
        ds.setString(.patientID, .LO, "ID1")
        let bytes = ElementStream.encode(ds)
        XCTAssertEqual(ElementStream.value(.patientID, in: bytes).map(Array.init), Array("ID1 ".utf8))
        XCTAssertEqual(ElementStream.offset(before: .offsetOfTheNextDirectoryRecord, in: bytes), 0)
        XCTAssertEqual(ElementStream.offset(before: .patientName, in: bytes), 14)
        XCTAssertEqual(ElementStream.offset(before: .patientBirthDate, in: bytes), bytes.count)
        XCTAssertEqual(ElementStream.tags(in: bytes), [.directoryRecordType, .patientID])
        for cut in 0..<bytes.count {
            let part = Array(bytes[..<cut])
            XCTAssertNil(ElementStream.value(.patientID, in: part), "cut at \(cut)")
            XCTAssertEqual(ElementStream.tags(in: part), cut < 14 ? [] : [.directoryRecordType], "cut at \(cut)")
            _ = ElementStream.offset(before: .patientID, in: part)
        }
        var long = bytes
        long[6] = 0xFF; long[7] = 0xFF  // a length past the end
        XCTAssertNil(ElementStream.value(.patientID, in: long))
        XCTAssertEqual(try ElementStream.decode(bytes), ds)
    }
}
