import DICOMCodecs
import DICOMPixel

/// Baseline JPEG (ISO/IEC 10918-1) for web renderings (IHE PDI), through DICOMCodecs' TurboJPEG wrapper.
public enum JPEGEncoder {
    /// 8-bit greyscale pixels, row by row, `width` x `height`, as a JFIF file at `quality` (1-100), libjpeg's default DCT.
    public static func encodeGray(_ pixels: [UInt8], width: Int, height: Int, quality: Int = 90) throws -> [UInt8] {
        do {
            return try TurboJPEG.compressGray(pixels, width: width, height: height, quality: quality, accurateDCT: false)
        } catch let e as PixelError {
            let said = (e.cause as? LibraryCallError).map { "TurboJPEG: \($0.message)" } ?? e.message
            throw ImageError(e.code == .shortPixelData ? .invalidInput : .libraryFailed, path: "jpeg", said, cause: e)
        }
    }
}
