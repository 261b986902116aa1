import Synchronization

// The job queue rings when a job may have become claimable (created, retried, or one holding a drive finished), so an
// idle worker claims it at once instead of at its next look at the queue. A waiter that misses a ring still looks
// again after its timeout: the bell saves latency, correctness never depends on it.
/// Wakes the station's idle workers when the job queue changes.
final class Doorbell: Sendable {
    private struct State {
        var generation = 0
        var next = 0
        var waiters: [Int: CheckedContinuation<Void, Never>] = [:]
        var expired: Set<Int> = []
    }
    private let state = Mutex(State())

    /// How many times the bell has rung; read before looking at the queue, passed to `wait`.
    var generation: Int { state.withLock { $0.generation } }

    /// Wakes every waiter.
    func ring() {
        let waiters = state.withLock { s in
            s.generation += 1
            defer { s.waiters = [:] }
            return s.waiters
        }
        for c in waiters.values { c.resume() }
    }

    /// Returns once the bell has rung after `seen`, or after `seconds`.
    func wait(after seen: Int, upTo seconds: Double) async {
        let key = state.withLock { s in
            s.next += 1
            return s.next
        }
        let timer = Task { [self] in
            try? await Task.sleep(for: .seconds(seconds))
            expire(key)
        }
        await withCheckedContinuation { (c: CheckedContinuation<Void, Never>) in
            let now = state.withLock { s in
                if s.generation != seen || s.expired.remove(key) != nil { return true }
                s.waiters[key] = c
                return false
            }
            if now { c.resume() }
        }
        timer.cancel()
        state.withLock { _ = $0.expired.remove(key) }
    }

    private func expire(_ key: Int) {
        let c = state.withLock { s in
            guard let c = s.waiters.removeValue(forKey: key) else {
                s.expired.insert(key)
                return nil as CheckedContinuation<Void, Never>?
            }
            return c
        }
        c?.resume()
    }
}
