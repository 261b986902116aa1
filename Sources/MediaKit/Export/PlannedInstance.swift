import DICOMCore
import DICOMFileSet
import DICOMIO
import DICOMPixel
import Foundation

/// What the planner learns of one input: its header (after transform and transcoding) and, when kept,
/// the rewritten file staged for the executor.
struct PlannedInstance {
    var header: DataSet
    /// The syntax the rewritten file is in; nil when the input is copied as it is.
    var syntax: TransferSyntax?
    var staged: (path: String, size: Int)?
    /// The syntax changed (not only a transform).
    var transcoded = false
    var lossy = false
    var diagnostics: [Diagnostic] = []

    /// Loads an input's header, applies the transform (de-identify, reconcile), picks the syntax the profile
    /// allows (PS3.11 §7) and encodes the rewritten file: the encoder alone knows the outcome (output syntax,
    /// refusals, new SOP Instance UID of a lossy copy). The bytes are kept in `staging`, or dropped when it is
    /// nil (a plan only: same syntaxes, same refusals, nothing written). Runs on every core.
    static func prepare(_ inst: SourceInstance, index: Int, options: FileSetOptions, staging: String?) throws -> PlannedInstance {
        let header = inst.header.isEmpty ? try InstanceScanner.loadHeader(inst.path) : inst.header
        var target: TransferSyntax?
        if !options.inPlace {  // --in-place indexes files where they are, never rewritten; the profile check refuses what does not fit
            target = try SyntaxChoice.target(
                current: inst.transferSyntax, header: header, profile: options.profile, sopClassUID: inst.sopClassUID,
                mode: options.compression, recompress: options.recompress)
        }
        let transform = options.inPlace ? nil : options.transform
        if target == nil && transform == nil {
            guard inst.fileMetaNeedsRebuild && !options.inPlace else { return PlannedInstance(header: header) }
            // One identity (PS3.10 7.1): a File Meta disagreeing with the data set is rebuilt; the data set is copied byte for byte.
            guard let staging else { return PlannedInstance(header: header, syntax: inst.transferSyntax) }
            let bytes = try rebuildingFileMeta(inst.path, sourceAETitle: options.sourceAETitle)
            try makeDirectories(staging)
            let path = staging + "/m\(index)"
            try Part10Writer.write(bytes, to: path)
            return PlannedInstance(header: header, syntax: inst.transferSyntax, staged: (path, bytes.count))
        }
        let output = target ?? stagedSyntax(inst.transferSyntax)
        let (bytes, result, dataSet) = try FileTranscoder.encode(
            input: inst.path, to: output, parameters: options.encodeParameters, sourceAETitle: options.sourceAETitle,
            transform: transform.map { t in { ds, meta in try t.apply(to: &ds, fileMeta: &meta) } })
        var prepared = PlannedInstance(
            header: InstanceScanner.strip(dataSet), syntax: result.outputSyntax,
            transcoded: target != nil, lossy: result.lossy, diagnostics: result.diagnostics)
        guard let staging else { return prepared }
        try makePrivateDirectory(staging)
        let path = staging + "/t\(index)"
        try writePrivateFile(bytes, to: path)
        prepared.staged = (path, bytes.count)
        return prepared
    }

    /// The file at `path` with its File Meta rebuilt from its data set (SOP Class and Instance UID) and
    /// every data set byte kept as it is (PS3.10 7.1): the preamble, DICM, new group 0002, the old data set bytes.
    static func rebuildingFileMeta(_ path: String, sourceAETitle: String?) throws -> [UInt8] {
        let f = try Part10Reader.read(path: path, options: .headerOnly)
        guard let data = FileManager.default.contents(atPath: path) else { throw MediaError(.unreadable, "cannot read", path: path) }
        let all = [UInt8](data)
        guard f.dataSetOffset > 0, f.dataSetOffset <= all.count else {
            throw MediaError(.unreadable, "the data set's start cannot be found to rebuild the File Meta", path: path)
        }
        let syntax = TransferSyntax(uid: f.fileMeta.string(.transferSyntaxUID) ?? f.transferSyntax.uid)
        let meta = Part10Writer.makeFileMeta(
            for: f.dataSet, existing: f.fileMeta,
            options: WriteOptions(transferSyntax: syntax, sourceAETitle: sourceAETitle))
        var out = f.preamble ?? [UInt8](repeating: 0, count: 128)
        if out.count != 128 { out = [UInt8](repeating: 0, count: 128) }
        out += [0x44, 0x49, 0x43, 0x4D]
        out += Part10Writer.encodeFileMeta(meta)
        out += all[f.dataSetOffset...]
        return out
    }

    /// The syntax an instance is re-encoded in: its own, or Explicit VR Little Endian when this writer cannot produce it.
    static func stagedSyntax(_ ts: TransferSyntax) -> TransferSyntax {
        !Part10Writer.canWrite(ts) || ts.isDeflated ? .explicitVRLittleEndian : ts
    }
}
