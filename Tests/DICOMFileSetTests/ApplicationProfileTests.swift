import DICOMCore
import DICOMFileSet
import XCTest

final class ApplicationProfileTests: XCTestCase {
    private let ele = "1.2.840.10008.1.2.1", jll = "1.2.840.10008.1.2.4.70", jb = "1.2.840.10008.1.2.4.50"
    private let je = "1.2.840.10008.1.2.4.51", j2kl = "1.2.840.10008.1.2.4.90", j2k = "1.2.840.10008.1.2.4.91"
    private let rle = "1.2.840.10008.1.2.5", implicit = "1.2.840.10008.1.2"
    private let ct = "1.2.840.10008.5.1.4.1.1.2", mr = "1.2.840.10008.5.1.4.1.1.4", sc = "1.2.840.10008.5.1.4.1.1.7"
    private let gsps = "1.2.840.10008.5.1.4.1.1.11.1", doseSR = "1.2.840.10008.5.1.4.1.1.88.67"
    private let comprehensiveSR = "1.2.840.10008.5.1.4.1.1.88.33", xa = "1.2.840.10008.5.1.4.1.1.12.1"
    private let us = "1.2.840.10008.5.1.4.1.1.6.1", usMF = "1.2.840.10008.5.1.4.1.1.3.1"

    private func profile(_ id: String, file: StaticString = #filePath, line: UInt = #line) -> ApplicationProfile {
        guard let p = ApplicationProfile.named(id) else {
            XCTFail("no profile \(id)", file: file, line: line)
            return .default
        }
        return p
    }

    private func image(
        modality: String, pi: String = "MONOCHROME2", rows: Int = 512, columns: Int = 512,
        allocated: Int = 16, stored: Int = 12, highBit: Int? = nil, samples: Int = 1
    ) -> DataSet {
        var ds = DataSet()
        ds.setString(.modality, .CS, modality)
        ds.setString(.photometricInterpretation, .CS, pi)
        ds.setUInt16(.samplesPerPixel, [UInt16(samples)])
        ds.setUInt16(.rows, [UInt16(rows)])
        ds.setUInt16(.columns, [UInt16(columns)])
        ds.setUInt16(.bitsAllocated, [UInt16(allocated)])
        ds.setUInt16(.bitsStored, [UInt16(stored)])
        ds.setUInt16(.highBit, [UInt16(highBit ?? stored - 1)])
        ds.setUInt16(.pixelRepresentation, [0])
        return ds
    }

    func testEveryProfileResolvesAndHasKnownTransferSyntaxes() {
        let required = [
            "STD-GEN-CD", "STD-GEN-DVD-RAM", "STD-GEN-BD",
            "STD-GEN-DVD-JPEG", "STD-GEN-USB-JPEG", "STD-GEN-MMC-JPEG", "STD-GEN-CF-JPEG", "STD-GEN-SD-JPEG", "STD-GEN-BD-JPEG",
            "STD-GEN-DVD-J2K", "STD-GEN-USB-J2K", "STD-GEN-MMC-J2K", "STD-GEN-CF-J2K", "STD-GEN-SD-J2K", "STD-GEN-BD-J2K",
            "STD-CTMR-CD", "STD-CTMR-DVD", "STD-CTMR-DVD-RAM", "STD-CTMR-MOD41",
            "STD-XABC-CD", "STD-XA1K-CD", "STD-XA1K-DVD", "STD-DEN-CD", "PRI-GEN-USB",
            "STD-US-ID-SF-CDR", "STD-US-SC-MF-DVD-RAM", "STD-US-CC-MF-MOD23-90",
        ]
        for id in required {
            let p = profile(id)
            XCTAssertEqual(p.id, id)
            XCTAssertFalse(p.transferSyntaxes.isEmpty, id)
            XCTAssertTrue(p.title.contains("PS3.11"), p.title)
            for ts in p.transferSyntaxes + p.transferSyntaxesBySOPClass.values.flatMap({ $0 }) {
                XCTAssertTrue(TransferSyntax(uid: ts).isKnown, "\(id): \(ts)")
                XCTAssertNotEqual(ts, implicit, "\(id): Implicit VR is in no media profile")
            }
        }
        for p in ApplicationProfile.all {
            XCTAssertFalse(p.transferSyntaxes.isEmpty, p.id)
            XCTAssertLessThanOrEqual(p.id.count, 64, "identifiers fit an LO")
        }
        XCTAssertEqual(Set(ApplicationProfile.all.map(\.id)).count, ApplicationProfile.all.count, "ids are unique")
        XCTAssertEqual(ApplicationProfile.all.filter { $0.id.hasPrefix("STD-US-") }.count, 24)
        XCTAssertEqual(ApplicationProfile.named(" std-gen-dvd-jpeg ")?.id, "STD-GEN-DVD-JPEG", "case-insensitive")
        XCTAssertNil(ApplicationProfile.named("STD-GEN-DVD"), "a class name, not an identifier")
        XCTAssertEqual(ApplicationProfile.default.id, "STD-GEN-CD")
    }

