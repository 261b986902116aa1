import DICOMCore
import DICOMFileSet
import DICOMIO
import Foundation
import TestSupport
import XCTest

/// The verifier on File-sets written by other tools (shared/media-corpus). None may produce an
/// error the standard does not justify; what each produces is recorded here exactly.
final class FileSetVerifierCorpusTests: XCTestCase {
    override func setUpWithError() throws { try Corpus.require() }

    /// Verifies `dicomdir` (relative to the corpus) with its folder as the File-set root and
    /// returns the problem counts as "severity code" -> count.
    func verify(
        _ dicomdir: String, records: Int, profile: ApplicationProfile? = nil,
        file: StaticString = #filePath, line: UInt = #line
    ) throws -> [String: Int] {
        let path = try VerifierCorpus.root + "/" + dicomdir
        let root = (path as NSString).deletingLastPathComponent
        let fs = try DICOMDIRReader.read(path: path)
        XCTAssertEqual(fs.recordCount, records, "records in \(dicomdir)", file: file, line: line)
        let problems = FileSetVerifier(root: root, fileSet: fs, profile: profile, dicomdirPath: path).verify()
        print("verify \(dicomdir)\(profile.map { " --profile \($0.id)" } ?? ""): \(problems.count) problem(s)")
        for p in problems { print("  \(p)") }
        var counts: [String: Int] = [:]
        for p in problems { counts["\(p.severity.rawValue) \(p.code)", default: 0] += 1 }
        return counts
    }

    /// pydicom's dicomdirtests: a DCMTK (dcmmkdir 3.6.0) DICOMDIR of 2 patients, 6 studies, 13
    /// series, 31 images, and the same content re-encoded in Implicit VR LE and Big Endian, all in
    /// one folder that also holds an empty DICOMDIR, a README.txt and pydicom's TINY_ALPHA File-set.
    func testPydicomDICOMDIRVariants() throws {
        // Folder furniture, the same for the three: the other DICOMDIR variants beside the one
        // verified (PS3.10 8.6 allows one DICOMDIR per File-set: warning), TINY_ALPHA/ with its own
        // DICOMDIR (another File-set: warning), README.txt (non-DICOM: info). No errors.
        let furniture = ["warning extra-dicomdir": 3, "warning nested-fileset": 1, "info non-dicom-files": 1]
        XCTAssertEqual(try verify("pydicom-3.0.2/dicomdirtests/DICOMDIR", records: 52), furniture)
        // The DCMTK DICOMDIR was made for the general purpose profile and satisfies STD-GEN-CD too
        // (all files Explicit VR LE, Image Type copied into the IMAGE records).
        XCTAssertEqual(try verify("pydicom-3.0.2/dicomdirtests/DICOMDIR", records: 52, profile: ApplicationProfile.named("STD-GEN-CD")), furniture)
        // Re-encoded copies: the DICOMDIR must be Explicit VR Little Endian (PS3.10 8.6, PS3.11):
        // reported by the reader as a warning, since the content is intact.
        var reencoded = furniture
        reencoded["warning dicomdir-transfer-syntax"] = 1
        XCTAssertEqual(try verify("pydicom-3.0.2/dicomdirtests/DICOMDIR-implicit", records: 52), reencoded)
        XCTAssertEqual(try verify("pydicom-3.0.2/dicomdirtests/DICOMDIR-bigEnd", records: 52), reencoded)
    }

    /// dicom3tools' character set File-set: 11 patients, each in another Specific Character Set.
    func testClunieCharsetFileSet() throws {
        // (0004,1202) holds 8686, the offset of the very last record (an IMAGE), not of the last
        // root record (the PATIENT at 8112): a real defect of this DICOMDIR (PS3.3 F.3.2.1), which
        // the reader reports as a warning because the tree is still fully reachable from (0004,1200).
        // Names decoded in 11 character sets agree between records and files: no patient-name-conflict.
        XCTAssertEqual(try verify("clunie-charset-fileset/DICOMDIR", records: 44), ["warning last-root-offset": 1])
    }

    /// pydicom's TINY_ALPHA: a FileSet-written File-set of 50 instances with a README descriptor.
    func testPydicomTinyAlpha() throws {
        // The one error is justified: File-set ID (0004,1130) is "TINY ALPHA", and a File-set ID may
        // only use A-Z, 0-9 and _ (PS3.10 8.5: the File ID character set, which excludes SPACE).
        XCTAssertEqual(try verify("pydicom-3.0.2/dicomdirtests/TINY_ALPHA/DICOMDIR", records: 53), ["error fileset-id-invalid": 1])
    }
}
