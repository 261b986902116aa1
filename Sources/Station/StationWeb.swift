import DICOMCore
import Foundation
import Hummingbird
import Mustache

// Server-rendered pages from the Mustache templates in `templates/station/` (loaded once at start, like openapi.json);
// every value goes through `{{ }}` (HTML-escaped), never `{{{ }}}`. The pages read and write through the same functions
// as the JSON API (StationAPI, StationQueries), so a page shows what the API answers. Every form works without script;
// station.js only refreshes the progress on the jobs page. Every POST carries the CSRF token (WebSession).
/// The station's web page: jobs, a job, import, publish, settings and the login form.
struct StationWeb: Sendable {
    let config: StationConfig
    let jobs: JobStore
    let library: MustacheLibrary
    /// The CSS and the script the pages load, served by the station.
    let assets: [String: (type: String, bytes: [UInt8])]
    let token: String?

    /// The page templates: every `*.mustache` file of `templates/station/`, by name.
    init(config: StationConfig, jobs: JobStore, directory: String, token: String?) throws(StationError) {
        self.config = config; self.jobs = jobs; self.token = token
        var library = MustacheLibrary()
        let files = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
        for f in files.sorted() where f.hasSuffix(".mustache") {
            guard let data = FileManager.default.contents(atPath: directory + "/" + f) else { continue }
            do { try library.register(String(decoding: data, as: UTF8.self), named: String(f.dropLast(".mustache".count))) } catch {
                throw StationError(.templatesMissing, "the page template \(f) cannot be read: \(error)", path: directory + "/" + f, cause: error)
            }
        }
        var assets: [String: (String, [UInt8])] = [:]
        for (name, type) in [("station.css", "text/css; charset=utf-8"), ("station.js", "text/javascript; charset=utf-8")] {
            guard let data = FileManager.default.contents(atPath: directory + "/" + name) else {
                throw StationError(.templatesMissing, "templates/station/\(name) not found: set DICOM_MEDIA_TEMPLATES", path: directory + "/" + name)
            }
            assets[name] = (type, Array(data))
        }
        for page in ["jobs", "job", "import", "publish", "settings", "login", "message"] where library.getTemplate(named: page) == nil {
            throw StationError(.templatesMissing, "templates/station/\(page).mustache not found: set DICOM_MEDIA_TEMPLATES", path: directory)
        }
        self.library = library
        self.assets = assets
    }

    func add(to router: Router<BasicRequestContext>) {
        for (name, asset) in assets {
            router.get(RouterPath(name)) { _, _ in
                Response(
                    status: .ok, headers: [.contentType: asset.type, .cacheControl: "max-age=300"], body: .init(byteBuffer: ByteBuffer(bytes: asset.bytes)))
            }
        }
        router.get("/") { request, _ in jobsPage(request) }
        router.get("jobs") { request, _ in jobsPage(request) }
        router.get("jobs/:id") { request, context in jobPage(request, context.parameters.get("id")) }
        router.post("jobs/:id/:action") { request, context in
            await post(request) { form throws(StationError) in
                guard let s = context.parameters.get("id"), let id = Int64(s), id > 0 else { throw StationError(.jobUnknown, "a job id is a positive integer") }
                switch context.parameters.get("action") {
                case "cancel": try jobs.cancel(id)
                case "retry": try jobs.retry(id)
                default: throw StationError(.badRequest, "a job's actions are cancel and retry")
                }
                return "/jobs/\(id)"
            }
        }
        router.get("import") { request, _ in await StationQueries.offload { importPage(request) } }
        router.post("import") { request, _ in await post(request) { form throws(StationError) in try startImport(form) } }
        router.get("publish") { request, _ in await StationQueries.offload { publishPage(request) } }
        router.post("publish") { request, _ in await post(request) { form throws(StationError) in try startPublish(form) } }
        router.get("settings") { request, _ in page(request, "settings", ["title": "Settings", "settings": Self.value(StationQueries.settings(config))]) }
        router.get("login") { request, _ in page(request, "login", ["title": "Sign in", "tokenRequired": token != nil]) }
        router.post("login") { request, _ in await login(request) }
    }

    // MARK: Rendering

