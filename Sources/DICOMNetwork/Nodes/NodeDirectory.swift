import DICOMCore
import Foundation

/// The named nodes of `nodes.json`: `{"NAME": {"aeTitle": ..., "host": ..., "port": ..., "tls": ...,
/// "dicomweb": ..., "usernameEnv": ..., "passwordEnv": ..., "tokenEnv": ...}}`. Every bad key or value is a
/// NetworkError naming the file (`context.path`), the node (`context.component`), the key (`context.column`) and its line.
public struct NodeDirectory: Sendable, Equatable {
    /// The nodes in the file's order.
    public var nodes: [Node]
    /// The file they were read from, or nil for none.
    public var path: String?

    public init(nodes: [Node] = [], path: String? = nil) { self.nodes = nodes; self.path = path }

    /// The keys a node may have; any other is refused.
    public static let keys = ["aeTitle", "host", "port", "tls", "dicomweb", "usernameEnv", "passwordEnv", "tokenEnv", "tlsCA", "tlsCertificate", "tlsKey"]

    /// The node named `name`, or nil.
    public subscript(name: String) -> Node? { nodes.first { $0.name == name } }

    /// `$XDG_CONFIG_HOME/dicom-media/nodes.json` (an absolute XDG_CONFIG_HOME), else `$HOME/.config/dicom-media/nodes.json`.
    public static func defaultPath(environment: [String: String] = ProcessInfo.processInfo.environment) -> String? {
        if let x = environment["XDG_CONFIG_HOME"], x.hasPrefix("/") { return x + "/dicom-media/nodes.json" }
        if let h = environment["HOME"], !h.isEmpty { return h + "/.config/dicom-media/nodes.json" }
        return nil
    }

    /// Loads `file` when given (it must exist), else the default file when it exists, else an empty directory.
    public static func load(file: String? = nil, environment: [String: String] = ProcessInfo.processInfo.environment) throws(NetworkError)
        -> NodeDirectory
    {
        if let file { return try load(path: file) }
        guard let p = defaultPath(environment: environment), FileManager.default.fileExists(atPath: p) else { return NodeDirectory() }
        return try load(path: p)
    }

