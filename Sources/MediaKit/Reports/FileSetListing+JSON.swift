import DICOMCore
import DICOMFileSet

extension FileSetListing {
    /// `list --json`: the document, pretty-printed, streamed into bytes record by record (no JSON
    /// tree): fileSetID, fileSetUID, root, patients > studies > series > instances, rootRecords
    /// (records at the top that are not patients, and orphans), problems (the DICOMDIR's, then
    /// each instance's File ID found only as a variant or leaving the root, in listing order).
    public func jsonDocument(_ refs: References? = nil) -> [UInt8] {
        let refs = refs ?? references()
        var out = JSONStream(listing: self, refs: refs, problems: problems)
        // Patients and root records interleave in record order; each goes to its own stream.
        for r in shownRecords { out.place(r) }
        var w = JSONWriter(pretty: true, capacity: out.patients.bytes.count + out.rootRecords.bytes.count + 4096)
        w.beginObject()
        w.key("fileSetID"); w.string(fileSet.fileSetID)
        w.key("fileSetUID"); w.string(fileSet.fileSetUID)
        w.key("root"); w.string(location.root)
        out.patients.endArray()
        out.rootRecords.endArray()
        w.key("patients"); w.raw(out.patients.bytes)
        w.key("rootRecords"); w.raw(out.rootRecords.bytes)
        w.key("problems")
        w.beginArray()
        for p in out.problems { w.value(p.json) }
        w.endArray()
        w.endObject()
        return w.bytes
    }
}

/// The two arrays of `list --json` written while the records are walked once.
private struct JSONStream {
    let listing: FileSetListing
    let refs: FileSetListing.References
    var problems: [FileSetProblem]
    /// The members of "patients" and "rootRecords", each an array at depth 1 of the document.
    var patients = JSONWriter(pretty: true, indent: 1)
    var rootRecords = JSONWriter(pretty: true, indent: 1)

    init(listing: FileSetListing, refs: FileSetListing.References, problems: [FileSetProblem]) {
        self.listing = listing; self.refs = refs; self.problems = problems
        patients.beginArray()
        rootRecords.beginArray()
    }

    /// The values of a string key, joined by backslashes, or null.
    static func str(_ w: inout JSONWriter, _ ds: DataSet, _ t: Tag) {
        guard let text = ds.text(t) else { return w.null() }
        w.string(DataSet.splitValues(text, vr: ds[t]?.vr ?? .LO).joined(separator: "\\"))
    }

    mutating func instance(_ w: inout JSONWriter, _ r: DirectoryRecord) {
        var present = false
        let id = r.referencedFileID
        if let id {
            let match = refs.shown[id]
            present = FileSetListing.present(match)
            if let p = listing.referenceProblem(id, match) { problems.append(p) }
        }
        w.beginObject()
        w.key("recordType"); w.string(r.type.rawValue)
        w.key("instanceNumber"); w.int(r.keys.integer(.instanceNumber))
        w.key("sopClassUID"); w.string(r.referencedSOPClassUID)
        w.key("sopInstanceUID"); w.string(r.referencedSOPInstanceUID)
        w.key("transferSyntaxUID"); w.string(r.referencedTransferSyntaxUID)
        w.key("fileID"); w.string(id?.path)
        w.key("present"); w.bool(present)
        w.endObject()
    }

    /// The members of a series object (after "recordType" for a series at the top).
    mutating func series(_ w: inout JSONWriter, _ se: DirectoryRecord) {
        Self.str(&w, se.keys, .seriesInstanceUID, "seriesInstanceUID")
        Self.str(&w, se.keys, .modality, "modality")
        w.key("seriesNumber"); w.int(se.keys.integer(.seriesNumber))
        Self.str(&w, se.keys, .seriesDescription, "seriesDescription")
        Self.str(&w, se.keys, .bodyPartExamined, "bodyPartExamined")
        w.key("instances")
        w.beginArray()
        for r in FileSetListing.sortedInstances(se.children.filter { $0.type != .private }) { instance(&w, r) }
        w.endArray()
    }

    mutating func study(_ w: inout JSONWriter, _ st: DirectoryRecord) {
        Self.str(&w, st.keys, .studyInstanceUID, "studyInstanceUID")
        Self.str(&w, st.keys, .studyDate, "studyDate")
        Self.str(&w, st.keys, .studyDescription, "studyDescription")
        Self.str(&w, st.keys, .accessionNumber, "accessionNumber")
        w.key("series")
        w.beginArray()
        for se in st.children where se.type == .series {
            w.beginObject()
            series(&w, se)
            w.endObject()
        }
        w.endArray()
    }

    static func str(_ w: inout JSONWriter, _ ds: DataSet, _ t: Tag, _ key: String) {
        w.key(key)
        str(&w, ds, t)
    }

    /// Patients wherever they hang (an unknown record at the top may hold them); other records at
    /// the top (or orphans) in rootRecords with their type.
    mutating func place(_ r: DirectoryRecord) {
        switch r.type {
        case .patient:
            var w = patients
            patients = JSONWriter()
            w.beginObject()
            Self.str(&w, r.keys, .patientID, "patientID")
            w.key("patientName")
            w.string(r.keys.personNames(.patientName)?.first?.description)
            w.key("studies")
            w.beginArray()
            for st in r.children where st.type == .study {
                w.beginObject()
                study(&w, st)
                w.endObject()
            }
            w.endArray()
            w.endObject()
            patients = w
        case .study, .series:
            var w = rootRecords
            rootRecords = JSONWriter()
            w.beginObject()
            w.key("recordType"); w.string(r.type.rawValue)
            if r.type == .study { study(&w, r) } else { series(&w, r) }
            w.endObject()
            rootRecords = w
        default:
            var w = rootRecords
            rootRecords = JSONWriter()
            instance(&w, r)
            rootRecords = w
            for c in r.children { place(c) }
        }
    }
}
