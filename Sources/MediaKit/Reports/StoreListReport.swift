import DICOMCore
import DICOMStore

/// `store list` and `store show`: stored instances as a patient/study/series/instance tree
/// (JSON in the shape of `list --json`), and for `show` one line per copy with its provenance.
public struct StoreListReport: Sendable {
    let store: DICOMStore
    let rows: [StoredInstance]

    public var isEmpty: Bool { rows.isEmpty }
    public var text: String { StoreListing.text(rows) }
    /// The JSON document (the shape of `list --json`), streamed into bytes.
    public var jsonDocument: [UInt8] { StoreListing.jsonDocument(rows, store: store) }

    /// `show`'s lines after the tree: size, SHA-256, transfer syntax, import time and origin of each copy.
    public var copyLines: [String] {
        rows.map { r in
            "\(r.sopInstanceUID): \(r.size) bytes, SHA-256 \(r.sha256), \(r.transferSyntaxUID), imported \(r.importedAt) from \(StoreCopy.origin(r))"
                + (r.conflict ? " (CONFLICT: differs from an earlier copy; see `dicom-media store conflicts`)" : "")
        }
    }
}

/// A stored copy as the store commands print it.
enum StoreCopy {
    /// Where a stored copy came from, as its provenance columns say (only what the import kept).
    static func origin(_ r: StoredInstance) -> String {
        var s = "\(r.sourceKind) \(r.sourceLocation)"
        if let id = r.sourceFileSetID { s += " File-set \(id.isEmpty ? "(no ID)" : id)" }
        if let f = r.sourceFileID { s += " File ID \(f)" } else if !r.sourcePath.isEmpty { s += " path \(r.sourcePath)" }
        return s
    }

    /// A stored copy in JSON: hash, size, stored path, flag, import time and provenance.
    static func json(_ r: StoredInstance) -> JSON {
        func opt(_ s: String?) -> JSON { s.map { .string($0) } ?? .null }
        return .object([
            ("sha256", .string(r.sha256)), ("size", .int(Int64(r.size))), ("path", .string(r.path)), ("conflict", .bool(r.conflict)),
            ("importedAt", .string(r.importedAt)), ("transferSyntaxUID", .string(r.transferSyntaxUID)),
            (
                "source",
                .object([
                    ("kind", .string(r.sourceKind)), ("location", .string(r.sourceLocation)), ("fileSetID", opt(r.sourceFileSetID)),
                    ("fileSetUID", opt(r.sourceFileSetUID)), ("fileID", opt(r.sourceFileID)),
                    ("path", r.sourcePath.isEmpty ? .null : .string(r.sourcePath)),
                ])
            ),
        ])
    }
}
