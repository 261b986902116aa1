import DICOMCore
import NIOCore
import NIOPosix
import NIOSSL

/// A service class provider: answers the requests of the SOP classes it accepts (PS3.4; e.g. Verification, Storage).
public protocol DIMSEServiceProvider: Sendable {
    /// Whether presentation contexts of this abstract syntax are accepted for it.
    func accepts(abstractSyntax: String) -> Bool
    /// The response to a request on an accepted context, or nil when the request is none of this provider's.
    func respond(to request: DIMSEReceived, on association: NegotiatedAssociation) async -> DIMSEMessage?
}

// Each accepted connection gets its own channel and AssociationHandler; its association is served by a
// task that answers each request through the first provider that takes it, one at a time. A peer that
// misbehaves ends its own association only.
/// Told of each association a listener serves: when it is established and when it ends (nil after a release, else why).
/// While it is served, ``AssociationListener/servedAssociationID`` holds its number in the providers' `respond` calls.
public protocol AssociationObserver: Sendable {
    func began(_ id: Int, _ negotiated: NegotiatedAssociation)
    func ended(_ id: Int, _ negotiated: NegotiatedAssociation, error: (any Error)?)
}

/// The acceptor side: listens on host:port and serves associations by an ``AcceptorPolicy`` and service providers (PS3.8 §9.1).
public final class AssociationListener: Sendable {
    /// The number of the association being served (1, 2, ... per listener), set around the providers' `respond` calls.
    @TaskLocal public static var servedAssociationID: Int?

    /// The port bound (the one asked, or the one the system chose for port 0).
    public let port: Int
    public let policy: AcceptorPolicy
    let channel: any Channel
    let limiter: AssociationLimiter

    init(channel: any Channel, port: Int, policy: AcceptorPolicy, limiter: AssociationLimiter) {
        self.channel = channel; self.port = port; self.policy = policy; self.limiter = limiter
    }

    /// Binds `host:port` and starts accepting associations, over TLS when `tls` is given (it needs our certificate and key; a
    /// file that cannot be loaded is `tls-failed` here, a client's failed handshake ends that connection only) (PS3.15 §B.1).
    public static func bind(
        host: String = "127.0.0.1", port: Int, policy: AcceptorPolicy, services: [any DIMSEServiceProvider], tls: TLSOptions? = nil,
        observer: (any AssociationObserver)? = nil
    ) async throws -> AssociationListener {
        let sslContext = try tls?.serverContext()
        let limiter = AssociationLimiter()
        let accepts: @Sendable (String) -> Bool = { syntax in services.contains { $0.accepts(abstractSyntax: syntax) } }
        let server: any Channel
        do {
            server = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
                .serverChannelOption(ChannelOptions.socketOption(.so_reuseaddr), value: 1)
                .childChannelInitializer { ch in
                    let (stream, continuation) = AsyncThrowingStream<AssociationInput, any Error>.makeStream()
                    Task {
                        await serve(channel: ch, stream: stream, services: services, observer: observer) { limiter.nextNumber() }
                    }
                    return ch.eventLoop.makeCompletedFuture {
                        if let sslContext { try ch.pipeline.syncOperations.addHandler(NIOSSLServerHandler(context: sslContext)) }
                        try ch.pipeline.syncOperations.addHandlers(
                            AssociationHandler.handlers(
                                role: .acceptor(policy, limiter, acceptsAbstractSyntax: accepts), maximumLengthReceived: policy.maximumLengthReceived,
                                timeouts: policy.timeouts, maximumMessageLength: policy.maximumMessageLength, events: continuation))
                    }
                }
                .bind(host: host, port: port).get()
        } catch {
            throw NetworkError(.connectFailed, "cannot listen on \(host):\(port): \(error)", cause: error)
        }
        return AssociationListener(channel: server, port: server.localAddress?.port ?? port, policy: policy, limiter: limiter)
    }

    /// The associations being served now.
    public var activeAssociations: Int { limiter.active }

    /// Stops accepting; associations already running go on to their end.
    public func close() async {
        try? await channel.close()
    }

    /// Serves one association: each request answered by the first provider that takes it; an unanswered request aborts.
    static func serve(
        channel: any Channel, stream: AsyncThrowingStream<AssociationInput, any Error>, services: [any DIMSEServiceProvider],
        observer: (any AssociationObserver)?, number: @Sendable () -> Int
    ) async {
        var it = stream.makeAsyncIterator()
        guard case .established(let negotiated)? = try? await it.next() else { return }
        let association = Association(channel: channel, negotiated: negotiated, inputs: it)
        let id = number()
        observer?.began(id, negotiated)
        let error = await $servedAssociationID.withValue(id) { await serve(association, services: services) }
        observer?.ended(id, negotiated, error: error)
    }

    /// Answers the requests of one established association until it ends; the error that ended it, nil after a release.
    static func serve(_ association: Association, services: [any DIMSEServiceProvider]) async -> (any Error)? {
        let negotiated = association.negotiated
        do {
            while let request = try await association.receive() {
                var response: DIMSEMessage?
                for service in services where service.accepts(abstractSyntax: request.context.abstractSyntax) {
                    response = await service.respond(to: request, on: negotiated)
                    if response != nil { break }
                }
                guard let response else {
                    await association.abort()
                    return NetworkError(.associationAborted, "no service answers a \(request.message.commandField.name); association aborted by this side")
                }
                try await association.send(response, contextID: request.context.id)
            }
            return nil
        } catch {
            // The association ended by abort, timeout or a closed connection: the handler has closed it.
            return error
        }
    }
}
