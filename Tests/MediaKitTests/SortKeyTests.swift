import XCTest
import DICOMCore
@testable import MediaKit

/// The order of instances on a medium: patient, study, series, Instance Number (numerically, none first).
final class SortKeyTests: XCTestCase {
    func key(_ p: String, _ st: String, _ se: String, _ n: Int?) -> SortKey {
        SortKey(patientID: p, studyInstanceUID: st, seriesInstanceUID: se, instanceNumber: n)
    }

    func testOrder() {
        let keys = [
            key("P2", "1.1", "1.1.1", 1), key("P1", "1.2", "1.2.1", 1), key("P1", "1.1", "1.1.2", nil),
            key("P1", "1.1", "1.1.1", 10), key("P1", "1.1", "1.1.1", 2), key("P1", "1.1", "1.1.1", nil), key("P1", "1.1", "1.1.1", -3),
            key("P1", "1.1", "1.1.1", 1_000_000_000_000),
        ]
        XCTAssertEqual(
            keys.sorted().map { "\($0.patientID) \($0.studyInstanceUID) \($0.seriesInstanceUID) \($0.instanceNumber.map(String.init) ?? "-")" },
            [
                "P1 1.1 1.1.1 -", "P1 1.1 1.1.1 -3", "P1 1.1 1.1.1 2", "P1 1.1 1.1.1 10", "P1 1.1 1.1.1 1000000000000",
                "P1 1.1 1.1.2 -", "P1 1.2 1.2.1 1", "P2 1.1 1.1.1 1",
            ])
        XCTAssertFalse(key("P", "1", "1", nil) < key("P", "1", "1", nil))
        XCTAssertEqual(key("P", "1", "1", 4), key("P", "1", "1", 4))
    }
}

/// The scan's compact instances: each one comes back as it was appended, in the same medium order as ``SortKey``.
final class SourceInstancesTests: XCTestCase {
    func instance(_ n: Int, patient: String, series: String, number: Int?, path: String? = nil) -> SourceInstance {
        SourceInstance(
            path: path ?? "/in/\(patient)/\(series)/file \(n) é.dcm", header: DataSet(),
            sortKey: SortKey(patientID: patient, studyInstanceUID: "1.2.3", seriesInstanceUID: series, instanceNumber: number), fileMeta: DataSet(),
            transferSyntax: n % 2 == 0 ? .explicitVRLittleEndian : .implicitVRLittleEndian, sopClassUID: "1.2.840.10008.5.1.4.1.1.\(n % 3)",
            sopInstanceUID: "1.2.826.0.1.3680043.8.498.\(n)", size: 1000 + n, isPart10: n % 4 != 0, diagnostics: [],
            fileMetaMismatches: n == 5 ? ["(0002,0003) differs"] : [], fileMetaNeedsRebuild: n == 5)
    }

    func fields(_ i: SourceInstance) -> String {
        "\(i.path)|\(i.sortKey)|\(i.transferSyntax.uid)|\(i.sopClassUID)|\(i.sopInstanceUID)|\(i.size)|\(i.isPart10)|\(i.fileMetaMismatches)|\(i.fileMetaNeedsRebuild)|\(i.header.count)"
    }

    func testInstancesComeBackAsAppendedAndInMediumOrder() {
        var all: [SourceInstance] = []
        for n in 0..<40 {
            all.append(instance(n, patient: ["P2", "P1", "P10", "Ä"][n % 4], series: "1.2.3.\(n % 3)", number: n % 5 == 0 ? nil : (n * 7) % 11))
        }
        all.append(instance(40, patient: "P1", series: "1.2.3.1", number: 3, path: "/in/b"))
        all.append(instance(41, patient: "P1", series: "1.2.3.1", number: 3, path: "/in/a"))  // ties broken by path
        var header = DataSet()
        header.setString(.patientID, .LO, "P1")
        all[7].header = header
        var compact = SourceInstances()
        compact.reserveCapacity(all.count)
        for (k, i) in all.enumerated() {
            compact.append(i)
            if k == 20 { compact.finish() }  // appending after finish() finds the texts again
        }
        compact.finish()
        XCTAssertEqual(compact.count, all.count)
        XCTAssertEqual(compact.map(fields), all.map(fields))
        XCTAssertEqual(compact[7].header, header)
        for k in all.indices {
            XCTAssertEqual(compact.path(at: k), all[k].path)
            XCTAssertEqual(compact.sopInstanceUID(at: k), all[k].sopInstanceUID)
            XCTAssertEqual(compact.sortKey(at: k), all[k].sortKey)
            XCTAssertEqual(compact.size(at: k), all[k].size)
        }
        let expected = all.indices.sorted { i, j in
            all[i].sortKey != all[j].sortKey ? all[i].sortKey < all[j].sortKey : all[i].path < all[j].path
        }
        XCTAssertEqual(compact.mediumOrder(), expected)
        let reordered = compact.reordered(expected)
        XCTAssertEqual(reordered.map(fields), expected.map { fields(all[$0]) })
        XCTAssertEqual(reordered[expected.firstIndex(of: 7)!].header, header, "what is kept aside moves with its instance")

        // Once the order is made, its keys can go: everything else reads as before.
        var planned = compact
        planned.forgetSortKeys()
        for k in all.indices {
            var i = all[k]
            i.sortKey = SortKey(patientID: "", studyInstanceUID: "", seriesInstanceUID: "", instanceNumber: i.sortKey.instanceNumber)
            XCTAssertEqual(fields(planned[k]), fields(i))
        }
        XCTAssertEqual(compact.mediumOrder(), expected, "a copy keeps its keys")
    }

    func testAnyNumberOfDistinctTransferSyntaxes() {
        // Hostile inputs may each name an unknown transfer syntax: more than 65,536 of them are still kept apart.
        var compact = SourceInstances()
        for n in 0..<70_000 {
            var i = instance(n, patient: "P", series: "1.2.3.1", number: n)
            i.transferSyntax = TransferSyntax(uid: "1.2.826.0.1.3680043.9.\(n)")
            compact.append(i)
        }
        compact.finish()
        XCTAssertEqual(compact[69_999].transferSyntax.uid, "1.2.826.0.1.3680043.9.69999")
        XCTAssertEqual(compact[65_536].transferSyntax.uid, "1.2.826.0.1.3680043.9.65536")
    }
}
