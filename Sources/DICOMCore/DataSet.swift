/// An ordered collection of data elements, sorted by tag (PS3.5 §7.1).
///
/// Sequence items are data sets too; each carries the Specific Character Set in force
/// for it (its own (0008,0005) or its parent's) (PS3.5 §7.5.1).
public struct DataSet: Sendable, Equatable, Sequence {
    public private(set) var elements: [DataElement] = []
    /// The character set used to decode and encode text values (PS3.5 §6.1.2.5).
    public var characterSet: SpecificCharacterSet = .default
    /// File offset of the item tag when this data set is a sequence item read from a file, else -1
    /// (DICOMDIR record offsets point at item tags, PS3.3 §F.3.2.1).
    public var itemOffset: Int = -1

    public init() {}
    public init(_ elements: [DataElement], characterSet: SpecificCharacterSet = .default) {
        self.elements = elements.sorted { $0.tag < $1.tag }
        self.characterSet = characterSet
    }

    public static func == (a: DataSet, b: DataSet) -> Bool { a.elements == b.elements }
    public func makeIterator() -> IndexingIterator<[DataElement]> { elements.makeIterator() }
    public var count: Int { elements.count }
    public var isEmpty: Bool { elements.isEmpty }

    private func index(of tag: Tag) -> (found: Bool, index: Int) {
        var lo = 0, hi = elements.count
        // Fast path: appending in order.
        if let last = elements.last, last.tag < tag { return (false, elements.count) }
        while lo < hi {
            let mid = (lo + hi) / 2
            let t = elements[mid].tag
            if t == tag { return (true, mid) }
            if t < tag { lo = mid + 1 } else { hi = mid }
        }
        return (false, lo)
    }

    public subscript(tag: Tag) -> DataElement? {
        let (found, i) = index(of: tag)
        return found ? elements[i] : nil
    }
    public func contains(_ tag: Tag) -> Bool { index(of: tag).found }

    /// Inserts or replaces the element with the same tag, keeping tag order.
    public mutating func set(_ element: DataElement) {
        let (found, i) = index(of: element.tag)
        if found { elements[i] = element } else { elements.insert(element, at: i) }
    }
    /// Appends an element read from a stream; the caller guarantees nothing about order,
    /// so out-of-order tags are inserted in place (and repeated tags replace, last wins).
    public mutating func append(_ element: DataElement) { set(element) }

    /// Appends without keeping tag order (for readers); call ``restoreOrder()`` afterwards.
    public mutating func appendUnordered(_ element: DataElement) { elements.append(element) }

    /// Sorts by tag (stable) and drops earlier duplicates, last one wins; returns the duplicated tags.
    @discardableResult
    public mutating func restoreOrder() -> [Tag] {
        let sorted = elements.enumerated().sorted { $0.element.tag != $1.element.tag ? $0.element.tag < $1.element.tag : $0.offset < $1.offset }
        var out: [DataElement] = []
        out.reserveCapacity(sorted.count)
        var dups: [Tag] = []
        for (_, e) in sorted {
            if let last = out.last, last.tag == e.tag { out[out.count - 1] = e; dups.append(e.tag) } else { out.append(e) }
        }
        elements = out
        return dups
    }

    @discardableResult
    public mutating func remove(_ tag: Tag) -> DataElement? {
        let (found, i) = index(of: tag)
        return found ? elements.remove(at: i) : nil
    }
    public mutating func removeAll(where predicate: (DataElement) -> Bool) { elements.removeAll(where: predicate) }

    /// Holds the elements in a buffer of exactly their count plus `extra` (a data set kept for a whole run, such
    /// as a directory record of a plan, carries no room left over from being built element by element).
    public mutating func compact(reserving extra: Int = 0) {
        if elements.capacity == elements.count + extra { return }
        var e: [DataElement] = []
        e.reserveCapacity(elements.count + extra)
        e.append(contentsOf: elements)
        elements = e
    }

    /// Gives each byte value to `body`, which may replace it with an equal array held elsewhere (one shared copy).
    public mutating func shareValues(_ body: (inout [UInt8]) -> Void) {
        for i in elements.indices {
            guard case .bytes(var b) = elements[i].value else { continue }
            body(&b)
            elements[i].value = .bytes(b)
        }
    }

    /// Elements of one group.
    public func group(_ g: UInt16) -> [DataElement] { elements.filter { $0.tag.group == g } }
}

// MARK: - Typed accessors (PS3.5 §6.2)

extension DataSet {
    /// The text of a string element decoded with the character set, padding removed, values
    /// not split. Nil when absent or not bytes.
    public func text(_ tag: Tag) -> String? {
        guard let e = self[tag], let b = e.bytes else { return nil }
        return decodeText(b, vr: e.vr).trimmingTrailingPadding()
    }

    func decodeText(_ b: [UInt8], vr: VR) -> String {
        if vr.usesSpecificCharacterSet { return characterSet.decode(b, vr: vr) }
        return String(decoding: b, as: UTF8.self)
    }

