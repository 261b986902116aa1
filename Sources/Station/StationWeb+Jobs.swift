import DICOMCore
import DICOMNetwork
import FileSystem
import Foundation
import Hummingbird

/// The jobs list and a job's page.
extension StationWeb {
    /// Jobs on one page of the list.
    static let pageSize = 50

    /// `/` and `/jobs`: the jobs, newest first, filtered by state and kind, a page at a time (`page`, from 1).
    func jobsPage(_ request: Request) -> Response {
        let q = WebForm(query: request)
        let state = q["state"].flatMap(Job.State.init(rawValue:)), kind = q["kind"].flatMap(Job.Kind.init(rawValue:))
        let pageNumber = max(1, min(Int(q["page"] ?? "1") ?? 1, Int(Int32.max) / Self.pageSize))
        let total: Int, list: [Job]
        do {
            total = try jobs.count(state: state, kind: kind)
            list = try jobs.jobs(state: state, kind: kind, limit: Self.pageSize, offset: (pageNumber - 1) * Self.pageSize)
        } catch { return message(request, error) }
        let date = Self.formatter(locale: config.locale)
        let pages = max(1, (total + Self.pageSize - 1) / Self.pageSize)
        func link(_ page: Int) -> String {
            var parts: [String] = []
            if let state { parts.append("state=" + state.rawValue) }
            if let kind { parts.append("kind=" + kind.rawValue) }
            parts.append("page=\(page)")
            return "/jobs?" + parts.joined(separator: "&")
        }
        var values: [String: Any] = [
            "title": "Jobs", "total": total == 1 ? "1 job" : "\(total) jobs", "page": pageNumber, "pages": pages, "refresh": link(pageNumber),
            "jobs": list.map { Self.row($0, date: date) },
            "states": Job.State.allCases.map { ["value": $0.rawValue, "selected": $0 == state] as [String: Any] },
            "kinds": Job.Kind.allCases.map { ["value": $0.rawValue, "selected": $0 == kind] as [String: Any] },
        ]
        if pageNumber > 1 { values["previous"] = link(pageNumber - 1) }
        if pageNumber < pages { values["next"] = link(pageNumber + 1) }
        return page(request, "jobs", values)
    }

    /// A job as a row of the list and the head of its page: the API's fields (those shown), dates in the locale, progress in percent.
    static func row(_ j: Job, date: (String?) -> String) -> [String: Any] {
        var v: [String: Any] = [
            "id": j.id, "kind": j.kind.rawValue, "state": j.state.rawValue, "title": j.title, "attempts": j.attempts,
            "progress": ["done": j.done, "total": j.total],
        ]
        if let r = j.reason, !r.isEmpty { v["reason"] = r }
        v["createdText"] = date(j.created)
        v["finishedText"] = date(j.finished)
        v["percent"] = j.total > 0 ? min(100, j.done * 100 / j.total) : (j.state == .done ? 100 : 0)
        v["active"] = !j.state.isFinal
        v["canCancel"] = !j.state.isFinal
        v["canRetry"] = j.state == .failed || j.state == .cancelled
        return v
    }

    /// `/jobs/{id}`: the job, its request, log, the report (the verify report of what it wrote) and files.
    func jobPage(_ request: Request, _ idText: String?) -> Response {
        guard let idText, let id = Int64(idText), id > 0 else { return message(request, StationError(.jobUnknown, "a job id is a positive integer")) }
        let job: Job, log: [JobLogLine]
        do {
            job = try jobs.job(id)
            log = try jobs.log(of: id)
        } catch { return message(request, error) }
        let date = Self.formatter(locale: config.locale)
        var v = Self.row(job, date: date)
        v["startedText"] = date(job.started)
        v["requestText"] = Self.pretty(job.request)
        v["reportText"] = job.report.map(Self.pretty) ?? ""
        v["log"] = log.map { ["time": date($0.time), "level": $0.level.rawValue, "message": $0.message] }
        let files = Self.files(job)
        v["files"] = files
        v["hasFiles"] = !files.isEmpty
        return page(request, "job", ["job": v, "title": "Job \(job.id)"])
    }

    /// JSON text indented for reading; the text itself when it is not JSON.
    static func pretty(_ text: String) -> String {
        guard let object = try? JSONSerialization.jsonObject(with: Data(text.utf8)),
            let data = try? JSONSerialization.data(withJSONObject: object, options: [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes])
        else { return text }
        return String(decoding: data, as: UTF8.self)
    }

    /// What the job wrote: its output (an image, or a folder's files), with sizes.
    static func files(_ job: Job) -> [[String: Any]] {
        guard let report = job.report, case .object(let m)? = try? JSONText.parse(Array(report.utf8)),
            case .string(let output)? = m.first(where: { $0.key == "output" })?.value
        else { return [] }
        var paths = [output]
        if isDirectory(output) { paths = folderNames(output).sorted().prefix(200).map { output + "/" + $0 } }
        return paths.map { p in
            var st = stat()
            let size = stat(p, &st) == 0 ? Int(st.st_size) : -1
            return ["path": p, "size": size >= 0 ? ByteCountFormatter.string(fromByteCount: Int64(size), countStyle: .file) : "missing"]
        }
    }

    static func isDirectory(_ path: String) -> Bool {
        var st = stat()
        return stat(path, &st) == 0 && (st.st_mode & S_IFMT) == S_IFDIR
    }
}
