import DICOMCore

/// Colour: native frames made colour-by-pixel in a Photometric Interpretation the target's encoders accept (PS3.3 C.7.6.3.1.2; PS3.5 8.2).
extension PixelTranscoder {
    /// Frames ready for an encoder, their description, and whether the palette was expanded to RGB.
    struct EncoderInput {
        var frames: [[UInt8]]
        var description: PixelDescription
        var paletteExpanded: Bool
    }

    /// What is done to decoded frames of `photometric` before encoding in `target`, and the description the encoder gets.
    struct EncoderInputPlan {
        var description: PixelDescription
        var expandYBR422 = false
        var expandPalette = false
        var ybrFullToRGB = false
    }

    /// The colour steps for frames of `d` decoded to `photometric` (one decision for ``plan(header:hasPixelData:from:to:parameters:sopInstanceUID:)`` and transcoding).
    static func encoderInputPlan(_ d: PixelDescription, photometric: String, source: TransferSyntax, target: TransferSyntax) -> EncoderInputPlan {
        var e = d
        e.photometricInterpretation = photometric
        e.planarConfiguration = 0
        var plan = EncoderInputPlan(description: e)
        if e.photometricInterpretation == "YBR_FULL_422" && !source.isEncapsulated {
            plan.expandYBR422 = true
            e.photometricInterpretation = "YBR_FULL"
        }
        if target.isLossy {
            if e.photometricInterpretation == "PALETTE COLOR" {
                // Lossy coding of palette indices would change colours arbitrarily: code the colours (PS3.3 C.7.6.3.1.2).
                plan.expandPalette = true
                e.samplesPerPixel = 3; e.bitsAllocated = 8; e.bitsStored = 8; e.highBit = 7; e.pixelRepresentation = 0
                e.photometricInterpretation = "RGB"
            } else if e.photometricInterpretation == "YBR_FULL" && e.bitsAllocated == 8 {
                plan.ybrFullToRGB = true
                e.photometricInterpretation = "RGB"
            }
        }
        plan.description = e
        return plan
    }

    static func colourForEncoding(
        _ native: NativeFrames, description d: PixelDescription, source: TransferSyntax, target: TransferSyntax,
        dataSet ds: DataSet
    ) throws -> EncoderInput {
        let plan = encoderInputPlan(d, photometric: native.photometric, source: source, target: target)
        var frames = native.frames
        if native.planar == 1 && d.samplesPerPixel > 1 {
            frames = frames.map { NativePixels.interleave($0, samples: d.samplesPerPixel, bytesPerSample: d.bytesPerSample) }
        }
        if plan.expandYBR422 { frames = try frames.map { try NativePixels.expandYBR422($0, rows: d.rows, columns: d.columns) } }
        var e = d
        e.planarConfiguration = 0
        e.photometricInterpretation = plan.expandYBR422 ? "YBR_FULL" : native.photometric
        if plan.expandPalette { frames = try frames.map { try NativePixels.expandPalette($0, e, dataSet: ds) } }
        if plan.ybrFullToRGB { frames = frames.map(NativePixels.ybrFullToRGB) }
        return EncoderInput(frames: frames, description: plan.description, paletteExpanded: plan.expandPalette)
    }
}