    func testWritePreferences() {
        XCTAssertEqual(profile("STD-GEN-CD").transferSyntaxes, [ele])
        XCTAssertEqual(profile("STD-GEN-BD").transferSyntaxes, [ele])
        for id in ["STD-GEN-DVD-JPEG", "STD-GEN-USB-JPEG", "STD-GEN-SD-JPEG", "STD-GEN-BD-JPEG"] {
            XCTAssertEqual(profile(id).transferSyntaxes.first, jll, id)
            XCTAssertEqual(Array(profile(id).transferSyntaxes.prefix(2)), [jll, ele], id)
            XCTAssertEqual(Set(profile(id).transferSyntaxes), [ele, jll, jb, je], id)
        }
        for id in ["STD-GEN-DVD-J2K", "STD-GEN-MMC-J2K", "STD-GEN-BD-J2K"] {
            XCTAssertEqual(profile(id).transferSyntaxes.first, j2kl, id)
            XCTAssertEqual(Set(profile(id).transferSyntaxes), [ele, j2kl, j2k], id)
        }
        XCTAssertEqual(profile("PRI-GEN-USB").transferSyntaxes, [ele])
        XCTAssertEqual(profile("STD-CTMR-CD").transferSyntaxes(for: ct), [jll, ele])
        XCTAssertEqual(profile("STD-CTMR-CD").transferSyntaxes(for: gsps), [ele])
        XCTAssertEqual(profile("STD-XABC-CD").transferSyntaxes(for: xa), [jll])
        XCTAssertEqual(profile("STD-XA1K-CD").transferSyntaxes(for: sc), [ele])
    }

    func testUpdaterRole() {
        XCTAssertTrue(profile("STD-GEN-CD").updaterAllowed)
        XCTAssertTrue(profile("STD-GEN-USB-JPEG").updaterAllowed)
        XCTAssertTrue(profile("STD-GEN-BD-J2K").updaterAllowed)
        XCTAssertFalse(profile("STD-GEN-DVD-JPEG").updaterAllowed, "PS3.11 H.2.1.3: FSU not defined")
        XCTAssertFalse(profile("STD-GEN-DVD-J2K").updaterAllowed)
        XCTAssertFalse(profile("STD-CTMR-DVD").updaterAllowed)
        XCTAssertTrue(profile("STD-CTMR-DVD-RAM").updaterAllowed)
        XCTAssertFalse(profile("STD-XA1K-DVD").updaterAllowed)
        XCTAssertFalse(profile("STD-DEN-CD").updaterAllowed)
        XCTAssertFalse(profile("STD-US-ID-SF-DVD").updaterAllowed)
        XCTAssertTrue(profile("STD-US-ID-SF-CDR").updaterAllowed)
    }

    func testGeneralPurposeCDRefusesJPEGLossless() throws {
        let header = image(modality: "CT")
        let why = try XCTUnwrap(profile("STD-GEN-CD").violation(sopClassUID: ct, transferSyntaxUID: jll, header: header))
        XCTAssertTrue(why.hasPrefix("STD-GEN-CD allows only Explicit VR Little Endian"), why)
        XCTAssertTrue(why.contains("PS3.11 D.3.1"), why)
        XCTAssertTrue(why.contains(jll), why)
        XCTAssertNil(profile("STD-GEN-CD").violation(sopClassUID: ct, transferSyntaxUID: ele, header: header))
        XCTAssertNil(
            profile("STD-GEN-CD").violation(sopClassUID: comprehensiveSR, transferSyntaxUID: ele, header: DataSet()),
            "any composite storage class")
        XCTAssertNotNil(profile("STD-GEN-BD").violation(sopClassUID: ct, transferSyntaxUID: implicit, header: header))
    }

