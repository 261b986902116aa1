import DICOMCore
import DICOMNetwork
import TestSupport
import Synchronization
import XCTest

/// The DICOMweb client's failures that need no server: nothing listening, bad URLs and UIDs, unreadable files.
final class WebClientTests: XCTestCase {
    func testNothingListeningIsATransportError() async throws {
        let port = try OrthancServer.freePort()
        var options = DICOMwebClient.Options()
        options.connectTimeout = .seconds(1)
        let client = try DICOMwebClient(baseURL: "http://127.0.0.1:\(port)/dicom-web", options: options)
        do {
            _ = try await client.search(QIDOQuery())
            XCTFail("answered")
        } catch {
            XCTAssertEqual(error.code, .httpTransport)
            XCTAssertEqual(error.context.path, "http://127.0.0.1:\(port)/dicom-web/studies")
            XCTAssertNotNil(error.cause)
        }
        do {
            _ = try await client.store(files: ["/nonexistent/file.dcm"])
            XCTFail("stored")
        } catch {
            XCTAssertEqual(error.code, .webFile)
            XCTAssertEqual(error.context.path, "/nonexistent/file.dcm")
        }
        do {
            _ = try await client.retrieve(study: "1.2/../../etc", into: NSTemporaryDirectory())
            XCTFail("retrieved")
        } catch {
            XCTAssertEqual(error.code, .nodeAddress)
        }
        try await client.shutdown()
        XCTAssertThrowsError(try DICOMwebClient(baseURL: "ftp://h/x")) { XCTAssertEqual(($0 as? NetworkError)?.code, .nodeAddress) }
        XCTAssertThrowsError(try DICOMwebClient(node: Node(aeTitle: try AETitle("A"), host: "h", port: 104))) {
            XCTAssertEqual(($0 as? NetworkError)?.code, .nodeAddress)
        }
    }

    /// The STOW body is the writer's multipart form of the files' bytes, with a known length.
    func testSTOWBodyStreamsTheFiles() async throws {
        let dir = try tempDir("dicom-media-stow").path
        addTeardownBlock { try? FileManager.default.removeItem(atPath: dir) }
        let a = Array(repeating: UInt8(0x41), count: 10000), b = Array("\r\n--C\r\n-B-".utf8)
        XCTAssertTrue(FileManager.default.createFile(atPath: dir + "/a", contents: Data(a)))
        XCTAssertTrue(FileManager.default.createFile(atPath: dir + "/b", contents: Data(b)))
        let body = try STOWBody(files: [dir + "/a", dir + "/b"], boundary: "B", chunkSize: 4096)
        XCTAssertEqual(body.contentType.description, #"multipart/related; type="application/dicom"; boundary="B""#)
        var bytes: [UInt8] = []
        for try await chunk in body { XCTAssertLessThanOrEqual(chunk.readableBytes, 4096); bytes += chunk.readableBytesView }
        XCTAssertEqual(bytes.count, body.length)
        XCTAssertEqual(try WebMultipartTests.parse(bytes, boundary: "B", chunk: 777).map(\.body), [a, b])
        // A file that shrinks between sizing and sending is an error, not a short part.
        let shrinking = try STOWBody(files: [dir + "/a"])
        XCTAssertTrue(FileManager.default.createFile(atPath: dir + "/a", contents: Data([1])))
        do {
            for try await _ in shrinking {}
            XCTFail("sent a short file")
        } catch let e as NetworkError {
            XCTAssertEqual(e.code, .webFile)
        }
    }

    /// Produced parts are made when the body reaches them, sent whole; one of another length than announced is an error.
    func testSTOWBodyProducesPartsWhenSent() async throws {
        let made = Counter()
        let a = Array(repeating: UInt8(0x42), count: 5000)
        let body = try STOWBody(
            parts: [
                .produced(
                    name: "a", length: a.count,
                    make: {
                        made.add(); return a
                    }), .produced(name: "c", length: 3, make: { [1, 2, 3] }),
            ],
            boundary: "B")
        XCTAssertEqual(made.value, 0)
        var bytes: [UInt8] = []
        for try await chunk in body { bytes += chunk.readableBytesView }
        XCTAssertEqual(made.value, 1)
        XCTAssertEqual(bytes.count, body.length)
        XCTAssertEqual(try WebMultipartTests.parse(bytes, boundary: "B", chunk: 333).map(\.body), [a, [1, 2, 3]])
        let wrong = try STOWBody(parts: [.produced(name: "x.dcm", length: 4, make: { [1, 2] })])
        do {
            for try await _ in wrong {}
            XCTFail("sent a part of another length than announced")
        } catch let e as NetworkError {
            XCTAssertEqual(e.code, .webFile)
            XCTAssertEqual(e.context.path, "x.dcm")
        }
    }

    final class Counter: Sendable {
        let count = Mutex(0)
        func add() { count.withLock { $0 += 1 } }
        var value: Int { count.withLock { $0 } }
    }
}
