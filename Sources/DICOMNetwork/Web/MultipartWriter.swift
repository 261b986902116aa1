import DICOMCore

/// Writes a multipart body (RFC 2046 §5.1.1; multipart/related, RFC 2387) piece by piece, so the caller
/// streams each part's body between `partHead` and the next call: no part is held in memory.
public struct MultipartWriter: Sendable {
    public let boundary: String
    /// The number of parts begun.
    public private(set) var partCount = 0

    /// A writer with `boundary` (1-70 characters of RFC 2046's bchars, not ending in a space); a bad one is `multipart-malformed`.
    public init(boundary: String = MultipartWriter.randomBoundary()) throws(NetworkError) {
        guard Self.isValidBoundary(boundary) else {
            throw NetworkError(.multipartMalformed, "\"\(boundary)\" is not a valid multipart boundary", context: ErrorContext(rule: "RFC 2046 §5.1.1"))
        }
        self.boundary = boundary
    }

    /// A boundary of 32 random hexadecimal digits after a fixed prefix.
    public static func randomBoundary() -> String {
        var g = SystemRandomNumberGenerator()
        return "DICOMMedia-"
            + (0..<2).map { _ in
                let h = String(g.next() as UInt64, radix: 16)
                return String(repeating: "0", count: 16 - h.count) + h
            }.joined()
    }

    /// RFC 2046 §5.1.1: 1-70 of `DIGIT / ALPHA / '()+_,-./:=? ` and space, the last not a space.
    public static func isValidBoundary(_ b: String) -> Bool {
        guard !b.isEmpty, b.utf8.count <= 70, !b.hasSuffix(" ") else { return false }
        return b.unicodeScalars.allSatisfy { c in
            c.isASCII && (c.properties.isAlphabetic || ("0"..."9").contains(c) || "'()+_,-./:=? ".unicodeScalars.contains(c))
        }
    }

    /// The Content-Type of the whole body: `multipart/related; type="ROOT"; boundary="B"` (values quoted).
    public func contentType(rootType: String) -> MediaType {
        MediaType("multipart", "related", parameters: [("type", rootType), ("boundary", boundary)])
    }

    /// The bytes before a part's body: the delimiter (after a CRLF, except before the first part) and the part's header fields.
    public mutating func partHead(headers: [(name: String, value: String)]) -> [UInt8] {
        var s = (partCount == 0 ? "" : "\r\n") + "--" + boundary + "\r\n"
        for h in headers { s += h.name + ": " + h.value + "\r\n" }
        s += "\r\n"
        partCount += 1
        return Array(s.utf8)
    }

    /// The close delimiter that ends the body.
    public func close() -> [UInt8] { Array(((partCount == 0 ? "" : "\r\n") + "--" + boundary + "--\r\n").utf8) }
}
