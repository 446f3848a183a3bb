//! The sweep chart: headline figures against one swept parameter, or a heat map over two.

use plotters::prelude::*;
use serde_json::Value;

use super::run::thousands;
use super::style::{
    AXIS, Area, BLUE, BLUISH_GREEN, Dash, Drawn, GREY, HEIGHT, INK, Ink, LABEL, MUTED, Marker, SMALL, Stroke, Swatch,
    TICK, VERMILLION, WIDTH, band, boxed_label, category_labels, empty_note, fit, header, ink_on, legend_row,
    nice_ticks, panel_title, pct, pct_axis_max, render, series, spread, text, text_width, tick, wrap_lines,
};
use super::{Axes, axes_chart, percent_tick, plot_bounds};
use crate::engine::FigureSpec;
use crate::engine::stats::Estimate;
use crate::report::SweepReport;

/// The strokes of the figures drawn against one parameter: the first three headline figures.
const LINES: [Stroke; 3] = [
    Stroke { colour: BLUISH_GREEN, width: 3, dash: Dash::Solid, marker: Marker::Circle },
    Stroke { colour: BLUE, width: 3, dash: Dash::Dashed, marker: Marker::Square },
    Stroke { colour: VERMILLION, width: 3, dash: Dash::Dotted, marker: Marker::Triangle },
];

/// The figures drawn against one parameter, with their strokes.
fn lines(r: &SweepReport) -> Vec<(&FigureSpec, Stroke)> {
    r.headline.iter().map(|&f| &r.figures[f]).zip(LINES).collect()
}

/// The figure of the heat map: the first headline figure.
fn heat(r: &SweepReport) -> Option<&FigureSpec> {
    r.headline.first().map(|&f| &r.figures[f])
}

pub(super) fn chart(report: &SweepReport) -> String {
    render(&format!("{}: sweep", report.run.title), |root| draw(root, report))
}

fn draw(root: &Area, r: &SweepReport) -> Drawn {
    let run = &r.run;
    let top = header(
        root,
        &format!(
            "{} — sweep of {} parameter{}",
            run.title,
            r.parameters.len(),
            if r.parameters.len() == 1 { "" } else { "s" }
        ),
        &format!(
            "{} points × {} trials · seed {} (common random numbers) · sim {} · figures by the last round",
            r.points.len(),
            thousands(run.trials),
            run.seed,
            r.sim.version
        ),
    )?;
    let centre = (WIDTH as i32 / 2, HEIGHT as i32 / 2);
    if r.points.is_empty() {
        return empty_note(root, "the sweep has no points", centre);
    }
    match r.parameters.len() {
        1 => one_axis(root, r, top + 6),
        2 => two_axes(root, r, top + 6),
        n => empty_note(root, &format!("charts show one or two swept parameters, not {n}"), centre),
    }
}

