import DICOMCore

/// An error as the command line reports it: one line on stderr, the `{"error", "exitCode"}` document
/// with --json, and with --verbose its cause chain.
public enum ErrorReport {
    /// One line per error of the chain, outermost first: `error [code] what (at Module/File.swift:12)`,
    /// then `cause [code] ...`; an error without the chained shape shows its type instead of a code.
    public static func chainLines(_ error: any Error) -> [String] {
        error.causeChain.enumerated().map { i, e in
            let role = i == 0 ? "  error" : "  cause"
            if let c = e as? any ChainedError {
                return "\(role) [\(c.codeName)] \(c.description) (at \(c.location))"
            }
            return "\(role) [\(String(reflecting: type(of: e)))] \(e)"
        }
    }

    /// The document a failed run prints with --json when it printed none: `{"error": MESSAGE, "exitCode": N}`.
    public static func document(message: String, exitCode: Int32) -> JSON {
        var message = message
        while message.hasSuffix("\n") { message.removeLast() }
        if message.isEmpty { message = "exit \(exitCode)" }
        return .object([("error", .string(message)), ("exitCode", .int(Int64(exitCode)))])
    }
}
