import Foundation
import DICOMCore

// File ID layouts: how a File-set creator names the files it writes. A layout is a text template
// (templates/layouts/*.layout, syntax in templates/layouts/README.md), one line per File ID
// component, so that users change the naming by editing a template rather than code. Whatever a
// template says, the names produced are conformant File IDs: 1-8 components of 1-8 characters from
// A-Z, 0-9 and _ (PS3.10 §8.2, §8.5), which also satisfies ISO 9660 level 1 and FAT 8.3 names
// (PS3.12 Annexes F, R; see the checklist in DICOM-MEDIA.md §4.7).

/// A File ID layout loaded from a template (templates/layouts/*.layout).
public struct FileIDLayout: Sendable, CustomStringConvertible {
    public let name: String
    /// The template text the layout was parsed from.
    public let template: String
    let components: [LayoutComponent]

    /// Number of File ID components every allocated ID has (1-8).
    public var componentCount: Int { components.count }
    /// The primary pattern of each component, e.g. `DICOM/P{counter:patient}/...`.
    public var description: String { components.map { $0.alternatives[0].text }.joined(separator: "/") }

    /// Parses a template; errors name the line and the problem.
    public init(name: String, template: String) throws {
        self.name = name
        self.template = template
        self.components = try LayoutParser.parse(template, layoutName: name)
    }
}
