import NIOCore
import NIOPosix
#if canImport(Glibc)
import Glibc
#endif

/// Why a TCP connection could not be opened, in a few words ("connection refused", "timed out after 15 s",
/// "cannot resolve the host name"), from SwiftNIO's error (PS3.8 §9.1.1: the transport connect fails).
enum ConnectFailure {
    static func reason(_ error: any Error) -> String {
        switch error {
        case let e as NIOConnectionError:
            if let first = e.connectionErrors.first { return reason(first.error) }
            if e.dnsAError != nil || e.dnsAAAAError != nil { return "cannot resolve the host name \(e.host)" }
            return "no address for \(e.host)"
        case let e as IOError:
            return String(cString: strerror(e.errnoCode)).lowercased()
        case ChannelError.connectTimeout(let t):
            return "timed out after \(t.nanoseconds / 1_000_000_000) s"
        default:
            return "\(error)"
        }
    }
}
