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
    public static func load(source: String) throws -> FileSetListing {
        var loc = try FileSetLocation(source: source)
        let file: DICOMFile
        do { file = try Part10Reader.read(path: loc.dicomdir) } catch let e as DICOMParseError {
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
        let fs = DICOMDIRReader.read(file)
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

    /// Where a File ID leads: the path under the root (folder) or in the medium's file list.
    func resolve(_ id: FileID, _ resolver: Medium) -> Medium.Match {
        guard let files else { return resolver.resolve(id) }
        switch files.resolve(id) {
        case .exact(let p): return .exact(location.root + "/" + p)
        case .variant(let p): return .variant(location.root + "/" + p)
        case let m: return m
        }
    }

    /// The problem of a File ID found only under a variant name (a warning) or leaving the root (an error).
    func referenceProblem(_ id: FileID, _ match: Medium.Match) -> FileSetProblem? {
        switch match {
        case .variant(let p):
            return FileSetProblem(
                .warning, .fileIDVariant, "file found only as \(p.dropFirst(location.root.count + 1)) (case or suffix differs)", fileID: id.path,
                rule: "PS3.10 8.5")
        case .outsideRoot:
            return FileSetProblem(.error, .fileIDOutsideRoot, "File ID leaves the File-set root; refused", fileID: id.path, rule: "PS3.10 8.2")
        case .exact, .missing: return nil
        }
    }

    /// What `list` reports on stderr: the DICOMDIR's problems, then every referenced file found
    /// only as a variant or outside the root (looked up under the root folder).
    public var reportedProblems: [FileSetProblem] {
        let resolver = Medium(root: location.root)
        return problems + fileSet.allRecords().compactMap { r, _ in r.referencedFileID.flatMap { referenceProblem($0, resolver.resolve($0)) } }
    }

    /// The records to show: the root entity, then the orphan subtrees (reported as problems) so that
    /// every record any link reaches is listed.
    public var shownRecords: [DirectoryRecord] { fileSet.records + fileSet.orphans }

    /// Instances in the order to show them: by Instance Number (0020,0013), then SOP Instance UID,
    /// then File ID; records without a number after those with one.
    public static func sortedInstances(_ records: [DirectoryRecord]) -> [DirectoryRecord] {
        records.enumerated().sorted { a, b in
            let na = a.element.keys.integer(.instanceNumber), nb = b.element.keys.integer(.instanceNumber)
            if na != nb {
                guard let x = na else { return false }
                guard let y = nb else { return true }
                return x < y
            }
            let ua = a.element.referencedSOPInstanceUID ?? "", ub = b.element.referencedSOPInstanceUID ?? ""
            if ua != ub { return ua < ub }
            let fa = a.element.referencedFileID?.path ?? "", fb = b.element.referencedFileID?.path ?? ""
            if fa != fb { return fa < fb }
            return a.offset < b.offset
        }.map(\.element)
    }

    public func json(resolver: Medium? = nil) -> JSON {
        let resolver = resolver ?? Medium(root: location.root)
        var problems = self.problems
        func str(_ ds: DataSet, _ t: Tag) -> JSON { ds.text(t).map { .string(DataSet.splitValues($0, vr: ds[t]?.vr ?? .LO).joined(separator: "\\")) } ?? .null }
        func int(_ ds: DataSet, _ t: Tag) -> JSON { ds.integer(t).map { .int(Int64($0)) } ?? .null }
        func instance(_ r: DirectoryRecord) -> JSON {
            var present = false
            if let id = r.referencedFileID {
                let match = resolve(id, resolver)
                switch match {
                case .exact, .variant: present = true;
                default: break
                }
                if let p = referenceProblem(id, match) { problems.append(p) }
            }
            return .object([
                ("recordType", .string(r.type.rawValue)),
                ("instanceNumber", int(r.keys, .instanceNumber)),
                ("sopClassUID", r.referencedSOPClassUID.map { .string($0) } ?? .null),
                ("sopInstanceUID", r.referencedSOPInstanceUID.map { .string($0) } ?? .null),
                ("transferSyntaxUID", r.referencedTransferSyntaxUID.map { .string($0) } ?? .null),
                ("fileID", r.referencedFileID.map { .string($0.path) } ?? .null),
                ("present", .bool(present)),
            ])
        }
        func personName(_ ds: DataSet) -> JSON {
            guard let pn = ds.personNames(.patientName)?.first else { return .null }
            return .string(pn.description)
        }
        func series(_ se: DirectoryRecord) -> [(String, JSON)] {
            let instances = Self.sortedInstances(se.children.filter { $0.type != .private }).map(instance)
            return [
                ("seriesInstanceUID", str(se.keys, .seriesInstanceUID)),
                ("modality", str(se.keys, .modality)),
                ("seriesNumber", int(se.keys, .seriesNumber)),
                ("seriesDescription", str(se.keys, .seriesDescription)),
                ("bodyPartExamined", str(se.keys, .bodyPartExamined)),
                ("instances", .array(instances)),
            ]
        }
        func study(_ st: DirectoryRecord) -> [(String, JSON)] {
            [
                ("studyInstanceUID", str(st.keys, .studyInstanceUID)),
                ("studyDate", str(st.keys, .studyDate)),
                ("studyDescription", str(st.keys, .studyDescription)),
                ("accessionNumber", str(st.keys, .accessionNumber)),
                ("series", .array(st.children.filter { $0.type == .series }.map { .object(series($0)) })),
            ]
        }
        var patients: [JSON] = []
        var rootRecords: [JSON] = []
        /// Patients wherever they hang (an unknown record at the top may hold them); other records at
        /// the top (or orphans) in `rootRecords` with their type.
        func place(_ r: DirectoryRecord) {
            switch r.type {
            case .patient:
                patients.append(
                    .object([
                        ("patientID", str(r.keys, .patientID)),
                        ("patientName", personName(r.keys)),
                        ("studies", .array(r.children.filter { $0.type == .study }.map { .object(study($0)) })),
                    ]))
            case .study: rootRecords.append(.object([("recordType", .string(r.type.rawValue))] + study(r)))
            case .series: rootRecords.append(.object([("recordType", .string(r.type.rawValue))] + series(r)))
            default:
                rootRecords.append(instance(r))
                for c in r.children { place(c) }
            }
        }
        for r in shownRecords { place(r) }
        return .object([
            ("fileSetID", .string(fileSet.fileSetID)),
            ("fileSetUID", .string(fileSet.fileSetUID)),
            ("root", .string(location.root)),
            ("patients", .array(patients)),
            ("rootRecords", .array(rootRecords)),
            ("problems", .array(problems.map(\.json))),
        ])
    }

    /// Indented text tree.
    public func text() -> String {
        var lines = ["File-set \(fileSet.fileSetID.isEmpty ? "(no ID)" : fileSet.fileSetID)  UID \(fileSet.fileSetUID)  \(fileSet.recordCount) records"]
        if !fileSet.orphans.isEmpty {
            lines[0] += " (+\(fileSet.orphans.reduce(0) { $0 + $1.subtreeCount }) not reachable from the root, listed below it)"
        }
        let resolver = Medium(root: location.root)
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
                switch resolve(id, resolver) {
                case .exact, .variant: break;
                default: s += "  (MISSING)"
                }
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
