import DICOMCore
import DICOMFileSet
import DICOMIO
import Dispatch
import FileSystem
#if canImport(Glibc)
import Glibc
#endif

/// Finds the instances in files, folders (recursive) and existing File-sets (through their DICOMDIR).
public enum InstanceScanner {
    /// Scans the inputs; `progress(done, total)` is called as headers are read.
    /// With `keepHeaders` false only the start of each header is read (up to (0020,0013)) and only the
    /// sort key is kept, so memory stays flat for any number of files; the plan reloads headers in order.
    public static func scan(
        _ inputs: [String], excluding excluded: Set<String> = [], keepHeaders: Bool = true,
        progress: (@Sendable (Int, Int) -> Void)? = nil
    ) throws -> SourceScan {
        var scan = SourceScan()
        var candidates: [String] = []
        // The real paths taken, by their hash -> the candidate's place (its real path made again on a hit): not a set of
        // every real path beside the candidates. A real path whose hash an earlier, different one has is kept by its text.
        var seen: [Int: Int] = [:]
        var seenText = Set<String>()
        var folders: [String: String?] = [:]
        // The real path of an entry that is not a link (a regular file, or a folder) is its folder's and its name:
        // each folder is resolved once, from its parent's, so no realpath(3) per file or folder.
        func resolved(_ p: String, kind: mode_t = S_IFREG) -> String? {
            var st = stat()
            guard let slash = p.lastIndex(of: "/"), slash != p.startIndex, ![".", "..", ""].contains(p[p.index(after: slash)...]),
                lstat(p, &st) == 0, (st.st_mode & S_IFMT) == kind
            else { return realPath(p) }
            let dir = String(p[..<slash])
            if folders[dir] == nil { folders[dir] = .some(resolved(dir, kind: S_IFDIR)) }
            guard let r = folders[dir] ?? nil else { return realPath(p) }
            return (r == "/" ? "" : r) + p[slash...]
        }
        func addCandidate(_ p: String) {
            let real = resolved(p) ?? p
            if excluded.contains(real) { return }
            if let k = seen[real.hashValue] {
                if (resolved(candidates[k]) ?? candidates[k]) == real || !seenText.insert(real).inserted { return }
            } else {
                seen[real.hashValue] = candidates.count
            }
            candidates.append(p)
        }
        for input in inputs {
            var path = input
            while path.count > 1 && path.hasSuffix("/") { path.removeLast() }
            if isDirectory(path) {
                let resolver = Medium(root: path)
                var listing: FileSetListing?
                if resolver.path(FileID(["DICOMDIR"])) != nil {
                    do { listing = try FileSetListing.load(source: path, fileReferencesOnly: true) } catch {
                        // Not dropped: the broken DICOMDIR is named, and the folder's files are read instead.
                        scan.problems.append(
                            FileSetProblem(
                                .warning, .inputDICOMDIRUnreadable, "the DICOMDIR cannot be read (\(error)); the folder's files are read instead",
                                fileID: "DICOMDIR", rule: "PS3.10 8.2", source: path))
                    }
                }
                if let listing {
                    // An existing File-set: take the files its DICOMDIR references.
                    // Problems of an input File-set name its DICOMDIR: never mixed up with the output's.
                    let input = listing.location.dicomdir
                    scan.problems += listing.problems.map { $0.from(input) }
                    for (rec, _) in listing.fileSet.allRecords(includingOrphans: true) {
                        guard let id = rec.referencedFileID else { continue }
                        switch resolver.resolve(id) {
                        case .exact(let p), .variant(let p): addCandidate(p)
                        case .missing:
                            scan.problems.append(
                                FileSetProblem(.error, .fileMissing, "referenced file is missing", fileID: id.path, rule: "PS3.3 F.2.1", source: input))
                        case .outsideRoot:
                            scan.problems.append(
                                FileSetProblem(
                                    .error, .fileIDOutsideRoot, "File ID leaves the File-set root; not read", fileID: id.path, rule: "PS3.10 8.2", source: input
                                ))
                        }
                    }
                } else {
                    for f in walk(path, problems: &scan.problems) { addCandidate(f) }
                }
            } else if isRegularFile(path) {
                addCandidate(path)
            } else {
                throw MediaError(.notFound, "no such file or folder", path: path)
            }
        }
        // Read headers on both cores, a chunk at a time: each chunk's results are moved into the instances before
        // the next is read, so the results of every file are never held beside the instances made of them.
        // What only the gathering needs goes before the headers are read.
        seen = [:]
        seenText = []
        folders = [:]
        let total = candidates.count
        let done = ConcurrentCounter()
        // One row per file is kept for the whole run: the rows at their final size at once.
        scan.instances.reserveCapacity(total, bytes: candidates.reduce(0) { $0 + $1.utf8.count + 64 })  // a UID is at most 64 bytes (PS3.5 9.1)
        let chunk = 4096
        for start in stride(from: 0, to: total, by: chunk) {
            let range = start..<min(total, start + chunk)
            // Each path is held by its chunk while it is read, then only by the instances' buffer: the list lets go of it.
            let paths = Array(candidates[range])
            for i in range { candidates[i] = "" }
            let results = ConcurrentSlots<Result<SourceInstance, MediaError>>(count: range.count)
            DispatchQueue.concurrentPerform(iterations: range.count) { k in
                results[k] = readInstance(paths[k], keepHeader: keepHeaders)
                let n = done.increment()
                if let progress, n % 64 == 0 || n == total { progress(n, total) }
            }
            for r in results.values {
                switch r {
                case .success(let inst): scan.instances.append(inst)
                case .failure(let e) where e.code == .inputNotDICOM: scan.notDICOM.append((e.path ?? "", e.message))
                case .failure(let e): scan.unreadable.append((e.path ?? "", e.message))
                case .none: break
                }
            }
        }
        scan.instances.finish()
        return scan
    }

