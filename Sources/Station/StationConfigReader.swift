import DICOMCore
import DICOMFileSet
import DICOMNetwork
import Foundation

// Every member is checked against the keys its object may have; a wrong key or value stops the start with an error
// naming the file, the line and the member's path (e.g. `rules[0].target.kind`). Paths are absolute and plain (no
// `.` or `..` segment); the store, the state, watched paths and targets must lie under one of the roots.
/// Reads and checks a station configuration file (JSON).
public struct StationConfigReader {
    let path: String?
    /// Reading an API request's body rather than the configuration: every error is `bad-request`.
    var request = false

    /// Reads and checks the file at `path` (at most 1 MiB).
    public static func load(path: String) throws(StationError) -> StationConfig {
        guard let data = FileManager.default.contents(atPath: path) else { throw StationError(.configFile, "cannot read the configuration file", path: path) }
        guard data.count <= 1 << 20 else { throw StationError(.configFile, "the configuration file is larger than 1 MiB", path: path) }
        return try parse(Array(data), path: path)
    }

    /// Parses and checks the text of a configuration; `path` names it in errors.
    public static func parse(_ bytes: [UInt8], path: String? = nil) throws(StationError) -> StationConfig {
        let json: JSONText
        do { json = try JSONText.parse(bytes, path: path) } catch { throw StationError(.configFile, error.message, context: error.context) }
        return try StationConfigReader(path: path).config(JSONText.Member(key: "", value: json, line: 1))
    }

    static let keys = ["http", "dicom", "store", "state", "roots", "quietSeconds", "locale", "watch", "nodes", "rules"]

    func config(_ top: JSONText.Member) throws(StationError) -> StationConfig {
        let fields = try object(top, "", keys: Self.keys, required: ["store", "state", "roots"])
        let roots = try array(fields["roots"]!, "roots").enumerated().map { (i, m) throws(StationError) in try absolute(m, "roots[\(i)]") }
        guard !roots.isEmpty else { throw bad(fields["roots"]!, "roots", "must name at least one folder") }
        var c = StationConfig(store: "", state: "", roots: roots)
        c.store = try under(fields["store"]!, "store", roots)
        c.state = try under(fields["state"]!, "state", roots)
        if let m = fields["http"] { c.http = try http(m) }
        if let m = fields["dicom"] { c.dicom = try dicom(m) }
        if let m = fields["quietSeconds"] { c.quietSeconds = try integer(m, "quietSeconds", 1...86400) }
        if let m = fields["locale"] {
            let l = try text(m, "locale")
            guard l.range(of: "^[a-z]{2,3}(_[A-Z]{2})?$", options: .regularExpression) != nil else {
                throw bad(m, "locale", "must be a language code, optionally with a region (en, en_GB, fr_FR)")
            }
            c.locale = l
        }
        if let m = fields["nodes"] {
            do { c.nodes = try NodeDirectory.parse(m.value, path: path) } catch {
                throw StationError(.configValue, "nodes: " + error.message, context: error.context, cause: error)
            }
        }
        if let m = fields["watch"] {
            c.watch = try array(m, "watch").enumerated().map { (i, w) throws(StationError) in try watch(w, "watch[\(i)]", c) }
        }
        if let m = fields["rules"] {
            c.rules = try array(m, "rules").enumerated().map { (i, r) throws(StationError) in try rule(r, "rules[\(i)]", c) }
        }
        return c
    }

    func http(_ m: JSONText.Member) throws(StationError) -> StationConfig.HTTP {
        let f = try object(m, "http", keys: ["host", "port", "tokenEnv", "tlsCertificate", "tlsKey"], required: [])
        var h = StationConfig.HTTP()
        if let v = f["host"] {
            guard let host = NodeAddress.checkedHost(try text(v, "http.host")) else { throw bad(v, "http.host", "is not a host name or address") }
            h.host = host
        }
        if let v = f["port"] { h.port = try integer(v, "http.port", 1...65535) }
        if let v = f["tokenEnv"] {
            let s = try text(v, "http.tokenEnv")
            guard Node.isEnvironmentName(s) else { throw bad(v, "http.tokenEnv", "must name an environment variable (letters, digits, '_')") }
            h.tokenEnv = s
        }
        if let v = f["tlsCertificate"] { h.tlsCertificate = try absolute(v, "http.tlsCertificate") }
        if let v = f["tlsKey"] { h.tlsKey = try absolute(v, "http.tlsKey") }
        if (h.tlsCertificate == nil) != (h.tlsKey == nil) { throw bad(m, "http", "\"tlsCertificate\" and \"tlsKey\" go together") }
        if !h.isLoopback, h.tokenEnv == nil {
            throw bad(m, "http", "bound to \(h.host), beyond loopback: \"tokenEnv\" must name the variable holding the API token")
        }
        return h
    }

