import DICOMCore
import FileSystem
import Glibc

// A disc robot's software watches a shared "hot" folder. The station puts the job's data there first (under a partial
// name, renamed when complete), then the job file, last and atomically (written as `.JOB<id>.partial`, renamed to its
// extension), and polls for the robot's renaming of it:
// - Primera PTBurn (PTBurn SDK, Revision 3.24, §2 "JRQ File Command Structure", §3 "Status Information", §4.1 "Abort
//   Command"): JOB<id>.JRQ -> .QRJ (discovered) -> .INP (in process) -> .DON (done) | .ERR (errors or aborted); the
//   reason is JobErrorString in the job's section [JOB<id>] of the status files in the folder's Status/ subfolder; an
//   abort is JOB<id>.PTM with Message=ABORT and the job's ClientID. The data is a disc image (ImageFile=).
// - Epson TD Bridge (TD Bridge Technical Reference Guide, Ch. 1 "TD Bridge Overview" and Ch. 4 "Setting Item List"):
//   JOB<id>.JDF -> .RJD (received) -> .INP -> .DON | .ERR; the reason is ERROR in the section [JOB_ID] of the STF
//   status file. The data is a folder (DATA=, FORMAT=ISO9660L2): the guide's JDF keys name no disc-image file.
// The renamed .DON/.ERR files are the robot software's to remove (PTBurn after its Status_Time; TD Bridge moves them to
// its log folder); the station removes its own data when the job ends.
/// Submits a publish job to a disc robot through its hot folder and reads the robot's result back.
public struct RobotHotFolder: Sendable {
    public let folder: String
    public let format: StationConfig.RobotFormat
    /// The client name the job files carry (PTBurn's ClientID, needed again for an abort).
    public static let clientID = "dicom-media"

    public init(folder: String, format: StationConfig.RobotFormat) {
        self.folder = folder; self.format = format
    }

    /// What the robot made of a job.
    public enum Outcome: Sendable, Equatable {
        case done
        case failed(String)
        /// The job file is still there or being worked on.
        case pending(taken: Bool)
    }

    /// The job's name in the hot folder and in the robot's status files.
    public static func name(_ id: Int64) -> String { "JOB\(id)" }

    var jobExtension: String { format == .ptburn ? "JRQ" : "JDF" }
    /// The extensions of a job the robot has taken but not finished.
    var takenExtensions: [String] { format == .ptburn ? ["QRJ", "INP"] : ["RJD", "INP"] }

    /// The job file's text: key=value lines, CR LF (the robots run on Windows).
    public func jobText(id: Int64, data: String, copies: Int, label: String?) -> String {
        var lines: [String]
        switch format {
        case .ptburn:
            lines = [
                "JobID=\(Self.name(id))", "ClientID=\(Self.clientID)", "ImageFile=\(data)", "Copies=\(copies)", "RejectIfNotBlank=YES",
                "VerifyDisc=YES", "DeleteFiles=NO",
            ]
            // The label text goes into the SureThing design's merge field (PTBurn SDK §2.1.40, MergeField).
            if let label { lines.append("MergeField=\(Self.oneLine(label, max: 200))") }
        case .tdbridge:
            lines = ["JOB_ID=\(Self.name(id))", "COPIES=\(copies)", "FORMAT=ISO9660L2", "DATA=\(data)"]
        }
        return lines.joined(separator: "\r\n") + "\r\n"
    }

