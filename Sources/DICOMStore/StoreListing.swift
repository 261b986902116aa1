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
            if newPatient {
                w.beginObject()
                w.key("patientID"); w.string(r.patientID)
                w.key("patientName"); w.string(r.patientName)
                w.key("studies"); w.beginArray()
            }
            if newStudy {
                w.beginObject()
                w.key("studyInstanceUID"); w.string(r.studyInstanceUID)
                w.key("studyDate"); w.string(r.studyDate)
                w.key("studyDescription"); w.string(r.studyDescription)
                w.key("accessionNumber"); w.string(r.accessionNumber)
                w.key("series"); w.beginArray()
            }
            if newSeries {
                w.beginObject()
                w.key("seriesInstanceUID"); w.string(r.seriesInstanceUID)
                w.key("modality"); w.string(r.modality)
                w.key("seriesNumber"); w.int(r.seriesNumber)
                w.key("seriesDescription"); w.string(r.seriesDescription)
                w.key("bodyPartExamined"); w.string(r.bodyPartExamined)
                w.key("instances"); w.beginArray()
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
