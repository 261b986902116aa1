import DICOMCore
import DICOMStore

/// `store remove`: what was removed (or, dry-running, would be) and which copy became the unflagged one.
public struct StoreRemovalReport: Sendable {
    public let uid: String
    let copy: String?
    public let dryRun: Bool
    let removal: DICOMStore.Removal

    public var text: String {
        var lines: [String] = []
        let r = removal
        if let level = r.level {
            let verb = dryRun ? "would remove" : "removed"
            lines.append("\(verb) \(level) \(uid): \(r.removed.count) instance file(s)")
            for x in r.removed { lines.append("  \(x.sopInstanceUID)  SHA-256 \(x.sha256)") }
            if level == "instance" && r.removed.count > 1 {
                lines.append("  (every copy of the instance; to keep one, remove the others with --copy SHA256)")
            }
            for x in r.unflagged {
                lines.append("  \(dryRun ? "would keep" : "kept") \(x.sha256) as the single copy of \(x.sopInstanceUID) (no longer flagged)")
            }
        }
        return lines.joined(separator: "\n")
    }

    public var json: JSON {
        .object([
            ("uid", .string(uid)), ("level", removal.level.map { .string($0) } ?? .null), ("dryRun", .bool(dryRun)),
            ("removed", .array(removal.removed.map { .string($0.sopInstanceUID) })),
            ("copies", .array(removal.removed.map(StoreCopy.json))),
            ("unflagged", .array(removal.unflagged.map(StoreCopy.json))),
        ])
    }

    /// The stderr line when nothing matched (exit 1), else nil.
    public var error: String? {
        guard removal.level == nil else { return nil }
        return "\(uid): " + (copy.map { "no copy \($0) of this SOP Instance in the store" } ?? "no study, series or instance with this UID in the store")
    }
}
