import DICOMCore
import FileSystem
import DICOMIO
import Dispatch
import Foundation
#if canImport(Glibc)
import Glibc
#endif

extension FileSetVerifier.Pass {
    // MARK: The folder walk (PS3.3 F.2.1 rules 3 and 5)

    /// Regular files under the root that no record references, minus the DICOMDIR and the
    /// descriptor; sub-folders holding their own DICOMDIR are another File-set and are skipped.
    func listCandidates(problems: inout [FileSetProblem]) -> [String] {
        var out: [String] = []
        var visited = Set<String>()
        func isDICOMDIRName(_ n: String) -> Bool { Medium.normalise(n, file: false) == "DICOMDIR" }
        if let listed {
            // A medium read in place: the same rules over its file list.
            var nested = Set<String>()
            for p in listed.paths {
                let comps = p.split(separator: "/").map(String.init)
                if comps.count > 1, isDICOMDIRName(comps.last!) { nested.insert(comps.dropLast().joined(separator: "/")) }
            }
            for n in nested.sorted() where !nested.contains(where: { n.hasPrefix($0 + "/") }) {
                problems.append(
                    FileSetProblem(
                        .warning, .nestedFileSet, "folder \(n) holds its own DICOMDIR: its files belong to another File-set and are not checked here",
                        fileID: n, rule: "PS3.12 6 (File-sets do not intersect), PS3.10 8.6"))
            }
            for p in listed.paths {
                if v.ignoredNames.contains(where: { p.hasPrefix($0 + "/") }) || nested.contains(where: { p.hasPrefix($0 + "/") }) { continue }
                let full = v.root + "/" + p
                if !excluded.contains(full) { out.append(full) }
            }
            return out.sorted()
        }
        func join(_ dir: String, _ name: String) -> String { dir == "/" ? "/" + name : dir + "/" + name }
        /// `real`: the folder's real path when known (a folder, not a link, in a folder whose real path is known).
        func visit(_ dir: String, depth: Int, real: String? = nil) {
            guard depth <= 32 else { return }
            let realDir = real ?? realPath(dir)
            if let realDir { guard visited.insert(realDir).inserted else { return } }
            // Names the caller leaves out (a journal folder of an interrupted write, which the caller reports).
            // Every folder walked is inside the root (links are followed only when they stay inside).
            let names = folderNames(dir).sorted().filter { $0 != "." && $0 != ".." && !(depth == 0 && v.ignoredNames.contains($0)) }
            if depth > 0, names.contains(where: { isDICOMDIRName($0) && isRegularFile(dir + "/" + $0) }) {
                problems.append(
                    FileSetProblem(
                        .warning, .nestedFileSet,
                        "folder \(relative(dir)) holds its own DICOMDIR: its files belong to another File-set and are not checked here",
                        fileID: relative(dir), rule: "PS3.12 6 (File-sets do not intersect), PS3.10 8.6"))
                return
            }
            for n in names {
                let p = dir + "/" + n
                var st = stat()
                guard lstat(p, &st) == 0 else { continue }
                let kind = st.st_mode & S_IFMT
                if kind == S_IFDIR { visit(p, depth: depth + 1, real: realDir.map { join($0, n) }); continue }
                if kind == S_IFLNK {
                    // One rule for links (the guarded medium): inside the root followed, out of it or looping skipped and listed.
                    guard let target = resolver.resolveInside(p) else {
                        if resolver.leavesRoot(p) {
                            problems.append(
                                FileSetProblem(
                                    .error, .symlinkOutsideRoot, "symbolic link out of the File-set root; not followed", fileID: relative(p), rule: "PS3.10 8.2"
                                ))
                        } else {
                            problems.append(
                                FileSetProblem(
                                    .error, .symlinkSkipped, "symbolic link to nothing or a loop; not followed", fileID: relative(p), rule: "PS3.10 8.2"))
                        }
                        continue
                    }
                    if isDirectory(target) {
                        if visited.contains(target) {
                            problems.append(
                                FileSetProblem(
                                    .error, .symlinkSkipped, "symbolic link to a folder already walked (a loop); not followed", fileID: relative(p),
                                    rule: "PS3.10 8.2"))
                        } else {
                            visit(p, depth: depth + 1)
                        }
                        continue
                    }
                    guard isRegularFile(p) else { continue }
                    if excluded.contains(realPath(p) ?? p) { continue }
                } else if kind != S_IFREG {
                    continue
                } else if excluded.contains(realDir.map { join($0, n) } ?? realPath(p) ?? p) {
                    continue
                }
                out.append(p)
            }
        }
        visit(v.root, depth: 0)
        return out.sorted()
    }

