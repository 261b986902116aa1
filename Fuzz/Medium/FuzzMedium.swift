// libFuzzer entry point for the guarded medium (built only by `FUZZ_TARGET=medium scripts/fuzz.sh`,
// from Fuzz/Package.swift with `-sanitize=fuzzer,address`).
//
// The first byte picks what the rest is:
//  * even: a journal (`.dicom-media/journal.json`) to parse and validate (MediumJournal.parse):
//    it is refused or accepted, never traps; an accepted journal names only legal paths inside the
//    root, outside the journal folder, and staged sources that are single names;
//  * odd: a File ID (components separated by "\", as in a DICOMDIR) and a raw relative path,
//    resolved against a small temporary root holding links inside it, out of it, absolute ones and
//    loops: whatever resolves (resolve, locate, openForReading, regularFileSize) is under the real
//    root, and what was opened is a file under the real root.
import DICOMFileSet
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// The temporary world: ROOT (the medium) and OUTSIDE beside it, made once per process.
let world: (medium: Medium, outside: String) = {
    let base = NSTemporaryDirectory() + "fuzz-medium-\(getpid())"
    let root = base + "/root", outside = base + "/outside"
    for d in [root + "/DICOM/P1", root + "/dicom2", outside + "/DICOM"] {
        mkdir(base, 0o755); _ = try? FileManager.default.createDirectory(atPath: d, withIntermediateDirectories: true)
    }
    for f in [root + "/DICOM/P1/IMG", root + "/dicom2/img.dcm;1", root + "/DICOMDIR", outside + "/SECRET", outside + "/DICOM/IMG"] {
        FileManager.default.createFile(atPath: f, contents: Data("x".utf8))
    }
    let links: [(String, String)] = [
        ("OUT", outside), ("OUTFILE", outside + "/SECRET"), ("DICOM/UP", "../.."), ("DICOM/P1/LOOP", "../P1/LOOP"),
        ("INLINK", "DICOM"), ("ABSIN", root + "/DICOM/P1"), ("DICOM/REL", "../../outside/SECRET"), ("SELF", "."),
        ("DANGLING", "nowhere"), ("DICOM/P1/UPIN", "../../DICOM"),
    ]
    for (l, t) in links { symlink(t, root + "/" + l) }
    return (Medium(root: root), outside)
}()

func under(_ p: String, _ real: String) -> Bool { p == real || p.hasPrefix(real + "/") }

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    guard size > 0 else { return 0 }
    let rest = Array(UnsafeBufferPointer(start: data + 1, count: size - 1))
    let m = world.medium
    let real = m.realRoot
    if data[0] % 2 == 0 {
        guard let j = try? MediumJournal.parse(rest, journal: "journal.json") else { return 0 }
        for target in j.copies.map(\.fileID) + j.deletions {
            let comps = target.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
            precondition(Medium.pathProblem(comps) == nil && comps[0] != MediumJournal.folderName, "accepted journal entry \(target)")
            if case .inside(let p) = m.locate(m.root + "/" + target) { precondition(under(p, real), "\(target) -> \(p)") }
        }
        for s in j.copies.compactMap(\.staged) { precondition(Medium.componentProblem(s) == nil && !s.contains("/"), "staged \(s)") }
        return 0
    }
    let text = String(decoding: rest, as: UTF8.self)
    let parts = text.split(separator: "\n", maxSplits: 1, omittingEmptySubsequences: false)
    let id = FileID(String(parts[0]).split(separator: "\\", omittingEmptySubsequences: false).map(String.init))
    switch m.resolve(id) {
    case .exact(let p), .variant(let p):
        guard let r = m.resolveInside(p) else { preconditionFailure("resolved \(id) to \(p), which does not stay inside") }
        precondition(under(r, real) && !r.hasPrefix(world.outside), "\(id) -> \(r)")
        if let fd = try? m.openForReading(p) {
            var buf = [CChar](repeating: 0, count: 4097)
            let n = readlink("/proc/self/fd/\(fd)", &buf, 4096)
            close(fd)
            if n > 0 { buf[n] = 0; precondition(under(String(cString: buf), real), "opened \(String(cString: buf))") }
        }
    case .missing, .outsideRoot: break
    }
    if parts.count > 1 {
        let raw = String(parts[1])
        if case .inside(let r) = m.locate(m.root + "/" + raw) {
            precondition(under(r, real), "\(raw) -> \(r)")
            if let rp = canonical(r) { precondition(under(rp, real), "\(raw) -> \(rp) really") }
        }
        if let fd = try? m.openForReading(raw) {
            var buf = [CChar](repeating: 0, count: 4097)
            let n = readlink("/proc/self/fd/\(fd)", &buf, 4096)
            close(fd)
            if n > 0 { buf[n] = 0; precondition(under(String(cString: buf), real), "opened \(String(cString: buf)) for \(raw)") }
        }
        if let comps = try? Medium.components(ofRelativePath: raw) {
            precondition(!comps.contains("..") && !comps.contains(".") && !comps.contains(""), "components of \(raw)")
            if (try? m.regularFileSize(comps)) ?? nil != nil {
                precondition(m.resolveInside(m.root + "/" + raw).map { under($0, real) } ?? false, "regular file \(raw) not inside")
            }
        }
    }
    return 0
}

/// The canonical path (links resolved) with realpath(3), or nil.
func canonical(_ path: String) -> String? {
    guard let p = realpath(path, nil) else { return nil }
    defer { free(p) }
    return String(cString: p)
}
