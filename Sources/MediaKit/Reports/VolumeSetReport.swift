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
        volumes.flatMap { v in
            volumes.count > 1
                ? v.report.diagnostics.map { p in
                    var q = p; q.message = "volume \(v.output): " + q.message; return q
                } : v.report.diagnostics
        }
            + dividedSeries.map {
                FileSetProblem(.warning, .seriesDivided, "series \($0) is larger than one medium and was divided across volumes", rule: "PS3.12 volumes")
            }
    }

    public var text: String {
        var lines: [String] = []
        for (n, v) in volumes.enumerated() {
            lines.append(v.report.text)
            let fill = capacity.map { String(format: " of %lld (%.1f%% full)", $0, 100 * Double(v.estimatedBytes) / Double($0)) } ?? ""
            lines.append(
                "volume \(n + 1)/\(volumes.count) \(v.output): File-set ID '\(v.fileSetID)', \(v.series) series, \(v.instances) instance(s), ~\(v.estimatedBytes) bytes\(fill)"
            )
        }
        return lines.joined(separator: "\n")
    }

    public var json: JSON {
        .object([
            ("capacity", capacity.map { .int($0) } ?? .null), ("dryRun", .bool(dryRun)),
            ("dividedSeries", .array(dividedSeries.map { .string($0) })),
            (
                "volumes",
                .array(
                    volumes.map { v in
                        .object([
                            ("output", .string(v.output)), ("fileSetID", .string(v.fileSetID)), ("series", .int(Int64(v.series))),
                            ("instances", .int(Int64(v.instances))), ("estimatedBytes", .int(v.estimatedBytes)), ("report", v.report.json),
                        ])
                    })
            ),
        ])
    }
}
