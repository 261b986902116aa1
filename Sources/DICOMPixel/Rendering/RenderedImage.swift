/// An 8-bit rendering of one frame, for display (web pages, thumbnails): grey or RGB, row by row.
public struct RenderedImage: Sendable, Equatable {
    public var width: Int
    public var height: Int
    /// 1 for grey, 3 for RGB (colour-by-pixel).
    public var channels: Int
    public var pixels: [UInt8]

    public init(width: Int, height: Int, channels: Int, pixels: [UInt8]) {
        self.width = width; self.height = height; self.channels = channels; self.pixels = pixels
    }

    public var isColour: Bool { channels == 3 }
}

/// What a rendering is asked for (PS3.4 N.2).
public struct RenderOptions: Sendable, Equatable {
    /// The longest side of the rendering in pixels; nil for the image's own size (pixels made square).
    public var maxSize: Int?
    /// The frame to render, 1-based; nil for the representative frame.
    public var frame: Int?
    /// The VOI of greyscale images.
    public var voi: VOIChoice

    public init(maxSize: Int? = nil, frame: Int? = nil, voi: VOIChoice = .stored(fallback: nil)) {
        self.maxSize = maxSize; self.frame = frame; self.voi = voi
    }
}
