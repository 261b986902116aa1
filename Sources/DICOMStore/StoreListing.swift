import DICOMCore

/// The store's patient/study/series/instance tree in the shape of `list --json` (FileSetListing):
/// patients > studies > series > instances with `sopInstanceUID`, plus each instance's stored file,
/// size, SHA-256, conflict flag and provenance.
public enum StoreListing {
    /// The document, pretty-printed, written row by row into bytes (no JSON tree: a store of 100,000 instances).
    public static func jsonDocument(_ rows: [StoredInstance], store: DICOMStore) -> [UInt8] {
        var w = JSONWriter(pretty: true, capacity: 4096 + rows.count * 1024)
        w.beginObject()
        w.key("store"); w.string(store.root)
        w.key("instanceCount"); w.int(Int64(rows.count))
        w.key("patients"); w.beginArray()
        func opt(_ s: String?) -> JSON { s.map { .string($0) } ?? .null }
        /// Opens a patient, study or series object: its keys, then the array of its children.
        func level(_ fields: [(String, JSON)], children: String) {
            w.beginObject()
            for (k, v) in fields { w.key(k); w.value(v) }
            w.key(children); w.beginArray()
        }
        // Rows come ordered by patient, study, series (DICOMStore.select): each level closes when its key changes.
        var last: StoredInstance?
        for r in rows {
            let newPatient = last?.patientID != r.patientID
            let newStudy = newPatient || last?.studyInstanceUID != r.studyInstanceUID
            let newSeries = newStudy || last?.seriesInstanceUID != r.seriesInstanceUID
            if last != nil {
                if newSeries { w.endArray(); w.endObject() }  // instances, series
                if newStudy { w.endArray(); w.endObject() }  // series, study
                if newPatient { w.endArray(); w.endObject() }  // studies, patient
            }
            if newPatient { level([("patientID", .string(r.patientID)), ("patientName", opt(r.patientName))], children: "studies") }
            if newStudy {
                level(
                    [
                        ("studyInstanceUID", .string(r.studyInstanceUID)), ("studyDate", opt(r.studyDate)),
                        ("studyDescription", opt(r.studyDescription)), ("accessionNumber", opt(r.accessionNumber)),
                    ], children: "series")
            }
            if newSeries {
                level(
                    [
                        ("seriesInstanceUID", .string(r.seriesInstanceUID)), ("modality", opt(r.modality)),
                        ("seriesNumber", r.seriesNumber.map { .int(Int64($0)) } ?? .null), ("seriesDescription", opt(r.seriesDescription)),
                        ("bodyPartExamined", opt(r.bodyPartExamined)),
                    ], children: "instances")
            }
            w.beginObject()
            w.key("recordType"); w.string("IMAGE")
            w.key("sopClassUID"); w.string(r.sopClassUID)
            w.key("sopInstanceUID"); w.string(r.sopInstanceUID)
            w.key("transferSyntaxUID"); w.string(r.transferSyntaxUID)
            w.key("instanceNumber"); w.int(r.instanceNumber)
            w.key("path"); w.string(store.absolutePath(r))
            w.key("size"); w.int(Int64(r.size))
            w.key("sha256"); w.string(r.sha256)
            w.key("conflict"); w.bool(r.conflict)
            w.key("importedAt"); w.string(r.importedAt)
            w.key("source"); w.beginObject()
            w.key("kind"); w.string(r.sourceKind)
            w.key("location"); w.string(r.sourceLocation)
            w.key("fileSetID"); w.string(r.sourceFileSetID)
            w.key("fileSetUID"); w.string(r.sourceFileSetUID)
            w.key("fileID"); w.string(r.sourceFileID)
            w.key("path"); w.string(r.sourcePath)
            w.endObject()
            w.endObject()
            last = r
        }
        if last != nil { for _ in 0..<3 { w.endArray(); w.endObject() } }  // the last series, study and patient
        w.endArray()
        w.endObject()
        return w.bytes
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
