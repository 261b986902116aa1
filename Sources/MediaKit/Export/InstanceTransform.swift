import DICOMCore

/// A change made to each instance before it is written to a medium or a store: de-identification
/// (PS3.15 E.1), import reconciliation (IHE RAD IRWF), or both in a chain.
///
/// `apply` gets the whole data set and the File Meta (group 0002) and may throw to refuse the
/// instance (the caller reports the message). It must give the same result for the same input
/// whenever it is called within one run, and it may be called concurrently: `create` applies it
/// once to the header (for the DICOMDIR records) and once to the full data set (for the file).
public protocol InstanceTransform: Sendable {
    func apply(to dataSet: inout DataSet, fileMeta: inout DataSet) throws
}

/// Transforms applied one after the other (e.g. reconcile, then de-identify).
public struct TransformChain: InstanceTransform {
    public var transforms: [any InstanceTransform]
    public init(_ transforms: [any InstanceTransform]) { self.transforms = transforms }
    public func apply(to dataSet: inout DataSet, fileMeta: inout DataSet) throws {
        for t in transforms { try t.apply(to: &dataSet, fileMeta: &fileMeta) }
    }
}

/// Why a transform refused an instance (code `transform-refused`); `rule` names the standard's section.
public struct TransformRefusal: ChainedError, Sendable {
    public var message: String
    public var rule: String
    public var location: SourceLocation
    public init(_ message: String, rule: String, file: String = #fileID, line: Int = #line) {
        self.message = message; self.rule = rule; self.location = SourceLocation(file: file, line: line)
    }
    public var codeName: String { MediaError.Code.transformRefused.rawValue }
    public var context: ErrorContext { ErrorContext() }
    public var cause: (any Error)? { nil }
    public var description: String { "\(message) (\(rule))" }
}

extension MediaError {
    /// The instance was refused by a rule (profile, syntax): it is listed as refused, not as unreadable.
    var isRefusal: Bool { code == .refused || code == .syntaxRefused }
}
