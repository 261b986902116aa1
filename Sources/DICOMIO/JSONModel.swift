import DICOMCore

/// The DICOM JSON Model (PS3.18 §F.2): one object per data set, keyed by `GGGGEEEE`.
public struct JSONModel {
    /// Binary values longer than this many bytes become a BulkDataURI (PS3.18 §F.2.6).
    public var bulkDataThreshold: Int = 1024
    /// File path used in BulkDataURIs (`file://PATH?offset=N&length=L`).
    public var path: String?
    public init(path: String? = nil, bulkDataThreshold: Int = 1024) { self.path = path; self.bulkDataThreshold = bulkDataThreshold }

    public func json(_ ds: DataSet) -> JSON {
        .object(ds.elements.map { ($0.tag.jsonKey, json($0, in: ds)) })
    }

    /// `file://PATH?offset=N&length=L`; a value with no file offset (inside a deflated data set, or a UN
    /// value read as a sequence) is named by its tag and length only: it is never inlined above the threshold.
    func bulkURI(offset: Int, length: Int, tag: Tag) -> JSON {
        if offset < 0 { return .string("file://\(path ?? "")?tag=\(tag.jsonKey)&length=\(length)") }
        return .string("file://\(path ?? "")?offset=\(offset)&length=\(length)")
    }

    public func json(_ e: DataElement, in ds: DataSet) -> JSON {
        var o: [(String, JSON)] = [("vr", .string(e.vr.code))]
        switch e.value {
        case .sequence(let items):
            o.append(("Value", .array(items.map { json($0) })))
        case .fragments(let f):
            let length = f.fragments.reduce(0) { $0 + $1.count + 8 } + f.basicOffsetTable.count * 4 + 16
            o.append(("BulkDataURI", bulkURI(offset: e.valueOffset, length: length, tag: e.tag)))
        case .bytes(let b):
            if b.isEmpty { break }
            if let v = values(e, b, in: ds) {
                if !v.isEmpty { o.append(("Value", .array(v))) }
            } else if b.count > bulkDataThreshold {
                o.append(("BulkDataURI", bulkURI(offset: e.valueOffset, length: b.count, tag: e.tag)))
            } else {
                o.append(("InlineBinary", .string(base64(b))))
            }
        }
        return .object(o)
    }

    /// The "Value" array, or nil for binary VRs (PS3.18 Table F.2.3-1).
    func values(_ e: DataElement, _ b: [UInt8], in ds: DataSet) -> [JSON]? {
        let vr = e.vr
        switch vr {
        case .PN:
            return ds.characterSet.decodePersonName(b).map { groups in
                let g = groups.map { $0.trimmingTrailingPadding() }
                var o: [(String, JSON)] = []
                if g.allSatisfy(\.isEmpty) { return .null }
                o.append(("Alphabetic", .string(g.first ?? "")))
                if g.count > 1 { o.append(("Ideographic", .string(g[1]))) }
                if g.count > 2 { o.append(("Phonetic", .string(g[2]))) }
                return .object(o)
            }
        case .AT:
            return (DataSet.integers(b, vr: .AT) ?? []).map { v in
                .string(Tag(rawValue: UInt32(truncatingIfNeeded: v)).jsonKey)
            }
        case .US, .SS, .UL, .SL, .UV:
            return (DataSet.integers(b, vr: vr) ?? []).map { .int($0) }
        case .SV:
            return (DataSet.integers(b, vr: vr) ?? []).map { .int($0) }
        case .FL, .FD:
            return (DataSet.doubles(b, vr: vr) ?? []).map { .double($0) }
        case .IS, .DS:
            return DataSet.splitValues(String(decoding: b, as: UTF8.self), vr: vr).map { s in
                let t = s.trimmingSpaces()
                if t.isEmpty { return .null }
                if vr == .IS, let i = Int64(t) { return .int(i) }
                if let d = Double(t) { return .double(d) }
                return .string(t)
            }
        default:
            if vr.isString {
                let text = vr.usesSpecificCharacterSet ? ds.characterSet.decode(b, vr: vr) : String(decoding: b, as: UTF8.self)
                return DataSet.splitValues(text, vr: vr).map { $0.isEmpty ? .null : .string($0) }
            }
            return nil
        }
    }
}

let b64 = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)
/// Base64 (RFC 4648) of bytes.
public func base64(_ b: [UInt8]) -> String {
    var out = [UInt8](); out.reserveCapacity((b.count + 2) / 3 * 4)
    var i = 0
    while i + 2 < b.count {
        let n = UInt32(b[i]) << 16 | UInt32(b[i + 1]) << 8 | UInt32(b[i + 2])
        out += [b64[Int(n >> 18)], b64[Int(n >> 12 & 63)], b64[Int(n >> 6 & 63)], b64[Int(n & 63)]]
        i += 3
    }
    let rest = b.count - i
    if rest == 1 {
        let n = UInt32(b[i]) << 16
        out += [b64[Int(n >> 18)], b64[Int(n >> 12 & 63)], 61, 61]
    } else if rest == 2 {
        let n = UInt32(b[i]) << 16 | UInt32(b[i + 1]) << 8
        out += [b64[Int(n >> 18)], b64[Int(n >> 12 & 63)], b64[Int(n >> 6 & 63)], 61]
    }
    return String(decoding: out, as: UTF8.self)
}
