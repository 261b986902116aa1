import ArgumentParser
import DICOMCore
import DICOMFileSet
import Foundation

/// `profiles`: the media application profiles this tool knows (PS3.11), with their transfer syntaxes and medium.
struct Profiles: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "List the media application profiles (PS3.11) with their transfer syntaxes and medium.",
        discussion: exitCodeHelp)

    @Flag(help: "Print JSON: an array of {id, title, medium, updaterAllowed, transferSyntaxes [{uid, name}], sopClasses [{uid, name}] or null}.")
    var json = false

    func run() throws {
        let profiles = ApplicationProfile.all
        func uidJSON(_ uid: String) -> JSON {
            .object([("uid", .string(uid)), ("name", DataDictionary.uidName(uid).map { .string($0) } ?? .null)])
        }
        if json {
            let rows: [JSON] = profiles.map { p in
                .object([
                    ("id", .string(p.id)),
                    ("title", .string(p.title)),
                    ("medium", .string(p.medium)),
                    ("updaterAllowed", .bool(p.updaterAllowed)),
                    ("transferSyntaxes", .array(p.transferSyntaxes.map(uidJSON))),
                    ("sopClasses", p.sopClasses.map { .array($0.sorted().map(uidJSON)) } ?? .null),
                ])
            }
            print(JSON.array(rows).serialized(pretty: true))
            return
        }
        let width = profiles.map(\.id.count).max() ?? 0
        for p in profiles {
            let syntaxes = p.transferSyntaxes.map { DataDictionary.uidName($0) ?? $0 }.joined(separator: ", ")
            print("\(p.id.padding(toLength: width, withPad: " ", startingAt: 0))  \(p.medium)  [\(syntaxes)]\(p.updaterAllowed ? "" : "  (no File-set Updater)")")
        }
        print("\(profiles.count) profiles")
    }
}
