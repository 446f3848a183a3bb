//! The shared look of every chart: canvas size, type sizes, the colour-blind-safe palette
//! (Okabe–Ito), and small drawing helpers that work in pixel coordinates of the whole canvas.
//!
//! Text is always SVG `<text>` in the generic `sans-serif` family: no font file is read.

use std::error::Error;

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

/// A drawing area on the SVG backend.
pub(crate) type Area<'a> = DrawingArea<SVGBackend<'a>, Shift>;
/// The result of drawing part of a chart.
pub(crate) type Drawn = Result<(), Box<dyn Error>>;

/// Canvas size in pixels (3:2, readable when pasted full-width on a slide).
pub(crate) const WIDTH: u32 = 1200;
pub(crate) const HEIGHT: u32 = 800;

/// Type sizes in CSS pixels.
pub(crate) const TITLE: f64 = 24.0;
pub(crate) const SUBTITLE: f64 = 15.0;
pub(crate) const PANEL: f64 = 18.0;
pub(crate) const AXIS: f64 = 15.0;
pub(crate) const TICK: f64 = 14.0;
pub(crate) const LABEL: f64 = 14.0;
pub(crate) const SMALL: f64 = 12.5;

/// plotters' SVG backend writes `font-size = size / 1.24`; sizes here are the written ones.
const PLOTTERS_PT: f64 = 1.24;

/// Average advance of a sans-serif glyph as a share of the font size, used to wrap and fit
/// text (a little generous, so that wider fallback fonts still fit).
const GLYPH: f64 = 0.58;

// Okabe & Ito (2008), "Color Universal Design": distinguishable with every common colour
// vision deficiency. Their lightness differs, which the charts use for greyscale prints.
pub(crate) const ORANGE: RGBColor = RGBColor(0xE6, 0x9F, 0x00);
pub(crate) const SKY_BLUE: RGBColor = RGBColor(0x56, 0xB4, 0xE9);
pub(crate) const BLUISH_GREEN: RGBColor = RGBColor(0x00, 0x9E, 0x73);
pub(crate) const YELLOW: RGBColor = RGBColor(0xF0, 0xE4, 0x42);
pub(crate) const BLUE: RGBColor = RGBColor(0x00, 0x72, 0xB2);
pub(crate) const VERMILLION: RGBColor = RGBColor(0xD5, 0x5E, 0x00);
pub(crate) const REDDISH_PURPLE: RGBColor = RGBColor(0xCC, 0x79, 0xA7);
/// Neutrals.
pub(crate) const INK: RGBColor = RGBColor(0x1A, 0x1A, 0x1A);
pub(crate) const MUTED: RGBColor = RGBColor(0x59, 0x59, 0x59);
pub(crate) const GREY: RGBColor = RGBColor(0x99, 0x99, 0x99);
pub(crate) const PALE: RGBColor = RGBColor(0xE4, 0xE4, 0xE4);
pub(crate) const GRID: RGBColor = RGBColor(0xDD, 0xDD, 0xDD);
pub(crate) const ROW_SHADE: RGBColor = RGBColor(0xF3, 0xF3, 0xF3);

/// Two more colours for a ninth and tenth series: wine from Paul Tol's colour-blind-safe
/// "muted" scheme, and a dark grey. Both darker than any Okabe–Ito colour but blue.
pub(crate) const WINE: RGBColor = RGBColor(0x88, 0x22, 0x55);
pub(crate) const DARK_GREY: RGBColor = RGBColor(0x6E, 0x6E, 0x6E);

/// Line colours for many series, in the order they are handed out (yellow last: it is faint
/// as a line on white).
pub(crate) const SERIES: [RGBColor; 9] =
    [ORANGE, SKY_BLUE, BLUISH_GREEN, VERMILLION, BLUE, REDDISH_PURPLE, WINE, DARK_GREY, YELLOW];

/// Relative luminance (0 = black, 255 = white), to choose ink on a fill.
pub(crate) fn luma(c: RGBColor) -> f64 {
    0.2126 * f64::from(c.0) + 0.7152 * f64::from(c.1) + 0.0722 * f64::from(c.2)
}

/// Ink that reads on a fill of colour `c`.
pub(crate) fn ink_on(c: RGBColor) -> RGBColor {
    if luma(c) < 140.0 { WHITE } else { INK }
}

