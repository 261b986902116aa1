import DICOMCore
import DICOMFileSet
import DICOMIO
import Foundation
import MediaImage

/// `create --media M`: the selection split into volumes that each fit one medium, each a complete File-set.
public struct VolumeSetReport: Sendable {
    public struct Volume: Sendable {
        public var output: String
        public var fileSetID: String
        public var series: Int
        public var instances: Int
        /// Estimated bytes on the medium (files rounded to sectors, DICOMDIR and filesystem structures).
        public var estimatedBytes: Int64
        public var report: FileSetReport
    }
    public var capacity: Int64?
    public var volumes: [Volume] = []
    public var dividedSeries: [String] = []
    public var dryRun = false

    /// Done in part (exit 1): a volume's inputs were refused or unreadable. A divided series is a warning.
    public var hasProblems: Bool { volumes.contains { $0.report.hasProblems } }
    public var hasWarnings: Bool { volumes.contains { $0.report.hasWarnings } || !dividedSeries.isEmpty }

    /// See ``FileSetReport/nameSources(_:)``.
    public mutating func nameSources(_ names: [String: String]) {
        for i in volumes.indices { volumes[i].report.nameSources(names) }
    }

    /// Every volume's diagnostics (prefixed with the volume when there are several) and divided series.
    public var diagnostics: [FileSetProblem] {
        volumes.flatMap { v in volumes.count > 1 ? v.report.diagnostics.map { p in var q = p; q.message = "volume \(v.output): " + q.message; return q } : v.report.diagnostics }
            + dividedSeries.map { FileSetProblem(.warning, .seriesDivided, "series \($0) is larger than one medium and was divided across volumes", rule: "PS3.12 volumes") }
    }

    public var text: String {
        var lines: [String] = []
        for (n, v) in volumes.enumerated() {
            lines.append(v.report.text)
            let fill = capacity.map { String(format: " of %lld (%.1f%% full)", $0, 100 * Double(v.estimatedBytes) / Double($0)) } ?? ""
            lines.append("volume \(n + 1)/\(volumes.count) \(v.output): File-set ID '\(v.fileSetID)', \(v.series) series, \(v.instances) instance(s), ~\(v.estimatedBytes) bytes\(fill)")
        }
        return lines.joined(separator: "\n")
    }

    public var json: JSON {
        .object([
            ("capacity", capacity.map { .int($0) } ?? .null), ("dryRun", .bool(dryRun)),
            ("dividedSeries", .array(dividedSeries.map { .string($0) })),
            ("volumes", .array(volumes.map { v in .object([
                ("output", .string(v.output)), ("fileSetID", .string(v.fileSetID)), ("series", .int(Int64(v.series))),
                ("instances", .int(Int64(v.instances))), ("estimatedBytes", .int(v.estimatedBytes)), ("report", v.report.json),
            ]) })),
        ])
    }
}

