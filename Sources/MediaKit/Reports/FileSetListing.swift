import DICOMCore
import DICOMFileSet
import DICOMIO
import FileSystem

/// The patient/study/series/instance tree of a File-set, as `list` prints it.
public struct FileSetListing: Sendable {
    public var location: FileSetLocation
    public var fileSet: FileSet
    public var problems: [FileSetProblem]
    /// The files of a medium read in place (an image); nil for a folder, looked up by `Medium`.
    public var files: FileListResolver?

    /// `list SOURCE`: an image (ISO 9660, ZIP, tar) read in place, else a folder or DICOMDIR path.
    public static func open(_ source: String) throws -> FileSetListing {
        FileSetImage.isImage(source) ? try load(medium: try ImageMedium(image: source)) : try load(source: source)
    }

    /// Reads the DICOMDIR and checks which referenced files are present. A file that is DICOM but
    /// not a DICOMDIR, or not DICOM at all, is refused with an error naming what it is. A lower-level
    /// directory file (a DICOMDIR-like file in a subfolder, e.g. Philips DIRFILE) has its File IDs
    /// resolved from the enclosing File-set root (PS3.10 §8.2: File IDs are relative to the root).
    /// With `fileReferencesOnly`, each record keeps only its type, file reference and links as the DICOMDIR is
    /// parsed (what a reader of the referenced files needs), so memory does not grow with the records' keys.
    public static func load(source: String, fileReferencesOnly: Bool = false) throws -> FileSetListing {
        var loc = try FileSetLocation(source: source)
        let file: DICOMFile
        // Records made (and packed) as their items are parsed when only file references are wanted.
        let collector = fileReferencesOnly ? DirectoryRecordCollector() : nil
        let options = collector?.reading(DirectoryRecord.fileReferencesOnly) ?? ReadOptions()
        do { file = try Part10Reader.read(path: loc.dicomdir, options: options) } catch let e as DICOMParseError {
            if e.code == .notDICOM || e.code == .empty {
                let why = e.message.hasPrefix("not a DICOM file") ? e.message : "not a DICOM file: \(e.message)"
                throw MediaError(.notDICOMDIR, "\(why); not a DICOMDIR", path: loc.dicomdir, cause: e)
            }
            throw MediaError(.unreadable, "DICOMDIR cannot be read: \(e.description)", path: loc.dicomdir, cause: e)
        }
        let sopClass = file.fileMeta.string(.mediaStorageSOPClassUID) ?? file.dataSet.string(.sopClassUID) ?? ""
        if sopClass != UID.mediaStorageDirectoryStorage && file.dataSet[.directoryRecordSequence] == nil {
            let what = sopClass.isEmpty ? "DICOM file without a SOP Class" : "\(DataDictionary.uidName(sopClass) ?? sopClass) file"
            throw MediaError(.notDICOMDIR, "\(loc.dicomdir) is a\(what.first.map { "AEIOU".contains($0) } == true ? "n" : "") \(what), not a DICOMDIR")
        }
        let fs = DICOMDIRReader.read(consume file, collected: collector)
        let root = FileSetLocation.enclosingRoot(of: fs, dicomdir: loc.dicomdir, folder: loc.root)
        if root != loc.root { loc.root = root; loc.isLowerLevel = true }
        return FileSetListing(location: loc, fileSet: fs, problems: fs.problems)
    }

    /// Reads the DICOMDIR at the root of a medium read in place (an image) and checks which
    /// referenced files it holds; the medium's own problems (a truncated image) come first.
    public static func load(medium: MediumReader) throws -> FileSetListing {
        let (loc, fs, paths) = try MediumFileSet.read(medium)
        var problems = (medium as? ImageMedium)?.problems ?? []
        problems += fs.problems
        return FileSetListing(location: loc, fileSet: fs, problems: problems, files: FileListResolver(paths: paths))
    }

    /// Where every referenced File ID of the tree and the orphans leads, each looked up once:
    /// `shown` for the listing (the medium's file list for an image, else the root folder), `folder`
    /// under the root folder (what `reportedProblems` checks, also for an image).
    public struct References: Sendable {
        var shown: [FileID: Medium.Match] = [:]
        var folder: [FileID: Medium.Match] = [:]
    }

    /// Looks every referenced File ID up once (a folder: one `lstat` per file, see `Medium.resolveAll`).
    public func references() -> References {
        var ids: [FileID] = []
        var seen = Set<FileID>()
        for top in fileSet.records + fileSet.orphans {
            top.forEach { r, _ in if let id = r.referencedFileID, seen.insert(id).inserted { ids.append(id) } }
        }
        var refs = References()
        let folder = Medium(root: location.root).resolveAll(ids)
        for (id, m) in zip(ids, folder) { refs.folder[id] = m }
        guard let files else {
            refs.shown = refs.folder
            return refs
        }
        for id in ids {
            switch files.resolve(id) {
            case .exact(let p): refs.shown[id] = .exact(location.root + "/" + p)
            case .variant(let p): refs.shown[id] = .variant(location.root + "/" + p)
            case let m: refs.shown[id] = m
            }
        }
        return refs
    }

