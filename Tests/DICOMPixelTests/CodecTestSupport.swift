import DICOMCore
import DICOMIO
import DICOMPixel
import Foundation
import TestSupport
import XCTest

/// The shared media corpus (TestSupport), under the name the RLE and JPEG DCT codec tests use.
typealias CodecCorpus = Corpus

/// Image Pixel Module attributes of a data set (PS3.3 C.7.6.3).
func pixelDescription(_ ds: DataSet) -> PixelDescription {
    let bits = ds.integer(.bitsAllocated) ?? 8
    return PixelDescription(
        rows: ds.integer(.rows) ?? 0, columns: ds.integer(.columns) ?? 0,
        samplesPerPixel: ds.integer(.samplesPerPixel) ?? 1, bitsAllocated: bits,
        bitsStored: ds.integer(.bitsStored) ?? bits, highBit: ds.integer(.highBit),
        pixelRepresentation: ds.integer(.pixelRepresentation) ?? 0,
        planarConfiguration: ds.integer(.planarConfiguration) ?? 0,
        photometricInterpretation: ds.string(.photometricInterpretation) ?? "MONOCHROME2",
        numberOfFrames: ds.integer(.numberOfFrames) ?? 1)
}

/// Native Pixel Data of a file, colour-by-pixel (interleaved when Planar Configuration is 1), trimmed to its frames.
func nativePixels(_ path: String) throws -> (bytes: [UInt8], description: PixelDescription) {
    let f = try Part10Reader.read(path: path)
    let d = pixelDescription(f.dataSet)
    guard var b = f.dataSet[.pixelData]?.bytes else { throw SupportError("test", "\(path) has no native Pixel Data") }
    let n = d.frameLength * max(1, d.numberOfFrames)
    if b.count > n { b = Array(b[0..<n]) }
    if d.samplesPerPixel > 1 && d.planarConfiguration == 1 { b = interleave(b, d) }
    return (b, d)
}

/// Colour-by-plane frames to colour-by-pixel (PS3.3 C.7.6.3.1.3).
func interleave(_ b: [UInt8], _ d: PixelDescription) -> [UInt8] {
    let bps = d.bytesPerSample, spp = d.samplesPerPixel, px = d.pixelCount
    var out = b
    for f in 0..<max(1, d.numberOfFrames) {
        let base = f * d.frameLength
        guard base + d.frameLength <= b.count else { break }
        for s in 0..<spp {
            for p in 0..<px {
                for k in 0..<bps {
                    out[base + (p * spp + s) * bps + k] = b[base + (s * px + p) * bps + k]
                }
            }
        }
    }
    return out
}

/// Frames of an encapsulated file decoded with `codec`, concatenated.
func decodeAll(_ path: String, with codec: PixelCodec) throws -> (bytes: [UInt8], description: PixelDescription, photometric: String) {
    let f = try Part10Reader.read(path: path)
    let d = pixelDescription(f.dataSet)
    guard let px = f.dataSet[.pixelData]?.fragments else { throw SupportError("test", "\(path) has no encapsulated Pixel Data") }
    let frames = try Encapsulation.frames(px, numberOfFrames: d.numberOfFrames, syntax: f.transferSyntax)
    var out: [UInt8] = []
    var pi = d.photometricInterpretation
    for fr in frames {
        let dec = try codec.decode(fr, description: d, syntax: f.transferSyntax)
        XCTAssertEqual(dec.planarConfiguration, 0)
        pi = dec.photometricInterpretation
        out += dec.bytes
    }
    return (out, d, pi)
}

/// Runs a peer tool and returns its output; a non-zero exit is an error carrying the output.
@discardableResult
func runTool(_ tool: String, _ args: [String]) throws -> String {
    let r = try runProcess(tool, args)
    if r.status != 0 { throw SupportError(tool, "exited \(r.status): \(r.output.prefix(500))") }
    return r.output
}

func codecTempDir() throws -> URL { try tempDir("dicom-media-codec") }

/// A minimal Secondary Capture data set around encapsulated or native frames, for the external decoders;
/// `patient` (NAME^Test, ID NAME) when given.
func secondaryCapture(_ d: PixelDescription, pixelData: DataElement, patient: String? = nil) -> DataSet {
    var ds = DataSet()
    ds.setString(.sopClassUID, .UI, "1.2.840.10008.5.1.4.1.1.7")
    ds.setString(.sopInstanceUID, .UI, UID.make())
    ds.setString(.modality, .CS, "OT")
    if let patient {
        ds.setString(.patientName, .PN, patient + "^Test")
        ds.setString(.patientID, .LO, patient.uppercased())
    }
    ds.setString(.studyInstanceUID, .UI, UID.make())
    ds.setString(.seriesInstanceUID, .UI, UID.make())
    ds.setUInt16(.samplesPerPixel, [UInt16(d.samplesPerPixel)])
    ds.setString(.photometricInterpretation, .CS, d.photometricInterpretation)
    if d.samplesPerPixel > 1 { ds.setUInt16(.planarConfiguration, [UInt16(d.planarConfiguration)]) }
    if d.numberOfFrames > 1 { ds.setString(.numberOfFrames, .IS, String(d.numberOfFrames)) }
    ds.setUInt16(.rows, [UInt16(d.rows)])
    ds.setUInt16(.columns, [UInt16(d.columns)])
    ds.setUInt16(.bitsAllocated, [UInt16(d.bitsAllocated)])
    ds.setUInt16(.bitsStored, [UInt16(d.bitsStored)])
    ds.setUInt16(.highBit, [UInt16(d.highBit)])
    ds.setUInt16(.pixelRepresentation, [UInt16(d.pixelRepresentation)])
    ds.set(pixelData)
    return ds
}

/// Keeps the low `bitsStored` bits of each word and sign-extends signed data (the normal form of PS3.5 §8.1.1).
func normalised(_ b: [UInt8], _ d: PixelDescription) -> [UInt8] {
    let bps = d.bytesPerSample
    guard d.bitsStored < bps * 8 else { return b }
    var out = b
    var i = 0
    while i + bps <= out.count {
        var v: UInt64 = 0
        for k in 0..<bps { v |= UInt64(out[i + k]) << (8 * k) }
        let shift = 64 - d.bitsStored
        v = d.isSigned ? UInt64(bitPattern: Int64(bitPattern: v << shift) >> shift) : (v << shift) >> shift
        for k in 0..<bps { out[i + k] = UInt8(truncatingIfNeeded: v >> (8 * k)) }
        i += bps
    }
    return out
}

/// A failure of the test support itself (a missing file or tool), not of the code under test.
struct SupportError: Error, CustomStringConvertible {
    var description: String
    init(_ who: String, _ what: String) { description = "\(who): \(what)" }
}

/// The code of a `PixelError`, nil for any other error: tests match codes, never message text.
func pixelCode(_ e: any Error) -> PixelError.Code? { (e as? PixelError)?.code }

/// The library whose failed call is the cause of a `PixelError`.
func failedLibrary(_ e: any Error) -> String? { ((e as? PixelError)?.cause as? LibraryCallError)?.library }