    /// All values of a string element, split at backslashes (except LT/ST/UT/UR), padding
    /// trimmed as PS3.5 §6.2 allows for the VR.
    public func strings(_ tag: Tag) -> [String]? {
        guard let e = self[tag], let b = e.bytes else { return nil }
        return DataSet.splitValues(decodeText(b, vr: e.vr), vr: e.vr)
    }

    public static func splitValues(_ s: String, vr: VR) -> [String] {
        if s.isEmpty { return [] }
        // Fast paths: one value (no backslash byte at all); ASCII split on its bytes.
        if vr.isSingleValuedText || !s.utf8.contains(UInt8(ascii: "\\")) { return [trim(s, vr: vr)] }
        if let parts = splitASCII(s, vr: vr) { return parts }
        let parts: [Substring] = vr.isSingleValuedText ? [Substring(s)] : s.split(separator: "\\", omittingEmptySubsequences: false)
        return parts.map { trim(String($0), vr: vr) }
    }

    static func trim(_ s: String, vr: VR) -> String {
        if let t = trimASCII(s, vr: vr) { return t }
        var scalars = Substring(s)
        let isPad: (Character) -> Bool = { $0 == " " || $0 == "\0" }
        // One backward scan: a `dropLast()` loop recounts the string on every step (quadratic; a
        // value of 20,000 NULs took seconds).
        scalars = scalars[..<(scalars.lastIndex(where: { !isPad($0) }).map(scalars.index(after:)) ?? scalars.startIndex)]
        // Leading spaces are insignificant except in LT/ST/UT/UR (PS3.5 Table 6.2-1).
        if !vr.isSingleValuedText && vr != .PN {
            while let f = scalars.first, f == " " { scalars = scalars.dropFirst() }
        }
        return String(scalars)
    }

    /// `trim` of an ASCII string on its bytes (each byte a character, so the same result); nil when not ASCII.
    static func trimASCII(_ s: String, vr: VR) -> String? {
        var s = s
        return s.withUTF8 { u -> String? in
            for b in u where b >= 0x80 { return nil }
            return trimmed(u, 0, u.count, vr: vr)
        }
    }

    /// `splitValues` of an ASCII string on its bytes (no character spans a backslash); nil when not ASCII.
    static func splitASCII(_ s: String, vr: VR) -> [String]? {
        var s = s
        return s.withUTF8 { u -> [String]? in
            for b in u where b >= 0x80 { return nil }
            var out: [String] = []
            var start = 0
            for i in 0..<u.count where u[i] == UInt8(ascii: "\\") {
                out.append(trimmed(u, start, i, vr: vr))
                start = i + 1
            }
            out.append(trimmed(u, start, u.count, vr: vr))
            return out
        }
    }

    /// The ASCII bytes `lo..<hi` of `u` without trailing spaces and NULs, and leading spaces where `trim` drops them.
    private static func trimmed(_ u: UnsafeBufferPointer<UInt8>, _ lo: Int, _ hi: Int, vr: VR) -> String {
        var lo = lo, hi = hi
        while hi > lo && (u[hi - 1] == 0x20 || u[hi - 1] == 0) { hi -= 1 }
        if !vr.isSingleValuedText && vr != .PN { while lo < hi && u[lo] == 0x20 { lo += 1 } }
        return String(decoding: UnsafeBufferPointer(rebasing: u[lo..<hi]), as: UTF8.self)
    }

    /// The first value of a string element.
    public func string(_ tag: Tag) -> String? {
        guard let e = self[tag], let b = e.bytes else { return nil }
        return DataSet.firstASCIIValue(b, vr: e.vr) ?? DataSet.splitValues(decodeText(b, vr: e.vr), vr: e.vr).first
    }

    /// `splitValues(decoded, vr).first` without decoding or splitting the whole value, for a value of ASCII
    /// bytes without ESC (which every character set decodes to itself); nil for any other value.
    static func firstASCIIValue(_ b: [UInt8], vr: VR) -> String? {
        guard !b.isEmpty else { return nil }
        let single = vr.isSingleValuedText
        var end = b.count
        for (i, c) in b.enumerated() {
            if c >= 0x80 || c == 0x1B { return nil }
            if c == 0x5C && !single && end == b.count { end = i }
        }
        var lo = 0, hi = end
        while hi > lo && (b[hi - 1] == 0x20 || b[hi - 1] == 0) { hi -= 1 }
        if !single && vr != .PN { while lo < hi && b[lo] == 0x20 { lo += 1 } }
        return String(decoding: b[lo..<hi], as: UTF8.self)
    }

