import DICOMCore

/// C-FIND-RQ: the Identifier follows as the data set (PS3.7 §9.3.2.1, Table 9.3-3).
public struct CFindRQ: DIMSEQueryRequest { public static let commandField = CommandField.cFindRQ; public var request = DIMSEQueryFields(); public init() {} }

/// C-FIND-RSP: a pending response carries one match as its data set (PS3.7 §9.3.2.2, Table 9.3-4).
public struct CFindRSP: DIMSEResponse { public static let commandField = CommandField.cFindRSP; public var response = DIMSEResponseFields(); public init() {} }

/// C-CANCEL-RQ: asks the peer to stop the C-FIND, C-GET or C-MOVE it answers (PS3.7 §9.3.2.3, Table 9.3-5).
public struct CCancelRQ: DIMSECommand {
    public static let commandField = CommandField.cCancelRQ
    /// The Message ID of the request to cancel.
    public var messageIDBeingRespondedTo: UInt16 = 0
    public var dataSetType = CommandDataSetType.absent
    public init() {}
    public init(messageIDBeingRespondedTo: UInt16) { self.messageIDBeingRespondedTo = messageIDBeingRespondedTo }
    public static var elements: [CommandElement<Self>] { [.required(.messageIDBeingRespondedTo, \.messageIDBeingRespondedTo)] }
}
