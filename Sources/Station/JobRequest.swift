import DICOMCore
import DICOMFileSet
import DICOMNetwork

/// What a new job is asked to do (the body of `POST /api/jobs`), checked against the configuration.
public enum JobRequest: Sendable, Equatable {
    /// Import a medium (a folder, an ISO image, a DICOMDIR) under a root into the store or to a PACS node.
    case importMedium(Import)
    /// Write studies of the store (or of a PACS node) to a File-set folder or an ISO image in a target folder, then
    /// verify what was written.
    case publish(Publish)

    /// How an import job coerces the patients of a medium to the local patient (IHE Import Reconciliation Workflow).
    public enum Reconcile: Sendable, Equatable {
        /// Each patient looked up in this node's Modality Worklist (by accession, then name and birth date, then Patient
        /// Root), coerced to the single match; a patient with none or several is not imported.
        case worklist(node: String)
        /// The user's choice: every patient of the medium becomes this local patient.
        case patient(id: String, name: String?, issuer: String?)
    }

    /// An import job's source, destination and transforms.
    public struct Import: Sendable, Equatable {
        public var source: String
        public var destination: StationConfig.Destination
        public var deidentify = false
        public var reconcile: Reconcile?
        /// Ask the destination node for Storage Commitment (PS3.4 Annex J) of what it confirmed.
        public var commit = false
        public init(
            source: String, destination: StationConfig.Destination, deidentify: Bool = false, reconcile: Reconcile? = nil, commit: Bool = false
        ) {
            self.source = source; self.destination = destination; self.deidentify = deidentify; self.reconcile = reconcile; self.commit = commit
        }
    }

    /// A publish job's selection and output.
    public struct Publish: Sendable, Equatable {
        public var studies: [String]
        public var target: StationConfig.Target
        public var profile = "STD-GEN-CD"
        public var pdi = true
        /// Where the studies come from: the station's store, or a node they are retrieved from (C-GET or WADO-RS).
        public var from: StationConfig.Destination = .store
        /// Discs to burn (drive and robot targets only).
        public var copies = 1
        /// The disc label's text, where the target prints one.
        public var label: String?
        public init(
            studies: [String], target: StationConfig.Target, profile: String = "STD-GEN-CD", pdi: Bool = true,
            from: StationConfig.Destination = .store, copies: Int = 1, label: String? = nil
        ) {
            self.studies = studies; self.target = target; self.profile = profile; self.pdi = pdi
            self.from = from; self.copies = copies; self.label = label
        }
    }

    /// Reads a request body: `{"kind": "import", "source": "/media/cdrom", "destination": "store"}`.
    public static func parse(_ body: [UInt8], config: StationConfig) throws(StationError) -> JobRequest {
        let json: JSONText
        do { json = try JSONText.parse(body, maxDepth: 16) } catch { throw StationError(.badRequest, "the body is not JSON: \(error.message)") }
        let reader = StationConfigReader(path: nil, request: true)
        let top = JSONText.Member(key: "", value: json, line: 1)
        let importKeys = ["source", "destination", "deidentify", "reconcile", "commit"]
        let publishKeys = ["studies", "target", "profile", "pdi", "from", "copies", "label"]
        let fields = try reader.object(top, "", keys: ["kind"] + importKeys + publishKeys, required: ["kind"])
        let kind = try reader.choice(fields["kind"]!, "kind", Job.Kind.self)
        let foreign = kind == .import ? publishKeys : importKeys
        if let k = foreign.first(where: { fields[$0] != nil }) {
            throw reader.bad(fields[k]!, k, "does not apply to \(kind == .import ? "an import" : "a publish") job")
        }
        switch kind {
        case .import: return .importMedium(try reader.importRequest(fields, top, config))
        case .publish: return .publish(try reader.publishRequest(fields, top, config))
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
        case .importMedium(let i):
            switch i.destination {
            case .store: return "Import \(i.source) into the store"
            case .node(let n): return "Import \(i.source) to \(n)"
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
        func name(_ d: StationConfig.Destination) -> JSON {
            switch d {
            case .store: .string("store")
            case .node(let n): .string(n)
            }
        }
        switch self {
        case .importMedium(let i):
            var out: [(String, JSON)] = [
                ("kind", .string("import")), ("source", .string(i.source)), ("destination", name(i.destination)), ("deidentify", .bool(i.deidentify)),
            ]
            switch i.reconcile {
            case .worklist(let node)?: out.append(("reconcile", .object([("worklist", .string(node))])))
            case .patient(let id, let pname, let issuer)?:
                var r: [(String, JSON)] = [("patientID", .string(id))]
                if let pname { r.append(("patientName", .string(pname))) }
                if let issuer { r.append(("issuer", .string(issuer))) }
                out.append(("reconcile", .object(r)))
            case nil: break
            }
            if i.commit { out.append(("commit", .bool(true))) }
            return .object(out)
        case .publish(let p):
            let target: JSON
            switch p.target {
            case .iso(let path): target = .object([("kind", .string("iso")), ("path", .string(path))])
            case .folder(let path): target = .object([("kind", .string("folder")), ("path", .string(path))])
            case .drive(let d): target = .object([("kind", .string("drive")), ("device", .string(d))])
            case .robot(let h, let f): target = .object([("kind", .string("robot")), ("hotFolder", .string(h)), ("format", .string(f.rawValue))])
            }
            var out: [(String, JSON)] = [
                ("kind", .string("publish")), ("studies", .array(p.studies.map { .string($0) })), ("target", target), ("profile", .string(p.profile)),
                ("pdi", .bool(p.pdi)), ("from", name(p.from)), ("copies", .int(Int64(p.copies))),
            ]
            if let l = p.label { out.append(("label", .string(l))) }
            return .object(out)
        }
    }

    /// The request a job holds, read with the checks of a new request (its paths are checked again when it runs).
    public init(stored text: String, config: StationConfig) throws(StationError) {
        self = try Self.parse(Array(text.utf8), config: config)
    }
}
