import DICOMCore
import DICOMFileSet
import DICOMIO
import DICOMStore

func nonEmpty(_ s: String?) -> String? { s.flatMap { $0.isEmpty ? nil : $0 } }

/// Whether a file's File Meta (group 0002) agrees with its data set on the SOP Class and Instance (PS3.10 7.1).
public enum FileMetaCheck {
    /// The stable code of the warning.
    public static let code: DiagnosticCode = .fileMetaMismatch

    /// What disagrees, one sentence each; empty when the File Meta agrees or leaves a UID out.
    public static func mismatches(fileMeta meta: DataSet, dataSet ds: DataSet) -> [String] {
        var out: [String] = []
        if let m = nonEmpty(meta.string(.mediaStorageSOPClassUID)), let d = nonEmpty(ds.string(.sopClassUID)), m != d {
            out.append("Media Storage SOP Class UID (0002,0002) \(m) differs from SOP Class UID (0008,0016) \(d)")
        }
        if let m = nonEmpty(meta.string(.mediaStorageSOPInstanceUID)), let d = nonEmpty(ds.string(.sopInstanceUID)), m != d {
            out.append("Media Storage SOP Instance UID (0002,0003) \(m) differs from SOP Instance UID (0008,0018) \(d)")
        }
        return out
    }

    /// The File Meta must be rebuilt for a copy written to a medium: it disagrees, or lacks a UID the data set has.
    public static func needsRebuild(fileMeta meta: DataSet, dataSet ds: DataSet) -> Bool {
        if !mismatches(fileMeta: meta, dataSet: ds).isEmpty { return true }
        if nonEmpty(meta.string(.mediaStorageSOPClassUID)) == nil && nonEmpty(ds.string(.sopClassUID)) != nil { return true }
        if nonEmpty(meta.string(.mediaStorageSOPInstanceUID)) == nil && nonEmpty(ds.string(.sopInstanceUID)) != nil { return true }
        return false
    }
}
