import DICOMCore

/// A store command's result: text and JSON for stdout, and the stderr line of a job done in part (exit 1).
public protocol StoreReport: Sendable {
    var text: String { get }
    var json: JSON { get }
    /// The error line when the command found a problem (exit 1), else nil.
    var error: String? { get }
}

extension StoreConflictsReport: StoreReport {}
extension StoreRemovalReport: StoreReport {}
