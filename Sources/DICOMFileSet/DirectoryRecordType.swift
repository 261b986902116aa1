import DICOMCore

/// Directory Record Type (0004,1430), an open set of the PS3.3 §F.3.2.2 values.
public struct DirectoryRecordType: RawRepresentable, Hashable, Sendable, CustomStringConvertible, Comparable {
    public var rawValue: String
    public init(rawValue: String) { self.rawValue = rawValue }
    public init(_ raw: String) { rawValue = raw }
    public var description: String { rawValue }
    public static func < (a: Self, b: Self) -> Bool { a.rawValue < b.rawValue }

    public static let patient = Self("PATIENT"), study = Self("STUDY"), series = Self("SERIES"), image = Self("IMAGE")
    public static let rtDose = Self("RT DOSE"), rtStructureSet = Self("RT STRUCTURE SET"), rtPlan = Self("RT PLAN")
    public static let rtTreatRecord = Self("RT TREAT RECORD"), presentation = Self("PRESENTATION"), waveform = Self("WAVEFORM")
    public static let srDocument = Self("SR DOCUMENT"), keyObjectDoc = Self("KEY OBJECT DOC"), spectroscopy = Self("SPECTROSCOPY")
    public static let rawData = Self("RAW DATA"), registration = Self("REGISTRATION"), fiducial = Self("FIDUCIAL")
    public static let hangingProtocol = Self("HANGING PROTOCOL"), encapDoc = Self("ENCAP DOC"), valueMap = Self("VALUE MAP")
    public static let stereometric = Self("STEREOMETRIC"), palette = Self("PALETTE"), implant = Self("IMPLANT")
    public static let implantAssy = Self("IMPLANT ASSY"), implantGroup = Self("IMPLANT GROUP"), plan = Self("PLAN")
    public static let measurement = Self("MEASUREMENT"), surface = Self("SURFACE"), surfaceScan = Self("SURFACE SCAN")
    public static let tract = Self("TRACT"), assessment = Self("ASSESSMENT"), radiotherapy = Self("RADIOTHERAPY")
    public static let annotation = Self("ANNOTATION"), inventory = Self("INVENTORY"), wfPresentation = Self("WF PRESENTATION")
    public static let `private` = Self("PRIVATE")

    /// Record types that sit in the root directory entity (PS3.3 Table F.4-1).
    public static let rootLevel: Set<Self> = [.patient, .hangingProtocol, .palette, .implant, .implantAssy, .implantGroup, .inventory, .private]
    /// Record types for composite instances under a SERIES record (PS3.3 Table F.4-1).
    public static let instanceLevel: Set<Self> = [
        .image, .rtDose, .rtStructureSet, .rtPlan, .rtTreatRecord, .presentation, .waveform, .srDocument, .keyObjectDoc,
        .spectroscopy, .rawData, .registration, .fiducial, .encapDoc, .valueMap, .stereometric, .plan, .measurement,
        .surface, .surfaceScan, .tract, .assessment, .radiotherapy, .annotation, .wfPresentation,
    ]
    /// Types retired from PS3.3 that old media still carry; read, never written (PS3.3 §F.3.2.2, retired).
    public static let retired: Set<Self> = Set(
        [
            "PRINT QUEUE", "FILM SESSION", "FILM BOX", "IMAGE BOX", "OVERLAY", "MODALITY LUT",
            "VOI LUT", "CURVE", "TOPIC", "VISIT", "RESULTS", "INTERPRETATION", "STUDY COMPONENT", "STORED PRINT", "MRDR",
            "HL7 STRUC DOC",
        ].map { Self(rawValue: $0) })

    /// Every type PS3.3 currently defines.
    public static let standard: Set<Self> = rootLevel.union(instanceLevel).union([.study, .series])
    public var isStandard: Bool { Self.standard.contains(self) }

    private static let seriesChildren: Set<Self> = instanceLevel.union([.private])

    /// The record types allowed in the lower-level entity of a record of this type (PS3.3 Table F.4-1);
    /// nil means "any" (PRIVATE records may hold anything).
    public var allowedChildren: Set<Self>? {
        switch self {
        case .patient: return [.study, .private, Self("HL7 STRUC DOC")]
        case .study: return [.series, .private]
        case .series: return Self.seriesChildren
        case .private: return nil
        default: return [.private]
        }
    }

    /// Hierarchy level used when rebuilding a tree from record order: 0 root, 1 study, 2 series, 3 instance.
    public var level: Int {
        switch self {
        case .study: return 1
        case .series: return 2
        default: return Self.rootLevel.contains(self) ? 0 : 3
        }
    }
}
