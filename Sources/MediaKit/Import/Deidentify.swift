import DICOMCore

/// An action code of PS3.15 Table E.1-1 (PS3.15 E.1.1).
public enum ProfileAction: String, Sendable, CaseIterable {
    /// Replace with a non-zero length dummy value consistent with the VR.
    case D
    /// Replace with a zero length value, or a dummy value.
    case Z
    /// Remove.
    case X
    /// Keep (sequences: keep, and apply the profile to their items).
    case K
    /// Clean: replace with values of similar meaning that identify no one.
    case C
    /// Replace the UID with one that is the same for the same input within the set of instances.
    case U
    /// Z unless D is needed for the IOD (Type 2 versus Type 1).
    case ZD = "Z/D"
    /// X unless Z is needed for the IOD (Type 3 versus Type 2).
    case XZ = "X/Z"
    /// X unless D is needed for the IOD (Type 3 versus Type 1).
    case XD = "X/D"
    /// X, Z or D for Type 3, 2 or 1.
    case XZD = "X/Z/D"
    /// X, Z, or U on the UIDs the sequence contains (sequences of references).
    case XZU = "X/Z/U*"

    /// What the de-identifier does for this code (PS3.15 E.1.1).
    ///
    /// The combined codes choose by the attribute's Type in the instance's IOD. Without a table of
    /// every IOD's Types, the choice is made so that no Type 1 or Type 2 attribute is ever lost:
    /// X/Z → Z, X/D and Z/D and X/Z/D → D, X/Z/U* → U on the contained UIDs. Each of these leaves
    /// no original value behind, which is what the profile requires; it may keep an empty or dummy
    /// attribute where the IOD would have allowed removing it.
    public var resolved: ResolvedAction {
        switch self {
        case .D, .ZD, .XD, .XZD: return .dummy
        case .Z, .XZ: return .empty
        case .X: return .remove
        case .K, .C: return .keep
        case .U, .XZU: return .replaceUIDs
        }
    }

    /// For a sequence (VR SQ): dummy content cannot be invented, so D keeps the items and applies
    /// the profile to them; X/D removes; X/Z/D and Z empty the sequence.
    public var resolvedForSequence: ResolvedAction {
        switch self {
        case .D, .ZD, .K, .C, .U, .XZU: return .keep
        case .Z, .XZ, .XZD: return .empty
        case .X, .XD: return .remove
        }
    }
}

/// The action actually carried out on an element.
public enum ResolvedAction: Sendable, Equatable {
    case dummy, empty, remove, keep, replaceUIDs
}

/// The Basic Application Level Confidentiality Profile's column of PS3.15 Table E.1-1.
public enum BasicProfile {
    private static let index: [UInt32: ProfileAction] = {
        var d: [UInt32: ProfileAction] = [:]
        for row in table { d[row.tag] = row.action }
        return d
    }()

    /// The Basic Profile action for `tag`, or nil when Table E.1-1 does not list it (kept, and
    /// for sequences the profile applies to the items). Private tags are handled apart (X).
    public static func action(for tag: Tag) -> ProfileAction? {
        if let a = index[tag.rawValue] { return a }
        for m in maskedTable where tag.rawValue & m.mask == m.tag { return m.action }
        return nil
    }

    /// The name Table E.1-1 gives the attribute, if listed.
    public static func name(of tag: Tag) -> String? {
        if let row = table.first(where: { $0.tag == tag.rawValue }) { return row.name }
        return maskedTable.first { tag.rawValue & $0.mask == $0.tag }?.name
    }
}

/// De-identifies instances with the Basic Application Level Confidentiality Profile (PS3.15 E.1,
/// E.2): the Table E.1-1 action of every attribute, applied in nested sequences too; private
/// attributes removed; UIDs replaced consistently across the run; Patient Identity Removed,
/// De-identification Method and its Code Sequence set; the File Meta rebuilt. Pixel Data is not
/// touched, so files whose Burned In Annotation (0028,0301) is YES are refused unless allowed.
///
/// One `Deidentifier` is one run: every instance of an import or export goes through the same
/// object, so the same original UID becomes the same new UID in every file (references follow).
/// New UIDs are 2.25 UIDs made from HMAC-SHA-256 of the original under the run's key, so the map
/// needs no shared state and `apply` is safe to call from several threads at once.
public struct Deidentifier: InstanceTransform {
    public struct Options: Sendable {
        /// Keep instances whose Burned In Annotation (0028,0301) is YES (their pixels are not cleaned).
        public var allowBurnedIn = false
        /// The key of the UID and identifier map; random for each run when nil. Give the same key to
        /// keep new UIDs the same across runs (keep it secret: it links new UIDs to old ones).
        public var key: [UInt8]?
        public init(allowBurnedIn: Bool = false, key: [UInt8]? = nil) { self.allowBurnedIn = allowBurnedIn; self.key = key }
    }

