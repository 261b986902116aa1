import Synchronization

/// A fixed number of result slots written by concurrent workers (`DispatchQueue.concurrentPerform`), one slot each.
public final class ConcurrentSlots<T: Sendable>: Sendable {
    private let storage: Mutex<[T?]>
    public init(count: Int) { storage = Mutex(Array(repeating: nil, count: count)) }
    public subscript(i: Int) -> T? {
        get { storage.withLock { $0[i] } }
        set { storage.withLock { $0[i] = newValue } }
    }
    /// Every slot, in order (nil where no worker wrote).
    public var values: [T?] { storage.withLock { $0 } }
}

/// A counter incremented by concurrent workers (progress reports).
public final class ConcurrentCounter: Sendable {
    private let value = Mutex(0)
    public init() {}
    /// Adds one and returns the new count.
    public func increment() -> Int {
        value.withLock {
            $0 += 1; return $0
        }
    }
}
