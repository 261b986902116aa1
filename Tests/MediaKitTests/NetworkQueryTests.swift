import DICOMCore
@testable import DICOMNetwork
import Foundation
import TestSupport
import XCTest
@testable import MediaKit

/// The reports of `find`, `retrieve` and `import --commit`/`--reconcile-worklist` (what counts as found, retrieved, committed,
/// reconciled, and the exit they lead to), and the TLS files of a nodes file. Expected values are written out by hand.
final class NetworkQueryTests: XCTestCase {
    func testFindRequestModelsAndIdentifier() throws {
        var r = FindRequest()
        XCTAssertEqual(r.model, .studyRoot)
        r.level = .patient
        XCTAssertEqual(r.model, .patientRoot)
        r.patientName = "Äneas*"
        r.characterSet = "ISO_IR 100"
        let id = try r.identifier()
        XCTAssertEqual(id.string(.queryRetrieveLevel), "PATIENT")
        XCTAssertEqual(id.string(.specificCharacterSet), "ISO_IR 100")
        XCTAssertEqual(id[.patientName]?.bytes, Array("Äneas*".data(using: .isoLatin1)!))
        r.worklist = true
        XCTAssertEqual(r.model, .modalityWorklist)
        XCTAssertNotNil(try r.identifier()[.scheduledProcedureStepSequence])
        var s = FindRequest()
        s.level = .series
        s.studyInstanceUID = "1.2.3"
        s.modality = "CT"
        XCTAssertEqual(
            try s.qido().target(),
            "/studies/1.2.3/series?Modality=CT&includefield=StudyInstanceUID&includefield=SeriesInstanceUID&includefield=Modality&includefield=SeriesNumber&includefield=SeriesDescription"
        )
    }

    func testFindReportDecodesNamesAndGuessesAMissingCharacterSet() {
        var utf8 = DataSet()
        utf8.set(DataElement(tag: .patientName, vr: .PN, bytes: Array("Gómez^José=".utf8)))
        utf8.setString(.patientID, .LO, "WL2")
        var latin1 = DataSet()
        latin1.set(DataElement(tag: .patientName, vr: .PN, bytes: Array("Müller^Jörg".data(using: .isoLatin1)!)))
        var request = FindRequest()
        request.level = .patient
        let report = FindReport(peer: "P@h:1", service: "C-FIND", request: request, matches: [utf8, latin1])
        XCTAssertEqual(report.rows.map { $0[1] }, ["Gómez^José", "Müller^Jörg"])
        XCTAssertEqual(report.rows[0][0], "WL2")
        XCTAssertFalse(report.failed)
        var failed = report
        failed.status = DIMSEStatus(0xC000)
        XCTAssertTrue(failed.failed)
        failed.status = .cancel
        XCTAssertFalse(failed.failed)
        XCTAssertTrue(report.text.hasSuffix("2 patients from P@h:1 by C-FIND"), report.text)
    }

    func testRetrieveReportOutcomes() {
        var ok = RetrieveReport.Study(studyInstanceUID: "1.1")
        ok.status = .success
        ok.counts = SubOperationCounts(remaining: 0, completed: 2, failed: 0, warning: 0)
        ok.stored = ["a", "b"]
        var partial = RetrieveReport.Study(studyInstanceUID: "1.2")
        partial.status = DIMSEStatus(0xB000)
        partial.counts = SubOperationCounts(remaining: 0, completed: 1, failed: 1, warning: 0)
        partial.stored = ["c"]
        var report = RetrieveReport(peer: "P@h:1", method: .get, store: "/s", studies: [ok])
        XCTAssertFalse(report.hasProblems)
        report.studies.append(partial)
        XCTAssertTrue(report.hasProblems)
        XCTAssertFalse(report.couldNotConnect)
        XCTAssertEqual(report.retrieved, 3)
        XCTAssertEqual(report.failed, 1)
        var none = RetrieveReport.Study(studyInstanceUID: "1.3")
        none.error = "connection refused"
        let down = RetrieveReport(peer: "P@h:1", method: .move, store: "/s", studies: [none])
        XCTAssertTrue(down.couldNotConnect)
        XCTAssertEqual(down.diagnostics.map(\.code), [.retrieveFailed])
    }

