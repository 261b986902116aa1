import Foundation
import DICOMCore

/// Assigns File IDs to instances in order, guaranteeing uniqueness against IDs already used (e.g.
/// an existing File-set being updated) and reporting fallbacks.
///
/// Names are kept in a tree of folders. A folder component with a level (`per study`, or a
/// `{counter:study}`) gets one name per key (Patient ID, Study Instance UID, Series Instance UID)
/// within its parent folder, so all instances of a series land in the same folder, and a new key
/// never takes a name already used (by another key or by the existing File-set): counters
/// continue with the next free number, other names take the next free number in their last run
/// of digits (ST000123 -> ST000124). Each allocation costs O(1) (amortised) dictionary lookups.
public struct FileIDAllocator: Sendable {
    public let layout: FileIDLayout
    public let exportDate: String
    public let exportTime: String
    /// Number of IDs allocated so far.
    public private(set) var allocatedCount = 0

    /// A folder: 32 bytes. What is in it is kept in the allocator's tables, keyed by the folder's place, so a folder
    /// of one or two files costs no dictionaries of its own.
    struct Node: Sendable {
        enum Owner: Sendable { case existing, shared, keyed }
        let name: String
        let owner: Owner
        var nextCounter = 1
    }
    /// A name in a folder (`node`: the folder's place in `nodes`).
    struct Entry: Hashable, Sendable {
        let node: Int32
        let name: String
        init(_ node: Int, _ name: String) { self.node = Int32(node); self.name = name }
    }
    /// A key (Study Instance UID, ...) in a folder, for the keyed component below it.
    struct KeyedEntry: Hashable, Sendable {
        let node: Int32
        let key: [UInt8]
        init(_ node: Int, _ key: [UInt8]) { self.node = Int32(node); self.key = key }
    }
    /// Folder and name -> child folder node index, or `newFile` / `existingFile` / `reservedFile`.
    var entries: [Entry: Int32] = [:]
    /// Folder and key -> the child folder made for that key.
    var byKey: [KeyedEntry: Int32] = [:]
    /// Folder and name shape -> where to continue looking for a free name after a collision.
    var hints: [Entry: Int] = [:]
    static let newFile: Int32 = -1
    static let existingFile: Int32 = -2
    /// DICOMDIR at the root: always the directory's own name (PS3.10 §8.2).
    static let reservedFile: Int32 = -3
    /// Valid File IDs that Windows/DOS FAT cannot create as files or folders (device names).
    static let deviceNames: Set<String> = Set(
        ["CON", "PRN", "AUX", "NUL"]
            + (1...9).map { "COM\($0)" } + (1...9).map { "LPT\($0)" })

    var nodes: [Node] = [Node(name: "", owner: .existing)]
    var warned: Set<String> = []

    public init(layout: FileIDLayout, exportDate: String /*YYYYMMDD*/, exportTime: String /*HHMMSS*/, existing: Set<FileID> = []) {
        self.layout = layout
        self.exportDate = exportDate
        self.exportTime = exportTime
        entries[Entry(0, "DICOMDIR")] = Self.reservedFile
        // Sorted so that the tree (and so every later decision) does not depend on Set order.
        // Upper-cased: a case-insensitive medium would see "a" and "A" as one name.
        for id in existing.sorted() {
            var node = 0
            for (i, c) in id.components.enumerated() {
                let name = c.uppercased()
                if i == id.components.count - 1 {
                    if entries[Entry(node, name)] == nil { entries[Entry(node, name)] = Self.existingFile }
                } else if let child = entries[Entry(node, name)] {
                    if child < 0 { break }  // a file where a folder should be: nothing below it can exist
                    node = Int(child)
                } else {
                    node = addFolder(name, owner: .existing, under: node)
                }
            }
        }
    }

    private mutating func addFolder(_ name: String, owner: Node.Owner, under parent: Int) -> Int {
        nodes.append(Node(name: name, owner: owner))
        let i = nodes.count - 1
        entries[Entry(parent, name)] = Int32(i)
        return i
    }

    enum Mode { case keyedFolder, sharedFolder, file }

    func isFree(_ name: String, in node: Int, _ mode: Mode) -> Bool {
        guard let e = entries[Entry(node, name)] else { return name.utf8.count > 6 || !Self.deviceNames.contains(name) }
        return mode == .sharedFolder && e >= 0
    }

