import CTurboJPEG
import DICOMPixel

/// The one wrapper of libjpeg-turbo's TurboJPEG compressor (turbojpeg.h), for the JPEG codec and for
/// web renderings (IHE PDI): a handle per call, every return code checked, the output copied and freed.
public enum TurboJPEG {
    static let library = "libjpeg-turbo"

    /// 8-bit greyscale pixels, row by row, `width` x `height`, as a JFIF file at `quality` (1-100);
    /// `accurateDCT` selects libjpeg's accurate integer DCT (TJFLAG_ACCURATEDCT) instead of its default.
    public static func compressGray(_ pixels: [UInt8], width: Int, height: Int, quality: Int, accurateDCT: Bool) throws -> [UInt8] {
        try compressPacked(pixels, width: width, height: height, channels: 1, quality: quality, accurateDCT: accurateDCT)
    }

    /// 8-bit RGB pixels (R, G, B per pixel), row by row, `width` x `height`, as a JFIF file at `quality` (1-100),
    /// chroma subsampled 4:2:0 as libjpeg's cjpeg does by default (ISO/IEC 10918-1; JFIF YCbCr).
    public static func compressRGB(_ pixels: [UInt8], width: Int, height: Int, quality: Int, accurateDCT: Bool) throws -> [UInt8] {
        try compressPacked(pixels, width: width, height: height, channels: 3, quality: quality, accurateDCT: accurateDCT)
    }

    /// One or three 8-bit samples per pixel through tjCompress2 (grey, or RGB with 4:2:0 chroma).
    static func compressPacked(_ pixels: [UInt8], width: Int, height: Int, channels: Int, quality: Int, accurateDCT: Bool) throws -> [UInt8] {
        guard width > 0, height > 0, pixels.count >= width * height * channels else {
            throw PixelError(.shortPixelData, codec: library, "\(pixels.count) bytes for a \(width)x\(height)x\(channels) image")
        }
        let format = channels == 3 ? TJPF_RGB : TJPF_GRAY, sampling = channels == 3 ? TJSAMP_420 : TJSAMP_GRAY
        return try compress { handle, buf, size in
            try pixels.withUnsafeBufferPointer { px in
                try check(
                    tjCompress2(
                        handle, px.baseAddress, Int32(width), 0, Int32(height), Int32(format.rawValue), &buf, &size,
                        Int32(sampling.rawValue), Int32(quality), accurateDCT ? Int32(TJFLAG_ACCURATEDCT) : 0),
                    handle, "tjCompress2")
            }
        }
    }

    /// Runs one compression with a fresh handle; `body` makes the tj* call that fills the output buffer and size.
    static func compress(_ body: (tjhandle, inout UnsafeMutablePointer<UInt8>?, inout UInt) throws -> Void) throws -> [UInt8] {
        guard let handle = tjInitCompress() else {
            throw PixelError(.libraryFailed, codec: library, "tjInitCompress failed: \(String(cString: tjGetErrorStr2(nil)))")
        }
        defer { tjDestroy(handle) }
        var jpegBuf: UnsafeMutablePointer<UInt8>? = nil
        var jpegSize: UInt = 0
        defer { if let b = jpegBuf { tjFree(b) } }
        try body(handle, &jpegBuf, &jpegSize)
        guard let buf = jpegBuf, jpegSize > 0 else { throw PixelError(.libraryFailed, codec: library, "tjCompress produced no data") }
        return Array(UnsafeBufferPointer(start: buf, count: Int(jpegSize)))
    }

    /// Any -1 is an error, warnings included: without TJFLAG_STOPONWARNING tj* functions finish the
    /// image but still return -1 with TJERR_WARNING ("the destination image may still be corrupt",
    /// turbojpeg.h), e.g. "Premature end of JPEG file" for a truncated frame; such pixels are refused.
    /// The library's return code and message are the error's cause.
    static func check(_ rc: Int32, _ handle: tjhandle, _ function: String) throws {
        if rc != 0 {
            let code = tjGetErrorCode(handle)
            let kind = code == Int32(TJERR_WARNING.rawValue) ? " (libjpeg warning: the image would be corrupt)" : ""
            let message = String(cString: tjGetErrorStr2(handle))
            throw PixelError(
                .libraryFailed, codec: library, "\(function): \(message)\(kind)",
                cause: LibraryCallError(library: library, function: function, code: Int(code), message: message))
        }
    }
}