    func testCommitReportNamesEveryInstanceNotCommitted() {
        let refs = ["1", "2", "3"].map { SOPReference(sopClassUID: "1.2.840.10008.5.1.4.1.1.7", sopInstanceUID: $0) }
        var r = CommitReport(peer: "P@h:1", requested: refs)
        r.result = StorageCommitmentResult(
            transactionUID: "9", eventTypeID: 2, committed: [refs[0]], failed: [.init(reference: refs[1], reason: DIMSEStatus(0x0112))],
            onRequestAssociation: false)
        XCTAssertEqual(r.committed, 1)
        XCTAssertEqual(r.failures.map(\.uid), ["2", "3"])
        XCTAssertTrue(r.failures[0].why.contains("0x0112"), r.failures[0].why)
        XCTAssertEqual(r.diagnostics.map(\.code), [.commitFailed, .commitFailed])
        var lost = CommitReport(peer: "P@h:1", requested: refs)
        lost.error = "no Storage Commitment result"
        XCTAssertEqual(lost.failures.count, 3)
        XCTAssertTrue(lost.hasProblems)
    }

    func testWorklistNamesAreComparedDecoded() throws {
        XCTAssertTrue(NetworkPeer.sameName("Äneas^Rüdiger", "ÄNEAS^RÜDIGER^^"))
        XCTAssertTrue(NetworkPeer.sameName("Buc^Jérôme=", "Buc^Jérôme"))
        XCTAssertFalse(NetworkPeer.sameName("Buc^Jerome", "Buc^Jérôme"))
        XCTAssertFalse(NetworkPeer.sameName("", ""))
        let w = WorklistReconciliation(
            worklistPeer: "W@h:1",
            patients: [
                .init(
                    sourcePatientID: "A", name: "X^Y", birthDate: nil, accessionNumbers: [], match: Reconciler.Entry(patientID: "LOCAL-A"),
                    how: "worklist by accession 1"),
                .init(sourcePatientID: "B", name: "Z^W", birthDate: nil, accessionNumbers: [], match: nil, how: "2 local patients match"),
            ])
        var refused = DataSet()
        refused.setString(.patientID, .LO, "B")
        var meta = DataSet()
        XCTAssertThrowsError(try w.transform().apply(to: &refused, fileMeta: &meta))
        var matched = DataSet()
        matched.setString(.patientID, .LO, "A")
        matched.setString(.sopInstanceUID, .UI, "1.2.3")
        try w.transform().apply(to: &matched, fileMeta: &meta)
        XCTAssertEqual(matched.string(.patientID), "LOCAL-A")
        XCTAssertEqual(matched.string(.sopInstanceUID), "1.2.3")
        XCTAssertNotNil(matched[.originalAttributesSequence])
        XCTAssertEqual(w.diagnostics.map(\.code), [.worklistNoMatch])
    }

    func testNodesFileTLSFilesAreRelativeToIt() throws {
        let dir = try tempDir("dm-tls-nodes")
        let file = dir.appendingPathComponent("nodes.json").path
        let text =
            #"{"pacs": {"aeTitle": "A", "host": "h", "port": 104, "tls": true, "tlsCA": "ca.pem", "tlsCertificate": "/abs/me.pem", "tlsKey": "k/me.key"}}"#
        try Data(text.utf8).write(to: URL(fileURLWithPath: file))
        let tls = try XCTUnwrap(try NetworkPeer("pacs", nodesFile: file).tlsOptions)
        XCTAssertEqual(tls.caFile, dir.path + "/ca.pem")
        XCTAssertEqual(tls.certificateFile, "/abs/me.pem")
        XCTAssertEqual(tls.privateKeyFile, dir.path + "/k/me.key")
        XCTAssertNil(try NetworkPeer("A@h:104").tlsOptions)
        for bad in [
            #"{"pacs": {"aeTitle": "A", "host": "h", "port": 104, "tlsCA": "ca.pem"}}"#,
            #"{"pacs": {"aeTitle": "A", "host": "h", "port": 104, "tls": true, "tlsKey": "k"}}"#,
        ] {
            try Data(bad.utf8).write(to: URL(fileURLWithPath: file))
            XCTAssertThrowsError(try NetworkPeer("pacs", nodesFile: file)) { XCTAssertEqual(($0 as? NetworkError)?.code, .nodeBadValue) }
        }
    }
}
