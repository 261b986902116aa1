import DICOMCore

/// A typed DIMSE message: its fields, read from and written to a ``CommandSet`` by its element list (PS3.7 §9.3, §10.3).
public protocol DIMSECommand: Sendable, Hashable {
    /// The Command Field (0000,0100) of the message (PS3.7 §E.1).
    static var commandField: CommandField { get }
    /// The fields besides Command Field and Command Data Set Type, each required or optional as PS3.7's table for the message says.
    static var elements: [CommandElement<Self>] { get }
    /// Whether the message must, may or must not be followed by a data set (PS3.7 §9.3, §10.3).
    static var dataSetRule: CommandDataSetRule { get }
    /// A message with every field empty or zero, which decoding fills in.
    init()
    /// Command Data Set Type (0000,0800), kept as received so a message re-encodes to the same bytes.
    var dataSetType: CommandDataSetType { get set }
}

/// Whether a data set follows a message (PS3.7 §9.3, §10.3: "shall be set to 0101H", or the data set is mandatory).
public enum CommandDataSetRule: Sendable, Hashable {
    case required, optional, absent
}

extension DIMSECommand {
    public static var dataSetRule: CommandDataSetRule { commandField.dataSetRule }

    /// A data set follows this message (PS3.7 §E.1).
    public var hasDataSet: Bool { dataSetType.isPresent }

    /// Reads the message from `commandSet`, refusing another command, a missing required field or a wrong data set type (PS3.7 §9.3, §10.3).
    public init(commandSet: CommandSet) throws {
        let field = try commandSet.commandField()
        guard field == Self.commandField else {
            throw NetworkError(.commandBadValue, "the command set is a \(field.name), not a \(Self.commandField.name)", tag: .commandField)
        }
        self.init()
        dataSetType = CommandDataSetType(rawValue: try commandSet.uint16(.commandDataSetType))
        switch (Self.dataSetRule, dataSetType.isPresent) {
        case (.required, false), (.absent, true):
            let rule = Self.dataSetRule == .required ? "must be followed by a data set" : "has no data set (0101H)"
            throw NetworkError(
                .commandBadValue, "Command Data Set Type is \(commandHex(dataSetType.rawValue))H; a \(field.name) \(rule) (PS3.7 §E.1)",
                tag: .commandDataSetType)
        default: break
        }
        for element in Self.elements { try element.read(commandSet, &self) }
    }

    /// The command set of this message (PS3.7 §E.1); encode it with ``CommandSet/encode()``.
    public var commandSet: CommandSet {
        var set = CommandSet(Self.commandField)
        set.setUInt16(.commandDataSetType, dataSetType.rawValue)
        for element in Self.elements { element.write(self, &set) }
        return set
    }

    /// The command set's bytes: Implicit VR Little Endian with Command Group Length (PS3.7 §6.3.1).
    public func encode() -> [UInt8] { commandSet.encode() }

    /// Decodes a command set's bytes as this message (PS3.7 §6.3.1).
    public static func decode(_ bytes: [UInt8]) throws -> Self { try Self(commandSet: CommandSet.decode(bytes)) }
}

/// How a message reads and writes one field of its command set (PS3.7 §E.1).
public struct CommandElement<Message> {
    let tag: Tag
    let read: (CommandSet, inout Message) throws -> Void
    let write: (Message, inout CommandSet) -> Void

    /// A field the message requires (PS3.7 "M"): absent or empty, decoding fails with `command-missing-element`.
    static func required<V: CommandValue>(_ tag: Tag, _ path: WritableKeyPath<Message, V>) -> Self {
        Self(tag: tag, read: { set, m in m[keyPath: path] = try V.read(set, tag, required: true) }, write: { m, set in m[keyPath: path].write(&set, tag) })
    }

    /// A field the message may carry (PS3.7 "U" or "C").
    static func optional<V: CommandValue>(_ tag: Tag, _ path: WritableKeyPath<Message, V?>) -> Self {
        Self(
            tag: tag, read: { set, m in m[keyPath: path] = set.bytes(tag) == nil ? nil : try V.read(set, tag, required: false) },
            write: { m, set in m[keyPath: path]?.write(&set, tag) })
    }
}

/// A value type of a command field (PS3.7 §E.1): UI/AE/LO text, US numbers and AT tags.
protocol CommandValue {
    static func read(_ set: CommandSet, _ tag: Tag, required: Bool) throws -> Self
    func write(_ set: inout CommandSet, _ tag: Tag)
}

extension String: CommandValue {
    static func read(_ set: CommandSet, _ tag: Tag, required: Bool) throws -> String {
        required ? try set.string(tag) : CommandSet.trimmed(try set.required(tag), vr: CommandSet.vr(of: tag))
    }
    func write(_ set: inout CommandSet, _ tag: Tag) { set.setString(tag, self) }
}

extension UInt16: CommandValue {
    static func read(_ set: CommandSet, _ tag: Tag, required: Bool) throws -> UInt16 { try set.uint16(tag) }
    func write(_ set: inout CommandSet, _ tag: Tag) { set.setUInt16(tag, self) }
}

extension DIMSEStatus: CommandValue {
    static func read(_ set: CommandSet, _ tag: Tag, required: Bool) throws -> DIMSEStatus { DIMSEStatus(try set.uint16(tag)) }
    func write(_ set: inout CommandSet, _ tag: Tag) { set.setUInt16(tag, rawValue) }
}

extension DIMSEPriority: CommandValue {
    static func read(_ set: CommandSet, _ tag: Tag, required: Bool) throws -> DIMSEPriority {
        let raw = try set.uint16(tag)
        guard let p = DIMSEPriority(rawValue: raw) else {
            throw NetworkError(.commandBadValue, "Priority \(commandHex(raw))H is not LOW (0002H), MEDIUM (0000H) or HIGH (0001H) (PS3.7 §9.1.1.1.8)", tag: tag)
        }
        return p
    }
    func write(_ set: inout CommandSet, _ tag: Tag) { set.setUInt16(tag, rawValue) }
}

extension Array: CommandValue where Element == Tag {
    static func read(_ set: CommandSet, _ tag: Tag, required: Bool) throws -> [Tag] { try set.tags(tag) }
    func write(_ set: inout CommandSet, _ tag: Tag) { set.setTags(tag, self) }
}
