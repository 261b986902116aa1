import DICOMCore

/// One DIMSE message as PDVs carry it: its presentation context, command set bytes and data set bytes (PS3.8 Annex E, PS3.7 §6.3).
public struct PDVMessage: Hashable, Sendable {
    public var presentationContextID: UInt8
    /// The command set, Implicit VR Little Endian (PS3.7 §6.3.1).
    public var command: [UInt8]
    /// The data set in the context's transfer syntax, nil when the command says none follows (PS3.7 §E.1).
    public var dataSet: [UInt8]?

    public init(presentationContextID: UInt8, command: [UInt8], dataSet: [UInt8]?) {
        self.presentationContextID = presentationContextID; self.command = command; self.dataSet = dataSet
    }
}

// A message is its command fragments then, when the command's Command Data Set Type (0000,0800)
// is not 0101H, its data fragments, all on one presentation context; nothing of another message
// may come in between (PS3.8 §E.2, PS3.7 §9.3).
/// Rebuilds DIMSE messages from the PDVs received, in order, refusing interleaved or oversized messages (PS3.8 Annex E, §9.3.5.1).
public struct MessageAssembler: Sendable {
    /// The largest message accepted, command and data set bytes together; checked as each fragment arrives.
    public var maximumMessageLength: Int
    /// Whether a data set follows a complete command set; by default its Command Data Set Type (0000,0800) (PS3.7 §E.1).
    private let dataSetFollows: @Sendable ([UInt8]) throws -> Bool

    private var contextID: UInt8?
    private var command: [UInt8] = []
    /// The data set being received, once the command's last fragment said one follows.
    private var dataSet: [UInt8]?

    public init(maximumMessageLength: Int, dataSetFollows: @escaping @Sendable ([UInt8]) throws -> Bool = MessageAssembler.commandHasDataSet) {
        self.maximumMessageLength = maximumMessageLength
        self.dataSetFollows = dataSetFollows
    }

    /// No message is partly received (PS3.8 Annex E).
    public var isIdle: Bool { contextID == nil }

    /// Adds one received PDV; returns the message it completes, if any.
    public mutating func receive(_ pdv: PDV) throws -> PDVMessage? {
        if let id = contextID, id != pdv.presentationContextID {
            throw NetworkError(.pdvContext, "a PDV for presentation context \(pdv.presentationContextID) inside a message on context \(id)")
        }
        let received = command.count + (dataSet?.count ?? 0)
        guard pdv.fragment.count <= maximumMessageLength - received else {
            throw NetworkError(.messageTooLarge, "a DIMSE message over the limit of \(maximumMessageLength) bytes (\(received + pdv.fragment.count) received)")
        }
        let id = pdv.presentationContextID
        guard dataSet != nil else {
            guard pdv.isCommand else { throw NetworkError(.pdvOrder, "a data set fragment before the command set's last fragment") }
            contextID = id
            command += pdv.fragment
            guard pdv.isLastFragment else { return nil }
            if try dataSetFollows(command) {
                dataSet = []
                return nil
            }
            return finish(id)
        }
        guard !pdv.isCommand else { throw NetworkError(.pdvOrder, "a command fragment inside the data set of the message before") }
        dataSet?.append(contentsOf: pdv.fragment)
        return pdv.isLastFragment ? finish(id) : nil
    }

    private mutating func finish(_ id: UInt8) -> PDVMessage {
        defer { contextID = nil; command = []; dataSet = nil }
        return PDVMessage(presentationContextID: id, command: command, dataSet: dataSet)
    }

    /// Reads Command Data Set Type (0000,0800) from an Implicit VR Little Endian command set: 0101H means no data set (PS3.7 §E.1).
    @Sendable public static func commandHasDataSet(_ command: [UInt8]) throws -> Bool {
        var i = 0
        while command.count - i >= 8 {
            let tag = UInt32(command[i + 2]) | UInt32(command[i + 3]) << 8 | UInt32(command[i]) << 16 | UInt32(command[i + 1]) << 24
            let length = Int(UInt32(command[i + 4]) | UInt32(command[i + 5]) << 8 | UInt32(command[i + 6]) << 16 | UInt32(command[i + 7]) << 24)
            guard length <= command.count - i - 8 else { break }
            if tag == Tag.commandDataSetType.rawValue {
                guard length == 2 else { break }
                return UInt16(command[i + 8]) | UInt16(command[i + 9]) << 8 != 0x0101
            }
            i += 8 + length
        }
        throw NetworkError(.commandDataSetType, "the command set has no readable Command Data Set Type \(Tag.commandDataSetType)", offset: i)
    }
}
