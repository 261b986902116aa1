import DICOMCore
import DICOMFileSet
import DICOMIO

/// Where a File-set lives: its root folder and its DICOMDIR (PS3.10 §8.2, PS3.12: DICOMDIR in the root).
public struct FileSetLocation: Sendable {
    public var root: String
    public var dicomdir: String
    /// The directory file is a lower-level one (e.g. Philips DIRFILE): `root` is the enclosing File-set's.
    public var isLowerLevel = false

    public init(root: String, dicomdir: String) { self.root = root; self.dicomdir = dicomdir }

    /// SOURCE is a folder holding a DICOMDIR (any case), or the DICOMDIR file itself.
    public init(source: String) throws {
        var src = source
        while src.count > 1 && src.hasSuffix("/") { src.removeLast() }
        if isDirectory(src) {
            let resolver = Medium(root: src)
            guard let path = resolver.path(FileID(["DICOMDIR"])) else {
                throw MediaError(.noDICOMDIR, "no DICOMDIR in this folder", path: src)
            }
            root = src; dicomdir = path
        } else if isRegularFile(src) {
            dicomdir = src
            if let slash = src.lastIndex(of: "/") { root = String(src[..<slash]); if root.isEmpty { root = "/" } } else { root = "." }
        } else {
            throw MediaError(.notFound, "no such file or folder", path: src)
        }
    }

    /// The File-set root a directory file's File IDs are relative to. A DICOMDIR in its own folder
    /// normally; a lower-level directory file (Philips DIRFILE, a DICOMDIR in a subfolder) names files
    /// relative to the enclosing File-set root, the nearest folder above holding a DICOMDIR (PS3.10
    /// §8.2). The folder under which more of the first referenced File IDs resolve wins; ties keep `folder`.
    public static func enclosingRoot(of fs: FileSet, dicomdir: String, folder: String, sample: Int = 16) -> String {
        var ids: [FileID] = []
        for (r, _) in fs.allRecords(includingOrphans: true) {
            if let id = r.referencedFileID { ids.append(id) }
            if ids.count >= sample { break }
        }
        if ids.isEmpty { return folder }
        func hits(_ root: String) -> Int {
            let resolver = Medium(root: root)
            return ids.reduce(0) { $0 + (resolver.path($1) != nil ? 1 : 0) }
        }
        var best = folder, bestHits = hits(folder)
        if bestHits == ids.count { return folder }
        // Walk up to folders holding a DICOMDIR (at most 16 levels).
        var dir = realPath(folder) ?? folder
        for _ in 0..<16 {
            guard let slash = dir.lastIndex(of: "/"), dir != "/" else { break }
            dir = slash == dir.startIndex ? "/" : String(dir[..<slash])
            let resolver = Medium(root: dir)
            guard let top = resolver.path(FileID(["DICOMDIR"])), realPath(top) != realPath(dicomdir) else { continue }
            let h = hits(dir)
            if h > bestHits { best = dir; bestHits = h }
            if h == ids.count { break }
        }
        return best
    }
}

/// An error of a media operation: what was being done, on which path (ARCHITECTURE: errors name the file).
public struct MediaError: ChainedError, Sendable {
    public struct Code: RawRepresentable, Hashable, Sendable {
        public var rawValue: String
        public init(rawValue: String) { self.rawValue = rawValue }
        public static let noDICOMDIR = Code(rawValue: "no-dicomdir")
        public static let notFound = Code(rawValue: "not-found")
        public static let unreadable = Code(rawValue: "unreadable")
        public static let refused = Code(rawValue: "refused")
        public static let io = Code(rawValue: "io")
        public static let badArgument = Code(rawValue: "bad-argument")
        /// A file given as a DICOMDIR that is another DICOM object, or not DICOM.
        public static let notDICOMDIR = Code(rawValue: "not-dicomdir")
        /// Another process holds the File-set's (or store's) lock: nothing was done.
        public static let busy = Code(rawValue: "busy")
    }
    public var code: Code
    public var message: String
    public var path: String?
    /// The lower error this one wraps, kept whole.
    public var cause: (any Error)?
    public var location: SourceLocation
    public init(_ code: Code, _ message: String, path: String? = nil, cause: (any Error)? = nil, file: String = #fileID, line: Int = #line) {
        self.code = code; self.message = message; self.path = path; self.cause = cause; self.location = SourceLocation(file: file, line: line)
    }
    public var codeName: String { code.rawValue }
    public var context: ErrorContext { ErrorContext(path: path) }
    public var description: String { (path.map { $0 + ": " } ?? "") + message }
}

/// The patient/study/series/instance tree of a File-set, as `list` prints it.
public struct FileSetListing: Sendable {
    public var location: FileSetLocation
    public var fileSet: FileSet
    public var problems: [FileSetProblem]
    /// The files of a medium read in place (an image); nil for a folder, looked up by `Medium`.
    public var files: FileListResolver?

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
                throw MediaError(.notDICOMDIR, "\(why); not a DICOMDIR", path: loc.dicomdir)
            }
            throw MediaError(.unreadable, "DICOMDIR cannot be read: \(e.description)", path: loc.dicomdir)
        }
        let sopClass = file.fileMeta.string(.mediaStorageSOPClassUID) ?? file.dataSet.string(.sopClassUID) ?? ""
        if sopClass != UID.mediaStorageDirectoryStorage && file.dataSet[.directoryRecordSequenceTag] == nil {
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
                switch resolve(id, resolver) {
                case .exact: present = true
                case .variant(let p):
                    present = true
                    problems.append(FileSetProblem(.warning, "file-id-variant", "file found only as \(p.dropFirst(location.root.count + 1)) (case or suffix differs)", fileID: id.path, rule: "PS3.10 8.5"))
                case .outsideRoot:
                    problems.append(FileSetProblem(.error, "file-id-outside-root", "File ID leaves the File-set root; refused", fileID: id.path, rule: "PS3.10 8.2"))
                case .missing: break
                }
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
                patients.append(.object([
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
                switch resolve(id, resolver) { case .exact, .variant: break; default: s += "  (MISSING)" }
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
