import DICOMCore

/// The Image Pixel Module attributes that describe the frames of Pixel Data (PS3.3 C.7.6.3).
public struct PixelDescription: Sendable, Equatable, CustomStringConvertible {
    public var rows: Int
    public var columns: Int
    public var samplesPerPixel: Int
    public var bitsAllocated: Int
    public var bitsStored: Int
    public var highBit: Int
    /// 0 unsigned, 1 two's complement (0028,0103).
    public var pixelRepresentation: Int
    /// 0 colour-by-pixel, 1 colour-by-plane (0028,0006).
    public var planarConfiguration: Int
    public var photometricInterpretation: String
    public var numberOfFrames: Int

    public init(
        rows: Int, columns: Int, samplesPerPixel: Int = 1, bitsAllocated: Int, bitsStored: Int, highBit: Int? = nil,
        pixelRepresentation: Int = 0, planarConfiguration: Int = 0, photometricInterpretation: String = "MONOCHROME2",
        numberOfFrames: Int = 1
    ) {
        self.rows = rows; self.columns = columns; self.samplesPerPixel = samplesPerPixel
        self.bitsAllocated = bitsAllocated; self.bitsStored = bitsStored; self.highBit = highBit ?? bitsStored - 1
        self.pixelRepresentation = pixelRepresentation; self.planarConfiguration = planarConfiguration
        self.photometricInterpretation = photometricInterpretation; self.numberOfFrames = numberOfFrames
    }

    /// Pixels in one frame.
    public var pixelCount: Int { rows * columns }
    /// Bytes of one native frame (PS3.5 §8.1.1); bit-packed 1-bit frames round up.
    public var frameLength: Int { (rows * columns * samplesPerPixel * bitsAllocated + 7) / 8 }
    public var isSigned: Bool { pixelRepresentation == 1 }
    public var bytesPerSample: Int { (bitsAllocated + 7) / 8 }

    public var description: String {
        "\(columns)x\(rows)x\(samplesPerPixel) \(bitsStored)/\(bitsAllocated) bit \(isSigned ? "signed" : "unsigned") \(photometricInterpretation)"
            + (numberOfFrames > 1 ? " \(numberOfFrames) frames" : "")
    }
}

/// What a `PixelFrame`'s bytes are: `DecodedPixels` (native) or `EncodedPixels` (compressed).
public protocol PixelFrameForm {}
/// Native pixels: samples little-endian in `bitsAllocated` bits, colour-by-pixel unless
/// `planarConfiguration` says planes, signed samples sign-extended (PS3.5 §8.1.1, §8.2).
public enum DecodedPixels: PixelFrameForm {}
/// The bytes of a compressed frame's fragment(s) (PS3.5 §8.2, §A.4).
public enum EncodedPixels: PixelFrameForm {}

/// One frame's bytes, with the Photometric Interpretation and Planar Configuration they have:
/// what a decoder returns (`DecodedFrame`) or an encoder writes (`EncodedFrame`).
public struct PixelFrame<Form: PixelFrameForm>: Sendable, Equatable {
    public var bytes: [UInt8]
    /// What the samples are: after decoding e.g. "RGB" for a YBR_FULL_422 JPEG decoded to RGB (PS3.3 C.7.6.3.1.2);
    /// after encoding what the target syntax requires (YBR_FULL_422 for JPEG Baseline from RGB, YBR_RCT for
    /// reversible JPEG 2000 colour) (PS3.5 §8.2).
    public var photometricInterpretation: String
    /// 0 colour-by-pixel, 1 colour-by-plane (PS3.3 C.7.6.3.1.3). Decoders may return planes (RLE), which the
    /// transcoder interleaves; encoders record 0 for all compressed syntaxes but RLE, where it is ignored.
    public var planarConfiguration: Int
    public init(bytes: [UInt8], photometricInterpretation: String, planarConfiguration: Int = 0) {
        self.bytes = bytes; self.photometricInterpretation = photometricInterpretation; self.planarConfiguration = planarConfiguration
    }
}

