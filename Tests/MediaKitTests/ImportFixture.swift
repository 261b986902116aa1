import DICOMCore
import DICOMFileSet
import DICOMIO
import DICOMStore
import Foundation
@testable import MediaKit
import XCTest

/// A small File-set made in memory: two instances named by a DICOMDIR (one of them absent from the
/// medium), one record whose File ID leaves the root, one DICOM file the DICOMDIR does not list, and
/// a file that is not DICOM.
enum ImportFixture {
    static func instance(sop: String, number: Int) throws -> [UInt8] {
        var ds = DataSet()
        let values: [(Tag, VR, String)] = [
            (.sopClassUID, .UI, "1.2.840.10008.5.1.4.1.1.7"), (.sopInstanceUID, .UI, sop), (.modality, .CS, "OT"),
            (.patientName, .PN, "Doe^Jane"), (.patientID, .LO, "PID-42"), (.studyInstanceUID, .UI, "1.2.9"),
            (.seriesInstanceUID, .UI, "1.2.9.1"), (.instanceNumber, .IS, String(number)),
        ]
        for (tag, vr, value) in values { ds.setString(tag, vr, value) }
        ds.setUInt16(.rows, [2]); ds.setUInt16(.columns, [2])
        ds.set(DataElement(tag: .pixelData, vr: .OW, bytes: [1, 2, 3, 4, 5, 6, 7, 8]))
        return try Part10Writer.encode(dataSet: ds)
    }

    static func image(_ fileID: [String], sop: String) -> DirectoryRecord {
        var r = DirectoryRecord(type: DirectoryRecordType("IMAGE"))
        r.referencedFileID = FileID(fileID)
        r.keys.setString(.referencedSOPClassUIDInFile, .UI, "1.2.840.10008.5.1.4.1.1.7")
        r.keys.setString(.referencedSOPInstanceUIDInFile, .UI, sop)
        r.keys.setString(.referencedTransferSyntaxUIDInFile, .UI, TransferSyntax.explicitVRLittleEndian.uid)
        return r
    }

    static func medium() throws -> MemoryMedium {
        var series = DirectoryRecord(type: DirectoryRecordType("SERIES"))
        series.children = [
            image(["DICOM", "IM1"], sop: "1.2.9.1.1"), image(["DICOM", "IM2"], sop: "1.2.9.1.2"),
            image(["..", "OUTSIDE"], sop: "1.2.9.1.9"),
        ]
        var study = DirectoryRecord(type: DirectoryRecordType("STUDY")); study.children = [series]
        var patient = DirectoryRecord(type: DirectoryRecordType("PATIENT")); patient.children = [study]
        let fs = FileSet(fileSetID: "PLANTEST", fileSetUID: "1.2.9.99", records: [patient])
        return MemoryMedium(contents: [
            "DICOMDIR": try DICOMDIRWriter.encode(fs),
            "DICOM/IM1": try instance(sop: "1.2.9.1.1", number: 1),
            "DICOM/IM3": try instance(sop: "1.2.9.1.3", number: 3),
            "autorun.inf": Array("[autorun]\n".utf8),
        ])
    }
}
