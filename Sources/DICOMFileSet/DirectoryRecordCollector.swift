import DICOMCore
import DICOMIO
import Synchronization

/// Makes each directory record as the parser reads its item (``DICOMIO/ReadOptions/itemSink``) and holds it
/// packed when it can be (PS3.3 F.3.2.2), in a ``RecordSpill`` when given one: a DICOMDIR's records never exist all
/// as parsed items at once.
public final class DirectoryRecordCollector: Sendable {
    private struct State {
        var records: [DirectoryRecord] = []
        var links: [DICOMDIRReader.Links] = []
    }
    private let state = Mutex(State())
    private let spill: RecordSpill?

    /// A collector whose packed records go to `spill` (nil: held in memory).
    public init(spill: RecordSpill? = nil) { self.spill = spill }

    /// `options` with its Directory Record Sequence items handed to this collector.
    public func reading(_ options: ReadOptions) -> ReadOptions {
        var o = options
        o.itemSink = ItemSink(sequence: .directoryRecordSequence, begin: { [self] in _ = take() }, take: { [self] item in add(item) })
        return o
    }

    func add(_ item: DataSet) {
        let links = DICOMDIRReader.Links(item)
        var record = DICOMDIRReader.makeRecord(item)
        // Keys that no character set decodes (CS, UI, numbers; no sequence) read the same under the default one.
        if !record.keys.contains(where: { $0.vr.usesSpecificCharacterSet || $0.vr == .SQ || $0.tag == .specificCharacterSet }) {
            record.keys.characterSet = .default
        }
        if record.pack(), let spill { record.spill(into: spill) }
        state.withLock {
            $0.records.append(record)
            $0.links.append(links)
        }
    }

    /// The records made so far and their links, in file order; the collector is left empty.
    func take() -> ([DirectoryRecord], [DICOMDIRReader.Links]) {
        state.withLock { s in
            defer { s = State() }
            return (s.records, s.links)
        }
    }
}
