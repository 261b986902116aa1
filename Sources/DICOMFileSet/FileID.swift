import DICOMCore

/// A File ID: 1 to 8 components of 1 to 8 characters from A-Z, 0-9 and _ (PS3.10 §8.2, §8.5).
public struct FileID: Hashable, Sendable, CustomStringConvertible, Comparable {
    public var components: [String]
    public init(_ components: [String]) { self.components = components }
    /// From a slash-separated relative path.
    public init(path: String) { components = path.split(separator: "/").map(String.init) }
    /// Components joined with "/", the form used in paths and JSON.
    public var path: String { components.joined(separator: "/") }
    public var description: String { path }
    public static func < (a: FileID, b: FileID) -> Bool { a.path < b.path }

    /// Why this File ID does not conform to PS3.10 §8.5, or nil when it does.
    public var nonConformance: String? {
        if components.isEmpty { return "a File ID needs at least one component" }
        if components.count > 8 { return "\(components.count) components; at most 8 are allowed (PS3.10 §8.5)" }
        for c in components {
            if c.isEmpty || c.utf8.count > 8 { return "component '\(c)' has \(c.utf8.count) characters; 1 to 8 are allowed (PS3.10 §8.5)" }
            if let bad = c.unicodeScalars.first(where: { !FileID.isAllowed($0) }) {
                return "component '\(c)' contains '\(bad)'; only A-Z, 0-9 and _ are allowed (PS3.10 §8.5)"
            }
        }
        return nil
    }
    public var isConformant: Bool { nonConformance == nil }

    /// The File ID character set: upper-case letters, digits, underscore (PS3.10 §8.5).
    public static func isAllowed(_ u: Unicode.Scalar) -> Bool {
        (u >= "A" && u <= "Z") || (u >= "0" && u <= "9") || u == "_"
    }

    /// Whether following the components from the File-set root could leave it (see ``Medium/problem(_:)``).
    public var escapesRoot: Bool { Medium.problem(self) != nil }
}
