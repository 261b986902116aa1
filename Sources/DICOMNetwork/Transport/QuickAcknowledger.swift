import NIOCore

/// Sets TCP_QUICKACK after every read of the transport (Linux; the option is not sticky). A peer that writes a PDU's header and
/// its body in two writes with Nagle's algorithm on (DCMTK's storescp answers each C-STORE so) otherwise waits for our delayed
/// ACK of the header, about 40 ms per response.
final class QuickAcknowledger: ChannelInboundHandler, Sendable {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        #if os(Linux)
        let quickAck = ChannelOptions.Types.SocketOption(level: .tcp, name: NIOBSDSocket.Option(rawValue: 12))  // TCP_QUICKACK
        try? context.channel.syncOptions?.setOption(quickAck, value: 1)
        #endif
        context.fireChannelRead(data)
    }
}
