import DICOMCore

// `append` takes whatever was read; `next` yields the PDUs completed, then nil until more bytes
// come, or throws the error that ended the stream (its offset counts from the stream's first byte).
/// Cuts the transport's byte stream into PDUs, each length checked from its 6-byte header before its body is buffered (PS3.8 §9.3.1, §D.1).
public struct PDUFramer: Sendable {
    /// The Maximum Length Received we announced: a longer P-DATA-TF is refused; 0 = unlimited (PS3.8 §D.1).
    public var maximumLengthReceived: UInt32
    /// The longest PDU of any type accepted at all, a bound on memory even when 0 was announced (PS3.8 §9.3.1).
    public var maximumPDULength: UInt32

    /// The default bound on any PDU: 16 MiB.
    public static let defaultMaximumPDULength: UInt32 = 16 << 20

    /// The PDU being read, header first; its capacity is reserved only once its header has been checked.
    private var frame: [UInt8] = []
    /// The length of the PDU being read, header included, once its header has been checked.
    private var frameLength: Int?
    /// PDUs completed and not yet taken by `next`.
    private var ready: [PDU] = []
    private var readyIndex = 0
    /// The error that ended the stream; every later `next` throws it again.
    private var failure: NetworkError?
    /// Bytes taken from the stream so far, the offset of the next one.
    private var streamOffset = 0

    public init(maximumLengthReceived: UInt32, maximumPDULength: UInt32 = PDUFramer.defaultMaximumPDULength) {
        self.maximumLengthReceived = maximumLengthReceived
        self.maximumPDULength = maximumPDULength
    }

    /// Bytes of an incomplete PDU held (at most the checked length of its PDU).
    public var bufferedByteCount: Int { frame.count }
    /// Whether the stream could end here: no PDU is half-read (PS3.8 §9.1.4).
    public var isAtPDUBoundary: Bool { frame.isEmpty && failure == nil }

    /// Takes the next bytes read from the transport; nothing after an error is read.
    public mutating func append<C: Collection>(_ chunk: C) where C.Element == UInt8 {
        var i = chunk.startIndex
        while i != chunk.endIndex, failure == nil {
            if frameLength == nil {
                let take = min(PDU.headerLength - frame.count, chunk.distance(from: i, to: chunk.endIndex))
                let j = chunk.index(i, offsetBy: take)
                frame.append(contentsOf: chunk[i..<j]); i = j
                guard frame.count == PDU.headerLength else { break }
                do { try checkHeader() } catch { fail(error); break }
            }
            guard let length = frameLength else { break }
            let take = min(length - frame.count, chunk.distance(from: i, to: chunk.endIndex))
            let j = chunk.index(i, offsetBy: take)
            frame.append(contentsOf: chunk[i..<j]); i = j
            if frame.count == length { finishFrame() }
        }
    }

    /// The next complete PDU, or nil when more bytes are needed; throws the error that ended the stream.
    public mutating func next() throws -> PDU? {
        if readyIndex < ready.count {
            defer {
                readyIndex += 1
                if readyIndex == ready.count { ready.removeAll(keepingCapacity: true); readyIndex = 0 }
            }
            return ready[readyIndex]
        }
        if let failure { throw failure }
        return nil
    }

    /// Checks a complete header: a known type, a length within the limits; only then is room for the body reserved (PS3.8 §D.1).
    private mutating func checkHeader() throws {
        let type: PDUType
        do { type = try PDU.pduType(frame[0]) } catch var e as NetworkError {
            e.offset = streamOffset
            throw e
        }
        let length = PDU.bigEndianLength(frame)
        if type == .pData, maximumLengthReceived != 0, length > maximumLengthReceived {
            throw NetworkError(
                .pduTooLarge, "P-DATA-TF: length \(length) exceeds the Maximum Length Received we announced (\(maximumLengthReceived))",
                offset: streamOffset + 2)
        }
        guard length <= maximumPDULength else {
            throw NetworkError(.pduTooLarge, "\(type): length \(length) exceeds the limit of \(maximumPDULength) bytes", offset: streamOffset + 2)
        }
        frameLength = PDU.headerLength + Int(length)
        frame.reserveCapacity(PDU.headerLength + Int(length))
    }

    /// Decodes the complete frame and starts the next one; a decoding error ends the stream.
    private mutating func finishFrame() {
        do {
            ready.append(try PDU.decode(frame))
        } catch var e as NetworkError {
            e.offset = streamOffset + (e.offset ?? 0)
            fail(e)
            return
        } catch {
            fail(error)
            return
        }
        streamOffset += frame.count
        frame = []
        frameLength = nil
    }

    private mutating func fail(_ error: any Error) {
        failure = error as? NetworkError ?? NetworkError(.pduLength, "\(error)", offset: streamOffset, cause: error)
        frame = []
        frameLength = nil
    }
}
