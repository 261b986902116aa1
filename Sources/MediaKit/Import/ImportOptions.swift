import DICOMCore
import FileSystem
import DICOMFileSet
import DICOMIO
import DICOMStore

/// Options of an import.
public struct ImportOptions: Sendable {
    /// Classify and report only; write nothing (the store is not created).
    public var dryRun = false
    /// Applied to each instance before it is stored (re-encoded in the same transfer syntax):
    /// import reconciliation (IHE IRWF) and/or de-identification (PS3.15 E.1), in that order (`TransformChain`).
    public var transform: (any InstanceTransform)?
    /// Files read and written per durability barrier (one syncfs for the batch's data, one for its renames).
    public var batchSize = 256
    /// Bytes held in memory per batch, at most (a batch ends early past it).
    public var batchBytes = 256 << 20
    /// What the provenance columns keep of where each instance came from (see ``ProvenanceMode``).
    public var provenance: ProvenanceMode = .full
    /// The key of `.hash` (and `.label` without a File-set ID) medium tokens: the store's `deid.key`.
    /// A random one per run when nil (tokens then differ between runs).
    public var provenanceKey: [UInt8]?
    /// Asked before each batch: true stops the import there (the report's `stopped`); what was stored stays, complete.
    public var shouldStop: (@Sendable () -> Bool)?
    public init() {}
}

/// What a store keeps of an instance's origin (sourceLocation, sourceFileSetID/UID, sourceFileID, sourcePath).
public enum ProvenanceMode: String, Sendable, CaseIterable {
    /// Everything: the medium's path, its File-set ID and UID, the File ID and the path on the medium.
    case full
    /// The medium's File-set ID (0004,1130) as its label (its token when it has none); no paths, File IDs or UIDs.
    case label
    /// Only a token of the medium: "medium-" and 16 hex digits of HMAC-SHA-256 under the store's key of
    /// its File-set UID (else its path), the same for every instance of one medium; nothing else.
    case hash

    /// The row's provenance for a file at `path` (named `fileID` by the DICOMDIR) of `medium`.
    func provenance(
        kind: String, location: String, fileSetID: String?, fileSetUID: String?, fileID: String?, path: String,
        key: [UInt8]
    ) -> StoredInstance.Provenance {
        switch self {
        case .full:
            return .init(kind: kind, location: location, fileSetID: fileSetID, fileSetUID: fileSetUID, fileID: fileID, path: path)
        case .label, .hash:
            // The File-set UID names the medium wherever it is mounted; else its real path does.
            let name = nonEmpty(fileSetUID) ?? realPath(location) ?? location
            let h = KeyedHash.hmac(key: key, Array("MEDIUM:\(name)".utf8)).prefix(8)
            let token = "medium-" + h.map { ($0 < 16 ? "0" : "") + String($0, radix: 16) }.joined()
            if self == .label, let id = fileSetID, !id.isEmpty {
                return .init(kind: kind, location: id, fileSetID: id, path: "")
            }
            return .init(kind: kind, location: token, path: "")
        }
    }
}
