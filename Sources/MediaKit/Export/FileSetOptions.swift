import DICOMCodecs
import DICOMCore
import DICOMFileSet
import DICOMPixel
import Foundation

/// Options of `create` and `update` (File-set Creator and Updater, PS3.10 §8.3).
public struct FileSetOptions: Sendable {
    public var profile: ApplicationProfile = .default
    /// The profile was named by the user (`--profile`); else `update` keeps the File-set's (``ProfileChoice``).
    public var profileExplicit = false
    public var layout: FileIDLayout
    public var fileSetID: String?
    /// A plain-text file copied into the File-set as its descriptor (README), (0004,1141).
    public var descriptor: String?
    public var icons = false
    public var strict = false
    public var inPlace = false
    public var dryRun = false
    /// Export date/time YYYYMMDD and HHMMSS (layouts and invented keys use them).
    public var exportDate: String
    public var exportTime: String
    public var sourceAETitle: String?
    /// Which syntaxes inputs the profile does not allow are transcoded to (PS3.11 §7).
    public var compression: CompressionMode = .lossless
    /// Transcode inputs already in an allowed syntax too.
    public var recompress = false
    /// Encoder parameters (lossy quality).
    public var encodeParameters = EncodeParameters()
    /// Seconds to wait for another writer's lock on the File-set before giving up busy (`--wait`).
    public var lockWait: Double = FileSetLock.defaultWait
    /// Applied to every instance before its records are built and its file is written (de-identify,
    /// reconcile): each instance is then re-encoded, and the DICOMDIR holds only transformed values.
    public var transform: (any InstanceTransform)?
    /// Write an ISO 9660 image instead of a folder (`create --iso`), and IHE PDI content (`--pdi`).
    public var image: ImageOutput?
    public var pdi: PDIOptions?

    public init(layout: FileIDLayout, exportDate: String, exportTime: String) {
        self.layout = layout; self.exportDate = exportDate; self.exportTime = exportTime
    }

    /// Now, in local time, as (YYYYMMDD, HHMMSS).
    public static func now() -> (String, String) {
        let f = DateFormatter(); f.locale = Locale(identifier: "en_US_POSIX")
        f.dateFormat = "yyyyMMdd"; let d = f.string(from: Date())
        f.dateFormat = "HHmmss"; let t = f.string(from: Date())
        return (d, t)
    }
}
