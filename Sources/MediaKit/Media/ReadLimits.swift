import DICOMIO

/// The process-wide limits every command that reads files follows (`--max-inflated SIZE`).
public enum ReadLimits {
    /// Sets the most a Deflated data set may inflate to (PS3.5 §A.5) from a size such as 512M or 4G;
    /// false (nothing set) when `text` is not a positive size.
    public static func setMaxInflated(_ text: String) -> Bool {
        guard let n = ReadOptions.parseSize(text), n > 0 else { return false }
        ReadOptions.defaultMaxInflated = n
        return true
    }
}
