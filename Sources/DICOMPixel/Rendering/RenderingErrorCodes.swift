import DICOMCore

/// The codes of the image renderer (PS3.4 N.2), beside the codec codes of `PixelError.Code`.
extension PixelError.Code {
    /// The image cannot be rendered: a photometric interpretation, bit depth or layout the renderer does not handle, or Pixel Data still encapsulated (PS3.4 N.2).
    public static let cannotRender = PixelError.Code(rawValue: "cannot-render")
    /// A Modality LUT, VOI LUT or palette lookup table is impossible: a bad descriptor, data shorter than it says, an unknown segment type (PS3.3 C.11.1.1.1, C.7.9.2).
    public static let invalidLUT = PixelError.Code(rawValue: "invalid-lut")
    /// The frame asked for (or the Representative Frame Number) is not among the image's frames (PS3.3 C.7.6.6, C.7.6.16).
    public static let noSuchFrame = PixelError.Code(rawValue: "no-such-frame")
}
