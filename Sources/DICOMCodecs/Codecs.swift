import DICOMPixel

/// Registration of every pixel codec of the package with `CodecRegistry.shared` (PS3.5 §8.2).
public enum Codecs {
    /// Registers the codecs once; safe to call from anywhere, any number of times.
    public static func registerAll() { _ = registered }

    private static let registered: Bool = {
        for codec in available { CodecRegistry.shared.register(codec) }
        return true
    }()

    /// Every codec, lowest precedence first (later ones win when two handle the same syntax).
    public static var available: [PixelCodec] {
        [TurboJPEGCodec(), OpenJPEGCodec(), CharLSCodec()]
    }
}
