import DICOMCore
import DICOMPixel
import XCTest

/// Impossible and hostile image descriptions never trap the renderer: each one renders or throws a `PixelError`.
final class RenderingRobustnessTests: XCTestCase {
    /// A small deterministic generator (xorshift64*), so a failure names a reproducible case; the state must not be 0.
    struct Generator: RandomNumberGenerator {
        var state: UInt64
        mutating func next() -> UInt64 {
            state ^= state >> 12; state ^= state << 25; state ^= state >> 27
            return state &* 2_685_821_657_736_338_717
        }
    }

    func randomImage(_ g: inout Generator) -> DataSet {
        let bits = [1, 8, 16, 32, 12].randomElement(using: &g)!
        let stored = Int.random(in: 0...(bits + 1), using: &g)
        let d = PixelDescription(
            rows: Int.random(in: 1...6, using: &g), columns: Int.random(in: 1...6, using: &g), samplesPerPixel: [1, 3, 2].randomElement(using: &g)!,
            bitsAllocated: bits, bitsStored: stored, highBit: Int.random(in: 0...(bits + 1), using: &g),
            pixelRepresentation: Int.random(in: 0...1, using: &g), planarConfiguration: Int.random(in: 0...1, using: &g),
            photometricInterpretation: ["MONOCHROME1", "MONOCHROME2", "RGB", "YBR_FULL", "YBR_FULL_422", "PALETTE COLOR", "HSV"].randomElement(using: &g)!,
            numberOfFrames: Int.random(in: 1...3, using: &g))
        let length = Int.random(in: 0...(d.rows * d.columns * 3 * 4 * d.numberOfFrames + 2), using: &g)
        var ds = secondaryCapture(d, pixelData: DataElement(tag: .pixelData, vr: .OW, bytes: (0..<length).map { _ in UInt8.random(in: 0...255, using: &g) }))
        let numbers = ["0", "-0", "1", "-1", "1e300", "-1e300", "nan", "inf", "0.5", "40", "400", "65535", "abc"]
        for tag in [Tag.rescaleSlope, .rescaleIntercept, .windowCenter, .windowWidth] where Bool.random(using: &g) {
            ds.setString(tag, .DS, numbers.randomElement(using: &g)!)
        }
        if Bool.random(using: &g) { ds.setString(.pixelSpacing, .DS, [numbers.randomElement(using: &g)!, numbers.randomElement(using: &g)!]) }
        if Bool.random(using: &g) { ds.setString(.voilutFunction, .CS, ["SIGMOID", "LINEAR_EXACT", "X"].randomElement(using: &g)!) }
        func lut() -> DataSet {
            let count = Int.random(in: 0...5, using: &g), first = Int.random(in: 0...65535, using: &g), b = Int.random(in: 0...17, using: &g)
            var item = DataSet()
            item.set(DataElement(tag: .lutDescriptor, vr: .US, bytes: SyntheticImage.words([count, first, b])))
            item.set(DataElement(tag: .lutData, vr: .OW, bytes: (0..<Int.random(in: 0...12, using: &g)).map { _ in UInt8.random(in: 0...255, using: &g) }))
            return item
        }
        if Int.random(in: 0...3, using: &g) == 0 { ds.setSequence(.modalityLUTSequence, [lut()]) }
        if Int.random(in: 0...3, using: &g) == 0 { ds.setSequence(.voilutSequence, [lut()]) }
        if d.photometricInterpretation == "PALETTE COLOR" {
            for (desc, data) in [
                (Tag.redPaletteColorLookupTableDescriptor, Tag.segmentedRedPaletteColorLookupTableData),
                (.greenPaletteColorLookupTableDescriptor, .greenPaletteColorLookupTableData),
                (.bluePaletteColorLookupTableDescriptor, .bluePaletteColorLookupTableData),
            ] {
                let item = lut()
                ds.set(DataElement(tag: desc, vr: .US, bytes: item[.lutDescriptor]!.bytes!))
                ds.set(DataElement(tag: data, vr: .OW, bytes: item[.lutData]!.bytes!))
            }
        }
        return ds
    }

    func testHostileDescriptionsRenderOrThrowPixelErrors() {
        var g = Generator(state: 14)
        var rendered = 0, refused = 0
        for i in 0..<3000 {
            let ds = randomImage(&g)
            let options = RenderOptions(maxSize: [nil, 1, 3, 0].randomElement(using: &g)!, frame: [nil, 1, 2, 4].randomElement(using: &g)!)
            do {
                let out = try ImageRenderer.render(ds, options: options)
                XCTAssertEqual(out.pixels.count, out.width * out.height * out.channels, "case \(i)")
                rendered += 1
            } catch is PixelError {
                refused += 1
            } catch {
                XCTFail("case \(i): \(error) is not a PixelError")
            }
        }
        // Both outcomes happen: the generator reaches valid images as well as refusals.
        XCTAssertGreaterThan(rendered, 40)
        XCTAssertGreaterThan(refused, 100)
    }
}
