import DICOMCore
import DICOMNetwork
import Synchronization

/// What `receive` prints per association: who called, the instances received and which failed, and how it ended.
public struct ReceivedAssociation: Sendable {
    /// 1, 2, ... in the order the associations were established.
    public var number: Int
    public var callingAETitle: String
    public var calledAETitle: String
    /// C-STORE requests answered with success or a warning (the instance is kept).
    public var stored: Int
    /// C-STORE requests answered with a failure status: SOP Instance UID and status.
    public var failures: [(sopInstanceUID: String, status: DIMSEStatus, comment: String?)]
    public var echoes: Int
    /// Why the association ended when not by a release (an abort, a timeout, a closed connection).
    public var error: String?

    public var text: String {
        var s = "association \(number) from \(callingAETitle) to \(calledAETitle): \(stored) instances stored, \(failures.count) failed"
        if echoes > 0 { s += ", \(echoes) C-ECHO" }
        s += error.map { "; ended: \($0)" } ?? "; released"
        return s
    }

    /// One line per instance not stored, for stderr.
    public var failureLines: [String] {
        failures.map { "association \(number) from \(callingAETitle): \($0.sopInstanceUID) not stored: \($0.status)" + ($0.comment.map { " (\($0))" } ?? "") }
    }

    public var json: JSON {
        .object([
            ("association", .int(Int64(number))), ("callingAETitle", .string(callingAETitle)), ("calledAETitle", .string(calledAETitle)),
            ("stored", .int(Int64(stored))), ("echoes", .int(Int64(echoes))),
            (
                "failed",
                .array(
                    failures.map {
                        .object([
                            ("sopInstanceUID", .string($0.sopInstanceUID)), ("status", .int(Int64($0.status.rawValue))),
                            ("statusName", .string($0.status.name)), ("comment", $0.comment.map { .string($0) } ?? .null),
                        ])
                    })
            ),
            ("released", .bool(error == nil)), ("error", error.map { .string($0) } ?? .null),
        ])
    }
}

/// Counts what each association of a listener received, and reports each one as it ends.
final class ReceiveTally: AssociationObserver {
    private struct State {
        var open: [Int: ReceivedAssociation] = [:]
        var lastActivity = ContinuousClock.now
    }
    private let state = Mutex(State())
    private let report: @Sendable (ReceivedAssociation) -> Void

    init(report: @escaping @Sendable (ReceivedAssociation) -> Void) { self.report = report }

    func began(_ id: Int, _ negotiated: NegotiatedAssociation) {
        state.withLock {
            $0.open[id] = ReceivedAssociation(
                number: id, callingAETitle: negotiated.callingAETitle, calledAETitle: negotiated.calledAETitle, stored: 0, failures: [], echoes: 0)
            $0.lastActivity = .now
        }
    }

    /// Records the answer to one request of the association being served (``AssociationListener/servedAssociationID``).
    func record(_ request: DIMSEMessage, answer: DIMSEMessage?) {
        guard let id = AssociationListener.servedAssociationID else { return }
        state.withLock { s in
            s.lastActivity = .now
            switch (request, answer) {
            case (.cStoreRQ(let rq), .cStoreRSP(let rsp)?):
                if rsp.response.status.kind == .success || rsp.response.status.kind == .warning {
                    s.open[id]?.stored += 1
                } else {
                    s.open[id]?.failures.append((rq.affectedSOPInstanceUID, rsp.response.status, rsp.response.localDetail ?? rsp.response.errorComment))
                }
            case (.cEchoRQ, _): s.open[id]?.echoes += 1
            default: break
            }
        }
    }

    /// Reports the association, then stops counting it as active: a listener that waits for `active == 0` before
    /// exiting never cuts a report short (its stdout line written, its failure lines not yet on stderr).
    func ended(_ id: Int, _ negotiated: NegotiatedAssociation, error: (any Error)?) {
        guard
            var done = state.withLock({ s -> ReceivedAssociation? in
                s.lastActivity = .now; return s.open[id]
            })
        else { return }
        if let error { done.error = (error as? NetworkError)?.message ?? "\(error)" }
        report(done)
        state.withLock { s in
            s.open.removeValue(forKey: id)
            s.lastActivity = .now
        }
    }

    /// Associations established and not yet ended.
    var active: Int { state.withLock { $0.open.count } }
    /// Time since an association began, ended or sent a request.
    var quietFor: Duration { state.withLock { ContinuousClock.now - $0.lastActivity } }
}

/// Wraps a service provider: every answer is counted in the tally of the association it belongs to.
struct TalliedService: DIMSEServiceProvider {
    let inner: any DIMSEServiceProvider
    let tally: ReceiveTally

    func accepts(abstractSyntax: String) -> Bool { inner.accepts(abstractSyntax: abstractSyntax) }

    func respond(to request: DIMSEReceived, on association: NegotiatedAssociation) async -> DIMSEMessage? {
        let answer = await inner.respond(to: request, on: association)
        tally.record(request.message, answer: answer)
        return answer
    }
}