    /// Integer values of US, SS, UL, SL, UV, SV, IS and AT elements.
    public func integers(_ tag: Tag) -> [Int64]? {
        guard let e = self[tag], let b = e.bytes else { return nil }
        return DataSet.integers(b, vr: e.vr)
    }
    public static func integers(_ b: [UInt8], vr: VR) -> [Int64]? {
        switch vr {
        case .US: return stride(b, 2).map { Int64(UInt16(b[$0]) | UInt16(b[$0 + 1]) << 8) }
        case .SS: return stride(b, 2).map { Int64(Int16(bitPattern: UInt16(b[$0]) | UInt16(b[$0 + 1]) << 8)) }
        case .UL, .OL: return stride(b, 4).map { Int64(le32(b, $0)) }
        case .SL: return stride(b, 4).map { Int64(Int32(bitPattern: le32(b, $0))) }
        case .AT: return stride(b, 4).map { Int64(UInt32(le16(b, $0)) << 16 | UInt32(le16(b, $0 + 2))) }
        case .UV, .OV: return stride(b, 8).map { Int64(bitPattern: le64(b, $0)) }
        case .SV: return stride(b, 8).map { Int64(bitPattern: le64(b, $0)) }
        case .IS:
            let s = String(decoding: b, as: UTF8.self)
            return splitValues(s, vr: .IS).compactMap { v in
                let t = v.trimmingSpaces()
                if let i = Int64(t) { return i }
                // Int64(exactly:): "inf", "1e300" and the like are whole Doubles out of Int64's range.
                if let d = Double(t), let i = Int64(exactly: d) { return i }
                return nil
            }
        default: return nil
        }
    }
    public func integer(_ tag: Tag) -> Int? { integers(tag)?.first.map { Int($0) } }

    /// Floating-point values of FL, FD, OF, OD and DS elements.
    public func doubles(_ tag: Tag) -> [Double]? {
        guard let e = self[tag], let b = e.bytes else { return nil }
        return DataSet.doubles(b, vr: e.vr)
    }
    public static func doubles(_ b: [UInt8], vr: VR) -> [Double]? {
        switch vr {
        case .FL, .OF: return stride(b, 4).map { Double(Float(bitPattern: le32(b, $0))) }
        case .FD, .OD: return stride(b, 8).map { Double(bitPattern: le64(b, $0)) }
        case .DS:
            return splitValues(String(decoding: b, as: UTF8.self), vr: .DS).compactMap { Double($0.trimmingSpaces()) }
        default: return nil
        }
    }

    /// Person Name values with their three component groups (PS3.5 §6.2.1).
    public func personNames(_ tag: Tag) -> [PersonName]? {
        guard let e = self[tag], let b = e.bytes else { return nil }
        return characterSet.decodePersonName(b).map { PersonName(groups: $0) }
    }
    public func date(_ tag: Tag) -> DICOMDate? { string(tag).flatMap(DICOMDate.init) }
    public func time(_ tag: Tag) -> DICOMTime? { string(tag).flatMap(DICOMTime.init) }
    public func dateTime(_ tag: Tag) -> DICOMDateTime? { string(tag).flatMap(DICOMDateTime.init) }

    // MARK: Setters

    /// Sets a string element, encoding with the character set and padding to even length.
    public mutating func setString(_ tag: Tag, _ vr: VR, _ values: [String]) {
        let joined = values.joined(separator: "\\")
        var b = vr.usesSpecificCharacterSet ? characterSet.encode(joined, vr: vr) : Array(joined.utf8)
        if b.count & 1 == 1 { b.append(vr.paddingByte) }
        set(DataElement(tag: tag, vr: vr, bytes: b))
    }
    public mutating func setString(_ tag: Tag, _ vr: VR, _ value: String) { setString(tag, vr, [value]) }
    public mutating func setUInt16(_ tag: Tag, _ values: [UInt16], vr: VR = .US) {
        set(DataElement(tag: tag, vr: vr, bytes: values.flatMap { [UInt8($0 & 0xFF), UInt8($0 >> 8)] }))
    }
    public mutating func setUInt32(_ tag: Tag, _ values: [UInt32], vr: VR = .UL) {
        set(DataElement(tag: tag, vr: vr, bytes: values.flatMap { v in (0..<4).map { UInt8(truncatingIfNeeded: v >> (8 * $0)) } }))
    }
    public mutating func setSequence(_ tag: Tag, _ items: [DataSet]) {
        set(DataElement(tag: tag, vr: .SQ, value: .sequence(items)))
    }
}

@inline(__always) func stride(_ b: [UInt8], _ n: Int) -> StrideTo<Int> { Swift.stride(from: 0, to: b.count - n + 1, by: n) }
@inline(__always) public func le16(_ b: [UInt8], _ i: Int) -> UInt16 { UInt16(b[i]) | UInt16(b[i + 1]) << 8 }
@inline(__always) public func le32(_ b: [UInt8], _ i: Int) -> UInt32 {
    UInt32(b[i]) | UInt32(b[i + 1]) << 8 | UInt32(b[i + 2]) << 16 | UInt32(b[i + 3]) << 24
}
@inline(__always) public func le64(_ b: [UInt8], _ i: Int) -> UInt64 { UInt64(le32(b, i)) | UInt64(le32(b, i + 4)) << 32 }

extension String {
    /// Drops leading and trailing spaces.
    public func trimmingSpaces() -> String {
        var s = Substring(self)
        while s.first == " " { s = s.dropFirst() }
        s = s[..<(s.lastIndex(where: { $0 != " " }).map(s.index(after:)) ?? s.startIndex)]  // not a dropLast() loop: quadratic
        return String(s)
    }
}
