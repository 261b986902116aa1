import AsyncHTTPClient
import DICOMCore
import DICOMIO
import DICOMNetwork
import Foundation
import NIOCore
import TestSupport
import XCTest

/// DICOMweb against Orthanc on loopback (its own server per test, NETWORK.md §5): STOW-RS keeps the bytes,
/// QIDO-RS finds the study, WADO-RS `transfer-syntax=*` returns the bytes stowed, basic authentication.
final class WebOrthancTests: XCTestCase {
    static let files = ["CT_small.dcm", "MR_small.dcm", "rtplan.dcm"].map { "pydicom-3.0.2/test_files/" + $0 }

    func orthanc(users: [String: String]? = nil) throws -> OrthancServer {
        let server = try OrthancServer.start(users: users)
        addTeardownBlock { server.stop() }
        return server
    }

    /// A GET on Orthanc's REST API (POST when `body` is given): status and body.
    func rest(_ url: String, post body: String? = nil) async throws -> (Int, [UInt8]) { try await QRFixture.rest(url, post: body) }

    /// Orthanc's own copy of the instance `uid`, found by /tools/lookup.
    func storedFile(_ server: OrthancServer, uid: String) async throws -> [UInt8] {
        let (status, body) = try await rest(server.url + "/tools/lookup", post: uid)
        XCTAssertEqual(status, 200)
        guard case .array(let hits) = try JSONText.parse(body), case .object(let fields)? = hits.first,
            case .string(let id)? = fields.first(where: { $0.key == "ID" })?.value
        else { throw TestFailure("Orthanc does not know \(uid): \(String(decoding: body, as: UTF8.self))") }
        let (s, file) = try await rest(server.url + "/instances/\(id)/file")
        XCTAssertEqual(s, 200)
        return file
    }

    func testStowQidoWadoKeepTheBytes() async throws {
        let paths = try Self.files.map { try Corpus.path($0) }
        let server = try orthanc()
        let files = try paths.map { try Part10Reader.read(path: $0, options: .headerOnly) }
        let uids = files.map { $0.dataSet.string(.sopInstanceUID)! }

        let client = try DICOMwebClient(baseURL: server.dicomWebURL)
        do {
            // STOW-RS: 200, every instance in the Referenced SOP Sequence, none failed, Orthanc's file identical to ours.
            let result = try await client.store(files: paths)
            XCTAssertEqual(result.httpStatus, 200)
            XCTAssertTrue(result.allStored)
            XCTAssertEqual(Set(result.referenced.compactMap(\.sopInstanceUID)), Set(uids))
            XCTAssertEqual(
                result.referenced.map(\.sopClassUID),
                result.referenced.map { r in files.first { $0.dataSet.string(.sopInstanceUID) == r.sopInstanceUID }?.dataSet.string(.sopClassUID) })
            for (path, uid) in zip(paths, uids) {
                let stored = try await storedFile(server, uid: uid)
                XCTAssertEqual(stored, Array(try Data(contentsOf: URL(fileURLWithPath: path))), path)
            }

            // A duplicate is answered as stored (Orthanc keeps its first copy): what tells is the stored bytes, still ours.
            let again = try await client.store(files: [paths[0]])
            XCTAssertEqual(again.referenced.map(\.sopInstanceUID), [uids[0]])
            let kept = try await storedFile(server, uid: uids[0])
            XCTAssertEqual(kept, Array(try Data(contentsOf: URL(fileURLWithPath: paths[0]))))

            // QIDO-RS by PatientID finds the CT's study, decoded with its VRs.
            let ct = files[0].dataSet
            let studies = try await client.search(QIDOQuery(match: [("PatientID", ct.string(.patientID)!)], includeFields: ["PatientName"]))
            let study = try XCTUnwrap(studies.first { $0.string(.studyInstanceUID) == ct.string(.studyInstanceUID) })
            XCTAssertEqual(study[.patientID]?.vr, .LO)
            XCTAssertEqual(study[.studyInstanceUID]?.vr, .UI)
            XCTAssertEqual(study[.patientName]?.vr, .PN)
            XCTAssertEqual(study.personNames(.patientName)?.first?.alphabetic, ct.personNames(.patientName)?.first?.alphabetic)
            let none = try await client.search(QIDOQuery(match: [("PatientID", "NO-SUCH-PATIENT")]))
            XCTAssertEqual(none.count, 0)
            let instances = try await client.search(QIDOQuery(level: .instances(study: ct.string(.studyInstanceUID), series: nil)))
            XCTAssertEqual(instances.compactMap { $0.string(.sopInstanceUID) }, [uids[0]])

            // WADO-RS with transfer-syntax=*: the same bytes come back, written under the SOP Instance UID.
            let out = try tempDir("dicom-media-wado").path
            addTeardownBlock { try? FileManager.default.removeItem(atPath: out) }
            let got = try await client.retrieve(study: ct.string(.studyInstanceUID)!, into: out)
            XCTAssertEqual(got.map(\.sopInstanceUID), [uids[0]])
            XCTAssertEqual(got.first?.path, out + "/" + uids[0] + ".dcm")
            XCTAssertEqual(got.first?.transferSyntaxUID, files[0].transferSyntax.uid)
            XCTAssertEqual(Array(try Data(contentsOf: URL(fileURLWithPath: got[0].path))), Array(try Data(contentsOf: URL(fileURLWithPath: paths[0]))))
            XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: out), [uids[0] + ".dcm"])

            // A study Orthanc does not have: an HTTP status error naming the status.
            do {
                _ = try await client.retrieve(study: "1.2.3.4.5.6.7.8.9", into: out)
                XCTFail("retrieved an unknown study")
            } catch {
                XCTAssertEqual(error.code, .httpStatus)
                XCTAssertEqual(error.httpStatus, 404)
            }
            try await client.shutdown()
        } catch {
            try? await client.shutdown()
            throw error
        }
    }

    func testBasicAuthentication() async throws {
        let path = try Corpus.path(Self.files[0])
        let server = try orthanc(users: ["alice": "s3cret"])
        let node = try NodeAddress.parse(server.dicomWebURL)
        var withUser = node
        withUser.usernameEnv = "TEST_PACS_USER"; withUser.passwordEnv = "TEST_PACS_PASSWORD"

        let wrong = try DICOMwebClient(node: withUser, environment: ["TEST_PACS_USER": "alice", "TEST_PACS_PASSWORD": "wrong"])
        do {
            _ = try await wrong.store(files: [path])
            XCTFail("stored with a wrong password")
        } catch {
            XCTAssertEqual(error.code, .httpUnauthorized)
            XCTAssertEqual(error.httpStatus, 401)
            XCTAssertEqual(error.context.path, server.dicomWebURL + "/studies")
        }
        try await wrong.shutdown()

        let right = try DICOMwebClient(node: withUser, environment: ["TEST_PACS_USER": "alice", "TEST_PACS_PASSWORD": "s3cret"])
        do {
            let r = try await right.store(files: [path])
            XCTAssertTrue(r.allStored)
            XCTAssertEqual(r.referenced.count, 1)
            try await right.shutdown()
        } catch {
            try? await right.shutdown()
            throw error
        }
    }
}
