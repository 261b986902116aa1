import DICOMCore
import DICOMNetwork
import DICOMStore
import Dispatch
import FileSystem
import MediaKit

// What the page shows besides jobs, each answered as JSON: the API returns it as it is, the page renders the same value.
// Studies come from the station's store (its index, filtered here) or from a PACS node (C-FIND at the study level, or
// QIDO-RS for a DICOMweb node); worklist items from a node's Modality Worklist (C-FIND).
/// The station's look-ups: settings, import sources, studies (store or node) and worklist items.
enum StationQueries {
    /// The configuration as the settings page shows it (no secrets: token and TLS key paths are left out).
    static func settings(_ c: StationConfig) -> JSON {
        func destination(_ d: StationConfig.Destination) -> JSON {
            switch d {
            case .store: .string("store")
            case .node(let n): .string(n)
            }
        }
        return .object([
            ("http", .object([("host", .string(c.http.host)), ("port", .int(Int64(c.http.port))), ("tls", .bool(c.http.tlsCertificate != nil))])),
            (
                "dicom",
                c.dicom.map { d in
                    .object([
                        ("aeTitle", .string(d.aeTitle.value)), ("host", .string(d.host)), ("port", .int(Int64(d.port))),
                        ("allow", .array(d.allow.map { .string($0.value) })),
                    ])
                } ?? .null
            ),
            ("store", .string(c.store)), ("state", .string(c.state)), ("roots", .array(c.roots.map { .string($0) })),
            ("quietSeconds", .int(Int64(c.quietSeconds))), ("locale", .string(c.locale)),
            (
                "watch",
                .array(
                    c.watch.map { w in
                        .object([
                            ("kind", .string(w.kind.rawValue)), ("path", .string(w.path)), ("destination", destination(w.destination)),
                            ("reconcileWorklist", w.reconcileWorklist.map { .string($0) } ?? .null), ("deidentify", .bool(w.deidentify)),
                        ])
                    })
            ),
            (
                "nodes",
                .array(
                    c.nodes.nodes.map { n in
                        .object([
                            ("name", .string(n.name ?? "")), ("aeTitle", n.aeTitle.map { .string($0.value) } ?? .null),
                            ("host", n.host.map { .string($0) } ?? .null),
                            ("port", n.port.map { .int(Int64($0)) } ?? .null), ("dicomweb", n.dicomweb.map { .string($0) } ?? .null), ("tls", .bool(n.tls)),
                        ])
                    })
            ),
            (
                "rules",
                .array(
                    c.rules.map { r in
                        .object([
                            ("callingAE", .string(r.callingAE.value)), ("per", .string(r.per.rawValue)),
                            ("quietSeconds", .int(Int64(r.quietSeconds ?? c.quietSeconds))), ("target", target(r.target)),
                            ("profile", .string(r.profile)), ("copies", .int(Int64(r.copies))), ("pdi", .bool(r.pdi)),
                        ])
                    })
            ),
            ("drives", .array(drives(c).map { .string($0) })),
        ])
    }

    /// A publish target as JSON, with a line saying it.
    static func target(_ t: StationConfig.Target) -> JSON {
        switch t {
        case .folder(let p): .object([("kind", .string("folder")), ("path", .string(p)), ("text", .string("File-set folder in \(p)"))])
        case .iso(let p): .object([("kind", .string("iso")), ("path", .string(p)), ("text", .string("ISO image in \(p)"))])
        case .drive(let d): .object([("kind", .string("drive")), ("device", .string(d)), ("text", .string("Drive \(d)"))])
        case .robot(let h, let f):
            .object([
                ("kind", .string("robot")), ("hotFolder", .string(h)), ("format", .string(f.rawValue)), ("text", .string("Robot (\(f.rawValue)) at \(h)")),
            ])
        }
    }

    /// The drives the rules name.
    static func drives(_ c: StationConfig) -> [String] {
        var seen: [String] = []
        for r in c.rules { if case .drive(let d) = r.target, !seen.contains(d) { seen.append(d) } }
        return seen
    }

