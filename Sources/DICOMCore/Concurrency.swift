#if canImport(Glibc)
import Glibc
#endif

/// A fixed number of result slots written by concurrent workers (`DispatchQueue.concurrentPerform`), one slot each.
public final class ConcurrentSlots<T>: @unchecked Sendable {
    private var storage: [T?]
    private var mutex = pthread_mutex_t()
    public init(count: Int) { storage = Array(repeating: nil, count: count); pthread_mutex_init(&mutex, nil) }
    deinit { pthread_mutex_destroy(&mutex) }
    public subscript(i: Int) -> T? {
        get { pthread_mutex_lock(&mutex); defer { pthread_mutex_unlock(&mutex) }; return storage[i] }
        set { pthread_mutex_lock(&mutex); storage[i] = newValue; pthread_mutex_unlock(&mutex) }
    }
    /// Every slot, in order (nil where no worker wrote).
    public var values: [T?] { pthread_mutex_lock(&mutex); defer { pthread_mutex_unlock(&mutex) }; return storage }
}

/// A counter incremented by concurrent workers (progress reports).
public final class ConcurrentCounter: @unchecked Sendable {
    private var value = 0
    private var mutex = pthread_mutex_t()
    public init() { pthread_mutex_init(&mutex, nil) }
    deinit { pthread_mutex_destroy(&mutex) }
    /// Adds one and returns the new count.
    public func increment() -> Int { pthread_mutex_lock(&mutex); defer { pthread_mutex_unlock(&mutex) }; value += 1; return value }
}
