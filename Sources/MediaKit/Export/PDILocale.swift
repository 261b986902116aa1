import DICOMCore
import Foundation

/// The locale of the dates and times on IHE PDI pages and README.TXT: a locale identifier ("en", "de_CH", "ja_JP"),
/// or none for ISO 8601 ("2018-01-07 11:05").
public struct PDILocale: Sendable, Equatable {
    /// The identifier as given, without encoding or modifier ("en_GB.UTF-8@euro" is "en_GB"); nil: ISO 8601.
    public let identifier: String?

    /// `identifier` as `--locale` or the environment gives it; "C", "POSIX" and "" mean none (ISO 8601).
    /// Throws `bad-argument` for a value that is not a locale identifier (language[_REGION]).
    public init(_ identifier: String?) throws {
        guard let raw = identifier else {
            self.identifier = nil
            return
        }
        let bare = String(raw.prefix { $0 != "." && $0 != "@" })
        if bare.isEmpty || bare == "C" || bare == "POSIX" {
            self.identifier = nil
            return
        }
        let parts = bare.split(separator: "_", omittingEmptySubsequences: false).flatMap { $0.split(separator: "-", omittingEmptySubsequences: false) }
        guard let lang = parts.first, (2...3).contains(lang.count), lang.allSatisfy({ $0.isASCII && $0.isLetter }),
            parts.dropFirst().allSatisfy({ (2...8).contains($0.count) && $0.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber) } })
        else {
            throw MediaError(.badArgument, "'\(raw)' is not a locale identifier (e.g. en, en_GB, de_CH, ja_JP; C for ISO 8601)")
        }
        self.identifier = bare
    }

    /// The locale of the environment: LC_ALL, else LC_TIME, else LANG (the first one set and not empty); ISO 8601 when
    /// none is set or it is not a locale identifier.
    public static func fromEnvironment(_ env: [String: String] = ProcessInfo.processInfo.environment) -> PDILocale {
        let value = ["LC_ALL", "LC_TIME", "LANG"].lazy.compactMap { env[$0] }.first { !$0.isEmpty }
        return (try? PDILocale(value)) ?? .iso8601
    }

    /// ISO 8601 dates and times.
    public static let iso8601 = PDILocale(checked: nil)

    private init(checked: String?) { identifier = checked }

    /// The language of the locale ("en" for "en_GB"), nil for ISO 8601.
    public var language: String? { identifier.map { String($0.prefix { $0 != "_" && $0 != "-" }).lowercased() } }

    /// A date: "7 Jan 2018" (en), "07.01.2018" style per locale, "2018-01-07" in ISO 8601.
    public func format(_ date: DICOMDate) -> String {
        guard let d = Self.date(date.year, date.month, date.day, 0, 0) else { return date.description }
        guard let f = formatter(template: "dMMMy") else { return iso(date) }
        return f.string(from: d)
    }

    /// A date and time to the minute: "7 Jan 2018 11:05" (en), "2018-01-07 11:05" in ISO 8601.
    public func format(_ date: DICOMDate, _ time: DICOMTime?) -> String {
        guard let time else { return format(date) }
        let hm = pad(time.hour) + ":" + pad(time.minute ?? 0)
        guard let t = Self.date(2000, 1, 1, time.hour, time.minute ?? 0), let f = formatter(template: "HHmm") else { return iso(date) + " " + hm }
        return format(date) + " " + f.string(from: t)
    }

    func iso(_ d: DICOMDate) -> String { String(format: "%04d-%02d-%02d", d.year, d.month, d.day) }
    func pad(_ n: Int) -> String { n < 10 ? "0\(n)" : "\(n)" }

    /// A formatter for an ICU skeleton in this locale (plain "en" as international English, day before month).
    func formatter(template: String) -> DateFormatter? {
        guard let identifier else { return nil }
        let f = DateFormatter()
        f.locale = Locale(identifier: identifier == "en" ? "en_001" : identifier)
        f.timeZone = TimeZone(identifier: "UTC")
        f.calendar = Calendar(identifier: .gregorian)
        f.setLocalizedDateFormatFromTemplate(template)
        return f
    }

    static func date(_ y: Int, _ m: Int, _ d: Int, _ h: Int, _ min: Int) -> Date? {
        var c = Calendar(identifier: .gregorian)
        c.timeZone = TimeZone(identifier: "UTC")!
        return c.date(from: DateComponents(year: y, month: m, day: d, hour: h, minute: min))
    }
}