    /// The places a medium may be imported from now: each watched folder's and mount root's entries (newest names first
    /// as the folder lists them, at most 100 each).
    static func sources(_ c: StationConfig) -> JSON {
        .array(
            c.watch.map { w in
                let entries = folderNames(w.path).filter { !$0.hasPrefix(".") }.sorted().prefix(100)
                return .object([
                    ("watch", .string(w.path)), ("kind", .string(w.kind.rawValue)),
                    ("entries", .array(entries.map { .string(w.path + "/" + $0) })),
                ])
            })
    }

    /// A study search: its keys, and where to search (`store` or a node's name).
    struct StudySearch: Sendable {
        var from = "store"
        var patientName: String?
        var patientID: String?
        var dateFrom: String?
        var dateTo: String?
        var modality: String?
        var accessionNumber: String?
        /// At most this many studies.
        var limit = 200

        /// The keys of a query string or form (`from`, `patientName`, `patientID`, `dateFrom`, `dateTo` as YYYYMMDD or
        /// YYYY-MM-DD, `modality`, `accessionNumber`).
        init(_ form: WebForm) throws(StationError) {
            from = form["from"] ?? "store"
            patientName = form["patientName"]; patientID = form["patientID"]; modality = form["modality"]; accessionNumber = form["accessionNumber"]
            dateFrom = try Self.date(form["dateFrom"], "dateFrom"); dateTo = try Self.date(form["dateTo"], "dateTo")
        }

        static func date(_ s: String?, _ key: String) throws(StationError) -> String? {
            guard let s else { return nil }
            let d = s.replacingOccurrences(of: "-", with: "")
            guard d.count == 8, d.allSatisfy(\.isNumber) else { throw StationError(.badRequest, "\(key): \"\(s)\" is not a date (YYYY-MM-DD)") }
            return d
        }

        /// True when any key is given.
        var isEmpty: Bool { [patientName, patientID, dateFrom, dateTo, modality, accessionNumber].allSatisfy { $0 == nil } }
    }

    /// The studies matching `search`, as `{"from", "studies": [{studyInstanceUID, patientID, patientName, studyDate,
    /// studyDescription, accessionNumber, modalities, instances}]}`.
    static func studies(_ c: StationConfig, _ search: StudySearch) throws(StationError) -> JSON {
        let rows = try (search.from == "store" ? storeStudies(c, search) : nodeStudies(c, search))
        return .object([("from", .string(search.from)), ("studies", .array(rows))])
    }

    static func storeStudies(_ c: StationConfig, _ s: StudySearch) throws(StationError) -> [JSON] {
        guard LocalStore.exists(c.store) else { return [] }
        let instances: [StoredInstance]
        do { instances = try LocalStore(root: c.store, create: false, lockWait: 30).select() } catch {
            throw StationError(.queryFailed, "the store cannot be read: \(error)", path: c.store, cause: error)
        }
        func like(_ value: String?, _ key: String?) -> Bool {
            guard let key else { return true }
            let k = key.replacingOccurrences(of: "*", with: "").lowercased()
            let v = (value ?? "").lowercased()
            return k.isEmpty || v.contains(k) || v.replacingOccurrences(of: "^", with: " ").contains(k)
        }
        var order: [String] = []
        var studies: [String: [StoredInstance]] = [:]
        for i in instances {
            guard like(i.patientName, s.patientName), like(i.patientID, s.patientID), like(i.accessionNumber, s.accessionNumber) else { continue }
            if let f = s.dateFrom, (i.studyDate ?? "") < f { continue }
            if let t = s.dateTo, (i.studyDate ?? "99999999") > t { continue }
            if studies[i.studyInstanceUID] == nil { order.append(i.studyInstanceUID) }
            studies[i.studyInstanceUID, default: []].append(i)
        }
        var out: [JSON] = []
        for uid in order {
            let rows = studies[uid]!
            let modalities = rows.compactMap(\.modality).reduce(into: [String]()) { if !$0.contains($1) { $0.append($1) } }
            if let m = s.modality, !modalities.contains(where: { $0.caseInsensitiveCompare(m) == .orderedSame }) { continue }
            let first = rows[0]
            out.append(
                .object([
                    ("studyInstanceUID", .string(uid)), ("patientID", .string(first.patientID)), ("patientName", .string(first.patientName ?? "")),
                    ("studyDate", .string(first.studyDate ?? "")), ("studyDescription", .string(first.studyDescription ?? "")),
                    ("accessionNumber", .string(first.accessionNumber ?? "")), ("modalities", .string(modalities.joined(separator: "\\"))),
                    ("instances", .int(Int64(rows.count))),
                ]))
            if out.count >= s.limit { break }
        }
        return out
    }

