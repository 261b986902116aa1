import DICOMCore
import DICOMIO

/// The data set of a DIMSE message (an Identifier, Event Information, Action Information) in its presentation context's
/// transfer syntax: encoded with DICOMIO, decoded with DICOMIO's reader, so text is read with the data set's own
/// Specific Character Set (0008,0005) (PS3.7 §6.3.1, PS3.5 §6.1).
enum DIMSEDataSetCoding {
    /// The syntaxes a query, retrieve or commitment data set is proposed in.
    static let syntaxes = [TransferSyntax.explicitVRLittleEndian.uid, TransferSyntax.implicitVRLittleEndian.uid]

    /// The bytes of `dataSet` in `syntax` (Explicit or Implicit VR Little Endian), defined lengths.
    static func encode(_ dataSet: DataSet, syntax: String) -> [UInt8] {
        var encoder = DataSetEncoder(explicitVR: TransferSyntax(uid: syntax).isExplicitVR, undefinedLengths: false)
        encoder.encode(dataSet)
        return encoder.out
    }

    /// Reads a received data set in its context's syntax; one that cannot be read is `data-set-unreadable`, naming `what`.
    static func decode(_ bytes: [UInt8], syntax: String, what: String) throws -> DataSet {
        var meta = DataSet()
        meta.setString(.transferSyntaxUID, .UI, syntax)
        let file = [UInt8](repeating: 0, count: 128) + Array("DICM".utf8) + Part10Writer.encodeFileMeta(meta) + bytes
        do {
            return try Part10Reader.read(bytes: file).dataSet.removingFileMeta()
        } catch {
            throw NetworkError(.dataSetUnreadable, "the \(what) data set cannot be read in \(DataDictionary.uidName(syntax) ?? syntax): \(error)", cause: error)
        }
    }
}
