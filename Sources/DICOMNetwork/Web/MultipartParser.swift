import DICOMCore

/// What the multipart parser found in the bytes fed so far.
public enum MultipartEvent: Sendable, Equatable {
    /// A part begins; its header fields, names lower-cased, in order.
    case partBegin(headers: [MultipartHeader])
    /// Bytes of the current part's body (a part's body may come in many of these).
    case body([UInt8])
    /// The current part's body ended at a delimiter.
    case partEnd
}

/// One header field of a body part (RFC 2045 §3 / RFC 5322 syntax), the name lower-cased.
public struct MultipartHeader: Sendable, Equatable {
    public var name: String
    public var value: String
    public init(name: String, value: String) { self.name = name; self.value = value }
}

/// A streaming multipart parser (RFC 2046 §5.1.1): bytes in any chunks, events out; the preamble and the
/// epilogue are ignored, transport padding after a delimiter is skipped, a delimiter is CRLF "--" boundary
/// (the first may start the body), a part ends at the CRLF before the next delimiter. A body part is
/// never held whole: only the last delimiter-length bytes wait for the next chunk.
public struct MultipartParser: Sendable {
    enum State { case preamble, afterDelimiter, headers, body, epilogue }

    let delimiter: [UInt8]
    public let maxHeaderBytes: Int
    public let maxPartBytes: Int
    public let maxParts: Int
    var state = State.preamble
    var buffer: [UInt8] = [0x0D, 0x0A]
    var start = 0
    /// The stream offset of `buffer[0]` (the leading CRLF that lets the first delimiter start the body is at -2).
    var base = -2
    var headers: [MultipartHeader] = []
    var headerBytes = 0
    var partBytes = 0
    public private(set) var partCount = 0

    public init(boundary: String, maxHeaderBytes: Int = 16 << 10, maxPartBytes: Int = Int.max, maxParts: Int = Int.max) {
        delimiter = Array(("\r\n--" + boundary).utf8)
        self.maxHeaderBytes = maxHeaderBytes; self.maxPartBytes = maxPartBytes; self.maxParts = maxParts
    }

    /// True once the close delimiter has been read.
    public var isComplete: Bool { state == .epilogue }

    func malformed(_ message: String, at index: Int) -> NetworkError {
        NetworkError(.multipartMalformed, message, context: ErrorContext(offset: max(0, base + index), rule: "RFC 2046 §5.1.1"))
    }

    /// Parses `chunk` after the bytes fed before; returns the events it completes.
    public mutating func feed(_ chunk: some Collection<UInt8>) throws(NetworkError) -> [MultipartEvent] {
        if state == .epilogue { return [] }
        if start > 0, start >= buffer.count / 2 {
            buffer.removeFirst(start); base += start; start = 0
        }
        buffer.append(contentsOf: chunk)
        var events: [MultipartEvent] = []
        while try step(&events) {}
        return events
    }

    /// Checks that the body ended with its close delimiter.
    public func finish() throws(NetworkError) {
        guard state == .epilogue else {
            throw malformed(partCount == 0 ? "no multipart boundary found" : "the body ends before the close delimiter", at: buffer.count)
        }
    }

    /// One step of the state machine; false when it needs more bytes.
    mutating func step(_ events: inout [MultipartEvent]) throws(NetworkError) -> Bool {
        switch state {
        case .epilogue:
            buffer = []; start = 0
            return false
        case .preamble:
            if let k = find(delimiter, from: start) {
                start = k + delimiter.count; state = .afterDelimiter
                return true
            }
            start = max(start, buffer.count - delimiter.count + 1)
            return false
        case .afterDelimiter:
            var i = start
            while i < buffer.count, buffer[i] == 0x20 || buffer[i] == 0x09 { i += 1 }
            if i - start > 1024 { throw malformed("more than 1024 bytes of transport padding after a delimiter", at: start) }
            if start + 2 <= buffer.count, buffer[start] == 0x2D, buffer[start + 1] == 0x2D {
                state = .epilogue
                return true
            }
            guard i + 2 <= buffer.count else { return false }
            guard buffer[i] == 0x0D, buffer[i + 1] == 0x0A else { throw malformed("a boundary delimiter not followed by CRLF", at: i) }
            partCount += 1
            if partCount > maxParts { throw NetworkError(.multipartTooLarge, "more than \(maxParts) parts", context: ErrorContext(offset: base + i)) }
            start = i + 2; state = .headers; headers = []; headerBytes = 0
            return true
        case .headers:
            guard let eol = find([0x0D, 0x0A], from: start) else {
                if buffer.count - start + headerBytes > maxHeaderBytes { throw tooLargeHeaders() }
                return false
            }
            headerBytes += eol + 2 - start
            if headerBytes > maxHeaderBytes { throw tooLargeHeaders() }
            let line = buffer[start..<eol]
            start = eol + 2
            if line.isEmpty {
                events.append(.partBegin(headers: headers)); state = .body; partBytes = 0
                return true
            }
            if line.first == 0x20 || line.first == 0x09, !headers.isEmpty {
                headers[headers.count - 1].value += " " + String(decoding: line, as: UTF8.self).trimmed(" \t")
                return true
            }
            guard let colon = line.firstIndex(of: 0x3A), colon > line.startIndex else {
                throw malformed("a part header line without a field name and ':'", at: line.startIndex)
            }
            let name = String(decoding: line[..<colon], as: UTF8.self)
            guard name.allSatisfy({ MediaType.isTokenChar($0) }) else { throw malformed("a bad part header field name", at: line.startIndex) }
            let value = String(decoding: line[(colon + 1)...], as: UTF8.self).trimmed(" \t")
            headers.append(MultipartHeader(name: name.lowercased(), value: value))
            return true
        case .body:
            if let k = find(delimiter, from: start) {
                try emit(upTo: k, &events)
                events.append(.partEnd)
                start = k + delimiter.count; state = .afterDelimiter
                return true
            }
            try emit(upTo: max(start, buffer.count - delimiter.count + 1), &events)
            return false
        }
    }

    func tooLargeHeaders() -> NetworkError {
        NetworkError(.multipartTooLarge, "a part's header fields exceed \(maxHeaderBytes) bytes", context: ErrorContext(offset: base + start))
    }

    mutating func emit(upTo end: Int, _ events: inout [MultipartEvent]) throws(NetworkError) {
        guard end > start else { return }
        partBytes += end - start
        if partBytes > maxPartBytes {
            throw NetworkError(.multipartTooLarge, "a part is larger than \(maxPartBytes) bytes", context: ErrorContext(offset: base + start))
        }
        events.append(.body(Array(buffer[start..<end])))
        start = end
    }

    /// The index of the first occurrence of `needle` in `buffer` at or after `from`.
    func find(_ needle: [UInt8], from: Int) -> Int? {
        let n = needle.count
        guard let first = needle.first, buffer.count - from >= n else { return nil }
        return buffer.withUnsafeBufferPointer { b -> Int? in
            var i = from
            let last = b.count - n
            while i <= last {
                if b[i] == first {
                    var j = 1
                    while j < n, b[i + j] == needle[j] { j += 1 }
                    if j == n { return i }
                }
                i += 1
            }
            return nil
        }
    }
}

extension String {
    /// The text without leading and trailing characters of `set`.
    func trimmed(_ set: String) -> String {
        var s = Substring(self)
        while let f = s.first, set.contains(f) { s = s.dropFirst() }
        while let l = s.last, set.contains(l) { s = s.dropLast() }
        return String(s)
    }
}
