import DICOMCore
import DICOMStore
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Imports media into a store: ``ImportPlanner`` reads the media into an ``ImportPlan``, and
/// ``ImportExecutor`` carries it into the store.
public enum StoreImporter {
    /// A file to read, with the record that named it (the plan's candidate).
    typealias Candidate = ImportPlan.Candidate

    /// The store's secret de-identification key (`deid.key`, 32 random bytes, mode 0600), made on first use:
    /// the same original UID gets the same new UID in every import into this store (PS3.15 E.3.10 consistency).
    public static func deidentificationKey(storeRoot: String, create: Bool) throws -> [UInt8] {
        let path = storeRoot + "/deid.key"
        if let d = FileManager.default.contents(atPath: path), d.count == 32 { return [UInt8](d) }
        var key = [UInt8](repeating: 0, count: 32)
        var g = SystemRandomNumberGenerator()
        for i in key.indices { key[i] = UInt8.random(in: 0...255, using: &g) }
        guard create else { return key }
        try makeDirectories(storeRoot)
        let tmp = path + ".tmp-\(getpid())"
        let fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0o600)
        guard fd >= 0 else { throw StoreError(.io, "cannot write the de-identification key", path: path, errno: errno, call: "open") }
        let written = key.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
        let failure = written == key.count ? 0 : written < 0 ? errno : ENOSPC
        close(fd)
        if failure != 0 { unlink(tmp); throw StoreError(.io, "cannot write the de-identification key", path: path, errno: failure, call: "write") }
        // Two first imports at once: the first link wins and both use its key.
        if link(tmp, path) != 0 { unlink(tmp); return try deidentificationKey(storeRoot: storeRoot, create: false) }
        unlink(tmp)
        return key
    }

    /// Imports `media` into `store` (nil only for a dry run against a store that does not exist yet): plan, then execute.
    public static func run(
        media: [any MediumReader], store: DICOMStore?, storeRoot: String, options: ImportOptions = ImportOptions(),
        progress: (@Sendable (Int, Int) -> Void)? = nil
    ) throws -> ImportReport {
        let plan = try ImportPlanner.plan(media: media, storeRoot: storeRoot, options: options, spillFolder: DICOMStore.tmpDirectory(root: storeRoot))
        return try ImportExecutor(plan: consume plan, store: store, options: options).run(progress: progress)
    }
}