    func why(_ name: String, in node: Int, level: LayoutLevel?) -> String {
        guard let e = entries[Entry(node, name)] else {
            return Self.deviceNames.contains(name) ? "is a device name that FAT/Windows cannot use" : "is free"
        }
        if e == Self.reservedFile { return "is the DICOMDIR's name" }
        if e == Self.existingFile { return "is a file already on the medium" }
        if e == Self.newFile { return "is already a file" }
        switch nodes[Int(e)].owner {
        case .existing: return "is a folder already on the medium"
        case .shared: return "is already a folder"
        case .keyed: return "is already used by another \(level?.rawValue ?? "entry")"
        }
    }

    func path(_ names: [String]) -> String { names.isEmpty ? "the File-set root" : names.joined(separator: "/") }

    /// The File ID for one instance (header = its data set read header-only), plus warnings
    /// ("non-numeric Study ID 'ABC': used ST482913 (hash of the Study Instance UID)").
    public mutating func allocate(for header: DataSet) -> (FileID, [String]) {
        allocatedCount += 1
        let ctx = LayoutRenderContext(header: header, exportDate: exportDate, exportTime: exportTime)
        var warnings: [String] = []
        var names: [String] = []
        names.reserveCapacity(layout.components.count)
        var node = 0
        let last = layout.components.count - 1
        for i in 0...last {
            let comp = layout.components[i]
            if i == last {
                let name = choose(comp, index: i, in: node, mode: .file, ctx: ctx, names: names, warnings: &warnings)
                entries[Entry(node, name)] = Self.newFile
                names.append(name)
            } else if let level = comp.level {
                let key = keyValue(level, header)
                if let child = byKey[KeyedEntry(node, key)] {
                    node = Int(child)
                } else {
                    var w: [String] = []
                    let name = choose(comp, index: i, in: node, mode: .keyedFolder, ctx: ctx, names: names, warnings: &w)
                    warnings += w
                    let child = addFolder(name, owner: .keyed, under: node)
                    byKey[KeyedEntry(node, key)] = Int32(child)
                    node = child
                }
                names.append(nodes[node].name)
            } else {
                var w: [String] = []
                // Shared: any folder of that name is reused (a name held by a file is bumped, the
                // same way every time); its warnings are given once per folder.
                let name = choose(comp, index: i, in: node, mode: .sharedFolder, ctx: ctx, names: names, warnings: &w)
                for m in w where warned.insert(path(names) + "\u{0}" + m).inserted { warnings.append(m) }
                if let child = entries[Entry(node, name)], child >= 0 {
                    node = Int(child)
                } else {
                    node = addFolder(name, owner: .shared, under: node)
                }
                names.append(nodes[node].name)
            }
        }
        return (FileID(names), warnings)
    }

    /// The key of a level: the value's bytes without padding (cheaper than decoding, and exactly
    /// the identity; PS3.5 §6.2 padding is a trailing space or NUL, leading spaces are insignificant).
    func keyValue(_ level: LayoutLevel, _ header: DataSet) -> [UInt8] {
        let tag: Tag
        switch level {
        case .patient: tag = .patientID
        case .study: tag = .studyInstanceUID
        case .series: tag = .seriesInstanceUID
        case .instance: return [0] + Array("\(allocatedCount)".utf8)
        }
        guard let b = header[tag]?.bytes else { return [] }
        var lo = 0, hi = b.count
        while hi > lo && (b[hi - 1] == 0x20 || b[hi - 1] == 0) { hi -= 1 }
        while lo < hi && b[lo] == 0x20 { lo += 1 }
        return Array(b[lo..<hi])
    }

    /// Renders the component's first pattern that fits and makes the name free in `node`.
    mutating func choose(
        _ comp: LayoutComponent, index: Int, in node: Int, mode: Mode, ctx: LayoutRenderContext,
        names: [String], warnings: inout [String]
    ) -> String {
        var n = nodes[node].nextCounter
        var firstFailure: String?
        var long: String?
        for ai in comp.alternatives.indices {
            let alt = comp.alternatives[ai]
            switch ctx.render(alt, counter: n) {
            case .failure(let why, let l):
                if firstFailure == nil { firstFailure = why }
                if long == nil { long = l }
            case .name(var name):
                if alt.usesCounter {
                    // Counters continue with the next free number; that is not a collision.
                    var fits = true
                    while !isFree(name, in: node, mode) {
                        n += 1
                        guard case .name(let next) = ctx.render(alt, counter: n) else { fits = false; break }
                        name = next
                    }
                    if !fits {
                        if firstFailure == nil { firstFailure = "the \(alt.counterLevel!.rawValue) counter ran out of digits in '\(alt.text)'" }
                        continue
                    }
                    nodes[node].nextCounter = n + 1
                } else if !isFree(name, in: node, mode) {
                    let r = bump(name, in: node, mode)
                    warnings.append("'\(name)' in \(path(names)) \(why(name, in: node, level: comp.level)): used \(r) (next free name)")
                    name = r
                }
                if ai > 0, let firstFailure {
                    warnings.append("\(firstFailure): used \(name) (\(alt.describe))")
                }
                return name
            }
        }
        let reason = firstFailure ?? "no pattern fits"
        if let long {
            var name = String(long.prefix(8))
            if !isFree(name, in: node, mode) { name = bump(name, in: node, mode) }
            warnings.append("\(reason): cut to \(name)")
            return name
        }
        // Last resort: X + a base-36 counter of the folder, so the ID is still conformant.
        var name: String
        repeat {
            name = "X" + layoutEncode(UInt64(n), base: .base36, width: 7)!
            n += 1
        } while !isFree(name, in: node, mode)
        nodes[node].nextCounter = n
        warnings.append("\(reason), and no fallback of component \(index + 1) ('\(comp.alternatives[0].text)', line \(comp.line)) fits: used \(name)")
        return name
    }

