import DICOMCore
import DICOMFileSet
import Foundation
import Hummingbird
import HummingbirdCore
import HummingbirdTLS
import Logging
import MediaKit
import NIOSSL

// The station's HTTP side: the API under /api (JSON; every error a JSON object with its code and message) and, served
// at /api/openapi.json, the OpenAPI document kept in `templates/station/openapi.json`. A server bound beyond loopback
// requires the bearer token named by `http.tokenEnv` on every request (401 otherwise); the configuration reader refuses
// such a binding without one.
/// The station's HTTP server, its DICOM listener, its job runner, watches and publish rules, run until SIGTERM or SIGINT.
public struct StationServer: Sendable {
    public let config: StationConfig
    public let jobs: JobStore
    /// The bearer token every request must carry, or nil (loopback without a token).
    let token: String?
    /// The OpenAPI document served at /api/openapi.json.
    let openAPI: [UInt8]
    /// The web page.
    let web: StationWeb

    public init(config: StationConfig, jobs: JobStore, environment: [String: String] = ProcessInfo.processInfo.environment) throws(StationError) {
        self.config = config; self.jobs = jobs
        if let name = config.http.tokenEnv {
            guard let t = environment[name], t.count >= 16 else {
                throw StationError(.configValue, "http.tokenEnv: the environment variable \(name) must hold the API token (16 characters or more)")
            }
            token = t
        } else {
            token = nil
        }
        guard let dir = FileIDLayout.defaultTemplatesDirectory(), let data = FileManager.default.contents(atPath: dir + "/station/openapi.json") else {
            throw StationError(.templatesMissing, "templates/station/openapi.json not found: set DICOM_MEDIA_TEMPLATES")
        }
        openAPI = Array(data)
        web = try StationWeb(config: config, jobs: jobs, directory: dir + "/station", token: token)
    }

    /// The routes of the API.
    public func router() -> Router<BasicRequestContext> {
        let router = Router()
        router.add(middleware: StationAuthMiddleware(token: token))
        router.add(middleware: SameOriginMiddleware())
        router.add(middleware: MethodNotAllowedMiddleware())
        let api = StationAPI(config: config, jobs: jobs, openAPI: openAPI)
        api.add(to: router.group("api"))
        api.addQueries(to: router.group("api"))
        web.add(to: router)
        return router
    }

    /// Serves the API and runs the jobs until SIGTERM or SIGINT; running jobs finish first. `ready` is called once the
    /// server listens, with its port.
    public func run(ready: @escaping @Sendable (Int) -> Void = { _ in }) async throws {
        var logger = Logger(label: "dicom-media-station")
        logger.logLevel = .warning
        let address = BindAddress.hostname(config.http.host, port: config.http.port)
        let server: HTTPServerBuilder
        if let cert = config.http.tlsCertificate, let key = config.http.tlsKey {
            do {
                let tls = TLSConfiguration.makeServerConfiguration(
                    certificateChain: try NIOSSLCertificate.fromPEMFile(cert).map { .certificate($0) },
                    privateKey: .privateKey(try NIOSSLPrivateKey(file: key, format: .pem)))
                server = try .tls(.http1(), tlsConfiguration: tls)
            } catch {
                throw StationError(.configValue, "http.tlsCertificate/tlsKey: \(error)", path: cert, cause: error)
            }
        } else {
            server = .http1()
        }
        let app = Application(
            router: router(), server: server, configuration: .init(address: address, serverName: "dicom-media"),
            onServerRunning: { channel in ready(channel.localAddress?.port ?? 0) }, logger: logger)
        let scp = try await startSCP()
        let runner = JobRunner(jobs: jobs, config: config)
        let watcher = Watcher(config: config, jobs: jobs)
        let scheduler = PublishScheduler(config: config, jobs: jobs)
        let tasks = [Task { await runner.run() }, Task { await watcher.run() }, Task { await scheduler.run() }]
        defer { for t in tasks { t.cancel() } }
        do { try await app.runService() } catch {
            await scp?.close()
            throw StationError(.serverFailed, "the HTTP server on \(config.http.host):\(config.http.port) stopped: \(error)", cause: error)
        }
        await scp?.close()
        for t in tasks {
            t.cancel()
            await t.value
        }
    }
}

extension StationServer {
    /// The C-STORE/C-ECHO SCP of `dicom` into the store, each stored instance recorded for the publish rules.
    func startSCP() async throws(StationError) -> StoreListener? {
        guard let d = config.dicom else { return nil }
        var options = ReceiveOptions(port: d.port, destination: .spool(""))
        options.host = d.host
        options.aeTitle = d.aeTitle.value
        options.allow = d.allow.map(\.value)
        options.maxAssociations = d.maxAssociations
        let jobs = self.jobs
        do {
            let store = try LocalStore(root: config.store, create: true, lockWait: 120)
            return try await StoreListener.start(options, store: store) { i in
                try? jobs.arrived(i.callingAETitle, study: i.studyInstanceUID, patient: i.patientID, at: Date().timeIntervalSince1970)
            }
        } catch {
            throw StationError(.serverFailed, "the DICOM listener on port \(d.port) cannot start: \(error)", cause: error)
        }
    }
}

/// Answers 405 Method Not Allowed, with `Allow`, for a known path asked with a method it does not take (RFC 9110 §15.5.6).
struct MethodNotAllowedMiddleware: RouterMiddleware {
    typealias Context = BasicRequestContext

    /// The methods of each path of the API (`*` matches one segment).
    static let allowed: [([String], [HTTPRequest.Method])] = [
        (["api", "openapi.json"], [.get]), (["api", "jobs"], [.get, .post]), (["api", "jobs", "*"], [.get]),
        (["api", "jobs", "*", "cancel"], [.post]), (["api", "jobs", "*", "retry"], [.post]), (["api", "media"], [.get]),
        (["api", "studies"], [.get]), (["api", "worklist"], [.get]), (["api", "sources"], [.get]), (["api", "settings"], [.get]),
    ]

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let segments = request.uri.path.split(separator: "/").map(String.init)
        guard let methods = Self.allowed.first(where: { $0.0.count == segments.count && zip($0.0, segments).allSatisfy { $0 == "*" || $0 == $1 } })?.1,
            !methods.contains(request.method), !(request.method == .head && methods.contains(.get))
        else { return try await next(request, context) }
        var r = StationAPI.error(
            .methodNotAllowed, StationError(.badRequest, "\(request.method) is not allowed here; use \(methods.map(\.rawValue).joined(separator: ", "))"))
        r.headers[.allow] = methods.map(\.rawValue).joined(separator: ", ")
        return r
    }
}
