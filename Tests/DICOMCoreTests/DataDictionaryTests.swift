import Foundation
import XCTest
@testable import DICOMCore

/// Facts from PS3.6 (via pydicom 3.0.2), checked against the generated dictionary.
final class DataDictionaryTests: XCTestCase {
    func testPatientName() throws {
        let e = try XCTUnwrap(DataDictionary.entry(for: Tag(0x0010, 0x0010)))
        XCTAssertEqual(e.tag, Tag(0x0010, 0x0010))
        XCTAssertEqual(e.vrs, [.PN])
        XCTAssertEqual(e.vr, .PN)
        XCTAssertEqual(e.vm, "1")
        XCTAssertEqual(e.name, "Patient's Name")
        XCTAssertEqual(e.keyword, "PatientName")
        XCTAssertFalse(e.isRetired)
        XCTAssertEqual(DataDictionary.entry(forKeyword: "PatientName"), e)
        XCTAssertEqual(e.description, "(0010,0010) PN 1 Patient's Name [PatientName]")
    }

    func testMultipleVRs() throws {
        let pixelData = try XCTUnwrap(DataDictionary.entry(for: Tag(0x7FE0, 0x0010)))
        XCTAssertEqual(pixelData.vrs, [.OB, .OW])
        XCTAssertEqual(pixelData.vr, .OB)
        XCTAssertEqual(pixelData.keyword, "PixelData")
        let smallest = try XCTUnwrap(DataDictionary.entry(for: Tag(0x0028, 0x0106)))
        XCTAssertEqual(smallest.vrs, [.US, .SS])
        XCTAssertEqual(smallest.keyword, "SmallestImagePixelValue")
        // "US or OW": LUT Data (0028,3006); "US or SS or OW": Gray Lookup Table Data (0028,1200), retired.
        XCTAssertEqual(DataDictionary.entry(for: Tag(0x0028, 0x3006))?.vrs, [.US, .OW])
        let three = DataDictionary.allEntries.filter { $0.vrs.count == 3 }
        XCTAssertEqual(three.count, 1)
        XCTAssertEqual(three.first?.vrs, [.US, .SS, .OW])
    }

    func testItemTagsHaveNoVR() throws {
        for tag in [Tag.item, .itemDelimitationItem, .sequenceDelimitationItem] {
            let e = try XCTUnwrap(DataDictionary.entry(for: tag))
            XCTAssertEqual(e.vrs, [], "\(tag)")
            XCTAssertEqual(e.vr, .UN)
        }
        XCTAssertEqual(DataDictionary.entry(for: .item)?.keyword, "Item")
    }

    func testRepeatingGroups() throws {
        let overlay = try XCTUnwrap(DataDictionary.entry(for: Tag(0x6002, 0x3000)))
        XCTAssertEqual(overlay.keyword, "OverlayData")
        XCTAssertEqual(overlay.name, "Overlay Data")
        XCTAssertEqual(overlay.tag, Tag(0x6000, 0x3000))
        XCTAssertEqual(overlay.vrs, [.OB, .OW])
        XCTAssertEqual(DataDictionary.entry(for: Tag(0x6000, 0x3000)), overlay)
        XCTAssertEqual(DataDictionary.entry(for: Tag(0x601E, 0x0010))?.keyword, "OverlayRows")
        XCTAssertEqual(DataDictionary.entry(forKeyword: "OverlayData")?.tag, Tag(0x6000, 0x3000))
        // Curves (50xx), retired.
        let curve = try XCTUnwrap(DataDictionary.entry(for: Tag(0x5004, 0x3000)))
        XCTAssertEqual(curve.keyword, "CurveData")
        XCTAssertTrue(curve.isRetired)
        // Variable Pixel Data (7Fxx,0010), but (7FE0,0010) is Pixel Data.
        XCTAssertEqual(DataDictionary.entry(for: Tag(0x7F02, 0x0010))?.keyword, "VariablePixelData")
        XCTAssertEqual(DataDictionary.entry(for: Tag(0x7FE0, 0x0010))?.keyword, "PixelData")
        // (1000,xxx0) Escape Triplet, (1000,xxx5) Shift Table Triplet, (1010,xxxx) Zonal Map.
        XCTAssertEqual(DataDictionary.entry(for: Tag(0x1000, 0x0120))?.keyword, "EscapeTriplet")
        XCTAssertEqual(DataDictionary.entry(for: Tag(0x1000, 0x0125))?.keyword, "ShiftTableTriplet")
        XCTAssertEqual(DataDictionary.entry(for: Tag(0x1010, 0x1234))?.keyword, "ZonalMap")
        // (0020,31xx) Source Image IDs.
        XCTAssertEqual(DataDictionary.entry(for: Tag(0x0020, 0x3105))?.keyword, "SourceImageIDs")
        // An odd group is private, never a repeating group (6001 is not an overlay group).
        XCTAssertNil(DataDictionary.entry(for: Tag(0x6001, 0x3000)))
        XCTAssertEqual(DataDictionary.entry(for: Tag(0x6001, 0x0010))?.keyword, "PrivateCreator")
    }

