import Foundation

/// An 8-bit binary PNM image (P5 grey, P6 RGB), as peer tools write them (DCMTK's dcm2pnm +op, libjpeg-turbo's djpeg).
public struct PNM: Sendable {
    public var width: Int
    public var height: Int
    /// 1 for P5, 3 for P6.
    public var channels: Int
    public var pixels: [UInt8]

    /// Parses the header (magic, width, height, maxval, each followed by whitespace) and the samples after it.
    public init(_ bytes: [UInt8]) throws {
        var fields: [String] = [], i = 0, current = ""
        while fields.count < 4, i < bytes.count {
            let c = bytes[i]
            i += 1
            if [0x20, 0x0A, 0x09, 0x0D].contains(c) {
                if !current.isEmpty { fields.append(current); current = "" }
            } else {
                current.append(Character(UnicodeScalar(c)))
            }
        }
        guard fields.count == 4, ["P5", "P6"].contains(fields[0]), let w = Int(fields[1]), let h = Int(fields[2]), fields[3] == "255" else {
            throw TestFailure("not an 8-bit binary PNM: header \(fields)")
        }
        width = w; height = h; channels = fields[0] == "P6" ? 3 : 1
        pixels = Array(bytes[i..<min(bytes.count, i + w * h * channels)])
        guard pixels.count == w * h * channels else { throw TestFailure("PNM of \(w)x\(h)x\(channels) holds \(pixels.count) samples") }
    }

    /// Reads a PNM file.
    public init(path: String) throws { try self.init([UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))) }

    /// Peak signal-to-noise ratio of two 8-bit images of the same size, in dB (infinite when equal, 0 when the sizes differ).
    public static func psnr(_ a: [UInt8], _ b: [UInt8]) -> Double {
        guard a.count == b.count, !a.isEmpty else { return 0 }
        let mse = zip(a, b).reduce(0.0) { $0 + pow(Double($1.0) - Double($1.1), 2) } / Double(a.count)
        return mse == 0 ? .infinity : 10 * log10(255 * 255 / mse)
    }
}
