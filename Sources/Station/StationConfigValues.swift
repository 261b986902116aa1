import DICOMCore
import DICOMNetwork

/// The value readers behind ``StationConfigReader``: each names the member's path in its error.
extension StationConfigReader {
    func bad(_ m: JSONText.Member, _ at: String, _ message: String, code: StationError.Code = .configValue) -> StationError {
        StationError(request ? .badRequest : code, (at.isEmpty ? "" : at + ": ") + message, context: ErrorContext(path: path, line: m.line, component: at))
    }

    /// The members of an object, by key; an unknown or repeated key, or a missing required one, is an error.
    func object(_ m: JSONText.Member, _ at: String, keys: [String], required: [String]) throws(StationError) -> [String: JSONText.Member] {
        guard case .object(let members) = m.value else { throw bad(m, at, "must be an object, not \(m.value.typeName)") }
        var out: [String: JSONText.Member] = [:]
        for f in members {
            let name = at.isEmpty ? f.key : at + "." + f.key
            guard keys.contains(f.key) else {
                throw bad(f, name, "unknown key \"\(f.key)\" (known: \(keys.joined(separator: ", ")))", code: .configUnknownKey)
            }
            guard out[f.key] == nil else { throw bad(f, name, "is given twice") }
            out[f.key] = f
        }
        if let missing = required.first(where: { out[$0] == nil }) {
            throw bad(m, at.isEmpty ? missing : at + "." + missing, "is required")
        }
        return out
    }

    func array(_ m: JSONText.Member, _ at: String) throws(StationError) -> [JSONText.Member] {
        guard case .array(let items) = m.value else { throw bad(m, at, "must be an array, not \(m.value.typeName)") }
        return items.map { JSONText.Member(key: m.key, value: $0, line: m.line) }
    }

    func text(_ m: JSONText.Member, _ at: String) throws(StationError) -> String {
        guard case .string(let s) = m.value, !s.isEmpty else { throw bad(m, at, "must be a non-empty string, not \(m.value.typeName)") }
        return s
    }

    func integer(_ m: JSONText.Member, _ at: String, _ range: ClosedRange<Int>) throws(StationError) -> Int {
        guard case .number(let n) = m.value, let i = Int(n), range.contains(i) else {
            throw bad(m, at, "must be an integer from \(range.lowerBound) to \(range.upperBound)")
        }
        return i
    }

    func bool(_ m: JSONText.Member, _ at: String) throws(StationError) -> Bool {
        guard case .bool(let b) = m.value else { throw bad(m, at, "must be true or false") }
        return b
    }

    func choice<C: RawRepresentable & CaseIterable>(_ m: JSONText.Member, _ at: String, _ type: C.Type) throws(StationError) -> C
    where C.RawValue == String {
        let s = try text(m, at)
        guard let c = C(rawValue: s) else {
            throw bad(m, at, "\"\(s)\" is not one of \(C.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        return c
    }

    func ae(_ m: JSONText.Member, _ at: String) throws(StationError) -> AETitle {
        let s = try text(m, at)
        do { return try AETitle(s) } catch { throw bad(m, at, error.message) }
    }

    /// An absolute path with no empty, `.` or `..` segment (trailing slashes dropped).
    func absolute(_ m: JSONText.Member, _ at: String) throws(StationError) -> String {
        let s = try text(m, at)
        guard let p = Self.plainAbsolute(s) else {
            throw bad(m, at, "\"\(s)\" must be an absolute path without \".\" or \"..\" segments")
        }
        return p
    }

    /// An absolute path under one of `roots`.
    func under(_ m: JSONText.Member, _ at: String, _ roots: [String]) throws(StationError) -> String {
        let p = try absolute(m, at)
        guard roots.contains(where: { Self.isWithin(p, $0) }) else {
            throw bad(m, at, "\(p) is not under any of the roots (\(roots.joined(separator: ", ")))")
        }
        return p
    }

    func destination(_ m: JSONText.Member, _ at: String, _ c: StationConfig) throws(StationError) -> StationConfig.Destination {
        let s = try text(m, at)
        return s == "store" ? .store : .node(try node(m, at, c))
    }

    /// The name of a node of `nodes`.
    func node(_ m: JSONText.Member, _ at: String, _ c: StationConfig) throws(StationError) -> String {
        let s = try text(m, at)
        guard c.nodes[s] != nil else {
            let known = c.nodes.nodes.compactMap(\.name)
            throw bad(m, at, "\"\(s)\" is not a node of \"nodes\"" + (known.isEmpty ? " (none is defined)" : " (known: \(known.joined(separator: ", ")))"))
        }
        return s
    }

    /// `path` without a trailing slash, when it is absolute and has no empty, `.` or `..` segment.
    static func plainAbsolute(_ path: String) -> String? {
        guard path.hasPrefix("/"), !path.contains("\0") else { return nil }
        var p = Substring(path)
        while p.count > 1, p.hasSuffix("/") { p = p.dropLast() }
        if p == "/" { return "/" }
        let segments = p.dropFirst().split(separator: "/", omittingEmptySubsequences: false)
        guard !segments.contains(where: { $0.isEmpty || $0 == "." || $0 == ".." }) else { return nil }
        return String(p)
    }

    /// True when `path` is `root` or inside it (both plain absolute paths).
    static func isWithin(_ path: String, _ root: String) -> Bool {
        root == "/" || path == root || path.hasPrefix(root + "/")
    }
}