/// How a piece of text is set: size, colour, weight, anchor, rotation.
#[derive(Clone, Copy)]
pub(crate) struct Ink {
    px: f64,
    colour: RGBColor,
    bold: bool,
    h: HPos,
    v: VPos,
    vertical: bool,
}

impl Ink {
    /// Regular ink, anchored at its left end, vertically centred.
    pub(crate) const fn new(px: f64) -> Ink {
        Ink { px, colour: INK, bold: false, h: HPos::Left, v: VPos::Center, vertical: false }
    }
    pub(crate) const fn colour(self, colour: RGBColor) -> Ink {
        Ink { colour, ..self }
    }
    pub(crate) const fn muted(self) -> Ink {
        self.colour(MUTED)
    }
    pub(crate) const fn bold(self) -> Ink {
        Ink { bold: true, ..self }
    }
    pub(crate) const fn centre(self) -> Ink {
        Ink { h: HPos::Center, ..self }
    }
    pub(crate) const fn right(self) -> Ink {
        Ink { h: HPos::Right, ..self }
    }
    pub(crate) const fn top(self) -> Ink {
        Ink { v: VPos::Top, ..self }
    }
    pub(crate) const fn bottom(self) -> Ink {
        Ink { v: VPos::Bottom, ..self }
    }
    /// Read bottom to top (for a vertical axis title).
    pub(crate) const fn vertical(self) -> Ink {
        Ink { vertical: true, ..self }
    }
    pub(crate) const fn px(self) -> f64 {
        self.px
    }

    pub(crate) fn style(self) -> TextStyle<'static> {
        let weight = if self.bold { FontStyle::Bold } else { FontStyle::Normal };
        let font = FontDesc::new(FontFamily::SansSerif, self.px * PLOTTERS_PT, weight);
        let font = if self.vertical { font.transform(FontTransform::Rotate270) } else { font };
        font.color(&self.colour).pos(Pos::new(self.h, self.v))
    }
}

/// The font of tick and axis labels drawn by plotters' mesh.
pub(crate) fn mesh_font(px: f64) -> TextStyle<'static> {
    Ink::new(px).colour(MUTED).style()
}

pub(crate) fn axis_font() -> TextStyle<'static> {
    Ink::new(AXIS).style()
}

/// Writes `s` at pixel `at`.
pub(crate) fn text(area: &Area, s: &str, at: (i32, i32), ink: Ink) -> Drawn {
    if !s.is_empty() {
        area.draw(&Text::new(s.to_string(), at, ink.style()))?;
    }
    Ok(())
}

/// Writes lines one below the other, the first at `at`; returns the height used.
pub(crate) fn lines(area: &Area, lines: &[String], at: (i32, i32), ink: Ink) -> Result<i32, Box<dyn Error>> {
    let step = line_height(ink.px());
    for (i, l) in lines.iter().enumerate() {
        text(area, l, (at.0, at.1 + i as i32 * step), ink)?;
    }
    Ok(step * lines.len() as i32)
}

pub(crate) fn line_height(px: f64) -> i32 {
    (px * 1.3).round() as i32
}

/// Estimated width of `s` in pixels.
pub(crate) fn text_width(s: &str, px: f64) -> f64 {
    s.chars().count() as f64 * px * GLYPH
}

/// Breaks `s` into lines no wider than `max_px` (words longer than a line are cut after a
/// `.`, `/` or `_` where possible).
pub(crate) fn wrap(s: &str, max_px: f64, px: f64) -> Vec<String> {
    let max_chars = ((max_px / (px * GLYPH)).floor() as usize).max(4);
    let mut out: Vec<String> = Vec::new();
    let mut line = String::new();
    for word in s.split_whitespace() {
        let mut word: Vec<char> = word.chars().collect();
        while word.len() > max_chars {
            if !line.is_empty() {
                out.push(std::mem::take(&mut line));
            }
            let cut = word[..max_chars]
                .iter()
                .rposition(|c| matches!(c, '.' | '/' | '_' | '-'))
                .map_or(max_chars, |i| i + 1)
                .max(1);
            out.push(word[..cut].iter().collect());
            word.drain(..cut);
        }
        let word: String = word.into_iter().collect();
        let len = line.chars().count();
        if len > 0 && len + 1 + word.chars().count() > max_chars {
            out.push(std::mem::take(&mut line));
        }
        if !line.is_empty() {
            line.push(' ');
        }
        line.push_str(&word);
    }
    if !line.is_empty() {
        out.push(line);
    }
    out
}

