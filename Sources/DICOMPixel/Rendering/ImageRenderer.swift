import DICOMCore

/// Renders a frame of an image for display: the grayscale pipeline (Modality LUT, VOI LUT, Presentation LUT)
/// or the colour pipeline, then scaled by area averaging to the requested size with the pixels' aspect ratio kept (PS3.4 N.2).
public enum ImageRenderer {
    /// Renders one frame of a data set whose Pixel Data is native (decode encapsulated Pixel Data first, e.g. with `PixelTranscoder`).
    public static func render(_ ds: DataSet, options: RenderOptions = RenderOptions()) throws -> RenderedImage {
        guard let px = ds[.pixelData] else { throw PixelError(.cannotRender, "the data set has no Pixel Data", tag: .pixelData) }
        guard let all = px.bytes else {
            throw PixelError(
                .cannotRender, "Pixel Data is encapsulated: decode it to native samples before rendering (PS3.5 A.4)", tag: .pixelData)
        }
        let d = try description(of: ds)
        let index = try frameIndex(ds, d, asked: options.frame)
        if d.bitsAllocated == 1 { return try render(frame: all, frameIndex: index, of: ds, options: options) }
        var length = d.frameLength
        if d.photometricInterpretation == "YBR_FULL_422" { length = d.rows * ((d.columns + 1) / 2) * 4 * d.bytesPerSample }  // PS3.3 C.7.6.3.1.2
        let start = index * length
        guard start + length <= all.count else {
            throw PixelError(
                .shortPixelData, "Pixel Data has \(all.count) bytes; frame \(index + 1) of \(d) ends at \(start + length) (PS3.5 8.1.1)",
                tag: .pixelData)
        }
        return try render(frame: Array(all[start..<(start + length)]), frameIndex: index, of: ds, options: options)
    }

    /// Renders `frame`, the native bytes of frame `frameIndex` (0-based) of the image `ds` describes, colour-by-pixel or as
    /// Planar Configuration says (for 1-bit images: the whole Pixel Data, whose frames need not start on a byte).
    public static func render(frame: [UInt8], frameIndex: Int, of ds: DataSet, options: RenderOptions = RenderOptions()) throws -> RenderedImage {
        let d = try description(of: ds)
        let attributes = FrameAttributes.merged(ds, frameIndex: frameIndex)
        let size = PixelAspect.outputSize(columns: d.columns, rows: d.rows, ratio: PixelAspect.ratio(attributes), maxSize: options.maxSize)
        func scaled(_ plane: [Float], _ channels: Int) -> [Float] {
            AreaResampler.resample(plane, width: d.columns, height: d.rows, channels: channels, toWidth: size.width, toHeight: size.height)
        }
        let levels: [Float], channels: Int
        switch d.photometricInterpretation {
        case "MONOCHROME1", "MONOCHROME2":
            guard d.samplesPerPixel == 1 else {
                throw ColourPipeline.refusal("\(d.photometricInterpretation) with \(d.samplesPerPixel) samples per pixel", .samplesPerPixel)
            }
            let values = try FrameSamples.values(frame, d, frameIndex: d.bitsAllocated == 1 ? frameIndex : 0)
            let pipeline = try GrayscalePipeline.make(values: values, description: d, attributes: attributes, voi: options.voi)
            // Modality values are scaled, then windowed (PS3.4 N.2.1; DCMTK's order: a narrow window stays sharp).
            levels = scaled(pipeline.modalityValues(values, stored: FrameSamples.range(d)), 1).map(pipeline.level(modalityValue:))
            channels = 1
        case "YBR_FULL_422":
            levels = scaled(try ColourPipeline.ybr422Levels(frame, description: d), 3)
            channels = 3
        default:
            guard d.bitsAllocated != 1 else { throw ColourPipeline.refusal("1-bit \(d.photometricInterpretation)", .bitsAllocated) }
            let values = try FrameSamples.values(frame, d)
            levels = scaled(try ColourPipeline.levels(values, description: d, attributes: attributes), 3)
            channels = 3
        }
        return try RenderedImage(
            width: size.width, height: size.height, channels: channels, pixels: levels.map { $0.isNaN ? 0 : UInt8(max(0, min(255, $0.rounded()))) })
    }

    /// The frame (0-based) that stands for a multi-frame image: Representative Frame Number (0028,6010) when it names one of
    /// the frames, else the middle one (PS3.3 C.7.6.6).
    public static func representativeFrame(_ ds: DataSet) -> Int {
        let frames = NativePixels.description(of: ds)?.numberOfFrames ?? 1
        if let n = ds.integer(.representativeFrameNumber), (1...frames).contains(n) { return n - 1 }
        return KeyImages.middle(frames)
    }

    /// The Image Pixel Module, checked for what rendering needs (PS3.3 C.7.6.3).
    static func description(of ds: DataSet) throws -> PixelDescription {
        guard let d = NativePixels.description(of: ds) else {
            throw PixelError(.invalidDescription, "Pixel Data without Rows, Columns or Bits Allocated (PS3.3 C.7.6.3)", tag: .pixelData)
        }
        guard (1...65535).contains(d.rows), (1...65535).contains(d.columns), [1, 3].contains(d.samplesPerPixel),
            [1, 8, 16, 32].contains(d.bitsAllocated), d.bitsStored >= 1, d.bitsStored <= d.bitsAllocated
        else {
            throw PixelError(.invalidDescription, "Pixel Data description \(d) is not valid for rendering (PS3.3 C.7.6.3)", tag: .pixelData)
        }
        return d
    }

    /// The 0-based frame to render: the one asked for (1-based), else the representative frame.
    static func frameIndex(_ ds: DataSet, _ d: PixelDescription, asked: Int?) throws -> Int {
        guard let asked else { return representativeFrame(ds) }
        guard (1...d.numberOfFrames).contains(asked) else {
            throw PixelError(.noSuchFrame, "frame \(asked) asked for; the image has \(d.numberOfFrames) (PS3.3 C.7.6.6)", tag: .numberOfFrames)
        }
        return asked - 1
    }
}
