import DICOMCore
import DICOMFileSet
import DICOMNetwork

/// What `import SOURCE... --to NODE` did: how the media were read (as `import` reports it) and what was sent.
public struct MediaSendReport: Sendable {
    /// The media read, files missing, refused or not DICOM, DICOMDIR problems: import's findings.
    public var findings: ImportReport
    public var send: SendReport
    /// Storage Commitment of the confirmed instances (`--commit`).
    public var commit: CommitReport?
    /// The worklist lookup of each patient (`--reconcile-worklist`).
    public var worklist: WorklistReconciliation?

    /// Something was missing, refused, not confirmed or not committed by the peer.
    public var hasProblems: Bool {
        findings.hasProblems || !(worklist?.refused.isEmpty ?? true) || (!send.dryRun && !send.failed.isEmpty) || (commit?.hasProblems ?? false)
    }
    public var hasWarnings: Bool { findings.hasWarnings || send.instances.contains(where: \.warning) }
    public var couldNotConnect: Bool { send.couldNotConnect }

    public var text: String {
        var lines: [String] = findings.mediaLines
        lines += worklist?.lines ?? []
        lines.append(
            "read \(send.instances.count) instances; missing \(findings.missing.count), failed \(findings.failed.count), not DICOM \(findings.notDICOM.count)")
        lines.append(send.text)
        if let commit { lines.append(commit.summary) }
        return lines.joined(separator: "\n")
    }

    /// Import's findings on stderr first, then the instances not confirmed and the warnings.
    public var diagnostics: [FileSetProblem] { findings.diagnostics + (worklist?.diagnostics ?? []) + send.diagnostics + (commit?.diagnostics ?? []) }

    /// Import's report without its store counts (`media`, `missing`, `failed`, `notDicom`, their lists, `problems`), plus `send`.
    public var json: JSON {
        guard case .object(let all) = findings.json else { return send.json }
        let keep: Set<String> = ["dryRun", "missing", "failed", "notDicom", "media", "problems"]
        var out = all.filter { keep.contains($0.0) }
        if let lists = all.first(where: { $0.0 == "lists" })?.1, case .object(let l) = lists {
            out.append(("lists", .object(l.filter { ["missing", "failed", "notDicom"].contains($0.0) })))
        }
        out.append(("send", send.json))
        if let worklist { out.append(("worklist", worklist.json)) }
        if let commit { out.append(("commit", commit.json)) }
        return .object(out)
    }
}

// The media are planned and read exactly as `import` reads them (ImportPlanner, then each file checked and
// transformed by ImportExecutor.prepare: the same refusals, reconciliation and de-identification); the
// instances ready are then sent study by study instead of stored. Bytes are kept in memory up to a budget;
// past it an instance is read (and transformed) again when its study is sent.
/// `import SOURCE... --to NODE`: media sent to a peer instead of into the store.
public enum MediaSender {
    /// Bytes of prepared instances kept between reading and sending.
    static let memoryBudget = 512 << 20

    public static func send(
        _ media: [any MediumReader], to peer: NetworkPeer, transform: (any InstanceTransform)?, dryRun: Bool,
        progress: (@Sendable (String, Int, Int) -> Void)? = nil
    ) throws -> MediaSendReport {
        var options = ImportOptions()
        options.dryRun = dryRun
        options.transform = transform
        options.provenance = .hash
        let plan = try ImportPlanner.plan(media: media, storeRoot: peer.label, options: options)
        var findings = plan.findings
        let key = (0..<32).map { _ in UInt8.random(in: 0...255) }
        let readOptions = options
        var outgoing: [OutgoingInstance] = []
        var kept = 0
        var done = 0
        for medium in plan.media {
            var start = 0
            while start < medium.candidates.count {
                let batch = Array(medium.candidates[start..<min(start + options.batchSize, medium.candidates.count)])
                for (i, row, bytes) in ImportExecutor.prepare(batch, of: medium, options: options, key: key, report: &findings) {
                    let c = batch[i]
                    let cached: [UInt8]? = kept + bytes.count <= memoryBudget ? bytes : nil
                    if cached != nil { kept += bytes.count }
                    let expected = row.sopInstanceUID
                    outgoing.append(
                        OutgoingInstance(
                            path: medium.medium.location + "/" + c.path, sopInstanceUID: row.sopInstanceUID, sopClassUID: row.sopClassUID,
                            transferSyntaxUID: row.transferSyntaxUID, studyInstanceUID: row.studyInstanceUID, file: nil,
                            bytes: {
                                if let cached { return cached }
                                return try MediaSender.reread(c, of: medium, options: readOptions, key: key, expecting: expected)
                            }))
                }
                start += batch.count
                done += batch.count
                progress?("reading", done, plan.fileCount)
            }
        }
        let sent =
            dryRun
            ? NetworkSender.plan(outgoing, to: peer)
            : try NetworkSender.send(outgoing, to: peer, progress: progress.map { p in { @Sendable in p("sending", $0, $1) } })
        return MediaSendReport(findings: findings, send: sent)
    }

    /// Reads and transforms a file again (its bytes were not kept); it must still be the same instance.
    static func reread(_ c: ImportPlan.Candidate, of medium: ImportPlan.MediumPlan, options: ImportOptions, key: [UInt8], expecting uid: String)
        throws -> [UInt8]
    {
        switch PreparedInstance(c, of: medium, options: options, provenanceKey: key, importedAt: "") {
        case .ready(let row, let bytes, _):
            guard row.sopInstanceUID == uid else {
                throw MediaError(.unreadable, "the file changed while it was sent: it now holds \(row.sopInstanceUID)", path: c.path)
            }
            return bytes
        case .notDICOM(let why), .failed(let why): throw MediaError(.unreadable, why, path: c.path)
        }
    }
}
