import DICOMStore

/// `export`: which stored instances go onto the medium, and how messages name them (never by the
/// store's object paths).
public struct StoreExport: Sendable {
    /// The store objects to write (absolute paths), one copy per SOP Instance.
    public var paths: [String]
    /// Each path -> "patient P (Name), study S, instance I (from SOURCE/PATH)", for ``FileSetReport/nameSources(_:)``.
    public var names: [String: String]
    /// Conflicting copies (same SOP Instance UID, other content) left out, as refusals.
    public var leftOut: [(source: String, reason: String)]

    /// The selection of `store` by Patient ID, Study and Series Instance UID (all of it when none is given).
    /// A failed query is an `unreadable` error on the store's root, its cause kept.
    public static func select(_ store: LocalStore, patients: [String], studies: [String], series: [String]) throws -> StoreExport {
        let rows: [StoredInstance]
        do { rows = try store.select(patients: patients, studies: studies, series: series) } catch {
            throw MediaError(.unreadable, "\(error)", path: store.root, cause: error)
        }
        // Conflicting copies are refused (listed with the report's refusals, on stderr and in --json).
        let leftOut = rows.filter(\.conflict).map { c in
            (
                source: describe(c),
                reason:
                    "conflicting copy left out: it differs from another copy of SOP Instance \(c.sopInstanceUID) (compare with `dicom-media store conflicts`, keep one with `dicom-media store remove \(c.sopInstanceUID) --copy SHA256`)"
            )
        }
        let kept = rows.filter { !$0.conflict }
        return StoreExport(
            paths: kept.map(store.absolutePath),
            names: Dictionary(kept.map { (store.absolutePath($0), describe($0)) }, uniquingKeysWith: { a, _ in a }),
            leftOut: leftOut)
    }

    /// "patient P (Name), study S, instance I (from SOURCE/PATH)".
    public static func describe(_ r: StoredInstance) -> String {
        let name = r.patientName.map { " (\($0))" } ?? ""
        let origin = r.sourceLocation.isEmpty ? r.sourcePath : r.sourceLocation + "/" + r.sourcePath
        return "patient \(r.patientID)\(name), study \(r.studyInstanceUID), instance \(r.sopInstanceUID) (from \(origin))"
    }
}
