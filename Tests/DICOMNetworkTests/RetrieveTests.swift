import DICOMCore
import DICOMIO
import DICOMNetwork
import Foundation
import Synchronization
import TestSupport
import XCTest

/// A storage provider for tests: a StorageSCP that refuses the first `refuse` instances (A700) and, once `gated`, holds every
/// store after the first until the gate opens (so a C-CANCEL surely arrives while sub-operations remain).
final class TestStorage: DIMSEServiceProvider, Sendable {
    let scp: StorageSCP
    let refuse: Int
    let gated: Bool
    private let state = Mutex((stores: 0, open: false))

    init(spool: String, refuse: Int = 0, gated: Bool = false) { scp = StorageSCP(spool: spool); self.refuse = refuse; self.gated = gated }

    func open() { state.withLock { $0.open = true } }

    func accepts(abstractSyntax: String) -> Bool { scp.accepts(abstractSyntax: abstractSyntax) }

    func respond(to request: DIMSEReceived, on association: NegotiatedAssociation) async -> DIMSEMessage? {
        guard case .cStoreRQ(let rq) = request.message else { return nil }
        let n = state.withLock { s in
            s.stores += 1
            return s.stores
        }
        while gated && n > 1 && !state.withLock({ $0.open }) { try? await Task.sleep(for: .milliseconds(20)) }
        guard n > refuse else {
            return .cStoreRSP(
                CStoreRSP(
                    DIMSEResponseFields(
                        respondingTo: rq.messageID, status: .outOfResources, affectedSOPClassUID: rq.affectedSOPClassUID,
                        affectedSOPInstanceUID: rq.affectedSOPInstanceUID)))
        }
        return await scp.respond(to: request, on: association)
    }
}

/// C-MOVE and C-GET SCU against Orthanc (PS3.4 §C.4.2, §C.4.3): counters, final statuses 0000/B000/failure/FE00, the bytes received.
final class RetrieveTests: XCTestCase {
    let timeouts = QRFixture.timeouts

    /// Our SCP (the C-MOVE destination) and Orthanc knowing it, with the 50 instances of TINY_ALPHA stored.
    func setUpArchive(storage: any DIMSEServiceProvider) async throws -> (OrthancServer, AssociationListener, [String], String) {
        let listener = try await AssociationListener.bind(
            port: 0, policy: AcceptorPolicy(aeTitle: QRFixture.ourAE, acceptsAnyTransferSyntax: true, timeouts: timeouts),
            services: [VerificationSCP(), storage])
        addTeardownBlock { await listener.close() }
        let server = try QRFixture.orthanc(self, ourPort: listener.port)
        let paths = try QRFixture.files(under: QRFixture.tinyAlpha)
        XCTAssertEqual(paths.count, 50)
        try await QRFixture.store(paths, into: server)
        let study = try XCTUnwrap(try Part10Reader.read(path: paths[0], options: .headerOnly).dataSet.string(.studyInstanceUID))
        return (server, listener, paths, study)
    }

    func studyIdentifier(_ uid: String) throws -> DataSet { try QueryKeys(level: .study, studyInstanceUID: uid).retrieveIdentifier() }

    /// Each received file's data set bytes equal those of Orthanc's copy of the same instance.
    func assertSameAsOrthanc(_ spool: URL, _ server: OrthancServer, count: Int) async throws {
        let received = try FileManager.default.contentsOfDirectory(atPath: spool.path).filter { $0.hasSuffix(".dcm") }
        XCTAssertEqual(received.count, count)
        for name in received {
            let ours = [UInt8](try Data(contentsOf: spool.appendingPathComponent(name)))
            let uid = try XCTUnwrap(try Part10Reader.read(bytes: ours, options: .headerOnly).dataSet.string(.sopInstanceUID))
            let theirs = try await QRFixture.orthancFile(server, uid: uid)
            XCTAssertTrue(try QRFixture.dataSetBytes(ours) == QRFixture.dataSetBytes(theirs), "data set of \(uid) differs from Orthanc's")
        }
    }

    func testRetrieveIdentifierHasOnlyUniqueKeys() throws {
        let ds = try QueryKeys(level: .series, patientName: "X*", modality: "CT", studyInstanceUID: "1.2.3", seriesInstanceUID: "1.2.3.4")
            .retrieveIdentifier()
        XCTAssertEqual(ds.map(\.tag), [.queryRetrieveLevel, .studyInstanceUID, .seriesInstanceUID])
        XCTAssertEqual(ds.string(.queryRetrieveLevel), "SERIES")
    }

