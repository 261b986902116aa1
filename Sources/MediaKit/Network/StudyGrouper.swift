// Files of a study are usually read one after another (a DICOMDIR lists them under their study, folders hold a study
// together); a study whose files are spread further apart than `window` files may go in more than one association or
// request, each complete in itself.
/// Groups instances, read in order, into studies; a study is complete once more than `window` files have been read after its last one.
struct StudyGrouper {
    let window: Int
    private var order: [String] = []
    private var open: [String: [OutgoingInstance]] = [:]
    private var last: [String: Int] = [:]
    private var count = 0

    init(window: Int = 64) { self.window = window }

    mutating func add(_ instance: OutgoingInstance) {
        let uid = instance.studyInstanceUID
        if open[uid] == nil { order.append(uid) }
        open[uid, default: []].append(instance)
        last[uid] = count
        count += 1
    }

    /// The studies with more than `window` files read after their last one, in the order they were first seen.
    mutating func complete() -> [[OutgoingInstance]] {
        let done = order.filter { count - last[$0]! - 1 > window }
        guard !done.isEmpty else { return [] }
        let set = Set(done)
        order.removeAll { set.contains($0) }
        return done.map { take($0) }
    }

    /// Every study still open, in the order they were first seen.
    mutating func rest() -> [[OutgoingInstance]] {
        defer { order = [] }
        return order.map { take($0) }
    }

    private mutating func take(_ uid: String) -> [OutgoingInstance] {
        last[uid] = nil
        return open.removeValue(forKey: uid) ?? []
    }
}