    /// Reads and checks the file at `path`.
    public static func load(path: String) throws(NetworkError) -> NodeDirectory {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw NetworkError(.nodesFile, "cannot read the nodes file", path: path)
        }
        guard data.count <= 1 << 20 else { throw NetworkError(.nodesFile, "the nodes file is larger than 1 MiB", path: path) }
        return try parse(Array(data), path: path)
    }

    /// Parses the text of a nodes file; `path` names it in errors.
    public static func parse(_ bytes: [UInt8], path: String? = nil) throws(NetworkError) -> NodeDirectory {
        let json: JSONText
        do { json = try JSONText.parse(bytes, path: path) } catch { throw NetworkError(.nodesFile, error.message, context: error.context) }
        return try parse(json, path: path)
    }

    /// Reads the nodes of a parsed nodes object (a nodes file, or the `nodes` member of another configuration).
    public static func parse(_ json: JSONText, path: String? = nil) throws(NetworkError) -> NodeDirectory {
        guard case .object(let members) = json else {
            throw NetworkError(.nodesFile, "the nodes file must be one JSON object of named nodes", path: path)
        }
        var nodes: [Node] = []
        for m in members {
            guard NodeAddress.isNodeName(m.key) else {
                throw NetworkError(
                    .nodeBadValue, "node name \"\(m.key)\" must be letters, digits, '.', '_' or '-'",
                    context: ErrorContext(path: path, line: m.line, component: m.key))
            }
            nodes.append(try node(m, path: path))
        }
        return NodeDirectory(nodes: nodes, path: path)
    }

    /// A file path of the nodes file: absolute as given, else relative to the nodes file's folder.
    static func resolved(_ file: String, path: String?) -> String {
        guard !file.hasPrefix("/"), let path, let slash = path.lastIndex(of: "/") else { return file }
        return String(path[...slash]) + file
    }

    static func node(_ m: JSONText.Member, path: String?) throws(NetworkError) -> Node {
        let name = m.key
        func fail(_ code: NetworkError.Code, _ message: String, key: String?, line: Int) -> NetworkError {
            NetworkError(code, "node \"\(name)\": " + message, context: ErrorContext(path: path, line: line, column: key, component: name))
        }
        guard case .object(let fields) = m.value else {
            throw fail(.nodeBadValue, "must be an object, not \(m.value.typeName)", key: nil, line: m.line)
        }
        var node = Node(name: name)
        for f in fields {
            func text() throws(NetworkError) -> String {
                guard case .string(let s) = f.value, !s.isEmpty else {
                    throw fail(.nodeBadValue, "\"\(f.key)\" must be a non-empty string, not \(f.value.typeName)", key: f.key, line: f.line)
                }
                return s
            }
            func envName() throws(NetworkError) -> String {
                let s = try text()
                guard Node.isEnvironmentName(s) else {
                    throw fail(.nodeBadValue, "\"\(f.key)\" must name an environment variable (letters, digits, '_')", key: f.key, line: f.line)
                }
                return s
            }
            switch f.key {
            case "aeTitle":
                do { node.aeTitle = try AETitle(try text()) } catch {
                    if error.code != .aeTitle { throw error }
                    throw NetworkError(
                        .aeTitle, "node \"\(name)\": " + error.message,
                        context: ErrorContext(path: path, line: f.line, column: f.key, component: name, rule: error.context.rule))
                }
            case "host":
                let h = try text()
                guard let host = NodeAddress.checkedHost(h) else {
                    throw fail(.nodeBadValue, "\"host\" is not a host name or address", key: f.key, line: f.line)
                }
                node.host = host
            case "port":
                guard case .number(let n) = f.value, let p = Int(n), (1...65535).contains(p) else {
                    throw fail(.nodeBadValue, "\"port\" must be an integer from 1 to 65535", key: f.key, line: f.line)
                }
                node.port = p
            case "tls":
                guard case .bool(let b) = f.value else { throw fail(.nodeBadValue, "\"tls\" must be true or false", key: f.key, line: f.line) }
                node.tls = b
            case "dicomweb":
                guard let u = Node.checkedBaseURL(try text()) else {
                    throw fail(.nodeBadValue, "\"dicomweb\" must be an http:// or https:// base URL without query", key: f.key, line: f.line)
                }
                node.dicomweb = u
            case "usernameEnv": node.usernameEnv = try envName()
            case "passwordEnv": node.passwordEnv = try envName()
            case "tokenEnv": node.tokenEnv = try envName()
            case "tlsCA": node.tlsCA = resolved(try text(), path: path)
            case "tlsCertificate": node.tlsCertificate = resolved(try text(), path: path)
            case "tlsKey": node.tlsKey = resolved(try text(), path: path)
            default:
                throw fail(.nodeUnknownKey, "unknown key \"\(f.key)\" (known: \(keys.joined(separator: ", ")))", key: f.key, line: f.line)
            }
        }
        let dimse = [node.aeTitle != nil, node.host != nil, node.port != nil]
        if dimse.contains(true), dimse.contains(false) {
            let missing = zip(["aeTitle", "host", "port"], dimse).first { !$0.1 }!.0
            throw fail(.nodeBadValue, "\"aeTitle\", \"host\" and \"port\" go together: \"\(missing)\" is missing", key: missing, line: m.line)
        }
        if !node.hasDIMSE, node.dicomweb == nil {
            throw fail(.nodeBadValue, "needs \"aeTitle\", \"host\" and \"port\", or \"dicomweb\"", key: nil, line: m.line)
        }
        if !node.tls, let key = [("tlsCA", node.tlsCA), ("tlsCertificate", node.tlsCertificate), ("tlsKey", node.tlsKey)].first(where: { $0.1 != nil })?.0 {
            throw fail(.nodeBadValue, "\"\(key)\" needs \"tls\": true", key: key, line: m.line)
        }
        if (node.tlsCertificate == nil) != (node.tlsKey == nil) {
            throw fail(.nodeBadValue, "\"tlsCertificate\" and \"tlsKey\" go together", key: node.tlsKey == nil ? "tlsKey" : "tlsCertificate", line: m.line)
        }
        if node.passwordEnv != nil, node.usernameEnv == nil {
            throw fail(.nodeBadValue, "\"passwordEnv\" needs \"usernameEnv\"", key: "usernameEnv", line: m.line)
        }
        return node
    }
}
