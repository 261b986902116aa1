import DICOMCore
import DICOMNetwork
import XCTest

/// The multipart writer and streaming parser (RFC 2046 §5.1.1), without HTTP.
final class WebMultipartTests: XCTestCase {
    struct Part: Equatable {
        var headers: [MultipartHeader]
        var body: [UInt8]
    }

    /// Feeds `bytes` in chunks of `size` and collects the parts.
    static func parse(_ bytes: [UInt8], boundary: String, chunk size: Int, maxPart: Int = .max) throws -> [Part] {
        var p = MultipartParser(boundary: boundary, maxPartBytes: maxPart)
        var parts: [Part] = []
        var open = false
        var i = 0
        while i < bytes.count {
            let end = min(bytes.count, i + size)
            for e in try p.feed(bytes[i..<end]) {
                switch e {
                case .partBegin(let h): XCTAssertFalse(open); parts.append(Part(headers: h, body: [])); open = true
                case .body(let b): XCTAssertTrue(open); XCTAssertFalse(b.isEmpty); parts[parts.count - 1].body += b
                case .partEnd: XCTAssertTrue(open); open = false
                }
            }
            i = end
        }
        try p.finish()
        XCTAssertFalse(open)
        return parts
    }

    static func written(_ bodies: [[UInt8]], boundary: String) throws -> [UInt8] {
        var w = try MultipartWriter(boundary: boundary)
        var out: [UInt8] = []
        for b in bodies { out += w.partHead(headers: [("Content-Type", "application/dicom")]) + b }
        return out + w.close()
    }

