import Foundation

/// The package's built products (e.g. the `dicom-media` executable), found beside the test bundle.
public enum Products {
    /// The executable `name` in the products folder the tests were built into (`.build/<triple>/<config>`):
    /// the first folder holding it, walking up from the running test bundle.
    public static func executable(_ name: String) -> URL {
        let start = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath().deletingLastPathComponent()
        var dir = start
        while dir.pathComponents.count > 1 {
            let candidate = dir.appendingPathComponent(name)
            if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
            dir = dir.deletingLastPathComponent()
        }
        return start.appendingPathComponent(name)
    }
}