    static func peer(_ c: StationConfig, _ name: String) throws(StationError) -> NetworkPeer {
        guard let node = c.nodes[name] else {
            throw StationError(
                .badRequest, "\"\(name)\" is neither \"store\" nor a node of \"nodes\" (known: \(c.nodes.nodes.compactMap(\.name).joined(separator: ", ")))")
        }
        do { return try NetworkPeer(node: node, callingAETitle: c.dicom?.aeTitle.value ?? NetworkPeer.defaultAETitle) } catch {
            throw StationError(.queryFailed, "the node \(name) cannot be used: \(error)", cause: error)
        }
    }

    /// A C-FIND (or QIDO-RS) of a node's matches, as the report's JSON matches (keyword: value).
    static func find(_ c: StationConfig, node: String, _ request: FindRequest) throws(StationError) -> [[String: String]] {
        let peer = try peer(c, node)
        let report: FindReport
        do { report = try peer.find(request) } catch { throw StationError(.queryFailed, "the query of \(node) failed: \(error)", cause: error) }
        guard case .object(let top) = report.json, case .array(let matches)? = top.first(where: { $0.0 == "matches" })?.1 else { return [] }
        return matches.map { m in
            guard case .object(let fields) = m else { return [:] }
            return Dictionary(fields.compactMap { k, v in if case .string(let s) = v { (k, s) } else { nil } }, uniquingKeysWith: { a, _ in a })
        }
    }

    static func nodeStudies(_ c: StationConfig, _ s: StudySearch) throws(StationError) -> [JSON] {
        var r = FindRequest()
        r.level = .study
        r.patientName = s.patientName.map { $0.contains("*") ? $0 : "*" + $0 + "*" }
        r.patientID = s.patientID; r.modality = s.modality; r.accessionNumber = s.accessionNumber
        if s.dateFrom != nil || s.dateTo != nil { r.studyDate = DateRange(from: s.dateFrom, to: s.dateTo) }
        r.limit = s.limit
        return try find(c, node: s.from, r).map { m in
            .object([
                ("studyInstanceUID", .string(m["StudyInstanceUID"] ?? "")), ("patientID", .string(m["PatientID"] ?? "")),
                ("patientName", .string(m["PatientName"] ?? "")), ("studyDate", .string(m["StudyDate"] ?? "")),
                ("studyDescription", .string(m["StudyDescription"] ?? "")), ("accessionNumber", .string(m["AccessionNumber"] ?? "")),
                ("modalities", .string(m["ModalitiesInStudy"] ?? "")), ("instances", .int(Int64(m["NumberOfStudyRelatedInstances"] ?? "") ?? 0)),
            ])
        }
    }

    /// A node's Modality Worklist items for a patient name or ID (`{"node", "items": [{patientID, patientName, ...}]}`).
    static func worklist(_ c: StationConfig, node: String, patientName: String?, patientID: String?) throws(StationError) -> JSON {
        var r = FindRequest()
        r.worklist = true
        r.patientName = patientName.map { $0.contains("*") ? $0 : $0 + "*" }
        r.patientID = patientID
        r.limit = 100
        let items = try find(c, node: node, r).map { m in
            JSON.object(
                [
                    ("patientID", m["PatientID"]), ("patientName", m["PatientName"]), ("patientBirthDate", m["PatientBirthDate"]),
                    ("accessionNumber", m["AccessionNumber"]), ("modality", m["Modality"]),
                    ("requestedProcedureDescription", m["RequestedProcedureDescription"]),
                ].map { ($0.0, .string($0.1 ?? "")) })
        }
        return .object([("node", .string(node)), ("items", .array(items))])
    }

    /// Runs blocking work (reading a medium or the store, a C-FIND) on a dispatch thread, off the server's tasks.
    static func offload<T: Sendable>(_ body: @escaping @Sendable () -> T) async -> T {
        await withCheckedContinuation { c in DispatchQueue.global(qos: .userInitiated).async { c.resume(returning: body()) } }
    }
}
