import DICOMCore

/// The fields every DIMSE response carries or may carry (PS3.7 §9.1.x.1, §10.1.x.1: Message ID Being Responded To, Status, ...).
public struct DIMSEResponseFields: Sendable, Hashable {
    /// Message ID Being Responded To (0000,0120): the request's Message ID (PS3.7 §9.1.1.1.2).
    public var messageIDBeingRespondedTo: UInt16
    public var status: DIMSEStatus
    public var dataSetType: CommandDataSetType
    /// Affected SOP Class UID (0000,0002), "U(=)" in the C-responses.
    public var affectedSOPClassUID: String?
    /// Affected SOP Instance UID (0000,1000), in C-STORE and the N-responses.
    public var affectedSOPInstanceUID: String?
    /// Offending Element (0000,0901): the tags a failure is about (PS3.7 §C.4).
    public var offendingElements: [Tag]?
    /// Error Comment (0000,0902), at most 64 characters of text (PS3.7 §C.4).
    public var errorComment: String?
    /// Error ID (0000,0903), an implementation-specific code (PS3.7 §C.4).
    public var errorID: UInt16?
    /// Why a failure happened in full, for the responder's own log; never encoded (the Error Comment carries 64 characters of it).
    public var localDetail: String?

    public init(
        respondingTo messageID: UInt16 = 0, status: DIMSEStatus = .success, dataSetType: CommandDataSetType = .absent,
        affectedSOPClassUID: String? = nil, affectedSOPInstanceUID: String? = nil, offendingElements: [Tag]? = nil, errorComment: String? = nil,
        errorID: UInt16? = nil
    ) {
        messageIDBeingRespondedTo = messageID; self.status = status; self.dataSetType = dataSetType
        self.affectedSOPClassUID = affectedSOPClassUID; self.affectedSOPInstanceUID = affectedSOPInstanceUID
        self.offendingElements = offendingElements; self.errorComment = errorComment; self.errorID = errorID
    }
}

/// A DIMSE response message: its ``DIMSEResponseFields`` and, for some, more (PS3.7 §9.3, §10.3).
public protocol DIMSEResponse: DIMSECommand {
    var response: DIMSEResponseFields { get set }
}

extension DIMSEResponse {
    /// A response with these fields.
    public init(_ response: DIMSEResponseFields) {
        self.init(); self.response = response
    }
    public var dataSetType: CommandDataSetType {
        get { response.dataSetType }
        set { response.dataSetType = newValue }
    }
    public var status: DIMSEStatus { response.status }
    public var messageIDBeingRespondedTo: UInt16 { response.messageIDBeingRespondedTo }

    /// The response fields' elements (PS3.7 Tables 9.3-2, 9.3-4, ...).
    public static var responseElements: [CommandElement<Self>] {
        [
            .required(.messageIDBeingRespondedTo, \.response.messageIDBeingRespondedTo), .required(.status, \.response.status),
            .optional(.affectedSOPClassUID, \.response.affectedSOPClassUID), .optional(.affectedSOPInstanceUID, \.response.affectedSOPInstanceUID),
            .optional(.offendingElement, \.response.offendingElements), .optional(.errorComment, \.response.errorComment),
            .optional(.errorID, \.response.errorID),
        ]
    }
    public static var elements: [CommandElement<Self>] { responseElements }
}

/// A C-MOVE-RSP or C-GET-RSP: a response with sub-operation counters (PS3.7 §9.1.3.1, §9.1.4.1).
public protocol DIMSERetrieveResponse: DIMSEResponse {
    var subOperations: SubOperationCounts { get set }
}

extension DIMSERetrieveResponse {
    /// A response with these fields and counters.
    public init(_ response: DIMSEResponseFields, subOperations: SubOperationCounts) {
        self.init(response); self.subOperations = subOperations
    }
    public static var elements: [CommandElement<Self>] {
        responseElements + [
            .optional(.numberOfRemainingSuboperations, \.subOperations.remaining), .optional(.numberOfCompletedSuboperations, \.subOperations.completed),
            .optional(.numberOfFailedSuboperations, \.subOperations.failed), .optional(.numberOfWarningSuboperations, \.subOperations.warning),
        ]
    }
}
