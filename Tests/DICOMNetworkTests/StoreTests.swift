import DICOMCore
import DICOMIO
import DICOMNetwork
import Foundation
import TestSupport
import XCTest

/// C-STORE both ways: our SCU to DCMTK's storescp +B (data set bytes identical), storescu and our SCU to our SCP (PS3.4 Annex B).
final class StoreTests: XCTestCase {
    static let timeouts = AssociationTimeouts(connect: .seconds(5), artim: .seconds(2), idle: .seconds(20))
    static let ct = "cornerstone3D/testImages/CTImage.dcm"
    static let syntaxVariants = [
        "", "_LittleEndianExplicitTransferSyntax_1.2.840.10008.1.2.1.dcm", "_BigEndianExplicitTransferSyntax_1.2.840.10008.1.2.2.dcm",
        "_DeflatedExplicitVRLittleEndianTransferSyntax_1.2.840.10008.1.2.1.99.dcm", "_JPEGProcess1TransferSyntax_1.2.840.10008.1.2.4.50.dcm",
        "_JPEG2000TransferSyntax_1.2.840.10008.1.2.4.91.dcm", "_RLELosslessTransferSyntax_1.2.840.10008.1.2.5.dcm",
        "_JPEGLSLosslessTransferSyntax_1.2.840.10008.1.2.4.80.dcm",
    ]

    /// The data set bytes of a Part 10 file: everything after its File Meta.
    func dataSetBytes(_ path: String) throws -> [UInt8] {
        let bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
        let file = try Part10Reader.read(bytes: bytes, path: path, options: .headerOnly)
        return Array(bytes[file.dataSetOffset...])
    }

    /// The bytes a C-STORE of this file carries: its data set, a deflated one of odd length padded with 00H (PS3.5 §A.5).
    func sentBytes(_ path: String) throws -> [UInt8] {
        let bytes = try dataSetBytes(path)
        return bytes.count % 2 == 1 ? bytes + [0] : bytes
    }

