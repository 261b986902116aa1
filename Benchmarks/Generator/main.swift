// synth-studies: writes realistic synthetic CT, MR and DX studies as Part 10 files
// (Explicit VR Little Endian), deterministically from a seed, for benchmarks and samples.
//
//   synth-studies --out DIR [--count N] [--seed S] [--modality CT|MR|DX|mix] [--small]
//
// Layout: DIR/<PatientID>/<StudyID>/<SeriesNumber>/IMG<nnnnn>.dcm

import DICOMCore
import DICOMIO
import Dispatch
import Foundation
import Synchronization

let usage = """
    usage: synth-studies --out DIR [--count N] [--seed S] [--modality CT|MR|DX|mix] [--small]

      --out DIR        output folder (created if missing); files go to DIR/<PatientID>/<StudyID>/<Series>/IMG<n>.dcm
      --count N        number of files (default 100)
      --seed S         unsigned 64-bit seed (default 1); the same seed gives byte-identical files
      --modality M     CT, MR, DX or mix (default mix: mostly CT and MR studies, the occasional DX)
      --small          tiny images (CT/MR 64x64, DX 96x120) and short series, for committed samples
    """

func fail(_ message: String) -> Never {
    FileHandle.standardError.write(Data(("synth-studies: " + message + "\n").utf8))
    exit(2)
}

func parseOptions(_ args: [String]) -> Options {
    var o = Options()
    var out: String?
    var i = 1
    func value(_ name: String) -> String {
        i += 1
        guard i < args.count else { fail("\(name) needs a value\n\(usage)") }
        return args[i]
    }
    while i < args.count {
        let a = args[i]
        switch a {
        case "--out": out = value(a)
        case "--count":
            guard let n = Int(value(a)), n >= 0 else { fail("--count needs a non-negative integer") }
            o.count = n
        case "--seed":
            guard let s = UInt64(value(a)) else { fail("--seed needs an unsigned 64-bit integer") }
            o.seed = s
        case "--modality":
            let m = value(a)
            switch m.lowercased() {
            case "ct": o.modality = "CT"
            case "mr": o.modality = "MR"
            case "dx": o.modality = "DX"
            case "mix": o.modality = "mix"
            default: fail("--modality must be CT, MR, DX or mix, not '\(m)'")
            }
        case "--small": o.small = true
        case "-h", "--help": print(usage); exit(0)
        default: fail("unknown argument '\(a)'\n\(usage)")
        }
        i += 1
    }
    guard let dir = out, !dir.isEmpty else { fail("--out DIR is required\n\(usage)") }
    o.out = dir.hasSuffix("/") && dir.count > 1 ? String(dir.dropLast()) : dir
    return o
}

func now() -> Double { Double(DispatchTime.now().uptimeNanoseconds) / 1e9 }

let options = parseOptions(CommandLine.arguments)
let start = now()
let plan = makePlan(options)

// Folders first (serially), then the files in parallel, one thread per CPU: each file depends
// only on the plan and its own PRNG stream, so the output does not depend on scheduling.
let fm = FileManager.default
var folders = Set<String>()
for f in plan.files {
    let full = options.out + "/" + f.path
    folders.insert(String(full[..<full.lastIndex(of: "/")!]))
}
for d in folders.sorted() {
    do { try fm.createDirectory(atPath: d, withIntermediateDirectories: true) } catch { fail("cannot create \(d): \(error)") }
}

let identity = Identity(seed: options.seed)
/// Shared state of the worker threads, behind one lock.
final class Shared: Sendable {
    private struct State { var next = 0, errors: [String] = [], bytesWritten = 0 }
    private let state = Mutex(State())
    var errors: [String] { state.withLock { $0.errors } }
    var bytesWritten: Int { state.withLock { $0.bytesWritten } }
    /// The next file index to do.
    func take() -> Int {
        state.withLock {
            $0.next += 1; return $0.next - 1
        }
    }
    func wrote(_ n: Int) { state.withLock { $0.bytesWritten += n } }
    func failed(_ e: String) { state.withLock { $0.errors.append(e) } }
}
let shared = Shared()

/// Runs `work(k)` for k in 0..<count on `threads` threads pulling the next index from `shared`.
/// (DispatchQueue.concurrentPerform ran everything on one thread on this Linux machine.)
func parallelFor(_ count: Int, threads: Int, _ work: @escaping @Sendable (Int) -> Void) {
    let done = DispatchSemaphore(value: 0)
    let n = max(1, min(threads, count))
    for _ in 0..<n {
        let t = Thread {
            while true {
                let k = shared.take()
                if k >= count { break }
                work(k)
            }
            done.signal()
        }
        t.stackSize = 1 << 20
        t.start()
    }
    for _ in 0..<n { done.wait() }
}

parallelFor(plan.files.count, threads: ProcessInfo.processInfo.activeProcessorCount) { k in
    let f = plan.files[k]
    let se = plan.series[f.series]
    let patient = plan.patients[plan.studies[se.study].patient]
    var rng = SplitMix64(identity.hash([0xF11E, UInt64(k)]))
    var ds = makeHeader(plan, file: f, seed: options.seed)
    let pixels = renderPixels(se, slice: f.instance - 1, phantom: patient.phantom, rng: &rng)
    ds.set(DataElement(tag: .pixelData, vr: .OW, bytes: pixels))
    let path = options.out + "/" + f.path
    do {
        let bytes = try Part10Writer.encode(dataSet: ds, options: WriteOptions(transferSyntax: .explicitVRLittleEndian))
        try Part10Writer.write(bytes, to: path)
        shared.wrote(bytes.count)
    } catch {
        shared.failed("\(path): \(error)")
    }
}

let errors = shared.errors
for e in errors { FileHandle.standardError.write(Data(("synth-studies: " + e + "\n").utf8)) }
var perModality: [String: Int] = [:]
for f in plan.files { perModality[plan.series[f.series].modality, default: 0] += 1 }
let usedSeries = Set(plan.files.map(\.series)).count
let usedStudies = Set(plan.files.map { plan.series[$0.series].study }).count
let usedPatients = Set(plan.files.map { plan.studies[plan.series[$0.series].study].patient }).count
let seconds = now() - start
print(
    "synth-studies: \(plan.files.count - errors.count) files (\(perModality.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", "))), "
        + "\(usedPatients) patients, \(usedStudies) studies, \(usedSeries) series, "
        + "\(fmt(Double(shared.bytesWritten) / 1_048_576, 1)) MiB in \(fmt(seconds, 2)) s -> \(options.out)")
exit(errors.isEmpty ? 0 : 1)
