import DICOMCore

/// The stored values of one native frame as integers: each sample's `bitsStored` bits ending at
/// `highBit`, sign-extended when Pixel Representation is 1; 1-bit frames unpacked (PS3.5 §8.1.1, PS3.3 C.7.6.3.1).
enum FrameSamples {
    /// Every sample of frame `index` (0-based) in the order stored: `bytes` is that frame's bytes, or for
    /// 1-bit data the whole Pixel Data, whose frames need not start on a byte (PS3.5 §8.1.1).
    static func values(_ bytes: [UInt8], _ d: PixelDescription, frameIndex index: Int = 0) throws -> [Int] {
        let count = d.pixelCount * d.samplesPerPixel
        if d.bitsAllocated == 1 {
            let start = index * count
            guard (start + count + 7) / 8 <= bytes.count else { throw short(bytes.count, (start + count + 7) / 8, d) }
            return (0..<count).map { i in Int(bytes[(start + i) >> 3] >> UInt8((start + i) & 7) & 1) }
        }
        guard [8, 16, 32].contains(d.bitsAllocated), d.bitsStored >= 1, d.highBit < d.bitsAllocated, d.highBit + 1 >= d.bitsStored else {
            throw PixelError(
                .cannotRender, "Bits Allocated \(d.bitsAllocated), Bits Stored \(d.bitsStored), High Bit \(d.highBit) cannot be rendered (PS3.5 8.1.1)",
                tag: .bitsAllocated)
        }
        let width = d.bytesPerSample
        guard bytes.count >= count * width else { throw short(bytes.count, count * width, d) }
        let shift = d.highBit + 1 - d.bitsStored
        let mask: UInt64 = (1 << UInt64(d.bitsStored)) - 1
        let sign: UInt64 = 1 << UInt64(d.bitsStored - 1)
        let signed = d.isSigned
        var out = [Int](repeating: 0, count: count)
        bytes.withUnsafeBufferPointer { b in
            for i in 0..<count {
                let raw: UInt64
                switch width {
                case 1: raw = UInt64(b[i])
                case 2: raw = UInt64(b[2 * i]) | UInt64(b[2 * i + 1]) << 8
                default: raw = UInt64(b[4 * i]) | UInt64(b[4 * i + 1]) << 8 | UInt64(b[4 * i + 2]) << 16 | UInt64(b[4 * i + 3]) << 24
                }
                let v = (raw >> UInt64(shift)) & mask
                out[i] = signed && v & sign != 0 ? Int(v) - Int(mask) - 1 : Int(v)
            }
        }
        return out
    }

    /// The smallest and largest stored value the description allows (1-bit samples are 0 or 1, whatever Pixel Representation says).
    static func range(_ d: PixelDescription) -> ClosedRange<Int> {
        if d.bitsAllocated == 1 { return 0...1 }
        let bits = d.bitsStored
        return d.isSigned ? -(1 << (bits - 1))...((1 << (bits - 1)) - 1) : 0...((1 << bits) - 1)
    }

    static func short(_ have: Int, _ need: Int, _ d: PixelDescription) -> PixelError {
        PixelError(.shortPixelData, "the frame has \(have) bytes; \(d) needs \(need) (PS3.5 8.1.1)", tag: .pixelData)
    }
}
