import Synchronization

/// Counts finished files and calls the progress handler about 200 times in all.
final class ProgressCounter: Sendable {
    private let done = Mutex(0)
    let total: Int
    let every: Int
    let progress: (@Sendable (Int, Int) -> Void)?

    init(total: Int, progress: (@Sendable (Int, Int) -> Void)?) {
        self.total = total; self.progress = progress; every = max(1, total / 200)
    }

    func step() {
        guard let progress else { return }
        let d = done.withLock { n in
            n += 1; return n
        }
        if d % every == 0 || d == total { progress(d, total) }
    }
}
