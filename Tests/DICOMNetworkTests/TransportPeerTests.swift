import DICOMCore
import DICOMIO
import DICOMNetwork
import Foundation
import TestSupport
import XCTest

/// pynetdicom as the peer: a 4 KiB maximum PDU both ways, and an A-ABORT in the middle of a transfer (PS3.8 §D.1, §9.3.8).
final class TransportPeerTests: XCTestCase {
    static let timeouts = AssociationTimeouts(connect: .seconds(5), artim: .seconds(2), idle: .seconds(20))
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/peers/pynetdicom_peer.py").path

    /// The project's venv Python with pynetdicom: skipped in the quick loop, a failure in the full run without it.
    func python() throws -> URL {
        try Corpus.require()
        let py = Self.root.appendingPathComponent(".venv/bin/python")
        let probe = try? runExecutable(py, ["-c", "import pynetdicom"])
        guard probe?.status == 0 else { throw TestFailure("pynetdicom is not in .venv: scripts/setup.sh installs it") }
        return py
    }

    /// Starts the script in an SCP mode; it listens until its standard input closes.
    func startSCP(_ args: [String], port: Int) throws -> (Process, Pipe) {
        let p = Process()
        p.executableURL = try python()
        p.arguments = [Self.script] + args
        let input = Pipe()
        p.standardInput = input
        p.standardOutput = FileHandle.nullDevice
        p.standardError = FileHandle.nullDevice
        try p.run()
        for _ in 0..<200 {
            if let fd = Loopback.connect(port) {
                close(fd)
                return (p, input)
            }
            usleep(50_000)
        }
        throw TestFailure("pynetdicom did not listen on \(port)")
    }

    func stop(_ scp: (Process, Pipe)) {
        try? scp.1.fileHandleForWriting.close()
        Loopback.stop(scp.0)
    }

    func dataSetBytes(_ path: String) throws -> [UInt8] {
        let bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
        return Array(bytes[try Part10Reader.read(bytes: bytes, options: .headerOnly).dataSetOffset...])
    }

    func testStoreToPynetdicomWith4KiBPDU() async throws {
        let out = try tempDir("pynetdicom-scp")
        let port = try Loopback.freePort()
        let scp = try startSCP(["store-scp", String(port), out.path, "4096"], port: port)
        defer { stop(scp) }
        let path = try Corpus.path("cornerstone3D/testImages/CTImage.dcm_JPEG2000TransferSyntax_1.2.840.10008.1.2.4.91.dcm")
        let results = try await StorageSCU.send(
            files: [path], host: "127.0.0.1", port: port, callingAETitle: "OURSCU", calledAETitle: "PYSCP", maximumLengthReceived: 4096,
            timeouts: Self.timeouts)
        let r = try XCTUnwrap(results.first)
        XCTAssertEqual(r.status, .success, String(describing: r.error))
        let got = [UInt8](try Data(contentsOf: out.appendingPathComponent(try XCTUnwrap(r.sopInstanceUID))))
        XCTAssertTrue(try got == dataSetBytes(path))
    }

    func testPynetdicomStoresToOurSCPWith4KiBPDU() async throws {
        let py = try python()
        let spool = try tempDir("pynetdicom-scu")
        let scp = try await AssociationListener.bind(
            port: 0,
            policy: AcceptorPolicy(aeTitle: "OURSCP", acceptsAnyTransferSyntax: true, maximumLengthReceived: 4096, timeouts: Self.timeouts),
            services: [StorageSCP(spool: spool.path)])
        defer { Task { await scp.close() } }
        let path = try Corpus.path("cornerstone3D/testImages/CTImage.dcm_RLELosslessTransferSyntax_1.2.840.10008.1.2.5.dcm")
        let r = try runExecutable(py, [Self.script, "store-scu", String(scp.port), path, "4096"])
        XCTAssertTrue(r.stdout.contains("STATUS 0000"), r.stdout + r.stderr)
        let stored = try FileManager.default.contentsOfDirectory(atPath: spool.path).filter { $0.hasSuffix(".dcm") }
        XCTAssertEqual(stored.count, 1)
        // pydicom re-encodes what it sends, so the stored instance is checked by its identity and syntax, not against the file's bytes.
        let stored0 = try Part10Reader.read(path: spool.appendingPathComponent(try XCTUnwrap(stored.first)).path, options: .headerOnly)
        let original = try Part10Reader.read(path: path, options: .headerOnly)
        XCTAssertEqual(stored0.dataSet.string(.sopInstanceUID), original.dataSet.string(.sopInstanceUID))
        XCTAssertEqual(stored0.transferSyntax.uid, original.transferSyntax.uid)
        XCTAssertEqual(stored0.fileMeta.string(.sourceApplicationEntityTitle), "PYSCU")
    }

    func testAbortMidTransferIsReported() async throws {
        let port = try Loopback.freePort()
        let scp = try startSCP(["abort-scp", String(port)], port: port)
        defer { stop(scp) }
        let path = try Corpus.path("cornerstone3D/testImages/CTImage.dcm")
        do {
            let results = try await StorageSCU.send(
                files: [path], host: "127.0.0.1", port: port, callingAETitle: "OURSCU", calledAETitle: "PYSCP", timeouts: Self.timeouts)
            XCTFail("an aborted transfer reported \(results.map(\.status))")
        } catch let e as NetworkError {
            XCTAssertTrue([.associationAborted, .connectionClosed].contains(e.code), "\(e.code)")
        }
    }
}
