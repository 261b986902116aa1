/// The text of a generated dictionary table: tab-separated lines in one string literal, which the
/// compiler keeps in the binary's read-only data. Fields are read in place, so a lookup parses
/// nothing and allocates nothing at start-up (the tables of offsets beside it are constant arrays).
struct DictionaryText: Sendable {
    let text: StaticString

    init(_ text: StaticString) { self.text = text }

    /// Field `n` (0-based, tab-separated) of the line that starts at byte `offset`.
    func field(_ n: Int, at offset: Int) -> UnsafeBufferPointer<UInt8> {
        let base = text.utf8Start, end = text.utf8CodeUnitCount
        var start = offset, i = offset, index = 0
        while i < end {
            let c = base[i]
            if c == 0x0A { break }
            if c == 0x09 {
                if index == n { break }
                index += 1
                start = i + 1
            }
            i += 1
        }
        guard index == n else { return UnsafeBufferPointer(start: base + offset, count: 0) }
        return UnsafeBufferPointer(start: base + start, count: i - start)
    }

    /// Field `n` of the line at `offset` as a String.
    func string(_ n: Int, at offset: Int) -> String {
        String(decoding: field(n, at: offset), as: UTF8.self)
    }

    /// Field `n` of the line at `offset` compared byte by byte with `key`: < 0, 0 or > 0.
    func compare(_ n: Int, at offset: Int, with key: UnsafeBufferPointer<UInt8>) -> Int {
        let f = field(n, at: offset)
        for i in 0..<min(f.count, key.count) where f[i] != key[i] {
            return Int(f[i]) - Int(key[i])
        }
        return f.count - key.count
    }

    /// VRs written as "US or SS" (empty for none).
    static func vrs(_ f: UnsafeBufferPointer<UInt8>) -> [VR] {
        var vrs: [VR] = [], i = 0
        while i + 1 < f.count {
            vrs.append(VR(bytes: f[i], f[i + 1]))
            i += 6  // "XX or "
        }
        return vrs
    }

    /// The first index in `0..<count` for which `isBelow` is false (binary search of a sorted table).
    static func lowerBound(_ count: Int, _ isBelow: (Int) -> Bool) -> Int {
        var lo = 0, hi = count
        while lo < hi {
            let mid = (lo + hi) / 2
            if isBelow(mid) { lo = mid + 1 } else { hi = mid }
        }
        return lo
    }

    /// The index of the line among `offsets` (sorted by field `n`) whose field `n` equals `key`.
    func find(_ key: String, field n: Int, in offsets: [UInt32]) -> Int? {
        var key = key
        return key.withUTF8 { k -> Int? in
            let i = Self.lowerBound(offsets.count) { compare(n, at: Int(offsets[$0]), with: k) < 0 }
            return i < offsets.count && compare(n, at: Int(offsets[i]), with: k) == 0 ? i : nil
        }
    }
}
