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
/// creator + element offset inside its block -> VR, VM, name (PS3.5 §7.8.1). The tables are constant
/// data (Generated/PrivateDataDictionary.swift): nothing is parsed at start-up.
public enum PrivateDictionary {
    /// The entry for private data element `tag` in a block reserved by `creator` (the value of the
    /// Private Creator element (gggg,00bb) of the block bb = high byte of the element). Patterns are
    /// tried as pydicom does: the exact tag, then "ggggxxee" (any block), then "ggxxxxee" (repeating group).
    public static func entry(for tag: Tag, creator: String) -> PrivateDictionaryEntry? {
        guard tag.isPrivate, !tag.isPrivateCreator, tag.element > 0xFF else { return nil }
        let name = trimmed(creator)
        guard let c = text.find(name, field: 0, in: creatorLines) else { return nil }
        let first = Int(creatorRows[c]), end = Int(creatorRows[c + 1])
        let g = UInt64(tag.group), lo = UInt64(tag.element & 0xFF)
        for key in [UInt64(tag.rawValue), 1 << 32 | g << 8 | lo, 2 << 32 | (g >> 8) << 8 | lo] {
            let i = first + DictionaryText.lowerBound(end - first) { rowKeys[first + $0] < key }
            guard i < end, rowKeys[i] == key else { continue }
            let line = Int(rowLines[i])
            let vrs = DictionaryText.vrs(text.field(1, at: line))
            return PrivateDictionaryEntry(
                tag: tag, creator: name, vr: vrs.first ?? .UN, vrs: vrs,
                vm: text.string(2, at: line), name: text.string(3, at: line))
        }
        return nil
    }

    /// The entry for private data element `tag` of `dataSet`, its creator read from the same data set.
    public static func entry(for tag: Tag, in dataSet: DataSet) -> PrivateDictionaryEntry? {
        guard tag.isPrivate, !tag.isPrivateCreator, tag.element > 0xFF,
            let creator = dataSet.string(Tag(tag.group, tag.element >> 8))
        else { return nil }
        return entry(for: tag, creator: creator)
    }

    /// Number of private creators the dictionary knows.
    public static var creatorCount: Int { creatorLines.count }

    static func trimmed(_ s: String) -> String {
        var u = Substring(s)
        while let f = u.first, f == " " || f == "\0" { u = u.dropFirst() }
        while let l = u.last, l == " " || l == "\0" { u = u.dropLast() }
        return String(u)
    }
}
