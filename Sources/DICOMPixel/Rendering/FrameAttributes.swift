import DICOMCore

/// The attributes that hold for one frame: the data set's own, with the functional group macros of the
/// Shared and then the Per-frame Functional Groups Sequence merged over them (PS3.3 C.7.6.16).
enum FrameAttributes {
    /// `ds` with the items of every macro sequence of the shared group and of frame `index`'s (0-based) group set on top.
    static func merged(_ ds: DataSet, frameIndex index: Int) -> DataSet {
        let shared = ds[.sharedFunctionalGroupsSequence]?.items?.first
        let perFrame = ds[.perFrameFunctionalGroupsSequence]?.items
        guard shared != nil || perFrame != nil else { return ds }
        var out = ds
        for group in [shared, perFrame.flatMap { index < $0.count ? $0[index] : nil }].compactMap({ $0 }) {
            for macro in group {
                guard let item = macro.items?.first else { continue }
                for element in item { out.set(element) }
            }
        }
        return out
    }
}
