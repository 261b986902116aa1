import DICOMCore

/// A lookup table of the Modality LUT, VOI LUT or palette kind: the first value mapped, the
/// entries and their bit depth, from a LUT Descriptor and LUT Data (PS3.3 C.11.1.1.1, C.7.6.3.1.5).
public struct LookupTable: Sendable, Equatable {
    /// The stored value mapped to the first entry (second value of the descriptor; signed when the descriptor is SS).
    public var firstMapped: Int
    public var entries: [Int]
    /// Bits of each entry (third value of the descriptor).
    public var bits: Int

    public init(firstMapped: Int, entries: [Int], bits: Int) {
        self.firstMapped = firstMapped; self.entries = entries; self.bits = bits
    }

    /// The entry for `value`: values below the first mapped take the first entry, above the range the last (PS3.3 C.11.1.1.1).
    @inline(__always) public func lookup(_ value: Int) -> Int {
        entries.isEmpty ? 0 : entries[max(0, min(entries.count - 1, value - firstMapped))]
    }

    /// The largest value an entry can hold: 2^bits - 1, or more when the entries say the descriptor undercounts them.
    public var maximum: Int {
        let declared = (1 << max(1, min(bits, 16))) - 1
        return max(declared, entries.max() ?? 0)
    }

    /// The three values of a LUT Descriptor: entries (0 meaning 65536), first value mapped, bits per entry (PS3.3 C.11.1.1.1).
    /// `signedFirst` reads the first mapped value as signed (Pixel Representation 1 or an SS descriptor).
    public static func descriptor(_ element: DataElement?, name: String, signedFirst: Bool) throws -> (count: Int, firstMapped: Int, bits: Int) {
        guard let desc = element?.bytes, desc.count >= 6, let tag = element?.tag else {
            throw PixelError(.invalidLUT, "\(name) has no LUT Descriptor of three values (PS3.3 C.11.1.1.1)", tag: element?.tag)
        }
        let count = le16(desc, 0) == 0 ? 65536 : Int(le16(desc, 0))
        let first = signedFirst || element?.vr == .SS ? Int(Int16(bitPattern: le16(desc, 2))) : Int(le16(desc, 2))
        let bits = Int(le16(desc, 4))
        guard (1...16).contains(bits) else {
            throw PixelError(.invalidLUT, "\(name) LUT Descriptor gives \(bits) bits per entry; 1-16 are possible (PS3.3 C.11.1.1.1)", tag: tag)
        }
        return (count, first, bits)
    }

    /// Reads a descriptor and its data, one byte per entry when the data has as many bytes as entries of at most 8 bits, else 16-bit words (PS3.3 C.11.1.1.1).
    public static func read(descriptor: DataElement?, data: DataElement?, name: String, signedFirst: Bool) throws -> LookupTable {
        let (count, first, bits) = try Self.descriptor(descriptor, name: name, signedFirst: signedFirst)
        let tag = data?.tag ?? descriptor?.tag
        guard let raw = data?.bytes else {
            throw PixelError(.invalidLUT, "\(name) has a LUT Descriptor but no LUT Data (PS3.3 C.11.1.1.1)", tag: tag)
        }
        let entries: [Int]
        if bits <= 8 && (raw.count == count || raw.count == count + 1) {
            entries = raw.prefix(count).map(Int.init)  // one byte per entry (OB-style packing)
        } else {
            guard raw.count >= count * 2 else {
                throw PixelError(.invalidLUT, "\(name) LUT Data has \(raw.count) bytes for \(count) entries (PS3.3 C.11.1.1.1)", tag: tag)
            }
            entries = (0..<count).map { Int(le16(raw, $0 * 2)) }
        }
        return LookupTable(firstMapped: first, entries: entries, bits: bits)
    }

    /// Expands Segmented Palette Color Lookup Table Data: discrete (0) and linear (1) segments; indirect (2) segments are refused (PS3.3 C.7.9.2).
    public static func expandSegments(_ words: [Int], count: Int, name: String, tag: Tag) throws -> [Int] {
        var out: [Int] = []
        var i = 0
        while i + 1 < words.count, out.count < count {
            let type = words[i], length = words[i + 1]
            i += 2
            switch type {
            case 0:
                guard i + length <= words.count else {
                    throw PixelError(.invalidLUT, "\(name): a discrete segment runs past the end of the data (PS3.3 C.7.9.2.1)", tag: tag)
                }
                out += words[i..<(i + length)]
                i += length
            case 1:
                guard let y0 = out.last, i < words.count else {
                    throw PixelError(.invalidLUT, "\(name): a linear segment with no value before it (PS3.3 C.7.9.2.2)", tag: tag)
                }
                let y1 = words[i]
                i += 1
                for k in 1...max(1, length) { out.append(y0 + Int((Double((y1 - y0) * k) / Double(max(1, length))).rounded())) }
            default:
                throw PixelError(
                    .invalidLUT, "\(name): segment type \(type) (indirect segments are not supported; 0 discrete and 1 linear are) (PS3.3 C.7.9.2)",
                    tag: tag)
            }
        }
        guard out.count >= count else {
            throw PixelError(.invalidLUT, "\(name): the segments give \(out.count) entries; the descriptor says \(count) (PS3.3 C.7.9.2)", tag: tag)
        }
        return Array(out.prefix(count))
    }
}
