import Synchronization

/// Counts an acceptor's simultaneous associations against its limit.
final class AssociationLimiter: Sendable {
    private let count = Mutex(0)
    /// Takes a slot when fewer than `limit` are taken.
    func acquire(limit: Int) -> Bool {
        count.withLock { n in
            guard n < limit else { return false }
            n += 1
            return true
        }
    }
    func release() { count.withLock { $0 -= 1 } }
    var active: Int { count.withLock { $0 } }

    /// Numbers the associations served: 1, 2, ...
    private let numbers = Mutex(0)
    func nextNumber() -> Int {
        numbers.withLock {
            $0 += 1; return $0
        }
    }
}