    func testCompressionProfiles() {
        let header = image(modality: "CT")
        for ts in [jll, ele, jb, je] {
            XCTAssertNil(profile("STD-GEN-DVD-JPEG").violation(sopClassUID: ct, transferSyntaxUID: ts, header: header), ts)
        }
        let why = profile("STD-GEN-DVD-JPEG").violation(sopClassUID: ct, transferSyntaxUID: j2kl, header: header)
        XCTAssertTrue(why?.contains("STD-GEN-DVD-JPEG") == true && why?.contains("PS3.11 H.3.1") == true, why ?? "nil")
        XCTAssertNil(profile("STD-GEN-USB-J2K").violation(sopClassUID: ct, transferSyntaxUID: j2k, header: header))
        XCTAssertNotNil(profile("STD-GEN-USB-J2K").violation(sopClassUID: ct, transferSyntaxUID: jll, header: header))
        XCTAssertNotNil(profile("PRI-GEN-USB").violation(sopClassUID: ct, transferSyntaxUID: jll, header: header))
        XCTAssertNotNil(
            profile("STD-GEN-SD-JPEG").violation(sopClassUID: ct, transferSyntaxUID: "1.2.840.10008.1.2.4.80", header: header),
            "JPEG-LS is in no media profile")
    }

    func testCTMRClassesAndSyntaxes() {
        let p = profile("STD-CTMR-CD")
        let sr = p.violation(sopClassUID: comprehensiveSR, transferSyntaxUID: ele, header: DataSet())
        XCTAssertNotNil(sr)
        XCTAssertTrue(sr?.hasPrefix("STD-CTMR-CD does not include Comprehensive SR Storage") == true, sr ?? "")
        XCTAssertTrue(sr?.contains("PS3.11 E.3.1") == true, sr ?? "")
        XCTAssertNil(p.violation(sopClassUID: doseSR, transferSyntaxUID: ele, header: DataSet()))
        XCTAssertNotNil(p.violation(sopClassUID: doseSR, transferSyntaxUID: jll, header: DataSet()), "Dose SR in ELE only")
        XCTAssertNotNil(p.violation(sopClassUID: gsps, transferSyntaxUID: jll, header: DataSet()), "GSPS in ELE only")
        XCTAssertNil(p.violation(sopClassUID: ct, transferSyntaxUID: jll, header: image(modality: "CT")))
        XCTAssertNil(p.violation(sopClassUID: ct, transferSyntaxUID: ele, header: image(modality: "CT")))
        XCTAssertNotNil(p.violation(sopClassUID: ct, transferSyntaxUID: jb, header: image(modality: "CT")))
        XCTAssertNotNil(
            p.violation(sopClassUID: "1.2.840.10008.5.1.4.1.1.2.1", transferSyntaxUID: ele, header: image(modality: "CT")),
            "Enhanced CT is not in STD-CTMR")
    }

    func testCTMRImageValues() throws {
        let p = profile("STD-CTMR-DVD-RAM")
        XCTAssertNil(p.violation(sopClassUID: mr, transferSyntaxUID: ele, header: image(modality: "MR", stored: 12)))
        XCTAssertNil(p.violation(sopClassUID: mr, transferSyntaxUID: ele, header: image(modality: "MR", allocated: 8, stored: 8)))
        let bits = try XCTUnwrap(p.violation(sopClassUID: mr, transferSyntaxUID: ele, header: image(modality: "MR", stored: 10)))
        XCTAssertTrue(bits.contains("Bits Stored (0028,0101)") && bits.contains("Table E.3-4"), bits)
        let hb = try XCTUnwrap(p.violation(sopClassUID: mr, transferSyntaxUID: ele, header: image(modality: "MR", stored: 12, highBit: 15)))
        XCTAssertTrue(hb.contains("High Bit"), hb)
        let rgb = try XCTUnwrap(p.violation(sopClassUID: ct, transferSyntaxUID: ele, header: image(modality: "CT", pi: "RGB", samples: 3)))
        XCTAssertTrue(rgb.contains("MONOCHROME2") && rgb.contains("Table E.3-3"), rgb)
        XCTAssertNotNil(p.violation(sopClassUID: ct, transferSyntaxUID: ele, header: image(modality: "MR")), "CT images have Modality CT")
        // Grayscale SC: Bits Stored = Bits Allocated (8 or 16); palette SC: 8/8/7.
        XCTAssertNil(p.violation(sopClassUID: sc, transferSyntaxUID: ele, header: image(modality: "OT", allocated: 16, stored: 16)))
        let scBits = try XCTUnwrap(p.violation(sopClassUID: sc, transferSyntaxUID: ele, header: image(modality: "OT", allocated: 16, stored: 12)))
        XCTAssertTrue(scBits.contains("Table E.3-5"), scBits)
        XCTAssertNil(p.violation(sopClassUID: sc, transferSyntaxUID: ele, header: image(modality: "OT", pi: "PALETTE COLOR", allocated: 8, stored: 8)))
        XCTAssertNotNil(p.violation(sopClassUID: sc, transferSyntaxUID: ele, header: image(modality: "OT", pi: "RGB", allocated: 8, stored: 8, samples: 3)))
    }

