import DICOMCore

/// Colour: native frames made colour-by-pixel in a Photometric Interpretation the target's encoders accept (PS3.3 C.7.6.3.1.2; PS3.5 8.2).
extension PixelTranscoder {
    /// Frames ready for an encoder, their description, and whether the palette was expanded to RGB.
    struct EncoderInput {
        var frames: [[UInt8]]
        var description: PixelDescription
        var paletteExpanded: Bool
    }

    static func colourForEncoding(
        _ native: NativeFrames, description d: PixelDescription, source: TransferSyntax, target: TransferSyntax,
        dataSet ds: DataSet
    ) throws -> EncoderInput {
        guard d.bitsAllocated != 1 else {
            throw PixelError(.cannotEncode, "1-bit Pixel Data cannot be encapsulated in \(target.name) (PS3.5 8.1.1)", tag: .pixelData)
        }
        var frames = native.frames
        var e = d
        e.photometricInterpretation = native.photometric
        if native.planar == 1 && d.samplesPerPixel > 1 {
            frames = frames.map { NativePixels.interleave($0, samples: d.samplesPerPixel, bytesPerSample: d.bytesPerSample) }
        }
        e.planarConfiguration = 0
        if e.photometricInterpretation == "YBR_FULL_422" && !source.isEncapsulated {
            frames = try frames.map { try NativePixels.expandYBR422($0, rows: d.rows, columns: d.columns) }
            e.photometricInterpretation = "YBR_FULL"
        }
        var paletteExpanded = false
        if target.isLossy {
            if e.photometricInterpretation == "PALETTE COLOR" {
                // Lossy coding of palette indices would change colours arbitrarily: code the colours (PS3.3 C.7.6.3.1.2).
                frames = try frames.map { try NativePixels.expandPalette($0, e, dataSet: ds) }
                e.samplesPerPixel = 3; e.bitsAllocated = 8; e.bitsStored = 8; e.highBit = 7; e.pixelRepresentation = 0
                e.photometricInterpretation = "RGB"
                paletteExpanded = true
            } else if e.photometricInterpretation == "YBR_FULL" && e.bitsAllocated == 8 {
                frames = frames.map(NativePixels.ybrFullToRGB)
                e.photometricInterpretation = "RGB"
            }
        }
        return EncoderInput(frames: frames, description: e, paletteExpanded: paletteExpanded)
    }
}
