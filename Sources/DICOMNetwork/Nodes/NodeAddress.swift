import DICOMCore

/// What `--to`/`--from` accept: `AE@host:port` (an IPv6 address in brackets), an `http(s)://.../dicom-web`
/// base URL, or the name of a node in nodes.json.
public enum NodeAddress {
    /// The node `text` designates; names are looked up in `directory`. Errors: `node-address`, `ae-title`, `unknown-node`.
    public static func parse(_ text: String, directory: NodeDirectory = NodeDirectory()) throws(NetworkError) -> Node {
        let lower = text.lowercased()
        if lower.hasPrefix("http://") || lower.hasPrefix("https://") {
            guard let u = Node.checkedBaseURL(text) else {
                throw NetworkError(.nodeAddress, "\"\(text)\" is not a DICOMweb base URL (http(s)://host[:port]/path, no query)")
            }
            return Node(dicomweb: u)
        }
        if let at = text.lastIndex(of: "@") {
            let ae = try AETitle(String(text[..<at]))
            let (host, port) = try hostAndPort(String(text[text.index(after: at)...]), whole: text)
            return Node(aeTitle: ae, host: host, port: port)
        }
        guard isNodeName(text) else {
            throw NetworkError(.nodeAddress, "\"\(text)\" is neither AE@host:port, an http(s):// URL nor a node name")
        }
        guard let n = directory[text] else {
            let known = directory.nodes.compactMap(\.name)
            let from = directory.path.map { " in \($0)" } ?? " (no nodes file)"
            throw NetworkError(
                .unknownNode, "no node named \"\(text)\"\(from)" + (known.isEmpty ? "" : "; known: " + known.joined(separator: ", ")),
                context: ErrorContext(path: directory.path, component: text))
        }
        return n
    }

    /// `host:port` or `[IPv6]:port`.
    static func hostAndPort(_ s: String, whole: String) throws(NetworkError) -> (String, Int) {
        let bad = NetworkError(.nodeAddress, "\"\(whole)\" is not AE@host:port (an IPv6 address goes in brackets: AE@[::1]:104)")
        let hostPart: Substring, portPart: Substring
        if s.hasPrefix("[") {
            guard let close = s.firstIndex(of: "]"), s[s.index(after: close)...].hasPrefix(":") else { throw bad }
            hostPart = s[...close]
            portPart = s[s.index(close, offsetBy: 2)...]
        } else {
            guard let colon = s.lastIndex(of: ":") else { throw bad }
            hostPart = s[..<colon]
            portPart = s[s.index(after: colon)...]
            if hostPart.contains(":") { throw bad }
        }
        guard let host = checkedHost(String(hostPart)) else { throw bad }
        guard portPart.allSatisfy(\.isASCII), let port = Int(portPart), (1...65535).contains(port), !portPart.hasPrefix("+") else {
            throw NetworkError(.nodeAddress, "\"\(whole)\": the port must be an integer from 1 to 65535")
        }
        return (host, port)
    }

    /// A host name (RFC 1123 letters, digits, '-', '.'), an IPv4 address, or an IPv6 address (brackets optional),
    /// returned without brackets; nil when it is none of these.
    public static func checkedHost(_ s: String) -> String? {
        var h = Substring(s)
        if h.hasPrefix("["), h.hasSuffix("]") { h = h.dropFirst().dropLast() }
        guard !h.isEmpty, h.utf8.count <= 253 else { return nil }
        if h.contains(":") {
            let ok = h.utf8.allSatisfy { $0 == 0x3A || $0 == 0x2E || ($0 >= 0x30 && $0 <= 0x39) || (0x61...0x66).contains($0 | 0x20) }
            return ok && h.utf8.count >= 2 ? String(h) : nil
        }
        let ok = h.utf8.allSatisfy { $0 == 0x2D || $0 == 0x2E || ($0 >= 0x30 && $0 <= 0x39) || (0x61...0x7A).contains($0 | 0x20) }
        return ok && !h.hasPrefix("-") && !h.hasPrefix(".") && !h.contains("..") ? String(h) : nil
    }

    /// True for a node name: letters, digits, '.', '_' and '-', not starting with '-'.
    public static func isNodeName(_ s: String) -> Bool {
        guard !s.isEmpty, !s.hasPrefix("-") else { return false }
        return s.utf8.allSatisfy { $0 == 0x2D || $0 == 0x2E || $0 == 0x5F || ($0 >= 0x30 && $0 <= 0x39) || (0x61...0x7A).contains($0 | 0x20) }
    }
}
