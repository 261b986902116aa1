import DICOMCore
import FileSystem
import DICOMIO

import GRDB

extension DICOMStore {
    /// One problem `verify` found.
    public struct Problem: Sendable, CustomStringConvertible {
        public var code: DiagnosticCode
        public var message: String
        public var path: String?
        public var description: String { "[\(code)] " + (path.map { $0 + ": " } ?? "") + message }
        public var json: JSON {
            .object([("code", .string(code.rawValue)), ("message", .string(message)), ("path", path.map { .string($0) } ?? .null)])
        }
    }

    public struct Verification: Sendable {
        public var instances = 0
        public var bytes = 0
        public var problems: [Problem] = []
    }

    /// Checks every file is present with its size and SHA-256, its SOP Instance UID and transfer syntax
    /// match its row, no file lacks a row, no temporary file is left, and SQLite's integrity check passes.
    public func verify(progress: (@Sendable (Int, Int) -> Void)? = nil) throws -> Verification {
        try withStoreLock(exclusive: true) {
            var v = Verification()
            let integrity = try db.read { try String.fetchAll($0, sql: "PRAGMA integrity_check") }
            if integrity != ["ok"] {
                v.problems.append(Problem(code: .indexCorrupt, message: integrity.joined(separator: "; "), path: "index.sqlite"))
            }
            let rows = try db.read { try StoredInstance.fetchAll($0, sql: "SELECT * FROM instance ORDER BY id") }
            v.instances = rows.count
            let results = ConcurrentSlots<[Problem]>(count: rows.count)
            let done = ConcurrentCounter()
            concurrentlyPerform(rows.count) { i in
                results[i] = self.check(rows[i])
                let n = done.increment()
                if let progress, n % 64 == 0 || n == rows.count { progress(n, rows.count) }
            }
            for p in results.values { v.problems += p ?? [] }
            v.bytes = rows.reduce(0) { $0 + $1.size }
            // Each SOP Instance UID has exactly one row that is not a conflict copy.
            var firsts: [String: Int] = [:]
            for r in rows where !r.conflict { firsts[r.sopInstanceUID, default: 0] += 1 }
            for r in rows where firsts[r.sopInstanceUID] == nil {
                v.problems.append(Problem(code: .conflictWithoutOriginal, message: "SOP Instance \(r.sopInstanceUID) has only conflict copies", path: r.path))
                firsts[r.sopInstanceUID] = 1
            }
            for (uid, n) in firsts where n > 1 {
                v.problems.append(Problem(code: .duplicateInstance, message: "SOP Instance \(uid) has \(n) rows not flagged as conflicts", path: nil))
            }
            let known = Set(rows.map(\.path))
            for f in objectFiles() where !known.contains(f) {
                v.problems.append(Problem(code: .orphanFile, message: "file has no index row", path: f))
            }
            for name in folderNames(tmpDirectory) {
                v.problems.append(
                    Problem(code: .interrupted, message: "left over by an interrupted import or removal; the next import reconciles it", path: "tmp/" + name))
            }
            return v
        }
    }

    func check(_ r: StoredInstance) -> [Problem] {
        var out: [Problem] = []
        if r.path != DICOMStore.objectPath(sha256: r.sha256) {
            out.append(Problem(code: .badPath, message: "row's path does not follow its SHA-256", path: r.path))
        }
        let bytes: [UInt8]
        do { bytes = try readWholeFile(absolutePath(r)) } catch {
            return out + [Problem(code: .fileMissing, message: "file of SOP Instance \(r.sopInstanceUID) is missing or unreadable", path: r.path)]
        }
        if bytes.count != r.size {
            out.append(Problem(code: .sizeChanged, message: "size \(bytes.count), index says \(r.size)", path: r.path))
        }
        if SHA256Hasher.hex(of: bytes) != r.sha256 {
            out.append(Problem(code: .hashChanged, message: "SHA-256 differs from the index", path: r.path))
            return out + completeness(bytes, r)
        }
        do {
            let f = try Part10Reader.read(bytes: bytes, path: r.path, options: .headerOnly)
            let uid = f.dataSet.string(.sopInstanceUID) ?? f.fileMeta.string(.mediaStorageSOPInstanceUID) ?? ""
            if uid != r.sopInstanceUID {
                out.append(Problem(code: .indexMismatch, message: "file's SOP Instance UID \(uid), index says \(r.sopInstanceUID)", path: r.path))
            }
            if f.transferSyntax.uid != r.transferSyntaxUID {
                out.append(
                    Problem(code: .indexMismatch, message: "file's transfer syntax \(f.transferSyntax.uid), index says \(r.transferSyntaxUID)", path: r.path))
            }
        } catch {
            out.append(Problem(code: .fileUnreadable, message: "\(error)", path: r.path))
        }
        return out + completeness(bytes, r)
    }

    /// Complete instance (PS3.10 §7): a copy stored cut short is found even when its hash matches.
    func completeness(_ bytes: [UInt8], _ r: StoredInstance) -> [Problem] {
        do { try Completeness.check(bytes: bytes, path: r.path) } catch let e as DICOMParseError {
            return [
                Problem(
                    code: e.code == .incomplete ? .fileIncomplete : .fileUnreadable,
                    message: "SOP Instance \(r.sopInstanceUID) is not a complete instance: \(e.located)", path: r.path)
            ]
        } catch {}
        return []
    }
}
