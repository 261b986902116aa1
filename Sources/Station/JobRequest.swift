import DICOMCore
import DICOMFileSet
import DICOMNetwork

/// What a new job is asked to do (the body of `POST /api/jobs`), checked against the configuration.
public enum JobRequest: Sendable, Equatable {
    /// Import a medium (a folder, an ISO image, a DICOMDIR) under a root into the store or to a PACS node.
    case importMedium(source: String, destination: StationConfig.Destination, deidentify: Bool = false, reconcile: Reconcile? = nil)
    /// Write studies of the store to a File-set folder or an ISO image in a target folder, then verify what was written.
    case publish(Publish)

    /// Whom an import's patients become: the single match in a worklist node's answer, or the patient the user chose.
    public enum Reconcile: Sendable, Equatable {
        case worklist(node: String)
        case patient(id: String, name: String?, issuer: String?)
    }

    /// A publish job's selection and output.
    public struct Publish: Sendable, Equatable {
        public var studies: [String]
        public var target: StationConfig.Target
        public var profile = "STD-GEN-CD"
        public var pdi = true
    }

    /// Reads a request body: `{"kind": "import", "source": "/media/cdrom", "destination": "store"}`.
    public static func parse(_ body: [UInt8], config: StationConfig) throws(StationError) -> JobRequest {
        let json: JSONText
        do { json = try JSONText.parse(body, maxDepth: 16) } catch { throw StationError(.badRequest, "the body is not JSON: \(error.message)") }
        let reader = StationConfigReader(path: nil, request: true)
        let top = JSONText.Member(key: "", value: json, line: 1)
        let fields = try reader.object(
            top, "", keys: ["kind", "source", "destination", "deidentify", "reconcile", "studies", "target", "profile", "pdi"], required: ["kind"])
        let kind = try reader.choice(fields["kind"]!, "kind", Job.Kind.self)
        switch kind {
        case .import:
            if let k = ["studies", "target", "profile", "pdi"].first(where: { fields[$0] != nil }) {
                throw reader.bad(fields[k]!, k, "does not apply to an import job")
            }
            guard let s = fields["source"] else { throw reader.bad(top, "source", "is required") }
            let source = try StationPaths.checked(try reader.text(s, "source"), roots: config.roots)
            let destination = try fields["destination"].map { d throws(StationError) in try reader.destination(d, "destination", config) } ?? .store
            let deidentify = try fields["deidentify"].map { d throws(StationError) in try reader.bool(d, "deidentify") } ?? false
            let reconcile = try fields["reconcile"].map { r throws(StationError) in try Self.reconcile(r, reader, config) }
            return .importMedium(source: source, destination: destination, deidentify: deidentify, reconcile: reconcile)
        case .publish:
            if let k = ["source", "destination", "deidentify", "reconcile"].first(where: { fields[$0] != nil }) {
                throw reader.bad(fields[k]!, k, "does not apply to a publish job")
            }
            guard let st = fields["studies"], let t = fields["target"] else { throw reader.bad(top, "studies", "and \"target\" are required") }
            let studies = try reader.array(st, "studies").enumerated().map { (i, m) throws(StationError) in
                let uid = try reader.text(m, "studies[\(i)]")
                guard UID.isValid(uid) else { throw reader.bad(m, "studies[\(i)]", "\"\(uid)\" is not a UID") }
                return uid
            }
            guard !studies.isEmpty, studies.count <= 1000 else { throw reader.bad(st, "studies", "must name 1 to 1000 Study Instance UIDs") }
            let target = try reader.target(t, "target", config)
            switch target {
            case .folder(let p), .iso(let p): _ = try StationPaths.checked(p, roots: config.roots)
            case .drive, .robot: throw reader.bad(t, "target.kind", "drives and robots are not available yet; use folder or iso")
            }
            var publish = Publish(studies: studies, target: target)
            if let v = fields["profile"] {
                let p = try reader.text(v, "profile")
                guard ApplicationProfile.named(p) != nil else { throw reader.bad(v, "profile", "\"\(p)\" is not a media application profile (PS3.11)") }
                publish.profile = p
            }
            if let v = fields["pdi"] { publish.pdi = try reader.bool(v, "pdi") }
            return .publish(publish)
        }
    }

