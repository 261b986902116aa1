import AsyncHTTPClient
import DICOMCore
import FileSystem
import Foundation
import NIOCore
import NIOHTTP1
import NIOSSL

/// A DICOMweb client (PS3.18) on async-http-client: STOW-RS, QIDO-RS and WADO-RS against one base URL,
/// bodies streamed both ways, basic or bearer authentication, HTTPS with the system's trust store and an
/// optional extra CA file. Call ``shutdown()`` when done (or use ``with(baseURL:options:_:)``).
public final class DICOMwebClient: Sendable {
    /// Settings of a client.
    public struct Options: Sendable {
        public var authorization: HTTPAuthorization?
        /// A PEM file of CA certificates trusted besides the system's (HTTPS).
        public var caFile: String?
        public var connectTimeout: Duration = .seconds(10)
        /// How long a response may stay silent.
        public var readTimeout: Duration = .seconds(120)
        /// The deadline of one whole request (a STOW of a large study takes long).
        public var requestTimeout: Duration = .seconds(3600)
        /// The largest JSON response read (QIDO-RS, STOW-RS).
        public var maxJSONBytes = 64 << 20
        /// The largest WADO-RS part and the most parts accepted.
        public var maxPartBytes = 4 << 30
        public var maxParts = 1_000_000
        public init(authorization: HTTPAuthorization? = nil, caFile: String? = nil) { self.authorization = authorization; self.caFile = caFile }
    }

    public let baseURL: String
    public let options: Options
    let http: HTTPClient

