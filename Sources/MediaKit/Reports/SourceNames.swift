/// Input paths and what they stand for (export: a store object's patient, study, instance and source),
/// found in report text in one pass per text rather than one search per path.
struct SourceNames {
    let names: [String: String]
    /// The distinct byte lengths of the paths, longest first (a longer path wins over its own prefix).
    private let lengths: [Int]
    /// The first bytes the paths start with: only there can a path begin.
    private let starts: Set<UInt8>

    init(_ names: [String: String]) {
        self.names = names
        lengths = Set(names.keys.map(\.utf8.count)).filter { $0 > 0 }.sorted(by: >)
        starts = Set(names.keys.compactMap(\.utf8.first))
    }

    /// The name of an input path, or the path itself.
    func name(_ path: String) -> String { names[path] ?? path }

    /// `text` with every input path in it replaced by its name; at each place the longest path wins.
    func rename(in text: String) -> String {
        let bytes = Array(text.utf8)
        var out: [UInt8] = []
        var copied = 0, i = 0
        while i < bytes.count {
            guard starts.contains(bytes[i]) else { i += 1; continue }
            var matched = 0
            for n in lengths where i + n <= bytes.count {
                if let name = names[String(decoding: bytes[i..<(i + n)], as: UTF8.self)] {
                    out += bytes[copied..<i]; out += name.utf8
                    matched = n
                    break
                }
            }
            if matched > 0 { i += matched; copied = i } else { i += 1 }
        }
        guard copied > 0 else { return text }
        out += bytes[copied...]
        return String(decoding: out, as: UTF8.self)
    }
}
