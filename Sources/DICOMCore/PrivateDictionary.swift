/// One entry of the private data dictionary: what a private creator's element is (PS3.5 §7.8.1).
public struct PrivateDictionaryEntry: Sendable, Equatable, CustomStringConvertible {
    /// The tag that was looked up.
    public let tag: Tag
    /// The Private Creator value of the block, e.g. "GEMS_ACQU_01".
    public let creator: String
    /// The first of `vrs`, or UN.
    public let vr: VR
    /// The allowed VRs ("OB or OW" is `[.OB, .OW]`).
    public let vrs: [VR]
    /// Value multiplicity: "1", "1-n", ...
    public let vm: String
    /// The element's name, or "" when the dictionary does not know it (pydicom's "Unknown").
    public let name: String
    /// The name as one CamelCase word of ASCII letters and digits ("Cell number at Theta" ->
    /// "CellNumberAtTheta"), for dumps; "PrivateTag" when there is no name.
    public var keyword: String {
        var k = ""
        for word in name.split(whereSeparator: { !(($0.isLetter || $0.isNumber) && $0.isASCII) }) {
            k += word.prefix(1).uppercased() + word.dropFirst()
        }
        return k.isEmpty ? "PrivateTag" : k
    }
    public var description: String { "\(tag) \(vrs.map(\.code).joined(separator: " or ")) \(vm) \(name) [\(creator)]" }
}

/// The private data dictionary generated from pydicom's (Tools/gen-private-dictionary.py): private
/// creator + element offset inside its block -> VR, VM, name (PS3.5 §7.8.1).
public enum PrivateDictionary {
    /// The entry for private data element `tag` in a block reserved by `creator` (the value of the
    /// Private Creator element (gggg,00bb) of the block bb = high byte of the element). Patterns are
    /// tried as pydicom does: the exact tag, then "ggggxxee" (any block), then "ggxxxxee" (repeating group).
    public static func entry(for tag: Tag, creator: String) -> PrivateDictionaryEntry? {
        guard tag.isPrivate, !tag.isPrivateCreator, tag.element > 0xFF else { return nil }
        let name = trimmed(creator)
        guard let block = tables.byCreator[name] else { return nil }
        let g = UInt64(tag.group), lo = UInt64(tag.element & 0xFF)
        for key in [UInt64(tag.rawValue), 1 << 32 | g << 8 | lo, 2 << 32 | (g >> 8) << 8 | lo] {
            if let row = block[key] {
                let r = tables.rows[Int(row)]
                return PrivateDictionaryEntry(tag: tag, creator: name, vr: r.vrs.first ?? .UN, vrs: r.vrs, vm: r.vm, name: r.name)
            }
        }
        return nil
    }

    /// The entry for private data element `tag` of `dataSet`, its creator read from the same data set.
    public static func entry(for tag: Tag, in dataSet: DataSet) -> PrivateDictionaryEntry? {
        guard tag.isPrivate, !tag.isPrivateCreator, tag.element > 0xFF,
              let creator = dataSet.string(Tag(tag.group, tag.element >> 8)) else { return nil }
        return entry(for: tag, creator: creator)
    }

    /// Number of private creators the dictionary knows.
    public static var creatorCount: Int { tables.byCreator.count }

    static func trimmed(_ s: String) -> String {
        var u = Substring(s)
        while let f = u.first, f == " " || f == "\0" { u = u.dropFirst() }
        while let l = u.last, l == " " || l == "\0" { u = u.dropLast() }
        return String(u)
    }

    // MARK: Table, parsed once, on first use

    static let tables = Tables(table)

    final class Tables: Sendable {
        struct Row: Sendable { let vrs: [VR], vm: String, name: String }
        let rows: [Row]
        /// creator -> (pattern key -> row): key = raw tag (exact), 1<<32|group<<8|ee ("ggggxxee"), 2<<32|gg<<8|ee ("ggxxxxee").
        let byCreator: [String: [UInt64: Int32]]

        init(_ table: String) {
            var rows: [Row] = []
            rows.reserveCapacity(10_600)
            var byCreator: [String: [UInt64: Int32]] = [:]
            var interned: [String: [VR]] = [:]
            var creator = ""
            var block: [UInt64: Int32] = [:]
            func flush() { if !creator.isEmpty { byCreator[creator] = block }; block = [:] }
            let bytes = Array(table.utf8)
            func text(_ s: ArraySlice<UInt8>) -> String { String(decoding: s, as: UTF8.self) }
            for line in bytes.split(separator: 0x0A) {
                if line.first == UInt8(ascii: "@") {
                    flush()
                    creator = text(line.dropFirst())
                    continue
                }
                let f = line.split(separator: 0x09, maxSplits: 3, omittingEmptySubsequences: false)
                guard f.count == 4, f[0].count == 8 else { continue }
                let p = Array(f[0])
                func hex(_ r: Range<Int>) -> UInt64 {
                    var v: UInt64 = 0
                    for c in p[r] { v = v << 4 | UInt64(c <= 0x39 ? c - 0x30 : c - 0x41 + 10) }
                    return v
                }
                let key: UInt64
                if p[2] == UInt8(ascii: "x") { key = 2 << 32 | hex(0..<2) << 8 | hex(6..<8) }
                else if p[4] == UInt8(ascii: "x") { key = 1 << 32 | hex(0..<4) << 8 | hex(6..<8) }
                else { key = hex(0..<8) }
                let vrText = text(f[1])
                let vrs: [VR]
                if let v = interned[vrText] { vrs = v } else {
                    vrs = vrText.split(separator: " ").compactMap { $0 == "or" ? nil : VR(String($0)) }
                    interned[vrText] = vrs
                }
                block[key] = Int32(rows.count)
                rows.append(Row(vrs: vrs, vm: text(f[2]), name: text(f[3])))
            }
            flush()
            self.rows = rows
            self.byCreator = byCreator
        }
    }
}
