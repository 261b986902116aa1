import DICOMCore
import GRDB
#if canImport(Glibc)
import Glibc
#endif

extension DICOMStore {
    public func count() throws -> Int {
        try db.read { try StoredInstance.fetchCount($0) }
    }

    /// Every instance, in patient / study / series / instance-number order.
    public func allInstances() throws -> [StoredInstance] {
        try select()
    }

    /// Instances of the given patients, studies or series (any match; all when every list is empty),
    /// in patient / study / series / instance-number order. Their files (`absolutePath`) are inputs
    /// `FileSetCreator.create` takes as they are.
    public func select(
        patients: [String] = [], studies: [String] = [], series: [String] = [],
        instances: [String] = []
    ) throws -> [StoredInstance] {
        let (sql, args) = Self.selection("*", patients: patients, studies: studies, series: series, instances: instances)
        return try db.read { db in try StoredInstance.fetchAll(db, sql: sql, arguments: args) }
    }

    /// What an export reads of a selected instance: its file, whether it is a conflicting copy, and what names it
    /// in messages.
    public struct SelectedInstance: Sendable {
        public var path: String
        public var conflict: Bool
        public var sopInstanceUID: String
        public var patientID: String
        public var patientName: String?
        public var studyInstanceUID: String
        public var sourceLocation: String
        public var sourcePath: String
    }

    /// ``select(patients:studies:series:instances:)``'s instances in its order, one at a time from a cursor and only
    /// the columns ``SelectedInstance`` has: no array of every row (an export of 20,000 instances held 54 MB of them).
    public func forEachSelected(
        patients: [String] = [], studies: [String] = [], series: [String] = [], _ body: (SelectedInstance) throws -> Void
    ) throws {
        let columns = "path, conflict, sopInstanceUID, patientID, patientName, studyInstanceUID, sourceLocation, sourcePath"
        let (sql, args) = Self.selection(columns, patients: patients, studies: studies, series: series, instances: [])
        try db.read { db in
            let rows = try Row.fetchCursor(db, sql: sql, arguments: args)
            while let row = try rows.next() {
                try body(
                    SelectedInstance(
                        path: row["path"], conflict: row["conflict"], sopInstanceUID: row["sopInstanceUID"], patientID: row["patientID"],
                        patientName: row["patientName"], studyInstanceUID: row["studyInstanceUID"], sourceLocation: row["sourceLocation"],
                        sourcePath: row["sourcePath"]))
            }
        }
    }

    /// The query of a selection: any of the patients, studies, series or instances (all when every list is empty),
    /// in patient / study / series / instance-number order.
    static func selection(
        _ columns: String, patients: [String], studies: [String], series: [String], instances: [String]
    ) -> (String, StatementArguments) {
        var conds: [String] = []
        var args: [DatabaseValueConvertible] = []
        func add(_ col: String, _ values: [String]) {
            guard !values.isEmpty else { return }
            conds.append("\(col) IN (\(values.map { _ in "?" }.joined(separator: ",")))")
            args += values as [DatabaseValueConvertible]
        }
        add("patientID", patients); add("studyInstanceUID", studies); add("seriesInstanceUID", series)
        add("sopInstanceUID", instances)
        var sql = "SELECT \(columns) FROM instance"
        if !conds.isEmpty { sql += " WHERE " + conds.joined(separator: " OR ") }
        sql += " ORDER BY patientID, studyInstanceUID, seriesInstanceUID, instanceNumber IS NULL, instanceNumber, sopInstanceUID, id"
        return (sql, StatementArguments(args))
    }

    /// Which of the hashes are already stored.
    public func storedHashes(_ hashes: [String]) throws -> Set<String> {
        guard !hashes.isEmpty else { return [] }
        return try db.read { db in
            var out = Set<String>()
            for chunk in stride(from: 0, to: hashes.count, by: 500) {
                let part = Array(hashes[chunk..<min(chunk + 500, hashes.count)])
                let sql = "SELECT sha256 FROM instance WHERE sha256 IN (\(part.map { _ in "?" }.joined(separator: ",")))"
                for h in try String.fetchAll(db, sql: sql, arguments: StatementArguments(part)) { out.insert(h) }
            }
            return out
        }
    }

    /// Whether some row has this SOP Instance UID.
    public func hasSOPInstance(_ uid: String) throws -> Bool {
        try db.read { try Int.fetchOne($0, sql: "SELECT 1 FROM instance WHERE sopInstanceUID = ? LIMIT 1", arguments: [uid]) != nil }
    }

    /// What storing an instance found.
    public enum Outcome: Sendable { case inserted, conflict, alreadyPresent }

    /// Inserts rows in one IMMEDIATE transaction; each is classified inside it, so concurrent
    /// importers agree: same hash → already present; same SOP Instance UID, other hash → conflict.
    func insert(_ rows: [StoredInstance]) throws -> [Outcome] {
        try db.writeWithoutTransaction { db in
            var outcomes: [Outcome] = []
            try db.inTransaction(.immediate) {
                outcomes = []
                for var row in rows {
                    if try Int.fetchOne(db, sql: "SELECT 1 FROM instance WHERE sha256 = ?", arguments: [row.sha256]) != nil {
                        outcomes.append(.alreadyPresent); continue
                    }
                    row.conflict = try Int.fetchOne(db, sql: "SELECT 1 FROM instance WHERE sopInstanceUID = ? LIMIT 1", arguments: [row.sopInstanceUID]) != nil
                    try row.insert(db)
                    outcomes.append(row.conflict ? .conflict : .inserted)
                }
                return .commit
            }
            return outcomes
        }
    }

    /// The SOP Instances stored in more than one copy (same SOP Instance UID, other content): each
    /// group's copies in import order (the first is normally the unflagged one).
    public func conflicts() throws -> [[StoredInstance]] {
        try db.read { db in
            let rows = try StoredInstance.fetchAll(
                db,
                sql: """
                    SELECT * FROM instance WHERE sopInstanceUID IN
                      (SELECT sopInstanceUID FROM instance GROUP BY sopInstanceUID HAVING COUNT(*) > 1)
                    ORDER BY sopInstanceUID, id
                    """)
            var groups: [[StoredInstance]] = []
            for r in rows {
                if groups.last?.first?.sopInstanceUID == r.sopInstanceUID { groups[groups.count - 1].append(r) } else { groups.append([r]) }
            }
            return groups
        }
    }
}