/// At most `max_lines` wrapped lines; the last one ends with `…` when text was dropped.
pub(crate) fn wrap_lines(s: &str, max_px: f64, px: f64, max_lines: usize) -> Vec<String> {
    let mut l = wrap(s, max_px, px);
    if l.len() > max_lines {
        l.truncate(max_lines);
        if let Some(last) = l.last_mut() {
            *last = fit(&format!("{last} …"), max_px, px);
            if !last.ends_with('…') {
                last.push('…');
            }
        }
    }
    l
}

/// `s`, cut with `…` so that it fits `max_px`.
pub(crate) fn fit(s: &str, max_px: f64, px: f64) -> String {
    if text_width(s, px) <= max_px {
        return s.to_string();
    }
    let keep = ((max_px / (px * GLYPH)).floor() as usize).saturating_sub(1);
    let mut out: String = s.chars().take(keep).collect();
    out.push('…');
    out
}

/// A percentage with one decimal: `24.9%`.
pub(crate) fn pct(p: f64) -> String {
    format!("{:.1}%", 100.0 * p)
}

/// A difference of proportions in percentage points, signed: `+28.9`.
pub(crate) fn pp(d: f64) -> String {
    let v = 100.0 * d;
    // No "-0.0".
    if v.abs() < 0.05 { "0.0".into() } else { format!("{v:+.1}") }
}

/// A number with about three significant digits, without trailing zeros.
pub(crate) fn sig(x: f64) -> String {
    if x == 0.0 || !x.is_finite() {
        return format!("{x}");
    }
    let decimals = (2 - x.abs().log10().floor() as i32).clamp(0, 6) as usize;
    let s = format!("{x:.decimals$}");
    if s.contains('.') { s.trim_end_matches('0').trim_end_matches('.').to_string() } else { s }
}

/// A number with at most two decimals, trailing zeros dropped, never `-0`: tick labels that
/// stay distinct whatever step the axis uses (down to 0.01).
pub(crate) fn short(x: f64) -> String {
    let s = format!("{x:.2}");
    let s = if s.contains('.') { s.trim_end_matches('0').trim_end_matches('.').to_string() } else { s };
    if s == "-0" { "0".into() } else { s }
}

/// A tick value with the decimals its step needs.
pub(crate) fn tick(x: f64, step: f64) -> String {
    let decimals = if step >= 1.0 { 0 } else { (-step.log10().floor()) as usize + usize::from(nice_frac(step)) };
    let s = format!("{x:.decimals$}");
    if s.starts_with('-') && s.trim_start_matches(['-', '0', '.']).is_empty() { s[1..].to_string() } else { s }
}

/// Whether a step like 0.25 or 2.5 needs one more decimal than its magnitude.
fn nice_frac(step: f64) -> bool {
    let m = step / 10f64.powf(step.log10().floor());
    (m - 2.5).abs() < 1e-9
}

/// A step of 1, 2, 2.5 or 5 times a power of ten, near `range / target`.
pub(crate) fn nice_step(range: f64, target: usize) -> f64 {
    let raw = (range / target.max(1) as f64).max(f64::MIN_POSITIVE);
    let mag = 10f64.powf(raw.log10().floor());
    let m = raw / mag;
    let nice = if m <= 1.0 {
        1.0
    } else if m <= 2.0 {
        2.0
    } else if m <= 2.5 {
        2.5
    } else if m <= 5.0 {
        5.0
    } else {
        10.0
    };
    nice * mag
}

/// Tick positions covering `[lo, hi]` with about `target` steps: `(ticks, step)`.
pub(crate) fn nice_ticks(lo: f64, hi: f64, target: usize) -> (Vec<f64>, f64) {
    let step = nice_step(hi - lo, target);
    let first = (lo / step - 1e-9).ceil() as i64;
    let last = (hi / step + 1e-9).floor() as i64;
    ((first..=last).map(|k| k as f64 * step).collect(), step)
}

