import DICOMCore

/// C-ECHO-RQ: verifies that the peer answers (PS3.7 §9.3.5.1, Table 9.3-12).
public struct CEchoRQ: DIMSECommand {
    public static let commandField = CommandField.cEchoRQ
    public var messageID: UInt16 = 0
    /// The Verification SOP Class, 1.2.840.10008.1.1.
    public var affectedSOPClassUID = ""
    public var dataSetType = CommandDataSetType.absent
    public init() {}
    public init(messageID: UInt16, affectedSOPClassUID: String) { self.messageID = messageID; self.affectedSOPClassUID = affectedSOPClassUID }
    public static var elements: [CommandElement<Self>] { [.required(.affectedSOPClassUID, \.affectedSOPClassUID), .required(.messageID, \.messageID)] }
}

/// C-ECHO-RSP (PS3.7 §9.3.5.2, Table 9.3-13).
public struct CEchoRSP: DIMSEResponse { public static let commandField = CommandField.cEchoRSP; public var response = DIMSEResponseFields(); public init() {} }
