import DICOMCore

// The diagnostic codes MediaKit's export and update side reports (create, update, export, remove,
// volumes, PDI); listed in docs/DIAGNOSTICS.md under "MediaKit export".
extension DiagnosticCode {
    /// An input the creator or updater did not add: profile, record, identity or transcoding rule (PS3.10 8.3).
    public static let inputRefused = DiagnosticCode("refused")
    /// An input that could not be read (PS3.10 7).
    public static let inputUnreadable = DiagnosticCode("unreadable")
    /// Records unreachable from the root are not carried into an updated DICOMDIR (PS3.3 F.2.1).
    public static let orphansDropped = DiagnosticCode("orphans-dropped")
    /// An input without File Meta is written as a Part 10 file (PS3.10 7.1).
    public static let rewrittenAsPart10 = DiagnosticCode("rewritten-as-part10")
    /// A File ID the layout wanted is already taken on the medium; another was used (PS3.10 8.3).
    public static let nameTaken = DiagnosticCode("name-taken")
    /// The File ID layout fell back from its template (too long, not conformant): layout rule.
    public static let layoutFallback = DiagnosticCode("layout-fallback")
    /// An Icon Image Sequence could not be made for a record (PS3.3 F.7).
    public static let iconNotMade = DiagnosticCode("icon-not-made")
    /// A removal selector (instance, series, study, patient) matches nothing in the File-set (PS3.10 8.3).
    public static let selectionNotFound = DiagnosticCode("not-found")
    /// A series larger than one medium was divided across volumes (PS3.12).
    public static let seriesDivided = DiagnosticCode("series-divided")
    /// An input folder's DICOMDIR cannot be read: its folder's files are read instead (PS3.10 8.2).
    public static let inputDICOMDIRUnreadable = DiagnosticCode("input-dicomdir-unreadable")
    /// IHE PDI: README.TXT or INDEX.HTM missing from the medium's root.
    public static let pdiMissingFile = DiagnosticCode("pdi-missing-file")
    /// IHE PDI: a DICOM file of the File-set inside IHE_PDI.
    public static let pdiDICOMInWeb = DiagnosticCode("pdi-dicom-in-web")
    /// IHE PDI: a name outside the DICOM tree is not an ISO 9660 level 1 (8.3) name (PS3.12 F).
    public static let pdiNameNot83 = DiagnosticCode("pdi-name-not-8.3")
    /// IHE PDI: IHE_PDI holds a file that is not web content.
    public static let pdiNonWebContent = DiagnosticCode("pdi-non-web-content")
    /// IHE PDI: AUTORUN.INF present; PDI media should not start software.
    public static let pdiAutorun = DiagnosticCode("pdi-autorun")
    /// IHE PDI: a DICOM file in the File-set's tree that no record references.
    public static let pdiUnreferencedDICOM = DiagnosticCode("pdi-unreferenced-dicom")
    /// IHE PDI: a DICOM file outside the File-set's tree.
    public static let pdiDICOMOutsideTree = DiagnosticCode("pdi-dicom-outside-tree")
    /// IHE PDI: INDEX.HTM or a page links to a file not on the medium.
    public static let pdiBrokenLink = DiagnosticCode("pdi-broken-link")
}

// The error codes of MediaError the export side throws (docs/DIAGNOSTICS.md, "MediaKit export").
extension MediaError.Code {
    /// `update` cannot tell which application profile to follow, or --profile does not fit the content: a usage error (exit 64).
    public static let profileNeeded = MediaError.Code(rawValue: "profile-needed")
    /// No transfer syntax the profile allows can be written for the instance (PS3.11 §7).
    public static let syntaxRefused = MediaError.Code(rawValue: "syntax-refused")
    /// A transform (de-identify, reconcile) refused the instance.
    public static let transformRefused = MediaError.Code(rawValue: "transform-refused")
    /// An input is not a DICOM instance (not DICOM, empty, or a DICOMDIR) (PS3.10 7.1).
    public static let inputNotDICOM = MediaError.Code(rawValue: "not-dicom")
    /// An IHE PDI web rendering could not be made (the page says so instead).
    public static let renderFailed = MediaError.Code(rawValue: "render-failed")
}
