/// One station job: an import of a medium or a publish of studies, with its state, progress and outcome.
public struct Job: Sendable, Equatable {
    public enum Kind: String, Sendable, CaseIterable { case `import`, publish }
    /// queued → running → done | failed | cancelled; failed and cancelled jobs may be queued again (retry).
    public enum State: String, Sendable, CaseIterable {
        case queued, running, done, failed, cancelled
        public var isFinal: Bool { self == .done || self == .failed || self == .cancelled }
    }

    public var id: Int64
    public var kind: Kind
    public var state: State
    /// A line for lists: what the job does ("Import /media/cdrom", "Publish 1 study to ISO").
    public var title: String
    /// What to do, as JSON (the job's request: source, destination, target, profile...).
    public var request: String
    /// The device or robot the job needs alone (one job per drive or robot at a time), or nil.
    public var resource: String?
    public var created: String
    public var started: String?
    public var finished: String?
    public var done: Int
    public var total: Int
    /// Why the job failed or was cancelled.
    public var reason: String?
    /// What the job did, as JSON (its report and the verify report of what it wrote).
    public var report: String?
    public var attempts: Int
    /// A cancel asked while the job runs; the runner stops at its next step.
    public var cancelRequested: Bool
}

/// One line of a job's log.
public struct JobLogLine: Sendable, Equatable {
    public enum Level: String, Sendable, CaseIterable { case info, warning, error }
    public var time: String
    public var level: Level
    public var message: String
}