    mutating func reportCandidates(_ candidates: [String], outcomes: [FileSetVerifier.Outcome?], offset: Int, instanceFileIDs: [String: String]) {
        var nonDICOM: [String] = []
        for (i, path) in candidates.enumerated() {
            let rel = relative(path)
            guard case .candidate(let sniff)? = outcomes[offset + i] else { continue }
            switch sniff {
            case .notDICOM:
                nonDICOM.append(rel)
            case .dicom(let sop, let inst):
                if sop == UID.mediaStorageDirectoryStorage {
                    add(
                        .warning, .extraDICOMDIR, "another DICOMDIR (Media Storage Directory Storage file) beside the one verified; a File-set has exactly one",
                        fileID: rel, rule: "PS3.10 8.6 (one DICOMDIR per File-set)")
                } else {
                    var msg = "DICOM file that no directory record references"
                    if let inst, let other = instanceFileIDs[inst] { msg += " (same SOP Instance UID as \(other): a copy?)" }
                    add(.error, .unreferencedFile, msg, fileID: rel, rule: "PS3.3 F.2.1 (every DICOM file of the File-set is referenced)")
                }
            case .dicomUnreadable(let why):
                add(
                    .error, .unreferencedFile, "file with the DICM prefix that no directory record references (and it cannot be read: \(why))",
                    fileID: rel, rule: "PS3.3 F.2.1 (every DICOM file of the File-set is referenced)")
            }
        }
        if !nonDICOM.isEmpty {
            let shown = nonDICOM.prefix(8).joined(separator: ", ") + (nonDICOM.count > 8 ? ", ..." : "")
            add(
                .info, .nonDICOMFiles, "\(nonDICOM.count) file(s) that are not DICOM (allowed, not referenced): \(shown)",
                rule: "PS3.10 8, PS3.3 F.2.1 (rule 5)")
        }
    }
}

extension FileSetVerifier {
    /// Whether an unreferenced file is DICOM: the DICM prefix at offset 128, or a data set that
    /// reads as one and names a SOP class (PS3.10 7.1).
    static func sniff(_ path: String, verifier v: FileSetVerifier) -> Sniff {
        if let files = v.files {
            guard let head = try? v.readFile(path, prefix: 132, from: files) else { return .notDICOM }
            return sniffed(path, head: head, verifier: v)
        }
        let fd = open(path, O_RDONLY)
        guard fd >= 0 else { return .notDICOM }
        var head = [UInt8](repeating: 0, count: 132)
        var got = 0
        head.withUnsafeMutableBytes { buf in
            while got < 132 {
                let n = read(fd, buf.baseAddress! + got, 132 - got)
                if n < 0 && errno == EINTR { continue }
                if n <= 0 { break }
                got += n
            }
        }
        close(fd)
        return sniffed(path, head: Array(head.prefix(got)), verifier: v)
    }

    static func sniffed(_ path: String, head: [UInt8], verifier v: FileSetVerifier) -> Sniff {
        let got = head.count
        let hasPrefix = got == 132 && head[128] == 0x44 && head[129] == 0x49 && head[130] == 0x43 && head[131] == 0x4D
        if !hasPrefix {
            // A bare data set starts with a group 0002 or 0008 element in little endian.
            guard got >= 8, head[1] == 0, head[0] == 0x02 || head[0] == 0x08 else { return .notDICOM }
        }
        do {
            let f = try v.readHeader(path)
            let sop = f.fileMeta.string(.mediaStorageSOPClassUID) ?? f.dataSet.string(.sopClassUID)
            let inst = f.dataSet.string(.sopInstanceUID) ?? f.fileMeta.string(.mediaStorageSOPInstanceUID)
            if !hasPrefix && (sop ?? "").isEmpty { return .notDICOM }
            return .dicom(sopClass: sop, sopInstance: inst)
        } catch let e as DICOMParseError {
            return hasPrefix ? .dicomUnreadable(e.message) : .notDICOM
        } catch {
            return hasPrefix ? .dicomUnreadable("\(error)") : .notDICOM
        }
    }
}
