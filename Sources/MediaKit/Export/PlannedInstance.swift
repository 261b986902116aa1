import DICOMCodecs
import DICOMCore
import DICOMFileSet
import DICOMIO
import DICOMPixel
import Foundation

/// What the planner learns of one input from its header: the header as the written file will have it
/// (after transform and transcoding, as predicted) and the rewrite it needs, if any.
struct PlannedInstance {
    var header: DataSet
    /// The rewrite and the syntax the rewritten file is in; nil when the input is copied as it is.
    var rewrite: FileSetRewrite.Kind?
    var syntax: TransferSyntax?
    /// The syntax asked of the encoder (the output's may differ: no Pixel Data is written native, PS3.5 A.4).
    var target: TransferSyntax?
    /// The syntax changes (not only a transform).
    var transcoded = false
    var lossy = false
    /// The new SOP Instance UID of a lossy copy, made by the plan and given to the encoder.
    var lossyInstanceUID: String?
    /// Warnings predicted from the header (reading it, the transcoder's bookkeeping).
    var diagnostics: [Diagnostic] = []

    /// Loads an input's header, applies the transform (de-identify, reconcile), picks the syntax the profile
    /// allows (PS3.11 §7) and predicts the transcoder's outcome from the header alone (output syntax, refusals,
    /// new SOP Instance UID of a lossy copy): no pixel data is read, nothing is encoded. Runs on every core.
    static func prepare(_ inst: SourceInstance, options: FileSetOptions) throws -> PlannedInstance {
        let file = try Part10Reader.read(path: inst.path, options: .headerOnly)
        let header = InstanceScanner.strip(file.dataSet)
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
            return PlannedInstance(header: header, rewrite: .rebuildFileMeta, syntax: inst.transferSyntax)
        }
        // The transform is applied to the header here and again to the whole data set by the executor: it gives the
        // same values for the same input within a run (InstanceTransform), so the records match the file.
        var ds = file.dataSet
        var meta = file.fileMeta
        if let transform { try transform.apply(to: &ds, fileMeta: &meta) }
        let output = target ?? stagedSyntax(inst.transferSyntax)
        Codecs.registerAll()
        let prediction = PixelTranscoder().plan(
            header: ds, hasPixelData: file.stoppedBeforePixelData, from: file.transferSyntax, to: output,
            parameters: options.encodeParameters, sopInstanceUID: UID.make())
        if let refusal = prediction.refusal {
            throw FileTranscoder.refusal(refusal, from: file.transferSyntax, to: output, path: inst.path)
        }
        return PlannedInstance(
            header: InstanceScanner.strip(prediction.header), rewrite: .transcode, syntax: prediction.outputSyntax, target: output,
            transcoded: target != nil, lossy: prediction.lossy,
            lossyInstanceUID: prediction.lossy ? prediction.header.string(.sopInstanceUID) : nil,
            diagnostics: file.diagnostics + prediction.diagnostics)
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