/// A parameter value as a label: strings without quotes.
fn show(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

fn estimate(point: &crate::report::SweepPoint, f: &FigureSpec) -> Option<Estimate> {
    point.end.iter().find(|x| x.figure == f.key).map(|x| x.estimate)
}

/// Figures against the value of one parameter, with 95% bands.
fn one_axis(root: &Area, r: &SweepReport, y0: i32) -> Drawn {
    let axis = &r.parameters[0];
    panel_title(root, "By the last round, % of trials", (24, y0), f64::from(WIDTH) - 48.0)?;
    let shown = lines(r);
    let items: Vec<(Swatch, String)> = shown.iter().map(|(f, s)| (Swatch::LineBand(*s), f.label.clone())).collect();
    let h = legend_row(root, &items, (24, y0 + 30), WIDTH as i32 - 20)?;
    text(root, "shaded: 95% interval", (24, y0 + 30 + h + 4), Ink::new(SMALL).muted())?;
    let top = y0 + 30 + h + 18;
    // Numbers are placed by value; anything else is spaced evenly in the order given.
    let numeric: Option<Vec<f64>> = r.points.iter().map(|p| p.values.first().and_then(Value::as_f64)).collect();
    let xs: Vec<f64> = numeric.clone().unwrap_or_else(|| (0..r.points.len()).map(|i| i as f64).collect());
    let (lo, hi) = xs.iter().fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), &x| (a.min(x), b.max(x)));
    let span = if hi > lo { hi - lo } else { 1.0 };
    let pad = if numeric.is_some() { 0.08 * span } else { 0.5 };
    let max = r
        .points
        .iter()
        .flat_map(|p| shown.iter().filter_map(move |(f, _)| estimate(p, f)))
        .map(|e| e.ci95[1])
        .fold(0.0, f64::max);
    let area = root.clone().shrink((4, top), (WIDTH - 8, (HEIGHT as i32 - 8 - top) as u32));
    let fmt = percent_tick;
    let x_desc = format!("{} (value set in every trial)", axis.pointer);
    let mut axes = Axes::percent(lo - pad..hi + pad, pct_axis_max(max), "share of trials (%)", &fmt);
    axes.x_desc = &x_desc;
    axes.x_band = 60;
    let ch = axes_chart(&area, &axes)?;
    let (px0, py0, px1, py1) = plot_bounds(&ch);
    let mut labels: Vec<Vec<(i32, String, RGBColor)>> = vec![Vec::new(); xs.len()];
    for &(f, stroke) in &shown {
        let mut low = Vec::new();
        let mut high = Vec::new();
        let mut mid = Vec::new();
        for (i, (p, &x)) in r.points.iter().zip(&xs).enumerate() {
            let Some(e) = estimate(p, f) else { continue };
            low.push(ch.backend_coord(&(x, 100.0 * e.ci95[0])));
            high.push(ch.backend_coord(&(x, 100.0 * e.ci95[1])));
            let at = ch.backend_coord(&(x, 100.0 * e.p));
            mid.push(at);
            labels[i].push((at.1, pct(e.p), stroke.colour));
        }
        band(root, &low, &high, stroke.colour)?;
        series(root, &mid, stroke)?;
    }
    // Values above the points when there is room, on a white ground so lines do not cross
    // them, pushed apart at each x.
    let slot = f64::from(px1 - px0) / xs.len() as f64;
    if slot >= 70.0 {
        for (i, l) in labels.iter().enumerate() {
            let x = ch.backend_coord(&(xs[i], 0.0)).0;
            let ys: Vec<i32> = l.iter().map(|e| e.0 - 14).collect();
            for ((_, s, colour), y) in l.iter().zip(spread(&ys, 17, py0 + 8, py1 - 8)) {
                let w = (text_width(s, SMALL) / 2.0) as i32;
                boxed_label(root, s, (x + 6 + w, y), Ink::new(SMALL).bold().colour(*colour))?;
            }
        }
    }
    // Tick labels at the swept values themselves.
    let tick_px: Vec<i32> = xs.iter().map(|&x| ch.backend_coord(&(x, 0.0)).0).collect();
    let names: Vec<String> = r.points.iter().map(|p| p.values.first().map(show).unwrap_or_default()).collect();
    let every = thin(&tick_px, &names, TICK);
    let shown: Vec<(String, Option<String>)> =
        names.iter().enumerate().map(|(i, n)| (if i % every == 0 { n.clone() } else { String::new() }, None)).collect();
    for &x in &tick_px {
        root.draw(&PathElement::new(vec![(x, py1), (x, py1 + 5)], MUTED.stroke_width(1)))?;
    }
    let min_gap = tick_px.windows(2).map(|w| w[1] - w[0]).min().unwrap_or(200);
    category_labels(root, &shown, &tick_px, py1 + 8, f64::from(min_gap * every as i32).min(200.0))
}

/// Show every n-th label so that labels at the given pixel positions do not overlap.
fn thin(xs: &[i32], labels: &[String], px: f64) -> usize {
    let widest = labels.iter().map(|l| text_width(l, px)).fold(0.0, f64::max) + 10.0;
    let gap = xs.windows(2).map(|w| (w[1] - w[0]).abs()).min().unwrap_or(i32::MAX).max(1);
    (widest / f64::from(gap)).ceil().max(1.0) as usize
}

/// Viridis (perceptually uniform, lightness rising monotonically, colour-blind safe), sampled.
const VIRIDIS: [(u8, u8, u8); 9] = [
    (0x44, 0x01, 0x54),
    (0x47, 0x2D, 0x7B),
    (0x3B, 0x52, 0x8B),
    (0x2C, 0x72, 0x8E),
    (0x21, 0x91, 0x8C),
    (0x28, 0xAE, 0x80),
    (0x5E, 0xC9, 0x62),
    (0xAD, 0xDC, 0x30),
    (0xFD, 0xE7, 0x25),
];

pub(super) fn viridis(t: f64) -> RGBColor {
    let t = if t.is_finite() { t.clamp(0.0, 1.0) } else { 0.0 };
    let s = t * (VIRIDIS.len() - 1) as f64;
    let i = (s.floor() as usize).min(VIRIDIS.len() - 2);
    let f = s - i as f64;
    let (a, b) = (VIRIDIS[i], VIRIDIS[i + 1]);
    let mix = |x: u8, y: u8| (f64::from(x) + f * (f64::from(y) - f64::from(x))).round() as u8;
    RGBColor(mix(a.0, b.0), mix(a.1, b.1), mix(a.2, b.2))
}