    func testXAProfiles() throws {
        let xabc = profile("STD-XABC-CD")
        let ok = image(modality: "XA", allocated: 8, stored: 8)
        XCTAssertNil(xabc.violation(sopClassUID: xa, transferSyntaxUID: jll, header: ok))
        XCTAssertNotNil(xabc.violation(sopClassUID: xa, transferSyntaxUID: ele, header: ok), "XABC is JPEG lossless only")
        let big = try XCTUnwrap(
            xabc.violation(sopClassUID: xa, transferSyntaxUID: jll, header: image(modality: "XA", rows: 1024, columns: 1024, allocated: 8, stored: 8)))
        XCTAssertTrue(big.contains("at most 512") && big.contains("Table A.3-3"), big)
        XCTAssertNotNil(xabc.violation(sopClassUID: xa, transferSyntaxUID: jll, header: image(modality: "XA", allocated: 16, stored: 10)))
        XCTAssertNotNil(xabc.violation(sopClassUID: sc, transferSyntaxUID: ele, header: ok))
        XCTAssertEqual(xabc.icons?.size, 128)
        XCTAssertEqual(xabc.icons?.required, true)

        let cd = profile("STD-XA1K-CD"), dvd = profile("STD-XA1K-DVD")
        let xa1k = image(modality: "XA", rows: 1024, columns: 1024, allocated: 16, stored: 10)
        XCTAssertNil(cd.violation(sopClassUID: xa, transferSyntaxUID: jll, header: xa1k))
        XCTAssertNotNil(cd.violation(sopClassUID: xa, transferSyntaxUID: jb, header: xa1k), "no lossy JPEG on XA1K CD")
        XCTAssertNil(dvd.violation(sopClassUID: xa, transferSyntaxUID: jb, header: xa1k))
        XCTAssertNotNil(cd.violation(sopClassUID: xa, transferSyntaxUID: jll, header: image(modality: "XA", rows: 2048, columns: 2048, stored: 12)))
        XCTAssertNotNil(cd.violation(sopClassUID: xa, transferSyntaxUID: jll, header: image(modality: "XA", stored: 14)))
        XCTAssertNil(cd.violation(sopClassUID: sc, transferSyntaxUID: ele, header: image(modality: "OT", allocated: 8, stored: 8)))
        XCTAssertNotNil(cd.violation(sopClassUID: sc, transferSyntaxUID: jll, header: image(modality: "OT", allocated: 8, stored: 8)))
        var overlay = image(modality: "OT", allocated: 8, stored: 8)
        overlay.setUInt16(Tag(0x6000, 0x0010), [512])
        let ov = try XCTUnwrap(cd.violation(sopClassUID: sc, transferSyntaxUID: ele, header: overlay))
        XCTAssertTrue(ov.contains("overlay"), ov)
        XCTAssertEqual(cd.icons?.photometricInterpretations, ["MONOCHROME2"])
    }

