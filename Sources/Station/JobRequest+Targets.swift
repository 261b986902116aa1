import FileSystem

// A publish job's target is checked when the job is asked for and again when it runs: folders, images and hot folders
// lie under the roots; a `stdio:` pseudo-drive's file lies under them (its folder must exist; the file may not yet);
// a real drive's device lies outside every root, so a request may name only a drive a rule of the configuration targets.
extension JobRequest {
    /// Refuses a target outside the roots (`path-outside-roots`) or missing (`path-not-found`).
    static func checkTarget(_ target: StationConfig.Target, config: StationConfig) throws(StationError) {
        switch target {
        case .folder(let p), .iso(let p), .robot(let p, _): _ = try StationPaths.checked(p, roots: config.roots)
        case .drive(let d):
            if d.hasPrefix("stdio:") {
                let file = String(d.dropFirst(6))
                _ = try StationPaths.checked(String(file[..<(file.lastIndex(of: "/") ?? file.startIndex)]), roots: config.roots)
                if fileExists(file) { _ = try StationPaths.checked(file, roots: config.roots) }
            } else if !config.rules.contains(where: { $0.target == target }) {
                throw StationError(.pathOutsideRoots, "\(d) is not a drive of the configuration (a rule's target)", path: d)
            }
        }
    }

    /// The drive or robot the job needs alone (`JobStore.claim` runs one job per resource at a time), or nil.
    public var resource: String? {
        guard case .publish(let p) = self else { return nil }
        switch p.target {
        case .drive(let d): return "drive:" + d
        case .robot(let h, _): return "robot:" + h
        case .folder, .iso: return nil
        }
    }
}
