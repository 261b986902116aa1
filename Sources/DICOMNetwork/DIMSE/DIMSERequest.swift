import DICOMCore

/// A C-FIND-RQ, C-GET-RQ or C-MOVE-RQ: Affected SOP Class UID, Message ID and Priority, then an Identifier data set (PS3.7 §9.1.2-§9.1.4).
public protocol DIMSEQueryRequest: DIMSECommand {
    var messageID: UInt16 { get set }
    /// The Query/Retrieve (or Worklist) Information Model's SOP Class UID (PS3.4 §C.6).
    var affectedSOPClassUID: String { get set }
    var priority: DIMSEPriority { get set }
}

extension DIMSEQueryRequest {
    /// A request followed by its Identifier.
    public init(messageID: UInt16, affectedSOPClassUID: String, priority: DIMSEPriority = .medium) {
        self.init(); self.messageID = messageID; self.affectedSOPClassUID = affectedSOPClassUID; self.priority = priority
    }
    public static var dataSetRule: CommandDataSetRule { .required }
    /// The elements the three requests share (PS3.7 Tables 9.3-3, 9.3-5, 9.3-7).
    public static var queryElements: [CommandElement<Self>] {
        [.required(.affectedSOPClassUID, \.affectedSOPClassUID), .required(.messageID, \.messageID), .required(.priority, \.priority)]
    }
    public static var elements: [CommandElement<Self>] { queryElements }
}