    func testDentalAndUltrasound() {
        let den = profile("STD-DEN-CD")
        let io = "1.2.840.10008.5.1.4.1.1.1.3"
        XCTAssertNil(den.violation(sopClassUID: io, transferSyntaxUID: ele, header: image(modality: "IO", allocated: 16, stored: 12)))
        XCTAssertNil(den.violation(sopClassUID: io, transferSyntaxUID: ele, header: image(modality: "IO", allocated: 8, stored: 8)))
        XCTAssertNotNil(den.violation(sopClassUID: io, transferSyntaxUID: ele, header: image(modality: "IO", allocated: 16, stored: 8)))
        XCTAssertNotNil(den.violation(sopClassUID: io, transferSyntaxUID: ele, header: image(modality: "IO", allocated: 16, stored: 14)))
        XCTAssertNotNil(den.violation(sopClassUID: ct, transferSyntaxUID: ele, header: image(modality: "CT")))

        let sf = profile("STD-US-ID-SF-CDR"), mf = profile("STD-US-ID-MF-CDR"), cc = profile("STD-US-CC-SF-CDR")
        XCTAssertNil(sf.violation(sopClassUID: us, transferSyntaxUID: rle, header: image(modality: "US", pi: "YBR_FULL", allocated: 8, stored: 8, samples: 3)))
        XCTAssertNotNil(
            sf.violation(sopClassUID: us, transferSyntaxUID: ele, header: image(modality: "US", pi: "YBR_FULL", allocated: 8, stored: 8, samples: 3)),
            "YBR_FULL only in RLE (PS3.11 C.3.1.1)")
        XCTAssertNil(
            sf.violation(sopClassUID: us, transferSyntaxUID: jb, header: image(modality: "US", pi: "YBR_FULL_422", allocated: 8, stored: 8, samples: 3)))
        XCTAssertNotNil(sf.violation(sopClassUID: us, transferSyntaxUID: jb, header: image(modality: "US", pi: "MONOCHROME2", allocated: 8, stored: 8)))
        XCTAssertNotNil(sf.violation(sopClassUID: usMF, transferSyntaxUID: ele, header: image(modality: "US", allocated: 8, stored: 8)))
        XCTAssertNil(mf.violation(sopClassUID: usMF, transferSyntaxUID: ele, header: image(modality: "US", allocated: 8, stored: 8)))
        XCTAssertNotNil(
            cc.violation(sopClassUID: us, transferSyntaxUID: ele, header: image(modality: "US", allocated: 8, stored: 8)),
            "CC needs the US Region Calibration Module")
    }

    func testExtraKeys() {
        func rule(_ p: ApplicationProfile, _ t: DirectoryRecordType, _ tag: Tag) -> KeyRule? {
            p.extraKeys(for: t).first { $0.tag == tag }
        }
        let gen = profile("STD-GEN-CD")
        XCTAssertEqual(rule(gen, .image, .imageType)?.type, .type1C)
        XCTAssertNotNil(rule(gen, .image, .referencedImageSequence))
        XCTAssertNil(rule(gen, .patient, .patientBirthDate))

        for id in ["STD-GEN-DVD-JPEG", "STD-GEN-USB-J2K", "STD-GEN-BD-JPEG", "PRI-GEN-USB"] {
            let p = profile(id)
            XCTAssertEqual(rule(p, .patient, .patientBirthDate)?.condition, .ifAnyInstanceNonEmpty, id)
            XCTAssertEqual(rule(p, .patient, .patientSex)?.condition, .ifAnyInstanceNonEmpty, id)
            XCTAssertEqual(rule(p, .series, .institutionName)?.condition, .ifAnyInstanceNonEmpty, id)
            XCTAssertEqual(rule(p, .image, .rows)?.type, .type1, id)
            XCTAssertEqual(rule(p, .spectroscopy, .imagePositionPatient)?.source, .elementOrSharedFunctionalGroups, id)
            XCTAssertEqual(rule(p, .image, .lossyImageCompressionRatio)?.condition, .ifPresentNonEmpty, id)
        }
        XCTAssertEqual(profile("PRI-GEN-USB").extraKeys, profile("STD-GEN-USB-JPEG").extraKeys)

        let ctmr = profile("STD-CTMR-MOD41")
        XCTAssertEqual(rule(ctmr, .image, .columns)?.type, .type1)
        XCTAssertEqual(rule(ctmr, .image, .frameOfReferenceUID)?.type, .type1C)
        XCTAssertEqual(ctmr.icons?.size, 64)
        XCTAssertEqual(ctmr.icons?.required, false)
        XCTAssertEqual(ctmr.icons?.recordTypes, [.series, .image])

        let xabc = profile("STD-XABC-CD"), xa1k = profile("STD-XA1K-DVD")
        XCTAssertEqual(rule(xabc, .image, .iconImageSequence)?.type, .type1)
        XCTAssertEqual(rule(xabc, .image, .imageType)?.type, .type1)
        XCTAssertEqual(rule(xa1k, .image, .imageType)?.condition, .ifSOPClass([xa]))
        XCTAssertEqual(rule(xabc, .patient, .patientBirthDate)?.type, .type2)
        XCTAssertEqual(rule(xa1k, .series, .performingPhysicianName)?.type, .type2)
        XCTAssertEqual(rule(xa1k, .image, .referencedImageSequence)?.condition, .ifValue(.imageType, index: 2, in: ["BIPLANE A", "BIPLANE B"]))
        XCTAssertNotNil(rule(xa1k, .image, .lossyImageCompressionRatio))
        XCTAssertNil(rule(xabc, .image, .lossyImageCompressionRatio))
        XCTAssertTrue(profile("STD-DEN-CD").extraKeys.isEmpty)
    }
}
