import DICOMCore
import DICOMIO
import DICOMNetwork
import Foundation
import TestSupport
import XCTest

/// Storage Commitment Push Model SCU against Orthanc (PS3.4 Annex J): N-ACTION, the N-EVENT-REPORT on a new association to
/// our listener (the SCU role accepted by role selection), committed and failed references with their Failure Reason.
final class CommitmentTests: XCTestCase {
    let timeouts = QRFixture.timeouts

    func setUpOrthanc(_ commitment: StorageCommitmentSCU) async throws -> OrthancServer {
        let listener = try await AssociationListener.bind(
            port: 0, policy: AcceptorPolicy(aeTitle: QRFixture.ourAE, timeouts: timeouts), services: [VerificationSCP(), commitment])
        addTeardownBlock { await listener.close() }
        return try QRFixture.orthanc(self, ourPort: listener.port)
    }

    func reference(_ relative: String) throws -> SOPReference {
        let ds = try Part10Reader.read(path: try Corpus.path(relative), options: .headerOnly).dataSet
        return SOPReference(sopClassUID: try XCTUnwrap(ds.string(.sopClassUID)), sopInstanceUID: try XCTUnwrap(ds.string(.sopInstanceUID)))
    }

    func testCommitmentOfStoredInstances() async throws {
        let commitment = StorageCommitmentSCU()
        let server = try await setUpOrthanc(commitment)
        let files = ["pydicom-3.0.2/test_files/CT_small.dcm", "pydicom-3.0.2/test_files/MR_small.dcm"]
        try await QRFixture.store(try files.map(Corpus.path), into: server)
        let refs = try files.map(reference)
        let result = try await commitment.commit(
            refs, host: "127.0.0.1", port: server.dicomPort, callingAETitle: QRFixture.ourAE, calledAETitle: "ORTHANC", timeout: .seconds(60),
            timeouts: timeouts)
        XCTAssertEqual(result.eventTypeID, 1)
        XCTAssertEqual(Set(result.committed), Set(refs))
        XCTAssertEqual(result.failed, [])
        XCTAssertFalse(result.onRequestAssociation, "Orthanc reports on a new association")
    }

    func testCommitmentOfAnUnknownInstanceFails() async throws {
        let commitment = StorageCommitmentSCU()
        let server = try await setUpOrthanc(commitment)
        try await QRFixture.store([try Corpus.path("pydicom-3.0.2/test_files/CT_small.dcm")], into: server)
        let known = try reference("pydicom-3.0.2/test_files/CT_small.dcm")
        let unknown = SOPReference(sopClassUID: known.sopClassUID, sopInstanceUID: "1.2.826.0.1.3680043.10.1234.4242")
        let result = try await commitment.commit(
            [known, unknown], host: "127.0.0.1", port: server.dicomPort, callingAETitle: QRFixture.ourAE, calledAETitle: "ORTHANC",
            timeout: .seconds(60), timeouts: timeouts)
        XCTAssertEqual(result.eventTypeID, 2)
        XCTAssertEqual(result.committed, [known])
        XCTAssertEqual(result.failed.map(\.reference), [unknown])
        XCTAssertEqual(result.failed.first?.reason, .noSuchSOPInstance)
    }

