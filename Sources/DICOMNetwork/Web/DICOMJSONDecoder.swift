import DICOMCore
import Foundation

/// Decodes the DICOM JSON Model (PS3.18 §F.2) into DataSets: each attribute's "vr" becomes its VR,
/// "Value" its bytes as Part 10 would hold them (text joined by backslashes and padded, numbers in
/// little-endian binary, PN from its Alphabetic/Ideographic/Phonetic groups, AT from `GGGGEEEE`), items
/// become sequence items, "InlineBinary" is base64-decoded. Text is kept in UTF-8: when any value is
/// not ASCII, Specific Character Set becomes ISO_IR 192. A "BulkDataURI" is refused, or skipped and
/// listed in ``skippedBulkData``.
public struct DICOMJSONDecoder: Sendable {
    /// What to do with a BulkDataURI (PS3.18 §F.2.6): this client does not fetch bulk data.
    public enum BulkData: Sendable { case refuse, skip }
    public var bulkData: BulkData
    /// The tags whose BulkDataURI was skipped, in the order met.
    public private(set) var skippedBulkData: [Tag] = []
    /// Where the JSON came from, for errors (a URL).
    public var source: String?
    var nonASCII = false

    public init(bulkData: BulkData = .refuse, source: String? = nil) { self.bulkData = bulkData; self.source = source }

    /// A JSON array of data sets (a QIDO-RS response, PS3.18 §10.6.3.3.1).
    public mutating func decodeArray(_ bytes: [UInt8]) throws(NetworkError) -> [DataSet] {
        guard case .array(let a) = try JSONText.parse(bytes, path: source) else { throw bad("a JSON array of data sets was expected", nil) }
        var out: [DataSet] = []
        for v in a { out.append(try decodeDataSet(v)) }
        return out
    }

    /// One data set: a JSON object keyed by `GGGGEEEE`.
    public mutating func decodeDataSet(_ json: JSONText) throws(NetworkError) -> DataSet {
        nonASCII = false
        var ds = try dataSet(json, depth: 0)
        if nonASCII {
            ds.setString(.specificCharacterSet, .CS, "ISO_IR 192")
            ds = Self.withCharacterSet(ds, SpecificCharacterSet(terms: ["ISO_IR 192"]))
        }
        return ds
    }

    static func withCharacterSet(_ ds: DataSet, _ cs: SpecificCharacterSet) -> DataSet {
        var out = DataSet(
            ds.elements.map { e in
                guard let items = e.items else { return e }
                return DataElement(tag: e.tag, vr: e.vr, value: .sequence(items.map { withCharacterSet($0, cs) }))
            }, characterSet: cs)
        out.itemOffset = ds.itemOffset
        return out
    }

    func bad(_ message: String, _ tag: Tag?) -> NetworkError {
        NetworkError(.dicomJSON, message, context: ErrorContext(path: source, tag: tag, rule: "PS3.18 §F.2"))
    }

    mutating func dataSet(_ json: JSONText, depth: Int) throws(NetworkError) -> DataSet {
        guard case .object(let members) = json else { throw bad("a data set must be a JSON object, not \(json.typeName)", nil) }
        guard depth < 32 else { throw bad("sequences nested deeper than 32", nil) }
        var ds = DataSet()
        for m in members {
            guard m.key.utf8.count == 8, m.key.allSatisfy(\.isHexDigit), let tag = Tag(string: m.key) else {
                throw bad("\"\(m.key)\" is not a tag (8 hexadecimal digits)", nil)
            }
            if let e = try element(tag, m.value, depth: depth) { ds.set(e) }
        }
        return ds
    }

    mutating func element(_ tag: Tag, _ json: JSONText, depth: Int) throws(NetworkError) -> DataElement? {
        guard case .object(let fields) = json else { throw bad("an attribute must be a JSON object", tag) }
        var vrCode: String?, value: JSONText?, inline: String?, bulk = false
        for f in fields {
            switch (f.key, f.value) {
            case ("vr", .string(let s)): vrCode = s
            case ("Value", .array): value = f.value
            case ("InlineBinary", .string(let s)): inline = s
            case ("BulkDataURI", .string): bulk = true
            default: throw bad("unexpected member \"\(f.key)\" (\(f.value.typeName)) in an attribute", tag)
            }
        }
        guard let code = vrCode, let vr = VR(code), VR.allStandard.contains(vr) else { throw bad("an attribute without a valid \"vr\"", tag) }
        if [value != nil, inline != nil, bulk].filter({ $0 }).count > 1 {
            throw bad("an attribute with more than one of Value, InlineBinary and BulkDataURI", tag)
        }
        if bulk {
            if bulkData == .refuse {
                throw NetworkError(
                    .bulkDataURI, "a BulkDataURI, which this client does not fetch", context: ErrorContext(path: source, tag: tag, rule: "PS3.18 §F.2.6"))
            }
            skippedBulkData.append(tag)
            return nil
        }
        if let inline {
            guard let d = Data(base64Encoded: inline) else { throw bad("InlineBinary is not base64", tag) }
            return DataElement(tag: tag, vr: vr, bytes: Array(d))
        }
        guard case .array(let values)? = value else { return DataElement(tag: tag, vr: vr, bytes: []) }
        if vr == .SQ {
            var items: [DataSet] = []
            for v in values { items.append(try dataSet(v, depth: depth + 1)) }
            return DataElement(tag: tag, vr: .SQ, value: .sequence(items))
        }
        return DataElement(tag: tag, vr: vr, bytes: try bytes(values, vr: vr, tag: tag))
    }