/// A heat map of the first headline figure over two parameters, values in the cells.
fn two_axes(root: &Area, r: &SweepReport, y0: i32) -> Drawn {
    let (rows_axis, cols_axis) = (&r.parameters[0], &r.parameters[1]);
    let (nr, nc) = (rows_axis.values.len(), cols_axis.values.len());
    let Some(figure) = heat(r) else {
        return empty_note(root, "the model reports no headline figure", (WIDTH as i32 / 2, HEIGHT as i32 / 2));
    };
    panel_title(
        root,
        &format!("{} by the last round, % of trials (± 95% interval)", capitalised(&figure.label)),
        (24, y0),
        f64::from(WIDTH) - 48.0,
    )?;
    if nr * nc != r.points.len() || nr == 0 || nc == 0 {
        return empty_note(root, "the points do not form a grid", (WIDTH as i32 / 2, HEIGHT as i32 / 2));
    }
    let (gx0, gx1) = (250, 1010);
    let (gy0, gy1) = (y0 + 44, HEIGHT as i32 - 110);
    let cw = f64::from(gx1 - gx0) / nc as f64;
    let chh = f64::from(gy1 - gy0) / nr as f64;
    let values: Vec<Option<Estimate>> = r.points.iter().map(|p| estimate(p, figure)).collect();
    let max = values.iter().flatten().map(|e| e.p).fold(0.0, f64::max);
    let top_pct = pct_axis_max(max);
    let cell_px = if cw >= 80.0 && chh >= 34.0 { LABEL } else { SMALL };
    let write = cw >= text_room("100.0%", cell_px) && chh >= cell_px * 1.3;
    let write_ci = write && chh >= cell_px * 3.0;
    for (k, e) in values.iter().enumerate() {
        let (i, j) = (k / nc, k % nc);
        // Row 0 at the bottom.
        let x = gx0 + (cw * j as f64).round() as i32;
        let xe = gx0 + (cw * (j + 1) as f64).round() as i32;
        let ye = gy1 - (chh * i as f64).round() as i32;
        let y = gy1 - (chh * (i + 1) as f64).round() as i32;
        let Some(e) = e else {
            root.draw(&Rectangle::new([(x, y), (xe, ye)], GREY.mix(0.3).filled()))?;
            continue;
        };
        let colour = viridis(100.0 * e.p / top_pct);
        root.draw(&Rectangle::new([(x, y), (xe, ye)], colour.filled()))?;
        root.draw(&Rectangle::new([(x, y), (xe, ye)], WHITE.stroke_width(1)))?;
        if write {
            let ink = Ink::new(cell_px).bold().colour(ink_on(colour)).centre();
            let cy = (y + ye) / 2;
            if write_ci {
                text(root, &pct(e.p), (x + (xe - x) / 2, cy - 8), ink)?;
                let half = 100.0 * (e.p - e.ci95[0]).max(e.ci95[1] - e.p);
                let ci = format!("±{half:.1}");
                text(root, &ci, (x + (xe - x) / 2, cy + 10), Ink::new(SMALL).colour(ink_on(colour)).centre())?;
            } else {
                text(root, &pct(e.p), (x + (xe - x) / 2, cy), ink)?;
            }
        }
    }
    root.draw(&Rectangle::new([(gx0, gy0), (gx1, gy1)], MUTED.stroke_width(1)))?;
    // Row labels (first parameter) on the left, column labels (second) below.
    let row_names: Vec<String> = rows_axis.values.iter().map(show).collect();
    let row_every = ((TICK * 1.4) / chh).ceil().max(1.0) as usize;
    for (i, name) in row_names.iter().enumerate().filter(|(i, _)| i % row_every == 0) {
        let cy = gy1 - (chh * (i as f64 + 0.5)).round() as i32;
        text(root, &fit(name, 130.0, TICK), (gx0 - 10, cy), Ink::new(TICK).right())?;
    }
    let col_px: Vec<i32> = (0..nc).map(|j| gx0 + (cw * (j as f64 + 0.5)).round() as i32).collect();
    let col_names: Vec<String> = cols_axis.values.iter().map(show).collect();
    let every = thin(&col_px, &col_names, TICK);
    for (j, name) in col_names.iter().enumerate().filter(|(j, _)| j % every == 0) {
        text(root, &fit(name, cw * every as f64 - 6.0, TICK), (col_px[j], gy1 + 8), Ink::new(TICK).centre().top())?;
    }
    let x_title = wrap_lines(&cols_axis.pointer, f64::from(gx1 - gx0), AXIS, 1);
    text(root, &x_title[0], ((gx0 + gx1) / 2, gy1 + 44), Ink::new(AXIS).centre().top())?;
    // The first parameter's name, read upwards, just left of its widest value.
    let widest = row_names.iter().map(|n| text_width(n, TICK).min(130.0)).fold(0.0, f64::max) as i32;
    let y_titles = wrap_lines(&rows_axis.pointer, f64::from(gy1 - gy0), AXIS, 2);
    let x_title_at = gx0 - 10 - widest - 16 - 20 * (y_titles.len() as i32 - 1);
    for (k, l) in y_titles.iter().enumerate() {
        text(root, l, (x_title_at + 20 * k as i32, (gy0 + gy1) / 2), Ink::new(AXIS).centre().vertical())?;
    }
    colour_bar(root, (gx1 + 50, gy0, gx1 + 78, gy1), top_pct)
}

