import DICOMCore
import DICOMFileSet
import DICOMIO
import Foundation
import MediaImage
#if canImport(Glibc)
import Glibc
#endif

/// `create --iso FILE`: the File-set goes into an ISO 9660 image instead of a folder (PS3.12 Annex F/P).
public struct ImageOutput: Sendable {
    /// The image file to write.
    public var path: String
    /// Primary Volume Descriptor volume identifier; nil: the File-set ID (PS3.12 F.3.1), never a patient's name.
    public var volumeID: String?
    public var rockRidge = true
    public var joliet = true
    public var engine: ISOWriteOptions.Engine = .libisofs
    public init(path: String) { self.path = path }
}
