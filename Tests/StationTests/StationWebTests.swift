import DICOMCore
import Foundation
import Hummingbird
import HummingbirdTesting
import TestSupport
import XCTest

@testable import Station

/// The web page through the router: pages rendered and escaped, the CSRF cookie and its check on every form, the
/// forms creating jobs through the API's code, the login with a token, the look-ups as JSON, the PNG thumbnails.
final class StationWebTests: XCTestCase {
    typealias Fixture = StationAPITests.Fixture

    func fixture() throws -> Fixture {
        let root = try tempDir("dm-web").resolvingSymlinksInPath().path
        addTeardownBlock { try? FileManager.default.removeItem(atPath: root) }
        try FileManager.default.createDirectory(atPath: root + "/drop/disc", withIntermediateDirectories: true)
        var config = StationConfig(store: root + "/store", state: root + "/state", roots: [root])
        config.locale = "en_GB"
        return Fixture(root: root, config: config, jobs: try JobStore(state: root + "/state"))
    }

    func app(_ f: Fixture, environment: [String: String] = [:]) throws -> some ApplicationProtocol {
        setenv("DICOM_MEDIA_TEMPLATES", StationAPITests.templates, 1)
        return Application(router: try StationServer(config: f.config, jobs: f.jobs, environment: environment).router())
    }

    static func text(_ b: ByteBuffer) -> String { String(buffer: b) }

    /// The CSRF cookie a page sets (`dm_csrf=<64 hex>`).
    static func csrf(_ r: TestResponse) throws -> String {
        let header = try XCTUnwrap(r.headers[.setCookie])
        XCTAssertTrue(header.contains("SameSite=Strict") && header.contains("HttpOnly"), header)
        let value = try XCTUnwrap(header.split(separator: ";").first?.split(separator: "=").last)
        XCTAssertEqual(value.count, 64)
        return String(value)
    }

