import DICOMCore
import Hummingbird

/// The import page: pick a source, see what it holds, choose whom its patients become and where they go, start.
extension StationWeb {
    /// `/import?source=PATH[&worklist=NODE&wlName=NAME&wlID=ID]`: the sources, the medium's preview and the start form.
    func importPage(_ request: Request) -> Response {
        let q = WebForm(query: request)
        var v: [String: Any] = ["title": "Import a disc", "sources": Self.value(StationQueries.sources(config))]
        v["destinations"] = [["value": "store", "label": "The station's store"]] + nodeNames.map { ["value": $0, "label": "PACS node \($0)"] }
        v["nodes"] = nodeNames.map { ["name": $0, "selected": $0 == q["worklist"]] as [String: Any] }
        v["hasNodes"] = !nodeNames.isEmpty
        if let source = q["source"] {
            v["source"] = source
            do {
                let preview = try MediumPreview.json(source: source, roots: config.roots)
                v["preview"] = Self.value(preview, dates: LocalDateText(locale: config.locale, dateOnly: true))
                if case .object(let m) = preview, case .array(let patients)? = m.first(where: { $0.0 == "patients" })?.1,
                    case .object(let p)? = patients.first, case .string(let name)? = p.first(where: { $0.0 == "patientName" })?.1
                {
                    v["mediumPatientName"] = name
                }
            } catch {
                v["previewError"] = error.message
                v["previewCode"] = error.code.rawValue
            }
            if let node = q["worklist"] {
                v["worklistNode"] = node
                do {
                    let found = try StationQueries.worklist(config, node: node, patientName: q["wlName"], patientID: q["wlID"])
                    v["matches"] = (Self.value(found, dates: LocalDateText(locale: config.locale, dateOnly: true)) as? [String: Any])?["items"] ?? []
                } catch { v["worklistError"] = error.message }
            }
            v["wlName"] = q["wlName"] ?? v["mediumPatientName"] ?? ""
        }
        return page(request, "import", v)
    }

    var nodeNames: [String] { config.nodes.nodes.compactMap(\.name) }

    /// The start form: the request of `POST /api/jobs` made from its fields and created through the API's code.
    func startImport(_ form: WebForm) throws(StationError) -> String {
        guard let source = form["source"] else { throw StationError(.badRequest, "choose a source first") }
        var fields: [(String, JSON)] = [
            ("kind", .string("import")), ("source", .string(source)), ("destination", .string(form["destination"] ?? "store")),
            ("deidentify", .bool(form.checked("deidentify"))),
        ]
        if form.checked("commit") { fields.append(("commit", .bool(true))) }
        let reconcile = form["reconcile"] ?? "none"
        switch reconcile {
        case "none": break
        case "local":
            guard let id = form["patientID"] else { throw StationError(.badRequest, "type the local Patient ID") }
            fields.append(("reconcile", .object([("patientID", .string(id))] + (form["patientName"].map { [("patientName", .string($0))] } ?? []))))
        case "worklist":
            guard let node = form["worklist"] else { throw StationError(.badRequest, "choose the worklist node") }
            fields.append(("reconcile", .object([("worklist", .string(node))])))
        default:
            // A worklist match the user picked: "match<TAB>ID<TAB>NAME".
            let parts = reconcile.split(separator: "\t", maxSplits: 2, omittingEmptySubsequences: false).map(String.init)
            guard parts.count == 3, parts[0] == "match", !parts[1].isEmpty else {
                throw StationError(.badRequest, "reconcile: \"\(reconcile)\" is not none, local, worklist or a worklist match")
            }
            fields.append(("reconcile", .object([("patientID", .string(parts[1]))] + (parts[2].isEmpty ? [] : [("patientName", .string(parts[2]))]))))
        }
        return try create(.object(fields))
    }

    /// Creates a job from a request body, as `POST /api/jobs` does; the job's page to go to.
    func create(_ request: JSON) throws(StationError) -> String {
        guard
            case .int(let id)? = { if case .object(let m) = $0 { m.first { $0.0 == "id" }?.1 } else { nil } }(
                try StationAPI(config: config, jobs: jobs, openAPI: []).create(Array(request.serialized().utf8)))
        else { throw StationError(.jobDatabase, "the new job has no id") }
        return "/jobs/\(id)"
    }
}
