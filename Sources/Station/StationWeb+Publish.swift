import DICOMCore
import DICOMFileSet
import Hummingbird

/// The publish page: search the store or a node, tick studies, pick the target, profile, copies, PDI and label, start.
extension StationWeb {
    /// `/publish?from=store&patientName=...`: the search form, the results with checkboxes and the start form.
    func publishPage(_ request: Request) -> Response {
        let q = WebForm(query: request)
        var v: [String: Any] = ["title": "Publish studies"]
        let from = q["from"] ?? "store"
        v["sources"] =
            [["value": "store", "label": "The station's store", "selected": from == "store"] as [String: Any]]
            + nodeNames.map { ["value": $0, "label": "PACS node \($0)", "selected": from == $0] as [String: Any] }
        for key in ["patientName", "patientID", "dateFrom", "dateTo", "modality", "accessionNumber"] { v[key] = q[key] ?? "" }
        v["from"] = from
        v["storeSelected"] = from == "store"
        if q["search"] != nil || q.names.contains("patientName") {
            do {
                let found = try StationQueries.studies(config, try StationQueries.StudySearch(q))
                let studies =
                    ((Self.value(found, dates: LocalDateText(locale: config.locale, dateOnly: true)) as? [String: Any])?["studies"] as? [[String: Any]]) ?? []
                v["studies"] = studies.enumerated().map { i, s in s.merging(["index": i], uniquingKeysWith: { a, _ in a }) }
                v["searched"] = true
                v["count"] = studies.count
            } catch { v["searchError"] = error.message }
        }
        var targets: [[String: Any]] = []
        for r in config.rules {
            let t = Self.value(StationQueries.target(r.target)) as? [String: Any] ?? [:]
            let key = Self.targetKey(r.target)
            if !targets.contains(where: { $0["value"] as? String == key }) { targets.append(["value": key, "label": t["text"] ?? key]) }
        }
        v["targets"] = targets
        v["profiles"] = ApplicationProfile.all.map { ["name": $0.id, "title": $0.title, "selected": $0.id == "STD-GEN-CD"] as [String: Any] }
        return page(request, "publish", v)
    }

    /// A target as the form's value: `iso:PATH`, `folder:PATH`, `drive:DEVICE`, `robot:FORMAT:HOTFOLDER`.
    static func targetKey(_ t: StationConfig.Target) -> String {
        switch t {
        case .iso(let p): "iso:" + p
        case .folder(let p): "folder:" + p
        case .drive(let d): "drive:" + d
        case .robot(let h, let f): "robot:" + f.rawValue + ":" + h
        }
    }

    /// The target of the form: a configured one (`target`), else the kind and path typed (`targetKind`, `targetPath`).
    static func target(_ form: WebForm) throws(StationError) -> JSON {
        let key = form["target"] ?? "other"
        if key == "other" {
            guard let path = form["targetPath"] else { throw StationError(.badRequest, "type the folder the output goes into") }
            return .object([("kind", .string(form["targetKind"] ?? "iso")), ("path", .string(path))])
        }
        // A drive's device may itself hold a colon (`stdio:/path`): all after "drive:" is the device.
        if key.hasPrefix("drive:"), key.count > 6 { return .object([("kind", .string("drive")), ("device", .string(String(key.dropFirst(6))))]) }
        let parts = key.split(separator: ":", maxSplits: 2).map(String.init)
        switch (parts.first, parts.count) {
        case ("iso", 2), ("folder", 2): return .object([("kind", .string(parts[0])), ("path", .string(parts[1]))])
        case ("robot", 3): return .object([("kind", .string("robot")), ("hotFolder", .string(parts[2])), ("format", .string(parts[1]))])
        default: throw StationError(.badRequest, "target: \"\(key)\" is not a target of this station")
        }
    }

    /// The start form: the request of `POST /api/jobs` made from its fields and created through the API's code.
    func startPublish(_ form: WebForm) throws(StationError) -> String {
        let studies = form.all("study")
        guard !studies.isEmpty else { throw StationError(.badRequest, "tick at least one study") }
        let target = try Self.target(form)
        var fields: [(String, JSON)] = [
            ("kind", .string("publish")), ("studies", .array(studies.map { .string($0) })), ("target", target),
            ("profile", .string(form["profile"] ?? "STD-GEN-CD")), ("pdi", .bool(form.checked("pdi"))),
        ]
        // Only what is not the default goes into the request: "from" a node, copies for a drive or robot, a label.
        if let from = form["from"], from != "store" { fields.append(("from", .string(from))) }
        if case .object(let t) = target, case .string(let kind)? = t.first(where: { $0.0 == "kind" })?.1, kind == "drive" || kind == "robot" {
            guard let n = Int(form["copies"] ?? "1"), (1...99).contains(n) else { throw StationError(.badRequest, "copies must be 1 to 99") }
            fields.append(("copies", .int(Int64(n))))
        }
        if let label = form["label"] { fields.append(("label", .string(label))) }
        return try create(.object(fields))
    }
}
