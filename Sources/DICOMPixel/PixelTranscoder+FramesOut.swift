import DICOMCore
import Foundation

/// Frames out: native Pixel Data, or frames encoded on every core and encapsulated, with the attributes they need (PS3.5 §8, A.4).
extension PixelTranscoder {
    /// Writes decoded frames as native Pixel Data, colour-by-pixel, and drops the offset tables (PS3.5 8.1.1, PS3.3 C.7.6.3.1.3).
    static func setNativePixelData(_ native: NativeFrames, description d: PixelDescription, in ds: inout DataSet) {
        var bytes = native.frames.flatMap { $0 }
        if bytes.count % 2 == 1 { bytes.append(0) }
        ds.set(DataElement(tag: .pixelData, vr: d.bitsAllocated > 8 ? .OW : .OB, bytes: bytes))
        setNativeAttributes(native, description: d, in: &ds)
    }

    /// The attributes of decoded native Pixel Data: its Photometric Interpretation, colour-by-pixel, no offset tables.
    static func setNativeAttributes(_ native: NativeFrames, description d: PixelDescription, in ds: inout DataSet) {
        ds.setString(.photometricInterpretation, .CS, native.photometric)
        if d.samplesPerPixel > 1 { ds.setUInt16(.planarConfiguration, [0]) }
        _ = ds.remove(.extendedOffsetTable); _ = ds.remove(.extendedOffsetTableLengths)
    }

    /// Encodes every frame in `target` and sets the encapsulated Pixel Data and its attributes; returns the compressed size.
    func encodeFrames(_ input: EncoderInput, target: TransferSyntax, parameters: EncodeParameters, into ds: inout DataSet) throws -> Int {
        let e = input.description
        guard let encoder = codecs.encoder(for: target, e) else {
            throw PixelError.unsupported(target, codecs.canEncode(target) ? "no encoder for \(e)" : "no encoder")
        }
        let frames = input.frames
        let encoded = ConcurrentSlots<Result<EncodedFrame, any Error>>(count: frames.count)
        DispatchQueue.concurrentPerform(iterations: frames.count) { i in
            encoded[i] = Result { try encoder.encode(frames[i], description: e, syntax: target, parameters: parameters) }
        }
        var out: [[UInt8]] = []
        var outPhotometric = e.photometricInterpretation
        var outPlanar = 0
        for (i, r) in encoded.values.enumerated() {
            let f: EncodedFrame
            do { f = try r!.get() } catch {
                throw PixelError(.frameFailed, "encoding frame \(i + 1) of \(frames.count) as \(target.name): \(error)", tag: .pixelData, cause: error)
            }
            out.append(f.bytes)
            outPhotometric = f.photometricInterpretation
            outPlanar = f.planarConfiguration
        }
        ds.set(DataElement(tag: .pixelData, vr: .OB, value: .fragments(Encapsulation.encapsulate(out))))
        Self.setEncapsulatedAttributes(photometric: outPhotometric, planar: outPlanar, description: e, paletteExpanded: input.paletteExpanded, in: &ds)
        return out.reduce(0) { $0 + $1.count }
    }

    /// The attributes of encoded Pixel Data: the encoder's Photometric Interpretation and Planar Configuration, no
    /// offset tables, and an expanded palette's RGB description without its lookup tables (PS3.3 C.7.6.3).
    static func setEncapsulatedAttributes(
        photometric: String, planar: Int, description e: PixelDescription, paletteExpanded: Bool, in ds: inout DataSet
    ) {
        _ = ds.remove(.extendedOffsetTable); _ = ds.remove(.extendedOffsetTableLengths)
        ds.setString(.photometricInterpretation, .CS, photometric)
        if e.samplesPerPixel > 1 { ds.setUInt16(.planarConfiguration, [UInt16(planar)]) }
        if paletteExpanded {
            ds.setUInt16(.samplesPerPixel, [3]); ds.setUInt16(.bitsAllocated, [8]); ds.setUInt16(.bitsStored, [8])
            ds.setUInt16(.highBit, [7]); ds.setUInt16(.pixelRepresentation, [0]); ds.setUInt16(.planarConfiguration, [0])
            for tag in Self.paletteTags { _ = ds.remove(tag) }
        }
    }

    /// The Palette Color Lookup Table attributes, dropped once the colours are coded (PS3.3 C.7.6.3.1.5-6, C.7.9).
    static let paletteTags: [Tag] = [
        .redPaletteColorLookupTableDescriptor, .greenPaletteColorLookupTableDescriptor, .bluePaletteColorLookupTableDescriptor,
        .paletteColorLookupTableUID, .redPaletteColorLookupTableData, .greenPaletteColorLookupTableData, .bluePaletteColorLookupTableData,
        .segmentedRedPaletteColorLookupTableData, .segmentedGreenPaletteColorLookupTableData, .segmentedBluePaletteColorLookupTableData,
    ]
}