    public var kind: Job.Kind {
        switch self {
        case .importMedium: .import
        case .publish: .publish
        }
    }

    /// The line the job list shows.
    public var title: String {
        switch self {
        case .importMedium(let source, let destination, _, _):
            switch destination {
            case .store: return "Import \(source) into the store"
            case .node(let n): return "Import \(source) to \(n)"
            }
        case .publish(let p):
            let n = p.studies.count == 1 ? "1 study" : "\(p.studies.count) studies"
            switch p.target {
            case .iso(let path): return "Publish \(n) to an ISO image in \(path)"
            case .folder(let path): return "Publish \(n) to a folder in \(path)"
            case .drive(let d): return "Publish \(n) to the drive \(d)"
            case .robot(let h, _): return "Publish \(n) to the robot at \(h)"
            }
        }
    }

    /// The request as stored in the job (JSON), read back by `init(stored:)`.
    public var stored: JSON {
        switch self {
        case .importMedium(let source, let destination, let deidentify, let reconcile):
            let d: String
            switch destination {
            case .store: d = "store"
            case .node(let n): d = n
            }
            var fields: [(String, JSON)] = [
                ("kind", .string("import")), ("source", .string(source)), ("destination", .string(d)), ("deidentify", .bool(deidentify)),
            ]
            switch reconcile {
            case .worklist(let node): fields.append(("reconcile", .object([("worklist", .string(node))])))
            case .patient(let id, let name, let issuer):
                var p: [(String, JSON)] = [("patientID", .string(id))]
                if let name { p.append(("patientName", .string(name))) }
                if let issuer { p.append(("issuer", .string(issuer))) }
                fields.append(("reconcile", .object(p)))
            case nil: break
            }
            return .object(fields)
        case .publish(let p):
            let target: JSON
            switch p.target {
            case .iso(let path): target = .object([("kind", .string("iso")), ("path", .string(path))])
            case .folder(let path): target = .object([("kind", .string("folder")), ("path", .string(path))])
            case .drive(let d): target = .object([("kind", .string("drive")), ("device", .string(d))])
            case .robot(let h, let f): target = .object([("kind", .string("robot")), ("hotFolder", .string(h)), ("format", .string(f.rawValue))])
            }
            return .object([
                ("kind", .string("publish")), ("studies", .array(p.studies.map { .string($0) })), ("target", target), ("profile", .string(p.profile)),
                ("pdi", .bool(p.pdi)),
            ])
        }
    }

    /// The request a job holds, read with the checks of a new request (its paths are checked again when it runs).
    public init(stored text: String, config: StationConfig) throws(StationError) {
        self = try Self.parse(Array(text.utf8), config: config)
    }

    /// `{"worklist": NODE}` or `{"patientID": ID, "patientName": NAME, "issuer": ISSUER}`.
    static func reconcile(_ m: JSONText.Member, _ reader: StationConfigReader, _ config: StationConfig) throws(StationError) -> Reconcile {
        let f = try reader.object(m, "reconcile", keys: ["worklist", "patientID", "patientName", "issuer"], required: [])
        if let w = f["worklist"] {
            if let k = ["patientID", "patientName", "issuer"].first(where: { f[$0] != nil }) {
                throw reader.bad(f[k]!, "reconcile." + k, "does not go with \"worklist\"")
            }
            return .worklist(node: try reader.node(w, "reconcile.worklist", config))
        }
        guard let id = f["patientID"] else { throw reader.bad(m, "reconcile", "needs \"worklist\" or \"patientID\"") }
        let text = { (k: String) throws(StationError) -> String? in try f[k].map { v throws(StationError) in try reader.text(v, "reconcile." + k) } }
        let patientID = try reader.text(id, "reconcile.patientID")
        guard patientID.utf8.count <= 64, !patientID.contains("\\") else {
            throw reader.bad(id, "reconcile.patientID", "must be a LO value (64 characters, no backslash)")
        }
        return .patient(id: patientID, name: try text("patientName"), issuer: try text("issuer"))
    }
}
