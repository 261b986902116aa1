import DICOMCore
import DICOMFileSet
import DICOMIO
import DICOMStore

/// One file of a medium read for the store: the row and the bytes to store, or why it is not taken.
enum PreparedInstance: Sendable {
    /// The row, the bytes to store, and problems of the file (File Meta or its record disagreeing with its data set).
    case ready(StoredInstance, [UInt8], [FileSetProblem])
    case notDICOM(String)
    case failed(String)

    /// Bytes read first from large unlisted files to tell whether they are DICOM at all.
    static let sniffSize = 4096

    /// Reads, parses (header only), transforms when asked, hashes; builds the row.
    init(_ c: ImportPlan.Candidate, of plan: ImportPlan.MediumPlan, options: ImportOptions, provenanceKey: [UInt8], importedAt: String) {
        let medium = plan.medium
        let name = c.path.split(separator: "/").last.map(String.init) ?? c.path
        if name.uppercased() == "DICOMDIR" { self = .notDICOM("a DICOMDIR, not an instance"); return }
        // A large file no DICOMDIR record names (a viewer, a video) is told apart by its first bytes.
        if c.record == nil, (plan.sizes[c.path] ?? 0) > Self.sniffSize {
            do {
                _ = try Part10Reader.read(bytes: try medium.readPrefix(c.path, count: Self.sniffSize), path: c.path, options: .headerOnly)
            } catch let e as DICOMParseError where (e.code == .notDICOM && e.offset == 0) || e.code == .empty {
                self = .notDICOM(e.message); return
            } catch {}  // a truncated prefix of a DICOM file: read it whole below
        }
        var bytes: [UInt8]
        do { bytes = try medium.read(c.path) } catch { self = .failed("cannot read: \(error)"); return }
        var file: DICOMFile
        do {
            file = try Part10Reader.read(bytes: bytes, path: c.path, options: .headerOnly)
        } catch let e as DICOMParseError {
            self = e.code == .notDICOM || e.code == .empty ? .notDICOM(e.message) : .failed(e.description); return
        } catch { self = .failed("\(error)"); return }
        var sopClass = nonEmpty(file.dataSet.string(.sopClassUID)) ?? file.fileMeta.string(.mediaStorageSOPClassUID) ?? ""
        if file.fileMeta.string(.mediaStorageSOPClassUID) == UID.mediaStorageDirectoryStorage || sopClass == UID.mediaStorageDirectoryStorage {
            self = .notDICOM("a DICOMDIR, not an instance"); return
        }
        // (0008,0016) and (0008,0018) identify the instance; a File Meta saying otherwise is reported (PS3.10 7.1).
        var warnings = FileMetaCheck.mismatches(fileMeta: file.fileMeta, dataSet: file.dataSet).map {
            FileSetProblem(
                .warning, FileMetaCheck.code, "\(c.path): \($0); the data set's UID is used", fileID: c.record?.referencedFileID?.path, rule: "PS3.10 7.1")
        }
        // The record is checked against the file as read, before any transform replaces its UIDs.
        if let rec = c.record {
            let instance = nonEmpty(file.dataSet.string(.sopInstanceUID)) ?? file.fileMeta.string(.mediaStorageSOPInstanceUID) ?? ""
            for m in Self.mismatches(sopInstanceUID: instance, sopClassUID: sopClass, transferSyntaxUID: file.transferSyntax.uid, rec) {
                warnings.append(FileSetProblem(.error, .importRecordMismatch, m, fileID: rec.referencedFileID?.path, rule: "PS3.3 F.5"))
            }
        }
        // Complete instances only (PS3.10 §7): one cut short is refused, named with offset and tag.
        do { try Completeness.check(bytes: bytes, path: c.path) } catch let e as DICOMParseError {
            self = .failed("\(e.code == .incomplete ? "incomplete instance" : "refused") [\(e.code)]: \(e.located)"); return
        } catch { self = .failed("\(error)"); return }
        if let transform = options.transform {
            do {
                let full = try Part10Reader.read(bytes: bytes, path: c.path)
                var ds = full.dataSet, meta = full.fileMeta
                try transform.apply(to: &ds, fileMeta: &meta)
                let ts = Part10Writer.canWrite(full.transferSyntax) ? full.transferSyntax : .explicitVRLittleEndian
                bytes = try Part10Writer.encode(dataSet: ds, fileMeta: meta, options: WriteOptions(transferSyntax: ts))
                file = try Part10Reader.read(bytes: bytes, path: c.path, options: .headerOnly)
                sopClass = nonEmpty(file.dataSet.string(.sopClassUID)) ?? file.fileMeta.string(.mediaStorageSOPClassUID) ?? ""
            } catch {
                self = .failed("cannot transform before storing: \(error)"); return
            }
        }
        let ds = file.dataSet
        let sopInstance = nonEmpty(ds.string(.sopInstanceUID)) ?? file.fileMeta.string(.mediaStorageSOPInstanceUID) ?? ""
        guard !sopClass.isEmpty, !sopInstance.isEmpty else { self = .failed("no SOP Class UID or SOP Instance UID (PS3.10 7.1)"); return }
        // The transform ran above, so the row is built from transformed values only: no original is ever written.
        let row = StoredInstance(
            dataSet: ds, sopClassUID: sopClass, sopInstanceUID: sopInstance, transferSyntaxUID: file.transferSyntax.uid, bytes: bytes,
            provenance: options.provenance.provenance(
                kind: medium.kind, location: medium.location, fileSetID: plan.fileSetID,
                fileSetUID: plan.fileSetUID, fileID: c.record?.referencedFileID?.path, path: c.path,
                key: provenanceKey),
            importedAt: importedAt)
        self = .ready(row, bytes, warnings)
    }

    /// How a file disagrees with the directory record that names it (PS3.3 F.5: Referenced SOP Class,
    /// SOP Instance and Transfer Syntax UID in File).
    static func mismatches(sopInstanceUID: String, sopClassUID: String, transferSyntaxUID: String, _ rec: DirectoryRecord) -> [String] {
        var out: [String] = []
        if let u = rec.referencedSOPInstanceUID, u != sopInstanceUID {
            out.append("record names SOP Instance \(u), the file holds \(sopInstanceUID)")
        }
        if let u = rec.referencedSOPClassUID, u != sopClassUID {
            out.append("record names SOP Class \(u), the file holds \(sopClassUID)")
        }
        if let u = rec.referencedTransferSyntaxUID, u != transferSyntaxUID {
            out.append("record names transfer syntax \(u), the file is in \(transferSyntaxUID)")
        }
        return out
    }
}