/// A round upper bound for a percentage axis holding values up to `max_p` (a proportion),
/// with headroom: returns percent.
pub(crate) fn pct_axis_max(max_p: f64) -> f64 {
    let want = (100.0 * max_p * 1.12).max(5.0);
    [5.0, 10.0, 15.0, 20.0, 25.0, 30.0, 40.0, 50.0, 60.0, 70.0, 80.0, 90.0, 100.0]
        .into_iter()
        .find(|&m| m >= want)
        .unwrap_or(100.0)
}

/// Hatching drawn over a fill, so that fills stay apart in greyscale.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Hatch {
    None,
    /// `///`
    Forward,
    /// `\\\`
    Back,
    /// `xxx`
    Cross,
}

/// An area fill: colour and hatching.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Fill {
    pub colour: RGBColor,
    pub hatch: Hatch,
}

/// Line dash patterns.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Dash {
    Solid,
    Dashed,
    Dotted,
    Long,
}

/// Point markers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Marker {
    Circle,
    Square,
    Triangle,
    Diamond,
    TriangleDown,
}

pub(crate) const MARKERS: [Marker; 5] =
    [Marker::Circle, Marker::Square, Marker::Triangle, Marker::Diamond, Marker::TriangleDown];

/// How a data series is stroked.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Stroke {
    pub colour: RGBColor,
    pub width: u32,
    pub dash: Dash,
    pub marker: Marker,
}

/// What a legend entry shows.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Swatch {
    Fill(Fill),
    /// A line with its marker.
    Line(Stroke),
    /// A line over its shaded 95% band.
    LineBand(Stroke),
    /// A marker alone; `false` draws it open.
    Marker(Stroke, bool),
}

/// A filled rectangle between two pixel corners, with its hatching.
pub(crate) fn fill_rect(area: &Area, a: (i32, i32), b: (i32, i32), fill: Fill) -> Drawn {
    let (x0, x1) = (a.0.min(b.0), a.0.max(b.0));
    let (y0, y1) = (a.1.min(b.1), a.1.max(b.1));
    area.draw(&Rectangle::new([(x0, y0), (x1, y1)], fill.colour.filled()))?;
    let lines = if luma(fill.colour) < 140.0 { WHITE.mix(0.75) } else { INK.mix(0.55) };
    let style = lines.stroke_width(1);
    let spacing = 7;
    let (w, h) = (x1 - x0, y1 - y0);
    if matches!(fill.hatch, Hatch::Forward | Hatch::Cross) {
        // Lines x + y = c (rising to the right on screen).
        let mut c = x0 + y0 + spacing / 2;
        while c < x1 + y1 {
            let sx = x0.max(c - y1);
            let ex = x1.min(c - y0);
            if sx < ex {
                area.draw(&PathElement::new(vec![(sx, c - sx), (ex, c - ex)], style))?;
            }
            c += spacing;
        }
    }
    if matches!(fill.hatch, Hatch::Back | Hatch::Cross) {
        // Lines y - x = c (falling to the right on screen).
        let mut c = y0 - x1 + spacing / 2;
        while c < y1 - x0 {
            let sx = x0.max(y0 - c);
            let ex = x1.min(y1 - c);
            if sx < ex {
                area.draw(&PathElement::new(vec![(sx, sx + c), (ex, ex + c)], style))?;
            }
            c += spacing;
        }
    }
    if w > 0 && h > 0 && luma(fill.colour) > 200.0 {
        // Pale fills get an outline so they do not melt into the page.
        area.draw(&Rectangle::new([(x0, y0), (x1, y1)], GREY.stroke_width(1)))?;
    }
    Ok(())
}

/// A polyline through pixel points.
pub(crate) fn polyline(area: &Area, points: &[(i32, i32)], stroke: Stroke) -> Drawn {
    if points.len() < 2 {
        return Ok(());
    }
    let style = stroke.colour.stroke_width(stroke.width);
    let w = stroke.width as i32;
    let pattern = match stroke.dash {
        Dash::Solid => None,
        Dash::Dashed => Some((4 * w + 4, 2 * w + 3)),
        Dash::Dotted => Some((w.max(2), 2 * w + 2)),
        Dash::Long => Some((8 * w + 8, 2 * w + 3)),
    };
    match pattern {
        None => area.draw(&PathElement::new(points.to_vec(), style))?,
        Some((on, off)) => {
            area.draw(&plotters::element::DashedPathElement::new(points.iter().copied(), on, off, style))?
        }
    }
    Ok(())
}

