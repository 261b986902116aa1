/// Which images (or frames) stand for a series: the first, the middle, the last, or N evenly spaced for a contact sheet.
public enum KeyImages {
    public enum Selection: Sendable, Equatable {
        case first
        case middle
        case last
        /// First, middle and last (fewer when the series has fewer images).
        case firstMiddleLast
        /// `n` images evenly spaced from the first to the last (all of them when there are at most `n`).
        case evenlySpaced(Int)
    }

    /// The middle index of `count` (the lower one of the two middles when `count` is even).
    public static func middle(_ count: Int) -> Int { max(0, (count - 1) / 2) }

    /// The 0-based indices, ascending and distinct, that `selection` picks from `count` images.
    public static func indices(count: Int, _ selection: Selection) -> [Int] {
        guard count > 0 else { return [] }
        switch selection {
        case .first: return [0]
        case .middle: return [middle(count)]
        case .last: return [count - 1]
        case .firstMiddleLast: return Array(Set([0, middle(count), count - 1])).sorted()
        case .evenlySpaced(let n):
            guard n > 1 else { return n == 1 ? [middle(count)] : [] }
            if n >= count { return Array(0..<count) }
            return (0..<n).map { Int((Double($0) * Double(count - 1) / Double(n - 1)).rounded()) }
        }
    }

    /// The images that `selection` picks, in their order.
    public static func select<T>(_ items: [T], _ selection: Selection) -> [T] { indices(count: items.count, selection).map { items[$0] } }
}
