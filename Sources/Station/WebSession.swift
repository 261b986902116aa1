import Hummingbird

// CSRF (double-submit cookie): every page sets the cookie `dm_csrf` (32 random bytes in hex, HttpOnly, SameSite=Strict,
// Secure over TLS) when the browser has none, and every form carries the same value in its hidden field `csrf`; a form
// POST whose field is missing or differs from the cookie is refused with 403. Another site can neither read the cookie
// nor make the browser send it (SameSite=Strict). With an API token configured, the page's login form takes the token
// and sets it in the cookie `dm_token` (HttpOnly, SameSite=Strict); the pages and GET /api/... accept that cookie, every
// other API call still needs `Authorization: Bearer`.
/// The cookies of the web page: the CSRF token and the login.
struct WebSession: Sendable {
    static let csrfCookie = "dm_csrf"
    static let tokenCookie = "dm_token"

    /// The CSRF token the page embeds: the browser's cookie, or a new one (`isNew`, to be set).
    let csrf: String
    let isNew: Bool

    init(_ request: Request) {
        if let c = request.cookies[Self.csrfCookie]?.value, Self.isToken(c) {
            csrf = c; isNew = false
        } else {
            csrf = Self.random(); isNew = true
        }
    }

    /// True when a form's `csrf` field matches the cookie (compared in time independent of where they differ).
    static func accepts(_ request: Request, form: WebForm) -> Bool {
        guard let cookie = request.cookies[csrfCookie]?.value, isToken(cookie), let field = form["csrf"] else { return false }
        return equal(cookie, field)
    }

    /// The Set-Cookie header value of a cookie the page sets.
    static func header(_ name: String, _ value: String, secure: Bool, maxAge: Int? = nil) -> String {
        "\(name)=\(value); Path=/; HttpOnly; SameSite=Strict" + (secure ? "; Secure" : "") + (maxAge.map { "; Max-Age=\($0)" } ?? "")
    }

    static func isToken(_ s: String) -> Bool { s.utf8.count == 64 && s.utf8.allSatisfy { WebForm.hex($0) != nil } }

    static func random() -> String {
        var g = SystemRandomNumberGenerator()
        let digits = Array("0123456789abcdef")
        return String((0..<64).map { _ in digits[Int(g.next() % 16)] })
    }

    /// Equal strings, compared in time independent of where they differ.
    static func equal(_ a: String, _ b: String) -> Bool {
        var diff = a.utf8.count == b.utf8.count ? 0 : 1
        for (x, y) in zip(a.utf8, b.utf8) { diff |= Int(x ^ y) }
        return diff == 0
    }
}

/// Refuses every request without the station's token when one is set: `Authorization: Bearer` anywhere (401, RFC 6750);
/// the page's login cookie on the pages and on GET /api/...; a page asked without either goes to the login form.
struct StationAuthMiddleware: RouterMiddleware {
    typealias Context = BasicRequestContext
    let token: String?

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard let token else { return try await next(request, context) }
        let path = request.uri.path
        let api = path == "/api" || path.hasPrefix("/api/")
        if WebSession.equal(request.headers[.authorization] ?? "", "Bearer " + token) { return try await next(request, context) }
        if let c = request.cookies[WebSession.tokenCookie]?.value, WebSession.equal(WebForm.decode(c[...]), token), !api || request.method == .get {
            return try await next(request, context)
        }
        if !api {
            if path == "/login" || path == "/station.css" || path == "/station.js" { return try await next(request, context) }
            return Response(status: .seeOther, headers: [.location: "/login"])
        }
        var r = StationAPI.error(.unauthorized, StationError(.unauthorized, "this station requires its API token (Authorization: Bearer)"))
        r.headers[.wwwAuthenticate] = #"Bearer realm="dicom-media""#
        return r
    }
}

/// Refuses a request that changes something (any method but GET and HEAD) when the browser says it comes from another
/// site: an `Origin` other than this station's own address, or `Sec-Fetch-Site: cross-site` (403 `csrf-refused`). A
/// page's form on another site could otherwise post a text/plain body that reads as JSON to the API on loopback.
struct SameOriginMiddleware: RouterMiddleware {
    typealias Context = BasicRequestContext

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard request.method != .get, request.method != .head else { return try await next(request, context) }
        let host = request.head.authority ?? ""
        let origin = request.headers[.origin]
        let crossSite = request.headers[.init("Sec-Fetch-Site")!] == "cross-site"
        if crossSite || (origin.map { $0 != "http://" + host && $0 != "https://" + host } ?? false) {
            return StationAPI.error(.forbidden, StationError(.csrfRefused, "a request from another site (Origin \(origin ?? "-")) is refused"))
        }
        return try await next(request, context)
    }
}