    /// A stale Command Group Length (DCMTK's responses with an Error Comment) is read on an association, refused by the strict decoder.
    func testStaleCommandGroupLengthIsRead() throws {
        let rsp = CGetRSP(DIMSEResponseFields(respondingTo: 1, status: .cannotUnderstand, errorComment: "no such study"), subOperations: SubOperationCounts())
        var bytes = DIMSEMessage.cGetRSP(rsp).encode()
        bytes[8] = bytes[8] &- 22
        bytes += [0x08, 0x00, 0x58, 0x00, 4, 0, 0, 0] + Array("1.2 ".utf8)  // Failed SOP Instance UID List inside the command
        XCTAssertThrowsError(try CommandSet.decode(bytes))
        let m = try DIMSEMessage(commandSet: CommandSet.decode(bytes, lenient: true))
        XCTAssertEqual(m.response?.errorComment, "no such study")
        XCTAssertEqual(m.response?.status, .cannotUnderstand)
        XCTAssertEqual(try CommandSet.decode(bytes, lenient: true).statusDetail.strings(.failedSOPInstanceUIDList), ["1.2"])
    }

    func testMoveStudyToOurSCP() async throws {
        let spool = try tempDir("move")
        let (server, _, _, study) = try await setUpArchive(storage: StorageSCP(spool: spool.path))
        let result = try await RetrieveSCU.move(
            try studyIdentifier(study), model: .studyRoot, destination: QRFixture.ourAE, host: "127.0.0.1", port: server.dicomPort,
            callingAETitle: QRFixture.ourAE, calledAETitle: "ORTHANC", timeouts: timeouts)
        let final = try XCTUnwrap(result.final)
        XCTAssertEqual(final.status, .success)
        XCTAssertEqual(final.subOperations.completed, 50)
        XCTAssertEqual(final.subOperations.failed ?? 0, 0)
        let pending = result.responses.dropLast()
        XCTAssertTrue(pending.allSatisfy { $0.status == .pending })
        XCTAssertEqual(pending.compactMap(\.subOperations.remaining), pending.compactMap(\.subOperations.remaining).sorted(by: >))
        try await assertSameAsOrthanc(spool, server, count: 50)
    }

