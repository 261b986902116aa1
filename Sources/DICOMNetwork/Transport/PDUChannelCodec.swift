import DICOMCore
import NIOCore

/// What the PDU decoder passes up the pipeline: a whole PDU, or the error that ended the byte stream (PS3.8 §9.3.1).
enum PDUInbound {
    case pdu(PDU)
    case invalid(NetworkError)
}

// The framer checks each header before buffering a body, so a declared length over the limit is refused
// without allocating it; after an error nothing more is read (the association handler answers with an A-ABORT).
/// Cuts the channel's bytes into PDUs with ``PDUFramer`` (PS3.8 §9.3.1, §D.1).
struct PDUFrameDecoder: ByteToMessageDecoder {
    typealias InboundOut = PDUInbound
    var framer: PDUFramer
    private var failed = false

    init(maximumLengthReceived: UInt32, maximumPDULength: UInt32) {
        framer = PDUFramer(maximumLengthReceived: maximumLengthReceived, maximumPDULength: max(maximumPDULength, maximumLengthReceived))
    }

    mutating func decode(context: ChannelHandlerContext, buffer: inout ByteBuffer) throws -> DecodingState {
        guard !failed else {
            buffer.moveReaderIndex(to: buffer.writerIndex)
            return .needMoreData
        }
        buffer.readWithUnsafeReadableBytes { raw in
            framer.append(raw.bindMemory(to: UInt8.self))
            return raw.count
        }
        do {
            while let pdu = try framer.next() { context.fireChannelRead(wrapInboundOut(.pdu(pdu))) }
        } catch {
            failed = true
            let e = error as? NetworkError ?? NetworkError(.pduLength, "\(error)", cause: error)
            context.fireChannelRead(wrapInboundOut(.invalid(e)))
        }
        return .needMoreData
    }

    mutating func decodeLast(context: ChannelHandlerContext, buffer: inout ByteBuffer, seenEOF: Bool) throws -> DecodingState {
        try decode(context: context, buffer: &buffer)
    }
}

/// Writes each PDU as its bytes (PS3.8 §9.3).
struct PDUEncoder: MessageToByteEncoder {
    typealias OutboundIn = PDU
    func encode(data: PDU, out: inout ByteBuffer) throws { out.writeBytes(try data.encode()) }
}
