import DICOMCore
import Foundation
import Glibc
import Synchronization

// Each watch is scanned every `interval` seconds. A folder watch takes the `.iso` files and folders directly in its
// folder; a mounts watch takes the mount points directly under its path (a disc or stick mounted there). Hidden
// names and symbolic links are left alone. A source becomes an import job once its signature (size and times) has
// stayed the same for `settle` seconds (a copy still running changes it), and only once per signature: the signature
// is kept with the job (`JobStore.createWatched`), so a restart does not import it again, and a changed or new disc
// under the same name does.
/// Turns new media in the watched places into import jobs.
public final class Watcher: Sendable {
    let config: StationConfig
    let jobs: JobStore
    let settle: Double
    let interval: Double
    /// Sources seen but not yet settled: their signature and when it was first seen.
    let pending = Mutex<[String: (signature: String, since: Double)]>([:])

    public init(config: StationConfig, jobs: JobStore, settle: Double = 2, interval: Double = 1) {
        self.config = config; self.jobs = jobs; self.settle = settle; self.interval = interval
    }

    /// Scans every `interval` seconds until the task is cancelled.
    public func run() async { await Polling.every(interval) { _ = try? self.scan() } }

    /// One look at every watch; returns the jobs it queued.
    @discardableResult
    public func scan(now: Double = Date().timeIntervalSince1970) throws(StationError) -> [Job] {
        var queued: [Job] = []
        for watch in config.watch {
            for (path, signature) in sources(of: watch) {
                if try jobs.watchedSignature(path) == signature { continue }
                let settled = pending.withLock { p -> Bool in
                    if let seen = p[path], seen.signature == signature { return now - seen.since >= settle }
                    p[path] = (signature, now)
                    return false
                }
                guard settled else { continue }
                pending.withLock { _ = $0.removeValue(forKey: path) }
                let request: JobRequest
                do {
                    request = .importMedium(
                        .init(
                            source: try StationPaths.checked(path, roots: config.roots), destination: watch.destination, deidentify: watch.deidentify,
                            reconcile: watch.reconcileWorklist.map { .worklist(node: $0) }, commit: watch.commit))
                } catch { continue }
                queued.append(try jobs.createWatched(path: path, signature: signature, title: request.title, request: request.stored.serialized()))
            }
        }
        return queued
    }

    /// The candidate sources of a watch with their signatures.
    func sources(of watch: StationConfig.Watch) -> [(String, String)] {
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: watch.path) else { return [] }
        var parent = stat()
        guard lstat(watch.path, &parent) == 0 else { return [] }
        var out: [(String, String)] = []
        for name in names.sorted() where !name.hasPrefix(".") {
            let path = watch.path + "/" + name
            // The station's own folders are never sources.
            if [config.store, config.state].contains(where: { StationConfigReader.isWithin($0, path) || StationConfigReader.isWithin(path, $0) }) { continue }
            var st = stat()
            guard lstat(path, &st) == 0 else { continue }
            let kind = st.st_mode & S_IFMT
            switch watch.kind {
            case .folder:
                if kind == S_IFREG, name.lowercased().hasSuffix(".iso") {
                    out.append((path, "f:\(st.st_size):\(st.st_mtim.tv_sec).\(st.st_mtim.tv_nsec)"))
                } else if kind == S_IFDIR, let s = Self.treeSignature(path) {
                    out.append((path, s))
                }
            case .mounts:
                if kind == S_IFDIR, st.st_dev != parent.st_dev {
                    out.append((path, "m:\(st.st_dev):\(st.st_ino):\(st.st_mtim.tv_sec).\(st.st_mtim.tv_nsec)"))
                }
            }
        }
        return out
    }

    /// A folder's signature: how many files, their total size and the latest change, without following links
    /// (nil past 1,000,000 entries).
    static func treeSignature(_ root: String) -> String? {
        var count = 0, bytes: Int64 = 0, latest = 0
        var stack = [root]
        while let dir = stack.popLast() {
            guard let names = try? FileManager.default.contentsOfDirectory(atPath: dir) else { continue }
            for name in names {
                count += 1
                if count > 1_000_000 { return nil }
                let path = dir + "/" + name
                var st = stat()
                guard lstat(path, &st) == 0 else { continue }
                latest = max(latest, Int(st.st_mtim.tv_sec) * 1_000_000_000 + Int(st.st_mtim.tv_nsec))
                switch st.st_mode & S_IFMT {
                case S_IFDIR: stack.append(path)
                case S_IFREG: bytes += Int64(st.st_size)
                default: break
                }
            }
        }
        return "d:\(count):\(bytes):\(latest)"
    }
}