    /// A page: the template `name` with `values`, the navigation, the CSRF token and, when new, its cookie.
    func page(_ request: Request, _ name: String, _ values: [String: Any], status: HTTPResponse.Status = .ok) -> Response {
        let session = WebSession(request)
        var v = values
        v["csrf"] = session.csrf
        v["nav"] = [("/jobs", "Jobs"), ("/import", "Import"), ("/publish", "Publish"), ("/settings", "Settings")].map { path, label in
            ["href": path, "label": label, "current": "/" + name == path || (name == "job" && path == "/jobs")] as [String: Any]
        }
        if let ae = config.dicom?.aeTitle.value { v["station"] = ae }
        let html = library.render(v, withTemplate: name) ?? ""
        var r = Response(
            status: status, headers: [.contentType: "text/html; charset=utf-8", .cacheControl: "no-store"],
            body: .init(byteBuffer: ByteBuffer(string: html)))
        r.headers[.init("Content-Security-Policy")!] = "default-src 'self'; img-src 'self' data:; frame-ancestors 'none'; form-action 'self'"
        r.headers[.init("X-Content-Type-Options")!] = "nosniff"
        if session.isNew { r.headers[.setCookie] = WebSession.header(WebSession.csrfCookie, session.csrf, secure: secure) }
        return r
    }

    var secure: Bool { config.http.tlsCertificate != nil }

    /// A page that says what went wrong (the error's code and message), with the status of the API for that error.
    func message(_ request: Request, _ e: StationError, status: HTTPResponse.Status? = nil) -> Response {
        let s = status ?? StationAPI.status(of: e)
        return page(request, "message", ["title": s == .forbidden ? "Refused" : "Not done", "code": e.code.rawValue, "message": e.message], status: s)
    }

    /// A form POST: the CSRF token checked (403 without it), then `body`, answered by a redirect (303) to the page it
    /// names, or by the error's page.
    func post(_ request: Request, _ body: (WebForm) throws(StationError) -> String) async -> Response {
        let form: WebForm
        do { form = WebForm(String(buffer: try await request.body.collect(upTo: 1 << 20))) } catch {
            return message(request, StationError(.badRequest, "the form is larger than 1 MiB"), status: .contentTooLarge)
        }
        guard WebSession.accepts(request, form: form) else {
            return message(request, StationError(.csrfRefused, "this form has no valid CSRF token: reload the page and send it again"), status: .forbidden)
        }
        do { return Response(status: .seeOther, headers: [.location: try body(form)]) } catch { return message(request, error) }
    }

    /// The login form: the token, compared with the station's, set in the HttpOnly cookie.
    func login(_ request: Request) async -> Response {
        await post(request) { form throws(StationError) in
            guard let token, let given = form["token"], WebSession.equal(given, token) else {
                throw StationError(.unauthorized, token == nil ? "this station has no token; no sign-in is needed" : "this is not the station's token")
            }
            return "/jobs"
        }.settingLoginCookie(token: WebForm.encode(token ?? ""), secure: secure)
    }

    // MARK: Values for the templates

    /// A JSON value as the plain dictionaries and arrays Mustache walks (null and empty-string members left out, so a
    /// section on them is skipped: Mustache takes any string as true).
    /// With `dates`, a member named `…Date` holding a DICOM date (DA) is written as the station's locale writes a date.
    static func value(_ j: JSON, dates: LocalDateText? = nil) -> Any {
        switch j {
        case .null: return false
        case .bool(let b): return b
        case .int(let i): return i
        case .double(let d): return d
        case .string(let s): return s
        case .array(let a): return a.map { value($0, dates: dates) }
        case .object(let members):
            var d: [String: Any] = [:]
            for (k, v) in members where v != .null && v != .string("") {
                if let dates, k.hasSuffix("Date"), case .string(let da) = v, let text = dates.dicomDate(da) {
                    d[k] = text
                } else {
                    d[k] = value(v, dates: dates)
                }
            }
            return d
        }
    }

    /// `ISO 8601` UTC time as the station's locale writes a date and time (en_GB: 05/12/2026, 14:03).
    static func formatter(locale: String) -> (String?) -> String {
        let text = LocalDateText(locale: locale)
        return { text.text($0) }
    }
}

extension Response {
    /// After a successful sign-in (a redirect), the login cookie holding the token.
    fileprivate func settingLoginCookie(token: String, secure: Bool) -> Response {
        guard status == .seeOther, !token.isEmpty else { return self }
        var r = self
        r.headers[.setCookie] = WebSession.header(WebSession.tokenCookie, token, secure: secure, maxAge: 12 * 3600)
        return r
    }
}
