import DICOMCore
import DICOMFileSet
import DICOMIO

/// Where a File-set lives: its root folder and its DICOMDIR (PS3.10 §8.2, PS3.12: DICOMDIR in the root).
public struct FileSetLocation: Sendable {
    public var root: String
    public var dicomdir: String

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
}

/// An error of a media operation: what was being done, on which path (ARCHITECTURE: errors name the file).
public struct MediaError: Error, Sendable, CustomStringConvertible {
    public struct Code: RawRepresentable, Hashable, Sendable {
        public var rawValue: String
        public init(rawValue: String) { self.rawValue = rawValue }
        public static let noDICOMDIR = Code(rawValue: "no-dicomdir")
        public static let notFound = Code(rawValue: "not-found")
        public static let unreadable = Code(rawValue: "unreadable")
        public static let refused = Code(rawValue: "refused")
        public static let io = Code(rawValue: "io")
        public static let badArgument = Code(rawValue: "bad-argument")
    }
    public var code: Code
    public var message: String
    public var path: String?
    public init(_ code: Code, _ message: String, path: String? = nil) { self.code = code; self.message = message; self.path = path }
    public var description: String { (path.map { $0 + ": " } ?? "") + message }
}

/// The patient/study/series/instance tree of a File-set, as `list` prints it.
public struct FileSetListing: Sendable {
    public var location: FileSetLocation
    public var fileSet: FileSet
    public var problems: [FileSetProblem]

    /// Reads the DICOMDIR and checks which referenced files are present.
    public static func load(source: String) throws -> FileSetListing {
        let loc = try FileSetLocation(source: source)
        let fs: FileSet
        do { fs = try DICOMDIRReader.read(path: loc.dicomdir) } catch let e as DICOMParseError {
            throw MediaError(.unreadable, "DICOMDIR cannot be read: \(e.description)", path: loc.dicomdir)
        }
        return FileSetListing(location: loc, fileSet: fs, problems: fs.problems)
    }

    public func json(resolver: Medium? = nil) -> JSON {
        let resolver = resolver ?? Medium(root: location.root)
        var problems = self.problems
        func str(_ ds: DataSet, _ t: Tag) -> JSON { ds.text(t).map { .string(DataSet.splitValues($0, vr: ds[t]?.vr ?? .LO).joined(separator: "\\")) } ?? .null }
        func instance(_ r: DirectoryRecord) -> JSON {
            var present = false
            if let id = r.referencedFileID {
                switch resolver.resolve(id) {
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
        var patients: [JSON] = []
        var rootRecords: [JSON] = []
        for p in fileSet.records {
            guard p.type == .patient else { rootRecords.append(instance(p)); continue }
            var studies: [JSON] = []
            for st in p.children where st.type == .study {
                var series: [JSON] = []
                for se in st.children where se.type == .series {
                    let instances = se.children.filter { $0.type != .private }.map(instance)
                    series.append(.object([
                        ("seriesInstanceUID", str(se.keys, .seriesInstanceUID)),
                        ("modality", str(se.keys, .modality)),
                        ("seriesNumber", se.keys.integer(Tag(0x0020, 0x0011)).map { .int(Int64($0)) } ?? .null),
                        ("instances", .array(instances)),
                    ]))
                }
                studies.append(.object([
                    ("studyInstanceUID", str(st.keys, .studyInstanceUID)),
                    ("studyDate", str(st.keys, .studyDate)),
                    ("studyDescription", str(st.keys, Tag(0x0008, 0x1030))),
                    ("series", .array(series)),
                ]))
            }
            patients.append(.object([
                ("patientID", str(p.keys, .patientID)),
                ("patientName", personName(p.keys)),
                ("studies", .array(studies)),
            ]))
        }
        return .object([
            ("fileSetID", .string(fileSet.fileSetID)),
            ("fileSetUID", .string(fileSet.fileSetUID)),
            ("patients", .array(patients)),
            ("rootRecords", .array(rootRecords)),
            ("problems", .array(problems.map(\.json))),
        ])
    }

    /// Indented text tree.
    public func text() -> String {
        var lines = ["File-set \(fileSet.fileSetID.isEmpty ? "(no ID)" : fileSet.fileSetID)  UID \(fileSet.fileSetUID)  \(fileSet.recordCount) records"]
        let resolver = Medium(root: location.root)
        for (r, depth) in fileSet.allRecords() {
            let indent = String(repeating: "  ", count: depth + 1)
            var s = indent + r.type.rawValue
            switch r.type {
            case .patient: s += " \(r.keys.personNames(.patientName)?.first?.description ?? "") [\(r.keys.string(.patientID) ?? "")]"
            case .study: s += " \(r.keys.string(.studyDate) ?? "") \(r.keys.string(Tag(0x0008, 0x1030)) ?? "") \(r.keys.string(.studyInstanceUID) ?? "")"
            case .series: s += " \(r.keys.string(.modality) ?? "") #\(r.keys.string(Tag(0x0020, 0x0011)) ?? "") \(r.keys.string(.seriesInstanceUID) ?? "")"
            default:
                if let n = r.keys.string(Tag(0x0020, 0x0013)) { s += " #\(n)" }
            }
            if let id = r.referencedFileID {
                s += "  " + id.path
                if resolver.path(id) == nil { s += "  (MISSING)" }
            }
            lines.append(s)
        }
        for p in problems { lines.append("problem: \(p)") }
        return lines.joined(separator: "\n")
    }
}
