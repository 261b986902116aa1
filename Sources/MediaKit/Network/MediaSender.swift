import DICOMCore
import DICOMFileSet
import DICOMNetwork
import Dispatch
import Synchronization

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
// transformed by ImportExecutor.prepare: the same refusals, reconciliation and de-identification). The reading runs on
// its own thread, ahead of the sending: a study is handed to the sender once more than `StudyGrouper.window` files have been read
// after its last one (or the reading ended), so reading study k+1 overlaps sending study k. Bytes are kept in memory up
// to a budget, given back as each study is sent; past it an instance is read (and transformed) again when it is sent.
/// `import SOURCE... --to NODE`: media sent to a peer instead of into the store.
public enum MediaSender {
    /// Bytes of prepared instances kept between reading and sending.
    static let memoryBudget = 512 << 20

    public static func send(
        _ media: [any MediumReader], to peer: NetworkPeer, transform: (any InstanceTransform)?, dryRun: Bool,
        progress: (@Sendable (String, Int, Int) -> Void)? = nil, shouldStop: (@Sendable () -> Bool)? = nil
    ) throws -> MediaSendReport {
        var options = ImportOptions()
        options.shouldStop = shouldStop
        options.dryRun = dryRun
        options.transform = transform
        options.provenance = .hash
        let plan = try ImportPlanner.plan(media: media, storeRoot: peer.label, options: options)
        let reading = ReadAhead(budget: dryRun ? 0 : memoryBudget)
        let (studies, continuation) = AsyncStream<[OutgoingInstance]>.makeStream()
        continuation.onTermination = { _ in reading.stopped.withLock { $0 = true } }
        let readOptions = options
        DispatchQueue.global(qos: .userInitiated).async {
            let findings = read(plan, options: readOptions, into: continuation, reading: reading, progress: progress)
            reading.findings.withLock { $0 = findings }
            continuation.finish()
        }
        let total = plan.fileCount
        let sent = try Blocking.run {
            if dryRun {
                var all: [OutgoingInstance] = []
                for await study in studies { all += study }
                return NetworkSender.plan(all, to: peer)
            }
            return try await NetworkSender.send(
                studies: studies, total: total, to: peer, progress: progress.map { p in { @Sendable in p("sending", $0, $1) } },
                sent: { study in reading.kept.withLock { $0 -= study.reduce(0) { $0 + $1.held } } })
        }
        return MediaSendReport(findings: reading.findings.withLock { $0 } ?? plan.findings, send: sent)
    }

    /// What the reading thread shares with the sender.
    final class ReadAhead: Sendable {
        let budget: Int
        let kept = Mutex(0)
        let stopped = Mutex(false)
        let findings = Mutex<ImportReport?>(nil)
        init(budget: Int) { self.budget = budget }
    }

    /// Reads and prepares every candidate in order, yielding each study when it is complete; returns import's findings.
    static func read(
        _ plan: ImportPlan, options: ImportOptions, into studies: AsyncStream<[OutgoingInstance]>.Continuation, reading: ReadAhead,
        progress: (@Sendable (String, Int, Int) -> Void)?
    ) -> ImportReport {
        var findings = plan.findings
        let key = (0..<32).map { _ in UInt8.random(in: 0...255) }
        var grouper = StudyGrouper()
        var done = 0
        for medium in plan.media {
            var start = 0
            while start < medium.candidates.count, !reading.stopped.withLock({ $0 }) {
                if options.shouldStop?() == true {
                    findings.stopped = true
                    return findings
                }
                let batch = Array(medium.candidates[start..<min(start + options.batchSize, medium.candidates.count)])
                for (i, row, bytes) in ImportExecutor.prepare(batch, of: medium, options: options, key: key, report: &findings) {
                    let c = batch[i]
                    let keep = reading.kept.withLock { kept in
                        guard kept + bytes.count <= reading.budget else { return false }
                        kept += bytes.count
                        return true
                    }
                    let cached: [UInt8]? = keep ? bytes : nil
                    let expected = row.sopInstanceUID
                    var outgoing = OutgoingInstance(
                        path: medium.medium.location + "/" + c.path, sopInstanceUID: row.sopInstanceUID, sopClassUID: row.sopClassUID,
                        transferSyntaxUID: row.transferSyntaxUID, studyInstanceUID: row.studyInstanceUID, file: nil,
                        bytes: {
                            if let cached { return cached }
                            return try MediaSender.reread(c, of: medium, options: options, key: key, expecting: expected)
                        }, size: bytes.count)
                    outgoing.held = keep ? bytes.count : 0
                    grouper.add(outgoing)
                }
                for study in grouper.complete() { studies.yield(study) }
                start += batch.count
                done += batch.count
                progress?("reading", done, plan.fileCount)
            }
        }
        for study in grouper.rest() { studies.yield(study) }
        return findings
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
