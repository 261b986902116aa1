import DICOMCore

/// Splitting encapsulated Pixel Data into frames and building it from frames (PS3.5 §A.4).
public enum Encapsulation {
    /// The compressed bytes of each frame. Uses the Basic Offset Table, else the Extended Offset
    /// Table, else one fragment per frame, else frame starts found by the codestream's start marker
    /// (fragmented frames without a BOT, PS3.5 §A.4 Note).
    public static func frames(
        _ px: PixelFragments, numberOfFrames: Int, syntax: TransferSyntax,
        extendedOffsets: [UInt64]? = nil
    ) throws -> [[UInt8]] {
        let frags = px.fragments
        let n = max(1, numberOfFrames)
        if frags.isEmpty { throw PixelError(.encapsulation, codec: "encapsulation", "Pixel Data has no fragments (PS3.5 A.4)") }
        // Item start offsets relative to the first fragment's item tag.
        var starts: [Int] = []
        var pos = 0
        for f in frags { starts.append(pos); pos += 8 + f.count }
        func byOffsets(_ offsets: [Int]) throws -> [[UInt8]] {
            var out: [[UInt8]] = []
            for (i, o) in offsets.enumerated() {
                let end = i + 1 < offsets.count ? offsets[i + 1] : Int.max
                guard let first = starts.firstIndex(of: o) else {
                    throw PixelError(.encapsulation, codec: "encapsulation", "offset table entry \(i) (\(o)) does not point at a fragment (PS3.5 A.4)")
                }
                var bytes: [UInt8] = []
                var k = first
                while k < frags.count && starts[k] < end { bytes += frags[k]; k += 1 }
                out.append(bytes)
            }
            return out
        }
        if px.basicOffsetTable.count == n, px.basicOffsetTable.first == 0,
            zip(px.basicOffsetTable, px.basicOffsetTable.dropFirst()).allSatisfy({ $0 < $1 })
        {
            return try byOffsets(px.basicOffsetTable.map { Int($0) })
        }
        if let eot = extendedOffsets, eot.count == n, eot.first == 0 {
            return try byOffsets(eot.map { Int($0) })
        }
        if frags.count == n { return frags }
        if n == 1 { return [frags.flatMap { $0 }] }
        // No usable table: a frame starts at each fragment that begins a codestream.
        let startIndices = frags.indices.filter { beginsCodestream(frags[$0], syntax: syntax) }
        guard startIndices.count == n, startIndices.first == 0 else {
            throw PixelError(
                .encapsulation, codec: "encapsulation",
                "\(frags.count) fragments for \(n) frames, no Basic Offset Table, and \(startIndices.count) codestream starts found; cannot tell where frames begin (PS3.5 A.4)"
            )
        }
        var out: [[UInt8]] = []
        for (i, s) in startIndices.enumerated() {
            let e = i + 1 < startIndices.count ? startIndices[i + 1] : frags.count
            out.append(frags[s..<e].flatMap { $0 })
        }
        return out
    }

    /// Whether a fragment starts a frame of `syntax`: JPEG/JPEG-LS SOI, J2K SOC+SIZ or JP2 signature, RLE header.
    static func beginsCodestream(_ f: [UInt8], syntax: TransferSyntax) -> Bool {
        guard f.count >= 4 else { return false }
        if syntax == .rleLossless {
            guard f.count >= 64 else { return false }
            let segments = le32(f, 0)
            return segments >= 1 && segments <= 15 && le32(f, 4) == 64
        }
        if f[0] == 0xFF && f[1] == 0xD8 { return true }
        if f[0] == 0xFF && f[1] == 0x4F && f[2] == 0xFF && f[3] == 0x51 { return true }
        if f.count >= 12 && f[0...3] == [0, 0, 0, 12] && f[4...7] == [0x6A, 0x50, 0x20, 0x20] { return true }
        return false
    }

    /// One fragment per frame, each padded to even length, with the Basic Offset Table filled (PS3.5 A.4).
    public static func encapsulate(_ frames: [[UInt8]]) -> PixelFragments {
        var bot: [UInt32] = []
        var fragments: [[UInt8]] = []
        var pos: UInt64 = 0
        for var f in frames {
            if f.count % 2 == 1 { f.append(0) }
            bot.append(UInt32(truncatingIfNeeded: pos))
            pos += 8 + UInt64(f.count)
            fragments.append(f)
        }
        // A BOT cannot address past 4 GiB; leave it empty then (PS3.5 A.4: the Extended Offset Table is the alternative).
        if pos > UInt64(UInt32.max) { bot = [] }
        return PixelFragments(basicOffsetTable: bot, fragments: fragments)
    }
}
