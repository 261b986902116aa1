// libFuzzer entry point for the ISO 9660 reader (built only by scripts/fuzz.sh with FUZZ_TARGET=iso,
// from Fuzz/Package.swift with `-sanitize=fuzzer,address`).
//
// Properties checked on every input (an image held in memory):
//  * ISO9660Reader either lists the directory tree (what it refuses is in `skipped`) or throws; it
//    never traps, hangs (directory loops, overlapping extents, deep nesting, CE chains) or touches
//    bad memory;
//  * every listed file lies inside the image, its size is the sum of its extents, its path has no
//    empty, ".", ".." or NUL component and no leading "/", and reading it gives exactly its size.
import MediaImage

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    guard let iso = try? ISO9660Reader(bytes: bytes, name: "fuzz.iso") else { return 0 }
    for f in iso.files {
        precondition(!f.path.hasPrefix("/") && !f.path.contains("\0"), "unsafe path listed: \(f.path)")
        for c in f.path.split(separator: "/", omittingEmptySubsequences: false) {
            precondition(!c.isEmpty && c != "." && c != "..", "unsafe component in \(f.path)")
        }
        precondition(f.extents.allSatisfy { $0.lowerBound >= 0 && $0.upperBound <= Int64(size) }, "extent outside the image: \(f.path)")
        precondition(f.extents.reduce(0) { $0 + ($1.upperBound - $1.lowerBound) } == f.size, "size is not the sum of the extents: \(f.path)")
        guard let data = try? iso.read(f) else { preconditionFailure("a listed file does not read: \(f.path)") }
        precondition(data.count == Int(f.size), "read \(data.count) bytes of \(f.size): \(f.path)")
    }
    return 0
}
