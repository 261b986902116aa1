import ArgumentParser
import MediaKit

/// `--max-inflated SIZE`: the most a Deflated data set may inflate to (PS3.5 §A.5), for every command that reads files.
struct InflateLimitOption: ParsableArguments {
    @Option(
        name: .customLong("max-inflated"),
        help: ArgumentHelp(
            "Refuse a deflated data set that inflates to more than SIZE bytes (K, M, G suffixes; default: 256 times its compressed size, at most 4G).",
            valueName: "SIZE"))
    var maxInflated: String?

    func validate() throws {
        guard let text = maxInflated else { return }
        guard ReadLimits.setMaxInflated(text) else {
            throw ValidationError("--max-inflated: '\(text)' is not a size (e.g. 512M, 4G)")
        }
    }
}