/// A marker centred on `at`; `filled = false` draws it open (white inside).
pub(crate) fn marker(area: &Area, at: (i32, i32), m: Marker, colour: RGBColor, r: i32, filled: bool) -> Drawn {
    let (x, y) = at;
    let shape: Vec<(i32, i32)> = match m {
        Marker::Circle => {
            area.draw(&Circle::new(at, r, if filled { colour.filled() } else { WHITE.filled() }))?;
            if !filled {
                area.draw(&Circle::new(at, r, colour.stroke_width(2)))?;
            }
            return Ok(());
        }
        Marker::Square => {
            let r = r - 1;
            vec![(x - r, y - r), (x + r, y - r), (x + r, y + r), (x - r, y + r)]
        }
        Marker::Triangle => vec![(x, y - r - 1), (x + r + 1, y + r), (x - r - 1, y + r)],
        Marker::TriangleDown => vec![(x, y + r + 1), (x + r + 1, y - r), (x - r - 1, y - r)],
        Marker::Diamond => vec![(x, y - r - 1), (x + r + 1, y), (x, y + r + 1), (x - r - 1, y)],
    };
    area.draw(&Polygon::new(shape.clone(), if filled { colour.filled() } else { WHITE.filled() }))?;
    if !filled {
        let mut ring = shape;
        ring.push(ring[0]);
        area.draw(&PathElement::new(ring, colour.stroke_width(2)))?;
    }
    Ok(())
}

/// A line with markers at each point.
pub(crate) fn series(area: &Area, points: &[(i32, i32)], stroke: Stroke) -> Drawn {
    polyline(area, points, stroke)?;
    for &p in points {
        marker(area, p, stroke.marker, stroke.colour, 4 + stroke.width as i32 / 2, true)?;
    }
    Ok(())
}

/// The shaded band between `low` and `high` (pixel points at the same x, left to right).
pub(crate) fn band(area: &Area, low: &[(i32, i32)], high: &[(i32, i32)], colour: RGBColor) -> Drawn {
    if low.len() < 2 {
        // A single point: an error bar instead.
        for (l, h) in low.iter().zip(high) {
            let s = colour.stroke_width(2);
            area.draw(&PathElement::new(vec![*l, *h], s))?;
            area.draw(&PathElement::new(vec![(l.0 - 6, l.1), (l.0 + 6, l.1)], s))?;
            area.draw(&PathElement::new(vec![(h.0 - 6, h.1), (h.0 + 6, h.1)], s))?;
        }
        return Ok(());
    }
    let outline: Vec<(i32, i32)> = low.iter().chain(high.iter().rev()).copied().collect();
    area.draw(&Polygon::new(outline, colour.mix(0.22).filled()))?;
    Ok(())
}

/// Draws a swatch in the box `(x, y)`–`(x + 34, y + 16)`.
fn swatch(area: &Area, s: Swatch, x: i32, y: i32) -> Drawn {
    let mid = (y + 8, x + 17);
    match s {
        Swatch::Fill(f) => fill_rect(area, (x + 2, y), (x + 32, y + 16), f),
        Swatch::Line(st) => {
            polyline(area, &[(x, mid.0), (x + 34, mid.0)], st)?;
            marker(area, (mid.1, mid.0), st.marker, st.colour, 4 + st.width as i32 / 2, true)
        }
        Swatch::LineBand(st) => {
            area.draw(&Rectangle::new([(x, y), (x + 34, y + 16)], st.colour.mix(0.22).filled()))?;
            polyline(area, &[(x, mid.0), (x + 34, mid.0)], st)?;
            marker(area, (mid.1, mid.0), st.marker, st.colour, 4 + st.width as i32 / 2, true)
        }
        Swatch::Marker(st, filled) => {
            area.draw(&PathElement::new(vec![(x + 4, mid.0), (x + 30, mid.0)], st.colour.stroke_width(2)))?;
            marker(area, (mid.1, mid.0), st.marker, st.colour, 5, filled)
        }
    }
}