    func testTheJobsPageListsEscapesFiltersAndPages() async throws {
        let f = try fixture()
        try f.jobs.create(kind: .import, title: "Import <script>alert(1)</script>", request: "{}")
        for i in 0..<60 { try f.jobs.create(kind: .publish, title: "Publish \(i)", request: "{}") }
        try await app(f).test(.router) { client in
            try await client.execute(uri: "/jobs", method: .get) {
                XCTAssertEqual($0.status, .ok)
                let html = Self.text($0.body)
                XCTAssertTrue(html.contains("61 jobs"), html)
                XCTAssertTrue(html.contains("Publish 59") && !html.contains("Publish 9<"), "newest first, 50 a page")
                XCTAssertTrue(html.contains(#"href="/jobs?page=2""#))
                _ = try Self.csrf($0)
            }
            try await client.execute(uri: "/jobs?kind=import", method: .get) {
                let html = Self.text($0.body)
                XCTAssertTrue(html.contains("1 job ·"), html)
                XCTAssertTrue(html.contains("Import &lt;script&gt;alert(1)&lt;/script&gt;"), html)
                XCTAssertFalse(html.contains("<script>alert"))
            }
            try await client.execute(uri: "/", method: .get) { XCTAssertEqual($0.status, .ok) }
            try await client.execute(uri: "/station.css", method: .get) { XCTAssertEqual($0.headers[.contentType], "text/css; charset=utf-8") }
            try await client.execute(uri: "/settings", method: .get) { XCTAssertTrue(Self.text($0.body).contains(f.root)) }
            try await client.execute(uri: "/jobs/1", method: .get) { XCTAssertTrue(Self.text($0.body).contains("Cancel")) }
            try await client.execute(uri: "/jobs/999", method: .get) { XCTAssertEqual($0.status, .notFound) }
        }
    }

    func testAFormPostNeedsTheCSRFToken() async throws {
        let f = try fixture()
        let job = try f.jobs.create(kind: .import, title: "t", request: "{}")
        try await app(f).test(.router) { client in
            let token = try await client.execute(uri: "/jobs/\(job.id)", method: .get) { try Self.csrf($0) }
            try await client.execute(uri: "/jobs/\(job.id)/cancel", method: .post, body: ByteBuffer(string: "")) {
                XCTAssertEqual($0.status, .forbidden)
                XCTAssertTrue(Self.text($0.body).contains("csrf-refused"))
            }
            let other = String(repeating: "a", count: 64)
            try await client.execute(
                uri: "/jobs/\(job.id)/cancel", method: .post, headers: [.cookie: "dm_csrf=\(token)"], body: ByteBuffer(string: "csrf=\(other)")
            ) { XCTAssertEqual($0.status, .forbidden) }
            XCTAssertEqual(try f.jobs.job(job.id).state, .queued)
            try await client.execute(
                uri: "/jobs/\(job.id)/cancel", method: .post, headers: [.cookie: "dm_csrf=\(token)"], body: ByteBuffer(string: "csrf=\(token)")
            ) {
                XCTAssertEqual($0.status, .seeOther)
                XCTAssertEqual($0.headers[.location], "/jobs/\(job.id)")
            }
            XCTAssertEqual(try f.jobs.job(job.id).state, .cancelled)
            // Another site's page posting to the API (a text/plain body that reads as JSON) is refused.
            let body = ByteBuffer(string: #"{"kind": "import", "source": "\#(f.root)/drop/disc"}"#)
            for headers: HTTPFields in [[.origin: "http://evil.example"], [.init("Sec-Fetch-Site")!: "cross-site"]] {
                try await client.execute(uri: "/api/jobs", method: .post, headers: headers, body: body) { XCTAssertEqual($0.status, .forbidden) }
            }
            try await client.execute(uri: "/api/jobs", method: .post, headers: [.origin: "http://localhost"], body: body) {
                XCTAssertEqual($0.status, .created, "the station's own page")
            }
        }
    }

    func testTheImportFormCreatesTheJobWithTheChosenPatient() async throws {
        let f = try fixture()
        try FileManager.default.removeItem(atPath: f.root + "/drop/disc")
        try FileManager.default.copyItem(atPath: try Corpus.path("clunie-charset-fileset"), toPath: f.root + "/drop/disc")
        let source = f.root + "/drop/disc"
        try await app(f).test(.router) { client in
            let token = try await client.execute(uri: "/import?source=" + WebForm.encode(source), method: .get) { r in
                let html = Self.text(r.body)
                XCTAssertTrue(html.contains("class=\"patient-name\""), html)
                return try Self.csrf(r)
            }
            let body = "csrf=\(token)&source=\(WebForm.encode(source))&reconcile=local&patientID=LOCAL+42&patientName=Doe%5EJane&destination=store"
            try await client.execute(uri: "/import", method: .post, headers: [.cookie: "dm_csrf=\(token)"], body: ByteBuffer(string: body)) {
                XCTAssertEqual($0.status, .seeOther, Self.text($0.body))
            }
            let job = try f.jobs.job(1)
            XCTAssertTrue(job.request.contains(#""reconcile":{"patientID":"LOCAL 42","patientName":"Doe^Jane"}"#), job.request)
            let outside = "csrf=\(token)&source=%2Fetc&reconcile=none"
            try await client.execute(uri: "/import", method: .post, headers: [.cookie: "dm_csrf=\(token)"], body: ByteBuffer(string: outside)) {
                XCTAssertEqual($0.status, .forbidden)
            }
            try await client.execute(uri: "/api/media?source=" + WebForm.encode(source), method: .get) {
                XCTAssertEqual($0.status, .ok)
                let patients = try XCTUnwrap(try StationAPITests.object($0.body)["patients"] as? [[String: Any]])
                XCTAssertFalse(patients.isEmpty)
            }
            try await client.execute(uri: "/api/media?source=%2Fetc", method: .get) { XCTAssertEqual($0.status, .forbidden) }
            try await client.execute(uri: "/api/media?source=" + WebForm.encode(f.root + "/state"), method: .get) {
                XCTAssertEqual($0.status, .unprocessableContent)
            }
            try await client.execute(uri: "/api/settings", method: .get) { XCTAssertEqual($0.status, .ok) }
            try await client.execute(uri: "/api/studies?from=pacs", method: .get) { XCTAssertEqual($0.status, .badRequest) }
            try await client.execute(uri: "/api/studies?dateFrom=yesterday", method: .get) { XCTAssertEqual($0.status, .badRequest) }
            try await client.execute(uri: "/api/studies?colour=red", method: .get) { XCTAssertEqual($0.status, .badRequest) }
        }
    }

    func testWithATokenThePagesNeedTheLogin() async throws {
        var f = try fixture()
        f.config.http.host = "0.0.0.0"
        f.config.http.tokenEnv = "STATION_TOKEN"
        let token = "0123456789abcdef0123"
        try await app(f, environment: ["STATION_TOKEN": token]).test(.router) { client in
            try await client.execute(uri: "/jobs", method: .get) {
                XCTAssertEqual($0.status, .seeOther)
                XCTAssertEqual($0.headers[.location], "/login")
            }
            let csrf = try await client.execute(uri: "/login", method: .get) { try Self.csrf($0) }
            try await client.execute(uri: "/login", method: .post, headers: [.cookie: "dm_csrf=\(csrf)"], body: ByteBuffer(string: "csrf=\(csrf)&token=wrong"))
            {
                XCTAssertEqual($0.status, .unauthorized)
            }
            let cookie = try await client.execute(
                uri: "/login", method: .post, headers: [.cookie: "dm_csrf=\(csrf)"], body: ByteBuffer(string: "csrf=\(csrf)&token=\(token)")
            ) { r in
                XCTAssertEqual(r.status, .seeOther)
                return String(try XCTUnwrap(r.headers[.setCookie]?.split(separator: ";").first))
            }
            try await client.execute(uri: "/jobs", method: .get, headers: [.cookie: cookie]) { XCTAssertEqual($0.status, .ok) }
            try await client.execute(uri: "/api/jobs", method: .get, headers: [.cookie: cookie]) { XCTAssertEqual($0.status, .ok) }
            try await client.execute(uri: "/api/jobs", method: .post, headers: [.cookie: cookie], body: ByteBuffer(string: "{}")) {
                XCTAssertEqual($0.status, .unauthorized, "the API's writes need the bearer token")
            }
        }
    }

    func testPNGAndDates() throws {
        XCTAssertEqual(PNGImage.crc32(Array("IEND".utf8)), 0xAE42_6082)
        XCTAssertEqual(PNGImage.adler32(Array("Wikipedia".utf8)), 0x11E6_0398)
        let png = try XCTUnwrap(PNGImage.grayscale(width: 3, height: 2, pixels: [0, 128, 255, 255, 128, 0]))
        XCTAssertEqual(Array(png.prefix(8)), [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A])
        XCTAssertEqual(Array(png.suffix(8)), [0x49, 0x45, 0x4E, 0x44, 0xAE, 0x42, 0x60, 0x82])
        XCTAssertNil(PNGImage.grayscale(width: 3, height: 2, pixels: [0]))
        let date = StationWeb.formatter(locale: "en_GB")("2026-12-05T14:03:00Z")
        XCTAssertTrue(date.hasPrefix("05/12/2026"), date)
        XCTAssertEqual(StationWeb.formatter(locale: "en_GB")(nil), "")
        XCTAssertTrue(StationWeb.formatter(locale: "en_US")("2026-12-05T14:03:00Z").hasPrefix("12/05/2026"))
        XCTAssertEqual(StationWeb.formatter(locale: "en_GB")("2026-12-05 14:03"), "")
        XCTAssertEqual(LocalDateText(locale: "en_GB", dateOnly: true).dicomDate("20040119"), "19/01/2004")
        XCTAssertEqual(LocalDateText(locale: "en_US", dateOnly: true).dicomDate("20040119"), "01/19/2004")
        XCTAssertEqual(LocalDateText(locale: "de_DE", dateOnly: true).dicomDate("20040119"), "19.01.2004")
        for bad in ["2004011", "2004-01-19", "20041319", "2004011x", ""] { XCTAssertNil(LocalDateText(locale: "en_GB", dateOnly: true).dicomDate(bad), bad) }
        XCTAssertEqual(LocalDateText.parse("h:mm a 'h'"), [.hour12(1), .literal(":"), .minute(2), .literal(" "), .period, .literal(" "), .literal("h")])
        let form = WebForm("a=1+2&b=%C3%A9&c&a=3")
        XCTAssertEqual(form["a"], "1 2")
        XCTAssertEqual(form["b"], "é")
        XCTAssertEqual(form.all("a"), ["1 2", "3"])
        XCTAssertNil(form["c"])
    }
}
