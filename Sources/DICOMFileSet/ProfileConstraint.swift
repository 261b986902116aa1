import DICOMCore

// MARK: - Attribute-value constraints (PS3.11 A.3.4.1, B.3.4.1, C.3.1.1, E.3.4.1, K.3.4)

/// One row of a "Required Image Attribute Values" table: the instances it applies to and the checks.
struct ProfileConstraint: Sendable, Hashable {
    enum When: Sendable, Hashable {
        case always
        case photometricIn(Set<String>)
        case photometricNotIn(Set<String>)
    }
    enum Check: Sendable, Hashable {
        /// First value of a CS element is one of these.
        case oneOf(Tag, Set<String>)
        case intIn(Tag, Set<Int>)
        case intAtMost(Tag, Int)
        /// High Bit = Bits Stored - 1.
        case highBitIsBitsStoredMinusOne
        /// Bits Stored = Bits Allocated.
        case bitsStoredEqualsBitsAllocated
        /// Bits Allocated 8 if Bits Stored is 8, else 16 (STD-DEN-CD).
        case bitsAllocatedFitsBitsStored
        /// No overlay planes in groups 6000-601E.
        case noOverlays
        /// The element must be present.
        case present(Tag)
        /// Photometric Interpretation -> transfer syntaxes allowed with it (STD-US).
        case photometricTransferSyntax([String: Set<String>])
    }
    /// SOP classes it applies to (nil = all).
    let sopClasses: Set<String>?
    let when: When
    let checks: [Check]
    /// "MR Image Storage instances" and the like, for messages.
    let subject: String
    let rule: String

    func applies(sopClassUID: String, header: DataSet) -> Bool {
        if let s = sopClasses, !s.contains(sopClassUID) { return false }
        let pi = header.string(.photometricInterpretation) ?? ""
        switch when {
        case .always: return true
        case .photometricIn(let set): return set.contains(pi)
        case .photometricNotIn(let set): return !set.contains(pi)
        }
    }

    /// The first check the header fails, worded "Bits Stored (0028,0101) 8, 10 or 12 (the instance has 16)".
    func firstFailure(header: DataSet, transferSyntaxUID: String) -> String? {
        func name(_ t: Tag) -> String { "\(DataDictionary.entry(for: t)?.name ?? "\(t)") \(t)" }
        func int(_ t: Tag) -> Int? { header.integer(t) }
        for check in checks {
            switch check {
            case .oneOf(let t, let values):
                guard let v = header.string(t) else { continue }
                if !values.contains(v) {
                    return "\(name(t)) \(Self.list(values.sorted())) (the instance has \(v.isEmpty ? "an empty value" : "'\(v)'"))"
                }
            case .intIn(let t, let values):
                guard let v = int(t) else { continue }
                if !values.contains(v) { return "\(name(t)) \(Self.list(values.sorted().map(String.init))) (the instance has \(v))" }
            case .intAtMost(let t, let max):
                guard let v = int(t) else { continue }
                if v > max { return "\(name(t)) at most \(max) (the instance has \(v))" }
            case .highBitIsBitsStoredMinusOne:
                guard let hb = int(.highBit), let bs = int(.bitsStored) else { continue }
                if hb != bs - 1 { return "High Bit (0028,0102) = Bits Stored - 1 = \(bs - 1) (the instance has \(hb))" }
            case .bitsStoredEqualsBitsAllocated:
                guard let bs = int(.bitsStored), let ba = int(.bitsAllocated) else { continue }
                if bs != ba { return "Bits Stored (0028,0101) = Bits Allocated = \(ba) (the instance has \(bs))" }
            case .bitsAllocatedFitsBitsStored:
                guard let bs = int(.bitsStored), let ba = int(.bitsAllocated) else { continue }
                let want = bs == 8 ? 8 : 16
                if ba != want { return "Bits Allocated (0028,0100) \(want) with Bits Stored \(bs) (the instance has \(ba))" }
            case .noOverlays:
                if let e = header.first(where: { $0.tag.group >= 0x6000 && $0.tag.group <= 0x601E && $0.tag.group & 1 == 0 }) {
                    return "no overlay planes (groups 60xx) (the instance has \(e.tag))"
                }
            case .present(let t):
                if header[t] == nil { return "\(name(t)) to be present" }
            case .photometricTransferSyntax(let table):
                guard let pi = header.string(.photometricInterpretation) else { continue }
                let allowed = table[pi] ?? []
                if !allowed.contains(transferSyntaxUID) {
                    let names = allowed.sorted().map { TransferSyntax(uid: $0).name }
                    let what =
                        names.isEmpty
                        ? "no transfer syntax (Photometric Interpretation \(Self.list(table.keys.sorted())))"
                        : Self.list(names)
                    return "Photometric Interpretation \(pi) to be encoded in \(what) (the instance is \(TransferSyntax(uid: transferSyntaxUID).name))"
                }
            }
        }
        return nil
    }

    static func list(_ v: [String]) -> String {
        v.count <= 1 ? (v.first ?? "") : v.dropLast().joined(separator: ", ") + " or " + v.last!
    }
}