extension FileSetCreator {
    /// Plans volumes of at most `capacity` bytes (nil: one volume) and creates each as a folder
    /// (`out`, or `out_1`, `out_2`...) or, with `options.image`, an image (`FILE_1.iso`...).
    public static func createVolumes(out: String?, inputs: [String], capacity: Int64?, options: FileSetOptions,
                                     progress: (@Sendable (String, Int, Int) -> Void)? = nil) throws -> VolumeSetReport {
        guard let base = options.image?.path ?? out else { throw MediaError(.badArgument, "no output given") }
        let scan = try InstanceScanner.scan(inputs, keepHeaders: false, progress: progress.map { p in { @Sendable in p("reading", $0, $1) } })
        let instances = scan.instances.sorted { a, b in
            a.sortKey != b.sortKey ? a.sortKey.lexicographicallyPrecedes(b.sortKey) : a.path < b.path
        }
        // Series in display order, each with its instances.
        var series: [VolumePlanner.Series] = []
        var members: [[Int]] = []
        for (i, inst) in instances.enumerated() {
            let k = inst.sortKey
            if let last = series.last, last.patient == k[0], last.study == k[1], last.series == k[2] {
                series[series.count - 1].instanceSizes.append(Int64(inst.size)); members[members.count - 1].append(i)
            } else {
                series.append(.init(patient: k[0], study: k[1], series: k[2], instanceSizes: [Int64(inst.size)])); members.append([i])
            }
        }
        var costs = VolumePlanner.Costs()
        if options.pdi?.web == true { costs.perSeries += 128 << 10 }
        if options.icons { costs.perInstance += 16 << 10 }
        let plan: VolumePlanner.Plan
        do { plan = try VolumePlanner.plan(series, capacity: capacity ?? Int64.max / 4, costs: costs) } catch let e as VolumePlanner.TooLarge {
            let path = members[series.firstIndex { $0.series == e.series } ?? 0].dropFirst(e.instance).first.map { instances[$0].path }
            throw MediaError(.refused, e.description, path: path, cause: e)
        }
        var result = VolumeSetReport(capacity: capacity, dividedSeries: plan.dividedSeries, dryRun: options.dryRun)
        let many = plan.volumes.count > 1
        let baseID = options.fileSetID ?? ((options.image != nil || many) ? "DICOM\(options.exportDate)" : nil)
        // No instance at all: one empty volume, so the run reports "nothing written" like create does.
        for (n, volume) in (plan.volumes.isEmpty ? [VolumePlanner.Volume(used: 0)] : plan.volumes).enumerated() {
            var o = options
            var sub = SourceScan()
            if n == 0 { sub.notDICOM = scan.notDICOM; sub.unreadable = scan.unreadable; sub.problems = scan.problems }
            for p in volume.pieces { for k in p.instances { sub.instances.append(instances[members[p.index][k]]) } }
            var output = base
            if many {
                let suffix = "_\(n + 1)"
                o.fileSetID = baseID.map { String($0.prefix(16 - suffix.count)) + suffix }
                if let v = o.image?.volumeID { o.image?.volumeID = String(v.prefix(32 - suffix.count)) + suffix }
                output = numbered(base, suffix, image: options.image != nil)
                o.image?.path = output
            } else {
                o.fileSetID = baseID
            }
            let report: FileSetReport
            if o.image != nil {
                report = try createImage(scan: sub, options: o, progress: progress, at: output)
            } else {
                var root = output
                while root.count > 1 && root.hasSuffix("/") { root.removeLast() }
                if Medium(root: root).path(FileID(["DICOMDIR"])) != nil {
                    throw MediaError(.refused, "already holds a File-set (DICOMDIR); volumes are written only to new folders", path: root)
                }
                if isRegularFile(root) { throw MediaError(.refused, "is a file; the output of create is a folder", path: root) }
                var r = FileSetReport(operation: "create", root: root)
                r.dryRun = o.dryRun
                let existed = FileManager.default.fileExists(atPath: root)
                let lock = o.dryRun ? nil : try FileSetLock.acquire(root: root, wait: o.lockWait, createRoot: true)
                defer { lock?.release() }
                if try Medium(root: root).path(FileID(["DICOMDIR"])) != nil || FileSetTransaction.pending(in: root) != nil {
                    throw MediaError(.refused, "already holds a File-set (DICOMDIR); volumes are written only to new folders", path: root)
                }
                let occupancy = MediumOccupancy.scan(root: root, fileSet: nil)  // stray names are planned around
                let plan = try FileSetPlanner.plan(into: FileSet(fileSetID: o.fileSetID ?? ""), root: root, scan: sub, existingIDs: occupancy.files,
                                                   options: o, report: r, keepStaged: !o.dryRun, occupancy: occupancy)
                report = try carryOut(plan, progress: progress)
                if report.nothingWritten && !existed { rmdir(root) }
            }
            result.volumes.append(.init(output: output, fileSetID: report.fileSetID, series: Set(volume.pieces.map(\.index)).count,
                                        instances: sub.instances.count, estimatedBytes: volume.used, report: report))
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
}
