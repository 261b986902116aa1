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
