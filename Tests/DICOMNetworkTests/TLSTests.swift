import DICOMCore
import DICOMIO
import DICOMNetwork
import Foundation
import TestSupport
import XCTest

/// DICOM TLS (PS3.15 §B.1) on our SCU and listener, with DCMTK's storescp and echoscu (`+tls`), certificates made by openssl
/// in the test's folder: a CA, a server and a client certificate it signs, and a second CA nobody trusts.
final class TLSTests: XCTestCase {
    let timeouts = AssociationTimeouts(connect: .seconds(5), artim: .seconds(5), idle: .seconds(20))

    struct PKI {
        var dir: String
        func path(_ name: String) -> String { dir + "/" + name }
        var server: TLSOptions { TLSOptions(caFile: path("ca.crt"), certificateFile: path("server.crt"), privateKeyFile: path("server.key")) }
        var client: TLSOptions { TLSOptions(caFile: path("ca.crt"), certificateFile: path("client.crt"), privateKeyFile: path("client.key")) }
    }

    func makePKI() throws -> PKI {
        let pki = PKI(dir: try tempDir("tls").path)
        func openssl(_ args: [String]) throws {
            let r = try runProcess("openssl", args)
            guard r.status == 0 else { throw TestFailure("openssl \(args.first ?? "") failed: \(r.output)") }
        }
        let leaf = "basicConstraints=CA:FALSE\nkeyUsage=digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth,clientAuth\n"
        try (leaf + "subjectAltName=IP:127.0.0.1,DNS:localhost\n").write(toFile: pki.path("leaf.ext"), atomically: true, encoding: .utf8)
        for ca in ["ca", "other-ca"] {
            try openssl([
                "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", pki.path("\(ca).key"), "-out", pki.path("\(ca).crt"), "-days", "2",
                "-subj", "/CN=dicom-media test \(ca)",
            ])
        }
        for name in ["server", "client"] {
            try openssl(["req", "-newkey", "rsa:2048", "-nodes", "-keyout", pki.path("\(name).key"), "-out", pki.path("\(name).csr"), "-subj", "/CN=localhost"])
            try openssl([
                "x509", "-req", "-in", pki.path("\(name).csr"), "-CA", pki.path("ca.crt"), "-CAkey", pki.path("ca.key"), "-CAcreateserial", "-out",
                pki.path("\(name).crt"), "-days", "2", "-extfile", pki.path("leaf.ext"),
            ])
        }
        // A server certificate for another host, signed by the same CA.
        try (leaf + "subjectAltName=DNS:elsewhere.example\n").write(toFile: pki.path("elsewhere.ext"), atomically: true, encoding: .utf8)
        try openssl(["req", "-newkey", "rsa:2048", "-nodes", "-keyout", pki.path("elsewhere.key"), "-out", pki.path("elsewhere.csr"), "-subj", "/CN=elsewhere"])
        try openssl([
            "x509", "-req", "-in", pki.path("elsewhere.csr"), "-CA", pki.path("ca.crt"), "-CAkey", pki.path("ca.key"), "-CAcreateserial", "-out",
            pki.path("elsewhere.crt"), "-days", "2", "-extfile", pki.path("elsewhere.ext"),
        ])
        return pki
    }

    func listener(_ pki: PKI, spool: String? = nil) async throws -> AssociationListener {
        let services: [any DIMSEServiceProvider] = [VerificationSCP()] + (spool.map { [StorageSCP(spool: $0)] } ?? [])
        let l = try await AssociationListener.bind(
            port: 0, policy: AcceptorPolicy(aeTitle: "TLSSCP", acceptsAnyTransferSyntax: true, timeouts: timeouts), services: services, tls: pki.server)
        addTeardownBlock { await l.close() }
        return l
    }

    func echo(port: Int, tls: TLSOptions?) async throws -> DIMSEStatus {
        let a = try await Association.connect(
            host: "127.0.0.1", port: port, callingAETitle: "TLSSCU", calledAETitle: "TLSSCP", contexts: [Association.verificationContext],
            timeouts: timeouts, tls: tls)
        let status = try await a.echo()
        try await a.release()
        return status
    }

    func assertTLSFailure(_ body: () async throws -> Void, file: StaticString = #filePath, line: UInt = #line) async {
        do {
            try await body()
            XCTFail("expected tls-failed", file: file, line: line)
        } catch let e as NetworkError {
            XCTAssertEqual(e.code, .tlsFailed, "\(e)", file: file, line: line)
        } catch {
            XCTFail("not a NetworkError: \(error)", file: file, line: line)
        }
    }

