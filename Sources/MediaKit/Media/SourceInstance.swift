import DICOMCore
import DICOMFileSet
import DICOMIO
import Dispatch
#if canImport(Glibc)
import Glibc
#endif

/// One DICOM instance found in the inputs, with the header summary the plan needs.
public struct SourceInstance: Sendable {
    /// Path of the file.
    public var path: String
    /// The data set up to Pixel Data (header-only read), less private, overlay and long binary
    /// elements; empty when the scan was asked not to keep headers (see ``InstanceScanner/loadHeader(_:)``).
    public var header: DataSet
    /// Patient ID, Study and Series Instance UID and Instance Number: the plan's order.
    public var sortKey: SortKey
    public var fileMeta: DataSet
    public var transferSyntax: TransferSyntax
    public var sopClassUID: String
    public var sopInstanceUID: String
    /// Size in bytes.
    public var size: Int
    /// The file is a complete Part 10 file (preamble, DICM, File Meta) that can be copied as is.
    public var isPart10: Bool
    /// Reading problems tolerated.
    public var diagnostics: [Diagnostic]
    /// How the File Meta disagrees with the data set (``FileMetaCheck``); the data set's UIDs identify the instance.
    public var fileMetaMismatches: [String] = []
    /// The File Meta disagrees or lacks a UID the data set has: a copy written to a medium gets a rebuilt one.
    public var fileMetaNeedsRebuild = false
}

/// The order of instances on a medium: patient, study, series, then Instance Number (0020,0013), an instance
/// without one first (PS3.3 C.7.6.1). Held inline in each ``SourceInstance``: no array per file.
public struct SortKey: Sendable, Comparable {
    public var patientID: String
    public var studyInstanceUID: String
    public var seriesInstanceUID: String
    public var instanceNumber: Int?

    public init(patientID: String, studyInstanceUID: String, seriesInstanceUID: String, instanceNumber: Int?) {
        self.patientID = patientID; self.studyInstanceUID = studyInstanceUID; self.seriesInstanceUID = seriesInstanceUID
        self.instanceNumber = instanceNumber
    }

    public static func < (a: SortKey, b: SortKey) -> Bool {
        if a.patientID != b.patientID { return a.patientID < b.patientID }
        if a.studyInstanceUID != b.studyInstanceUID { return a.studyInstanceUID < b.studyInstanceUID }
        if a.seriesInstanceUID != b.seriesInstanceUID { return a.seriesInstanceUID < b.seriesInstanceUID }
        switch (a.instanceNumber, b.instanceNumber) {
        case (let x?, let y?): return x < y
        case (nil, let y): return y != nil
        default: return false
        }
    }
}

/// What the scan of the inputs found.
public struct SourceScan: Sendable {
    public var instances = SourceInstances()
    /// Files that are not DICOM (viewers, autorun, web pages, ...): skipped and listed.
    public var notDICOM: [(path: String, reason: String)] = []
    /// DICOM files that could not be read.
    public var unreadable: [(path: String, reason: String)] = []
    /// Problems of the File-sets read through their DICOMDIR (missing files, ...).
    public var problems: [FileSetProblem] = []
}

/// The instances of a scan, held compactly: each one's path and SOP Instance UID as bytes in one buffer, its
/// patient, study, series and SOP Class as places in a table of the distinct values (thousands of files share
/// them), the rest in a fixed-size row; about 170 bytes per file instead of a ``SourceInstance`` and its strings
/// (about 520). Headers, File Meta, diagnostics and File Meta mismatches, rare in a scan, are kept aside.
public struct SourceInstances: RandomAccessCollection, Sendable {
    struct Row: Sendable {
        /// Where the path's bytes start in `bytes`; the SOP Instance UID's follow them.
        var start: Int
        var pathLength: UInt32
        var uidLength: UInt32
        var patient: Int32, study: Int32, series: Int32, sopClass: Int32
        var syntax: UInt32
        var flags: UInt8
        var instanceNumber: Int
        var size: Int
        static let isPart10: UInt8 = 1, needsRebuild: UInt8 = 2, hasInstanceNumber: UInt8 = 4
    }
    /// What few instances of a scan have (a header kept, File Meta, reading problems, File Meta mismatches).
    struct Extra: Sendable {
        var header: DataSet, fileMeta: DataSet, diagnostics: [Diagnostic], fileMetaMismatches: [String]
    }
    private var bytes: [UInt8] = []
    private var rows: [Row] = []
    private var texts: [String] = []
    private var textPlaces: [String: Int32] = [:]
    private var syntaxes: [TransferSyntax] = []
    /// Each transfer syntax's place in `syntaxes` (inputs may carry any number of unknown ones).
    private var syntaxPlaces: [TransferSyntax: UInt32] = [:]
    private var extras: [Int: Extra] = [:]
    private var sortKeysForgotten = false

