import DICOMCore

/// The fields of a C-FIND-RQ, C-GET-RQ or C-MOVE-RQ before its Identifier data set (PS3.7 §9.1.2-§9.1.4).
public struct DIMSEQueryFields: Sendable, Hashable {
    public var messageID: UInt16
    /// The Query/Retrieve (or Worklist) Information Model's SOP Class UID (PS3.4 §C.6).
    public var affectedSOPClassUID: String
    public var priority: DIMSEPriority
    public var dataSetType: CommandDataSetType
    public init(messageID: UInt16 = 0, affectedSOPClassUID: String = "", priority: DIMSEPriority = .medium, dataSetType: CommandDataSetType = .present) {
        self.messageID = messageID; self.affectedSOPClassUID = affectedSOPClassUID; self.priority = priority; self.dataSetType = dataSetType
    }
}

/// A C-FIND-RQ, C-GET-RQ or C-MOVE-RQ: ``DIMSEQueryFields``, then an Identifier data set (PS3.7 Tables 9.3-3, 9.3-6, 9.3-8).
public protocol DIMSEQueryRequest: DIMSECommand {
    var request: DIMSEQueryFields { get set }
}

extension DIMSEQueryRequest {
    /// A request followed by its Identifier.
    public init(messageID: UInt16, affectedSOPClassUID: String, priority: DIMSEPriority = .medium) {
        self.init(); request = DIMSEQueryFields(messageID: messageID, affectedSOPClassUID: affectedSOPClassUID, priority: priority)
    }
    public var messageID: UInt16 { request.messageID }
    public var affectedSOPClassUID: String { request.affectedSOPClassUID }
    public var priority: DIMSEPriority { request.priority }
    public var dataSetType: CommandDataSetType {
        get { request.dataSetType }
        set { request.dataSetType = newValue }
    }
    /// The elements the three requests share.
    public static var queryElements: [CommandElement<Self>] {
        [.required(.affectedSOPClassUID, \.request.affectedSOPClassUID), .required(.messageID, \.request.messageID), .required(.priority, \.request.priority)]
    }
    public static var elements: [CommandElement<Self>] { queryElements }
}
