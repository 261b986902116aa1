import DICOMCodecs
import DICOMPixel

/// Baseline JPEG (ISO/IEC 10918-1) for web renderings (IHE PDI), through DICOMCodecs' TurboJPEG wrapper.
public enum JPEGEncoder {
    /// 8-bit greyscale pixels, row by row, `width` x `height`, as a JFIF file at `quality` (1-100), libjpeg's default DCT.
    public static func encodeGray(_ pixels: [UInt8], width: Int, height: Int, quality: Int = 90) throws -> [UInt8] {
        try mapped { try TurboJPEG.compressGray(pixels, width: width, height: height, quality: quality, accurateDCT: false) }
    }

    /// 8-bit RGB pixels (R, G, B per pixel), row by row, `width` x `height`, as a JFIF file (YCbCr 4:2:0) at `quality` (1-100).
    public static func encodeRGB(_ pixels: [UInt8], width: Int, height: Int, quality: Int = 90) throws -> [UInt8] {
        try mapped { try TurboJPEG.compressRGB(pixels, width: width, height: height, quality: quality, accurateDCT: false) }
    }

    /// A rendering (grey or RGB) as a JFIF file at `quality` (1-100).
    public static func encode(_ image: RenderedImage, quality: Int = 90) throws -> [UInt8] {
        image.isColour
            ? try encodeRGB(image.pixels, width: image.width, height: image.height, quality: quality)
            : try encodeGray(image.pixels, width: image.width, height: image.height, quality: quality)
    }

    /// The codec's `PixelError` as an `ImageError` (invalid input or a failed library call), the cause kept.
    static func mapped(_ body: () throws -> [UInt8]) throws -> [UInt8] {
        do {
            return try body()
        } catch let e as PixelError {
            let said = (e.cause as? LibraryCallError).map { "TurboJPEG: \($0.message)" } ?? e.message
            throw ImageError(e.code == .shortPixelData ? .invalidInput : .libraryFailed, path: "jpeg", said, cause: e)
        }
    }
}
