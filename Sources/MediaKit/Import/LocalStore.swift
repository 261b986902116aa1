import DICOMCore
import DICOMStore
#if canImport(Glibc)
import Glibc
#endif

/// The local store as the commands use it: where it is, opening it (reconciling a killed run), and
/// each store command's use case returning its report.
public struct LocalStore: Sendable {
    let store: DICOMStore
    public var root: String { store.root }

    /// Where the store lives: `--store DIR`, else `$DICOM_MEDIA_STORE`, else `$XDG_DATA_HOME/dicom-media`, else `~/.local/share/dicom-media`.
    public static func location(explicit: String?) throws -> String {
        try StoreLocation.resolve(explicit: explicit, environment: StoreLocation.processEnvironment())
    }

    /// Whether a store folder exists at `root` (a dry run does not create one).
    public static func exists(_ root: String) -> Bool {
        var st = stat()
        return stat(root, &st) == 0 && (st.st_mode & S_IFMT) == S_IFDIR
    }

    /// Opens (with `create`, creates) the store at `root`; `lockWait` seconds for a busy store lock.
    public init(root: String, create: Bool, lockWait: Double? = nil) throws {
        store = try DICOMStore(root: root, create: create)
        if let lockWait { store.lockWait = lockWait }
    }

    /// Seconds to wait for the store lock held by another process (`--wait`).
    public func setLockWait(_ seconds: Double) { store.lockWait = seconds }

    /// Cleans up after a run that was killed (its temporary folder, orphan files) when no other process
    /// uses the store; the line to print on stderr when something was recovered or recovery failed.
    public func reconcileIfIdle() -> String? {
        do {
            if let r = try store.reconcileIfIdle(), r.interrupted {
                return
                    "\(root): recovered an interrupted run: \(r.tmpRemoved) temporary, \(r.orphanFilesRemoved) orphan files and \(r.rowsWithoutFileRemoved) rows without file removed"
            }
            return nil
        } catch {
            return "\(root): cannot recover an interrupted run: \(error)"
        }
    }

    /// The stored instances of the given patients, studies or series (`export` takes their files).
    public func select(patients: [String] = [], studies: [String] = [], series: [String] = []) throws -> [StoredInstance] {
        try store.select(patients: patients, studies: studies, series: series)
    }

    /// The file of a stored instance.
    public func absolutePath(_ instance: StoredInstance) -> String { store.absolutePath(instance) }

    /// `store list`: the tree of the given patients, studies and series (all when none given).
    public func list(patients: [String], studies: [String], series: [String]) throws -> StoreListReport {
        StoreListReport(store: store, rows: try store.select(patients: patients, studies: studies, series: series))
    }

    /// `store show`: the instances of a study, series or SOP Instance UID, or Patient ID.
    public func show(_ uid: String) throws -> StoreListReport {
        StoreListReport(store: store, rows: try store.select(patients: [uid], studies: [uid], series: [uid], instances: [uid]))
    }

    /// `store conflicts`: each SOP Instance stored in several copies.
    public func conflicts() throws -> StoreConflictsReport {
        StoreConflictsReport(root: root, groups: try store.conflicts())
    }

    /// `store remove`: a study, series or instance, or one copy (`copy`: its SHA-256 or a unique prefix).
    public func remove(uid: String, copy: String?, dryRun: Bool) throws -> StoreRemovalReport {
        StoreRemovalReport(uid: uid, copy: copy, dryRun: dryRun, removal: try store.remove(uid: uid, copy: copy, dryRun: dryRun))
    }

    /// `store verify`: every file against its row, orphans, leftovers, the index's integrity.
    public func verify(progress: (@Sendable (Int, Int) -> Void)? = nil) throws -> StoreVerificationReport {
        StoreVerificationReport(root: root, verification: try store.verify(progress: progress))
    }

    /// `import`: the options of an import into the store at `root`. The store keeps its de-identification
    /// key, so the same original gets the same new UIDs in every import; de-identified or reconciled imports
    /// keep no original path, File ID or UID unless `provenance` asks. `transform(key)` builds the transforms.
    public static func importOptions(
        root: String, dryRun: Bool, deidentify: Bool, reconcile: Bool, provenance: ProvenanceMode?,
        transform: ([UInt8]?) throws -> (any InstanceTransform)?
    ) throws -> ImportOptions {
        var options = ImportOptions()
        options.dryRun = dryRun
        let key = deidentify ? try StoreImporter.deidentificationKey(storeRoot: root, create: !dryRun) : nil
        options.transform = try transform(key)
        options.provenance = provenance ?? (deidentify || reconcile ? .hash : .full)
        if options.provenance != .full { options.provenanceKey = try StoreImporter.deidentificationKey(storeRoot: root, create: !dryRun) }
        // Files per durability barrier; smaller values only for tests that kill imports between batches.
        if let b = StoreLocation.processEnvironment()["DICOM_MEDIA_IMPORT_BATCH"].flatMap(Int.init), b > 0 { options.batchSize = b }
        return options
    }

    /// `import`: plans the media and carries the plan into this store (nil: a dry run without a store).
    public static func importMedia(
        _ media: [any MediumReader], into store: LocalStore?, root: String, options: ImportOptions,
        progress: (@Sendable (Int, Int) -> Void)? = nil
    ) throws -> ImportReport {
        try StoreImporter.run(media: media, store: store?.store, storeRoot: root, options: options, progress: progress)
    }
}
