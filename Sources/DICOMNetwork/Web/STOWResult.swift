import DICOMCore

/// The outcome of a STOW-RS request (PS3.18 §10.5.3): the HTTP status (200 all stored, 202 some
/// stored or with warnings, 409 none stored) and the Store Instances Response's references.
public struct STOWResult: Sendable, Equatable {
    /// One instance of the response's Referenced SOP Sequence (0008,1199) or Failed SOP Sequence (0008,1198).
    public struct Instance: Sendable, Equatable {
        public init(sopClassUID: String? = nil, sopInstanceUID: String? = nil, retrieveURL: String? = nil, reason: UInt16? = nil) {
            self.sopClassUID = sopClassUID; self.sopInstanceUID = sopInstanceUID; self.retrieveURL = retrieveURL; self.reason = reason
        }
        /// Referenced SOP Class UID (0008,1150) and Referenced SOP Instance UID (0008,1155).
        public var sopClassUID: String?, sopInstanceUID: String?
        /// Retrieve URL (0008,1190) of a stored instance.
        public var retrieveURL: String?
        /// Warning Reason (0008,1196) of a stored instance, Failure Reason (0008,1197) of a failed one.
        public var reason: UInt16?
    }
    public var httpStatus: Int
    /// Retrieve URL (0008,1190) of the study.
    public var retrieveURL: String?
    public var referenced: [Instance]
    public var failed: [Instance]

    /// True when the server answered 200 and listed no failure.
    public var allStored: Bool { httpStatus == 200 && failed.isEmpty }

    /// Reads the Store Instances Response, a DICOM JSON data set (an object, or an array of one).
    public static func parse(status: Int, body: [UInt8], source: String? = nil) throws(NetworkError) -> STOWResult {
        var result = STOWResult(httpStatus: status, retrieveURL: nil, referenced: [], failed: [])
        if body.allSatisfy({ $0 == 0x20 || $0 == 0x0A || $0 == 0x0D || $0 == 0x09 }) { return result }
        var decoder = DICOMJSONDecoder(bulkData: .skip, source: source)
        var json = try JSONText.parse(body, path: source)
        if case .array(let a) = json, a.count == 1 { json = a[0] }
        let ds = try decoder.decodeDataSet(json)
        result.retrieveURL = ds.string(.retrieveURL)
        func instances(_ tag: Tag, reason: Tag) -> [Instance] {
            (ds[tag]?.items ?? []).map { item in
                Instance(
                    sopClassUID: item.string(.referencedSOPClassUID), sopInstanceUID: item.string(.referencedSOPInstanceUID),
                    retrieveURL: item.string(.retrieveURL), reason: item.integer(reason).map { UInt16(truncatingIfNeeded: $0) })
            }
        }
        result.referenced = instances(.referencedSOPSequence, reason: .warningReason)
        result.failed = instances(.failedSOPSequence, reason: .failureReason)
        return result
    }
}
