import DICOMCore
import DICOMIO

/// A DIMSE command set: the group 0000 elements of one message, always Implicit VR Little Endian (PS3.7 §6.3.1, §E.1).
public struct CommandSet: Sendable, Equatable {
    /// The elements, group 0000 only, in tag order; (0000,0000) is computed when encoding.
    public private(set) var elements: DataSet
    /// Elements outside group 0000 that a lenient decode skipped: a DCMTK peer's status detail, e.g. Failed SOP Instance UID List
    /// (0008,0058) in a C-GET/C-MOVE response; never encoded.
    public internal(set) var statusDetail = DataSet()

    /// An empty command set of `field`.
    public init(_ field: CommandField) {
        elements = DataSet()
        setUInt16(.commandField, field.rawValue)
    }

    init(elements: DataSet, statusDetail: DataSet = DataSet()) {
        self.elements = elements
        self.statusDetail = statusDetail
    }

    /// The Command Field (0000,0100); throws when absent or not a DIMSE command (PS3.7 §E.1).
    public func commandField() throws -> CommandField {
        let raw = try uint16(.commandField)
        guard let field = CommandField(rawValue: raw) else {
            throw NetworkError(.unknownCommand, "Command Field \(commandHex(raw))H is no DIMSE command (PS3.7 §E.1)", tag: .commandField)
        }
        return field
    }

    // MARK: Encoding (PS3.7 §6.3.1)

    /// The bytes in Implicit VR Little Endian, starting with Command Group Length (0000,0000) computed over the rest.
    public func encode() -> [UInt8] {
        var ds = elements
        ds.set(DataElement(tag: .commandGroupLength, vr: .UL, bytes: [0, 0, 0, 0]))
        var encoder = DataSetEncoder(explicitVR: false, undefinedLengths: false)
        encoder.encode(ds)
        return encoder.out
    }

    /// Sets a string element (UI, AE, LO) in the default repertoire, one byte a character (beyond U+00FF "?"), padded to even length (PS3.5 §6.1.2, §6.2).
    public mutating func setString(_ tag: Tag, _ value: String) {
        let vr = Self.vr(of: tag)
        var bytes = value.unicodeScalars.map { $0.value <= 0xFF ? UInt8($0.value) : 0x3F }
        if bytes.count % 2 == 1 { bytes.append(vr.paddingByte) }
        elements.set(DataElement(tag: tag, vr: vr, bytes: bytes))
    }
    public mutating func setUInt16(_ tag: Tag, _ value: UInt16) { elements.setUInt16(tag, [value]) }
    /// Sets an AT element: each tag as group then element, little endian (PS3.5 §6.2).
    public mutating func setTags(_ tag: Tag, _ tags: [Tag]) {
        let bytes = tags.flatMap { t in [UInt8(t.group & 0xFF), UInt8(t.group >> 8), UInt8(t.element & 0xFF), UInt8(t.element >> 8)] }
        elements.set(DataElement(tag: tag, vr: .AT, bytes: bytes))
    }
    public mutating func remove(_ tag: Tag) { elements.remove(tag) }

    // MARK: Typed reading (PS3.7 §E.1)

    /// The element's value bytes, nil when absent.
    public func bytes(_ tag: Tag) -> [UInt8]? { elements[tag]?.bytes }

    /// A US value; throws when absent or not 2 bytes.
    public func uint16(_ tag: Tag) throws -> UInt16 {
        let b = try required(tag)
        guard b.count == 2 else { throw Self.badLength(tag, b.count, "2") }
        return le16(b, 0)
    }

    /// A string value (UI, AE, LO) with its padding removed; throws when absent or empty.
    public func string(_ tag: Tag) throws -> String {
        let s = Self.trimmed(try required(tag), vr: Self.vr(of: tag))
        guard !s.isEmpty else { throw Self.missing(tag, "is empty") }
        return s
    }

    /// An AT value as tags; throws when absent or not a multiple of 4 bytes.
    public func tags(_ tag: Tag) throws -> [Tag] {
        let b = try required(tag)
        guard b.count % 4 == 0 else { throw Self.badLength(tag, b.count, "a multiple of 4") }
        return Swift.stride(from: 0, to: b.count, by: 4).map { Tag(le16(b, $0), le16(b, $0 + 2)) }
    }

    func required(_ tag: Tag) throws -> [UInt8] {
        guard let b = bytes(tag) else { throw Self.missing(tag, "is absent") }
        return b
    }

    static func missing(_ tag: Tag, _ what: String) -> NetworkError {
        NetworkError(.commandMissingElement, "\(name(of: tag)) \(what); the command requires it (PS3.7 §9.3, §10.3)", tag: tag)
    }

    static func badLength(_ tag: Tag, _ count: Int, _ expected: String) -> NetworkError {
        NetworkError(.commandBadValue, "\(name(of: tag)) has \(count) bytes, not \(expected) (PS3.7 §E.1)", tag: tag)
    }

    /// The attribute's name from the data dictionary (PS3.6 §6), or "element" for an unknown tag.
    static func name(of tag: Tag) -> String { DataDictionary.entry(for: tag)?.name ?? "element" }

    /// The VR of a group 0000 tag from the data dictionary (PS3.7 §E.1); UN for an unknown one.
    static func vr(of tag: Tag) -> VR { DataDictionary.entry(for: tag)?.vr ?? .UN }

    /// The text without trailing NUL or space padding (nor leading spaces in an AE), one character a byte so any bytes survive a round trip (PS3.5 §6.2).
    static func trimmed(_ bytes: [UInt8], vr: VR) -> String {
        var end = bytes.count
        while end > 0 && (bytes[end - 1] == 0 || bytes[end - 1] == 0x20) { end -= 1 }
        var start = 0
        if vr == .AE { while start < end && bytes[start] == 0x20 { start += 1 } }
        var text = String.UnicodeScalarView()
        text.append(contentsOf: bytes[start..<end].map { Unicode.Scalar($0) })
        return String(text)
    }
}
