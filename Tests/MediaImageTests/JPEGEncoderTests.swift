import DICOMPixel
import Foundation
import TestSupport
import XCTest
@testable import MediaImage

/// The JPEG files of web renderings, decoded by libjpeg-turbo's own djpeg (the peer): colour stays colour, grey stays grey,
/// and both come back close to what was encoded.
final class JPEGEncoderTests: XCTestCase {
    let width = 64, height = 48

    /// A smooth colour image: red rises left to right, green top to bottom, blue is constant.
    var colourPixels: [UInt8] {
        (0..<(width * height)).flatMap { i -> [UInt8] in [UInt8(i % width * 255 / (width - 1)), UInt8(i / width * 255 / (height - 1)), 96] }
    }

    /// djpeg's decoding of `jpeg` as a PNM (P6 for colour, P5 for greyscale JPEGs).
    func djpeg(_ jpeg: [UInt8]) throws -> PNM {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("jpeg-peer-\(getpid())-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let input = dir.appendingPathComponent("in.jpg").path, output = dir.appendingPathComponent("out.pnm").path
        try Data(jpeg).write(to: URL(fileURLWithPath: input))
        let r = try runProcess("djpeg", ["-pnm", "-outfile", output, input])
        guard r.status == 0 else { throw TestFailure("djpeg: \(r.output)") }
        return try PNM(path: output)
    }

    func testRGBIsAJFIFFile() throws {
        let jpeg = try JPEGEncoder.encodeRGB(colourPixels, width: width, height: height)
        XCTAssertEqual(Array(jpeg.prefix(2)), [0xFF, 0xD8], "SOI")
        XCTAssertEqual(Array(jpeg.suffix(2)), [0xFF, 0xD9], "EOI")
        XCTAssertEqual(Array(jpeg[6..<10]), Array("JFIF".utf8), "APP0 JFIF")
    }

    func testRGBDecodesToColourInDjpeg() throws {
        let jpeg = try JPEGEncoder.encodeRGB(colourPixels, width: width, height: height, quality: 95)
        let decoded = try djpeg(jpeg)
        XCTAssertEqual([decoded.width, decoded.height, decoded.channels], [width, height, 3])
        XCTAssertGreaterThanOrEqual(PNM.psnr(decoded.pixels, colourPixels), 35)
        let differing = stride(from: 0, to: decoded.pixels.count, by: 3).filter { decoded.pixels[$0] != decoded.pixels[$0 + 1] }.count
        XCTAssertGreaterThan(differing, width * height / 2, "the channels differ: a colour image")
    }

    func testRenderedImagesKeepTheirKind() throws {
        let grey = try RenderedImage(width: width, height: height, channels: 1, pixels: (0..<(width * height)).map { UInt8($0 % 256) })
        let greyDecoded = try djpeg(try JPEGEncoder.encode(grey))
        XCTAssertEqual(greyDecoded.channels, 1)
        XCTAssertGreaterThanOrEqual(PNM.psnr(greyDecoded.pixels, grey.pixels), 30)
        let colour = try RenderedImage(width: width, height: height, channels: 3, pixels: colourPixels)
        XCTAssertEqual(try djpeg(try JPEGEncoder.encode(colour)).channels, 3)
    }

    func testAnImageMustHoldItsPixels() {
        XCTAssertThrowsError(try RenderedImage(width: 2, height: 2, channels: 3, pixels: [1, 2, 3])) {
            XCTAssertEqual(($0 as? PixelError)?.code, .invalidDescription)
        }
        XCTAssertThrowsError(try RenderedImage(width: 1, height: 1, channels: 2, pixels: [1, 2])) {
            XCTAssertEqual(($0 as? PixelError)?.code, .invalidDescription)
        }
    }

    func testTooFewPixelsIsInvalidInput() {
        XCTAssertThrowsError(try JPEGEncoder.encodeRGB([1, 2, 3], width: 2, height: 1)) { e in
            XCTAssertEqual((e as? ImageError)?.code, .invalidInput, "\(e)")
            XCTAssertEqual(((e as? ImageError)?.cause as? PixelError)?.code, .shortPixelData)
        }
    }
}
