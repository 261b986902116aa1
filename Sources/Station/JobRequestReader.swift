import DICOMCore
import DICOMFileSet
import DICOMNetwork

/// The members of `POST /api/jobs` bodies, read with the configuration's checks (nodes by name, paths under the roots).
extension StationConfigReader {
    /// An import job: `source`, `destination`, `deidentify`, `reconcile` and `commit`.
    func importRequest(_ fields: [String: JSONText.Member], _ top: JSONText.Member, _ config: StationConfig) throws(StationError) -> JobRequest.Import {
        guard let s = fields["source"] else { throw bad(top, "source", "is required") }
        var i = JobRequest.Import(source: try StationPaths.checked(try text(s, "source"), roots: config.roots), destination: .store)
        if let d = fields["destination"] { i.destination = try destination(d, "destination", config) }
        if let v = fields["deidentify"] { i.deidentify = try bool(v, "deidentify") }
        if let v = fields["reconcile"] { i.reconcile = try reconcile(v, "reconcile", config) }
        if let v = fields["commit"] {
            i.commit = try bool(v, "commit")
            if i.commit { try dimseNode(i.destination, v, "commit", config, "Storage Commitment needs a DIMSE destination node") }
        }
        return i
    }

    /// `{"worklist": NODE}` or `{"patientID": ID, "patientName": NAME, "issuer": ISSUER}`.
    func reconcile(_ m: JSONText.Member, _ at: String, _ config: StationConfig) throws(StationError) -> JobRequest.Reconcile {
        let f = try object(m, at, keys: ["worklist", "patientID", "patientName", "issuer"], required: [])
        if let w = f["worklist"] {
            if let k = ["patientID", "patientName", "issuer"].first(where: { f[$0] != nil }) {
                throw bad(f[k]!, at + "." + k, "give a worklist or a patient, not both")
            }
            let node = try node(w, at + ".worklist", config)
            try dimseNode(.node(node), w, at + ".worklist", config, "a worklist is queried over DIMSE (C-FIND)")
            return .worklist(node: node)
        }
        guard let idm = f["patientID"] else { throw bad(m, at, "needs \"worklist\" or \"patientID\"") }
        func value(_ m: JSONText.Member, _ at: String, _ vr: VR, _ max: Int) throws(StationError) -> String {
            let v = try text(m, at)
            guard v.count <= max, !v.contains(where: { $0 == "\\" || ($0.asciiValue.map { $0 < 0x20 } ?? false) }) else {
                throw bad(m, at, "must be at most \(max) characters of a \(vr) value, without backslashes or control characters")
            }
            return v
        }
        let id = try value(idm, at + ".patientID", .LO, 64)
        let name = try f["patientName"].map { n throws(StationError) in try value(n, at + ".patientName", .PN, 64 * 5) }
        let issuer = try f["issuer"].map { n throws(StationError) in try value(n, at + ".issuer", .LO, 64) }
        return .patient(id: id, name: name, issuer: issuer)
    }

    /// A publish job: `studies`, `target`, `profile`, `pdi`, `from`, `copies` and `label`.
    func publishRequest(_ fields: [String: JSONText.Member], _ top: JSONText.Member, _ config: StationConfig) throws(StationError) -> JobRequest.Publish {
        guard let st = fields["studies"], let t = fields["target"] else { throw bad(top, "studies", "and \"target\" are required") }
        let studies = try array(st, "studies").enumerated().map { (i, m) throws(StationError) in
            let uid = try text(m, "studies[\(i)]")
            guard UID.isValid(uid) else { throw bad(m, "studies[\(i)]", "\"\(uid)\" is not a UID") }
            return uid
        }
        guard !studies.isEmpty, studies.count <= 1000 else { throw bad(st, "studies", "must name 1 to 1000 Study Instance UIDs") }
        let target = try target(t, "target", config)
        try JobRequest.checkTarget(target, config: config)
        var publish = JobRequest.Publish(studies: studies, target: target)
        if let v = fields["profile"] {
            let p = try text(v, "profile")
            guard ApplicationProfile.named(p) != nil else { throw bad(v, "profile", "\"\(p)\" is not a media application profile (PS3.11)") }
            publish.profile = p
        }
        if let v = fields["pdi"] { publish.pdi = try bool(v, "pdi") }
        if let v = fields["from"] { publish.from = try destination(v, "from", config) }
        if let v = fields["copies"] {
            publish.copies = try integer(v, "copies", 1...100)
            if publish.copies > 1, case .folder = target { throw bad(v, "copies", "applies to drive and robot targets") }
            if publish.copies > 1, case .iso = target { throw bad(v, "copies", "applies to drive and robot targets") }
        }
        if let v = fields["label"] {
            let l = try text(v, "label")
            guard l.count <= 200, !l.contains(where: { $0.asciiValue.map { $0 < 0x20 } ?? false }) else {
                throw bad(v, "label", "must be at most 200 characters, without control characters")
            }
            publish.label = l
        }
        return publish
    }

    /// Refuses a destination that is not a node with an AE title, host and port.
    func dimseNode(
        _ d: StationConfig.Destination, _ m: JSONText.Member, _ at: String, _ config: StationConfig, _ why: String
    ) throws(StationError) {
        guard case .node(let name) = d, let node = config.nodes[name], node.hasDIMSE else { throw bad(m, at, why) }
    }
}
