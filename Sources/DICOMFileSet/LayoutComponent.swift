import Foundation
import DICOMCore

// The parsed form of a layout template: components, their patterns and the parts of a pattern.

/// The entity a component names: one folder per patient/study/series, one file per instance.
enum LayoutLevel: String, Sendable, CaseIterable {
    case patient, study, series, instance

    /// The identity of this level in a header (PS3.3 F.5: the keys of the directory records).
    var keyword: String {
        switch self {
        case .patient: return "Patient ID"
        case .study: return "Study Instance UID"
        case .series: return "Series Instance UID"
        case .instance: return "instance"
        }
    }
}

enum LayoutValueKind: Sendable { case text, date, time, dateTime }

/// Where a placeholder's value comes from.
enum LayoutValueSource: Sendable {
    case element(Tag, label: String, vr: VR)
    case exportDate, exportTime

    var label: String {
        switch self {
        case .element(_, let label, _): return label
        case .exportDate: return "export date"
        case .exportTime: return "export time"
        }
    }
    var kind: LayoutValueKind {
        switch self {
        case .exportDate: return .date
        case .exportTime: return .time
        case .element(_, _, let vr):
            if vr == .DA { return .date }
            if vr == .TM { return .time }
            if vr == .DT { return .dateTime }
            return .text
        }
    }
}

enum LayoutNumberBase: Sendable {
    case decimal, base36
    var radix: UInt64 { self == .decimal ? 10 : 36 }
}

enum LayoutDateField: Sendable { case year4, year2, month, day, hour, minute, second }

enum LayoutPart: Sendable {
    case literal(String)
    /// The value sanitised; at most `max` characters when given.
    case text(LayoutValueSource, max: Int?)
    /// The value as a non-negative integer, zero-padded to `width` digits.
    case number(LayoutValueSource, width: Int)
    case date(LayoutValueSource, [LayoutDateField])
    /// FNV-1a 64 of the value, modulo radix^width; width nil = the rest of the component.
    case hash(LayoutValueSource, width: Int?, base: LayoutNumberBase)
    /// The folder's sequence number for this level; width nil = the rest of the component.
    case counter(LayoutLevel, width: Int?, base: LayoutNumberBase)

    var describe: String? {
        switch self {
        case .literal: return nil
        case .text(let s, _), .number(let s, _), .date(let s, _): return "the \(s.label)"
        case .hash(let s, _, _): return "hash of the \(s.label)"
        case .counter(let l, _, _): return "\(l.rawValue) counter"
        }
    }
}

struct LayoutPattern: Sendable {
    let text: String
    let parts: [LayoutPart]
    let counterLevel: LayoutLevel?
    /// The name, when the pattern is only literal text.
    let constant: String?

    init(text: String, parts: [LayoutPart]) {
        self.text = text
        self.parts = parts
        var level: LayoutLevel?
        var literal = ""
        var allLiteral = true
        for p in parts {
            switch p {
            case .counter(let l, _, _): if level == nil { level = l }; allLiteral = false
            case .literal(let s): literal += s
            default: allLiteral = false
            }
        }
        counterLevel = level
        constant = allLiteral ? literal : nil
    }
    var usesCounter: Bool { counterLevel != nil }
    var describe: String {
        let d = parts.compactMap(\.describe)
        return d.isEmpty ? "fixed name" : d.joined(separator: " + ")
    }
}

struct LayoutComponent: Sendable {
    let line: Int
    /// Primary pattern first, then the fallbacks in order.
    let alternatives: [LayoutPattern]
    /// Folders with a level get one name per key (a new key never reuses a name);
    /// folders without one are shared by everything that renders the same name.
    let level: LayoutLevel?
}
