import DICOMCore

/// What ``FileSet/insert(_:index:)`` did.
public enum InsertResult: Sendable, Equatable {
    /// The records were added; the problems are conflicts with records already in the tree.
    case inserted(problems: [FileSetProblem])
    /// A record already references this SOP Instance UID; nothing was added.
    case duplicate(existingFileID: FileID?)

    public var problems: [FileSetProblem] { if case .inserted(let p) = self { return p }; return [] }
    public var isInserted: Bool { if case .inserted = self { return true }; return false }
}
