import GRDB

/// The store's SQLite index (a GRDB `DatabasePool`): a failure of SQLite becomes a ``StoreError``
/// that keeps GRDB's `DatabaseError`, with its result code, as cause.
struct StoreIndex: Sendable {
    let pool: DatabasePool
    /// index.sqlite, named by the errors.
    let path: String

    func read<T>(_ body: (Database) throws -> T) throws -> T { try wrapped { try pool.read(body) } }
    func write<T>(_ body: (Database) throws -> T) throws -> T { try wrapped { try pool.write(body) } }
    func writeWithoutTransaction<T>(_ body: (Database) throws -> T) throws -> T { try wrapped { try pool.writeWithoutTransaction(body) } }

    private func wrapped<T>(_ body: () throws -> T) throws -> T {
        do { return try body() } catch let e as DatabaseError {
            throw StoreError(.indexUnavailable, "store index: \(e.message ?? "\(e)")", path: path, cause: e)
        }
    }
}
