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
        var selection = StoreExport(paths: [], names: [:], leftOut: [])
        do {
            // One row at a time, only the columns used: the selection holds a path and a name per instance, not its row.
            try store.store.forEachSelected(patients: patients, studies: studies, series: series) { r in
                let name = describe(
                    patientID: r.patientID, patientName: r.patientName, studyInstanceUID: r.studyInstanceUID, sopInstanceUID: r.sopInstanceUID,
                    sourceLocation: r.sourceLocation, sourcePath: r.sourcePath)
                // Conflicting copies are refused (listed with the report's refusals, on stderr and in --json).
                guard !r.conflict else {
                    selection.leftOut.append(
                        (
                            source: name,
                            reason:
                                "conflicting copy left out: it differs from another copy of SOP Instance \(r.sopInstanceUID) (compare with `dicom-media store conflicts`, keep one with `dicom-media store remove \(r.sopInstanceUID) --copy SHA256`)"
                        ))
                    return
                }
                let path = store.store.root + "/" + r.path
                selection.paths.append(path)
                if selection.names[path] == nil { selection.names[path] = name }
            }
        } catch {
            throw MediaError(.unreadable, "\(error)", path: store.root, cause: error)
        }
        return selection
    }

    /// "patient P (Name), study S, instance I (from SOURCE/PATH)".
    public static func describe(_ r: StoredInstance) -> String {
        describe(
            patientID: r.patientID, patientName: r.patientName, studyInstanceUID: r.studyInstanceUID, sopInstanceUID: r.sopInstanceUID,
            sourceLocation: r.sourceLocation, sourcePath: r.sourcePath)
    }

    static func describe(
        patientID: String, patientName: String?, studyInstanceUID: String, sopInstanceUID: String, sourceLocation: String, sourcePath: String
    ) -> String {
        let name = patientName.map { " (\($0))" } ?? ""
        let origin = sourceLocation.isEmpty ? sourcePath : sourceLocation + "/" + sourcePath
        return "patient \(patientID)\(name), study \(studyInstanceUID), instance \(sopInstanceUID) (from \(origin))"
    }
}
