import DICOMCore
import DICOMNetwork

/// What `find NODE` asks: the level and matching keys of a C-FIND (or QIDO-RS search), or a worklist query.
public struct FindRequest: Sendable {
    public var level: QueryLevel = .study
    /// Modality Worklist (PS3.4 Annex K) instead of Query/Retrieve.
    public var worklist = false
    /// The matching keys; Patient's Name may hold `*` and `?` wildcards.
    public var patientID, patientName, modality, accessionNumber, studyInstanceUID: String?
    /// Birth Date; Study Date, or for the worklist the Scheduled Procedure Step Start Date.
    public var patientBirthDate, studyDate: DateRange?
    /// Specific Character Set of the query (default: ISO_IR 192 when a value is not ASCII, else none).
    public var characterSet: String?
    /// Stop after this many matches (C-CANCEL, or QIDO-RS `limit`).
    public var limit: Int?

    public init() {}

    /// The information model: Modality Worklist, Patient Root at the patient level, else Study Root.
    public var model: QueryInformationModel { worklist ? .modalityWorklist : level == .patient ? .patientRoot : .studyRoot }

    /// The C-FIND Identifier (PS3.4 §C.4.1.1.3, §K.6.1.2).
    public func identifier() throws -> DataSet {
        if worklist {
            return try WorklistKeys(
                patientID: patientID, patientName: patientName, patientBirthDate: patientBirthDate, accessionNumber: accessionNumber,
                scheduledDate: studyDate, modality: modality
            ).identifier(characterSet: characterSet)
        }
        return try QueryKeys(
            level: level, patientID: patientID, patientName: patientName, patientBirthDate: patientBirthDate, studyDate: studyDate,
            modality: modality, accessionNumber: accessionNumber, studyInstanceUID: studyInstanceUID
        ).identifier(characterSet: characterSet)
    }

    /// The columns shown for each match.
    var columns: [Tag] {
        if worklist {
            return [
                .accessionNumber, .patientID, .patientName, .patientBirthDate, .patientSex, .modality, .scheduledProcedureStepStartDate,
                .requestedProcedureDescription, .studyInstanceUID,
            ]
        }
        switch level {
        case .patient: return [.patientID, .patientName, .patientBirthDate, .patientSex, .numberOfPatientRelatedStudies]
        case .study:
            return [
                .studyDate, .patientID, .patientName, .accessionNumber, .modalitiesInStudy, .studyDescription, .numberOfStudyRelatedInstances,
                .studyInstanceUID,
            ]
        case .series: return [.studyInstanceUID, .seriesInstanceUID, .modality, .seriesNumber, .seriesDescription]
        case .image: return [.seriesInstanceUID, .sopInstanceUID, .sopClassUID, .instanceNumber]
        }
    }

    /// The QIDO-RS search of the same keys (PS3.18 §10.6); the study UID goes into the path below the study level.
    func qido() -> QIDOQuery {
        var match: [(key: String, value: String)] = []
        func add(_ key: String, _ value: String?) { if let value { match.append((key, value)) } }
        add("PatientID", patientID); add("PatientName", patientName); add("PatientBirthDate", patientBirthDate?.matchValue)
        add("StudyDate", studyDate?.matchValue); add(level == .study ? "ModalitiesInStudy" : "Modality", modality)
        add("AccessionNumber", accessionNumber)
        let target: QIDOQuery.Level
        switch level {
        case .series: target = .series(study: studyInstanceUID)
        case .image: target = .instances(study: studyInstanceUID, series: nil)
        default:
            target = .studies
            add("StudyInstanceUID", studyInstanceUID)
        }
        return QIDOQuery(level: target, match: match, includeFields: columns.map(FindReport.keyword), limit: limit)
    }
}

/// What `find NODE` found: one row per match, in the order the peer sent them, and the final status.
public struct FindReport: Sendable {
    public var peer: String
    /// "C-FIND" or "QIDO-RS".
    public var service: String
    public var model: QueryInformationModel
    public var level: QueryLevel
    public var columns: [Tag]
    /// Each match's values per column, decoded with its own Specific Character Set (multiple values joined by `\`).
    public var rows: [[String]]
    /// The final C-FIND-RSP status (nil for QIDO-RS).
    public var status: DIMSEStatus?
    public var errorComment: String?
    /// True when the search was stopped at `--limit` (C-CANCEL).
    public var limited = false

    /// The peer answered with a failure (not success, not the cancel we asked for).
    public var failed: Bool { status.map { !($0.isSuccess || $0.kind == .cancel) } ?? false }

    static func keyword(_ tag: Tag) -> String { DataDictionary.entry(for: tag)?.keyword ?? tag.description }

    /// A match's value, decoded: top level, else (worklist) in the first Scheduled Procedure Step item.
    static func value(_ tag: Tag, in ds: DataSet) -> String {
        let holder = ds.contains(tag) ? ds : ds[.scheduledProcedureStepSequence]?.items?.first ?? ds
        // A Person Name without its empty trailing component groups ("Wang^XiaoDong=王^小東=" -> "Wang^XiaoDong=王^小東").
        if holder[tag]?.vr == .PN, let names = holder.personNames(tag) { return names.map(\.description).joined(separator: "\\") }
        return holder.strings(tag)?.joined(separator: "\\") ?? ""
    }