/// A legend, one entry a row, from `(x, y)`; returns the height used.
pub(crate) fn legend_column(
    area: &Area,
    items: &[(Swatch, String)],
    at: (i32, i32),
    max_px: f64,
) -> Result<i32, Box<dyn Error>> {
    let ink = Ink::new(LABEL);
    let mut y = at.1;
    for (s, label) in items {
        swatch(area, *s, at.0, y)?;
        let l = wrap_lines(label, max_px - 42.0, LABEL, 2);
        let h = lines(area, &l, (at.0 + 42, y + 8), ink)?;
        y += h.max(20) + 6;
    }
    Ok(y - at.1)
}

/// A legend flowing left to right from `(x, y)`, wrapping at `max_x`; returns the height used.
pub(crate) fn legend_row(
    area: &Area,
    items: &[(Swatch, String)],
    at: (i32, i32),
    max_x: i32,
) -> Result<i32, Box<dyn Error>> {
    let ink = Ink::new(LABEL);
    let (mut x, mut y) = at;
    let row = 24;
    for (s, label) in items {
        let w = 42 + text_width(label, LABEL).ceil() as i32 + 22;
        if x > at.0 && x + w > max_x {
            x = at.0;
            y += row;
        }
        swatch(area, *s, x, y)?;
        text(area, label, (x + 42, y + 8), ink)?;
        x += w;
    }
    Ok(y + row - at.1)
}

/// The chart's title and a muted line below it; returns the y where content may start.
pub(crate) fn header(area: &Area, title: &str, subtitle: &str) -> Result<i32, Box<dyn Error>> {
    let max = f64::from(WIDTH) - 48.0;
    text(area, &fit(title, max, TITLE), (24, 30), Ink::new(TITLE).bold())?;
    text(area, &fit(subtitle, max, SUBTITLE), (24, 58), Ink::new(SUBTITLE).muted())?;
    Ok(74)
}

/// A panel's title at `(x, y)` (its top).
pub(crate) fn panel_title(area: &Area, title: &str, at: (i32, i32), max_px: f64) -> Drawn {
    text(area, &fit(title, max_px, PANEL), (at.0, at.1 + 11), Ink::new(PANEL).bold())
}

/// A centred note in an empty panel.
pub(crate) fn empty_note(area: &Area, note: &str, centre: (i32, i32)) -> Drawn {
    text(area, note, centre, Ink::new(PANEL).muted().centre())
}

/// A white box behind a short label so it reads over any fill or line; `at` is the label's
/// centre.
pub(crate) fn boxed_label(area: &Area, s: &str, at: (i32, i32), ink: Ink) -> Drawn {
    let px = ink.px();
    let w = (text_width(s, px) / 2.0).ceil() as i32 + 3;
    let h = (px * 0.65).ceil() as i32 + 1;
    area.draw(&Rectangle::new([(at.0 - w, at.1 - h), (at.0 + w, at.1 + h)], WHITE.mix(0.88).filled()))?;
    text(area, s, at, ink.centre())
}

/// Stacks labels at the same x (pixel ys, any order) at least `gap` apart, inside
/// `[top, bottom]`; returns the new ys in the original order.
pub(crate) fn spread(ys: &[i32], gap: i32, top: i32, bottom: i32) -> Vec<i32> {
    let mut order: Vec<usize> = (0..ys.len()).collect();
    order.sort_by_key(|&i| ys[i]);
    let mut placed: Vec<i32> = order.iter().map(|&i| ys[i]).collect();
    for k in 1..placed.len() {
        placed[k] = placed[k].max(placed[k - 1] + gap);
    }
    // Pushed past the bottom: slide the whole stack up, then keep it below the top.
    if let Some(&last) = placed.last() {
        let over = (last - bottom).max(0);
        for y in placed.iter_mut() {
            *y -= over;
        }
        let under = (top - placed[0]).max(0);
        for y in placed.iter_mut() {
            *y += under;
        }
    }
    let mut out = vec![0; ys.len()];
    for (k, &i) in order.iter().enumerate() {
        out[i] = placed[k];
    }
    out
}

