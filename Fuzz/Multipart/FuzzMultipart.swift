// libFuzzer entry point for the DICOMweb decoders (built only by `FUZZ_TARGET=multipart scripts/fuzz.sh`,
// from Fuzz/Package.swift with `-sanitize=fuzzer,address`).
//
// The first byte is a control byte, the rest a response body from a server:
//  * the body parsed as multipart/related (RFC 2046 §5.1.1, boundary "xyzzy") once whole and once in chunks of
//    1-63 bytes (control & 0x3F; 0 = byte by byte): both refuse, or both give the same parts (headers and
//    body bytes), and no part exceeds the parser's part limit (4 KiB when control & 0x80);
//  * the body's first line parsed as a Content-Type (MediaType.parse): what parses prints and parses to itself;
//  * the body decoded as a DICOM JSON array (PS3.18 Annex F): refused with a NetworkError or decoded.
import DICOMNetwork

/// One part as the parser reports it: its headers and its body bytes joined.
struct Part: Equatable {
    var headers: [MultipartHeader]
    var body: [UInt8] = []
}

/// The parts of `bytes` fed in chunks of `chunk` bytes, or nil when the parser refuses them.
func parts(_ bytes: [UInt8], chunk: Int, maxPartBytes: Int) -> [Part]? {
    var parser = MultipartParser(boundary: "xyzzy", maxHeaderBytes: 1024, maxPartBytes: maxPartBytes, maxParts: 64)
    var result: [Part] = []
    var i = 0
    do {
        repeat {
            for event in try parser.feed(bytes[i..<min(bytes.count, i + chunk)]) {
                switch event {
                case .partBegin(let headers): result.append(Part(headers: headers))
                case .body(let b):
                    precondition(!result.isEmpty, "body bytes before a part began")
                    result[result.count - 1].body += b
                    precondition(result[result.count - 1].body.count <= maxPartBytes, "a part over the limit was delivered")
                case .partEnd: precondition(!result.isEmpty, "a part ended before it began")
                }
            }
            i += chunk
        } while i < bytes.count
        try parser.finish()
    } catch { return nil }
    precondition(result.count <= 64, "more parts than the limit")
    return result
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    guard size > 0 else { return 0 }
    let control = data[0]
    let bytes = Array(UnsafeBufferPointer(start: data + 1, count: size - 1))
    let limit = control & 0x80 != 0 ? 4096 : Int.max

    let whole = parts(bytes, chunk: max(bytes.count, 1), maxPartBytes: limit)
    let chunked = parts(bytes, chunk: max(Int(control & 0x3F), 1), maxPartBytes: limit)
    precondition(whole == chunked, "chunking changed the result")

    let firstLine = bytes.prefix(while: { $0 != 0x0A && $0 != 0x0D })
    if let text = String(validating: firstLine, as: UTF8.self), let type = MediaType.parse(text) {
        precondition(MediaType.parse(type.description) == type, "\(text) does not round-trip")
    }

    var decoder = DICOMJSONDecoder(bulkData: control & 0x40 != 0 ? .skip : .refuse)
    _ = try? decoder.decodeArray(bytes)
    return 0
}
