import DICOMCore

/// An 8-bit rendering of one frame, for display (web pages, thumbnails): grey or RGB, row by row.
public struct RenderedImage: Sendable, Equatable {
    /// Pixels per row.
    public var width: Int
    /// Rows.
    public var height: Int
    /// 1 for grey, 3 for RGB (colour-by-pixel).
    public var channels: Int
    /// `height` rows of `width` pixels of `channels` levels each.
    public var pixels: [UInt8]

    /// An image of `pixels`, which must hold `height` rows of `width` pixels of 1 or 3 `channels`.
    public init(width: Int, height: Int, channels: Int, pixels: [UInt8]) throws {
        guard width > 0, height > 0, channels == 1 || channels == 3, pixels.count == width * height * channels else {
            throw PixelError(.invalidDescription, "\(pixels.count) levels cannot be a \(width)x\(height) image of \(channels) channels")
        }
        self.width = width
        self.height = height
        self.channels = channels
        self.pixels = pixels
    }

    public var isColour: Bool { channels == 3 }
}

/// What a rendering is asked for (PS3.4 N.2).
public struct RenderOptions: Sendable, Equatable {
    /// The longest side of the rendering in pixels (at least 1); nil for the image's own size, pixels made square (PS3.3 C.7.6.3.1.7).
    public var maxSize: Int?
    /// The frame to render, 1-based; nil for the representative frame.
    public var frame: Int?
    /// The VOI of greyscale images.
    public var voi: VOIChoice

    public init(maxSize: Int? = nil, frame: Int? = nil, voi: VOIChoice = .stored(fallback: nil)) {
        self.maxSize = maxSize; self.frame = frame; self.voi = voi
    }
}
