import Foundation

// The pattern comes from Foundation once (the locale's pattern for day, month, year, hour and minute, e.g. en_GB
// "dd/MM/yyyy, HH:mm", en_US "MM/dd/yyyy, h:mm a"); each date is then written from its broken-down local time with
// that pattern's fields (UTS #35 date format patterns: d, M, y, H, h, m, a and quoted literals), far cheaper than a
// DateFormatter call per date on a page of 50 jobs.
/// Writes the station's UTC timestamps (`2026-12-05T14:03:00Z`) as the configured locale writes a date and time.
struct LocalDateText: Sendable {
    enum Field: Sendable, Equatable {
        case literal(String)
        case day(Int), month(Int), year(Int), hour24(Int), hour12(Int), minute(Int), period
    }

    let fields: [Field]
    let am: String
    let pm: String

    /// `dateOnly`: the locale's pattern for a day, month and year alone (for DICOM dates, DA).
    init(locale identifier: String, dateOnly: Bool = false) {
        let f = DateFormatter()
        f.locale = Locale(identifier: identifier)
        f.setLocalizedDateFormatFromTemplate(dateOnly ? "ddMMyyyy" : "ddMMyyyyHHmm")
        am = f.amSymbol
        pm = f.pmSymbol
        fields = Self.parse(f.dateFormat ?? "dd/MM/yyyy HH:mm")
    }

    /// The fields of a UTS #35 pattern; letters other than the fields' are kept as literals.
    static func parse(_ pattern: String) -> [Field] {
        var out: [Field] = []
        let chars = Array(pattern)
        var i = 0
        while i < chars.count {
            let c = chars[i]
            if c == "'" {
                var text = ""
                i += 1
                while i < chars.count, chars[i] != "'" { text.append(chars[i]); i += 1 }
                out.append(.literal(text.isEmpty ? "'" : text))
                i += 1
                continue
            }
            var n = 1
            while i + n < chars.count, chars[i + n] == c { n += 1 }
            switch c {
            case "d": out.append(.day(n))
            case "M", "L": out.append(.month(n))
            case "y": out.append(.year(n))
            case "H": out.append(.hour24(n))
            case "h": out.append(.hour12(n))
            case "m": out.append(.minute(n))
            case "a": out.append(.period)
            default: out.append(.literal(String(repeating: c, count: n)))
            }
            i += n
        }
        return out
    }

    /// The timestamp in the station's time zone, written with the locale's pattern; "" for nil or an unreadable one.
    func text(_ timestamp: String?) -> String {
        guard let timestamp, let t = Self.seconds(timestamp) else { return "" }
        var time = t
        var tm = tm()
        guard localtime_r(&time, &tm) != nil else { return "" }
        return render(day: Int(tm.tm_mday), month: Int(tm.tm_mon) + 1, year: Int(tm.tm_year) + 1900, hour: Int(tm.tm_hour), minute: Int(tm.tm_min))
    }

    /// A DICOM date (DA, `YYYYMMDD`, PS3.5 6.2) as the locale writes it; nil when it is not one.
    func dicomDate(_ da: String) -> String? {
        let b = Array(da.utf8)
        guard b.count == 8, b.allSatisfy({ (0x30...0x39).contains($0) }) else { return nil }
        let n = b.map { Int($0 - 0x30) }
        let (y, m, d) = (n[0] * 1000 + n[1] * 100 + n[2] * 10 + n[3], n[4] * 10 + n[5], n[6] * 10 + n[7])
        guard (1...12).contains(m), (1...31).contains(d) else { return nil }
        return render(day: d, month: m, year: y, hour: 0, minute: 0)
    }

    /// The pattern's fields filled with these values.
    func render(day: Int, month: Int, year: Int, hour: Int, minute: Int) -> String {
        func pad(_ v: Int, _ n: Int) -> String {
            let s = String(v)
            return s.count >= n ? s : String(repeating: "0", count: n - s.count) + s
        }
        var out = ""
        for f in fields {
            switch f {
            case .literal(let s): out += s
            case .day(let n): out += pad(day, n)
            case .month(let n): out += pad(month, min(n, 2))
            case .year(let n): out += n == 2 ? pad(year % 100, 2) : pad(year, n)
            case .hour24(let n): out += pad(hour, n)
            case .hour12(let n): out += pad(hour % 12 == 0 ? 12 : hour % 12, n)
            case .minute(let n): out += pad(minute, n)
            case .period: out += hour < 12 ? am : pm
            }
        }
        return out
    }

    /// Seconds since 1970 of `YYYY-MM-DDTHH:MM:SSZ` (the form `LockFile.timestamp()` writes), or nil.
    static func seconds(_ s: String) -> time_t? {
        let b = Array(s.utf8)
        guard b.count == 20, b[4] == 0x2D, b[7] == 0x2D, b[10] == 0x54, b[13] == 0x3A, b[16] == 0x3A, b[19] == 0x5A else { return nil }
        func number(_ at: Int, _ n: Int) -> Int32? {
            var v: Int32 = 0
            for c in b[at..<(at + n)] {
                guard (0x30...0x39).contains(c) else { return nil }
                v = v * 10 + Int32(c - 0x30)
            }
            return v
        }
        guard let y = number(0, 4), let mo = number(5, 2), let d = number(8, 2), let h = number(11, 2), let mi = number(14, 2), let se = number(17, 2)
        else { return nil }
        var tm = tm()
        tm.tm_year = y - 1900; tm.tm_mon = mo - 1; tm.tm_mday = d; tm.tm_hour = h; tm.tm_min = mi; tm.tm_sec = se
        return timegm(&tm)
    }
}