    public init() {}

    public var startIndex: Int { 0 }
    public var endIndex: Int { rows.count }

    public subscript(i: Int) -> SourceInstance {
        let r = rows[i], x = extras[i]
        return SourceInstance(
            path: path(at: i), header: x?.header ?? DataSet(), sortKey: sortKey(at: i), fileMeta: x?.fileMeta ?? DataSet(),
            transferSyntax: syntaxes[Int(r.syntax)], sopClassUID: texts[Int(r.sopClass)], sopInstanceUID: sopInstanceUID(at: i), size: r.size,
            isPart10: r.flags & Row.isPart10 != 0, diagnostics: x?.diagnostics ?? [], fileMetaMismatches: x?.fileMetaMismatches ?? [],
            fileMetaNeedsRebuild: r.flags & Row.needsRebuild != 0)
    }

    /// The path of instance `i`, without making the rest of it.
    public func path(at i: Int) -> String {
        let r = rows[i]
        return String(decoding: bytes[r.start..<r.start + Int(r.pathLength)], as: UTF8.self)
    }
    /// The SOP Instance UID of instance `i`.
    public func sopInstanceUID(at i: Int) -> String {
        let r = rows[i], from = r.start + Int(r.pathLength)
        return String(decoding: bytes[from..<from + Int(r.uidLength)], as: UTF8.self)
    }
    /// The file size of instance `i`.
    public func size(at i: Int) -> Int { rows[i].size }
    /// The order key of instance `i`.
    public func sortKey(at i: Int) -> SortKey {
        let r = rows[i]
        return SortKey(
            patientID: texts[Int(r.patient)], studyInstanceUID: texts[Int(r.study)], seriesInstanceUID: texts[Int(r.series)],
            instanceNumber: r.flags & Row.hasInstanceNumber != 0 ? r.instanceNumber : nil)
    }

    /// Instance `i` comes before instance `j` on a medium: by ``SortKey``, then by path.
    public func precedes(_ i: Int, _ j: Int) -> Bool {
        let a = rows[i], b = rows[j]
        // Equal texts share a place, so a place that differs is a text that differs.
        if a.patient != b.patient { return texts[Int(a.patient)] < texts[Int(b.patient)] }
        if a.study != b.study { return texts[Int(a.study)] < texts[Int(b.study)] }
        if a.series != b.series { return texts[Int(a.series)] < texts[Int(b.series)] }
        let an = a.flags & Row.hasInstanceNumber != 0, bn = b.flags & Row.hasInstanceNumber != 0
        if an != bn { return bn }  // an instance without a number first
        if an && a.instanceNumber != b.instanceNumber { return a.instanceNumber < b.instanceNumber }
        return path(at: i) < path(at: j)
    }

    /// The places of the instances in medium order (``precedes(_:_:)``): one integer per file, not a sorted copy.
    public func mediumOrder() -> [Int] {
        precondition(!sortKeysForgotten, "the order keys were let go (forgetSortKeys)")
        return indices.sorted { precedes($0, $1) }
    }

