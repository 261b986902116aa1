import DICOMCore
import DICOMFileSet
import DICOMIO
import Foundation
import XCTest

extension FileSetVerifierTests {
    // MARK: Application profiles (PS3.11)

    func testProfileSOPClassTransferSyntaxAndImageConstraints() throws {
        let ctmr = ApplicationProfile.named("STD-CTMR-CD")!
        // A SOP class the profile does not list.
        var a = try clean()
        a.instances[1].dataSet.setString(.sopClassUID, .UI, VerifierUID.us)
        a.rebuildTree()
        assertProblemCodes(try a.writeAndVerify(profile: ctmr), [.profileSOPClass])
        // A transfer syntax it does not allow for CT (Implicit VR Little Endian).
        var b = try clean()
        b.instances[1].transferSyntax = .implicitVRLittleEndian
        b.rebuildTree()
        let problems = try b.writeAndVerify(profile: ctmr)
        assertProblemCodes(problems, [.profileTransferSyntax])
        assertProblem(problems, .profileTransferSyntax, .error, fileID: "DICOM/IM000002")
        assertProblemCodes(try b.verifyOnDisk(), [])  // without a profile the syntax is fine
        // An image constraint: CT must be MONOCHROME2 (PS3.11 Table E.3-3).
        var c = try clean()
        c.instances[0].dataSet.setString(.photometricInterpretation, .CS, "MONOCHROME1")
        let constraint = try c.writeAndVerify(profile: ctmr)
        assertProblemCodes(constraint, [.profileImage])
        XCTAssertTrue(assertProblem(constraint, .profileImage, .error, fileID: "DICOM/IM000001")?.message.contains("MONOCHROME2") ?? false)
    }

    func testIconFormatAndSize() throws {
        // F.7: an RGB icon is not allowed in any record.
        var f = try clean()
        f.edit(VerifierFileSet.imagePath(0)) { $0.keys.set(VerifierFixture.icon(size: 64, photometric: "RGB", samples: 3)) }
        let problems = try f.writeAndVerify()
        assertProblemCodes(problems, [.iconFormat])
        assertProblem(problems, .iconFormat, .error, fileID: "DICOM/IM000001")
        // STD-CTMR: icons are 64x64 (PS3.11 E.3.3.3).
        var g = try clean()
        g.edit(VerifierFileSet.imagePath(0)) { $0.keys.set(VerifierFixture.icon(size: 32)) }
        g.edit([0, 0, 0]) { $0.keys.set(VerifierFixture.icon(size: 64)) }
        let ctmr = ApplicationProfile.named("STD-CTMR-CD")!
        let sized = try g.writeAndVerify(profile: ctmr)
        assertProblemCodes(sized, [.iconSize])
        assertProblem(sized, .iconSize, .error, fileID: "DICOM/IM000001")
        assertProblemCodes(try g.verifyOnDisk(), [])  // without a profile any size is allowed
    }

    func testIconRequiredByXAProfile() throws {
        // STD-XA1K-CD with Secondary Capture (Explicit VR LE, 8-bit MONOCHROME2): every IMAGE needs a 128x128 icon.
        var f = try clean(sopClass: VerifierUID.sc, bits: 8)
        f.edit([0]) {
            $0.keys.setString(.patientBirthDate, .DA, ""); $0.keys.setString(.patientSex, .CS, "M")
        }
        f.edit([0, 0, 0]) {
            for t in [Tag.institutionName, .institutionAddress, .performingPhysicianName] {
                $0.keys.set(DataElement(tag: t, vr: t == .performingPhysicianName ? .PN : (t == .institutionAddress ? .ST : .LO), bytes: []))
            }
        }
        for i in 0..<2 {
            f.edit(VerifierFileSet.imagePath(i)) {
                $0.keys.set(VerifierFixture.icon(size: 128)); $0.keys.set(DataElement(tag: .calibrationImage, vr: .CS, bytes: []))
            }
        }
        let xa1k = ApplicationProfile.named("STD-XA1K-CD")!
        assertProblemCodes(try f.writeAndVerify(profile: xa1k), [])
        f.edit(VerifierFileSet.imagePath(1)) { $0.keys.remove(.iconImageSequence) }
        let problems = try f.writeAndVerify(profile: xa1k)
        assertProblemCodes(problems, [.iconMissing])
        assertProblem(problems, .iconMissing, .error, fileID: "DICOM/IM000002")
    }
}
