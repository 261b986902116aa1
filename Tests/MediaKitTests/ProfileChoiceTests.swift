import XCTest
import DICOMCore
import DICOMFileSet
import DICOMIO
@testable import MediaKit

/// Which profile `update` follows: recorded in the DICOMDIR's File Meta, else implied by the content, else asked for.
final class ProfileChoiceTests: XCTestCase {
    func fileSet(_ content: [(sop: String, ts: String)]) -> FileSet {
        var series = DirectoryRecord(type: .series)
        for (i, c) in content.enumerated() {
            var keys = DataSet()
            keys.setString(.referencedFileID, .CS, ["DICOM", "I\(i)"])
            keys.setString(.referencedSOPClassUIDInFile, .UI, c.sop)
            keys.setString(.referencedSOPInstanceUIDInFile, .UI, "1.2.3.\(i)")
            keys.setString(.referencedTransferSyntaxUIDInFile, .UI, c.ts)
            series.children.append(DirectoryRecord(type: .image, keys: keys))
        }
        return FileSet(records: [DirectoryRecord(type: .patient, children: [DirectoryRecord(type: .study, children: [series])])])
    }
    let ct = "1.2.840.10008.5.1.4.1.1.2"
    let ele = TransferSyntax.explicitVRLittleEndian.uid

    func testRecordedProfileRoundTripsThroughTheDICOMDIR() throws {
        var fs = fileSet([(ct, ele)])
        RecordedProfile.record(ApplicationProfile.named("STD-GEN-USB-JPEG")!, in: &fs)
        let again = DICOMDIRReader.read(try Part10Reader.read(bytes: DICOMDIRWriter.encode(fs)))
        XCTAssertEqual(RecordedProfile.identifier(in: again), "STD-GEN-USB-JPEG")
        let (p, source) = try ProfileChoice.forUpdate(again, given: nil, path: "fs")
        XCTAssertEqual(p.id, "STD-GEN-USB-JPEG"); XCTAssertEqual(source, "recorded")
    }

    func testAnotherImplementationsPrivateInformationIsKeptAndNotRead() {
        var fs = fileSet([(ct, ele)])
        fs.fileMeta.setString(.privateInformationCreatorUID, .UI, "1.2.3.4")
        fs.fileMeta.set(DataElement(tag: .privateInformation, vr: .OB, bytes: Array("dicom-media application-profile=STD-GEN-BD".utf8)))
        XCTAssertNil(RecordedProfile.identifier(in: fs))
        RecordedProfile.record(.default, in: &fs)
        XCTAssertEqual(fs.fileMeta.string(.privateInformationCreatorUID), "1.2.3.4")
    }

    func testContentImpliesTheNarrowestGeneralProfile() throws {
        XCTAssertEqual(ProfileChoice.implied(by: fileSet([(ct, ele)])).0?.id, "STD-GEN-CD")
        XCTAssertEqual(ProfileChoice.implied(by: fileSet([(ct, ele), (ct, TransferSyntax.jpegLosslessSV1.uid)])).0?.id, "STD-GEN-USB-JPEG")
        XCTAssertEqual(ProfileChoice.implied(by: fileSet([(ct, TransferSyntax.jpeg2000Lossless.uid)])).0?.id, "STD-GEN-USB-J2K")
        // JPEG and JPEG 2000 together, or Implicit VR: no profile allows it; nor can an empty File-set tell.
        for content in [
            [(ct, TransferSyntax.jpegLosslessSV1.uid), (ct, TransferSyntax.jpeg2000Lossless.uid)],
            [(ct, TransferSyntax.implicitVRLittleEndian.uid)], [],
        ] {
            let fs = fileSet(content)
            XCTAssertNil(ProfileChoice.implied(by: fs).0)
            XCTAssertThrowsError(try ProfileChoice.forUpdate(fs, given: nil, path: "fs")) { e in
                XCTAssertTrue("\(e)".contains("give --profile"), "\(e)")
            }
            XCTAssertEqual(try ProfileChoice.forUpdate(fs, given: .default, path: "fs").1, "option")
        }
    }

    func testGivenProfileContradictingTheRecordedOneAndTheContentIsRefused() throws {
        var fs = fileSet([(ct, TransferSyntax.jpegLosslessSV1.uid)])
        RecordedProfile.record(ApplicationProfile.named("STD-GEN-USB-JPEG")!, in: &fs)
        XCTAssertThrowsError(try ProfileChoice.forUpdate(fs, given: .default, path: "fs"))
        XCTAssertEqual(try ProfileChoice.forUpdate(fs, given: ApplicationProfile.named("STD-GEN-SD-JPEG"), path: "fs").0.id, "STD-GEN-SD-JPEG")
    }
}
