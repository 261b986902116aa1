import DICOMCore
import DICOMFileSet
import DICOMIO
import Foundation
import MediaImage
import FileSystem

extension FileSetCreator {
    /// Plans volumes of at most `capacity` bytes (nil: one volume) and creates each as a folder
    /// (`out`, or `out_1`, `out_2`...) or, with `options.image`, an image (`FILE_1.iso`...).
    public static func createVolumes(
        out: String?, inputs: [String], capacity: Int64?, options: FileSetOptions,
        progress: (@Sendable (String, Int, Int) -> Void)? = nil
    ) throws -> VolumeSetReport {
        guard let base = options.image?.path ?? out else { throw MediaError(.badArgument, "no output given") }
        var scan = try InstanceScanner.scan(inputs, keepHeaders: false, progress: progress.map { p in { @Sendable in p("reading", $0, $1) } })
        // Put in medium order: the rows are, the bytes of the paths and UIDs are shared, not copied.
        var instances = scan.instances.reordered(scan.instances.mediumOrder())
        scan.instances = SourceInstances()
        // Series in display order, each with its instances.
        var series: [VolumePlanner.Series] = []
        var members: [[Int]] = []
        for i in instances.indices {
            let k = instances.sortKey(at: i), size = Int64(instances.size(at: i))
            if let last = series.last, last.patient == k.patientID, last.study == k.studyInstanceUID, last.series == k.seriesInstanceUID {
                series[series.count - 1].instanceSizes.append(size); members[members.count - 1].append(i)
            } else {
                series.append(.init(patient: k.patientID, study: k.studyInstanceUID, series: k.seriesInstanceUID, instanceSizes: [size]))
                members.append([i])
            }
        }
        var costs = VolumePlanner.Costs()
        if options.pdi?.web == true { costs.perSeries += 128 << 10 }
        if options.icons { costs.perInstance += 16 << 10 }
        let plan: VolumePlanner.Plan
        if let o = VolumePlanner.oversized(series, capacity: capacity ?? Int64.max / 4, costs: costs) {
            let path = members[series.firstIndex { $0.series == o.series } ?? 0].dropFirst(o.instance).first.map { instances.path(at: $0) }
            throw MediaError(.refused, o.description, path: path)
        }
        plan = try VolumePlanner.plan(series, capacity: capacity ?? Int64.max / 4, costs: costs)
        var result = VolumeSetReport(capacity: capacity, dividedSeries: plan.dividedSeries, dryRun: options.dryRun)
        let many = plan.volumes.count > 1
        // Labels and inserts are never overwritten: one already there stops the run before any volume is written.
        for n in 0..<max(1, plan.volumes.count) where !options.dryRun {
            for path in [options.pdi?.label, options.pdi?.insert].compactMap({ $0 }) {
                let named = many ? numbered(path, "_\(n + 1)", image: true) : path
                if FileManager.default.fileExists(atPath: named) { throw MediaError(.refused, "already exists; it is never overwritten", path: named) }
            }
        }
        let baseID = options.fileSetID ?? ((options.image != nil || many) ? "DICOM\(options.exportDate)" : nil)
        // No instance at all: one empty volume, so the run reports "nothing written" like create does.
        let volumes = plan.volumes.isEmpty ? [VolumePlanner.Volume(used: 0)] : plan.volumes
        for (n, volume) in volumes.enumerated() {
            var o = options
            var sub = SourceScan()
            if n == 0 { sub.notDICOM = scan.notDICOM; sub.unreadable = scan.unreadable; sub.problems = scan.problems }
            // A volume of every instance in order (one disc) shares the instances; another gets rows of its own.
            let picked = volume.pieces.flatMap { p in p.instances.map { members[p.index][$0] } }
            sub.instances = picked.elementsEqual(instances.indices) ? instances : instances.reordered(picked)
            // The last volume's plan holds the only copy of its instances (and lets their order keys go).
            if n == volumes.count - 1 { instances = SourceInstances() }
            let instanceCount = sub.instances.count
            let volumeScan = sub
            sub = SourceScan()  // the volume's plan is the only holder of its scan
            var output = base
            o.pdi?.discNumber = n + 1
            o.pdi?.discCount = max(1, plan.volumes.count)
            if many {
                let suffix = "_\(n + 1)"
                if var p = o.pdi {
                    p.label = p.label.map { numbered($0, suffix, image: true) }
                    p.insert = p.insert.map { numbered($0, suffix, image: true) }
                    o.pdi = p
                }
                o.fileSetID = baseID.map { String($0.prefix(16 - suffix.count)) + suffix }
                if let v = o.image?.volumeID { o.image?.volumeID = String(v.prefix(32 - suffix.count)) + suffix }
                output = numbered(base, suffix, image: options.image != nil)
                o.image?.path = output
            } else {
                o.fileSetID = baseID
            }
            let report: FileSetReport
            if o.image != nil {
                report = try createImage(scan: consume volumeScan, options: o, progress: progress, at: output)
            } else {
                var root = output
                while root.count > 1 && root.hasSuffix("/") { root.removeLast() }
                if Medium(root: root).path(FileID(["DICOMDIR"])) != nil {
                    throw MediaError(.refused, "already holds a File-set (DICOMDIR); volumes are written only to new folders", path: root)
                }
                if isRegularFile(root) { throw MediaError(.refused, "is a file; the output of create is a folder", path: root) }
                var r = FileSetReport(operation: "create", root: root)
                r.dryRun = o.dryRun
                let existed = fileExists(root)
                let lock = o.dryRun ? nil : try FileSetLock.acquire(root: root, wait: o.lockWait, createRoot: true)
                defer { lock?.release() }
                if try Medium(root: root).path(FileID(["DICOMDIR"])) != nil || FileSetTransaction.pending(in: root) != nil {
                    throw MediaError(.refused, "already holds a File-set (DICOMDIR); volumes are written only to new folders", path: root)
                }
                let occupancy = MediumOccupancy.scan(root: root, fileSet: nil)  // stray names are planned around
                let plan = try FileSetPlanner.plan(
                    into: FileSet(fileSetID: o.fileSetID ?? ""), root: root, scan: consume volumeScan, existingIDs: occupancy.files,
                    options: o, report: r, occupancy: occupancy)
                report = try carryOut(plan, progress: progress)
                if report.nothingWritten && !existed { rmdir(root) }
            }
            result.volumes.append(
                .init(
                    output: output, fileSetID: report.fileSetID, series: Set(volume.pieces.map(\.index)).count,
                    instances: instanceCount, estimatedBytes: volume.used, report: report))
        }
        return result
    }