/// One frame of native pixels (PS3.5 §8.1.1, §8.2).
public typealias DecodedFrame = PixelFrame<DecodedPixels>
/// One compressed frame, the bytes of its fragment(s) (PS3.5 §8.2, §A.4).
public typealias EncodedFrame = PixelFrame<EncodedPixels>

/// Parameters of an encoder.
public struct EncodeParameters: Sendable, Equatable {
    /// Lossy quality 1-100 (JPEG) or target quality (JPEG 2000 irreversible: PSNR-like layers); nil = codec default.
    public var quality: Int?
    /// JPEG-LS NEAR parameter (0 = lossless) (ISO 14495-1).
    public var near: Int
    public init(quality: Int? = nil, near: Int = 0) { self.quality = quality; self.near = near }
}

/// A decoder or encoder of one family of encapsulated transfer syntaxes (PS3.5 §8.2, §A.4).
///
/// Decoders take the bytes of one frame and return native samples as `DecodedFrame` documents;
/// encoders take native samples (colour-by-pixel, little-endian, signed values sign-extended,
/// only the low `bitsStored` bits meaningful) and return one frame's compressed bytes.
public protocol PixelCodec: Sendable {
    /// Short name used in errors, e.g. "libjpeg-turbo", "JPEG Lossless".
    var name: String { get }
    /// Transfer syntax UIDs this codec can decode.
    var decodableSyntaxes: Set<String> { get }
    /// Transfer syntax UIDs this codec can encode.
    var encodableSyntaxes: Set<String> { get }
    /// Whether this codec can decode frames with these attributes in `syntax` (e.g. bit depth limits).
    func canDecode(_ description: PixelDescription, syntax: TransferSyntax) -> Bool
    /// Whether this codec can encode frames with these attributes in `syntax`.
    func canEncode(_ description: PixelDescription, syntax: TransferSyntax) -> Bool
    func decode(_ frame: [UInt8], description: PixelDescription, syntax: TransferSyntax) throws -> DecodedFrame
    func encode(_ frame: [UInt8], description: PixelDescription, syntax: TransferSyntax, parameters: EncodeParameters) throws -> EncodedFrame
}

extension PixelCodec {
    public func canDecode(_ description: PixelDescription, syntax: TransferSyntax) -> Bool { decodableSyntaxes.contains(syntax.uid) }
    public func canEncode(_ description: PixelDescription, syntax: TransferSyntax) -> Bool { encodableSyntaxes.contains(syntax.uid) }
}

/// The codecs a transcoder may use, in order of preference: the first that can handle a frame wins
/// (PS3.5 §10 transfer syntaxes → codecs). An immutable value, built once and passed in; DICOMCodecs'
/// `CodecRegistry.standard` holds every codec of the package.
public struct CodecRegistry: Sendable {
    /// Every codec, most preferred first.
    public let all: [any PixelCodec]

    public init(_ codecs: [any PixelCodec]) { all = codecs }

    /// The first codec that can decode `description` in `syntax`.
    public func decoder(for syntax: TransferSyntax, _ description: PixelDescription) -> (any PixelCodec)? {
        all.first { $0.decodableSyntaxes.contains(syntax.uid) && $0.canDecode(description, syntax: syntax) }
    }

    /// The first codec that can encode `description` in `syntax`.
    public func encoder(for syntax: TransferSyntax, _ description: PixelDescription) -> (any PixelCodec)? {
        all.first { $0.encodableSyntaxes.contains(syntax.uid) && $0.canEncode(description, syntax: syntax) }
    }

    public func canDecode(_ syntax: TransferSyntax) -> Bool { all.contains { $0.decodableSyntaxes.contains(syntax.uid) } }
    public func canEncode(_ syntax: TransferSyntax) -> Bool { all.contains { $0.encodableSyntaxes.contains(syntax.uid) } }
}
