import DICOMCore
@testable import DICOMStore
import DICOMIO
import FileSystem
import Foundation
import GRDB
import XCTest

/// The store on its own: hashes, location, the error shape (codes and causes, not text) and verify's codes.
final class StoreTests: XCTestCase {
    /// A fresh folder per test (the store creates it), removed afterwards.
    let dir = NSTemporaryDirectory() + "dicomstore-tests-\(UUID().uuidString)"
    override func tearDown() { try? FileManager.default.removeItem(atPath: dir) }

    func testSHA256KnownAnswers() {
        // FIPS 180-4 examples.
        XCTAssertEqual(SHA256Hasher.hex(of: []), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        XCTAssertEqual(SHA256Hasher.hex(of: Array("abc".utf8)), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        var h = SHA256Hasher()
        h.update(Array("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq".utf8))
        XCTAssertEqual(h.finalizeHex(), "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1")
    }

    func testStoreLocationPrecedence() throws {
        XCTAssertEqual(try StoreLocation.resolve(explicit: "/a", environment: ["DICOM_MEDIA_STORE": "/b", "HOME": "/h"]), "/a")
        XCTAssertEqual(try StoreLocation.resolve(explicit: nil, environment: ["DICOM_MEDIA_STORE": "/b", "XDG_DATA_HOME": "/x"]), "/b")
        XCTAssertEqual(try StoreLocation.resolve(explicit: nil, environment: ["XDG_DATA_HOME": "/x", "HOME": "/h"]), "/x/dicom-media")
        XCTAssertEqual(try StoreLocation.resolve(explicit: nil, environment: ["HOME": "/h"]), "/h/.local/share/dicom-media")
        XCTAssertThrowsError(try StoreLocation.resolve(explicit: nil, environment: [:]))
    }

    /// The code of a StoreError thrown by `body`, failing otherwise.
    func storeError(_ body: () throws -> Void, file: StaticString = #filePath, line: UInt = #line) -> StoreError? {
        do { try body(); XCTFail("no error", file: file, line: line) } catch let e as StoreError { return e } catch {
            XCTFail("not a StoreError: \(error)", file: file, line: line)
        }
        return nil
    }

    func testNoStoreAndNoLocationHaveCodes() {
        XCTAssertEqual(storeError { _ = try DICOMStore(root: dir + "/none", create: false) }?.code, .noStore)
        XCTAssertEqual(storeError { _ = try StoreLocation.resolve(explicit: nil, environment: [:]) }?.code, .noLocation)
    }

    func testBrokenIndexKeepsSQLiteResultCodeAsCause() throws {
        try FileManager.default.createDirectory(atPath: dir + "/s", withIntermediateDirectories: true)
        try Data(repeating: 0x41, count: 4096).write(to: URL(fileURLWithPath: dir + "/s/index.sqlite"))
        let e = storeError { _ = try DICOMStore(root: dir + "/s") }
        XCTAssertEqual(e?.code, .indexUnavailable)
        XCTAssertEqual(e?.codeName, "index-unavailable")
        XCTAssertEqual(e?.context.path, dir + "/s/index.sqlite")
        let cause = e?.cause as? DatabaseError
        XCTAssertEqual(cause?.resultCode, .SQLITE_NOTADB)
        XCTAssertEqual(e.map { $0.causeChain.count }, 2)
    }

    func testFailedQueryKeepsTheDatabaseErrorAsCause() throws {
        let store = try DICOMStore(root: dir + "/s")
        try DatabaseQueue(path: dir + "/s/index.sqlite").write { try $0.execute(sql: "DROP TABLE instance") }
        let e = storeError { _ = try store.count() }
        XCTAssertEqual(e?.code, .indexUnavailable)
        XCTAssertEqual((e?.cause as? DatabaseError)?.resultCode, .SQLITE_ERROR)
    }

    func testSystemCallFailureKeepsErrnoAsCause() {
        let e = storeError { _ = try readWholeFile(dir + "/absent") }
        XCTAssertEqual(e?.code, .io)
        XCTAssertEqual((e?.cause as? SystemErrno)?.code, ENOENT)
    }

    func testBusyStoreKeepsTheLockAsCause() throws {
        let store = try DICOMStore(root: dir + "/s")
        store.lockWait = 0
        let held = try LockFile.acquire(directory: store.root, name: "store.lock", mode: .exclusive, wait: 0, what: "store")
        defer { held.release() }
        let e = storeError { _ = try store.verify() }
        XCTAssertEqual(e?.code, .busy)
        XCTAssertEqual((e?.cause as? CoreError)?.code, .busy)
    }

    func instance(_ sop: String) throws -> (row: StoredInstance, bytes: [UInt8]) {
        var ds = DataSet()
        ds.setString(.sopClassUID, .UI, "1.2.840.10008.5.1.4.1.1.7")
        ds.setString(.sopInstanceUID, .UI, sop)
        ds.setString(.patientID, .LO, "P1")
        ds.setString(.studyInstanceUID, .UI, "1.2.3")
        ds.setString(.seriesInstanceUID, .UI, "1.2.3.1")
        let bytes = try Part10Writer.encode(dataSet: ds)
        let row = StoredInstance(
            dataSet: ds, sopClassUID: "1.2.840.10008.5.1.4.1.1.7", sopInstanceUID: sop,
            transferSyntaxUID: TransferSyntax.explicitVRLittleEndian.uid, bytes: bytes,
            provenance: .init(kind: "test", location: "here", path: sop), importedAt: DICOMStore.timestamp())
        return (row, bytes)
    }

    func testVerifyReportsEachDamageByCode() throws {
        let store = try DICOMStore(root: dir + "/s")
        let items = try ["1.2.3.1.1", "1.2.3.1.2", "1.2.3.1.3"].map(instance)
        let outcomes = try store.importSession { try $0.store(items) }
        XCTAssertEqual(outcomes, [.inserted, .inserted, .inserted])
        XCTAssertEqual(try store.verify().problems.map(\.code), [])
        let rows = try store.allInstances()
        unlink(store.absolutePath(rows[0]))
        var changed = try readWholeFile(store.absolutePath(rows[1]))
        changed[changed.count - 1] ^= 1
        try Data(changed).write(to: URL(fileURLWithPath: store.absolutePath(rows[1])))
        try Data([1, 2, 3]).write(to: URL(fileURLWithPath: store.objectsDirectory + "/stray.dcm"))
        let codes = Set(try store.verify().problems.map(\.code))
        XCTAssertEqual(codes, [.fileMissing, .hashChanged, .orphanFile])
    }

    func testRemoveCopyAndCodesOfTheRemoval() throws {
        let store = try DICOMStore(root: dir + "/s")
        _ = try store.importSession { try $0.store([try instance("1.2.3.1.1")]) }
        let dry = try store.remove(uid: "1.2.3", dryRun: true)
        XCTAssertEqual(dry.level, "study")
        XCTAssertEqual(try store.count(), 1)
        let none = try store.remove(uid: "1.2.3.1.1", copy: "00000000")
        XCTAssertNil(none.level)
        XCTAssertEqual(try store.remove(uid: "1.2.3").removed.count, 1)
        XCTAssertEqual(try store.count(), 0)
    }

    /// One pass per file: write as hashed, then stage; a duplicate in the batch is dropped, and a commit may run again.
    func testWrittenFilesStageOnceAndACommitMayBeRetried() throws {
        let store = try DICOMStore(root: dir + "/s")
        let a = try instance("1.2.3.1.1"), b = try instance("1.2.3.1.2")
        let outcomes = try store.importSession { session -> [DICOMStore.Outcome] in
            let names = try [a, b, a].map { try session.write($0.row, $0.bytes) }
            XCTAssertEqual(names.compactMap { $0 }.count, 3)
            let staged = try session.stage(written: zip([a.row, b.row, a.row], names).map { ($0, $1) })
            // The second copy of `a` is not moved in: its temporary file is gone.
            XCTAssertFalse(FileManager.default.fileExists(atPath: session.run + "/" + (names[2] ?? "")))
            XCTAssertTrue(FileManager.default.fileExists(atPath: session.run + "/" + (names[0] ?? "")))
            let first = try session.commit(staged)
            // Every file is already in place: a second run of the same commit moves nothing and fails on nothing.
            XCTAssertEqual(try session.commit(staged), [.alreadyPresent, .alreadyPresent, .alreadyPresent])
            return first
        }
        XCTAssertEqual(outcomes, [.inserted, .inserted, .alreadyPresent])
        XCTAssertEqual(try store.count(), 2)
        XCTAssertEqual(try store.verify().problems.map(\.code), [])
    }
}