    /// Whether the file a File ID names is there (exactly or as a variant).
    static func present(_ match: Medium.Match?) -> Bool {
        switch match {
        case .exact?, .variant?: return true
        default: return false
        }
    }

    /// The problem of a File ID found only under a variant name (a warning) or leaving the root (an error).
    func referenceProblem(_ id: FileID, _ match: Medium.Match?) -> FileSetProblem? {
        switch match {
        case .variant(let p)?:
            return FileSetProblem(
                .warning, .fileIDVariant, "file found only as \(p.dropFirst(location.root.count + 1)) (case or suffix differs)", fileID: id.path,
                rule: "PS3.10 8.5")
        case .outsideRoot?:
            return FileSetProblem(.error, .fileIDOutsideRoot, "File ID leaves the File-set root; refused", fileID: id.path, rule: "PS3.10 8.2")
        case .exact?, .missing?, nil: return nil
        }
    }

    /// What `list` reports on stderr: the DICOMDIR's problems, then every referenced file found
    /// only as a variant or outside the root (looked up under the root folder).
    public var reportedProblems: [FileSetProblem] { reportedProblems(references()) }

    public func reportedProblems(_ refs: References) -> [FileSetProblem] {
        var out = problems
        for top in fileSet.records {
            top.forEach { r, _ in if let id = r.referencedFileID, let p = referenceProblem(id, refs.folder[id]) { out.append(p) } }
        }
        return out
    }

    /// The records to show: the root entity, then the orphan subtrees (reported as problems) so that
    /// every record any link reaches is listed.
    public var shownRecords: [DirectoryRecord] { fileSet.records + fileSet.orphans }

    /// Instances in the order to show them: by Instance Number (0020,0013), then SOP Instance UID,
    /// then File ID; records without a number after those with one.
    public static func sortedInstances(_ records: [DirectoryRecord]) -> [DirectoryRecord] {
        // The keys are decoded once per record, not once per comparison.
        let keys = records.map { r in (number: r.keys.integer(.instanceNumber), uid: r.referencedSOPInstanceUID ?? "", file: r.referencedFileID?.path ?? "") }
        return records.indices.sorted { a, b in
            let na = keys[a].number, nb = keys[b].number
            if na != nb {
                guard let x = na else { return false }
                guard let y = nb else { return true }
                return x < y
            }
            if keys[a].uid != keys[b].uid { return keys[a].uid < keys[b].uid }
            if keys[a].file != keys[b].file { return keys[a].file < keys[b].file }
            return a < b
        }.map { records[$0] }
    }

    /// Indented text tree.
    public func text(_ refs: References? = nil) -> String {
        let refs = refs ?? references()
        var lines = ["File-set \(fileSet.fileSetID.isEmpty ? "(no ID)" : fileSet.fileSetID)  UID \(fileSet.fileSetUID)  \(fileSet.recordCount) records"]
        if !fileSet.orphans.isEmpty {
            lines[0] += " (+\(fileSet.orphans.reduce(0) { $0 + $1.subtreeCount }) not reachable from the root, listed below it)"
        }
        func text(_ ds: DataSet, _ t: Tag) -> String? {
            guard let v = ds.string(t), !v.isEmpty else { return nil }
            return v
        }
        func show(_ r: DirectoryRecord, _ depth: Int) {
            let indent = String(repeating: "  ", count: depth + 1)
            var parts = [r.type.rawValue]
            switch r.type {
            case .patient: parts.append("\(r.keys.personNames(.patientName)?.first?.description ?? "") [\(r.keys.string(.patientID) ?? "")]")
            case .study:
                parts += [r.keys.string(.studyDate) ?? ""]
                if let d = text(r.keys, .studyDescription) { parts.append(d) }
                if let a = text(r.keys, .accessionNumber) { parts.append("acc \(a)") }
                parts.append(r.keys.string(.studyInstanceUID) ?? "")
            case .series:
                parts += [r.keys.string(.modality) ?? "", "#\(r.keys.string(.seriesNumber) ?? "")"]
                if let d = text(r.keys, .seriesDescription) { parts.append(d) }
                if let b = text(r.keys, .bodyPartExamined) { parts.append("body part \(b)") }
                parts.append(r.keys.string(.seriesInstanceUID) ?? "")
            default:
                if let n = r.keys.string(.instanceNumber) { parts.append("#\(n)") }
            }
            var s = indent + parts.joined(separator: " ")
            if let id = r.referencedFileID {
                s += "  " + id.path
                if !Self.present(refs.shown[id]) { s += "  (MISSING)" }
            }
            lines.append(s)
            let children = r.type == .series ? Self.sortedInstances(r.children) : r.children
            for c in children { show(c, depth + 1) }
        }
        for r in fileSet.records { show(r, 0) }
        if !fileSet.orphans.isEmpty {
            lines.append("  (records not reachable from the root directory entity, listed by their own links)")
            for r in fileSet.orphans { show(r, 0) }
        }
        if location.isLowerLevel {
            lines.append("File IDs resolved from the enclosing File-set root \(location.root)")
        }
        // The problems are diagnostics (stderr), listed by the caller.
        return lines.joined(separator: "\n")
    }
}
