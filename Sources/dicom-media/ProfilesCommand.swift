import ArgumentParser
import MediaKit

/// `profiles`: the media application profiles this tool knows (PS3.11), with their transfer syntaxes and medium.
struct Profiles: ParsableCommand {
    static let configuration = CommandConfiguration.subcommand(
        "profiles", "List the media application profiles (PS3.11) with their transfer syntaxes and medium.")

    @Flag(help: "Print JSON: an array of {id, title, medium, updaterAllowed, transferSyntaxes [{uid, name}], sopClasses [{uid, name}] or null}.")
    var json = false

    func run() throws {
        if json { printDocument(ProfilesReport.json) } else { Console.shared.result(ProfilesReport.text) }
    }
}
