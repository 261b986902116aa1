// libFuzzer entry point for the Upper Layer codec (built only by `FUZZ_TARGET=pdu scripts/fuzz.sh`,
// from Fuzz/Package.swift with `-sanitize=fuzzer,address`).
//
// The first byte is a control byte, the rest a byte stream from a peer:
//  * the stream decoded as one PDU (PDU.decode): refused with a NetworkError or decoded, and what
//    decodes encodes again and decodes to the same PDU;
//  * the stream cut into chunks of 1-63 bytes (control & 0x3F; 0 = one chunk) and fed to a PDUFramer
//    (announced maximum 64 when control & 0x80, else 0; any PDU at most 64 KiB): it never holds
//    more than one checked PDU, every PDU it gives round-trips, and the PDVs of its P-DATA-TFs
//    go to a MessageAssembler (64 KiB limit) that refuses or assembles;
//  * the stream's first 1 KiB sent as a data set through a PDVFragmenter at a peer maximum of
//    8 + (control & 0x7F) and reassembled: the same bytes come back.
import DICOMNetwork

/// A decoded PDU must encode, and decode again to itself.
func roundTrips(_ pdu: PDU) {
    guard let bytes = try? pdu.encode() else { preconditionFailure("a decoded \(pdu.type) does not encode") }
    precondition((try? PDU.decode(bytes)) == pdu, "\(pdu.type) does not round-trip")
}

/// The command of a C-ECHO-RQ-like message with a data set (Command Data Set Type 0000H), Implicit VR LE (PS3.7 §E.1).
let commandWithDataSet: [UInt8] = [0x00, 0x00, 0x00, 0x08, 0x02, 0x00, 0x00, 0x00, 0x00, 0x00]

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    guard size > 0 else { return 0 }
    let control = data[0]
    let bytes = Array(UnsafeBufferPointer(start: data + 1, count: size - 1))

    if let pdu = try? PDU.decode(bytes) { roundTrips(pdu) }

    let limit: UInt32 = 1 << 16
    var framer = PDUFramer(maximumLengthReceived: control & 0x80 != 0 ? 64 : 0, maximumPDULength: limit)
    var assembler = MessageAssembler(maximumMessageLength: Int(limit))
    let chunk = control & 0x3F == 0 ? max(bytes.count, 1) : Int(control & 0x3F)
    var i = 0
    stream: while i < bytes.count {
        framer.append(bytes[i..<min(bytes.count, i + chunk)])
        i += chunk
        precondition(framer.bufferedByteCount <= PDU.headerLength + Int(limit), "the framer holds \(framer.bufferedByteCount) bytes")
        while true {
            let next: PDU?
            do { next = try framer.next() } catch { break stream }
            guard let pdu = next else { break }
            roundTrips(pdu)
            guard case .pData(let p) = pdu else { continue }
            for pdv in p.pdvs {
                do { _ = try assembler.receive(pdv) } catch { assembler = MessageAssembler(maximumMessageLength: Int(limit)) }
            }
        }
    }

    guard let fragmenter = try? PDVFragmenter(peerMaximumLength: 8 + UInt32(control & 0x7F)) else { preconditionFailure("no fragmenter") }
    let dataSet = Array(bytes.prefix(1024))
    var rebuild = MessageAssembler(maximumMessageLength: Int(limit))
    var messages: [PDVMessage] = []
    for p in fragmenter.pdus(presentationContextID: 1, command: commandWithDataSet, dataSet: dataSet) {
        precondition(p.length <= 8 + Int(control & 0x7F), "a P-DATA-TF of \(p.length) bytes")
        for pdv in p.pdvs {
            guard let m = try? rebuild.receive(pdv) else { continue }
            messages.append(m)
        }
    }
    precondition(messages == [PDVMessage(presentationContextID: 1, command: commandWithDataSet, dataSet: dataSet)], "fragments do not reassemble")
    return 0
}