    func files(in dir: URL) throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: dir.path).filter { !$0.hasPrefix(".") }.sorted().map { dir.appendingPathComponent($0).path }
    }

    func startStorescp(_ out: URL, maxPDU: Int) throws -> (Process, Int) {
        let port = try Loopback.freePort()
        let p = try Loopback.startPeer("storescp", ["-aet", "STORESCP", "-od", out.path, "+B", "+xa", "-pdu", String(maxPDU), String(port)], port: port)
        return (p, port)
    }

    /// Each transfer syntax: the bytes storescp +B received equal the file's bytes after its File Meta, with a 4 KiB peer PDU.
    func testStoreSCUToStorescpSendsDataSetVerbatim() async throws {
        try Corpus.require()
        let out = try tempDir("store-scu")
        let (scp, port) = try startStorescp(out, maxPDU: 4096)
        defer { Loopback.stop(scp) }
        for variant in Self.syntaxVariants {
            let path = try Corpus.path(Self.ct + variant)
            let results = try await StorageSCU.send(
                files: [path], host: "127.0.0.1", port: port, callingAETitle: "OURSCU", calledAETitle: "STORESCP", timeouts: Self.timeouts)
            XCTAssertEqual(results.count, 1)
            let r = try XCTUnwrap(results.first)
            XCTAssertEqual(r.status, .success, "\(variant): \(String(describing: r.error))")
            XCTAssertFalse(r.reencoded, variant)
            let received = try files(in: out)
            XCTAssertEqual(received.count, 1, variant)
            guard let got = received.first else { continue }
            XCTAssertTrue(try dataSetBytes(got) == sentBytes(path), "data set bytes differ for \(variant)")
            try FileManager.default.removeItem(atPath: got)
        }
    }

    /// Several instances on one association, each confirmed, each received byte for byte.
    func testStoreSCUOneAssociationManyFiles() async throws {
        try Corpus.require()
        let out = try tempDir("store-scu-many")
        let (scp, port) = try startStorescp(out, maxPDU: 16384)
        defer { Loopback.stop(scp) }
        let paths = try ["clunie-charset-fileset/SCSARAB", "clunie-charset-fileset/SCSFREN", "clunie-charset-fileset/SCSGERM", Self.ct].map(Corpus.path)
        let results = try await StorageSCU.send(
            files: paths, host: "127.0.0.1", port: port, callingAETitle: "OURSCU", calledAETitle: "STORESCP", timeouts: Self.timeouts)
        XCTAssertEqual(results.map(\.isStored), [true, true, true, true], "\(results.map { String(describing: $0.error) })")
        for r in results {
            let uid = try XCTUnwrap(r.sopInstanceUID)
            let got = try XCTUnwrap(try files(in: out).first { $0.hasSuffix(uid) }, "storescp has no file for \(uid)")
            XCTAssertTrue(try dataSetBytes(got) == dataSetBytes(r.path))
        }
    }

    func ourSCP(_ spool: URL, maximumLengthReceived: UInt32 = 65536) async throws -> AssociationListener {
        try await AssociationListener.bind(
            port: 0,
            policy: AcceptorPolicy(
                aeTitle: "OURSCP", acceptsAnyTransferSyntax: true, maximumLengthReceived: maximumLengthReceived, timeouts: Self.timeouts),
            services: [VerificationSCP(), StorageSCP(spool: spool.path)])
    }

    /// storescu to our SCP: the instance is written with a File Meta, readable by dcmdump, its data set as storescp +B keeps it.
    func testStorescuToOurSCP() async throws {
        try Corpus.require()
        let spool = try tempDir("store-scp")
        let reference = try tempDir("store-scp-ref")
        let scp = try await ourSCP(spool)
        defer { Task { await scp.close() } }
        let (dcmtk, port) = try startStorescp(reference, maxPDU: 16384)
        defer { Loopback.stop(dcmtk) }
        let path = try Corpus.path("clunie-charset-fileset/SCSFREN")
        let sent = try runProcess("storescu", ["-aet", "STORESCU", "-aec", "OURSCP", "127.0.0.1", String(scp.port), path])
        XCTAssertEqual(sent.status, 0, sent.output)
        let refSent = try runProcess("storescu", ["-aet", "STORESCU", "-aec", "STORESCP", "127.0.0.1", String(port), path])
        XCTAssertEqual(refSent.status, 0, refSent.output)
        let stored = try files(in: spool)
        XCTAssertEqual(stored.count, 1)
        let ours = try XCTUnwrap(stored.first)
        XCTAssertEqual(try runProcess("dcmdump", [ours]).status, 0)
        let file = try Part10Reader.read(path: ours, options: .headerOnly)
        XCTAssertEqual(file.fileMeta.string(.sourceApplicationEntityTitle), "STORESCU")
        XCTAssertEqual(file.fileMeta.string(.implementationClassUID), Implementation.classUID)
        XCTAssertEqual(file.fileMeta.string(.mediaStorageSOPInstanceUID), file.dataSet.string(.sopInstanceUID))
        let ref = try XCTUnwrap(try files(in: reference).first)
        XCTAssertTrue(try dataSetBytes(ours) == dataSetBytes(ref), "our SCP's data set differs from storescp +B's copy of the same send")
    }

    /// Our SCU to our SCP with a 4 KiB PDU both ways, in each uncompressed and a compressed syntax: bytes kept.
    func testOurSCUToOurSCP() async throws {
        try Corpus.require()
        let spool = try tempDir("store-ours")
        let scp = try await ourSCP(spool, maximumLengthReceived: 4096)
        defer { Task { await scp.close() } }
        for variant in Self.syntaxVariants.prefix(6) {
            let path = try Corpus.path(Self.ct + variant)
            let results = try await StorageSCU.send(
                files: [path], host: "127.0.0.1", port: scp.port, callingAETitle: "OURSCU", calledAETitle: "OURSCP", maximumLengthReceived: 4096,
                timeouts: Self.timeouts)
            XCTAssertEqual(results.first?.status, .success, variant)
            let stored = try XCTUnwrap(try files(in: spool).first)
            XCTAssertTrue(try dataSetBytes(stored) == sentBytes(path), variant)
            try FileManager.default.removeItem(atPath: stored)
        }
    }

    /// An SCP that takes only Explicit VR LE gets an Implicit VR LE file re-encoded losslessly; a compressed one fails per instance.
    func testReencodingAndNoUsableContext() async throws {
        try Corpus.require()
        let spool = try tempDir("store-reencode")
        let scp = try await AssociationListener.bind(
            port: 0, policy: AcceptorPolicy(aeTitle: "OURSCP", transferSyntaxPreference: [TransferSyntax.explicitVRLittleEndian.uid], timeouts: Self.timeouts),
            services: [StorageSCP(spool: spool.path)])
        defer { Task { await scp.close() } }
        let implicit = try Corpus.path(Self.ct)
        let jpeg = try Corpus.path(Self.ct + "_JPEGProcess1TransferSyntax_1.2.840.10008.1.2.4.50.dcm")
        let results = try await StorageSCU.send(
            files: [implicit, jpeg], host: "127.0.0.1", port: scp.port, callingAETitle: "OURSCU", calledAETitle: "OURSCP", timeouts: Self.timeouts)
        XCTAssertEqual(results.count, 2)
        XCTAssertEqual(results[0].status, .success)
        XCTAssertTrue(results[0].reencoded)
        XCTAssertEqual(results[0].transferSyntax, TransferSyntax.explicitVRLittleEndian.uid)
        XCTAssertNil(results[1].status)
        XCTAssertEqual(results[1].error?.code, .noAcceptedContext)
        let stored = try Part10Reader.read(path: try XCTUnwrap(try files(in: spool).first))
        let original = try Part10Reader.read(path: implicit)
        XCTAssertEqual(stored.transferSyntax, .explicitVRLittleEndian)
        XCTAssertEqual(stored.dataSet.removingFileMeta().map(\.tag), original.dataSet.removingFileMeta().map(\.tag))
        XCTAssertTrue(stored.dataSet[.pixelData]?.bytes == original.dataSet[.pixelData]?.bytes, "Pixel Data changed in re-encoding")
    }

    /// A data set whose SOP Instance UID is not the command's is refused (A900) and nothing is written.
    func testMismatchedSOPInstanceIsRefused() async throws {
        try Corpus.require()
        let spool = try tempDir("store-mismatch")
        let scp = try await ourSCP(spool)
        defer { Task { await scp.close() } }
        let path = try Corpus.path(Self.ct)
        let file = try Part10Reader.read(path: path, options: .headerOnly)
        let sopClass = try XCTUnwrap(file.dataSet.string(.sopClassUID))
        let a = try await Association.connect(
            host: "127.0.0.1", port: scp.port, callingAETitle: "OURSCU", calledAETitle: "OURSCP",
            contexts: [PresentationContextProposal(abstractSyntax: sopClass, transferSyntaxes: [file.transferSyntax.uid])], timeouts: Self.timeouts)
        let context = try XCTUnwrap(a.context(for: sopClass))
        let rq = CStoreRQ(messageID: await a.nextMessageID(), affectedSOPClassUID: sopClass, affectedSOPInstanceUID: "1.2.3.4.5")
        let responses = try await a.request(.cStoreRQ(rq), dataSet: try dataSetBytes(path), contextID: context.id)
        XCTAssertEqual(responses.last?.message.response?.status, .dataSetDoesNotMatchSOPClass)
        try await a.release()
        XCTAssertEqual(try files(in: spool), [])
    }

    func testFileNamesNeverEscapeTheSpool() {
        XCTAssertEqual(StorageSCP.fileName(sopInstanceUID: "1.2.840.113619.2.1"), "1.2.840.113619.2.1.dcm")
        for hostile in ["../../etc/passwd", "..", "/abs/path", "1.2/../3", ""] {
            let name = StorageSCP.fileName(sopInstanceUID: hostile)
            XCTAssertFalse(name.contains("/"), name)
            XCTAssertTrue(name.hasPrefix("x"), name)
        }
    }
}
