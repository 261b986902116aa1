import NIOCore
import NIOSSL

// The files are read when a connection or listener is set up, so a missing or bad file is a `tls-failed`
// error there, naming the file; a handshake that fails (unknown CA, wrong host, no client certificate) is a
// `tls-failed` error of the association (AssociationHandler maps NIOSSL's errors).
/// DICOM TLS for one connection or listener (PS3.15 Annex B.1): trusted CAs, our certificate and key, peer verification.
public struct TLSOptions: Sendable, Hashable {
    /// PEM file of the CA certificates trusted for the peer's certificate; nil: the system trust store (SCU), no client
    /// certificate asked (listener).
    public var caFile: String?
    /// PEM file of our certificate chain: required for a listener, the client certificate of an SCU when given.
    public var certificateFile: String?
    /// PEM file of the private key of `certificateFile`.
    public var privateKeyFile: String?
    /// Verify the peer's certificate; on by default. An SCU checks the chain and the host (name or IP address); a
    /// listener with `caFile` requires a client certificate signed by it.
    public var verifyPeer: Bool

    public init(caFile: String? = nil, certificateFile: String? = nil, privateKeyFile: String? = nil, verifyPeer: Bool = true) {
        self.caFile = caFile; self.certificateFile = certificateFile; self.privateKeyFile = privateKeyFile; self.verifyPeer = verifyPeer
    }

    /// The TLS 1.2+ configuration of the SCU side.
    func clientContext() throws -> NIOSSLContext {
        var c = TLSConfiguration.makeClientConfiguration()
        c.minimumTLSVersion = .tlsv12
        c.certificateVerification = verifyPeer ? .fullVerification : .none
        if let caFile { c.trustRoots = .certificates(try load(caFile, "CA certificates") { try NIOSSLCertificate.fromPEMFile($0) }) }
        try identity(&c)
        return try context(c)
    }

    /// The TLS 1.2+ configuration of a listener: our certificate, and client certificates verified against `caFile` when given.
    func serverContext() throws -> NIOSSLContext {
        guard let certificateFile else { throw NetworkError(.tlsFailed, "a TLS listener needs a certificate file and its private key") }
        let chain = try load(certificateFile, "certificate") { try NIOSSLCertificate.fromPEMFile($0) }.map { NIOSSLCertificateSource.certificate($0) }
        var c = TLSConfiguration.makeServerConfiguration(certificateChain: chain, privateKey: .privateKey(try key()))
        c.minimumTLSVersion = .tlsv12
        if let caFile, verifyPeer {
            c.trustRoots = .certificates(try load(caFile, "CA certificates") { try NIOSSLCertificate.fromPEMFile($0) })
            c.certificateVerification = .noHostnameVerification
        } else {
            c.certificateVerification = .none
        }
        return try context(c)
    }

    /// Our client certificate and key, when a certificate file is given.
    private func identity(_ c: inout TLSConfiguration) throws {
        guard let certificateFile else { return }
        c.certificateChain = try load(certificateFile, "certificate") { try NIOSSLCertificate.fromPEMFile($0) }.map { .certificate($0) }
        c.privateKey = .privateKey(try key())
    }

    private func key() throws -> NIOSSLPrivateKey {
        guard let privateKeyFile else { throw NetworkError(.tlsFailed, "a TLS certificate needs its private key file") }
        return try load(privateKeyFile, "private key") { try NIOSSLPrivateKey(file: $0, format: .pem) }
    }

    private func load<T>(_ path: String, _ what: String, _ read: (String) throws -> T) throws -> T {
        do { return try read(path) } catch {
            throw NetworkError(.tlsFailed, "cannot load the TLS \(what) from \(path): \(error)", path: path, cause: error)
        }
    }

    private func context(_ c: TLSConfiguration) throws -> NIOSSLContext {
        do { return try NIOSSLContext(configuration: c) } catch {
            throw NetworkError(.tlsFailed, "invalid TLS configuration: \(error)", cause: error)
        }
    }

    /// The handler that puts TLS under a requestor's association: SNI and host verification by name, by IP address for a literal.
    static func clientHandler(_ context: NIOSSLContext, host: String) throws -> NIOSSLClientHandler {
        let isIP = (try? SocketAddress(ipAddress: host, port: 0)) != nil
        return try NIOSSLClientHandler(context: context, serverHostname: isIP ? nil : host)
    }

    /// A one-line reason for a TLS error from NIOSSL or BoringSSL, or nil when `error` is not one.
    static func failure(_ error: any Error) -> NetworkError? {
        switch error {
        case is NIOSSLError, is BoringSSLError, is NIOSSLExtraError:
            return NetworkError(.tlsFailed, "TLS failed: \(error)", cause: error)
        default: return nil
        }
    }
}
