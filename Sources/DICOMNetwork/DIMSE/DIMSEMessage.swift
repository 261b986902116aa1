import DICOMCore

/// Any DIMSE message this library reads and writes, decoded by its Command Field (PS3.7 §9.3, §10.3, §E.1).
public enum DIMSEMessage: Sendable, Hashable {
    case cEchoRQ(CEchoRQ), cEchoRSP(CEchoRSP)
    case cStoreRQ(CStoreRQ), cStoreRSP(CStoreRSP)
    case cFindRQ(CFindRQ), cFindRSP(CFindRSP)
    case cGetRQ(CGetRQ), cGetRSP(CGetRSP)
    case cMoveRQ(CMoveRQ), cMoveRSP(CMoveRSP)
    case cCancelRQ(CCancelRQ)
    case nActionRQ(NActionRQ), nActionRSP(NActionRSP)
    case nEventReportRQ(NEventReportRQ), nEventReportRSP(NEventReportRSP)

    /// Reads the message `commandSet` holds; a command without a message type here (N-GET, N-SET, N-CREATE, N-DELETE) is `unknown-command`.
    public init(commandSet: CommandSet) throws {
        let field = try commandSet.commandField()
        switch field {
        case .cEchoRQ: self = .cEchoRQ(try CEchoRQ(commandSet: commandSet))
        case .cEchoRSP: self = .cEchoRSP(try CEchoRSP(commandSet: commandSet))
        case .cStoreRQ: self = .cStoreRQ(try CStoreRQ(commandSet: commandSet))
        case .cStoreRSP: self = .cStoreRSP(try CStoreRSP(commandSet: commandSet))
        case .cFindRQ: self = .cFindRQ(try CFindRQ(commandSet: commandSet))
        case .cFindRSP: self = .cFindRSP(try CFindRSP(commandSet: commandSet))
        case .cGetRQ: self = .cGetRQ(try CGetRQ(commandSet: commandSet))
        case .cGetRSP: self = .cGetRSP(try CGetRSP(commandSet: commandSet))
        case .cMoveRQ: self = .cMoveRQ(try CMoveRQ(commandSet: commandSet))
        case .cMoveRSP: self = .cMoveRSP(try CMoveRSP(commandSet: commandSet))
        case .cCancelRQ: self = .cCancelRQ(try CCancelRQ(commandSet: commandSet))
        case .nActionRQ: self = .nActionRQ(try NActionRQ(commandSet: commandSet))
        case .nActionRSP: self = .nActionRSP(try NActionRSP(commandSet: commandSet))
        case .nEventReportRQ: self = .nEventReportRQ(try NEventReportRQ(commandSet: commandSet))
        case .nEventReportRSP: self = .nEventReportRSP(try NEventReportRSP(commandSet: commandSet))
        case .nGetRQ, .nGetRSP, .nSetRQ, .nSetRSP, .nCreateRQ, .nCreateRSP, .nDeleteRQ, .nDeleteRSP:
            throw NetworkError(.unknownCommand, "\(field.name) is not supported: no message type for it (PS3.7 §10.3)", tag: .commandField)
        }
    }

    /// Decodes a command set's bytes (PS3.7 §6.3.1) and reads its message.
    public static func decode(_ bytes: [UInt8]) throws -> DIMSEMessage { try DIMSEMessage(commandSet: CommandSet.decode(bytes)) }

    /// The typed message.
    public var command: any DIMSECommand {
        switch self {
        case .cEchoRQ(let m): return m
        case .cEchoRSP(let m): return m
        case .cStoreRQ(let m): return m
        case .cStoreRSP(let m): return m
        case .cFindRQ(let m): return m
        case .cFindRSP(let m): return m
        case .cGetRQ(let m): return m
        case .cGetRSP(let m): return m
        case .cMoveRQ(let m): return m
        case .cMoveRSP(let m): return m
        case .cCancelRQ(let m): return m
        case .nActionRQ(let m): return m
        case .nActionRSP(let m): return m
        case .nEventReportRQ(let m): return m
        case .nEventReportRSP(let m): return m
        }
    }

    public var commandField: CommandField { type(of: command).commandField }
    public var commandSet: CommandSet { command.commandSet }
    public var hasDataSet: Bool { command.hasDataSet }
    /// The bytes of the command set (PS3.7 §6.3.1).
    public func encode() -> [UInt8] { command.encode() }
    /// The response fields when the message is a response.
    public var response: DIMSEResponseFields? { (command as? any DIMSEResponse)?.response }
}
