import DICOMPixel

/// Every pixel codec of the package (PS3.5 §8.2).
public enum Codecs {
    /// Every codec, lowest precedence first (later ones win when two handle the same syntax and frame):
    /// the Swift DCT decoder takes only the 12-bit JPEG that libjpeg-turbo 2.1 cannot decode.
    public static var available: [any PixelCodec] {
        [JPEGExtendedCodec(), RLECodec(), JPEGLosslessCodec(), TurboJPEGCodec(), OpenJPEGCodec(), CharLSCodec()]
    }

    /// Builds `CodecRegistry.standard` now instead of on its first use; callers written when codecs were
    /// registered into a shared registry call this, and need not.
    public static func registerAll() { _ = CodecRegistry.standard }
}

extension CodecRegistry {
    /// Every codec of the package, built once: `Codecs.available`, the last one most preferred.
    public static let standard = CodecRegistry(Codecs.available.reversed())

    /// The registry's name before it was an immutable value.
    @available(*, deprecated, renamed: "standard")
    public static var shared: CodecRegistry { standard }
}

extension PixelTranscoder {
    /// A transcoder with every codec of the package (`CodecRegistry.standard`).
    public init() { self.init(codecs: .standard) }
}
