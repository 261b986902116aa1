import DICOMCore

extension CommandSet {
    /// Decodes a whole command set in Implicit VR LE: group length first and exact, group 0000 only, ascending, defined lengths (PS3.7 §6.3.1, §E.1).
    /// `lenient: true` (what an association receives, the PDVs delimiting the command) accepts a Command Group Length that disagrees
    /// with the elements and skips elements outside group 0000: DCMTK-based peers (Orthanc) put a response's status detail (Error
    /// Comment, Failed SOP Instance UID List) into the command after its group length was computed.
    public static func decode(_ bytes: [UInt8], lenient: Bool = false) throws -> CommandSet {
        var ds = DataSet(), detail = DataSet()
        var pos = 0
        var previous: Tag?
        while pos < bytes.count {
            guard bytes.count - pos >= 8 else {
                throw NetworkError(.commandTruncated, "command set ends inside an element header (PS3.7 §6.3.1)", offset: pos)
            }
            let tag = Tag(le16(bytes, pos), le16(bytes, pos + 2))
            let length = le32(bytes, pos + 4)
            if lenient, tag.group != 0, previous != nil, UInt64(length) <= UInt64(bytes.count - pos - 8) {
                detail.appendUnordered(DataElement(tag: tag, vr: vr(of: tag), value: .bytes(Array(bytes[(pos + 8)..<(pos + 8 + Int(length))]))))
                previous = tag
                pos += 8 + Int(length)
                continue
            }
            guard tag.group == 0 else {
                throw NetworkError(.commandNotGroup0000, "element outside group 0000 in a command set (PS3.7 §6.3.1)", offset: pos, tag: tag)
            }
            if let p = previous, tag <= p {
                throw NetworkError(.commandElementOrder, "element follows \(p): not in ascending tag order (PS3.5 §7.1)", offset: pos, tag: tag)
            }
            guard length != 0xFFFF_FFFF else {
                throw NetworkError(.commandTruncated, "undefined length in a command set (PS3.7 §6.3.1)", offset: pos, tag: tag)
            }
            guard UInt64(length) <= UInt64(bytes.count - pos - 8) else {
                throw NetworkError(.commandTruncated, "value of \(length) bytes runs past the end of the command set", offset: pos, tag: tag)
            }
            let value = Array(bytes[(pos + 8)..<(pos + 8 + Int(length))])
            if previous == nil {
                guard tag == .commandGroupLength, value.count == 4 else {
                    throw NetworkError(
                        .commandGroupLength, "a command set starts with Command Group Length (0000,0000), 4 bytes (PS3.7 §E.1)", offset: pos,
                        tag: tag)
                }
                let rest = bytes.count - 12
                guard le32(value, 0) == rest || lenient else {
                    throw NetworkError(
                        .commandGroupLength, "Command Group Length is \(le32(value, 0)), the elements after it take \(rest) bytes (PS3.7 §E.1)",
                        offset: pos, tag: tag)
                }
            } else {
                ds.appendUnordered(DataElement(tag: tag, vr: vr(of: tag), value: .bytes(value), valueOffset: pos + 8))
            }
            previous = tag
            pos += 8 + Int(length)
        }
        guard previous != nil else { throw NetworkError(.commandGroupLength, "empty command set: no Command Group Length (PS3.7 §E.1)", offset: 0) }
        detail.restoreOrder()
        return CommandSet(elements: ds, statusDetail: detail)
    }
}
