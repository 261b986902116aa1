import Foundation
import DICOMCore

// Rendering: a pattern and an instance header give one File ID component.

/// Sanitises a value to the File ID character set: a-z upper-cased, A-Z 0-9 _ kept, others '_'.
func fileIDSanitised(_ s: String) -> String {
    var out = String.UnicodeScalarView()
    for u in s.unicodeScalars {
        if u >= "a" && u <= "z" { out.append(Unicode.Scalar(u.value - 32)!) } else if FileID.isAllowed(u) { out.append(u) } else { out.append("_") }
    }
    return String(out)
}

/// FNV-1a, 64 bit: a hash that is the same in every run and on every platform (unlike `Hasher`).
func layoutFNV1a(_ s: String) -> UInt64 {
    var h: UInt64 = 0xcbf2_9ce4_8422_2325
    for b in s.utf8 { h = (h ^ UInt64(b)) &* 0x100_0000_01b3 }
    return h
}

private let layoutDigits: [UInt8] = Array("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ".utf8)

/// `v` in `base`, zero-padded to `width` digits; nil when it needs more.
func layoutEncode(_ v: UInt64, base: LayoutNumberBase, width: Int) -> String? {
    let r = base.radix
    var out = [UInt8](repeating: UInt8(ascii: "0"), count: width)
    var v = v
    var i = width - 1
    while v > 0 {
        if i < 0 { return nil }
        out[i] = layoutDigits[Int(v % r)]
        v /= r
        i -= 1
    }
    return String(decoding: out, as: UTF8.self)
}

func layoutPower(_ base: LayoutNumberBase, _ width: Int) -> UInt64 {
    var p: UInt64 = 1
    for _ in 0..<width { p *= base.radix }
    return p
}

enum LayoutRenderResult {
    case name(String)
    /// Why the pattern does not fit; `long` is the rendered name when the only problem is its length.
    case failure(String, long: String?)
}

struct LayoutRenderContext {
    let header: DataSet
    let exportDate: String
    let exportTime: String

    func raw(_ s: LayoutValueSource) -> String? {
        switch s {
        case .exportDate: return exportDate.isEmpty ? nil : exportDate
        case .exportTime: return exportTime.isEmpty ? nil : exportTime
        case .element(let tag, _, _):
            guard let e = header[tag] else { return nil }
            switch e.vr {
            case .US, .SS, .UL, .SL, .UV, .SV: return header.integer(tag).map(String.init)
            default:
                guard let v = header.string(tag)?.trimmingSpaces(), !v.isEmpty else { return nil }
                return v
            }
        }
    }

    /// A value read as a File ID counter: its digits, or why it is not a non-negative integer.
    enum CanonicalNumber: Equatable { case digits(String), invalid(String) }

    /// Digits of a non-negative integer value without leading zeros, or a reason.
    static func canonicalNumber(_ v: String, label: String) -> CanonicalNumber {
        var s = Substring(v)
        if s.first == "+" { s = s.dropFirst() }
        if !s.isEmpty && s.utf8.allSatisfy({ $0 >= 48 && $0 <= 57 }) {
            let stripped = s.drop(while: { $0 == "0" })
            return .digits(stripped.isEmpty ? "0" : String(stripped))
        }
        // "12.0" (a whole number written as a decimal) is 12.
        if let dot = s.firstIndex(of: "."), !s[..<dot].isEmpty, s[..<dot].utf8.allSatisfy({ $0 >= 48 && $0 <= 57 }),
            s[s.index(after: dot)...].allSatisfy({ $0 == "0" })
        {
            return canonicalNumber(String(s[..<dot]), label: label)
        }
        if s.first == "-", s.count > 1, s.dropFirst().utf8.allSatisfy({ ($0 >= 48 && $0 <= 57) || $0 == 46 }) {
            return .invalid("negative \(label) '\(v)'")
        }
        return .invalid("non-numeric \(label) '\(v)'")
    }

