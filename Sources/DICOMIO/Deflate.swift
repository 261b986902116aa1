import CZlib
import DICOMCore

/// Raw RFC 1951 deflate, as the Deflated Explicit VR Little Endian syntax uses (PS3.5 §A.5).
public enum Deflate {
    /// Inflates raw deflate data; falls back to a zlib-wrapped stream, which some writers produce.
    public static func inflate(_ input: [UInt8]) throws -> [UInt8] {
        try inflate(input, limit: Int.max).bytes
    }

    /// Inflates at most `limit` bytes (streamed in chunks; `too-large` beyond it); `complete` is false when
    /// the stream stopped before its end (a cut file).
    public static func inflate(_ input: [UInt8], limit: Int) throws -> (bytes: [UInt8], complete: Bool) {
        do { return try run(input, windowBits: -15, limit: limit) } catch let e as DICOMIOError {
            if e.code == .tooLarge { throw e }
            if let z = try? run(input, windowBits: 15, limit: limit) { return z }
            throw e
        }
    }

    static func run(_ input: [UInt8], windowBits: Int32, limit: Int) throws -> (bytes: [UInt8], complete: Bool) {
        var stream = z_stream()
        guard inflateInit2_(&stream, windowBits, ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size)) == Z_OK else {
            throw DICOMIOError(.deflate, "zlib inflateInit2 failed")
        }
        defer { inflateEnd(&stream) }
        var out = [UInt8]()
        out.reserveCapacity(min(input.count * 4, limit))
        var chunk = [UInt8](repeating: 0, count: 256 * 1024)
        var input = input
        var over = false
        let status: Int32 = input.withUnsafeMutableBufferPointer { inp in
            stream.next_in = inp.baseAddress
            stream.avail_in = uInt(inp.count)
            var rc: Int32 = Z_OK
            repeat {
                rc = chunk.withUnsafeMutableBufferPointer { c in
                    stream.next_out = c.baseAddress
                    stream.avail_out = uInt(c.count)
                    return CZlib.inflate(&stream, Z_NO_FLUSH)
                }
                let produced = chunk.count - Int(stream.avail_out)
                if produced > limit - out.count { over = true; break }
                out.append(contentsOf: chunk[0..<produced])
                if rc == Z_BUF_ERROR && stream.avail_in == 0 { break }
            } while rc == Z_OK
            return rc
        }
        if over { throw DICOMIOError(.tooLarge, "inflates to more than \(limit) bytes") }
        guard status == Z_STREAM_END || (status == Z_BUF_ERROR && !out.isEmpty) else {
            let z = ZlibStatus(code: status, message: stream.msg.map { String(cString: $0) })
            throw DICOMIOError(.deflate, "zlib: \(z.message ?? "code \(status)")", cause: z)
        }
        return (out, status == Z_STREAM_END)
    }

    /// Deflates to a raw RFC 1951 stream (no zlib header), padded to even length (PS3.5 §A.5).
    public static func deflate(_ input: [UInt8], level: Int32 = 6) throws -> [UInt8] {
        var stream = z_stream()
        guard deflateInit2_(&stream, level, Z_DEFLATED, -15, 8, Z_DEFAULT_STRATEGY, ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size)) == Z_OK else {
            throw DICOMIOError(.deflate, "zlib deflateInit2 failed")
        }
        defer { deflateEnd(&stream) }
        var out = [UInt8](repeating: 0, count: Int(deflateBound(&stream, uLong(input.count))) + 16)
        var input = input
        let rc: Int32 = input.withUnsafeMutableBufferPointer { inp in
            out.withUnsafeMutableBufferPointer { o in
                stream.next_in = inp.baseAddress; stream.avail_in = uInt(inp.count)
                stream.next_out = o.baseAddress; stream.avail_out = uInt(o.count)
                return CZlib.deflate(&stream, Z_FINISH)
            }
        }
        guard rc == Z_STREAM_END else { throw DICOMIOError(.deflate, "zlib deflate failed with code \(rc)", cause: ZlibStatus(code: rc, message: nil)) }
        out.removeLast(Int(stream.avail_out))
        if out.count & 1 == 1 { out.append(0) }
        return out
    }
}

/// A zlib status code and its message, kept as the `cause` of a `deflate` error.
public struct ZlibStatus: Error, Sendable, Hashable, CustomStringConvertible {
    /// zlib's return code (Z_DATA_ERROR, Z_BUF_ERROR, ...).
    public var code: Int32
    /// zlib's `msg`, when it set one.
    public var message: String?
    public var description: String { "zlib status \(code)" + (message.map { ": " + $0 } ?? "") }
}