    func testGenericEntries() throws {
        let creator = try XCTUnwrap(DataDictionary.entry(for: Tag(0x0009, 0x0010)))
        XCTAssertEqual(creator.vrs, [.LO])
        XCTAssertEqual(creator.vm, "1")
        XCTAssertEqual(creator.name, "Private Creator")
        XCTAssertEqual(creator.keyword, "PrivateCreator")
        XCTAssertEqual(creator.tag, Tag(0x0009, 0x0010))
        XCTAssertEqual(DataDictionary.entry(for: Tag(0x0029, 0x00FF))?.keyword, "PrivateCreator")
        XCTAssertNil(DataDictionary.entry(for: Tag(0x0011, 0x1001)))
        XCTAssertNil(DataDictionary.entry(for: Tag(0x0009, 0x0100)))
        XCTAssertNil(DataDictionary.entry(for: Tag(0x0009, 0x0005)))

        let length = try XCTUnwrap(DataDictionary.entry(for: Tag(0x0008, 0x0000)))
        XCTAssertEqual(length.vrs, [.UL])
        XCTAssertEqual(length.vm, "1")
        XCTAssertEqual(length.name, "Group Length")
        XCTAssertEqual(length.keyword, "GenericGroupLength")
        XCTAssertEqual(length.tag, Tag(0x0008, 0x0000))
        XCTAssertEqual(DataDictionary.entry(for: Tag(0x0009, 0x0000))?.keyword, "GenericGroupLength")
        // Group length wins over the (1010,xxxx) repeater: (gggg,0000) is always a group length.
        XCTAssertEqual(DataDictionary.entry(for: Tag(0x1010, 0x0000))?.keyword, "GenericGroupLength")
        // Named group lengths come from the table.
        XCTAssertEqual(DataDictionary.entry(for: Tag(0x0002, 0x0000))?.keyword, "FileMetaInformationGroupLength")
        XCTAssertEqual(DataDictionary.entry(for: Tag(0x0000, 0x0000))?.keyword, "CommandGroupLength")
        // Unknown standard tag.
        XCTAssertNil(DataDictionary.entry(for: Tag(0x0008, 0x0002)))
        XCTAssertNil(DataDictionary.entry(forKeyword: "NoSuchKeyword"))
        XCTAssertNil(DataDictionary.entry(forKeyword: ""))
    }

    func testRetired() {
        XCTAssertEqual(DataDictionary.entry(for: Tag(0x0008, 0x0010))?.keyword, "RecognitionCode")
        XCTAssertEqual(DataDictionary.entry(for: Tag(0x0008, 0x0010))?.isRetired, true)
        XCTAssertEqual(DataDictionary.entry(for: .sopClassUID)?.isRetired, false)
    }

    func testEveryEntry() {
        let all = DataDictionary.allEntries
        XCTAssertGreaterThan(all.count, 4000)
        XCTAssertLessThan(all.count, 10000)
        XCTAssertTrue(zip(all, all.dropFirst()).allSatisfy { $0.tag <= $1.tag }, "allEntries is not sorted by tag")
        let standard = Set(VR.allStandard)
        var withoutKeyword = 0
        var shadowed: [String] = []
        for e in all {
            for vr in e.vrs { XCTAssertTrue(standard.contains(vr), "\(e.tag) \(e.keyword): VR \(vr)") }
            if e.vrs.isEmpty { XCTAssertEqual(e.tag.group, 0xFFFE, "\(e.tag) \(e.keyword) has no VR") }
            XCTAssertFalse(e.vm.isEmpty, "\(e.tag)")
            XCTAssertFalse(e.tag.isPrivate, "\(e.tag)")
            guard !e.keyword.isEmpty else {
                withoutKeyword += 1
                XCTAssertTrue(e.isRetired, "\(e.tag) has no keyword but is not retired")
                continue
            }
            // Keyword lookup round-trips for every entry (repeating-group ones at their template tag).
            XCTAssertEqual(DataDictionary.entry(forKeyword: e.keyword), e, e.keyword)
            XCTAssertEqual(DataDictionary.entry(forKeyword: e.keyword)?.tag, e.tag, e.keyword)
            if DataDictionary.entry(for: e.tag) != e { shadowed.append(e.keyword) }
        }
        XCTAssertEqual(withoutKeyword, 6)
        // Only repeating-group entries whose template tag (x digits = 0) is another element's tag
        // or a group length: every other entry is found by its own tag.
        XCTAssertEqual(
            Set(shadowed),
            [
                "RowsForNthOrderCoefficients", "ColumnsForNthOrderCoefficients", "CoefficientCoding",
                "CoefficientCodingPointers", "EscapeTriplet", "ZonalMap",
            ])
        XCTAssertEqual(Set(all.map(\.keyword)).count, all.count - withoutKeyword + 1)
    }