    mutating func bytes(_ values: [JSONText], vr: VR, tag: Tag) throws(NetworkError) -> [UInt8] {
        switch vr {
        case .US, .SS, .UL, .SL, .SV, .UV:
            var out: [UInt8] = []
            let width = vr == .US || vr == .SS ? 2 : vr == .UL || vr == .SL ? 4 : 8
            let signed = vr == .SS || vr == .SL || vr == .SV
            for v in values {
                guard case .number(let n) = v else { throw bad("a \(vr) value must be a number", tag) }
                let bits: UInt64
                if signed, let i = Int64(n), width == 8 || (i >= -(1 << (width * 8 - 1)) && i < 1 << (width * 8 - 1)) {
                    bits = UInt64(bitPattern: i)
                } else if !signed, let u = UInt64(n), width == 8 || u < 1 << (width * 8) {
                    bits = u
                } else {
                    throw bad("\(n) is not a \(vr) value", tag)
                }
                for k in 0..<width { out.append(UInt8(truncatingIfNeeded: bits >> (8 * k))) }
            }
            return out
        case .FL, .FD:
            var out: [UInt8] = []
            for v in values {
                let d: Double?
                switch v {
                case .number(let n): d = Double(n)
                case .string("NaN"): d = .nan
                case .string("Infinity"): d = .infinity
                case .string("-Infinity"): d = -.infinity
                default: d = nil
                }
                guard let d else { throw bad("a \(vr) value must be a number", tag) }
                let bits = vr == .FL ? UInt64(Float(d).bitPattern) : d.bitPattern
                for k in 0..<(vr == .FL ? 4 : 8) { out.append(UInt8(truncatingIfNeeded: bits >> (8 * k))) }
            }
            return out
        case .AT:
            var out: [UInt8] = []
            for v in values {
                guard case .string(let s) = v, s.utf8.count == 8, let t = Tag(string: s) else { throw bad("an AT value must be \"GGGGEEEE\"", tag) }
                for x in [t.group, t.element] { out += [UInt8(x & 0xFF), UInt8(x >> 8)] }
            }
            return out
        case .PN:
            return padded(try values.map { v throws(NetworkError) in try personName(v, tag: tag) }.joined(separator: "\\"), vr: vr)
        default:
            guard vr.isString else { throw bad("a \(vr) attribute must use InlineBinary, not Value", tag) }
            var texts: [String] = []
            for v in values {
                switch v {
                case .null: texts.append("")
                case .string(let s): texts.append(s)
                case .number(let n) where vr == .IS || vr == .DS:
                    if vr == .IS, Int64(n) == nil { throw bad("\(n) is not an IS value", tag) }
                    texts.append(n)
                default: throw bad("a \(vr) value must be a string, not \(v.typeName)", tag)
                }
            }
            if vr.isSingleValuedText, texts.count > 1 { throw bad("a \(vr) attribute holds one value", tag) }
            return padded(texts.joined(separator: "\\"), vr: vr)
        }
    }

    mutating func personName(_ v: JSONText, tag: Tag) throws(NetworkError) -> String {
        if v == .null { return "" }
        guard case .object(let groups) = v else { throw bad("a PN value must be an object of Alphabetic, Ideographic, Phonetic", tag) }
        var g = ["", "", ""]
        for m in groups {
            guard let i = ["Alphabetic", "Ideographic", "Phonetic"].firstIndex(of: m.key), case .string(let s) = m.value else {
                throw bad("a PN value has member \"\(m.key)\"; only Alphabetic, Ideographic and Phonetic strings are allowed", tag)
            }
            g[i] = s
        }
        while g.count > 1, g.last == "" { g.removeLast() }
        return g.joined(separator: "=")
    }

    mutating func padded(_ text: String, vr: VR) -> [UInt8] {
        var b = Array(text.utf8)
        if b.contains(where: { $0 >= 0x80 }) { nonASCII = true }
        if b.count & 1 == 1 { b.append(vr.paddingByte) }
        return b
    }
}