    /// `OUT` -> `OUT_1`; `disc.iso` -> `disc_1.iso`.
    static func numbered(_ path: String, _ suffix: String, image: Bool) -> String {
        var p = path
        while p.count > 1 && p.hasSuffix("/") { p.removeLast() }
        if image, let dot = p.lastIndex(of: "."), !p[dot...].contains("/") { return String(p[..<dot]) + suffix + String(p[dot...]) }
        return p + suffix
    }

    /// A new File-set written straight into an ISO 9660 image (`create --iso`, through `createVolumes`).
    static func createImage(scan: consuming SourceScan, options: FileSetOptions, progress: (@Sendable (String, Int, Int) -> Void)?, at path: String) throws
        -> FileSetReport
    {
        if isDirectory(path) { throw MediaError(.refused, "is a folder; --iso names the image file to write", path: path) }
        if isRegularFile(path) && !options.dryRun { throw MediaError(.refused, "already exists; it is never overwritten", path: path) }
        var report = FileSetReport(operation: "create", root: path)
        report.dryRun = options.dryRun
        if let v = options.image?.volumeID, let why = ISOWriter.volumeIDProblem(v) { throw MediaError(.badArgument, "--volume-id '\(v)' \(why)") }
        // One writer per image; its staging folder and partial image live in the private tool folder beside it.
        let lock = options.dryRun ? nil : try FileSetLock.acquire(image: path, wait: options.lockWait)
        defer { lock?.release() }
        if isRegularFile(path) && !options.dryRun { throw MediaError(.refused, "already exists; it is never overwritten", path: path) }
        let plan = try FileSetPlanner.plan(
            into: FileSet(fileSetID: options.fileSetID ?? ""), root: path, scan: consume scan, existingIDs: [],
            options: options, report: report)
        return try carryOut(plan, progress: progress)
    }
}
