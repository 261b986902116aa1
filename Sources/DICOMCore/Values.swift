/// A Person Name value with its alphabetic, ideographic and phonetic component groups (PS3.5 §6.2.1).
public struct PersonName: Sendable, Equatable, CustomStringConvertible {
    public var alphabetic: String
    public var ideographic: String
    public var phonetic: String
    public init(alphabetic: String = "", ideographic: String = "", phonetic: String = "") {
        self.alphabetic = alphabetic; self.ideographic = ideographic; self.phonetic = phonetic
    }
    /// From up to three decoded component groups.
    public init(groups: [String]) {
        alphabetic = groups.count > 0 ? groups[0] : ""
        ideographic = groups.count > 1 ? groups[1] : ""
        phonetic = groups.count > 2 ? groups[2] : ""
    }
    /// Parses an already decoded value `A=I=P`.
    public init(_ s: String) { self.init(groups: s.split(separator: "=", omittingEmptySubsequences: false).map(String.init)) }
    /// The five components (family, given, middle, prefix, suffix) of the alphabetic group.
    public var components: [String] { alphabetic.split(separator: "^", omittingEmptySubsequences: false).map(String.init) }
    public var description: String {
        var g = [alphabetic, ideographic, phonetic]
        while let l = g.last, l.isEmpty, g.count > 1 { g.removeLast() }
        return g.joined(separator: "=")
    }
}

/// A DA value YYYYMMDD (PS3.5 §6.2); the old ACR-NEMA form YYYY.MM.DD is accepted on read.
public struct DICOMDate: Sendable, Equatable, CustomStringConvertible {
    public var year: Int, month: Int, day: Int
    public init(year: Int, month: Int, day: Int) { self.year = year; self.month = month; self.day = day }
    public init?(_ s: String) {
        let d = s.filter { $0 != "." }.trimmingSpaces()
        guard d.count == 8, let y = Int(d.prefix(4)), let m = Int(d.dropFirst(4).prefix(2)), let dd = Int(d.suffix(2)),
            (1...12).contains(m), (1...31).contains(dd)
        else { return nil }
        year = y; month = m; day = dd
    }
    public var description: String { pad(year, 4) + pad(month, 2) + pad(day, 2) }
}

/// A TM value HH[MM[SS[.FFFFFF]]] (PS3.5 §6.2); the ACR-NEMA form HH:MM:SS is accepted on read.
public struct DICOMTime: Sendable, Equatable, CustomStringConvertible {
    public var hour: Int, minute: Int?, second: Int?, fraction: String?
    public init(hour: Int, minute: Int? = nil, second: Int? = nil, fraction: String? = nil) {
        self.hour = hour; self.minute = minute; self.second = second; self.fraction = fraction
    }
    public init?(_ s: String) {
        let t = s.filter { $0 != ":" }.trimmingSpaces()
        let parts = t.split(separator: ".", maxSplits: 1, omittingEmptySubsequences: false)
        let main = parts.first.map(String.init) ?? ""
        guard main.count >= 2, main.count <= 6, main.count % 2 == 0, main.allSatisfy(\.isNumber),
            let h = Int(main.prefix(2)), h < 24
        else { return nil }
        hour = h
        minute = main.count >= 4 ? Int(main.dropFirst(2).prefix(2)) : nil
        second = main.count >= 6 ? Int(main.dropFirst(4).prefix(2)) : nil
        if let m = minute, m > 59 { return nil }
        if let sec = second, sec > 60 { return nil }
        fraction = parts.count > 1 ? String(parts[1]) : nil
        if let f = fraction, f.isEmpty || f.count > 6 || !f.allSatisfy(\.isNumber) { return nil }
    }
    public var description: String {
        var s = pad(hour, 2)
        if let m = minute { s += pad(m, 2) }
        if let sec = second { s += pad(sec, 2) }
        if let f = fraction { s += "." + f }
        return s
    }
}

/// A DT value YYYY[MM[DD[HH[MM[SS[.FFFFFF]]]]]][&ZZXX] (PS3.5 §6.2).
public struct DICOMDateTime: Sendable, Equatable, CustomStringConvertible {
    public var year: Int, month: Int?, day: Int?
    public var time: DICOMTime?
    /// UTC offset as written, e.g. "+0100".
    public var utcOffset: String?
    public init?(_ s: String) {
        var t = s.trimmingSpaces()
        if let i = t.firstIndex(where: { $0 == "+" || $0 == "-" }) {
            let off = String(t[i...])
            guard off.count == 5, off.dropFirst().allSatisfy(\.isNumber) else { return nil }
            utcOffset = off; t = String(t[..<i])
        }
        let digits = t.prefix { $0 != "." }
        guard digits.count >= 4, digits.allSatisfy(\.isNumber), let y = Int(digits.prefix(4)) else { return nil }
        year = y
        month = digits.count >= 6 ? Int(digits.dropFirst(4).prefix(2)) : nil
        day = digits.count >= 8 ? Int(digits.dropFirst(6).prefix(2)) : nil
        if let m = month, !(1...12).contains(m) { return nil }
        if let d = day, !(1...31).contains(d) { return nil }
        if digits.count > 8 {
            guard let tm = DICOMTime(String(t.dropFirst(8))) else { return nil }
            time = tm
        } else if t.count > digits.count {
            return nil
        }
    }
    public var description: String {
        var s = pad(year, 4)
        if let m = month { s += pad(m, 2) }
        if let d = day { s += pad(d, 2) }
        if let t = time { s += t.description }
        if let o = utcOffset { s += o }
        return s
    }
}

func pad(_ v: Int, _ width: Int) -> String {
    let s = String(v)
    return s.count >= width ? s : String(repeating: "0", count: width - s.count) + s
}
