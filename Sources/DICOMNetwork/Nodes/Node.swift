import DICOMCore
import DICOMIO
import Foundation

/// A peer: a DIMSE Application Entity (AE title, host, port, TLS), a DICOMweb base URL, or both.
/// Credentials are never stored: a node names the environment variables that hold them.
public struct Node: Sendable, Equatable {
    /// The node's name in nodes.json, or nil for an address given directly.
    public var name: String?
    public var aeTitle: AETitle?
    public var host: String?
    public var port: Int?
    /// DICOM TLS (PS3.15 Annex B) for the DIMSE connection.
    public var tls: Bool
    /// The DICOMweb base URL (PS3.18 §8.2), e.g. `http://127.0.0.1:8042/dicom-web`, without a trailing slash.
    public var dicomweb: String?
    /// The names of the environment variables holding the user name and password (HTTP basic authentication).
    public var usernameEnv: String?
    public var passwordEnv: String?
    /// The name of the environment variable holding a bearer token (RFC 6750).
    public var tokenEnv: String?
    /// With `tls`: the PEM files of the trusted CA certificates, of our client certificate and of its key (nodes.json
    /// `tlsCA`, `tlsCertificate`, `tlsKey`, relative to the nodes file); nil: the system trust store, no client certificate.
    public var tlsCA: String?
    public var tlsCertificate: String?
    public var tlsKey: String?

    /// The TLS options of the DIMSE connection, nil without `tls` (PS3.15 Annex B.1).
    public var tlsOptions: TLSOptions? { tls ? TLSOptions(caFile: tlsCA, certificateFile: tlsCertificate, privateKeyFile: tlsKey) : nil }

    public init(
        name: String? = nil, aeTitle: AETitle? = nil, host: String? = nil, port: Int? = nil, tls: Bool = false, dicomweb: String? = nil,
        usernameEnv: String? = nil, passwordEnv: String? = nil, tokenEnv: String? = nil
    ) {
        self.name = name; self.aeTitle = aeTitle; self.host = host; self.port = port; self.tls = tls; self.dicomweb = dicomweb
        self.usernameEnv = usernameEnv; self.passwordEnv = passwordEnv; self.tokenEnv = tokenEnv
    }

    /// True when the node has an AE title, a host and a port (a DIMSE peer).
    public var hasDIMSE: Bool { aeTitle != nil && host != nil && port != nil }

    /// The HTTP authorization from the environment: bearer when the variable `tokenEnv` names is set, else basic
    /// when `usernameEnv` is named; nil when no variable is named. A needed variable that is unset is a `credential-missing` error.
    public func authorization(environment: [String: String] = ProcessInfo.processInfo.environment) throws(NetworkError) -> HTTPAuthorization? {
        func read(_ variable: String) throws(NetworkError) -> String {
            guard let v = environment[variable] else {
                throw NetworkError(
                    .credentialMissing, "environment variable \(variable) is not set", context: ErrorContext(column: variable, component: name))
            }
            return v
        }
        if let t = tokenEnv, let token = environment[t] { return .bearer(token: token) }
        if let u = usernameEnv { return .basic(user: try read(u), password: try passwordEnv.map { v throws(NetworkError) in try read(v) } ?? "") }
        if let t = tokenEnv { return .bearer(token: try read(t)) }
        return nil
    }

    /// Checks a DICOMweb base URL: http or https, a host, no query or fragment; returns it without a trailing slash.
    public static func checkedBaseURL(_ text: String) -> String? {
        guard let c = URLComponents(string: text), let scheme = c.scheme?.lowercased(), scheme == "http" || scheme == "https",
            let host = c.host, !host.isEmpty, c.query == nil, c.fragment == nil, c.user == nil
        else { return nil }
        var t = text
        while t.hasSuffix("/") { t.removeLast() }
        return t
    }

    /// True for a POSIX environment variable name: a letter or underscore, then letters, digits, underscores.
    public static func isEnvironmentName(_ s: String) -> Bool {
        func isLetter(_ c: UInt8) -> Bool { c == 0x5F || (0x41...0x5A).contains(c) || (0x61...0x7A).contains(c) }
        guard let f = s.utf8.first, isLetter(f) else { return false }
        return s.utf8.allSatisfy { isLetter($0) || (0x30...0x39).contains($0) }
    }
}

/// The credentials sent with DICOMweb requests.
public enum HTTPAuthorization: Sendable, Equatable {
    /// HTTP basic authentication (RFC 7617).
    case basic(user: String, password: String)
    /// A bearer token (RFC 6750).
    case bearer(token: String)

    /// The value of the Authorization header.
    public var headerValue: String {
        switch self {
        case .basic(let u, let p): "Basic " + base64(Array("\(u):\(p)".utf8))
        case .bearer(let t): "Bearer " + t
        }
    }
}
