import DICOMCore

/// C-GET-RQ: the Identifier follows; the instances come back on the same association (PS3.7 §9.3.3.1, Table 9.3-6).
public struct CGetRQ: DIMSEQueryRequest { public static let commandField = CommandField.cGetRQ; public var request = DIMSEQueryFields(); public init() {} }

/// C-GET-RSP, with the sub-operation counters (PS3.7 §9.3.3.2, Table 9.3-7).
public struct CGetRSP: DIMSERetrieveResponse {
    public static let commandField = CommandField.cGetRSP
    public var response = DIMSEResponseFields()
    /// The C-STORE sub-operations on this association: remaining, completed, failed, warning.
    public var subOperations = SubOperationCounts()
    public init() {}
}

/// C-MOVE-RQ: the Identifier follows; the instances go to Move Destination by C-STORE (PS3.7 §9.3.4.1, Table 9.3-8).
public struct CMoveRQ: DIMSEQueryRequest {
    public static let commandField = CommandField.cMoveRQ
    public var request = DIMSEQueryFields()
    /// Move Destination (0000,0600): the AE title the peer sends the instances to.
    public var moveDestination = ""
    public init() {}
    public init(messageID: UInt16, affectedSOPClassUID: String, moveDestination: String, priority: DIMSEPriority = .medium) {
        self.init(messageID: messageID, affectedSOPClassUID: affectedSOPClassUID, priority: priority); self.moveDestination = moveDestination
    }
    public static var elements: [CommandElement<Self>] { queryElements + [.required(.moveDestination, \.moveDestination)] }
}

/// C-MOVE-RSP, with the counters of the C-STORE sub-operations to Move Destination (PS3.7 §9.3.4.2, Table 9.3-9).
public struct CMoveRSP: DIMSERetrieveResponse {
    public static let commandField = CommandField.cMoveRSP
    public var response = DIMSEResponseFields(), subOperations = SubOperationCounts()
    public init() {}
}
