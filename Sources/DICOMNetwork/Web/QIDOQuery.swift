import DICOMCore

/// A QIDO-RS search (PS3.18 §10.6): the resource searched and its query parameters.
public struct QIDOQuery: Sendable, Equatable {
    /// The searched resource (PS3.18 Table 10.6.1-2).
    public enum Level: Sendable, Equatable {
        case studies
        case series(study: String?)
        case instances(study: String?, series: String?)
    }
    public var level: Level
    /// Matching attributes, by keyword or `GGGGEEEE` (e.g. `PatientID`, `StudyDate`=`20200101-20201231`).
    public var match: [(key: String, value: String)]
    /// `includefield` values: keywords, tags, or `all`.
    public var includeFields: [String]
    public var fuzzyMatching: Bool
    public var limit: Int?
    public var offset: Int?

    public init(
        level: Level = .studies, match: [(key: String, value: String)] = [], includeFields: [String] = [], fuzzyMatching: Bool = false,
        limit: Int? = nil, offset: Int? = nil
    ) {
        self.level = level; self.match = match; self.includeFields = includeFields; self.fuzzyMatching = fuzzyMatching
        self.limit = limit; self.offset = offset
    }

    public static func == (a: QIDOQuery, b: QIDOQuery) -> Bool { (try? a.target()) == (try? b.target()) && a.level == b.level }

    /// `*` and `?`, the wildcards of a matching key (PS3.4 C.2.2.2.4), sent as they are: RFC 3986 allows both in a query,
    /// and a server may take `%2A` for a literal asterisk.
    static let wildcards: Set<UInt8> = [0x2A, 0x3F]

    /// The path and query after the base URL, e.g. `/studies?PatientID=X&limit=10`; a UID that is not one is `node-address`.
    public func target() throws(NetworkError) -> String {
        var path: String
        switch level {
        case .studies: path = "/studies"
        case .series(let st): path = try (st.map { u throws(NetworkError) in "/studies/" + (try QIDOQuery.checkedUID(u)) } ?? "") + "/series"
        case .instances(let st, let se):
            path = try st.map { u throws(NetworkError) in "/studies/" + (try QIDOQuery.checkedUID(u)) } ?? ""
            if let se { path += "/series/" + (try QIDOQuery.checkedUID(se)) }
            path += "/instances"
        }
        var q: [String] = match.map { percentEncoded($0.key) + "=" + percentEncoded($0.value, keeping: Self.wildcards) }
        q += includeFields.map { "includefield=" + percentEncoded($0) }
        if fuzzyMatching { q.append("fuzzymatching=true") }
        if let limit { q.append("limit=\(limit)") }
        if let offset { q.append("offset=\(offset)") }
        return q.isEmpty ? path : path + "?" + q.joined(separator: "&")
    }

    /// A UID for a URL path segment: 1-64 digits and dots (PS3.5 §9.1); anything else is refused.
    public static func checkedUID(_ uid: String) throws(NetworkError) -> String {
        guard !uid.isEmpty, uid.utf8.count <= 64, uid.utf8.allSatisfy({ $0 == 0x2E || (0x30...0x39).contains($0) }) else {
            throw NetworkError(.nodeAddress, "\"\(uid)\" is not a UID (digits and dots, at most 64)", context: ErrorContext(rule: "PS3.5 §9.1"))
        }
        return uid
    }
}

/// `text` with every byte but RFC 3986's unreserved characters (and `keeping`) percent-encoded.
func percentEncoded(_ text: String, keeping: Set<UInt8> = []) -> String {
    var out = ""
    for b in text.utf8 {
        if (0x41...0x5A).contains(b) || (0x61...0x7A).contains(b) || (0x30...0x39).contains(b) || b == 0x2D || b == 0x2E || b == 0x5F || b == 0x7E
            || keeping.contains(b)
        {
            out.unicodeScalars.append(Unicode.Scalar(b))
        } else {
            out += "%" + (b < 16 ? "0" : "") + String(b, radix: 16, uppercase: true)
        }
    }
    return out
}