    func testWriterOutputIsRFC2046() throws {
        let bytes = try Self.written([Array("ab".utf8), Array("cd".utf8)], boundary: "XYZ")
        XCTAssertEqual(
            String(decoding: bytes, as: UTF8.self),
            "--XYZ\r\nContent-Type: application/dicom\r\n\r\nab\r\n--XYZ\r\nContent-Type: application/dicom\r\n\r\ncd\r\n--XYZ--\r\n")
        let w = try MultipartWriter(boundary: "XYZ")
        XCTAssertEqual(w.contentType(rootType: "application/dicom").description, #"multipart/related; type="application/dicom"; boundary="XYZ""#)
        XCTAssertTrue(MultipartWriter.isValidBoundary(MultipartWriter.randomBoundary()))
        for bad in ["", String(repeating: "a", count: 71), "ends ", "quo\"te", "naïve"] {
            XCTAssertThrowsError(try MultipartWriter(boundary: bad), bad) { XCTAssertEqual(($0 as? NetworkError)?.code, .multipartMalformed) }
        }
    }

    /// Bodies that hold CRLFs, dashes and near-boundaries, split at every chunk size: the same parts come back.
    func testRoundTripAtEveryChunkSize() throws {
        var rng = SystemRandomNumberGenerator()
        let random = (0..<3000).map { _ in UInt8.random(in: 0...255, using: &rng) }
        let bodies: [[UInt8]] = [
            [], Array("\r\n".utf8), Array("\r\n--BOUNDAR".utf8), Array("--BOUNDARY".utf8), Array("x\r\n-\r\n--\r\n--BOUNDAR\r".utf8), random,
        ]
        let bytes = try Self.written(bodies, boundary: "BOUNDARY")
        for size in [1, 2, 3, 5, 7, 11, 12, 13, 64, 1000, bytes.count] {
            let parts = try Self.parse(bytes, boundary: "BOUNDARY", chunk: size)
            XCTAssertEqual(parts.map(\.body), bodies, "chunk \(size)")
            XCTAssertEqual(parts.first?.headers, [MultipartHeader(name: "content-type", value: "application/dicom")])
        }
    }

    func testPreambleEpilogueTransportPaddingAndHeaders() throws {
        let text =
            "This is the preamble.\r\n--b1 \t\r\nContent-Type: application/dicom;\r\n transfer-syntax=1.2.840.10008.1.2.1\r\nX-A:v\r\n\r\n"
            + "body one\r\n--b1\r\n\r\nno headers\r\n--b1--   \r\nThis is the epilogue, ignored --b1\r\n"
        for size in [1, 4, 1000] {
            let parts = try Self.parse(Array(text.utf8), boundary: "b1", chunk: size)
            XCTAssertEqual(parts.count, 2)
            XCTAssertEqual(
                parts[0].headers,
                [
                    MultipartHeader(name: "content-type", value: "application/dicom; transfer-syntax=1.2.840.10008.1.2.1"),
                    MultipartHeader(name: "x-a", value: "v"),
                ])
            XCTAssertEqual(parts[0].body, Array("body one".utf8))
            XCTAssertEqual(parts[1].headers, [])
            XCTAssertEqual(parts[1].body, Array("no headers".utf8))
        }
        // The first delimiter after a preamble needs its CRLF: "x--b1" inside the preamble is not one.
        let p = try Self.parse(Array("x--b1\r\n--b1\r\n\r\nB\r\n--b1--".utf8), boundary: "b1", chunk: 2)
        XCTAssertEqual(p.map(\.body), [Array("B".utf8)])
    }

    func testMalformedBodiesAreErrors() throws {
        let cases: [(String, NetworkError.Code)] = [
            ("no boundary at all", .multipartMalformed),
            ("--b1\r\n\r\nunterminated", .multipartMalformed),
            ("--b1\r\n\r\nA\r\n--b1", .multipartMalformed),
            ("--b1x\r\n\r\nA\r\n--b1--", .multipartMalformed),
            ("--b1\r\nno colon\r\n\r\nA\r\n--b1--", .multipartMalformed),
            ("--b1\r\n: empty name\r\n\r\nA\r\n--b1--", .multipartMalformed),
            ("--b1\r\n\r\nA\r\n--b1" + String(repeating: " ", count: 2000) + "\r\n\r\n--b1--", .multipartMalformed),
            ("--b1\r\nX: " + String(repeating: "h", count: 20000) + "\r\n\r\nA\r\n--b1--", .multipartTooLarge),
        ]
        for (text, code) in cases {
            for size in [1, 1000] {
                XCTAssertThrowsError(try Self.parse(Array(text.utf8), boundary: "b1", chunk: size), text) {
                    XCTAssertEqual(($0 as? NetworkError)?.code, code, "\(text.prefix(40)) \($0)")
                }
            }
        }
        let big = try Self.written([Array(repeating: 7, count: 100)], boundary: "b1")
        XCTAssertThrowsError(try Self.parse(big, boundary: "b1", chunk: 9, maxPart: 99)) { XCTAssertEqual(($0 as? NetworkError)?.code, .multipartTooLarge) }
        XCTAssertEqual(try Self.parse(big, boundary: "b1", chunk: 9, maxPart: 100).first?.body.count, 100)
        var two = MultipartParser(boundary: "b1", maxParts: 1)
        XCTAssertThrowsError(try two.feed(try Self.written([[1], [2]], boundary: "b1"))) { XCTAssertEqual(($0 as? NetworkError)?.code, .multipartTooLarge) }
    }

    func testMediaTypes() throws {
        let q = try XCTUnwrap(MediaType.parse(#"Multipart/Related; type="application/dicom"; Boundary="a b\"c""#))
        XCTAssertEqual(q.essence, "multipart/related")
        XCTAssertEqual(q.parameter("type"), "application/dicom")
        XCTAssertEqual(q.parameter("boundary"), "a b\"c")
        let u = try XCTUnwrap(MediaType.parse("multipart/related;type=application/dicom;boundary=XyZ-1 ;"))
        XCTAssertEqual(u.parameter("type"), "application/dicom")
        XCTAssertEqual(u.parameter("boundary"), "XyZ-1")
        XCTAssertEqual(MediaType.parse(u.description), u)
        for bad in ["", "text", "text/", "a/b; c", "a/b; c=\"open", "a/b x"] { XCTAssertNil(MediaType.parse(bad), bad) }
    }
}