    func testUIDs() {
        XCTAssertEqual(DataDictionary.uidName("1.2.840.10008.1.2.1"), "Explicit VR Little Endian")
        XCTAssertEqual(DataDictionary.uidKeyword("1.2.840.10008.1.2.1"), "ExplicitVRLittleEndian")
        XCTAssertEqual(
            DataDictionary.uidName("1.2.840.10008.1.2.4.70"),
            "JPEG Lossless, Non-Hierarchical, First-Order Prediction (Process 14 [Selection Value 1])")
        XCTAssertEqual(DataDictionary.uidKeyword("1.2.840.10008.1.2.4.70"), "JPEGLosslessSV1")
        XCTAssertEqual(DataDictionary.uidType("1.2.840.10008.1.2.4.70"), "Transfer Syntax")
        XCTAssertEqual(DataDictionary.uidName("1.2.840.10008.5.1.4.1.1.2"), "CT Image Storage")
        XCTAssertEqual(DataDictionary.uidKeyword("1.2.840.10008.5.1.4.1.1.2"), "CTImageStorage")
        XCTAssertEqual(DataDictionary.uidType("1.2.840.10008.5.1.4.1.1.2"), "SOP Class")
        XCTAssertEqual(DataDictionary.uidName(UID.mediaStorageDirectoryStorage), "Media Storage Directory Storage")
        XCTAssertEqual(DataDictionary.uidType("1.2.840.10008.1.2.2"), "Transfer Syntax")  // retired, still named
        XCTAssertNil(DataDictionary.uidName("1.2.3.4"))
        XCTAssertNil(DataDictionary.uidKeyword("1.2.3.4"))
        XCTAssertNil(DataDictionary.uidType("1.2.3.4"))
        XCTAssertNil(DataDictionary.uidName(""))
        // Retired UIDs that PS3.6 lists without a name.
        XCTAssertNil(DataDictionary.uidName("1.2.840.10008.5.1.4.1.1.40"))
        XCTAssertEqual(DataDictionary.uidType("1.2.840.10008.5.1.4.1.1.40"), "SOP Class")
    }

    func testTagConstants() {
        XCTAssertEqual(Tag.patientName, Tag(0x0010, 0x0010))
        XCTAssertEqual(Tag.sopClassUID, Tag(0x0008, 0x0016))
        XCTAssertEqual(Tag.rtPlanLabel, Tag(0x300A, 0x0002))
        XCTAssertEqual(Tag.xRayTubeCurrent, Tag(0x0018, 0x1151))
        XCTAssertEqual(Tag.kvp, Tag(0x0018, 0x0060))
        XCTAssertEqual(Tag.hl7InstanceIdentifier, Tag(0x0040, 0xE001))
        XCTAssertEqual(Tag.smallestImagePixelValue, Tag(0x0028, 0x0106))
        XCTAssertEqual(Tag.directoryRecordSequence, Tag(0x0004, 0x1220))
        XCTAssertEqual(Tag.referencedFileID, Tag(0x0004, 0x1500))
        XCTAssertEqual(Tag.recognitionCode, Tag(0x0008, 0x0010))  // retired keywords get constants too
        // Hand-written constants in Tag.swift agree with the dictionary.
        for (tag, keyword) in [
            (Tag.item, "Item"), (.pixelData, "PixelData"), (.transferSyntaxUID, "TransferSyntaxUID"),
            (.fileMetaInformationGroupLength, "FileMetaInformationGroupLength"),
        ] {
            XCTAssertEqual(DataDictionary.entry(for: tag)?.keyword, keyword)
        }
    }

    func testConcurrentFirstUse() {
        DispatchQueue.concurrentPerform(iterations: 8) { i in
            XCTAssertEqual(DataDictionary.entry(for: Tag(0x0010, 0x0010 + UInt16(i % 2) * 0x10))?.vr, i % 2 == 0 ? .PN : .LO)
            XCTAssertNotNil(DataDictionary.uidName("1.2.840.10008.1.2"))
        }
    }
}
