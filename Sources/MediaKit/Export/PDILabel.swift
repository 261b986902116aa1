import CCairo
import Foundation

/// A disc label (120 mm, the ring between the hub and the rim) or a case insert (120 x 120 mm front) with the lines of the
/// LABEL.TXT template, drawn with cairo as a PDF or a 300 dpi PNG, the sizes disc printers (Primera, Epson) take.
enum PDILabel {
    enum Kind: Sendable { case disc, insert }

    /// The side of the square page, mm.
    static let side = 120.0
    /// Radius of the printable disc and of its hub, mm (a 118 mm printable area around a 44 mm hub).
    static let outer = 58.0, hub = 22.0
    /// PNG resolution, dots per inch.
    static let dpi = 300.0
    /// Fonts with Latin and CJK glyphs first (fonts-noto-cjk); fontconfig falls back when they are missing.
    static let family = "Noto Sans CJK JP"

    /// Draws `lines` (the first as a title) into `path`: PDF, or PNG when the name ends in .png.
    static func write(_ lines: [String], kind: Kind, to path: String) throws {
        let png = path.lowercased().hasSuffix(".png")
        let px = Int32((side / 25.4 * dpi).rounded())
        let scale = png ? Double(px) / side : 72 / 25.4
        guard let surface = png ? cairo_image_surface_create(CAIRO_FORMAT_RGB24, px, px) : cairo_pdf_surface_create(path, side * scale, side * scale)
        else { throw MediaError(.io, "cairo could not make a surface", path: path) }
        defer { cairo_surface_destroy(surface) }
        guard let cr = cairo_create(surface) else { throw MediaError(.io, "cairo could not draw", path: path) }
        cairo_scale(cr, scale, scale)
        cairo_set_source_rgb(cr, 1, 1, 1)
        cairo_paint(cr)
        cairo_set_source_rgb(cr, 0, 0, 0)
        if kind == .disc { disc(cr, lines) } else { insert(cr, lines) }
        cairo_show_page(cr)
        let drawn = cairo_status(cr)
        cairo_destroy(cr)
        var status = drawn == CAIRO_STATUS_SUCCESS ? cairo_surface_status(surface) : drawn
        if png && status == CAIRO_STATUS_SUCCESS { status = cairo_surface_write_to_png(surface, path) }
        cairo_surface_finish(surface)
        if status == CAIRO_STATUS_SUCCESS { status = cairo_surface_status(surface) }
        guard status == CAIRO_STATUS_SUCCESS else {
            throw MediaError(.io, "cairo: \(String(cString: cairo_status_to_string(status)))", path: path)
        }
    }

    /// Lines centred above the hub, then below it, each fitted to the width of the ring at its height.
    static func disc(_ cr: OpaquePointer, _ lines: [String]) {
        let c = side / 2
        var slots: [Double] = []
        var y = c - outer + 12
        while y < c - hub - 3 { slots.append(y); y += 5 }
        y = c + hub + 7
        while y < c + outer - 6 { slots.append(y); y += 5 }
        for (k, line) in fitted(lines, slots.count).enumerated() {
            let dy = abs(slots[k] - c) + 2
            let width = 2 * (outer * outer - dy * dy).squareRoot() - 8
            show(cr, line, x: nil, y: slots[k], size: k == 0 ? 4.2 : 3.2, bold: k == 0, width: width)
        }
    }

    /// Lines from the top left of the front insert, the first as a title.
    static func insert(_ cr: OpaquePointer, _ lines: [String]) {
        var y = 18.0
        for (k, line) in fitted(lines, 20).enumerated() {
            show(cr, line, x: 10, y: y, size: k == 0 ? 6 : 4, bold: k == 0, width: side - 20)
            y += k == 0 ? 9 : 5
        }
    }

    /// At most `n` lines: the last says how many more there are when they do not fit.
    static func fitted(_ lines: [String], _ n: Int) -> [String] {
        guard lines.count > n, n > 0 else { return lines }
        return Array(lines.prefix(n - 1)) + ["… and \(lines.count - n + 1) more line(s)"]
    }

    /// Draws `text` at baseline `y` (centred when `x` is nil), shrunk down to 2.4 mm, then cut, to fit `width`.
    static func show(_ cr: OpaquePointer, _ text: String, x: Double?, y: Double, size: Double, bold: Bool, width: Double) {
        cairo_select_font_face(cr, family, CAIRO_FONT_SLANT_NORMAL, bold ? CAIRO_FONT_WEIGHT_BOLD : CAIRO_FONT_WEIGHT_NORMAL)
        var s = size, t = text
        func advance(_ str: String) -> Double {
            var e = cairo_text_extents_t()
            cairo_text_extents(cr, str, &e)
            return e.x_advance
        }
        cairo_set_font_size(cr, s)
        while advance(t) > width && s > 2.4 {
            s -= 0.2
            cairo_set_font_size(cr, s)
        }
        while advance(t) > width && t.count > 1 { t = String(t.dropLast(2)) + "…" }
        cairo_move_to(cr, x ?? (side - advance(t)) / 2, y)
        cairo_show_text(cr, t)
    }
}