/// Category labels (e.g. rounds) centred under a horizontal axis at pixel xs: each label
/// wrapped into at most two lines, then an optional muted second part (a date).
pub(crate) fn category_labels(
    area: &Area,
    labels: &[(String, Option<String>)],
    xs: &[i32],
    y: i32,
    slot_px: f64,
) -> Drawn {
    let px = if slot_px < 150.0 { SMALL } else { TICK };
    for ((label, note), &x) in labels.iter().zip(xs) {
        let l = wrap_lines(label, slot_px - 8.0, px, 3);
        let h = lines(area, &l, (x, y), Ink::new(px).centre().top())?;
        if let Some(n) = note {
            text(area, &fit(n, slot_px - 4.0, SMALL), (x, y + h + 1), Ink::new(SMALL).muted().centre().top())?;
        }
    }
    Ok(())
}

/// Draws a whole chart into an SVG string, with `title` as the document's `<title>`.
pub(crate) fn render(title: &str, draw: impl FnOnce(&Area) -> Drawn) -> String {
    let mut buf = String::new();
    let result = {
        let root = SVGBackend::with_string(&mut buf, (WIDTH, HEIGHT)).into_drawing_area();
        let r = root.fill(&WHITE).map_err(Box::<dyn Error>::from).and_then(|()| draw(&root));
        let presented = root.present();
        r.and(presented.map_err(Box::<dyn Error>::from))
    };
    match result {
        Ok(()) => with_title(buf, title),
        Err(e) => failed(title, &e.to_string()),
    }
}

/// Puts `<title>` (and a font default) first inside the root `<svg>` element.
fn with_title(mut svg: String, title: &str) -> String {
    if let Some(end) = svg.find('>') {
        let insert = format!(
            "\n<title>{}</title>\n<desc>Generated by sim {}</desc>\n",
            escape(title),
            env!("CARGO_PKG_VERSION")
        );
        svg.insert_str(end + 1, &insert);
        // An accessible name for the image.
        svg.insert_str(end, " role=\"img\" font-family=\"sans-serif\"");
    }
    svg
}

/// A minimal SVG that says the chart could not be drawn.
fn failed(title: &str, why: &str) -> String {
    format!(
        "<svg width=\"{WIDTH}\" height=\"{HEIGHT}\" viewBox=\"0 0 {WIDTH} {HEIGHT}\" \
         xmlns=\"http://www.w3.org/2000/svg\" role=\"img\">\n<title>{t}</title>\n\
         <text x=\"24\" y=\"40\" font-family=\"sans-serif\" font-size=\"18\">{t}: chart could not be drawn \
         ({w})</text>\n</svg>\n",
        t = escape(title),
        w = escape(why)
    )
}

/// Escapes text for XML character data and attribute values.
pub(crate) fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers() {
        assert_eq!(sig(0.055999999), "0.056");
        assert_eq!(sig(11.5), "11.5");
        assert_eq!(sig(0.10488), "0.105");
        assert_eq!(sig(1234.6), "1235");
        assert_eq!(pp(-0.0001), "0.0");
        assert_eq!(pp(0.289), "+28.9");
        assert_eq!(pct(0.2541), "25.4%");
        assert_eq!(nice_ticks(0.0, 1.0, 5).0.len(), 6);
        assert_eq!(tick(0.25, 0.25), "0.25");
        assert_eq!(tick(-0.0, 0.1), "0.0");
        assert_eq!(pct_axis_max(0.254), 30.0);
        assert_eq!(short(0.5), "0.5");
        assert_eq!(short(20.0), "20");
        assert_eq!(short(-0.001), "0");
        assert_eq!(short(2.25), "2.25");
    }

    #[test]
    fn spread_keeps_labels_apart_and_inside() {
        assert_eq!(spread(&[100, 100], 18, 0, 500), vec![100, 118]);
        assert_eq!(spread(&[495, 490], 18, 0, 500), vec![500, 482]);
        assert_eq!(spread(&[50, 10, 30], 10, 0, 500), vec![50, 10, 30]);
    }

    #[test]
    fn wrapping_keeps_every_word() {
        let l = wrap("the quick brown fox jumps over the lazy dog", 100.0, 14.0);
        assert!(l.len() > 1);
        assert_eq!(l.join(" "), "the quick brown fox jumps over the lazy dog");
        let long = wrap("mediators.united_states.leverage.russia.side_payments", 150.0, 14.0);
        assert!(long.len() > 1);
        assert_eq!(long.concat(), "mediators.united_states.leverage.russia.side_payments");
        assert!(fit("a very long label indeed", 60.0, 14.0).ends_with('…'));
    }
}
