import DICOMCore
import DICOMNetwork

/// What a new job is asked to do (the body of `POST /api/jobs`), checked against the configuration.
public enum JobRequest: Sendable, Equatable {
    /// Import a medium (a folder, an ISO image, a DICOMDIR) under a root into the store or to a PACS node.
    case importMedium(source: String, destination: StationConfig.Destination)

    /// Reads a request body: `{"kind": "import", "source": "/media/cdrom", "destination": "store"}`.
    public static func parse(_ body: [UInt8], config: StationConfig) throws(StationError) -> JobRequest {
        let json: JSONText
        do { json = try JSONText.parse(body, maxDepth: 16) } catch { throw StationError(.badRequest, "the body is not JSON: \(error.message)") }
        let reader = StationConfigReader(path: nil, request: true)
        let top = JSONText.Member(key: "", value: json, line: 1)
        let fields = try reader.object(top, "", keys: ["kind", "source", "destination"], required: ["kind"])
        let kind = try reader.choice(fields["kind"]!, "kind", Job.Kind.self)
        switch kind {
        case .import:
            guard let s = fields["source"] else { throw reader.bad(top, "source", "is required") }
            let source = try StationPaths.checked(try reader.text(s, "source"), roots: config.roots)
            let destination = try fields["destination"].map { d throws(StationError) in try reader.destination(d, "destination", config) } ?? .store
            return .importMedium(source: source, destination: destination)
        case .publish:
            throw StationError(.badRequest, "kind: publish jobs are not available yet; only \"import\"", context: ErrorContext(component: "kind"))
        }
    }

    public var kind: Job.Kind {
        switch self {
        case .importMedium: .import
        }
    }

    /// The line the job list shows.
    public var title: String {
        switch self {
        case .importMedium(let source, let destination):
            switch destination {
            case .store: "Import \(source) into the store"
            case .node(let n): "Import \(source) to \(n)"
            }
        }
    }

    /// The request as stored in the job (JSON), read back by `init(stored:)`.
    public var stored: JSON {
        switch self {
        case .importMedium(let source, let destination):
            let d: String
            switch destination {
            case .store: d = "store"
            case .node(let n): d = n
            }
            return .object([("kind", .string("import")), ("source", .string(source)), ("destination", .string(d))])
        }
    }

    /// The request a job holds (its paths are checked again by the runner).
    public init(stored text: String, config: StationConfig) throws(StationError) {
        let json: JSONText
        do { json = try JSONText.parse(Array(text.utf8)) } catch { throw StationError(.badRequest, "the job's request is not JSON") }
        guard case .object(let members) = json else { throw StationError(.badRequest, "the job's request is not an object") }
        var f: [String: String] = [:]
        for m in members { if case .string(let s) = m.value { f[m.key] = s } }
        guard f["kind"] == "import", let source = f["source"], let d = f["destination"] else {
            throw StationError(.badRequest, "the job's request is not one this station runs")
        }
        self = .importMedium(source: source, destination: d == "store" ? .store : .node(d))
    }
}
