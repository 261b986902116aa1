/// The pure volume planner: which series go onto which medium.
public enum VolumePlanner {
    /// One series to place: its study and patient (for keeping studies together) and the sizes of its instances in order.
    public struct Series: Sendable, Equatable {
        public var patient: String
        public var study: String
        public var series: String
        public var instanceSizes: [Int64]
        public init(patient: String, study: String, series: String, instanceSizes: [Int64]) {
            self.patient = patient; self.study = study; self.series = series; self.instanceSizes = instanceSizes
        }
    }

    /// Conservative costs of the medium's structures, in bytes.
    public struct Costs: Sendable {
        /// Per volume: ISO 9660 system area, volume descriptors, path tables, root folders, DICOMDIR header, README/INDEX (≥ 1 MiB).
        public var perVolume: Int64 = 1 << 20
        /// Per instance on top of its size rounded up to a 2048-byte sector: its DICOMDIR record and its
        /// directory entries in the ISO 9660, Joliet and Rock Ridge trees (or a FAT cluster's slack).
        public var perInstance: Int64 = 2048 + 512
        /// Per series: the SERIES/STUDY/PATIENT records, folders, and web pages with a rendering when --web.
        public var perSeries: Int64 = 4096
        /// Sector or cluster size the file sizes are rounded up to.
        public var block: Int64 = 2048
        public init() {}
        public func instance(_ size: Int64) -> Int64 { (size + block - 1) / block * block + perInstance }
        public func series(_ s: Series) -> Int64 { s.instanceSizes.reduce(perSeries) { $0 + instance($1) } }
    }

    /// A placed piece: series `index` (into the input), instances `instances` of it (the whole series unless it was too big for any medium).
    public struct Piece: Sendable, Equatable {
        public var index: Int
        public var instances: Range<Int>
    }

    public struct Volume: Sendable, Equatable {
        public var pieces: [Piece] = []
        /// Estimated bytes used, structures included.
        public var used: Int64
    }

    public struct Plan: Sendable {
        public var volumes: [Volume]
        public var capacity: Int64
        /// Series that had to be divided because a whole series is larger than one medium.
        public var dividedSeries: [String]
    }

    /// An instance larger than one medium: it cannot be placed on any volume.
    public struct Oversize: Sendable, Equatable, CustomStringConvertible {
        public var series: String
        public var instance: Int
        public var size: Int64
        public var capacity: Int64
        public var description: String {
            "instance \(instance + 1) of series \(series) needs \(size) bytes on the medium, more than its capacity of \(capacity) bytes; it cannot be placed on any volume"
        }
    }

    /// The first instance that is larger than one medium with its series' and a volume's overheads, if any.
    public static func oversized(_ series: [Series], capacity: Int64, costs: Costs = Costs()) -> Oversize? {
        let room = capacity - costs.perVolume
        for s in series {
            for (k, size) in s.instanceSizes.enumerated() where costs.instance(size) + costs.perSeries > room {
                return Oversize(series: s.series, instance: k, size: costs.instance(size) + costs.perSeries + costs.perVolume, capacity: capacity)
            }
        }
        return nil
    }

    /// Splits `series` (in their display order) into volumes of at most `capacity` bytes.
    /// Studies are placed whole, first fit over the volumes opened so far; a study larger than a
    /// medium is placed series by series; a series larger than a medium (only then) is divided at
    /// instance boundaries, each part on a fresh volume. An instance larger than a medium throws.
    public static func plan(_ series: [Series], capacity: Int64, costs: Costs = Costs()) throws -> Plan {
        if let o = oversized(series, capacity: capacity, costs: costs) { throw MediaError(.refused, o.description) }
        let room = capacity - costs.perVolume
        var volumes: [Volume] = []
        var divided: [String] = []
        func place(_ pieces: [Piece], cost: Int64) {
            if let v = volumes.firstIndex(where: { $0.used + cost <= capacity }) {
                volumes[v].pieces += pieces; volumes[v].used += cost
            } else {
                volumes.append(Volume(pieces: pieces, used: costs.perVolume + cost))
            }
        }
        // Studies in input order: consecutive series of the same patient and study.
        var start = 0
        while start < series.count {
            var end = start + 1
            while end < series.count && series[end].patient == series[start].patient && series[end].study == series[start].study { end += 1 }
            let studyCost = series[start..<end].reduce(Int64(0)) { $0 + costs.series($1) }
            if studyCost <= room {
                place((start..<end).map { Piece(index: $0, instances: 0..<series[$0].instanceSizes.count) }, cost: studyCost)
            } else {
                for i in start..<end {
                    let c = costs.series(series[i])
                    if c <= room {
                        place([Piece(index: i, instances: 0..<series[i].instanceSizes.count)], cost: c)
                        continue
                    }
                    // Larger than a whole medium: consecutive parts, each filling a fresh volume.
                    divided.append(series[i].series)
                    var k = 0
                    while k < series[i].instanceSizes.count {
                        var cost = costs.perSeries, j = k
                        while j < series[i].instanceSizes.count && cost + costs.instance(series[i].instanceSizes[j]) <= room {
                            cost += costs.instance(series[i].instanceSizes[j]); j += 1
                        }
                        volumes.append(Volume(pieces: [Piece(index: i, instances: k..<j)], used: costs.perVolume + cost))
                        k = j
                    }
                }
            }
            start = end
        }
        // Each volume lists its pieces in input order, so its File-set reads like the selection.
        for v in volumes.indices { volumes[v].pieces.sort { ($0.index, $0.instances.lowerBound) < ($1.index, $1.instances.lowerBound) } }
        return Plan(volumes: volumes, capacity: capacity, dividedSeries: divided)
    }
}
