import DICOMCore

/// SplitMix64 (Steele, Lea, Flood 2014): small, fast, and good enough for synthetic data.
/// Everything the generator draws comes from one of these, seeded from `--seed`, so the
/// output is a pure function of (seed, count, modality, small).
struct SplitMix64 {
    var state: UInt64
    init(_ seed: UInt64) { state = seed }

    @inline(__always) mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        return SplitMix64.mix(state)
    }

    @inline(__always) static func mix(_ x: UInt64) -> UInt64 {
        var z = x
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// Uniform in `range` (the modulo bias is irrelevant here).
    mutating func int(_ range: ClosedRange<Int>) -> Int {
        range.lowerBound + Int(next() % UInt64(range.upperBound - range.lowerBound + 1))
    }
    /// Uniform in [0, 1).
    mutating func unit() -> Double { Double(next() >> 11) * (1.0 / 9_007_199_254_740_992.0) }
    mutating func double(_ lo: Double, _ hi: Double) -> Double { lo + (hi - lo) * unit() }
    mutating func chance(_ p: Double) -> Bool { unit() < p }
    mutating func pick<T>(_ items: [T]) -> T { items[int(0...(items.count - 1))] }

    /// An approximately normal deviate with standard deviation 1: the sum of four 16-bit
    /// uniforms from one 64-bit draw (Irwin–Hall, n = 4), centred and scaled.
    @inline(__always) mutating func gaussish() -> Float {
        let r = next()
        let s = Int32(r & 0xFFFF) + Int32(r >> 16 & 0xFFFF) + Int32(r >> 32 & 0xFFFF) + Int32(r >> 48)
        return Float(s - 131_070) * (1.0 / 37_837.0)
    }
}

/// Deterministic identifiers derived from the seed.
struct Identity {
    let seed: UInt64

    /// A 64-bit hash of the seed and `parts`.
    func hash(_ parts: [UInt64]) -> UInt64 {
        var h = SplitMix64.mix(seed ^ 0x5DEE_CE66_D1CE_5EED)
        for p in parts { h = SplitMix64.mix(h ^ SplitMix64.mix(p &+ 0x9E37_79B9_7F4A_7C15)) }
        return h
    }

    /// A 2.25 UID from 128 bits of hash (PS3.5 §B.2), e.g. uid(.study, 12).
    func uid(_ kind: UIDKind, _ parts: Int...) -> String {
        let base = [kind.rawValue] + parts.map { UInt64(bitPattern: Int64($0)) }
        let hi = hash(base + [1]), lo = hash(base + [2])
        var bytes = [UInt8]()
        bytes.reserveCapacity(16)
        for v in [hi, lo] { for k in (0..<8).reversed() { bytes.append(UInt8(truncatingIfNeeded: v >> (8 * UInt64(k)))) } }
        return UID.make(from: bytes)
    }

    enum UIDKind: UInt64 { case study = 1, series, instance, frameOfReference }
}
