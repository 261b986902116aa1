import DICOMCore
import DICOMFileSet
import Foundation

/// `profiles`: the media application profiles this tool knows (PS3.11), with their transfer syntaxes and medium.
public enum ProfilesReport {
    /// One line per profile (id, medium, transfer syntaxes, whether a File-set Updater may write), then the count.
    public static var text: String {
        let profiles = ApplicationProfile.all
        let width = profiles.map(\.id.count).max() ?? 0
        var lines: [String] = []
        for p in profiles {
            let syntaxes = p.transferSyntaxes.map { DataDictionary.uidName($0) ?? $0 }.joined(separator: ", ")
            lines.append(
                "\(p.id.padding(toLength: width, withPad: " ", startingAt: 0))  \(p.medium)  [\(syntaxes)]\(p.updaterAllowed ? "" : "  (no File-set Updater)")")
        }
        lines.append("\(profiles.count) profiles")
        return lines.joined(separator: "\n")
    }

    /// `[{id, title, medium, updaterAllowed, transferSyntaxes [{uid, name}], sopClasses [{uid, name}] or null}]`.
    public static var json: JSON {
        func uid(_ uid: String) -> JSON {
            .object([("uid", .string(uid)), ("name", DataDictionary.uidName(uid).map { .string($0) } ?? .null)])
        }
        return .array(
            ApplicationProfile.all.map { p in
                .object([
                    ("id", .string(p.id)),
                    ("title", .string(p.title)),
                    ("medium", .string(p.medium)),
                    ("updaterAllowed", .bool(p.updaterAllowed)),
                    ("transferSyntaxes", .array(p.transferSyntaxes.map(uid))),
                    ("sopClasses", p.sopClasses.map { .array($0.sorted().map(uid)) } ?? .null),
                ])
            })
    }
}
