#if canImport(Glibc)
import Glibc
#endif

/// Progress ("phase done/total") on stderr when it is a terminal (never in pipes or scripts); nil otherwise.
public func progressPrinter() -> (@Sendable (String, Int, Int) -> Void)? {
    guard isatty(2) == 1 else { return nil }
    return { phase, done, total in
        // write(2) on descriptor 2 (stderr is unbuffered; no shared FILE state to touch).
        let line = "\r\(phase) \(done)/\(total)\(done == total ? "\n" : "")"
        _ = line.withCString { write(2, $0, strlen($0)) }
    }
}
