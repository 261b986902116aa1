import DICOMCore

// The diagnostic codes DICOMFileSet reports (FileSetProblem.code): the DICOMDIR reader's, the
// verifier's and the record builder's. Listed in docs/DIAGNOSTICS.md (## DICOMFileSet).

extension DiagnosticCode {
    /// warning: (create) a parent key was not filled in: its value uses another character set than the record (PS3.3 F.5, PS3.5 6.1.2.5).
    public static let charsetConflict = DiagnosticCode("charset-conflict")
    /// warning: (create) a record's keys need a character set but its record type has no Specific Character Set key (PS3.3 F.5, PS3.5 6.1.2.5).
    public static let charsetNotAllowed = DiagnosticCode("charset-not-allowed")
    /// warning: (create) a record copies non-default-repertoire keys from an instance without Specific Character Set (0008,0005) (PS3.3 F.5, PS3.5 6.1.2.5).
    public static let charsetUndeclared = DiagnosticCode("charset-undeclared")
    /// warning: File-set Consistency Flag (0004,1212) is not 0000H (PS3.3 F.3.2.1).
    public static let consistencyFlag = DiagnosticCode("consistency-flag")
    /// error: File-set Descriptor File ID (0004,1141) is not a conformant File ID (PS3.10 8.5).
    public static let descriptorFileID = DiagnosticCode("descriptor-file-id")
    /// warning: the File-set descriptor file does not exist (PS3.3 F.3.2.1).
    public static let descriptorMissing = DiagnosticCode("descriptor-missing")
    /// warning: damage the Part 10 reader tolerated in the DICOMDIR (PS3.10 7.1).
    public static let dicomdirEncoding = DiagnosticCode("dicomdir-encoding")
    /// error: the DICOMDIR has no File Meta Information (PS3.10 7.1).
    public static let dicomdirNoMeta = DiagnosticCode("dicomdir-no-meta")
    /// error: (0002,0002) is not Media Storage Directory Storage (PS3.10 7.1).
    public static let dicomdirSOPClass = DiagnosticCode("dicomdir-sop-class")
    /// warning: the DICOMDIR is not Explicit VR Little Endian (PS3.10 8.6, PS3.11).
    public static let dicomdirTransferSyntax = DiagnosticCode("dicomdir-transfer-syntax")
    /// error: two PATIENT records with one Patient ID (PS3.3 F.5.1 (rule 6), PS3.11).
    public static let duplicatePatient = DiagnosticCode("duplicate-patient")
    /// error: two SERIES records with one Series Instance UID (PS3.3 F.5.3 (rule 8)).
    public static let duplicateSeries = DiagnosticCode("duplicate-series")
    /// error: one SOP Instance UID in two records (or two files) (PS3.3 F.2.1, F.3.2.2).
    public static let duplicateSOPInstance = DiagnosticCode("duplicate-sop-instance")
    /// error: two STUDY records with one Study Instance UID (PS3.3 F.5.2 (rule 7)).
    public static let duplicateStudy = DiagnosticCode("duplicate-study")
    /// warning: a PATIENT/STUDY/SERIES record with no lower-level records (PS3.11 (common DICOMDIR clause)).
    public static let emptyRecord = DiagnosticCode("empty-record")
    /// warning: another Media Storage Directory file (a copy or variant of a DICOMDIR) in the File-set (PS3.10 8.6).
    public static let extraDICOMDIR = DiagnosticCode("extra-dicomdir")
    /// error: a Referenced File ID with more than 8 components, components of 0 or more than 8 characters, or characters outside A-Z 0-9 _ (PS3.10 8.5).
    public static let fileIDNonconformant = DiagnosticCode("file-id-nonconformant")
    /// error: a File ID that would leave the File-set root ("..", "/", a link out); never read (PS3.10 8.2, PS3.3 F.2.1).
    public static let fileIDOutsideRoot = DiagnosticCode("file-id-outside-root")
    /// warning: the file exists only under another spelling (case, ";1", trailing ".", ".dcm") (PS3.10 8.5, PS3.12).
    public static let fileIDVariant = DiagnosticCode("file-id-variant")
    /// error: the referenced file's image description cannot hold its Pixel Data (PS3.10 7.1).
    public static let fileImpossibleImage = DiagnosticCode("file-impossible-image")
    /// error: the file's (0002,0002)/(0002,0003) differ from its own (0008,0016)/(0008,0018) (PS3.10 7.1).
    public static let fileMetaMismatch = DiagnosticCode("file-meta-mismatch")
    /// error: the list of files of a medium read in place (an image) cannot be read; no file was checked (PS3.10 8).
    public static let fileListUnreadable = DiagnosticCode("file-list-unreadable")
    /// error: the referenced file has no File Meta Information (not a Part 10 file) (PS3.10 7.1).
    public static let fileNoMeta = DiagnosticCode("file-no-meta")
    /// error: two records reference the same file (PS3.3 F.2.1 (rule 4)).
    public static let fileReferencedTwice = DiagnosticCode("file-referenced-twice")
    /// error: File-set ID (0004,1130) longer than 16 or with characters outside A-Z 0-9 _ (PS3.10 8.5, PS3.3 F.3.2.1).
    public static let fileSetIDInvalid = DiagnosticCode("fileset-id-invalid")
    /// warning: (create) the instance's icon was not copied into the record (it breaks F.7 or the profile's icon rule) (PS3.3 F.7).
    public static let iconDropped = DiagnosticCode("icon-dropped")
    /// error: icon not 1 item / 1 sample / MONOCHROME1/2 or PALETTE COLOR / 8 (or 1) bits / unsigned / native pixels (PS3.3 F.7 (and the profile's icon rule)).
    public static let iconFormat = DiagnosticCode("icon-format")
    /// error: the profile requires an Icon Image Sequence (0088,0200) in the record (PS3.11 A.3.3, B.3.3).
    public static let iconMissing = DiagnosticCode("icon-missing")
    /// error: icon Rows x Columns other than the profile's size (PS3.11 A.3.3, B.3.3, E.3.3.3).
    public static let iconSize = DiagnosticCode("icon-size")
    /// warning: Record In-use Flag 0000H (retired); the record is ignored (PS3.3 F.3.2.2).
    public static let inactiveRecord = DiagnosticCode("inactive-record")
    /// error: an instance record (IMAGE, SR DOCUMENT, HANGING PROTOCOL, ...) without Referenced File ID (0004,1500) (PS3.3 F.3.2.2, F.5).
    public static let instanceNoFile = DiagnosticCode("instance-no-file")
    /// warning: a PATIENT/STUDY/SERIES record that references a file (PS3.3 F.2.2.1, PS3.10 Annex A).
    public static let intermediateReferencesFile = DiagnosticCode("intermediate-references-file")
    /// warning: (create) a missing Type 1 key was supplied by the File-set Creator (PS3.11 D.3.3.1 (note)).
    public static let inventedKey = DiagnosticCode("invented-key")
    /// info: the record has a Patient ID / Study / Series UID the file lacks (an FSC supplied it) (PS3.11 D.3.3.1 (note)).
    public static let keySupplied = DiagnosticCode("key-supplied")
    /// warning: (0004,1202) is not the last root record (PS3.3 F.3.2.1).
    public static let lastRootOffset = DiagnosticCode("last-root-offset")
    /// error: (create) a missing Type 1 key nothing can supply: written empty (PS3.3 F.5).
    public static let missingKey = DiagnosticCode("missing-key")
    /// error: (0004,1510)/(0004,1511)/(0004,1512) absent in a record that references a SOP instance, or (0004,151A) absent when the instance has (0008,001A) (PS3.3 F.3.2.2).
    public static let missingReferencedUID = DiagnosticCode("missing-referenced-uid")
    /// error: a Type 1 key absent or empty (PS3.3 F.5 (or the profile's key table)).
    public static let missingType1Key = DiagnosticCode("missing-type1-key")
    /// error: a Type 1C key absent or empty although its condition holds (checked against the referenced file, or for PATIENT/SERIES the files below them) (PS3.3 F.5, PS3.11).
    public static let missingType1CKey = DiagnosticCode("missing-type1c-key")
    /// error: a Type 2 key absent (PS3.3 F.5 (or the profile's key table)).
    public static let missingType2Key = DiagnosticCode("missing-type2-key")
    /// error: a Type 2C key absent although its condition holds (PS3.3 F.5, PS3.11).
    public static let missingType2CKey = DiagnosticCode("missing-type2c-key")
    /// warning: a sub-folder holding its own DICOMDIR; its files are left to that File-set (PS3.12 6 (File-sets do not intersect)).
    public static let nestedFileSet = DiagnosticCode("nested-fileset")
    /// error: no File-set UID (0002,0003) (PS3.10 8.4).
    public static let noFileSetUID = DiagnosticCode("no-fileset-uid")
    /// error: no Directory Record Sequence (0004,1220) (PS3.3 F.3.2.1).
    public static let noRecordSequence = DiagnosticCode("no-record-sequence")
    /// error: (0004,1200) is 0 although there are records (tree rebuilt from record order) (PS3.3 F.3.2.1).
    public static let noRootOffset = DiagnosticCode("no-root-offset")
    /// info: files that are not DICOM (README, INDEX.HTM, viewers): allowed, listed once (PS3.10 8, PS3.3 F.2.1 (rule 5)).
    public static let nonDICOMFiles = DiagnosticCode("non-dicom-files")
    /// error: an offset does not point at a record's item tag (PS3.3 F.3.2.1).
    public static let offsetNotItem = DiagnosticCode("offset-not-item")
    /// error: a record no offset chain reaches (its file still counts as referenced here) (PS3.3 F.2.1).
    public static let orphanRecord = DiagnosticCode("orphan-record")
    /// error: the file's Patient ID differs from the enclosing PATIENT record's (PS3.3 F.5.1, F.2.1).
    public static let patientIDMismatch = DiagnosticCode("patient-id-mismatch")
    /// warning: one Patient ID with different Patient's Names (in records or files) (PS3.3 F.5.1).
    public static let patientNameConflict = DiagnosticCode("patient-name-conflict")
    /// error: a PRIVATE record without Private Record UID (0004,1432) (PS3.3 F.3.2.2).
    public static let privateRecordUID = DiagnosticCode("private-record-uid")
    /// error: an image attribute the profile constrains (bit depth, photometric, matrix, ...) (PS3.11 (Required Image Attribute Values)).
    public static let profileImage = DiagnosticCode("profile-image")
    /// error: a SOP class the profile does not allow (PS3.11 (profile's SOP class table)).
    public static let profileSOPClass = DiagnosticCode("profile-sop-class")
    /// error: a transfer syntax the profile does not allow for the class (PS3.11 (profile's SOP class table)).
    public static let profileTransferSyntax = DiagnosticCode("profile-transfer-syntax")
    /// error: more than 64 levels (PS3.3 F.2.1).
    public static let recordDepth = DiagnosticCode("record-depth")
    /// error: a record is reached twice (PS3.3 F.2.1).
    public static let recordLoop = DiagnosticCode("record-loop")
    /// error: (rebuilt tree) a record without a parent of the level above (PS3.3 F.4).
    public static let recordMisplaced = DiagnosticCode("record-misplaced")
    /// error: (tree rebuilt from record order) a record with no parent of the level above it (PS3.3 F.4).
    public static let recordOrderNoParent = DiagnosticCode("record-order-no-parent")
    /// error: a record without Directory Record Type (0004,1430) (PS3.3 F.3.2.2).
    public static let recordTypeMissing = DiagnosticCode("record-type-missing")
    /// warning: PRINT QUEUE, VISIT, MRDR, HL7 STRUC DOC, ... (PS3.3 F.3.2.2 (retired)).
    public static let recordTypeRetired = DiagnosticCode("record-type-retired")
    /// warning: a type this library does not know (newer standard or private spelling); ignored (PS3.3 F.3.2.2, PS3.2 7.3).
    public static let recordTypeUnknown = DiagnosticCode("record-type-unknown")
    /// warning: (list, import) a record type the root entity may not hold; verify reports it as record-misplaced (PS3.3 F.4).
    public static let rootRecordType = DiagnosticCode("root-record-type")
    /// error: the file's Series Instance UID differs from the enclosing SERIES record's (PS3.3 F.5.3).
    public static let seriesUIDMismatch = DiagnosticCode("series-uid-mismatch")
    /// error: (create, update) a Series Instance UID already in another study; the instance joins the existing series (PS3.3 F.5.3).
    public static let seriesUnderTwoStudies = DiagnosticCode("series-under-two-studies")
    /// error: (0004,1510) differs from the file's (0002,0002) (or (0008,0016)) (PS3.3 F.3.2.2).
    public static let sopClassMismatch = DiagnosticCode("sop-class-mismatch")
    /// error: (0004,1511) differs from the file's (0002,0003) (or (0008,0018)) (PS3.3 F.3.2.2).
    public static let sopInstanceMismatch = DiagnosticCode("sop-instance-mismatch")
    /// error: the file's Study Instance UID differs from the enclosing STUDY record's (PS3.3 F.5.2).
    public static let studyUIDMismatch = DiagnosticCode("study-uid-mismatch")
    /// error: (create, update) a Study Instance UID already under another Patient ID; the instance joins the existing study (PS3.11 D.3.3, PS3.3 F.5.2).
    public static let studyUnderTwoPatients = DiagnosticCode("study-under-two-patients")
    /// error: a symbolic link in the File-set leading out of its root; not followed (PS3.10 8.2).
    public static let symlinkOutsideRoot = DiagnosticCode("symlink-outside-root")
    /// error: a symbolic link to nothing, or a loop; not followed (PS3.10 8.2).
    public static let symlinkSkipped = DiagnosticCode("symlink-skipped")
    /// error: (0004,1512) differs from the file's (0002,0010) (PS3.3 F.3.2.2).
    public static let transferSyntaxMismatch = DiagnosticCode("transfer-syntax-mismatch")
    /// error: a DICOM file in the File-set folder that no record references (PS3.3 F.2.1 (rule 3), PS3.11).
    public static let unreferencedFile = DiagnosticCode("unreferenced-file")
}