    /// The report on a new association, the SCP role proposed by its requestor (the archive) and accepted by our listener.
    func testReportOnANewAssociationWithRoleSelection() async throws {
        let commitment = StorageCommitmentSCU()
        let listener = try await AssociationListener.bind(
            port: 0, policy: AcceptorPolicy(aeTitle: QRFixture.ourAE, timeouts: timeouts), services: [commitment])
        addTeardownBlock { await listener.close() }
        let role = RoleSelection(sopClassUID: UID.storageCommitmentPushModel, scuRole: false, scpRole: true)
        let archive = try await Association.connect(
            host: "127.0.0.1", port: listener.port, callingAETitle: "ARCHIVE", calledAETitle: QRFixture.ourAE, contexts: [StorageCommitmentSCU.context],
            timeouts: timeouts, roleSelections: [role])
        XCTAssertEqual(archive.negotiated.roleSelections, [role])
        let context = try XCTUnwrap(archive.context(for: UID.storageCommitmentPushModel))
        var failed = DataSet()
        failed.setString(.referencedSOPClassUID, .UI, "1.2.840.10008.5.1.4.1.1.2")
        failed.setString(.referencedSOPInstanceUID, .UI, "1.2.826.0.1.3680043.10.1234.5")
        failed.setUInt16(.failureReason, [0x0112])
        var info = DataSet()
        info.setString(.transactionUID, .UI, "1.2.826.0.1.3680043.10.1234.77")
        info.setSequence(.failedSOPSequence, [failed])
        var encoder = DataSetEncoder(explicitVR: TransferSyntax(uid: context.transferSyntax).isExplicitVR, undefinedLengths: false)
        encoder.encode(info)
        let rq = NEventReportRQ(
            messageID: 1, affectedSOPClassUID: UID.storageCommitmentPushModel, affectedSOPInstanceUID: UID.storageCommitmentPushModelInstance,
            eventTypeID: 2)
        let responses = try await archive.request(.nEventReportRQ(rq), dataSet: encoder.out, contextID: context.id)
        XCTAssertEqual(responses.last?.message.response?.status, .success)
        try await archive.release()
        let result = try await commitment.result(transactionUID: "1.2.826.0.1.3680043.10.1234.77", timeout: .seconds(10))
        XCTAssertEqual(result.eventTypeID, 2)
        XCTAssertEqual(result.committed, [])
        XCTAssertEqual(result.failed.map(\.reason), [.noSuchSOPInstance])
        XCTAssertEqual(result.failed.first?.reference.sopInstanceUID, "1.2.826.0.1.3680043.10.1234.5")
        XCTAssertFalse(result.onRequestAssociation)
    }

    /// pynetdicom as a Storage Commitment SCP reporting on the requesting association (Fixtures/peers/commitment_scp.py): the
    /// report is read there while `commit` waits; an instance UID ending in .404 fails with 0112.
    func testReportOnTheRequestAssociation() async throws {
        try Corpus.require()
        let python = TransportPeerTests.root.appendingPathComponent(".venv/bin/python")
        guard (try? runExecutable(python, ["-c", "import pynetdicom"]))?.status == 0 else {
            throw TestFailure("pynetdicom is not in .venv: scripts/setup.sh installs it")
        }
        let port = try Loopback.freePort()
        let scp = Process()
        (scp.executableURL, scp.arguments) = (python, [Self.commitmentSCP, String(port)])
        let stdin = Pipe()
        (scp.standardInput, scp.standardOutput, scp.standardError) = (stdin, FileHandle.nullDevice, FileHandle.nullDevice)
        try scp.run()
        addTeardownBlock {
            try? stdin.fileHandleForWriting.close()
            Loopback.stop(scp)
        }
        var listening = false
        for _ in 0..<200 where !listening {
            if let fd = Loopback.connect(port) {
                close(fd)
                listening = true
            } else {
                usleep(50_000)
            }
        }
        XCTAssertTrue(listening, "the commitment SCP did not listen")
        let kept = SOPReference(sopClassUID: "1.2.840.10008.5.1.4.1.1.2", sopInstanceUID: "1.2.826.0.1.3680043.10.1234.200")
        let lost = SOPReference(sopClassUID: "1.2.840.10008.5.1.4.1.1.2", sopInstanceUID: "1.2.826.0.1.3680043.10.1234.404")
        let result = try await StorageCommitmentSCU().commit(
            [kept, lost], host: "127.0.0.1", port: port, callingAETitle: QRFixture.ourAE, calledAETitle: "COMMITSCP", timeout: .seconds(30),
            timeouts: timeouts)
        XCTAssertTrue(result.onRequestAssociation)
        XCTAssertEqual(result.eventTypeID, 2)
        XCTAssertEqual(result.committed, [kept])
        XCTAssertEqual(result.failed, [StorageCommitmentResult.Failure(reference: lost, reason: .noSuchSOPInstance)])
    }

    static let commitmentSCP = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/peers/commitment_scp.py").path

    /// No report for the transaction within the wait: `commitment-timeout`.
    func testNoReportTimesOut() async throws {
        let commitment = StorageCommitmentSCU()
        do {
            _ = try await commitment.result(transactionUID: UID.make(), timeout: .milliseconds(300))
            XCTFail("a result without a report")
        } catch let e as NetworkError {
            XCTAssertEqual(e.code, .commitmentTimeout)
        }
    }
}
