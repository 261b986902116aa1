import DICOMCore

/// The error domain of DICOMNetwork: the Upper Layer (PS3.8) and DIMSE (PS3.7).
public enum NetworkErrorDomain: ErrorDomain {}

/// The one error of DICOMNetwork: a PDU that breaks PS3.8 §9.3, an association refused or aborted,
/// a DIMSE message that breaks PS3.7 §9; the peer (`context.component`) and the offset when known.
public typealias NetworkError = CodedError<NetworkErrorDomain>
