import DICOMCore
import Hummingbird

/// The API's look-ups the web page uses: a medium's preview, studies of the store or a node, worklist items, the
/// import sources and the settings.
extension StationAPI {
    func addQueries(to api: RouterGroup<BasicRequestContext>) {
        api.get("media") { request, _ in
            await StationQueries.offload {
                handle { () throws(StationError) in
                    let q = try Self.query(request, ["source"])
                    guard let source = q["source"] else { throw StationError(.badRequest, "source is required") }
                    return try MediumPreview.json(source: source, roots: config.roots)
                }
            }
        }
        api.get("studies") { request, _ in
            await StationQueries.offload {
                handle { () throws(StationError) in
                    let q = try Self.query(request, ["from", "patientName", "patientID", "dateFrom", "dateTo", "modality", "accessionNumber"])
                    return try StationQueries.studies(config, try StationQueries.StudySearch(q))
                }
            }
        }
        api.get("worklist") { request, _ in
            await StationQueries.offload {
                handle { () throws(StationError) in
                    let q = try Self.query(request, ["node", "patientName", "patientID"])
                    guard let node = q["node"] else { throw StationError(.badRequest, "node is required") }
                    guard q["patientName"] != nil || q["patientID"] != nil else { throw StationError(.badRequest, "patientName or patientID is required") }
                    return try StationQueries.worklist(config, node: node, patientName: q["patientName"], patientID: q["patientID"])
                }
            }
        }
        api.get("sources") { request, _ in
            handle { () throws(StationError) in
                _ = try Self.query(request, []); return StationQueries.sources(config)
            }
        }
        api.get("settings") { request, _ in
            handle { () throws(StationError) in
                _ = try Self.query(request, []); return StationQueries.settings(config)
            }
        }
    }

    /// The query string's fields; a name not in `known` is a bad request.
    static func query(_ request: Request, _ known: [String]) throws(StationError) -> WebForm {
        let q = WebForm(query: request)
        if let unknown = q.names.subtracting(known).sorted().first {
            throw StationError(.badRequest, "unknown query parameter \"\(unknown)\"" + (known.isEmpty ? "" : " (known: \(known.joined(separator: ", ")))"))
        }
        return q
    }
}
