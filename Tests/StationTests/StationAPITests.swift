import Foundation
import Hummingbird
import HummingbirdTesting
import TestSupport
import XCTest

@testable import Station

/// The station's API through its router: jobs created, listed, read, cancelled and retried; paths outside the roots
/// refused (also through a link); the token required when one is set; the runner importing a medium into the store.
final class StationAPITests: XCTestCase {
    struct Fixture {
        var root: String
        var config: StationConfig
        var jobs: JobStore
    }

    func fixture() throws -> Fixture {
        let root = try tempDir("dm-station").resolvingSymlinksInPath().path
        addTeardownBlock { try? FileManager.default.removeItem(atPath: root) }
        try FileManager.default.createDirectory(atPath: root + "/drop/disc", withIntermediateDirectories: true)
        try FileManager.default.createSymbolicLink(atPath: root + "/drop/out", withDestinationPath: "/etc")
        var config = StationConfig(store: root + "/store", state: root + "/state", roots: [root])
        config.http.port = 1
        return Fixture(root: root, config: config, jobs: try JobStore(state: root + "/state"))
    }

    func app(_ f: Fixture, environment: [String: String] = [:]) throws -> some ApplicationProtocol {
        setenv("DICOM_MEDIA_TEMPLATES", Self.templates, 1)
        return Application(router: try StationServer(config: f.config, jobs: f.jobs, environment: environment).router())
    }