    /// Lets go of the patient, study and series texts once the order is made: ``sortKey(at:)`` reads empty texts
    /// after, and no order can be made again.
    public mutating func forgetSortKeys() {
        // Only the SOP Classes stay, at new places; every patient, study and series place is the empty text's.
        var kept = [""]
        var moved: [Int32: Int32] = [:]
        for i in rows.indices {
            let old = rows[i].sopClass
            if let new = moved[old] {
                rows[i].sopClass = new
            } else {
                kept.append(texts[Int(old)])
                moved[old] = Int32(kept.count - 1)
                rows[i].sopClass = Int32(kept.count - 1)
            }
            rows[i].patient = 0; rows[i].study = 0; rows[i].series = 0
        }
        texts = kept
        textPlaces = [:]
        sortKeysForgotten = true
    }

    /// Room for `n` instances whose paths and UIDs take about `bytes` bytes.
    public mutating func reserveCapacity(_ n: Int, bytes size: Int = 0) {
        rows.reserveCapacity(n)
        bytes.reserveCapacity(size)
    }

    public mutating func append(_ inst: SourceInstance) {
        let start = bytes.count
        bytes += inst.path.utf8
        bytes += inst.sopInstanceUID.utf8
        var flags: UInt8 = 0
        if inst.isPart10 { flags |= Row.isPart10 }
        if inst.fileMetaNeedsRebuild { flags |= Row.needsRebuild }
        if inst.sortKey.instanceNumber != nil { flags |= Row.hasInstanceNumber }
        let syntax =
            syntaxPlaces[inst.transferSyntax]
            ?? {
                syntaxes.append(inst.transferSyntax)
                syntaxPlaces[inst.transferSyntax] = UInt32(syntaxes.count - 1)
                return UInt32(syntaxes.count - 1)
            }()
        rows.append(
            Row(
                start: start, pathLength: UInt32(inst.path.utf8.count), uidLength: UInt32(inst.sopInstanceUID.utf8.count),
                patient: place(inst.sortKey.patientID), study: place(inst.sortKey.studyInstanceUID), series: place(inst.sortKey.seriesInstanceUID),
                sopClass: place(inst.sopClassUID), syntax: syntax, flags: flags, instanceNumber: inst.sortKey.instanceNumber ?? 0, size: inst.size))
        if !inst.header.isEmpty || !inst.fileMeta.isEmpty || !inst.diagnostics.isEmpty || !inst.fileMetaMismatches.isEmpty {
            extras[rows.count - 1] = Extra(
                header: inst.header, fileMeta: inst.fileMeta, diagnostics: inst.diagnostics, fileMetaMismatches: inst.fileMetaMismatches)
        }
    }

    /// Lets go of what only appending needs (the table from a value to its place) and of spare room: the scan is done.
    public mutating func finish() {
        textPlaces = [:]
        // Copied to their size when more than a sixteenth is spare (UIDs shorter than the 64 bytes reserved for each).
        if bytes.capacity - bytes.count > bytes.count / 16 {
            bytes = [UInt8](unsafeUninitializedCapacity: bytes.count) { buffer, count in count = buffer.initialize(from: bytes).1 }
        }
        if rows.capacity - rows.count > rows.count / 16 {
            rows = [Row](unsafeUninitializedCapacity: rows.count) { buffer, count in count = buffer.initialize(from: rows).1 }
        }
    }

    /// The instances in the order of `order` (places in this collection); the buffer of bytes is shared.
    public func reordered(_ order: [Int]) -> SourceInstances {
        var out = self
        out.rows = order.map { rows[$0] }
        out.extras = [:]
        for (k, i) in order.enumerated() { if let x = extras[i] { out.extras[k] = x } }
        return out
    }

    /// The place of a text in `texts`, added when new.
    private mutating func place(_ text: String) -> Int32 {
        precondition(!sortKeysForgotten, "the order keys were let go (forgetSortKeys)")
        if let p = textPlaces[text] { return p }
        if textPlaces.isEmpty && !texts.isEmpty {  // finished, then appended to again
            for (k, t) in texts.enumerated() { textPlaces[t] = Int32(k) }
            if let p = textPlaces[text] { return p }
        }
        texts.append(text)
        textPlaces[text] = Int32(texts.count - 1)
        return Int32(texts.count - 1)
    }
}
