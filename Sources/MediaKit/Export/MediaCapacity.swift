/// Removable media capacities and the split of a selection into volumes that each fit one medium
/// (PS3.12 §6: one File-set per medium, so each volume is a complete File-set).
public enum MediaCapacity {
    /// Bytes a blank medium holds (user data area, 2048-byte sectors): CD-R 80 min 360,000 sectors;
    /// DVD±R 2,295,104; DVD±R DL 4,171,712; BD-R 12,219,392; BD-R DL 24,438,784.
    public static let named: [(name: String, bytes: Int64)] = [
        ("cd", 360_000 * 2048), ("dvd", 2_295_104 * 2048), ("dvd-dl", 4_171_712 * 2048),
        ("bd", 12_219_392 * 2048), ("bd-dl", 24_438_784 * 2048),
    ]

    /// `cd|dvd|dvd-dl|bd|bd-dl|usb|SIZE` with SIZE in bytes or with a K/M/G suffix (powers of 1024).
    /// nil capacity for `usb` (no limit). Throws a message for anything else.
    public static func parse(_ s: String) throws -> Int64? {
        let lower = s.lowercased()
        if lower == "usb" { return nil }
        if let n = named.first(where: { $0.name == lower }) { return n.bytes }
        var digits = lower
        var unit: Int64 = 1
        if let last = digits.last, let u = ["k": Int64(1) << 10, "m": Int64(1) << 20, "g": Int64(1) << 30][String(last)] {
            unit = u; digits.removeLast()
        }
        guard !digits.isEmpty, digits.allSatisfy(\.isNumber), let v = Int64(digits), v > 0, v <= Int64.max / unit else {
            throw MediaError(.badArgument, "--media '\(s)': use cd, dvd, dvd-dl, bd, bd-dl, usb, or a size in bytes with an optional K, M or G suffix")
        }
        return v * unit
    }
}