    public let options: Options
    private let key: [UInt8]

    /// De-identification Method (0012,0063) written to every instance.
    public static let methodDescription = "DICOM PS3.15 E.1 Basic Application Level Confidentiality Profile"
    /// CID 7050 code of the Basic Profile (PS3.16): (113100, DCM, "Basic Application Confidentiality Profile").
    public static let methodCode = (value: "113100", scheme: "DCM", meaning: "Basic Application Confidentiality Profile")

    /// Z attributes given a dummy instead of an empty value, which Z allows (PS3.15 E.1.1): the
    /// Type 1 keys of DICOMDIR STUDY records (PS3.3 F.5.2), which would otherwise be invented.
    static let dummyForZ: Set<UInt32> = [0x0008_0020, 0x0008_0030, 0x0020_0010]

    public init(_ options: Options = Options()) {
        self.options = options
        if let k = options.key {
            key = k
        } else {
            var g = SystemRandomNumberGenerator()
            key = (0..<32).map { _ in UInt8.random(in: 0...255, using: &g) }
        }
    }

    /// The new UID for `uid` in this run (PS3.15 E.1.1 action U); empty stays empty.
    public func replacementUID(for uid: String) -> String {
        if uid.isEmpty { return uid }
        return UID.make(from: Array(KeyedHash.hmac(key: key, Array("UID:\(uid)".utf8)).prefix(16)))
    }

    /// The dummy Patient ID for `id` in this run: the same for the same original, so patients stay apart.
    public func replacementPatientID(for id: String) -> String {
        let h = KeyedHash.hmac(key: key, Array("PID:\(id)".utf8)).prefix(8)
        return "DEID" + h.map { String($0, radix: 16, uppercase: true).leftPadded(2) }.joined()
    }

    /// De-identifies `dataSet` and rebuilds `fileMeta` for it (PS3.15 E.1, E.3.x; File Meta per PS3.10 7.1).
    public func apply(to dataSet: inout DataSet, fileMeta: inout DataSet) throws {
        if !options.allowBurnedIn, dataSet.string(Tag.burnedInAnnotation)?.uppercased() == "YES" {
            throw MediaError.transformRefusal(
                "Burned In Annotation (0028,0301) is YES: the pixels may show identifying text, which this profile does not clean; give --allow-burned-in to keep such files",
                rule: "PS3.15 E.1.1, E.3.1")
        }
        clean(&dataSet)
        dataSet.setString(Tag.patientIdentityRemoved, .CS, "YES")
        dataSet.setString(Tag.deidentificationMethod, .LO, Self.methodDescription)
        var code = DataSet()
        code.characterSet = dataSet.characterSet
        code.setString(Tag.codeValue, .SH, Self.methodCode.value)
        code.setString(Tag.codingSchemeDesignator, .SH, Self.methodCode.scheme)
        code.setString(Tag.codeMeaning, .LO, Self.methodCode.meaning)
        dataSet.setSequence(Tag.deidentificationMethodCodeSequence, [code])
        // Dates and times were emptied or replaced (no Retain Longitudinal option) (PS3.15 E.3.6).
        dataSet.setString(Tag.longitudinalTemporalInformationModified, .CS, "REMOVED")

        // File Meta: only what PS3.10 Table 7.1-1 requires of the source survives; the writer adds
        // its own Implementation Class UID and Version Name and a zero preamble (PS3.15 E.1.1 Note).
        var meta = DataSet()
        for t in [Tag.fileMetaInformationVersion, .mediaStorageSOPClassUID, .transferSyntaxUID] { if let e = fileMeta[t] { meta.set(e) } }
        if let sop = dataSet.string(.sopInstanceUID) {
            meta.setString(.mediaStorageSOPInstanceUID, .UI, sop)
        } else if let sop = fileMeta.string(.mediaStorageSOPInstanceUID) {
            meta.setString(.mediaStorageSOPInstanceUID, .UI, replacementUID(for: sop))
        }
        fileMeta = meta
    }

    /// Free text that a D sequence's dummy content may not keep: Text Value (0040,A160) of SR
    /// content items and Unformatted Text Value (0070,0006) of graphic annotations, which Table
    /// E.1-1 does not list on their own because their sequences (Content Sequence, Graphic
    /// Annotation Sequence) are D as a whole.
    static let freeTextInDummySequence: Set<UInt32> = [0x0040_A160, 0x0070_0006]

