import FileSystem
import DICOMCore
import DICOMFileSet

/// `recover FILESET [--abort]`: the journal an interrupted create, update or remove left, finished or rolled back.
public struct RecoverReport: Sendable {
    /// The File-set root.
    public var root: String
    /// What was done; nil when no interrupted write was pending.
    public var recovery: FileSetTransaction.Recovery?

    /// Finds the File-set (its folder, or the folder of a DICOMDIR path) and, holding its lock like
    /// every writer, finishes the pending journal or with `abort` rolls it back.
    public static func recover(fileSet: String, abort: Bool, wait: Double) throws -> RecoverReport {
        var root = fileSet
        while root.count > 1 && root.hasSuffix("/") { root.removeLast() }
        if !isDirectory(root), root.uppercased().hasSuffix("DICOMDIR") { root = String(root.dropLast("DICOMDIR".count)); if root.isEmpty { root = "." } }
        while root.count > 1 && root.hasSuffix("/") { root.removeLast() }
        guard isDirectory(root) else { throw MediaError(.notFound, "no such File-set folder", path: fileSet) }
        let r = try FileSetLock.with(root: root, wait: wait) { try FileSetTransaction.recover(root: root, abort: abort) }
        return RecoverReport(root: root, recovery: r)
    }

    /// Files the finished write should have deleted but could not (each an error: exit 1).
    public var notDeleted: [String] {
        if case .finished(_, let skipped)? = recovery { return skipped }
        return []
    }

    public var text: String {
        guard let recovery else { return "recover \(root): no interrupted write is pending" }
        return "recover \(root): \(recovery.text)"
    }

    /// `{root, pending: false}`, or `{root, pending: true, operation, started, outcome, notDeleted}`.
    public var json: JSON {
        guard let r = recovery else { return .object([("root", .string(root)), ("pending", .bool(false))]) }
        var outcome = "finished"
        if case .rolledBack = r { outcome = "rolledBack" }
        return .object([
            ("root", .string(root)), ("pending", .bool(true)), ("operation", .string(r.journal.operation)),
            ("started", .string(r.journal.started)), ("outcome", .string(outcome)),
            ("notDeleted", .array(notDeleted.map { .string($0) })),
        ])
    }
}
