import DICOMCore
import DICOMFileSet
import DICOMIO
import FileSystem
import Foundation

/// Does a plan's rewrites into its staging folder, a chunk at a time on every core so memory stays flat,
/// and holds each transcode to its prediction: the written file has the planned syntax and SOP Instance
/// UID, and its record is rebuilt from the written header (the compression ratio is measured by the
/// encoder only, PS3.3 C.7.6.1.1.5); a profile rule the written header breaks fails the rewrite.
struct FileSetRewriter: Sendable {
    let plan: FileSetPlan
    let builder: RecordBuilder

    init(plan: FileSetPlan) {
        self.plan = plan
        let o = plan.options
        builder = RecordBuilder(profile: o.profile, strict: o.strict, exportDate: o.exportDate, exportTime: o.exportTime)
    }

    /// A rewrite done: the staged file's size, its measured warnings and its instance record's keys (transcodes).
    struct Written: Sendable {
        var size: Int
        var problems: [FileSetProblem] = []
        var keys: DataSet?
    }

    /// Does every rewrite, in the plan's order; puts the transcoded instances' rebuilt keys into `fs`.
    func run(into fs: inout FileSet) throws -> [Result<Written, any Error>] {
        guard !plan.rewrites.isEmpty else { return [] }
        try makePrivateDirectory(plan.staging)
        var out: [Result<Written, any Error>] = []
        out.reserveCapacity(plan.rewrites.count)
        var rebuilt: [FileID: DataSet] = [:]
        let chunk = 256
        for start in stride(from: 0, to: plan.rewrites.count, by: chunk) {
            let range = start..<min(plan.rewrites.count, start + chunk)
            let slots = ConcurrentSlots<Result<Written, any Error>>(count: range.count)
            DispatchQueue.concurrentPerform(iterations: range.count) { k in
                slots[k] = Result { try write(plan.rewrites[range.lowerBound + k]) }
            }
            for (k, slot) in slots.values.enumerated() {
                guard var result = slot else { continue }
                if case .success(var w) = result, let keys = w.keys {
                    rebuilt[plan.rewrites[range.lowerBound + k].fileID] = keys
                    w.keys = nil
                    result = .success(w)
                }
                out.append(result)
            }
        }
        if !rebuilt.isEmpty { Self.replaceKeys(rebuilt, in: &fs.records) }
        return out
    }

    /// Writes one rewrite's staged file.
    func write(_ r: FileSetRewrite) throws -> Written {
        let options = plan.options
        switch r.kind {
        case .rebuildFileMeta:
            let bytes = try PlannedInstance.rebuildingFileMeta(r.source, sourceAETitle: options.sourceAETitle)
            try Part10Writer.write(bytes, to: r.staged)
            return Written(size: bytes.count)
        case .part10:
            let f = try Part10Reader.read(path: r.source)
            let bytes = try Part10Writer.encode(
                dataSet: f.dataSet, fileMeta: f.fileMeta, options: WriteOptions(transferSyntax: r.syntax, sourceAETitle: options.sourceAETitle))
            try writePrivateFile(bytes, to: r.staged)
            return Written(size: bytes.count)
        case .transcode:
            let transform = options.transform
            let (bytes, result, dataSet) = try FileTranscoder.encode(
                input: r.source, to: r.target, parameters: options.encodeParameters, sourceAETitle: options.sourceAETitle,
                transform: transform.map { t in { ds, meta in try t.apply(to: &ds, fileMeta: &meta) } }, sopInstanceUID: r.lossyInstanceUID)
            let written = Written(
                size: bytes.count,
                problems: FileSetRewrite.problems(result.diagnostics, source: r.source),
                keys: try keys(of: r, header: InstanceScanner.strip(dataSet), syntax: result.outputSyntax))
            try writePrivateFile(bytes, to: r.staged)
            return written
        }
    }

    /// The instance record's keys from the written header, refused when the file is not what the plan
    /// recorded (syntax, SOP Instance UID) or breaks a profile rule (PS3.11 §7).
    func keys(of r: FileSetRewrite, header: DataSet, syntax: TransferSyntax) throws -> DataSet {
        let uid = header.string(.sopInstanceUID) ?? ""
        guard syntax == r.syntax, uid == r.sopInstanceUID else {
            throw MediaError(
                .refused, "the rewritten file is \(syntax.name) with SOP Instance UID \(uid); the plan recorded \(r.syntax.name) and \(r.sopInstanceUID)",
                path: r.source)
        }
        do {
            return try builder.build(
                header: header, sopClassUID: r.sopClassUID, sopInstanceUID: uid, transferSyntaxUID: syntax.uid, fileID: r.fileID, source: r.source
            ).instance.keys
        } catch let e as RecordBuilder.Refusal {
            throw MediaError(.refused, "\(e.message) (\(e.rule))", path: r.source, cause: e)
        }
    }

    /// Replaces the keys of each record referencing a File ID of `keys`, in one walk of the tree (icons are made later).
    static func replaceKeys(_ keys: [FileID: DataSet], in records: inout [DirectoryRecord]) {
        for i in records.indices {
            if let id = records[i].referencedFileID, let k = keys[id] { records[i].keys = k }
            replaceKeys(keys, in: &records[i].children)
        }
    }
}