    func testEchoBetweenOurSCUAndListener() async throws {
        let pki = try makePKI()
        let l = try await listener(pki)
        let status = try await echo(port: l.port, tls: pki.client)
        XCTAssertEqual(status, .success)
    }

    /// Each way a handshake fails is one `tls-failed` error: a CA that did not sign the server, no client certificate where one
    /// is required, a key file that cannot be read.
    func testFailuresAreTLSFailed() async throws {
        let pki = try makePKI()
        let l = try await listener(pki)
        var wrongCA = pki.client
        wrongCA.caFile = pki.path("other-ca.crt")
        await assertTLSFailure { _ = try await self.echo(port: l.port, tls: wrongCA) }
        await assertTLSFailure { _ = try await self.echo(port: l.port, tls: TLSOptions(caFile: pki.path("ca.crt"))) }
        var missingKey = pki.client
        missingKey.privateKeyFile = pki.path("missing.key")
        await assertTLSFailure { _ = try await self.echo(port: l.port, tls: missingKey) }
        // Plain DICOM to a TLS listener: no association (the bytes are not a TLS hello).
        do {
            _ = try await echo(port: l.port, tls: nil)
            XCTFail("plain DICOM was accepted by a TLS listener")
        } catch is NetworkError {}
    }

    /// A server certificate for another host fails host verification; with `verifyPeer` off the same connection is made.
    func testHostVerification() async throws {
        let pki = try makePKI()
        let elsewhere = TLSOptions(certificateFile: pki.path("elsewhere.crt"), privateKeyFile: pki.path("elsewhere.key"))
        let l = try await AssociationListener.bind(
            port: 0, policy: AcceptorPolicy(aeTitle: "TLSSCP", timeouts: timeouts), services: [VerificationSCP()], tls: elsewhere)
        addTeardownBlock { await l.close() }
        await assertTLSFailure { _ = try await self.echo(port: l.port, tls: TLSOptions(caFile: pki.path("ca.crt"))) }
        let status = try await echo(port: l.port, tls: TLSOptions(caFile: pki.path("ca.crt"), verifyPeer: false))
        XCTAssertEqual(status, .success)
    }

    /// Our SCU to DCMTK's storescp +tls (client certificate required): stored, the data set bytes as sent.
    func testStoreToStorescpOverTLS() async throws {
        try Corpus.require()
        let pki = try makePKI()
        let out = try tempDir("tls-storescp")
        let port = try Loopback.freePort()
        let scp = try Loopback.startPeer(
            "storescp",
            ["-aet", "TLSSCP", "-od", out.path, "+B", "+tls", pki.path("server.key"), pki.path("server.crt"), "-pw", "+cf", pki.path("ca.crt"), String(port)],
            port: port)
        addTeardownBlock { Loopback.stop(scp) }
        let path = try Corpus.path("pydicom-3.0.2/test_files/CT_small.dcm")
        let association = try await Association.connect(
            host: "127.0.0.1", port: port, callingAETitle: "TLSSCU", calledAETitle: "TLSSCP", contexts: StorageSCU.proposals(forFiles: [path]),
            timeouts: timeouts, tls: pki.client)
        let result = try await StorageSCU.store(path, on: association)
        try await association.release()
        XCTAssertEqual(result.status, .success, "\(String(describing: result.error))")
        let received = try XCTUnwrap(try FileManager.default.contentsOfDirectory(atPath: out.path).first)
        let got = [UInt8](try Data(contentsOf: out.appendingPathComponent(received)))
        let sent = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
        XCTAssertTrue(try QRFixture.dataSetBytes(got) == QRFixture.dataSetBytes(sent))
    }

    /// DCMTK's echoscu +tls to our TLS listener.
    func testEchoscuToOurListener() async throws {
        let pki = try makePKI()
        let l = try await listener(pki)
        let r = try runProcess(
            "echoscu",
            [
                "-aet", "TLSSCU", "-aec", "TLSSCP", "+tls", pki.path("client.key"), pki.path("client.crt"), "-pw", "+cf", pki.path("ca.crt"), "127.0.0.1",
                String(l.port),
            ])
        XCTAssertEqual(r.status, 0, r.output)
    }
}
