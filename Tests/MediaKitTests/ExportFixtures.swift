import DICOMCore
import DICOMFileSet
import DICOMIO
import Foundation
import TestSupport
@testable import MediaKit

/// Test support for the export side: small CT instances written as files in a fresh temp folder,
/// and the options `create` uses with the repository's layouts.
enum ExportFixture {
    /// The repository root (Tests/MediaKitTests/ExportFixtures.swift -> ../..).
    static var repository: String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path
    }

    /// A fresh, empty folder.
    static func tempRoot(_ name: String = "export") throws -> String { try tempDir("mediakit-\(name)").path }

    /// A 4x4 16-bit CT image with the keys the records copy; its samples are `pixel` * 16 + 0...15.
    static func instance(
        patientID: String = "PID0001", studyUID: String, seriesUID: String, number: Int,
        sopInstanceUID: String = UID.make(), pixel: UInt8 = 0x10
    ) -> DataSet {
        let samples = (0..<16).map { UInt16(pixel) * 16 + UInt16($0) }
        return SyntheticInstance.image(
            sopInstanceUID: sopInstanceUID, patientID: patientID, studyUID: studyUID, seriesUID: seriesUID, instanceNumber: number,
            pixels: samples.flatMap { [UInt8($0 & 0xFF), UInt8($0 >> 8)] })
    }

    /// Writes `ds` as a Part 10 file in `syntax` at `path` (folders made).
    @discardableResult
    static func write(_ ds: DataSet, to path: String, syntax: TransferSyntax = .explicitVRLittleEndian) throws -> String {
        try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try Part10Writer.write(Part10Writer.encode(dataSet: ds, options: WriteOptions(transferSyntax: syntax)), to: path)
        return path
    }

    /// `count` instances of one series in `folder` (IM1, IM2...), in `syntax`; returns their data sets.
    @discardableResult
    static func series(in folder: String, count: Int, syntax: TransferSyntax = .explicitVRLittleEndian) throws -> [DataSet] {
        let study = UID.make(), series = UID.make()
        return try (1...count).map { n in
            let ds = instance(studyUID: study, seriesUID: series, number: n, pixel: UInt8(n))
            try write(ds, to: folder + "/IM\(n)", syntax: syntax)
            return ds
        }
    }

    /// `create`'s options with the standard layout and a fixed export time.
    static func options(profile: String = "STD-GEN-CD") throws -> FileSetOptions {
        let layout = try FileIDLayout.load("standard", templatesDirectory: repository + "/templates")
        var o = FileSetOptions(layout: layout, exportDate: "20260101", exportTime: "120000")
        o.profile = ApplicationProfile.named(profile)!
        o.lockWait = 0
        return o
    }

    /// Every regular file under `root`, relative, sorted.
    static func files(under root: String) -> [String] {
        guard let e = FileManager.default.enumerator(atPath: root) else { return [] }
        var out: [String] = []
        while let p = e.nextObject() as? String {
            var isDir: ObjCBool = false
            if FileManager.default.fileExists(atPath: root + "/" + p, isDirectory: &isDir), !isDir.boolValue { out.append(p) }
        }
        return out.sorted()
    }
}