    /// An unknown Move Destination: Orthanc answers C000 (not A801), with its status detail inside the command, and sends nothing.
    func testMoveToUnknownDestination() async throws {
        let spool = try tempDir("move-unknown-dest")
        let (server, _, _, study) = try await setUpArchive(storage: StorageSCP(spool: spool.path))
        let result = try await RetrieveSCU.move(
            try studyIdentifier(study), model: .studyRoot, destination: "NOBODY", host: "127.0.0.1", port: server.dicomPort,
            callingAETitle: QRFixture.ourAE, calledAETitle: "ORTHANC", timeouts: timeouts)
        XCTAssertEqual(result.final?.status, .cannotUnderstand)
        XCTAssertEqual(result.responses.count, 1)
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: spool.path), [])
    }

    /// A study Orthanc does not have: Orthanc answers C000 (unable to process), no sub-operation, nothing arrives.
    func testMoveUnknownStudy() async throws {
        let spool = try tempDir("move-unknown")
        let (server, _, _, _) = try await setUpArchive(storage: StorageSCP(spool: spool.path))
        let result = try await RetrieveSCU.move(
            try studyIdentifier("1.2.826.0.1.3680043.10.1234.999"), model: .studyRoot, destination: QRFixture.ourAE, host: "127.0.0.1",
            port: server.dicomPort, callingAETitle: QRFixture.ourAE, calledAETitle: "ORTHANC", timeouts: timeouts)
        XCTAssertEqual(result.final?.status, .cannotUnderstand)
        XCTAssertEqual(result.final?.subOperations.completed ?? 0, 0)
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: spool.path), [])
    }

    /// C-CANCEL after the first completed sub-operation while the destination holds the next store: Cancel (FE00), not all sent.
    func testMoveCancelled() async throws {
        let spool = try tempDir("move-cancel")
        let storage = TestStorage(spool: spool.path, gated: true)
        let (server, _, _, study) = try await setUpArchive(storage: storage)
        let association = try await Association.connect(
            host: "127.0.0.1", port: server.dicomPort, callingAETitle: QRFixture.ourAE, calledAETitle: "ORTHANC",
            contexts: RetrieveSCU.moveContexts(model: .studyRoot), timeouts: timeouts)
        let op = try await association.move(try studyIdentifier(study), model: .studyRoot, destination: QRFixture.ourAE)
        var final: RetrieveResponse?
        var cancelled = false
        for try await event in op {
            guard case .response(let r) = event else { continue }
            if r.isFinal {
                final = r
            } else if !cancelled {
                try await op.cancel()
                storage.open()
                cancelled = true
            }
        }
        try await association.release()
        XCTAssertEqual(final?.status, .cancel)
        XCTAssertLessThan(Int(final?.subOperations.completed ?? 50), 50)
        XCTAssertGreaterThan(Int(final?.subOperations.remaining ?? 0), 0)
    }

    func testGetStudyOnTheSameAssociation() async throws {
        let spool = try tempDir("get")
        let (server, _, _, study) = try await setUpArchive(storage: VerificationSCP())
        let result = try await RetrieveSCU.get(
            try studyIdentifier(study), model: .studyRoot, storage: StorageSCP(spool: spool.path), host: "127.0.0.1", port: server.dicomPort,
            callingAETitle: QRFixture.ourAE, calledAETitle: "ORTHANC", timeouts: timeouts)
        XCTAssertEqual(result.final?.status, .success)
        XCTAssertEqual(result.final?.subOperations.completed, 50)
        XCTAssertEqual(result.received.count, 50)
        XCTAssertTrue(result.received.allSatisfy { $0.status == .success })
        try await assertSameAsOrthanc(spool, server, count: 50)
    }

    /// Three stores refused by us: Orthanc ends with B000 and counts them failed.
    func testGetWithRefusedStoresEndsWithWarning() async throws {
        let spool = try tempDir("get-b000")
        let (server, _, _, study) = try await setUpArchive(storage: VerificationSCP())
        let n = RetrieveSCU.getNegotiation(model: .studyRoot)
        let association = try await Association.connect(
            host: "127.0.0.1", port: server.dicomPort, callingAETitle: QRFixture.ourAE, calledAETitle: "ORTHANC", contexts: n.contexts,
            timeouts: timeouts, roleSelections: n.roleSelections)
        var responses: [RetrieveResponse] = [], stored: [ReceivedInstance] = []
        for try await event in try await association.get(try studyIdentifier(study), model: .studyRoot, storage: TestStorage(spool: spool.path, refuse: 3)) {
            switch event {
            case .response(let r): responses.append(r)
            case .stored(let s): stored.append(s)
            }
        }
        try await association.release()
        XCTAssertEqual(responses.last?.status, .coercionOfDataElements)  // B000: sub-operations complete, one or more failures
        XCTAssertEqual(responses.last?.subOperations.failed, 3)
        XCTAssertEqual(responses.last?.subOperations.completed, 47)
        XCTAssertEqual(stored.filter { $0.status == .outOfResources }.count, 3)
        XCTAssertEqual(Set(responses.last?.failedSOPInstanceUIDs ?? []), Set(stored.filter { $0.status == .outOfResources }.map(\.sopInstanceUID)))
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: spool.path).count, 47)
    }

    /// No storage context for the study's SOP class (CT): no sub-operation can run, Orthanc ends with a failure.
    func testGetWithoutStorageContextFails() async throws {
        let spool = try tempDir("get-fail")
        let (server, _, _, study) = try await setUpArchive(storage: VerificationSCP())
        let result = try await RetrieveSCU.get(
            try studyIdentifier(study), model: .studyRoot, storage: StorageSCP(spool: spool.path), host: "127.0.0.1", port: server.dicomPort,
            callingAETitle: QRFixture.ourAE, calledAETitle: "ORTHANC", storageSOPClasses: ["1.2.840.10008.5.1.4.1.1.1"], timeouts: timeouts)
        let final = try XCTUnwrap(result.final)
        XCTAssertEqual(final.status.kind, .failure, "\(final.status)")
        XCTAssertEqual(result.received.count, 0)
    }

    /// C-CANCEL after the first instance, sent before the second is answered: Cancel (FE00), the rest not sent.
    func testGetCancelled() async throws {
        let spool = try tempDir("get-cancel")
        let (server, _, _, study) = try await setUpArchive(storage: VerificationSCP())
        let result = try await RetrieveSCU.get(
            try studyIdentifier(study), model: .studyRoot, storage: StorageSCP(spool: spool.path), host: "127.0.0.1", port: server.dicomPort,
            callingAETitle: QRFixture.ourAE, calledAETitle: "ORTHANC", cancelAfter: 1, timeouts: timeouts)
        XCTAssertEqual(result.final?.status, .cancel)
        XCTAssertLessThan(result.received.count, 50)
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: spool.path).count, result.received.count)
    }
}
