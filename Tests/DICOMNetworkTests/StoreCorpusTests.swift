import DICOMCore
import DICOMIO
import DICOMNetwork
import Foundation
import TestSupport
import XCTest

/// Every corpus instance by C-STORE to a peer announcing a Maximum Length of 4 KiB, 16 KiB, 1 MiB and 0 = unlimited (pynetdicom, which
/// takes every transfer syntax), and at 4 and 16 KiB to storescp +B +xa: the data set bytes received equal the file's after its File
/// Meta (PS3.8 §D.1; an odd deflated one padded with 00H, PS3.5 §A.5).
enum CorpusStore {
    /// The corpus's Part 10 instances (DICOMDIRs and the one file without a File Meta left out), in batches of at most 40 whose SOP
    /// Instance UIDs differ (the corpus has copies of one instance in several syntaxes), so each received file names one sent file.
    static func batches() throws -> [[(path: String, uid: String)]] {
        var batches: [[(path: String, uid: String)]] = []
        for path in try Corpus.files() {
            guard let file = try? Part10Reader.read(path: path, options: .headerOnly), !file.fileMeta.isEmpty,
                file.fileMeta.string(.mediaStorageSOPClassUID) != UID.mediaStorageDirectoryStorage,
                let uid = file.dataSet.string(.sopInstanceUID)
            else { continue }
            if let i = batches.firstIndex(where: { $0.count < 40 && !$0.contains { $0.uid == uid } }) {
                batches[i].append((path, uid))
            } else {
                batches.append([(path, uid)])
            }
        }
        return batches
    }

    /// Sends each batch on its own association and checks it against what `received(outputFolder, uid)` gives, the folder emptied
    /// between batches. Results the peer refused for want of a context are returned, not checked.
    static func sendAndCheck(
        port: Int, calledAETitle: String, out: URL, label: String, received: (URL, String) throws -> [UInt8]?
    ) async throws -> [StoreResult] {
        var count = 0
        var refused: [StoreResult] = []
        for batch in try batches() {
            let results = try await StorageSCU.send(
                files: batch.map(\.path), host: "127.0.0.1", port: port, callingAETitle: "OURSCU", calledAETitle: calledAETitle,
                timeouts: StoreTests.timeouts)
            XCTAssertEqual(results.count, batch.count, label)
            for r in results {
                count += 1
                if r.status == nil, r.error?.code == .noAcceptedContext {
                    refused.append(r)
                    continue
                }
                try check(r, label: label) { try received(out, $0) }
            }
            for name in try FileManager.default.contentsOfDirectory(atPath: out.path) {
                try FileManager.default.removeItem(at: out.appendingPathComponent(name))
            }
        }
        XCTAssertGreaterThan(count, 200, "\(label): the corpus has over 200 instances")
        return refused
    }

    /// Stored, not re-encoded, and the bytes received equal the data set bytes sent.
    static func check(_ r: StoreResult, label: String, received: (String) throws -> [UInt8]?) throws {
        XCTAssertTrue(r.isStored, "\(label): \(r.path): \(String(describing: r.status)) \(String(describing: r.error))")
        XCTAssertFalse(r.reencoded, "\(label): \(r.path) was re-encoded")
        guard r.isStored, let uid = r.sopInstanceUID else { return }
        let bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: r.path)))
        var sent = Array(bytes[try Part10Reader.read(bytes: bytes, options: .headerOnly).dataSetOffset...])
        if sent.count % 2 == 1 { sent.append(0) }
        let got = try received(uid)
        XCTAssertNotNil(got, "\(label): nothing received for \(r.path)")
        if let got { XCTAssertTrue(got == sent, "\(label): \(r.path): \(got.count) bytes received, \(sent.count) sent, not equal") }
    }
}

extension StoreTests {
    /// storescp +B +xa -pm at 4 KiB and 16 KiB: every corpus instance in a syntax DCMTK accepts arrives byte for byte; the others
    /// (retired JPEG processes storescp does not take) are refused as such, never sent re-encoded from a compressed syntax.
    func testEveryCorpusInstanceToStorescpAt4And16KiB() async throws {
        try Corpus.require()
        for maxPDU in [4096, 16384] {
            let out = try tempDir("store-corpus-\(maxPDU)")
            let port = try Loopback.freePort()
            let scp = try Loopback.startPeer(
                "storescp", ["-aet", "STORESCP", "-od", out.path, "+B", "+xa", "-pm", "-pdu", String(maxPDU), String(port)], port: port)
            defer { Loopback.stop(scp) }
            let refused = try await CorpusStore.sendAndCheck(port: port, calledAETitle: "STORESCP", out: out, label: "storescp -pdu \(maxPDU)") {
                out, uid in try files(in: out).first { $0.hasSuffix("." + uid) }.map(dataSetBytes)
            }
            let retired: Set = ["1.2.840.10008.1.2.4.53", "1.2.840.10008.1.2.4.55", "1.2.840.10008.1.2.4.57"]
            for r in refused {
                let syntax = try Part10Reader.read(path: r.path, options: .headerOnly).transferSyntax.uid
                XCTAssertTrue(retired.contains(syntax), "storescp refused \(r.path) in \(syntax)")
            }
        }
    }
}

extension TransportPeerTests {
    /// pynetdicom announcing 4 KiB, 16 KiB, 1 MiB and 0 (no limit), every transfer syntax accepted: every corpus instance arrives
    /// byte for byte.
    func testEveryCorpusInstanceToPynetdicomAtEveryMaximumLength() async throws {
        for maxPDU in [4096, 16384, 1 << 20, 0] {
            let out = try tempDir("pynetdicom-corpus-\(maxPDU)")
            let port = try Loopback.freePort()
            let scp = try startSCP(["store-scp", String(port), out.path, String(maxPDU)], port: port)
            defer { stop(scp) }
            let refused = try await CorpusStore.sendAndCheck(port: port, calledAETitle: "PYSCP", out: out, label: "pynetdicom max PDU \(maxPDU)") {
                out, uid in
                let url = out.appendingPathComponent(uid)
                return FileManager.default.fileExists(atPath: url.path) ? [UInt8](try Data(contentsOf: url)) : nil
            }
            XCTAssertEqual(refused.map(\.path), [], "pynetdicom takes every syntax")
        }
    }
}