    /// The next free name after `name` in `node`: its last run of digits counted up at the same
    /// width (ST000123 -> ST000124), else (no digits, or they run out) a base-36 sequence number
    /// appended, replacing trailing characters when needed (SMITH -> SMITH1).
    mutating func bump(_ name: String, in node: Int, _ mode: Mode) -> String {
        let u = Array(name.utf8)
        let isDigit: (UInt8) -> Bool = { $0 >= 48 && $0 <= 57 }
        if let end = u.lastIndex(where: isDigit) {
            var start = end
            while start > 0 && isDigit(u[start - 1]) { start -= 1 }
            let width = end - start + 1
            let prefix = String(decoding: u[..<start], as: UTF8.self)
            let suffix = String(decoding: u[(end + 1)...], as: UTF8.self)
            let limit = Int(layoutPower(.decimal, width))
            let value = Int(String(decoding: u[start...end], as: UTF8.self))!
            let hintKey = "\(prefix)\u{0}\(width)\u{0}\(suffix)"
            func make(_ v: Int) -> String { prefix + layoutEncode(UInt64(v), base: .decimal, width: width)! + suffix }
            var v = value + 1
            if v < limit && !isFree(make(v), in: node, mode) { v = max(v + 1, hints[Entry(node, hintKey)] ?? 0) }
            while v < limit {
                let c = make(v)
                if isFree(c, in: node, mode) { hints[Entry(node, hintKey)] = v + 1; return c }
                v += 1
            }
        }
        let hintKey = "\u{1}" + name
        var m = hints[Entry(node, hintKey)] ?? 1
        while true {
            var d = 1
            while layoutPower(.base36, d) <= UInt64(m) { d += 1 }
            let s = layoutEncode(UInt64(m), base: .base36, width: d)!
            let c = String(name.prefix(8 - s.count)) + s
            m += 1
            if isFree(c, in: node, mode) { hints[Entry(node, hintKey)] = m; return c }
        }
    }
}

// MARK: - What is already on the medium

extension FileIDAllocator {
    /// Marks a folder already on the medium (referenced or stray): a shared folder of that name is
    /// reused, while no file and no new patient/study/series folder takes its name (PS3.10 §8.3:
    /// an updater never overwrites what is there).
    public mutating func reserveFolder(_ id: FileID) {
        var node = 0
        for c in id.components {
            let name = c.uppercased()
            if let child = entries[Entry(node, name)] {
                if child < 0 { return }  // a file of that name: nothing can be below it
                node = Int(child)
            } else {
                node = addFolder(name, owner: .existing, under: node)
            }
        }
    }

    /// Registers an instance already in the File-set, by its File ID and a header holding its
    /// Patient ID, Study and Series Instance UID, so that a new instance of the same patient
    /// (study, series) is placed in that patient's (study's, series') existing folder rather than
    /// a new one. File IDs of another shape than the layout's are left alone. Call after `init`
    /// (which must have been given `id` in `existing`).
    public mutating func adopt(_ id: FileID, header: DataSet) {
        guard id.components.count == layout.componentCount else { return }
        var node = 0
        for i in 0..<(layout.componentCount - 1) {
            guard let child = entries[Entry(node, id.components[i].uppercased())], child >= 0 else { return }
            if let level = layout.components[i].level {
                let key = keyValue(level, header)
                if !key.isEmpty && byKey[KeyedEntry(node, key)] == nil { byKey[KeyedEntry(node, key)] = child }
            }
            node = Int(child)
        }
    }
}