/// Width a cell needs to hold `s`.
fn text_room(s: &str, px: f64) -> f64 {
    text_width(s, px) + 8.0
}

fn capitalised(s: &str) -> String {
    let mut c = s.chars();
    c.next().map_or(String::new(), |f| f.to_uppercase().chain(c).collect())
}

/// A vertical colour scale from 0 (bottom) to `top_pct` percent.
fn colour_bar(root: &Area, (x0, y0, x1, y1): (i32, i32, i32, i32), top_pct: f64) -> Drawn {
    let steps = 60;
    let h = f64::from(y1 - y0);
    for k in 0..steps {
        let a = y1 - (h * k as f64 / steps as f64).round() as i32;
        let b = y1 - (h * (k + 1) as f64 / steps as f64).round() as i32;
        root.draw(&Rectangle::new([(x0, b), (x1, a)], viridis((k as f64 + 0.5) / steps as f64).filled()))?;
    }
    root.draw(&Rectangle::new([(x0, y0), (x1, y1)], MUTED.stroke_width(1)))?;
    let (ticks, step) = nice_ticks(0.0, top_pct, 5);
    for t in ticks {
        let y = y1 - (h * t / top_pct).round() as i32;
        root.draw(&PathElement::new(vec![(x1, y), (x1 + 5, y)], INK.stroke_width(1)))?;
        text(root, &format!("{}%", tick(t, step)), (x1 + 8, y), Ink::new(TICK))?;
    }
    text(root, "% of trials", (x0, y0 - 14), Ink::new(SMALL).muted())
}

#[cfg(test)]
mod tests {
    use super::super::testing::{sweep_report, well_formed};
    use super::*;

    #[test]
    fn one_axis_sweep_draws_every_figure() {
        let r = sweep_report(&["/mediators/1/leverage/russia/pressure=0,0.04,0.08,0.12"]);
        let svg = super::super::sweep_chart(&r);
        assert!(svg.starts_with("<svg"));
        assert_eq!(well_formed(&svg).as_deref(), Ok("svg"));
        for (f, _) in lines(&r) {
            assert!(svg.contains(&f.label), "legend {}", f.label);
        }
        assert!(svg.contains("/mediators/1/leverage/russia/pressure (value set in every trial)"));
        assert!(svg.contains("share of trials (%)"));
        assert!(svg.contains(">\n0.08\n<"), "a tick at each swept value");
    }

    #[test]
    fn two_axis_sweep_is_a_heat_map_with_values() {
        let r = sweep_report(&[
            "/mediators/1/leverage/russia/pressure=0,0.06,0.12",
            "/model/political_will_noise=0.02,0.035,0.05",
        ]);
        let svg = super::super::sweep_chart(&r);
        assert_eq!(well_formed(&svg).as_deref(), Ok("svg"));
        assert!(svg.contains("Ceasefire or settlement signed by the last round"));
        assert!(svg.contains("/model/political_will_noise"));
        // Every cell is written.
        for p in &r.points {
            let e = estimate(p, heat(&r).expect("a headline figure")).expect("the figure");
            assert!(svg.contains(&pct(e.p)), "cell {}", pct(e.p));
        }
    }

    #[test]
    fn viridis_ends() {
        assert_eq!(viridis(0.0), RGBColor(0x44, 0x01, 0x54));
        assert_eq!(viridis(1.0), RGBColor(0xFD, 0xE7, 0x25));
        assert!(super::super::style::luma(viridis(0.3)) < super::super::style::luma(viridis(0.7)));
    }
}
