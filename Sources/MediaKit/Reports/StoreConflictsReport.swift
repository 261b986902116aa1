import DICOMCore
import DICOMStore

/// `store conflicts`: each SOP Instance stored in several copies (same UID, other content).
public struct StoreConflictsReport: Sendable {
    public let root: String
    let groups: [[StoredInstance]]

    public var isEmpty: Bool { groups.isEmpty }

    public var text: String {
        var lines: [String] = []
        for g in groups {
            lines.append("\(g[0].sopInstanceUID) (patient \(g[0].patientID)): \(g.count) copies")
            for r in g {
                lines.append("  \(r.sha256)  \(r.size) bytes, imported \(r.importedAt) from \(StoreCopy.origin(r))\(r.conflict ? " (flagged)" : "")")
            }
        }
        lines.append(
            "\(groups.count) SOP Instance(s) with several copies" + (groups.isEmpty ? "" : "; keep one with `dicom-media store remove UID --copy SHA256`"))
        return lines.joined(separator: "\n")
    }

    public var json: JSON {
        .object([
            (
                "conflicts",
                .array(
                    groups.map { g in
                        .object([
                            ("sopInstanceUID", .string(g[0].sopInstanceUID)), ("patientID", .string(g[0].patientID)),
                            ("studyInstanceUID", .string(g[0].studyInstanceUID)), ("seriesInstanceUID", .string(g[0].seriesInstanceUID)),
                            ("copies", .array(g.map(StoreCopy.json))),
                        ])
                    })
            )
        ])
    }

    /// The stderr line when there are conflicts (exit 1), else nil.
    public var error: String? { groups.isEmpty ? nil : "\(root): \(groups.count) SOP Instance(s) stored in conflicting copies" }
}
