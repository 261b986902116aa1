import DICOMCore
import DICOMFileSet
import DICOMNetwork
import Foundation

// Worklist servers match the bytes of a name (wlmscpfs compares a UTF-8 query with a Latin-1 file's bytes and
// finds nothing), so names are never sent as matching keys when a birth date can narrow the search: the
// candidates are asked by accession number, else by birth date, and their names, decoded with each answer's
// Specific Character Set, are compared with the medium's decoded name here.
/// `import --to NODE --reconcile-worklist WNODE`: each patient of the media looked up on WNODE (Modality Worklist by
/// accession, then by name and birth date; then Patient Root C-FIND) and coerced to the single local match (IHE RAD
/// Import Reconciliation Workflow); a patient with no or several matches is refused.
public struct WorklistReconciliation: Sendable {
    /// One patient of the media and what the lookup found.
    public struct Patient: Sendable {
        public var sourcePatientID: String
        public var name: String
        public var birthDate: String?
        public var accessionNumbers: [String]
        /// The local demographics when exactly one local patient matched.
        public var match: Reconciler.Entry?
        /// How it was found ("worklist by accession", "worklist by name and birth date", "patient root"), or why it was refused.
        public var how: String
    }

    public var worklistPeer: String
    public var patients: [Patient] = []

    /// The patients refused (no or several matches).
    public var refused: [Patient] { patients.filter { $0.match == nil } }

    /// The transform coercing matched patients and refusing the others (their instances are not sent).
    public func transform(modificationDateTime: String? = nil) -> any InstanceTransform {
        var entries: [String: Reconciler.Entry] = [:]
        for p in patients { if let m = p.match { entries[p.sourcePatientID] = m } }
        return WorklistTransform(
            reconciler: Reconciler(entries: entries, modificationDateTime: modificationDateTime),
            refused: Dictionary(refused.map { ($0.sourcePatientID, $0.how) }, uniquingKeysWith: { a, _ in a }))
    }

    public var lines: [String] {
        patients.map { p in
            if let m = p.match {
                return "patient \(p.sourcePatientID) (\(p.name)): reconciled to \(m.patientID ?? "?") (\(m.patientName ?? "")) by \(p.how) on \(worklistPeer)"
            }
            return "patient \(p.sourcePatientID) (\(p.name)): not sent, \(p.how) on \(worklistPeer)"
        }
    }

    public var diagnostics: [FileSetProblem] {
        refused.map { FileSetProblem(.error, .worklistNoMatch, "patient \($0.sourcePatientID) (\($0.name)) not sent: \($0.how)", rule: "IHE RAD TF-2 4.59") }
    }

    public var json: JSON {
        .object([
            ("peer", .string(worklistPeer)),
            (
                "patients",
                .array(
                    patients.map { p in
                        .object([
                            ("sourcePatientID", .string(p.sourcePatientID)), ("patientName", .string(p.name)), ("reconciled", .bool(p.match != nil)),
                            ("patientID", p.match?.patientID.map { .string($0) } ?? .null), ("how", .string(p.how)),
                        ])
                    })
            ),
        ])
    }
}

/// Coerces the matched patients (Reconciler: Original Attributes Sequence, UIDs unchanged) and refuses the others.
struct WorklistTransform: InstanceTransform {
    let reconciler: Reconciler
    let refused: [String: String]

    func apply(to dataSet: inout DataSet, fileMeta: inout DataSet) throws {
        let id = dataSet.string(.patientID) ?? ""
        if let why = refused[id] { throw MediaError(.badArgument, "patient \(id) is not reconciled: \(why)", tag: .patientID) }
        try reconciler.apply(to: &dataSet, fileMeta: &fileMeta)
    }
}