    /// YYYYMMDD and HHMMSS parts of a DA/TM/DT value (legacy '.' and ':' separators accepted).
    static func dateTimeParts(_ v: String, kind: LayoutValueKind) -> (date: [UInt8]?, time: [UInt8]?) {
        func digitsPrefix(_ s: Substring) -> [UInt8] { Array(s.utf8.prefix(while: { $0 >= 48 && $0 <= 57 })) }
        func two(_ d: [UInt8], _ i: Int) -> Int { Int(d[i] - 48) * 10 + Int(d[i + 1] - 48) }
        func time(_ d: [UInt8]) -> [UInt8]? {
            guard d.count >= 2 else { return nil }
            var t = Array(d.prefix(6))
            if t.count % 2 == 1 { t.removeLast() }
            while t.count < 6 { t.append(48) }
            return two(t, 0) <= 23 && two(t, 2) <= 59 && two(t, 4) <= 60 ? t : nil
        }
        func date(_ d: [UInt8]) -> [UInt8]? {
            guard d.count >= 8 else { return nil }
            let t = Array(d.prefix(8))
            return (1...12).contains(two(t, 4)) && (1...31).contains(two(t, 6)) ? t : nil
        }
        switch kind {
        case .date:
            let d = digitsPrefix(Substring(v.replacingOccurrences(of: ".", with: "")))
            return (d.count == 8 ? date(d) : nil, nil)
        case .time:
            let d = digitsPrefix(Substring(v.replacingOccurrences(of: ":", with: "")))
            return (nil, time(d))
        case .dateTime:
            let d = digitsPrefix(Substring(v))
            guard d.count >= 8 else { return (nil, nil) }
            let rest = Array(d.dropFirst(8))
            return (date(d), rest.isEmpty ? Array("000000".utf8) : time(rest))
        case .text:
            return (nil, nil)
        }
    }

    func render(_ p: LayoutPattern, counter n: Int) -> LayoutRenderResult {
        if let c = p.constant { return .name(c) }
        var pieces: [String] = []
        pieces.reserveCapacity(p.parts.count)
        var fill: Int?
        for i in p.parts.indices {
            switch p.parts[i] {
            case .literal(let s):
                pieces.append(s)
            case .text(let s, let max):
                guard let v = raw(s) else { return .failure("no \(s.label)", long: nil) }
                let t = fileIDSanitised(v)
                pieces.append(max.map { String(t.prefix($0)) } ?? t)
            case .number(let s, let width):
                guard let v = raw(s) else { return .failure("no \(s.label)", long: nil) }
                switch LayoutRenderContext.canonicalNumber(v, label: s.label) {
                case .invalid(let why): return .failure(why, long: nil)
                case .digits(let digits):
                    if digits.count > width { return .failure("\(s.label) \(digits) has more than \(width) digits", long: nil) }
                    pieces.append(String(repeating: "0", count: width - digits.count) + digits)
                }
            case .date(let s, let fields):
                guard let v = raw(s) else { return .failure("no \(s.label)", long: nil) }
                let (date, time) = LayoutRenderContext.dateTimeParts(v, kind: s.kind)
                var out: [UInt8] = []
                for f in fields {
                    switch f {
                    case .year4, .year2, .month, .day:
                        guard let d = date else { return .failure("\(s.label) '\(v)' is not a date (YYYYMMDD)", long: nil) }
                        switch f {
                        case .year4: out += d[0..<4]
                        case .year2: out += d[2..<4]
                        case .month: out += d[4..<6]
                        default: out += d[6..<8]
                        }
                    case .hour, .minute, .second:
                        guard let t = time else { return .failure("\(s.label) '\(v)' is not a time (HHMMSS)", long: nil) }
                        switch f {
                        case .hour: out += t[0..<2]
                        case .minute: out += t[2..<4]
                        default: out += t[4..<6]
                        }
                    }
                }
                pieces.append(String(decoding: out, as: UTF8.self))
            case .hash(let s, let width, let base):
                guard let v = raw(s) else { return .failure("no \(s.label) to hash", long: nil) }
                if let width {
                    pieces.append(layoutEncode(layoutFNV1a(v) % layoutPower(base, width), base: base, width: width)!)
                } else {
                    fill = i; pieces.append("")
                }
            case .counter(let level, let width, let base):
                if let width {
                    guard let s = layoutEncode(UInt64(n), base: base, width: width) else {
                        return .failure("the \(level.rawValue) counter (\(n)) needs more than \(width) digits", long: nil)
                    }
                    pieces.append(s)
                } else {
                    fill = i; pieces.append("")
                }
            }
        }
        if let fill {
            let room = 8 - pieces.reduce(0) { $0 + $1.utf8.count }
            guard room >= 1 else { return .failure("no room left in '\(p.text)' for its hash/counter", long: nil) }
            switch p.parts[fill] {
            case .hash(let s, _, let base):
                let v = raw(s)!
                pieces[fill] = layoutEncode(layoutFNV1a(v) % layoutPower(base, room), base: base, width: room)!
            case .counter(let level, _, let base):
                guard let s = layoutEncode(UInt64(n), base: base, width: room) else {
                    return .failure("the \(level.rawValue) counter (\(n)) needs more than \(room) digits", long: nil)
                }
                pieces[fill] = s
            default: break
            }
        }
        let name = pieces.joined()
        if name.isEmpty { return .failure("'\(p.text)' gives an empty name", long: nil) }
        if name.utf8.count > 8 { return .failure("'\(name)' is longer than 8 characters", long: name) }
        return .name(name)
    }
}