    init(peer: String, service: String, request: FindRequest, matches: [DataSet]) {
        self.peer = peer; self.service = service; model = request.model; level = request.level; columns = request.columns
        rows = matches.map { m in
            let m = FindReport.assumingCharacterSet(m, columns: request.columns, query: request.characterSet)
            return request.columns.map { FindReport.value($0, in: m) }
        }
    }

    /// A match without Specific Character Set whose text is not ASCII (wlmscpfs answers its files' bytes without (0008,0005)):
    /// read as UTF-8 when those bytes are valid UTF-8, else in the query's character set, else ISO_IR 100.
    static func assumingCharacterSet(_ m: DataSet, columns: [Tag], query: String?) -> DataSet {
        guard !m.contains(.specificCharacterSet) else { return m }
        let bytes = columns.flatMap { m[$0]?.bytes ?? [] }
        guard bytes.contains(where: { $0 >= 0x80 }) else { return m }
        var out = m
        let term = String(validating: bytes, as: UTF8.self) != nil ? "ISO_IR 192" : query ?? "ISO_IR 100"
        out.characterSet = SpecificCharacterSet(terms: [term])
        return out
    }

    /// A table: a header of keywords, one line per match, columns padded; then the count and the status.
    public var text: String {
        var lines: [String] = []
        if !rows.isEmpty {
            let header = columns.map(FindReport.keyword)
            let widths = header.indices.map { c in max(header[c].count, rows.map { $0[c].count }.max() ?? 0) }
            func line(_ cells: [String]) -> String {
                cells.enumerated().map { c, s in c == cells.count - 1 ? s : s.padding(toLength: widths[c], withPad: " ", startingAt: 0) }
                    .joined(separator: "  ")
            }
            lines.append(line(header))
            lines += rows.map(line)
        }
        let what = model == .modalityWorklist ? "worklist item" : level.rawValue.lowercased()
        var summary = "\(rows.count) \(what)\(rows.count == 1 ? "" : "s") from \(peer) by \(service)"
        if limited { summary += " (stopped at the limit)" }
        if let status, failed { summary += "; the peer answered \(status)" + (errorComment.map { ": \($0)" } ?? "") }
        lines.append(summary)
        return lines.joined(separator: "\n")
    }

    public var json: JSON {
        let keys = columns.map(FindReport.keyword)
        return .object([
            ("peer", .string(peer)), ("service", .string(service)), ("model", .string(model.rawValue)), ("level", .string(level.rawValue)),
            ("count", .int(Int64(rows.count))), ("limited", .bool(limited)),
            ("status", status.map { .int(Int64($0.rawValue)) } ?? .null), ("statusName", status.map { .string($0.name) } ?? .null),
            ("errorComment", errorComment.map { .string($0) } ?? .null),
            ("matches", .array(rows.map { r in .object(zip(keys, r).map { ($0, .string($1)) }) })),
        ])
    }
}

extension NetworkPeer {
    /// TLS for the peer's DIMSE associations, when its node asks for it (nodes.json `"tls": true`, `tlsCA`, `tlsCertificate`, `tlsKey`).
    var tlsOptions: TLSOptions? { node.tlsOptions }

    /// The host, port and AE title of a DIMSE peer; a DICOMweb-only peer throws `no-dimse`-style NetworkError `node-address`.
    func dimse(for what: String) throws -> (host: String, port: Int, ae: String) {
        guard let ae = node.aeTitle, let host = node.host, let port = node.port else {
            throw NetworkError(.nodeAddress, "\(label) has no DIMSE address (AE@host:port): \(what) needs one")
        }
        return (host, port, ae.value)
    }

    /// `find`: C-FIND on the request's model, or QIDO-RS for a DICOMweb-only peer (not for the patient level or the worklist).
    public func find(_ request: FindRequest) throws -> FindReport {
        let peer = self
        do { return try Blocking.run { try await peer.findOnce(request) } } catch { throw naming(error) }
    }

    func findOnce(_ request: FindRequest) async throws -> FindReport {
        guard usesDIMSE else {
            guard !request.worklist, request.level != .patient else {
                throw NetworkError(.nodeAddress, "\(label) is a DICOMweb node: QIDO-RS has no patient level and no worklist")
            }
            let client = try webClient()
            do {
                let found = try await client.search(request.qido())
                try? await client.shutdown()
                return FindReport(peer: label, service: "QIDO-RS", request: request, matches: found)
            } catch {
                try? await client.shutdown()
                throw error
            }
        }
        let (host, port, ae) = try dimse(for: "C-FIND")
        let result = try await FindSCU.find(
            try request.identifier(), model: request.model, host: host, port: port, callingAETitle: callingAETitle, calledAETitle: ae,
            limit: request.limit, tls: tlsOptions)
        var report = FindReport(peer: label, service: "C-FIND", request: request, matches: result.matches)
        report.status = result.status
        report.errorComment = result.errorComment
        report.limited = result.status.kind == .cancel && request.limit != nil
        // The peer may have sent more before it read the C-CANCEL: only `limit` are reported.
        if let limit = request.limit, report.rows.count > limit {
            report.rows = Array(report.rows.prefix(limit))
            report.limited = true
        }
        return report
    }
}
