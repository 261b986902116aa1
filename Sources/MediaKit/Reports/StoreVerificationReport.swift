import DICOMCore
import DICOMStore

/// `store verify`: instances and bytes checked, and every problem (each an error).
public struct StoreVerificationReport: Sendable {
    public let root: String
    let verification: DICOMStore.Verification

    public var text: String { "\(verification.instances) instances, \(verification.bytes) bytes, \(verification.problems.count) problems" }

    public var json: JSON {
        .object([
            ("instances", .int(Int64(verification.instances))), ("bytes", .int(Int64(verification.bytes))),
            ("problems", .array(verification.problems.map(\.json))),
        ])
    }

    /// One stderr line per problem (a file missing, damaged or unindexed).
    public var errors: [String] { verification.problems.map { "\(root): \($0)" } }
    public var hasProblems: Bool { !verification.problems.isEmpty }
    /// Leftovers of a killed run were found: they are cleaned up after the report (they may hold patients' data).
    public var interrupted: Bool { verification.problems.contains { $0.code == .interrupted } }
}