    func dicom(_ m: JSONText.Member) throws(StationError) -> StationConfig.DICOM {
        let f = try object(m, "dicom", keys: ["host", "aeTitle", "port", "allow", "maxAssociations", "commitPort"], required: ["aeTitle", "port"])
        var d = StationConfig.DICOM(aeTitle: try ae(f["aeTitle"]!, "dicom.aeTitle"), port: try integer(f["port"]!, "dicom.port", 1...65535))
        if let v = f["host"] {
            guard let host = NodeAddress.checkedHost(try text(v, "dicom.host")) else { throw bad(v, "dicom.host", "is not a host name or address") }
            d.host = host
        }
        if let v = f["allow"] { d.allow = try array(v, "dicom.allow").enumerated().map { (i, a) throws(StationError) in try ae(a, "dicom.allow[\(i)]") } }
        if let v = f["maxAssociations"] { d.maxAssociations = try integer(v, "dicom.maxAssociations", 1...256) }
        if let v = f["commitPort"] {
            d.commitPort = try integer(v, "dicom.commitPort", 1...65535)
            if d.commitPort == d.port { throw bad(v, "dicom.commitPort", "must differ from dicom.port") }
        }
        return d
    }

    func watch(_ m: JSONText.Member, _ at: String, _ c: StationConfig) throws(StationError) -> StationConfig.Watch {
        let f = try object(m, at, keys: ["kind", "path", "action", "destination", "reconcileWorklist", "deidentify", "commit"], required: ["kind", "path"])
        let kind = try choice(f["kind"]!, at + ".kind", StationConfig.Watch.Kind.self)
        var w = StationConfig.Watch(kind: kind, path: try under(f["path"]!, at + ".path", c.roots), destination: .store)
        if let v = f["action"], try text(v, at + ".action") != "import" { throw bad(v, at + ".action", "must be \"import\"") }
        if let v = f["destination"] { w.destination = try destination(v, at + ".destination", c) }
        if let v = f["reconcileWorklist"] {
            let n = try node(v, at + ".reconcileWorklist", c)
            try dimseNode(.node(n), v, at + ".reconcileWorklist", c, "a worklist is queried over DIMSE (C-FIND)")
            w.reconcileWorklist = n
        }
        if let v = f["deidentify"] { w.deidentify = try bool(v, at + ".deidentify") }
        if let v = f["commit"] {
            w.commit = try bool(v, at + ".commit")
            if w.commit { try dimseNode(w.destination, v, at + ".commit", c, "Storage Commitment needs a DIMSE destination node") }
        }
        return w
    }

    func rule(_ m: JSONText.Member, _ at: String, _ c: StationConfig) throws(StationError) -> StationConfig.Rule {
        let keys = ["callingAE", "per", "quietSeconds", "target", "profile", "copies", "pdi"]
        let f = try object(m, at, keys: keys, required: ["callingAE", "target"])
        var r = StationConfig.Rule(callingAE: try ae(f["callingAE"]!, at + ".callingAE"), target: try target(f["target"]!, at + ".target", c))
        if let v = f["per"] { r.per = try choice(v, at + ".per", StationConfig.Rule.Per.self) }
        if let v = f["quietSeconds"] { r.quietSeconds = try integer(v, at + ".quietSeconds", 1...86400) }
        if let v = f["profile"] {
            let p = try text(v, at + ".profile")
            guard ApplicationProfile.named(p) != nil else {
                throw bad(v, at + ".profile", "\"\(p)\" is not a media application profile (PS3.11), e.g. STD-GEN-CD")
            }
            r.profile = p
        }
        if let v = f["copies"] { r.copies = try integer(v, at + ".copies", 1...100) }
        if let v = f["pdi"] { r.pdi = try bool(v, at + ".pdi") }
        if let dicom = c.dicom, !dicom.allow.isEmpty, !dicom.allow.contains(r.callingAE) {
            throw bad(f["callingAE"]!, at + ".callingAE", "\(r.callingAE.value) is not in dicom.allow: the rule could never apply")
        }
        return r
    }

    func target(_ m: JSONText.Member, _ at: String, _ c: StationConfig) throws(StationError) -> StationConfig.Target {
        let f = try object(m, at, keys: ["kind", "path", "device", "hotFolder", "format"], required: ["kind"])
        let kind = try text(f["kind"]!, at + ".kind")
        func need(_ key: String) throws(StationError) -> JSONText.Member {
            guard let v = f[key] else { throw bad(m, at, "a \"\(kind)\" target needs \"\(key)\"") }
            return v
        }
        func refuse(_ keys: [String]) throws(StationError) {
            if let k = keys.first(where: { f[$0] != nil }) { throw bad(f[k]!, at + "." + k, "does not apply to a \"\(kind)\" target") }
        }
        switch kind {
        case "folder", "iso":
            try refuse(["device", "hotFolder", "format"])
            let p = try under(try need("path"), at + ".path", c.roots)
            return kind == "folder" ? .folder(path: p) : .iso(path: p)
        case "drive":
            try refuse(["path", "hotFolder", "format"])
            let v = try need("device")
            let d = try text(v, at + ".device")
            if d.hasPrefix("stdio:") {
                let file = String(d.dropFirst(6))
                _ = try under(JSONText.Member(key: v.key, value: .string(file), line: v.line), at + ".device", c.roots)
            } else if !d.hasPrefix("/dev/") || Self.plainAbsolute(d) != d {
                throw bad(v, at + ".device", "must be a drive's device (/dev/sr0) or stdio:FILE")
            }
            return .drive(device: d)
        case "robot":
            try refuse(["path", "device"])
            return .robot(
                hotFolder: try under(try need("hotFolder"), at + ".hotFolder", c.roots),
                format: try choice(try need("format"), at + ".format", StationConfig.RobotFormat.self))
        default:
            throw bad(f["kind"]!, at + ".kind", "\"\(kind)\" is not one of folder, iso, drive, robot")
        }
    }
}
