import DICOMCore

/// The store's patient/study/series/instance tree in the shape of `list --json` (FileSetListing):
/// patients > studies > series > instances with `sopInstanceUID`, plus each instance's stored file,
/// size, SHA-256, conflict flag and provenance.
public enum StoreListing {
    public static func json(_ rows: [StoredInstance], store: DICOMStore) -> JSON {
        func opt(_ s: String?) -> JSON { s.map { .string($0) } ?? .null }
        var patients: [JSON] = []
        // Rows come ordered by patient, study, series (DICOMStore.select).
        var i = 0
        while i < rows.count {
            let pid = rows[i].patientID
            var studies: [JSON] = []
            let patientName = rows[i].patientName
            while i < rows.count && rows[i].patientID == pid {
                let st = rows[i]
                var series: [JSON] = []
                while i < rows.count && rows[i].patientID == pid && rows[i].studyInstanceUID == st.studyInstanceUID {
                    let se = rows[i]
                    var instances: [JSON] = []
                    while i < rows.count && rows[i].patientID == pid && rows[i].studyInstanceUID == st.studyInstanceUID
                        && rows[i].seriesInstanceUID == se.seriesInstanceUID
                    {
                        let r = rows[i]
                        instances.append(
                            .object([
                                ("recordType", .string("IMAGE")),
                                ("sopClassUID", .string(r.sopClassUID)),
                                ("sopInstanceUID", .string(r.sopInstanceUID)),
                                ("transferSyntaxUID", .string(r.transferSyntaxUID)),
                                ("instanceNumber", r.instanceNumber.map { .int(Int64($0)) } ?? .null),
                                ("path", .string(store.absolutePath(r))),
                                ("size", .int(Int64(r.size))),
                                ("sha256", .string(r.sha256)),
                                ("conflict", .bool(r.conflict)),
                                ("importedAt", .string(r.importedAt)),
                                (
                                    "source",
                                    .object([
                                        ("kind", .string(r.sourceKind)), ("location", .string(r.sourceLocation)),
                                        ("fileSetID", opt(r.sourceFileSetID)), ("fileSetUID", opt(r.sourceFileSetUID)),
                                        ("fileID", opt(r.sourceFileID)), ("path", .string(r.sourcePath)),
                                    ])
                                ),
                            ]))
                        i += 1
                    }
                    series.append(
                        .object([
                            ("seriesInstanceUID", .string(se.seriesInstanceUID)),
                            ("modality", opt(se.modality)),
                            ("seriesNumber", se.seriesNumber.map { .int(Int64($0)) } ?? .null),
                            ("seriesDescription", opt(se.seriesDescription)),
                            ("bodyPartExamined", opt(se.bodyPartExamined)),
                            ("instances", .array(instances)),
                        ]))
                }
                studies.append(
                    .object([
                        ("studyInstanceUID", .string(st.studyInstanceUID)),
                        ("studyDate", opt(st.studyDate)),
                        ("studyDescription", opt(st.studyDescription)),
                        ("accessionNumber", opt(st.accessionNumber)),
                        ("series", .array(series)),
                    ]))
            }
            patients.append(
                .object([
                    ("patientID", .string(pid)),
                    ("patientName", opt(patientName)),
                    ("studies", .array(studies)),
                ]))
        }
        return .object([
            ("store", .string(store.root)),
            ("instanceCount", .int(Int64(rows.count))),
            ("patients", .array(patients)),
        ])
    }

    /// Indented text tree.
    public static func text(_ rows: [StoredInstance]) -> String {
        var lines: [String] = []
        var last: (String, String, String)? = nil
        for r in rows {
            if last?.0 != r.patientID { lines.append("PATIENT \(r.patientName ?? "") [\(r.patientID)]") }
            if last?.0 != r.patientID || last?.1 != r.studyInstanceUID {
                lines.append(
                    "  STUDY "
                        + [r.studyDate ?? "", r.studyDescription, r.accessionNumber.map { "acc \($0)" }, r.studyInstanceUID]
                        .compactMap { $0 }.joined(separator: " "))
            }
            if last?.0 != r.patientID || last?.1 != r.studyInstanceUID || last?.2 != r.seriesInstanceUID {
                lines.append(
                    "    SERIES "
                        + [
                            r.modality ?? "", "#\(r.seriesNumber.map(String.init) ?? "")", r.seriesDescription,
                            r.bodyPartExamined.map { "body part \($0)" }, r.seriesInstanceUID,
                        ].compactMap { $0 }.joined(separator: " "))
            }
            lines.append("      INSTANCE #\(r.instanceNumber.map(String.init) ?? "") \(r.sopInstanceUID)  \(r.path)\(r.conflict ? "  (CONFLICT)" : "")")
            last = (r.patientID, r.studyInstanceUID, r.seriesInstanceUID)
        }
        lines.append("\(rows.count) instances")
        return lines.joined(separator: "\n")
    }
}
