import DICOMCore

/// N-ACTION-RQ: asks the peer to perform an action on a SOP Instance, e.g. Request Storage Commitment (PS3.7 §10.3.4.1, PS3.4 §J.3.2).
public struct NActionRQ: DIMSECommand {
    public static let commandField = CommandField.nActionRQ
    public var messageID: UInt16 = 0
    /// Requested SOP Class UID (0000,0003), e.g. Storage Commitment Push Model 1.2.840.10008.1.20.1.
    public var requestedSOPClassUID = ""
    /// Requested SOP Instance UID (0000,1001), e.g. the well-known 1.2.840.10008.1.20.1.1.
    public var requestedSOPInstanceUID = ""
    /// Action Type ID (0000,1008): 1 = Request Storage Commitment (PS3.4 §J.3.2.1).
    public var actionTypeID: UInt16 = 0
    public var dataSetType = CommandDataSetType.present
    public init() {}
    public init(messageID: UInt16, requestedSOPClassUID: String, requestedSOPInstanceUID: String, actionTypeID: UInt16, hasDataSet: Bool = true) {
        self.messageID = messageID; self.requestedSOPClassUID = requestedSOPClassUID; self.requestedSOPInstanceUID = requestedSOPInstanceUID
        self.actionTypeID = actionTypeID; dataSetType = hasDataSet ? .present : .absent
    }
    public static var elements: [CommandElement<Self>] {
        [
            .required(.requestedSOPClassUID, \.requestedSOPClassUID), .required(.messageID, \.messageID),
            .required(.requestedSOPInstanceUID, \.requestedSOPInstanceUID), .required(.actionTypeID, \.actionTypeID),
        ]
    }
}

/// N-ACTION-RSP; Action Type ID (0000,1008) is conditional: the request's (PS3.7 §10.3.4.2, Table 10.3-8).
public struct NActionRSP: DIMSEResponse {
    public static let commandField = CommandField.nActionRSP
    public var response = DIMSEResponseFields(), actionTypeID: UInt16?
    public init() {}
    public static var elements: [CommandElement<Self>] { responseElements + [.optional(.actionTypeID, \.actionTypeID)] }
}

/// N-EVENT-REPORT-RQ: an event on a SOP Instance, e.g. Storage Commitment's result, Event Type ID 1 all committed, 2 some failed (PS3.7 §10.3.1.1, PS3.4 §J.3.3).
public struct NEventReportRQ: DIMSECommand {
    public static let commandField = CommandField.nEventReportRQ
    public var messageID: UInt16 = 0, eventTypeID: UInt16 = 0, affectedSOPClassUID = "", affectedSOPInstanceUID = ""
    public var dataSetType = CommandDataSetType.present
    public init() {}
    /// A report of `eventTypeID` about the SOP Instance, with its Event Information data set unless `hasDataSet` is false.
    public init(messageID: UInt16, affectedSOPClassUID: String, affectedSOPInstanceUID: String, eventTypeID: UInt16, hasDataSet: Bool = true) {
        self.init()
        (self.messageID, self.eventTypeID, self.affectedSOPClassUID, self.affectedSOPInstanceUID) = (
            messageID, eventTypeID, affectedSOPClassUID, affectedSOPInstanceUID
        )
        if !hasDataSet { dataSetType = .absent }
    }
    public static var elements: [CommandElement<Self>] {
        let uids: [CommandElement<Self>] = [
            .required(.affectedSOPClassUID, \.affectedSOPClassUID), .required(.affectedSOPInstanceUID, \.affectedSOPInstanceUID),
        ]
        return uids + [.required(.messageID, \.messageID), .required(.eventTypeID, \.eventTypeID)]
    }
}

/// N-EVENT-REPORT-RSP; Event Type ID (0000,1002) is conditional: the request's (PS3.7 §10.3.1.2, Table 10.3-2).
public struct NEventReportRSP: DIMSEResponse {
    public static let commandField = CommandField.nEventReportRSP
    public var response = DIMSEResponseFields(), eventTypeID: UInt16?
    public init() {}
    public static var elements: [CommandElement<Self>] { responseElements + [.optional(.eventTypeID, \.eventTypeID)] }
}
