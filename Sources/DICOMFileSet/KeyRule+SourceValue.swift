import DICOMCore

extension KeyRule {
    /// The instance value this key is copied from, per its source (PS3.3 Annex F; PS3.11 Table H.3-2
    /// for the functional groups); shared by the builder and the verifier.
    public func sourceValue(in header: DataSet) -> DataElement? {
        let rule = self
        switch rule.source {
        case .element:
            return header[rule.tag]
        case .elementOrSharedFunctionalGroups:
            if let e = header[rule.tag], RecordBuilder.Context.isNonEmpty(e) { return e }
            if let shared = header[.sharedFunctionalGroupsSequence]?.items?.first {
                if let e = shared[rule.tag], RecordBuilder.Context.isNonEmpty(e) { return e }
                for macro in shared {
                    if let e = macro.items?.first?[rule.tag], RecordBuilder.Context.isNonEmpty(e) { return e }
                }
            }
            return header[rule.tag]
        case .conceptModifierContentItems:
            guard let items = header[.contentSequence]?.items else { return nil }
            let modifiers = items.filter { $0.string(.relationshipType) == "HAS CONCEPT MOD" }
            return modifiers.isEmpty ? nil : DataElement(tag: rule.tag, vr: .SQ, value: .sequence(modifiers))
        case .latestVerificationDateTime:
            guard header.string(.verificationFlag) == "VERIFIED", let observers = header[.verifyingObserverSequence]?.items else { return nil }
            let stamps = observers.compactMap { $0[.verificationDateTime] }.filter { RecordBuilder.Context.isNonEmpty($0) }
            guard let latest = stamps.max(by: { ($0.bytes ?? []).lexicographicallyPrecedes($1.bytes ?? []) }) else { return nil }
            return DataElement(tag: rule.tag, vr: .DT, value: latest.value)
        }
    }
}