    /// Writes the job file under a partial name and renames it to its extension, so the robot never reads half of it.
    public func submit(id: Int64, data: String, copies: Int, label: String?) throws(StationError) -> String {
        let final = "\(folder)/\(Self.name(id)).\(jobExtension)"
        let partial = "\(folder)/.\(Self.name(id)).partial"
        let bytes = Array(jobText(id: id, data: data, copies: copies, label: label).utf8)
        let fd = open(partial, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw StationError(.robotResult, "the job file cannot be written: \(Self.errno())", path: partial) }
        let written = bytes.withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) }
        let synced = fsync(fd) == 0
        close(fd)
        guard written == bytes.count, synced, rename(partial, final) == 0 else {
            unlink(partial)
            throw StationError(.robotResult, "the job file cannot be written: \(Self.errno())", path: final)
        }
        return final
    }

    /// The job's state from the names in the hot folder (and, for a failure, the robot's status files).
    public func outcome(id: Int64) -> Outcome {
        let base = "\(folder)/\(Self.name(id))."
        if fileExists(base + "DON") { return .done }
        if fileExists(base + "ERR") { return .failed(reason(id: id) ?? "the robot reported an error and gave no reason in its status files") }
        return .pending(taken: takenExtensions.contains { fileExists(base + $0) })
    }

    /// Removes the job file if the robot has not taken it; true when it was removed (or never there).
    @discardableResult
    public func withdraw(id: Int64) -> Bool {
        let path = "\(folder)/\(Self.name(id)).\(jobExtension)"
        return unlink(path) == 0 || (Glibc.errno == ENOENT && !takenExtensions.contains { fileExists("\(folder)/\(Self.name(id)).\($0)") })
    }

    /// Asks the robot to abort a job it has taken; PTBurn only (TD Bridge's cancel file is not defined in what we found).
    public func abort(id: Int64) -> Bool {
        guard format == .ptburn else { return false }
        let text = Array("Message=ABORT\r\nClientID=\(Self.clientID)\r\n".utf8)
        let path = "\(folder)/\(Self.name(id)).PTM"
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        return text.withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) } == text.count
    }

    /// The robot's reason for the job's failure, from its status files; nil when none names the job.
    func reason(id: Int64) -> String? {
        let (dirs, suffixes, keys): ([String], [String], [String]) =
            format == .ptburn
            ? ([folder + "/Status"], [".txt"], ["JobErrorString", "CurrentStatus"])
            : ([folder, folder + "/Status"], [".stf"], ["ERROR", "DETAIL_STATUS", "STATUS"])
        for dir in dirs {
            for name in folderNames(dir).sorted().prefix(64) where suffixes.contains(where: { name.lowercased().hasSuffix($0) }) {
                guard let text = Self.readSmall(dir + "/" + name), let section = Self.section(Self.name(id), in: text) else { continue }
                let parts = keys.compactMap { k in section[k].flatMap { $0.isEmpty ? nil : "\(k) \($0)" } }
                let number = section["JobErrorNumber"].map { " (error \($0))" } ?? ""
                if !parts.isEmpty { return parts.joined(separator: "; ") + number }
            }
        }
        return nil
    }

    /// The keys of section `[name]` of an INI-like text (case-insensitive section name; the first of a repeated key).
    static func section(_ name: String, in text: String) -> [String: String]? {
        var inside = false, found = false
        var out: [String: String] = [:]
        for raw in text.split(whereSeparator: \.isNewline).prefix(100_000) {
            let line = raw.stripped(" \t")
            if line.hasPrefix("[") && line.hasSuffix("]") {
                inside = line.dropFirst().dropLast().stripped(" \t").lowercased() == name.lowercased()
                found = found || inside
                continue
            }
            guard inside, let eq = line.firstIndex(of: "=") else { continue }
            let key = line[..<eq].stripped(" \t")
            if out[key] == nil { out[key] = oneLine(String(line[line.index(after: eq)...]), max: 300) }
        }
        return found ? out : nil
    }

    /// A file's first 1 MiB as text (invalid UTF-8 repaired), or nil.
    static func readSmall(_ path: String) -> String? {
        let fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var st = stat()
        guard fstat(fd, &st) == 0, (st.st_mode & S_IFMT) == S_IFREG else { return nil }
        var buffer = [UInt8](repeating: 0, count: 1 << 20)
        var n = 0
        while n < buffer.count {
            let r = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress! + n, $0.count - n) }
            if r < 0 && Glibc.errno == EINTR { continue }
            if r <= 0 { break }
            n += r
        }
        return String(decoding: buffer[0..<n], as: UTF8.self)
    }

    /// Text on one line without control characters, at most `max` characters.
    static func oneLine(_ s: String, max: Int) -> String {
        let clean = String(String.UnicodeScalarView(s.unicodeScalars.map { $0.properties.generalCategory == .control ? " " : $0 }))
        let t = clean.stripped(" ")
        return t.count > max ? String(t.prefix(max)) + "..." : t
    }

    static func errno() -> String { String(cString: strerror(Glibc.errno)) }
}

extension StringProtocol {
    /// The text without the given characters at either end.
    fileprivate func stripped(_ set: String) -> String {
        var s = Substring(self)
        while let f = s.first, set.contains(f) { s = s.dropFirst() }
        while let l = s.last, set.contains(l) { s = s.dropLast() }
        return String(s)
    }
}