    static var templates: String { URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../templates").standardized.path }

    static func object(_ b: ByteBuffer) throws -> [String: Any] {
        try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(buffer: b)) as? [String: Any])
    }

    func testJobsThroughTheAPI() async throws {
        let f = try fixture()
        let root = f.root
        try await app(f).test(.router) { client in
            try await client.execute(uri: "/api/jobs", method: .post, body: ByteBuffer(string: #"{"kind": "import", "source": "\#(root)/drop/disc"}"#)) {
                XCTAssertEqual($0.status, .created)
                let job = try Self.object($0.body)
                XCTAssertEqual(job["state"] as? String, "queued")
                XCTAssertEqual(job["id"] as? Int, 1)
            }
            try await client.execute(uri: "/api/jobs?state=queued", method: .get) {
                XCTAssertEqual($0.status, .ok)
                XCTAssertEqual(try Self.object($0.body)["total"] as? Int, 1)
            }
            try await client.execute(uri: "/api/jobs/1/cancel", method: .post) {
                XCTAssertEqual(try Self.object($0.body)["state"] as? String, "cancelled")
            }
            try await client.execute(uri: "/api/jobs/1/cancel", method: .post) { XCTAssertEqual($0.status, .conflict) }
            try await client.execute(uri: "/api/jobs/1/retry", method: .post) { XCTAssertEqual(try Self.object($0.body)["state"] as? String, "queued") }
            try await client.execute(uri: "/api/jobs/1", method: .get) {
                let log = try XCTUnwrap(try Self.object($0.body)["log"] as? [[String: Any]])
                XCTAssertEqual(log.compactMap { $0["message"] as? String }, ["created by the API", "queued again"])
            }
            try await client.execute(uri: "/api/jobs/99", method: .get) { XCTAssertEqual($0.status, .notFound) }
            try await client.execute(uri: "/api/jobs/x", method: .get) { XCTAssertEqual($0.status, .notFound) }
            try await client.execute(uri: "/api/jobs?limit=0", method: .get) { XCTAssertEqual($0.status, .badRequest) }
            try await client.execute(uri: "/api/jobs?colour=red", method: .get) { XCTAssertEqual($0.status, .badRequest) }
            try await client.execute(uri: "/api/jobs/1", method: .delete) {
                XCTAssertEqual($0.status, .methodNotAllowed)
                XCTAssertEqual($0.headers[.allow], "GET")
            }
            try await client.execute(uri: "/api/jobs", method: .put) { XCTAssertEqual($0.headers[.allow], "GET, POST") }
            try await client.execute(uri: "/api/openapi.json", method: .get) {
                XCTAssertEqual(try Self.object($0.body)["openapi"] as? String, "3.0.3")
            }
        }
    }

    func testPathsOutsideTheRootsAreRefused() async throws {
        let f = try fixture()
        let root = f.root
        try await app(f).test(.router) { client in
            for (source, status) in [
                ("\(root)/../../etc", HTTPResponse.Status.forbidden), ("\(root)/drop/out", .forbidden), ("/etc", .forbidden), ("drop/disc", .forbidden),
                ("\(root)/drop/none", .unprocessableContent),
            ] {
                try await client.execute(uri: "/api/jobs", method: .post, body: ByteBuffer(string: #"{"kind": "import", "source": "\#(source)"}"#)) {
                    XCTAssertEqual($0.status, status, source)
                }
            }
            for body in ["{", "[]", #"{"kind": "import"}"#, #"{"kind": "import", "source": "\#(root)/drop/disc", "destination": "pacs"}"#] {
                try await client.execute(uri: "/api/jobs", method: .post, body: ByteBuffer(string: body)) { XCTAssertEqual($0.status, .badRequest, body) }
            }
        }
        XCTAssertEqual(try f.jobs.count(), 0)
    }

    func testATokenIsRequiredWhenSet() async throws {
        var f = try fixture()
        f.config.http.host = "0.0.0.0"
        f.config.http.tokenEnv = "STATION_TOKEN"
        XCTAssertThrowsError(try app(f, environment: ["STATION_TOKEN": "short"])) { XCTAssertEqual(($0 as? StationError)?.code, .configValue) }
        let token = "0123456789abcdef0123"
        try await app(f, environment: ["STATION_TOKEN": token]).test(.router) { client in
            try await client.execute(uri: "/api/jobs", method: .get) {
                XCTAssertEqual($0.status, .unauthorized)
                XCTAssertEqual($0.headers[.wwwAuthenticate], #"Bearer realm="dicom-media""#)
            }
            try await client.execute(uri: "/api/jobs", method: .get, headers: [.authorization: "Bearer wrong"]) { XCTAssertEqual($0.status, .unauthorized) }
            try await client.execute(uri: "/api/jobs", method: .get, headers: [.authorization: "Bearer " + token]) { XCTAssertEqual($0.status, .ok) }
        }
    }

    /// The runner imports a medium (the corpus' character-set File-set) into the store and records the report.
    func testTheRunnerImportsIntoTheStore() async throws {
        let source = try Corpus.path("clunie-charset-fileset")
        let f = try fixture()
        try FileManager.default.removeItem(atPath: f.root + "/drop/disc")
        try FileManager.default.copyItem(atPath: source, toPath: f.root + "/drop/disc")
        let job = try f.jobs.create(
            kind: .import, title: "t", request: JobRequest.importMedium(.init(source: f.root + "/drop/disc", destination: .store)).stored.serialized())
        let runner = JobRunner(jobs: f.jobs, config: f.config)
        let ran = await runner.runNext()
        XCTAssertTrue(ran)
        let done = try f.jobs.job(job.id)
        XCTAssertEqual(done.state, .done, done.reason ?? "")
        XCTAssertEqual(done.done, 11)
        XCTAssertTrue(done.report?.contains(#""imported":11"#) ?? false, done.report ?? "")
        let again = await runner.runNext()
        XCTAssertFalse(again, "nothing left to run")
    }

    /// A publish job writes the imported studies to an ISO image with PDI, verifies it, and records both reports.
    func testAPublishJobWritesAndVerifiesAnImage() async throws {
        let source = try Corpus.path("clunie-charset-fileset")
        let f = try fixture()
        try FileManager.default.removeItem(atPath: f.root + "/drop/disc")
        try FileManager.default.copyItem(atPath: source, toPath: f.root + "/drop/disc")
        try FileManager.default.createDirectory(atPath: f.root + "/out", withIntermediateDirectories: true)
        setenv("DICOM_MEDIA_TEMPLATES", Self.templates, 1)
        let runner = JobRunner(jobs: f.jobs, config: f.config)
        try f.jobs.create(
            kind: .import, title: "t", request: JobRequest.importMedium(.init(source: f.root + "/drop/disc", destination: .store)).stored.serialized())
        _ = await runner.runNext()
        let study = "1.3.6.1.4.1.5962.1.2.0.1175775772.5732.0"
        let body = #"{"kind": "publish", "studies": ["\#(study)"], "target": {"kind": "iso", "path": "\#(f.root)/out"}}"#
        let request = try JobRequest.parse(Array(body.utf8), config: f.config)
        let job = try f.jobs.create(kind: request.kind, title: request.title, request: request.stored.serialized())
        _ = await runner.runNext()
        let done = try f.jobs.job(job.id)
        XCTAssertEqual(done.state, .done, done.reason ?? "")
        XCTAssertTrue(FileManager.default.fileExists(atPath: f.root + "/out/JOB\(job.id).iso"))
        XCTAssertTrue(done.report?.contains(#""verify":[{"#) ?? false, done.report ?? "")
        // A study the store does not hold fails the job with the reason; nothing is written.
        let missing = try JobRequest.parse(Array(body.replacingOccurrences(of: study, with: "1.2.3").utf8), config: f.config)
        let failed = try f.jobs.create(kind: .publish, title: "m", request: missing.stored.serialized())
        _ = await runner.runNext()
        XCTAssertEqual(try f.jobs.job(failed.id).state, .failed)
        XCTAssertFalse(FileManager.default.fileExists(atPath: f.root + "/out/JOB\(failed.id).iso"))
        for bad in [
            body.replacingOccurrences(of: "\(f.root)/out", with: "/tmp"), body.replacingOccurrences(of: #""iso""#, with: #""drive""#),
            body.replacingOccurrences(of: study, with: "not-a-uid"),
            body.replacingOccurrences(of: #""kind": "publish""#, with: #""kind": "publish", "source": "/x""#),
        ] {
            XCTAssertThrowsError(try JobRequest.parse(Array(bad.utf8), config: f.config), bad)
        }
    }
}
