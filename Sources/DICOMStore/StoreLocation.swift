#if canImport(Glibc)
import Glibc
#endif

/// Where the store lives: `--store DIR`, else `$DICOM_MEDIA_STORE`, else `$XDG_DATA_HOME/dicom-media`
/// (`~/.local/share/dicom-media`, XDG Base Directory Specification).
public enum StoreLocation {
    public static func resolve(explicit: String?, environment: [String: String]) throws -> String {
        if let e = explicit, !e.isEmpty { return e }
        if let e = environment["DICOM_MEDIA_STORE"], !e.isEmpty { return e }
        if let x = environment["XDG_DATA_HOME"], x.hasPrefix("/") { return x + "/dicom-media" }
        guard let home = environment["HOME"], !home.isEmpty else {
            throw StoreError(.noLocation, "no store location: give --store DIR or set DICOM_MEDIA_STORE (HOME is not set)")
        }
        return home + "/.local/share/dicom-media"
    }

    /// The process environment as a dictionary.
    public static func processEnvironment() -> [String: String] {
        var out: [String: String] = [:]
        var p = environ
        while let entry = p.pointee {
            let s = String(cString: entry)
            if let eq = s.firstIndex(of: "=") { out[String(s[..<eq])] = String(s[s.index(after: eq)...]) }
            p += 1
        }
        return out
    }
}
