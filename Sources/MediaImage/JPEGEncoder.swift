import CTurboJPEG

/// Baseline JPEG (ISO/IEC 10918-1) through libjpeg-turbo's TurboJPEG API, for web renderings (IHE PDI).
public enum JPEGEncoder {
    /// 8-bit greyscale pixels, row by row, `width` x `height`, as a JFIF file at `quality` (1-100).
    public static func encodeGray(_ pixels: [UInt8], width: Int, height: Int, quality: Int = 90) throws -> [UInt8] {
        guard width > 0, height > 0, pixels.count >= width * height else {
            throw ImageError(path: "jpeg", "\(pixels.count) bytes for a \(width)x\(height) image")
        }
        guard let tj = tjInitCompress() else { throw ImageError(path: "jpeg", "TurboJPEG cannot be initialised") }
        defer { tjDestroy(tj) }
        var jpeg: UnsafeMutablePointer<UInt8>?
        var len: UInt = 0
        let r = pixels.withUnsafeBufferPointer { px in
            tjCompress2(tj, px.baseAddress, Int32(width), 0, Int32(height), Int32(TJPF_GRAY.rawValue), &jpeg, &len,
                        Int32(TJSAMP_GRAY.rawValue), Int32(quality), 0)
        }
        defer { if let jpeg { tjFree(jpeg) } }
        guard r == 0, let jpeg else { throw ImageError(path: "jpeg", "TurboJPEG: \(String(cString: tjGetErrorStr2(tj)))") }
        return Array(UnsafeBufferPointer(start: jpeg, count: Int(len)))
    }
}
