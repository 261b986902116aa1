import DICOMCore

/// The errors of the station: its configuration, its jobs and its server.
public enum StationErrorDomain: ErrorDomain {}
public typealias StationError = CodedError<StationErrorDomain>