    /// Applies Table E.1-1 to every element of `ds`, recursively in sequences. `inDummySequence`:
    /// `ds` is an item (at any depth) of a sequence whose action is D, kept with its items cleaned.
    func clean(_ ds: inout DataSet, inDummySequence: Bool = false) {
        var out: [DataElement] = []
        out.reserveCapacity(ds.count)
        let overlayGroups = Set(ds.elements.filter { $0.tag.group & 0xFF00 == 0x6000 && $0.tag.element == 0x3000 }.map(\.tag.group))
        for var e in ds.elements {
            let tag = e.tag
            // Private attributes and the illegal groups 0001-0007 (odd): X (PS3.15 E.1.1, E.3.10 not applied).
            if tag.group & 1 == 1 { continue }
            // The Overlay Plane module cannot stand without its Overlay Data, which is X.
            if overlayGroups.contains(tag.group) { continue }
            guard let action = BasicProfile.action(for: tag) else {
                if case .sequence(let items) = e.value { e.value = .sequence(items.map { cleaned($0, inDummySequence) }) }
                if inDummySequence && Self.freeTextInDummySequence.contains(tag.rawValue), e.bytes?.isEmpty == false {
                    e.value = .bytes(dummy(for: e, in: ds))
                }
                out.append(e); continue
            }
            let isSequence: Bool
            if case .sequence = e.value { isSequence = true } else { isSequence = e.vr == .SQ }
            var resolved = isSequence ? action.resolvedForSequence : action.resolved
            if resolved == .empty && !isSequence && Self.dummyForZ.contains(tag.rawValue) { resolved = .dummy }
            switch resolved {
            case .remove: continue
            case .keep:
                let dummyContent = inDummySequence || action == .D || action == .ZD
                if case .sequence(var items) = e.value {
                    items = items.map { cleaned($0, dummyContent) }
                    // Person Identification Code Sequence (D): the code itself identifies the person.
                    if tag == Tag.personIdentificationCodeSequence { items = items.map(dummyCode) }
                    e.value = .sequence(items)
                }
            case .empty:
                e.value = isSequence ? .sequence([]) : .bytes([])
            case .dummy:
                e.value = .bytes(dummy(for: e, in: ds))
            case .replaceUIDs:
                switch e.value {
                case .sequence(let items): e.value = .sequence(items.map { cleaned($0, inDummySequence) })
                case .bytes(let b):
                    let values = DataSet.splitValues(String(decoding: b, as: UTF8.self), vr: .UI)
                    var bytes = Array(values.map { replacementUID(for: $0) }.joined(separator: "\\").utf8)
                    if bytes.count & 1 == 1 { bytes.append(0) }
                    e.value = .bytes(bytes)
                case .fragments: continue
                }
            }
            out.append(e)
        }
        let cs = ds.characterSet, offset = ds.itemOffset
        ds = DataSet(out, characterSet: cs)
        ds.itemOffset = offset
    }

    /// A code item with dummy Code Value, Long Code Value, URN Code Value and Code Meaning.
    private func dummyCode(_ item: DataSet) -> DataSet {
        var i = item
        for t in [Tag.codeValue, Tag.codeMeaning, Tag.longCodeValue, Tag.urnCodeValue] {
            if let e = i[t], e.bytes?.isEmpty == false { i.set(DataElement(tag: t, vr: e.vr, bytes: dummy(for: e, in: item))) }
        }
        return i
    }

    private func cleaned(_ item: DataSet, _ inDummySequence: Bool) -> DataSet {
        var i = item
        clean(&i, inDummySequence: inDummySequence)
        return i
    }

    /// A non-empty value of the element's VR that identifies no one (action D).
    func dummy(for e: DataElement, in ds: DataSet) -> [UInt8] {
        func text(_ s: String) -> [UInt8] {
            var b = Array(s.utf8)
            if b.count & 1 == 1 { b.append(e.vr.paddingByte) }
            return b
        }
        if e.tag == .patientID { return text(replacementPatientID(for: ds.string(.patientID) ?? "")) }
        if e.tag == Tag.studyID {  // Study ID (SH): one per study
            let h = KeyedHash.hmac(key: key, Array("STUDY:\(ds.string(.studyInstanceUID) ?? "")".utf8)).prefix(8)
            return text(h.map { String($0, radix: 16, uppercase: true).leftPadded(2) }.joined())
        }
        switch e.vr {
        case .DA: return text("19000101")
        case .TM: return text("000000")
        case .DT: return text("19000101000000")
        case .AS: return text("000Y")
        case .DS, .IS: return text("0")
        case .UI: return text(replacementUID(for: ds.string(e.tag) ?? ""))
        case .UR: return text("urn:x-deidentified")
        case .AE, .CS, .LO, .LT, .PN, .SH, .ST, .UC, .UT: return text("ANONYMIZED")
        case .US, .SS, .OW: return [0, 0]
        case .UL, .SL, .FL, .OF, .OL, .AT: return [0, 0, 0, 0]
        case .FD, .OD, .SV, .UV, .OV: return [UInt8](repeating: 0, count: 8)
        default: return [0, 0]  // OB, UN and unknown VRs
        }
    }
}

extension String {
    fileprivate func leftPadded(_ n: Int) -> String { count >= n ? self : String(repeating: "0", count: n - count) + self }
}