    /// A client of `baseURL` (http or https); a bad URL is `node-address`, an unreadable CA file `http-transport`.
    public init(baseURL: String, options: Options = Options()) throws(NetworkError) {
        guard let u = Node.checkedBaseURL(baseURL) else { throw NetworkError(.nodeAddress, "\"\(baseURL)\" is not a DICOMweb base URL") }
        self.baseURL = u
        self.options = options
        var tls = TLSConfiguration.makeClientConfiguration()
        if let ca = options.caFile {
            do { tls.additionalTrustRoots = [.certificates(try NIOSSLCertificate.fromPEMFile(ca))] } catch {
                throw NetworkError(.httpTransport, "cannot read the CA file", path: ca, cause: error)
            }
        }
        let timeout = HTTPClient.Configuration.Timeout(
            connect: .nanoseconds(Int64(options.connectTimeout.components.seconds) * 1_000_000_000),
            read: .nanoseconds(Int64(options.readTimeout.components.seconds) * 1_000_000_000))
        let config = HTTPClient.Configuration(
            tlsConfiguration: tls, redirectConfiguration: .disallow, timeout: timeout, connectionPool: .init(), proxy: nil, decompression: .disabled)
        http = HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: config)
    }

    /// A client of `node`'s dicomweb URL with its credentials from `environment`.
    public convenience init(node: Node, caFile: String? = nil, environment: [String: String] = ProcessInfo.processInfo.environment) throws(NetworkError) {
        guard let u = node.dicomweb else {
            throw NetworkError(.nodeAddress, "node \(node.name ?? node.aeTitle?.value ?? "") has no dicomweb URL", context: ErrorContext(component: node.name))
        }
        try self.init(baseURL: u, options: Options(authorization: try node.authorization(environment: environment), caFile: caFile))
    }

    /// Runs `body` with a client and shuts it down afterwards, whatever happens.
    public static func with<T: Sendable>(baseURL: String, options: Options = Options(), _ body: (DICOMwebClient) async throws -> T) async throws -> T {
        let c = try DICOMwebClient(baseURL: baseURL, options: options)
        do {
            let r = try await body(c)
            try await c.shutdown()
            return r
        } catch {
            try? await c.shutdown()
            throw error
        }
    }

    /// Closes the client's connections.
    public func shutdown() async throws { try await http.shutdown() }

    // MARK: Transactions

    /// STOW-RS (PS3.18 §10.5): posts `files` (Part 10) in one multipart/related request to `{base}/studies`
    /// (or `{base}/studies/{study}`); 200, 202 and 409 give the result, any other status is an error.
    public func store(files: [String], study: String? = nil) async throws(NetworkError) -> STOWResult {
        try await store(parts: files.map { .file($0) }, study: study)
    }

    /// STOW-RS of `parts`, files or bytes made as the request is sent (see `store(files:study:)`).
    public func store(parts: [STOWBody.Part], study: String? = nil) async throws(NetworkError) -> STOWResult {
        let body = try STOWBody(parts: parts)
        let url = baseURL + "/studies" + (try study.map { s throws(NetworkError) in "/" + (try QIDOQuery.checkedUID(s)) } ?? "")
        var request = HTTPClientRequest(url: url)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: body.contentType.description)
        request.headers.add(name: "Accept", value: "application/dicom+json")
        request.body = .stream(body, length: .known(Int64(body.length)))
        let response = try await execute(request, url: url)
        let status = Int(response.status.code)
        guard [200, 202, 409].contains(status) else { throw await statusError(response, url: url) }
        try checkJSON(response, url: url, allowEmpty: true)
        return try STOWResult.parse(status: status, body: try await collect(response, url: url), source: url)
    }

    /// QIDO-RS (PS3.18 §10.6): the matching data sets, decoded from the DICOM JSON response (204: none).
    /// BulkDataURI attributes are skipped.
    public func search(_ query: QIDOQuery) async throws(NetworkError) -> [DataSet] {
        let url = baseURL + (try query.target())
        var request = HTTPClientRequest(url: url)
        request.headers.add(name: "Accept", value: "application/dicom+json")
        let response = try await execute(request, url: url)
        if response.status.code == 204 { return [] }
        guard response.status.code == 200 else { throw await statusError(response, url: url) }
        try checkJSON(response, url: url, allowEmpty: false)
        var decoder = DICOMJSONDecoder(bulkData: .skip, source: url)
        return try decoder.decodeArray(try await collect(response, url: url))
    }

    /// WADO-RS (PS3.18 §10.4): retrieves a study, a series or an instance as stored (`transfer-syntax=*`)
    /// into `folder`, each instance written atomically as `<SOP Instance UID>.dcm`; the response is parsed as it
    /// arrives. On an error the part being written is removed; instances completed before it stay.
    public func retrieve(study: String, series: String? = nil, instance: String? = nil, into folder: String) async throws(NetworkError)
        -> [RetrievedInstance]
    {
        var url = baseURL + "/studies/" + (try QIDOQuery.checkedUID(study))
        if let series { url += "/series/" + (try QIDOQuery.checkedUID(series)) }
        if let instance {
            guard series != nil else { throw NetworkError(.nodeAddress, "an instance is retrieved within its series") }
            url += "/instances/" + (try QIDOQuery.checkedUID(instance))
        }
        var request = HTTPClientRequest(url: url)
        request.headers.add(name: "Accept", value: "multipart/related; type=\"application/dicom\"; transfer-syntax=*")
        let response = try await execute(request, url: url)
        guard response.status.code == 200 else { throw await statusError(response, url: url) }
        let ct = response.headers.first(name: "content-type").flatMap(MediaType.parse)
        guard let ct, ct.essence == "multipart/related", let boundary = ct.parameter("boundary") else {
            throw NetworkError(
                .responseContentType, "WADO-RS answered \(ct?.description ?? "no Content-Type"), not multipart/related with a boundary",
                context: ErrorContext(path: url, rule: "PS3.18 §8.7.3"))
        }
        var parser = MultipartParser(boundary: boundary, maxPartBytes: options.maxPartBytes, maxParts: options.maxParts)
        var writer = WADOPartWriter(folder: folder, source: url)
        do {
            for try await chunk in response.body {
                for e in try parser.feed(chunk.readableBytesView) { try writer.handle(e) }
            }
            try parser.finish()
        } catch {
            writer.discard()
            if let e = error as? NetworkError { throw e.at(url) }
            throw NetworkError(.httpTransport, "the WADO-RS response broke off: \(error)", context: ErrorContext(path: url), cause: error)
        }
        return writer.written
    }

    // MARK: HTTP

    func execute(_ request: HTTPClientRequest, url: String) async throws(NetworkError) -> HTTPClientResponse {
        var request = request
        if let a = options.authorization { request.headers.add(name: "Authorization", value: a.headerValue) }
        request.headers.add(name: "User-Agent", value: "dicom-media")
        do {
            return try await http.execute(request, timeout: .seconds(Int64(options.requestTimeout.components.seconds)))
        } catch let e as NetworkError {
            throw e
        } catch {
            throw NetworkError(.httpTransport, "the request failed: \(ConnectFailure.reason(error))", context: ErrorContext(path: url), cause: error)
        }
    }

    /// The response body, at most `maxJSONBytes`.
    func collect(_ response: HTTPClientResponse, url: String) async throws(NetworkError) -> [UInt8] {
        do {
            var out: [UInt8] = []
            for try await chunk in response.body {
                guard out.count + chunk.readableBytes <= options.maxJSONBytes else {
                    throw NetworkError(.responseTooLarge, "the response is larger than \(options.maxJSONBytes) bytes", context: ErrorContext(path: url))
                }
                out += chunk.readableBytesView
            }
            return out
        } catch let e as NetworkError {
            throw e
        } catch {
            throw NetworkError(.httpTransport, "the response broke off: \(error)", context: ErrorContext(path: url), cause: error)
        }
    }

    /// Refuses a response that is not DICOM JSON (PS3.18 §8.7.3.2): XML is not read.
    func checkJSON(_ response: HTTPClientResponse, url: String, allowEmpty: Bool) throws(NetworkError) {
        guard let v = response.headers.first(name: "content-type") else {
            if allowEmpty { return }
            throw NetworkError(.responseContentType, "the response has no Content-Type", context: ErrorContext(path: url))
        }
        let t = MediaType.parse(v)?.essence
        guard t == "application/dicom+json" || t == "application/json" else {
            throw NetworkError(
                .responseContentType, "the response is \(v); only application/dicom+json is read", context: ErrorContext(path: url, rule: "PS3.18 §8.7.3"))
        }
    }

    /// The error for an unexpected status, with the start of the server's explanation.
    func statusError(_ response: HTTPClientResponse, url: String) async -> NetworkError {
        let code = Int(response.status.code)
        var text: [UInt8] = []
        do {
            for try await chunk in response.body where text.count < 512 { text += chunk.readableBytesView.prefix(512 - text.count) }
        } catch {}
        let detail = String(decoding: text, as: UTF8.self).split(whereSeparator: \.isNewline).joined(separator: " ")
        let unauthorized = code == 401 || code == 403
        return NetworkError(
            unauthorized ? .httpUnauthorized : .httpStatus,
            "the server answered HTTP \(code) \(response.status.reasonPhrase)" + (detail.isEmpty ? "" : ": " + detail),
            context: ErrorContext(path: url, component: "HTTP \(code)"))
    }
}

extension CodedError where Domain == NetworkErrorDomain {
    /// The HTTP status of an `http-status` or `http-unauthorized` error.
    public var httpStatus: Int? {
        guard let c = context.component, c.hasPrefix("HTTP ") else { return nil }
        return Int(c.dropFirst(5))
    }

    /// The error with `url` as its path when it has none.
    func at(_ url: String) -> NetworkError {
        var e = self
        if e.context.path == nil { e.context.path = url }
        return e
    }
}