extension NetworkPeer {
    /// Looks up every patient of `media` on this (worklist) peer; the media are read as import reads them.
    public func reconcileWorklist(_ media: [any MediumReader]) throws -> WorklistReconciliation {
        var options = ImportOptions()
        options.dryRun = true
        let plan = try ImportPlanner.plan(media: media, storeRoot: label, options: options)
        var findings = plan.findings
        var order: [String] = []
        var byID: [String: WorklistReconciliation.Patient] = [:]
        for medium in plan.media {
            var start = 0
            while start < medium.candidates.count {
                let batch = Array(medium.candidates[start..<min(start + options.batchSize, medium.candidates.count)])
                for (_, row, _) in ImportExecutor.prepare(batch, of: medium, options: options, key: [], keepBytes: false, report: &findings) {
                    if byID[row.patientID] == nil {
                        order.append(row.patientID)
                        byID[row.patientID] = .init(
                            sourcePatientID: row.patientID, name: row.patientName ?? "", birthDate: row.patientBirthDate.flatMap { $0.isEmpty ? nil : $0 },
                            accessionNumbers: [], how: "")
                    }
                    if let a = row.accessionNumber, !a.isEmpty, !byID[row.patientID]!.accessionNumbers.contains(a) {
                        byID[row.patientID]!.accessionNumbers.append(a)
                    }
                }
                start += batch.count
            }
        }
        var out = WorklistReconciliation(worklistPeer: label)
        let peer = self
        for id in order {
            let p = byID[id]!
            do { out.patients.append(try Blocking.run { try await peer.lookUp(p) }) } catch { throw naming(error) }
        }
        return out
    }

    /// The local patients matching `p`: worklist by accession, then by birth date (and name), then Patient Root.
    func lookUp(_ p: WorklistReconciliation.Patient) async throws -> WorklistReconciliation.Patient {
        var p = p
        let (host, port, ae) = try dimse(for: "a worklist lookup")
        func find(_ identifier: DataSet, _ model: QueryInformationModel) async throws -> [DataSet] {
            let r = try await FindSCU.find(
                identifier, model: model, host: host, port: port, callingAETitle: callingAETitle, calledAETitle: ae, tls: tlsOptions)
            guard r.status.isSuccess else { throw NetworkError(.unexpectedResponse, "\(model) C-FIND answered \(r.status)") }
            return r.matches
        }
        let byName: (DataSet) -> Bool = {
            Self.sameName($0.text(.patientName) ?? "", p.name) && (p.birthDate == nil || $0.string(.patientBirthDate) == p.birthDate)
        }
        var tried: [(String, [DataSet])] = []
        for a in p.accessionNumbers {
            tried.append(("worklist by accession \(a)", try await find(try WorklistKeys(accessionNumber: a).identifier(), .modalityWorklist)))
        }
        let dateKey = p.birthDate.map { DateRange(day: $0) }
        let nameKey = dateKey == nil ? p.name : nil
        if tried.allSatisfy({ $0.1.isEmpty }) {
            let found = try await find(try WorklistKeys(patientName: nameKey, patientBirthDate: dateKey).identifier(), .modalityWorklist)
            tried.append(("worklist by name and birth date", found.filter(byName)))
        }
        if tried.allSatisfy({ $0.1.isEmpty }) {
            let found = try await find(try QueryKeys(level: .patient, patientName: nameKey, patientBirthDate: dateKey).identifier(), .patientRoot)
            tried.append(("Patient Root C-FIND by name and birth date", found.filter(byName)))
        }
        guard let (how, matches) = tried.first(where: { !$0.1.isEmpty }) else {
            p.how = "no local patient matches (worklist, then Patient Root)"
            return p
        }
        var ids: [String: DataSet] = [:]
        for m in matches { if let id = m.string(.patientID), !id.isEmpty, ids[id] == nil { ids[id] = m } }
        guard ids.count == 1, let (id, m) = ids.first else {
            p.how = ids.isEmpty ? "the matches have no Patient ID" : "\(ids.count) local patients match by \(how): \(ids.keys.sorted().joined(separator: ", "))"
            return p
        }
        p.match = Reconciler.Entry(
            patientID: id, patientName: m.text(.patientName).flatMap { $0.isEmpty ? nil : $0 },
            birthDate: m.string(.patientBirthDate).flatMap { $0.isEmpty ? nil : $0 }, sex: m.string(.patientSex).flatMap { $0.isEmpty ? nil : $0 })
        p.how = how
        return p
    }

    /// Two decoded Person Names are the same patient: the alphabetic groups equal ignoring case and trailing empty components.
    static func sameName(_ a: String, _ b: String) -> Bool {
        func norm(_ s: String) -> [String] {
            var c = PersonName(s).components.map { $0.trimmingCharacters(in: .whitespaces).lowercased() }
            while c.last?.isEmpty == true { c.removeLast() }
            return c
        }
        return !norm(a).isEmpty && norm(a) == norm(b)
    }
}
