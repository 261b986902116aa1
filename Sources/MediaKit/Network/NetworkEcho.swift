import DICOMCore
import DICOMNetwork

/// `echo NODE`: C-ECHO on a new association (PS3.4 Annex A), or for a DICOMweb-only node a QIDO-RS
/// `/studies?limit=1` search (PS3.18 §10.6) that shows the service answers.
public struct EchoReport: Sendable {
    public var peer: String
    /// "C-ECHO" or "QIDO-RS".
    public var service: String
    /// The C-ECHO-RSP status (nil for QIDO-RS).
    public var status: DIMSEStatus?
    /// Studies the QIDO-RS probe returned (0 or 1).
    public var studies: Int?
    public var implementationClassUID: String?
    public var implementationVersionName: String?

    /// The peer answered: C-ECHO success, or a QIDO-RS answer.
    public var succeeded: Bool { status.map(\.isSuccess) ?? true }

    public var text: String {
        if let status {
            let impl = [implementationVersionName, implementationClassUID].compactMap { $0 }.joined(separator: ", ")
            return "\(peer): C-ECHO \(status.isSuccess ? "success" : "answered \(status)")" + (impl.isEmpty ? "" : " (implementation \(impl))")
        }
        return "\(peer): QIDO-RS answered (\(studies ?? 0) \(studies == 1 ? "study" : "studies") with limit=1)"
    }

    public var json: JSON {
        func opt(_ s: String?) -> JSON { s.map { .string($0) } ?? .null }
        return .object([
            ("peer", .string(peer)), ("service", .string(service)), ("success", .bool(succeeded)),
            ("status", status.map { .int(Int64($0.rawValue)) } ?? .null), ("statusName", opt(status?.name)),
            ("studies", studies.map { .int(Int64($0)) } ?? .null),
            ("implementationClassUID", opt(implementationClassUID)), ("implementationVersionName", opt(implementationVersionName)),
        ])
    }
}

extension NetworkPeer {
    /// Echoes the peer; an unreachable peer, a rejected association (its reason and source), a refused request: a NetworkError.
    public func echo() throws -> EchoReport {
        let peer = self
        do { return try Blocking.run { try await peer.echoOnce() } } catch { throw naming(error) }
    }

    func echoOnce() async throws -> EchoReport {
        let peer = self
        guard peer.usesDIMSE, let ae = peer.node.aeTitle, let host = peer.node.host, let port = peer.node.port else {
            let client = try peer.webClient()
            do {
                let found = try await client.search(QIDOQuery(level: .studies, limit: 1))
                try? await client.shutdown()
                return EchoReport(peer: peer.label, service: "QIDO-RS", studies: found.count)
            } catch {
                try? await client.shutdown()
                throw error
            }
        }
        let association = try await Association.connect(
            host: host, port: port, callingAETitle: peer.callingAETitle, calledAETitle: ae.value, contexts: [Association.verificationContext],
            tls: peer.tlsOptions)
        do {
            let status = try await association.echo()
            try await association.release()
            let n = association.negotiated
            return EchoReport(
                peer: peer.label, service: "C-ECHO", status: status, implementationClassUID: n.peerImplementationClassUID,
                implementationVersionName: n.peerImplementationVersionName)
        } catch {
            await association.abort()
            throw error
        }
    }
}
