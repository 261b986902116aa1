import DICOMCore

/// Rendering straight from encapsulated Pixel Data: only the frame shown is decoded (PS3.5 A.4, §8.2).
extension ImageRenderer {
    /// Renders one frame of a data set read in `syntax`: native Pixel Data as it is; encapsulated Pixel Data split into
    /// frames (offset tables, PS3.5 A.4) and only the frame rendered decoded, by the first codec of `codecs` that takes it.
    public static func render(_ ds: DataSet, syntax: TransferSyntax, codecs: CodecRegistry, options: RenderOptions = RenderOptions()) throws
        -> RenderedImage
    {
        guard let fragments = ds[.pixelData]?.fragments else { return try render(ds, options: options) }
        let d = try description(of: ds)
        guard d.bitsAllocated != 1 else { throw PixelError(.cannotRender, "encapsulated 1-bit Pixel Data cannot be rendered", tag: .bitsAllocated) }
        let index = try frameIndex(ds, d, asked: options.frame)
        let eot = ds[.extendedOffsetTable]?.bytes.map { b in stride(from: 0, to: b.count - 7, by: 8).map { le64(b, $0) } }
        let frames = try Encapsulation.frames(fragments, numberOfFrames: d.numberOfFrames, syntax: syntax, extendedOffsets: eot)
        guard index < frames.count else {
            throw PixelError(.noSuchFrame, "frame \(index + 1) asked for; the Pixel Data holds \(frames.count) (PS3.5 A.4)", tag: .pixelData)
        }
        guard let decoder = codecs.decoder(for: syntax, d) else {
            throw PixelError(.noCodec, "no codec decodes \(d) in \(syntax.name) (\(syntax.uid))", tag: .pixelData)
        }
        let decoded: DecodedFrame
        do { decoded = try decoder.decode(frames[index], description: d, syntax: syntax) } catch {
            throw PixelError(.frameFailed, "frame \(index + 1) (\(syntax.name)): \(error)", tag: .pixelData, cause: error)
        }
        guard decoded.bytes.count >= d.frameLength else {
            throw PixelError(.shortPixelData, "frame \(index + 1) decoded to \(decoded.bytes.count) bytes; \(d) needs \(d.frameLength)", tag: .pixelData)
        }
        // The decoded frame says what its samples are now (e.g. RGB from a YBR_FULL_422 JPEG) and how they are laid out.
        var described = ds
        described.setString(.photometricInterpretation, .CS, decoded.photometricInterpretation)
        if d.samplesPerPixel > 1 { described.setUInt16(.planarConfiguration, [UInt16(decoded.planarConfiguration)]) }
        return try render(frame: Array(decoded.bytes.prefix(d.frameLength)), frameIndex: index, of: described, options: options)
    }
}
