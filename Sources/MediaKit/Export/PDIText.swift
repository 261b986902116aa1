import DICOMCore
import Foundation

/// Values of the DICOMDIR and the files as people read them on IHE PDI pages: names, sex, age, language.
enum PDIText {
    /// A Person Name for reading: the first non-empty group ("FURUHASHI Taichi": family name upper-cased, then given,
    /// middle, prefix before, suffix after), and the other groups (ideographic, phonetic) as written (PS3.5 6.2.1).
    static func name(_ pn: PersonName) -> (main: String, others: [String]) {
        var groups: [String] = []
        if !pn.alphabetic.isEmpty { groups.append(group(pn.alphabetic, upperFamily: true)) }
        for g in [pn.ideographic, pn.phonetic] where !g.isEmpty { groups.append(group(g, upperFamily: false)) }
        groups = groups.filter { !$0.isEmpty }
        var others: [String] = []
        for g in groups.dropFirst() where !others.contains(g) && g != groups.first { others.append(g) }
        return (groups.first ?? "", others)
    }

    /// One component group: prefix, family, given, middle, then ", suffix".
    static func group(_ g: String, upperFamily: Bool) -> String {
        let c = g.split(separator: "^", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
        func at(_ i: Int) -> String { i < c.count ? c[i] : "" }
        let family = upperFamily ? at(0).uppercased() : at(0)
        let main = [at(3), family, at(1), at(2)].filter { !$0.isEmpty }.joined(separator: " ")
        return at(4).isEmpty ? main : main + ", " + at(4)
    }

    /// Patient's Sex (0010,0040) in words.
    static func sex(_ code: String?) -> String {
        switch code?.trimmingCharacters(in: .whitespaces).uppercased() {
        case "M": return "male"
        case "F": return "female"
        case "O": return "other"
        default: return ""
        }
    }

    /// Age at `at` of someone born on `birth`: years, months under 2 years, days under 2 months; nil when unknown.
    static func age(birth: DICOMDate?, at: DICOMDate?) -> String? {
        guard let b = birth, let a = at else { return nil }
        var months = (a.year - b.year) * 12 + (a.month - b.month)
        if a.day < b.day { months -= 1 }
        guard months >= 0 else { return nil }
        if months >= 24 { return plural(months / 12, "year") }
        if months >= 2 { return plural(months, "month") }
        guard let from = PDILocale.date(b.year, b.month, b.day, 0, 0), let to = PDILocale.date(a.year, a.month, a.day, 0, 0) else { return nil }
        return plural(Int((to.timeIntervalSince(from) / 86400).rounded()), "day")
    }

    /// Patient's Age (0010,1010) "045Y" in words (PS3.5 Table 6.2-1 AS).
    static func age(_ value: String?) -> String? {
        guard let v = value?.trimmingCharacters(in: .whitespaces), v.count == 4, let n = Int(v.prefix(3)) else { return nil }
        switch v.last {
        case "Y": return plural(n, "year")
        case "M": return plural(n, "month")
        case "W": return plural(n, "week")
        case "D": return plural(n, "day")
        default: return nil
        }
    }

    static func plural(_ n: Int, _ unit: String) -> String { "\(n) \(unit)\(n == 1 ? "" : "s")" }

    /// The language a Specific Character Set (0008,0005) implies, when it implies one (PS3.3 C.12.1.1.2).
    static func language(terms: [String]) -> String? {
        for t in terms.map({ $0.trimmingCharacters(in: .whitespaces) }) {
            switch t {
            case "ISO 2022 IR 87", "ISO 2022 IR 159", "ISO 2022 IR 13", "ISO_IR 13": return "ja"
            case "ISO 2022 IR 149": return "ko"
            case "ISO 2022 IR 58", "GB18030", "GBK": return "zh"
            case "ISO_IR 166", "ISO 2022 IR 166": return "th"
            case "ISO_IR 126", "ISO 2022 IR 126": return "el"
            case "ISO_IR 127", "ISO 2022 IR 127": return "ar"
            case "ISO_IR 138", "ISO 2022 IR 138": return "he"
            case "ISO_IR 144", "ISO 2022 IR 144": return "ru"
            case "ISO_IR 148", "ISO 2022 IR 148": return "tr"
            default: continue
            }
        }
        return nil
    }

    /// The language the script of `text` shows (kana: Japanese, Hangul: Korean), for UTF-8 values; nil when it does not.
    static func language(script text: String) -> String? {
        for s in text.unicodeScalars {
            switch s.value {
            case 0x3040...0x30FF, 0x31F0...0x31FF, 0xFF66...0xFF9F: return "ja"
            case 0xAC00...0xD7AF, 0x1100...0x11FF, 0x3130...0x318F: return "ko"
            default: continue
            }
        }
        return nil
    }
}
