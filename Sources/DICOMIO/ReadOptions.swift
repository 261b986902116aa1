import DICOMCore
import Foundation
import Synchronization

/// How to read a Part 10 file.
public struct ReadOptions: Sendable {
    /// Stop before (7FE0,0010) Pixel Data at the top level without reading it (header-only read).
    public var stopBeforePixelData: Bool
    /// Stop before the first top-level element whose tag is at least this one (a partial header).
    public var stopBefore: Tag?
    /// Deepest nesting of sequences accepted (guards against hostile input).
    public var maxDepth: Int
    /// Most bytes a Deflated data set may inflate to (PS3.5 §A.5); nil: the smaller of 256x the
    /// compressed size and 4 GiB. Beyond it the read fails with `too-large` instead of filling memory.
    public var maxInflated: Int?
    /// Most sequence items kept from one file (guards against item bombs; a DICOMDIR of 100,000 records is far below).
    public var maxItems: Int
    /// In each item of this sequence keep only these elements, as each item is read (a DICOMDIR read for its file
    /// references: the records are never held whole); nil keeps everything.
    public var itemElements: (sequence: Tag, kept: Set<Tag>)?
    /// Each item of this top-level sequence is handed to `take` as soon as it is read (after ``itemElements``)
    /// instead of being kept: the sequence is left empty, so a DICOMDIR's records never exist all as items at once.
    public var itemSink: ItemSink?
    public init(
        stopBeforePixelData: Bool = false, stopBefore: Tag? = nil, maxDepth: Int = 64,
        maxInflated: Int? = ReadOptions.defaultMaxInflated, maxItems: Int = 1_000_000
    ) {
        self.stopBeforePixelData = stopBeforePixelData; self.stopBefore = stopBefore; self.maxDepth = maxDepth
        self.maxInflated = maxInflated; self.maxItems = maxItems
    }
    public static var headerOnly: ReadOptions { ReadOptions(stopBeforePixelData: true) }
    /// The process-wide inflate limit the command line sets once (`--max-inflated SIZE`); nil: the default.
    public static var defaultMaxInflated: Int? {
        get { processMaxInflated.withLock { $0 } }
        set { processMaxInflated.withLock { $0 = newValue } }
    }
    private static let processMaxInflated = Mutex<Int?>(nil)
    /// The inflate limit for a deflated data set of `compressed` bytes.
    public func inflateLimit(compressed: Int) -> Int {
        if let m = maxInflated { return max(m, 0) }
        let (times, overflow) = compressed.multipliedReportingOverflow(by: 256)
        return min(overflow ? Int.max : times, 4 << 30)
    }
    /// Parses a size such as 4096, 64K, 512M, 4G (powers of 1024); nil when it is not one.
    public static func parseSize(_ text: String) -> Int? {
        var t = text.trimmingCharacters(in: .whitespaces).uppercased()
        if t.hasSuffix("IB") { t.removeLast(2) } else if t.hasSuffix("B") && t.count > 1 && !t.dropLast().allSatisfy(\.isNumber) { t.removeLast() }
        var shift = 0
        switch t.last {
        case "K": shift = 10
        case "M": shift = 20
        case "G": shift = 30
        case "T": shift = 40
        default: break
        }
        if shift > 0 { t.removeLast() }
        guard !t.isEmpty, t.allSatisfy(\.isNumber), let n = Int(t), n >= 0 else { return nil }
        let (v, o) = n.multipliedReportingOverflow(by: 1 << shift)
        return o ? nil : v
    }
}

/// Where a parser hands the items of one top-level sequence as it reads them (``ReadOptions/itemSink``).
/// `begin` runs at each top-level element with that tag: a data set may hold it twice, and the last one is kept.
public struct ItemSink: Sendable {
    public var sequence: Tag
    public var begin: @Sendable () -> Void
    public var take: @Sendable (DataSet) -> Void
    public init(sequence: Tag, begin: @escaping @Sendable () -> Void = {}, take: @escaping @Sendable (DataSet) -> Void) {
        self.sequence = sequence
        self.begin = begin
        self.take = take
    }
}
