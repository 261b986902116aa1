import DICOMPixel

/// Registration of every pixel codec of the package with `CodecRegistry.shared` (PS3.5 §8.2).
public enum Codecs {
    /// Registers the codecs once; safe to call from anywhere, any number of times.
    public static func registerAll() { _ = registered }

    private static let registered: Bool = {
        for codec in available { CodecRegistry.shared.register(codec) }
        return true
    }()

    /// Every codec, lowest precedence first (later ones win when two handle the same syntax and frame):
    /// the Swift DCT decoder takes only the 12-bit JPEG that libjpeg-turbo 2.1 cannot decode.
    public static var available: [PixelCodec] {
        [JPEGExtendedCodec(), RLECodec(), JPEGLosslessCodec(), TurboJPEGCodec(), OpenJPEGCodec(), CharLSCodec()]
    }
}
