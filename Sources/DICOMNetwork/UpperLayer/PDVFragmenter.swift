import DICOMCore

// Each PDU carries one PDV; every fragment but a message part's last is even-length, and the PDU
// length (the PDV item list: 6 bytes of PDV header plus the fragment) never exceeds the peer's
// maximum. 0 means unlimited (bounded only by `localLimit`, then by the 32-bit length).
/// Splits one DIMSE message, command set then data set, into P-DATA-TF PDUs within the peer's Maximum Length Received (PS3.8 §D.1, Annex E).
public struct PDVFragmenter: Sendable {
    /// The peer's Maximum Length Received from its A-ASSOCIATE-RQ/AC; 0 = unlimited (PS3.8 §D.1).
    public let peerMaximumLength: UInt32
    /// Our own bound on a PDU's length, e.g. to bound memory when the peer said 0; 0 = none.
    public let localLimit: UInt32
    /// The longest fragment one PDV carries here: even, at least 2 (PS3.8 §D.1, Annex E).
    public let maximumFragmentLength: Int

    /// Refuses a maximum that leaves no room for a 2-byte fragment after the 6-byte PDV header (PS3.8 §D.1).
    public init(peerMaximumLength: UInt32, localLimit: UInt32 = 0) throws {
        self.peerMaximumLength = peerMaximumLength
        self.localLimit = localLimit
        let limits = [peerMaximumLength, localLimit].filter { $0 != 0 }
        let pduLength = Int(limits.min() ?? UInt32.max)
        let fragment = (pduLength - PDV.overhead) & ~1
        guard fragment >= 2 else {
            throw NetworkError(
                .maximumLengthTooSmall,
                "a maximum PDU length of \(pduLength) leaves no room for a PDV fragment (at least \(PDV.overhead + 2) bytes are needed)")
        }
        maximumFragmentLength = fragment
    }

    /// The P-DATA-TF PDUs of one message on a presentation context: the command set's fragments, then the data set's (PS3.8 Annex E).
    public func pdus(presentationContextID: UInt8, command: [UInt8], dataSet: [UInt8]?) -> [PDataTF] {
        var out = pdvs(presentationContextID: presentationContextID, isCommand: true, command)
        if let dataSet { out += pdvs(presentationContextID: presentationContextID, isCommand: false, dataSet) }
        return out.map { PDataTF(pdvs: [$0]) }
    }

    /// The PDVs of one command set or data set: full fragments, then the remainder marked last; an empty part is one empty last PDV.
    public func pdvs<C: Collection>(presentationContextID: UInt8, isCommand: Bool, _ bytes: C) -> [PDV] where C.Element == UInt8 {
        var out: [PDV] = []
        var i = bytes.startIndex
        repeat {
            let j = bytes.index(i, offsetBy: maximumFragmentLength, limitedBy: bytes.endIndex) ?? bytes.endIndex
            out.append(
                PDV(presentationContextID: presentationContextID, isCommand: isCommand, isLastFragment: j == bytes.endIndex, fragment: Array(bytes[i..<j])))
            i = j
        } while i != bytes.endIndex
        return out
    }
}
