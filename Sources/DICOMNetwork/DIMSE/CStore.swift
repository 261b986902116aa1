import DICOMCore

/// C-STORE-RQ: one SOP Instance follows as the data set (PS3.7 §9.3.1.1, Table 9.3-1).
public struct CStoreRQ: DIMSECommand {
    public static let commandField = CommandField.cStoreRQ
    public var messageID: UInt16 = 0
    public var affectedSOPClassUID = ""
    public var affectedSOPInstanceUID = ""
    public var priority = DIMSEPriority.medium
    public var dataSetType = CommandDataSetType.present
    /// Move Originator Application Entity Title (0000,1030): the AE that asked a C-MOVE this store is a sub-operation of.
    public var moveOriginatorAETitle: String?
    /// Move Originator Message ID (0000,1031): that C-MOVE-RQ's Message ID.
    public var moveOriginatorMessageID: UInt16?
    public init() {}
    public init(
        messageID: UInt16, affectedSOPClassUID: String, affectedSOPInstanceUID: String, priority: DIMSEPriority = .medium,
        moveOriginatorAETitle: String? = nil, moveOriginatorMessageID: UInt16? = nil
    ) {
        self.messageID = messageID; self.affectedSOPClassUID = affectedSOPClassUID; self.affectedSOPInstanceUID = affectedSOPInstanceUID
        self.priority = priority; self.moveOriginatorAETitle = moveOriginatorAETitle; self.moveOriginatorMessageID = moveOriginatorMessageID
    }
    public static var elements: [CommandElement<Self>] {
        [
            .required(.affectedSOPClassUID, \.affectedSOPClassUID), .required(.messageID, \.messageID), .required(.priority, \.priority),
            .required(.affectedSOPInstanceUID, \.affectedSOPInstanceUID),
            .optional(.moveOriginatorApplicationEntityTitle, \.moveOriginatorAETitle), .optional(.moveOriginatorMessageID, \.moveOriginatorMessageID),
        ]
    }
}

/// C-STORE-RSP (PS3.7 §9.3.1.2, Table 9.3-2).
public struct CStoreRSP: DIMSEResponse {
    public static let commandField = CommandField.cStoreRSP; public var response = DIMSEResponseFields(); public init() {}
}