    /// One input's header, or why it is not an instance: `inputNotDICOM` or `unreadable` (the parse error its cause).
    static func readInstance(_ path: String, keepHeader: Bool = true) -> Result<SourceInstance, MediaError> {
        let name = path.split(separator: "/").last.map(String.init) ?? path
        if name.uppercased() == "DICOMDIR" { return .failure(MediaError(.inputNotDICOM, "a DICOMDIR, not an instance", path: path)) }
        do {
            // Without the header only the sort key is read: up to (0020,0014), the element after Instance Number (0020,0013).
            // One open and read of the file for the header and the completeness check below.
            let (f, incomplete) = try Completeness.read(
                path: path, options: keepHeader ? .headerOnly : ReadOptions(stopBeforePixelData: true, stopBefore: .isotopeNumber))
            let meta = f.fileMeta
            // (0008,0016) and (0008,0018) identify the instance; the File Meta only when the data set lacks them.
            let sopClass = nonEmpty(f.dataSet.string(.sopClassUID)) ?? meta.string(.mediaStorageSOPClassUID) ?? ""
            let sopInstance = nonEmpty(f.dataSet.string(.sopInstanceUID)) ?? meta.string(.mediaStorageSOPInstanceUID) ?? ""
            if sopClass == UID.mediaStorageDirectoryStorage || meta.string(.mediaStorageSOPClassUID) == UID.mediaStorageDirectoryStorage {
                return .failure(MediaError(.inputNotDICOM, "a DICOMDIR, not an instance", path: path))
            }
            guard !sopClass.isEmpty, !sopInstance.isEmpty else {
                return .failure(MediaError(.unreadable, "no SOP Class UID or SOP Instance UID (PS3.10 7.1)", path: path))
            }
            // Complete instances only (PS3.10 §7): an instance cut short is refused, named with offset and tag.
            if let e = incomplete as? DICOMParseError {
                return .failure(
                    MediaError(.unreadable, "\(e.code == .incomplete ? "incomplete instance" : "refused") [\(e.code)]: \(e.located)", path: path, cause: e))
            } else if let incomplete {
                throw incomplete
            }
            let key = sortKey(f.dataSet)
            return .success(
                SourceInstance(
                    path: path, header: keepHeader ? strip(f.dataSet) : DataSet(), sortKey: key,
                    fileMeta: keepHeader ? meta : DataSet(), transferSyntax: f.transferSyntax,
                    sopClassUID: sopClass, sopInstanceUID: sopInstance, size: fileSize(path),
                    isPart10: f.preamble != nil && !meta.isEmpty && meta.string(.transferSyntaxUID) != nil,
                    diagnostics: keepHeader ? f.diagnostics : [],
                    fileMetaMismatches: FileMetaCheck.mismatches(fileMeta: meta, dataSet: f.dataSet),
                    fileMetaNeedsRebuild: !meta.isEmpty && FileMetaCheck.needsRebuild(fileMeta: meta, dataSet: f.dataSet)))
        } catch let e as DICOMParseError {
            if e.code == .notDICOM || e.code == .empty { return .failure(MediaError(.inputNotDICOM, e.message, path: path, cause: e)) }
            return .failure(MediaError(.unreadable, e.located, path: path, cause: e))
        } catch {
            return .failure(MediaError(.unreadable, "\(error)", path: path, cause: error))
        }
    }

    /// Keeps only what a plan can use: no record key, layout value or profile rule is private, an
    /// overlay, or a long binary value. Real scanner headers carry hundreds of private elements.
    static func strip(_ ds: DataSet) -> DataSet {
        var header = ds
        header.removeAll { e in
            if e.tag.isPrivate || (e.tag.group & 0xFF00) == 0x6000 { return true }
            if e.vr.isBulk, let b = e.bytes, b.count > 256 { return true }
            return false
        }
        return header
    }

    /// The (stripped) header of an instance found by a scan that did not keep headers.
    public static func loadHeader(_ path: String) throws -> DataSet {
        strip(try Part10Reader.read(path: path, options: .headerOnly).dataSet)
    }

    static func sortKey(_ h: DataSet) -> SortKey {
        SortKey(
            patientID: h.string(.patientID) ?? "", studyInstanceUID: h.string(.studyInstanceUID) ?? "",
            seriesInstanceUID: h.string(.seriesInstanceUID) ?? "", instanceNumber: h.integer(.instanceNumber))
    }

    /// Every regular file under `dir`, recursively, in sorted order; hidden entries (".name") skipped.
    /// The rule of the guarded medium: links inside `dir` are followed, links out of it and loops skipped.
    public static func walk(_ dir: String) -> [String] { Medium(root: dir).walk().files }

    /// `walk`, with the links it skipped as problems (symlink-skipped, error: the command exits 1).
    public static func walk(_ dir: String, problems: inout [FileSetProblem]) -> [String] {
        let w = Medium(root: dir).walk()
        for (path, why) in w.skipped {
            problems.append(FileSetProblem(.error, .symlinkSkipped, "\(path): \(why)", rule: "PS3.10 8.2"))
        }
        return w.files
    }
}
