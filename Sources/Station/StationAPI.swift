import DICOMCore
import DICOMNetwork
import Hummingbird

// JSON in, JSON out. Lists take `state`, `kind`, `limit` (1-1000, default 100) and `offset`; a job is its fields plus,
// for one job, its log. Errors: 400 bad request, 401 no token, 403 a path outside the roots, 404 no such job, 409 a
// state that does not allow the action, 500 the job database failed; each as {"error": {"code", "message"}}.
/// The station's JSON API (served under /api; described by templates/station/openapi.json).
struct StationAPI: Sendable {
    let config: StationConfig
    let jobs: JobStore
    let openAPI: [UInt8]

    func add(to api: RouterGroup<BasicRequestContext>) {
        api.get("openapi.json") { _, _ in
            Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(bytes: openAPI)))
        }
        api.get("jobs") { request, _ in handle { () throws(StationError) in try list(request) } }
        api.post("jobs") { request, _ in
            let body: ByteBuffer
            do { body = try await request.body.collect(upTo: 1 << 20) } catch {
                return Self.error(.contentTooLarge, StationError(.badRequest, "the body is larger than 1 MiB"))
            }
            return handle(status: .created) { () throws(StationError) in try create(Array(buffer: body)) }
        }
        api.get("jobs/:id") { _, context in
            handle { () throws(StationError) in
                let id = try jobID(context)
                return Self.json(try jobs.job(id), log: try jobs.log(of: id))
            }
        }
        api.post("jobs/:id/cancel") { _, context in handle { () throws(StationError) in Self.json(try jobs.cancel(try jobID(context))) } }
        api.post("jobs/:id/retry") { _, context in handle { () throws(StationError) in Self.json(try jobs.retry(try jobID(context))) } }
    }

    func list(_ request: Request) throws(StationError) -> JSON {
        let q = request.uri.queryParameters
        for (key, _) in q where !["state", "kind", "limit", "offset"].contains(String(key)) {
            throw StationError(.badRequest, "unknown query parameter \"\(key)\" (known: state, kind, limit, offset)")
        }
        func value<T: RawRepresentable>(_ key: String, _ type: T.Type) throws(StationError) -> T? where T.RawValue == String {
            guard let v = q[key[...]].map(String.init) else { return nil }
            guard let t = T(rawValue: v) else { throw StationError(.badRequest, "\(key): \"\(v)\" is not a job \(key)") }
            return t
        }
        func number(_ key: String, _ range: ClosedRange<Int>, _ fallback: Int) throws(StationError) -> Int {
            guard let v = q[key[...]].map(String.init) else { return fallback }
            guard let n = Int(v), range.contains(n) else {
                throw StationError(.badRequest, "\(key) must be an integer from \(range.lowerBound) to \(range.upperBound)")
            }
            return n
        }
        let state = try value("state", Job.State.self), kind = try value("kind", Job.Kind.self)
        let limit = try number("limit", 1...1000, 100), offset = try number("offset", 0...Int(Int32.max), 0)
        let page = try jobs.jobs(state: state, kind: kind, limit: limit, offset: offset)
        return .object([("total", .int(Int64(try jobs.count(state: state, kind: kind)))), ("jobs", .array(page.map { Self.json($0) }))])
    }

    func create(_ body: [UInt8]) throws(StationError) -> JSON {
        let request = try JobRequest.parse(body, config: config)
        let job = try jobs.create(kind: request.kind, title: request.title, request: request.stored.serialized(), resource: request.resource)
        try jobs.log(job.id, .info, "created by the API")
        return Self.json(job)
    }

    func jobID(_ context: BasicRequestContext) throws(StationError) -> Int64 {
        guard let s = context.parameters.get("id"), let id = Int64(s), id > 0 else { throw StationError(.jobUnknown, "a job id is a positive integer") }
        return id
    }

    // MARK: Responses

    func handle(status: HTTPResponse.Status = .ok, _ body: () throws(StationError) -> JSON) -> Response {
        do { return Self.response(status, try body()) } catch { return Self.error(Self.status(of: error), error) }
    }

    static func status(of e: StationError) -> HTTPResponse.Status {
        switch e.code {
        case .badRequest: .badRequest
        case .unauthorized: .unauthorized
        case .pathOutsideRoots, .csrfRefused: .forbidden
        case .mediumUnreadable: .unprocessableContent
        case .queryFailed: .badGateway
        case .jobUnknown: .notFound
        case .pathNotFound: .unprocessableContent
        case .jobState: .conflict
        default: .internalServerError
        }
    }

    static func response(_ status: HTTPResponse.Status, _ json: JSON) -> Response {
        Response(status: status, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(string: json.serialized())))
    }

    static func error(_ status: HTTPResponse.Status, _ e: StationError) -> Response {
        response(status, .object([("error", .object([("code", .string(e.code.rawValue)), ("message", .string(e.message))]))]))
    }

    /// A stored report (JSON text) as a JSON value.
    static func json(_ t: JSONText) -> JSON {
        switch t {
        case .null: .null
        case .bool(let b): .bool(b)
        case .number(let n): Int64(n).map { .int($0) } ?? .double(Double(n) ?? 0)
        case .string(let s): .string(s)
        case .array(let a): .array(a.map(json))
        case .object(let m): .object(m.map { ($0.key, json($0.value)) })
        }
    }

    static func json(_ j: Job, log: [JobLogLine]? = nil) -> JSON {
        func opt(_ s: String?) -> JSON { s.map { .string($0) } ?? .null }
        var fields: [(String, JSON)] = [
            ("id", .int(j.id)), ("kind", .string(j.kind.rawValue)), ("state", .string(j.state.rawValue)), ("title", .string(j.title)),
            ("resource", opt(j.resource)), ("created", .string(j.created)), ("started", opt(j.started)), ("finished", opt(j.finished)),
            ("progress", .object([("done", .int(Int64(j.done))), ("total", .int(Int64(j.total)))])), ("reason", opt(j.reason)),
            ("attempts", .int(Int64(j.attempts))), ("cancelRequested", .bool(j.cancelRequested)),
        ]
        if let log {
            fields.append(("report", j.report.flatMap { try? JSONText.parse(Array($0.utf8)) }.map(Self.json) ?? .null))
            fields.append(
                ("log", .array(log.map { .object([("time", .string($0.time)), ("level", .string($0.level.rawValue)), ("message", .string($0.message))]) })))
        }
        return .object(fields)
    }
}
