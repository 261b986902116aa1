import DICOMCore

/// Sequential Huffman DCT JPEG decoder, baseline and extended (ISO 10918-1 processes 1, 2 and 4:
/// SOF0/SOF1, 8- and 12-bit), for JPEG Baseline .50 and JPEG Extended .51 (PS3.5 §8.2.1, §A.4.1).
///
/// Debian 12's libjpeg-turbo 2.1.5 has no 12-bit support, so `canDecode` claims .51 frames with Bits Stored
/// above 8; 8-bit frames decode as well (a fallback and a test oracle). The inverse DCT is the accurate
/// integer one of the IJG library (jidctint), upsampling is IJG's "fancy" triangle filter for 2:1 and
/// replication otherwise, and YCbCr→RGB uses IJG's fixed-point tables, so results match DCMTK's dcmdjpeg.
/// Progressive, lossless, arithmetic-coded and hierarchical processes are refused with a PixelError.
public struct JPEGExtendedCodec: PixelCodec {
    public let name = "JPEG DCT"
    public let decodableSyntaxes: Set<String> = [TransferSyntax.jpegBaseline.uid, TransferSyntax.jpegExtended.uid]
    public let encodableSyntaxes: Set<String> = []

    public init() {}

    /// True for JPEG Extended frames of more than 8 bits (what libjpeg-turbo 2.1 cannot decode) (PS3.5 §8.2.1).
    public func canDecode(_ d: PixelDescription, syntax: TransferSyntax) -> Bool {
        // Bits Stored above 12 is inconsistent with a 12-bit stream but occurs; the stream's precision decides in decode.
        syntax == .jpegExtended && d.bitsStored > 8 && d.bitsAllocated == 16 && (d.samplesPerPixel == 1 || d.samplesPerPixel == 3)
    }

    public func canEncode(_ description: PixelDescription, syntax: TransferSyntax) -> Bool { false }

    public func decode(_ frame: [UInt8], description d: PixelDescription, syntax: TransferSyntax) throws -> DecodedFrame {
        guard decodableSyntaxes.contains(syntax.uid) else {
            throw PixelError(.unsupportedCoding, codec: name, "transfer syntax \(syntax.name) (\(syntax.uid)) is not a sequential DCT JPEG syntax")
        }
        var dec = JPEGDCTDecoder(data: frame)
        try frame.withUnsafeBufferPointer { try dec.run($0) }
        return try dec.output(description: d)
    }

    public func encode(_ frame: [UInt8], description: PixelDescription, syntax: TransferSyntax, parameters: EncodeParameters) throws -> EncodedFrame {
        throw PixelError(.cannotEncode, codec: name, "this codec only decodes; no JPEG DCT encoder here")
    }
}
