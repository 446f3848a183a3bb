//! The comparison chart: the headline curve of every scenario, and a forest plot of the
//! paired differences from the base.

use plotters::prelude::*;

use super::run::thousands;
use super::style::{
    Area, BLUE, BLUISH_GREEN, Dash, Drawn, GREY, INK, Ink, LABEL, MARKERS, Marker, PALE, SERIES, SMALL, Stroke, Swatch,
    TICK, WIDTH, category_labels, empty_note, fit, header, legend_column, legend_row, marker, panel_title,
    pct_axis_max, polyline, pp, render, text,
};
use super::{Axes, axes_chart, percent_tick, plot_bounds, ranked_rows, signed_tick};
use crate::engine::FigureSpec;
use crate::report::CompareReport;
use crate::report::{FigureRow, capitalized};

/// The base: black and heavy.
const BASE: Stroke = Stroke { colour: INK, width: 4, dash: Dash::Solid, marker: Marker::Circle };

/// The style of variant `v` (0 for the first variant): colour, dash and marker each cycle with
/// a different period, so no two of the first 140 variants look alike.
pub(super) fn variant_stroke(v: usize) -> Stroke {
    const DASHES: [Dash; 4] = [Dash::Solid, Dash::Dashed, Dash::Dotted, Dash::Long];
    Stroke {
        colour: SERIES[v % SERIES.len()],
        width: 2,
        dash: DASHES[v % DASHES.len()],
        marker: MARKERS[v % MARKERS.len()],
    }
}

/// The marker styles of the two figures of the forest plot: the first two headline figures.
const FOREST: [Stroke; 2] = [
    Stroke { colour: BLUISH_GREEN, width: 2, dash: Dash::Solid, marker: Marker::Circle },
    Stroke { colour: BLUE, width: 2, dash: Dash::Solid, marker: Marker::Square },
];

/// The forest plot's figures with their styles.
fn forest(c: &CompareReport) -> Vec<(&FigureSpec, Stroke)> {
    c.layout.headline.iter().map(|&f| &c.layout.figures[f]).zip(FOREST).collect()
}

pub(super) fn chart(report: &CompareReport) -> String {
    let title = report.scenarios.first().map_or("Comparison", |s| s.title.as_str());
    render(&format!("{title}: scenario comparison"), |root| draw(root, report))
}

fn find<'a>(rows: &'a [FigureRow], figure: &FigureSpec) -> Option<&'a FigureRow> {
    rows.iter().find(|r| r.figure == figure.key)
}

fn draw(root: &Area, c: &CompareReport) -> Drawn {
    let base = c.scenarios.first().map_or("base", |s| s.title.as_str());
    let variants = c.scenarios.len().saturating_sub(1);
    let streams = if c.run.common_random_numbers { "common random numbers" } else { "independent streams" };
    let top = header(
        root,
        &format!("{base} — {variants} variant{} compared", if variants == 1 { "" } else { "s" }),
        &format!(
            "{} trials per scenario · seed {} · {streams} · sim {}",
            thousands(c.run.trials),
            c.run.seed,
            c.sim.version
        ),
    )?;
    let split = 430;
    curves_panel(root, c, (0, top + 6, WIDTH as i32, split))?;
    forest_panel(root, c, (0, split + 8, WIDTH as i32, 796))
}

/// (a) The first headline figure per base round, one line per scenario.
fn curves_panel(root: &Area, c: &CompareReport, (x0, y0, x1, y1): (i32, i32, i32, i32)) -> Drawn {
    let Some(&first) = c.layout.headline.first() else {
        return empty_note(root, "the model reports no headline figure", ((x0 + x1) / 2, (y0 + y1) / 2));
    };
    let figure = &c.layout.figures[first];
    panel_title(
        root,
        &format!("(a) {} by the end of each round of the base, % of trials", capitalized(&figure.label)),
        (x0 + 24, y0),
        f64::from(x1 - x0 - 48),
    )?;
    let legend_x = x1 - 330;
    let items: Vec<(Swatch, String)> = c
        .scenarios
        .iter()
        .enumerate()
        .map(|(i, s)| {
            let stroke = if i == 0 { BASE } else { variant_stroke(i - 1) };
            let name = if i == 0 { format!("{} (base)", s.title) } else { s.title.clone() };
            (Swatch::Line(stroke), name)
        })
        .collect();
    // A long list of scenarios gets one line each.
    let per_row = f64::from(y1 - y0 - 40) / items.len().max(1) as f64;
    if per_row >= 34.0 {
        legend_column(root, &items, (legend_x, y0 + 34), 320.0)?;
    } else {
        compact_legend(root, &items, (legend_x, y0 + 34), per_row.max(12.0))?;
    }
    if c.rounds.is_empty() {
        return empty_note(root, "the base has no rounds", ((x0 + legend_x) / 2, (y0 + y1) / 2));
    }
    let area = root.clone().shrink((x0 + 4, y0 + 30), ((legend_x - 20 - x0) as u32, (y1 - y0 - 30) as u32));
    let n = c.rounds.len();
    let values: Vec<Vec<Option<f64>>> = (0..c.scenarios.len())
        .map(|s| {
            c.rounds
                .iter()
                .map(|r| {
                    let row = find(&r.figures, figure)?;
                    match s {
                        0 => Some(row.base.p),
                        v => row.variants.get(v - 1)?.as_ref().map(|x| x.value.p),
                    }
                })
                .collect()
        })
        .collect();
    let max = values.iter().flatten().flatten().copied().fold(0.0, f64::max);
    let fmt = percent_tick;
    let ch = axes_chart(&area, &Axes::percent(-0.5..n as f64 - 0.5, pct_axis_max(max), "share of trials (%)", &fmt))?;
    // Variants first, the base on top of them.
    for s in (1..values.len()).chain([0]) {
        let stroke = if s == 0 { BASE } else { variant_stroke(s - 1) };
        let points: Vec<Option<(i32, i32)>> =
            values[s].iter().enumerate().map(|(t, v)| v.map(|p| ch.backend_coord(&(t as f64, 100.0 * p)))).collect();
        for run in points.split(Option::is_none) {
            let run: Vec<(i32, i32)> = run.iter().flatten().copied().collect();
            polyline(root, &run, stroke)?;
        }
        for p in points.iter().flatten() {
            marker(root, *p, stroke.marker, stroke.colour, 4 + stroke.width as i32 / 2, true)?;
        }
    }
    let (px0, _, px1, py1) = plot_bounds(&ch);
    let labels: Vec<(String, Option<String>)> = c.rounds.iter().map(|r| (r.label.clone(), None)).collect();
    let xs: Vec<i32> = (0..n).map(|t| ch.backend_coord(&(t as f64, 0.0)).0).collect();
    category_labels(root, &labels, &xs, py1 + 8, f64::from(px1 - px0) / n as f64)
}

/// A legend with tight rows for many scenarios.
fn compact_legend(root: &Area, items: &[(Swatch, String)], at: (i32, i32), row: f64) -> Drawn {
    let px = (row * 0.75).clamp(9.0, SMALL);
    for (i, (s, label)) in items.iter().enumerate() {
        let y = at.1 + (row * i as f64) as i32 + row as i32 / 2;
        if let Swatch::Line(st) = s {
            polyline(root, &[(at.0, y), (at.0 + 30, y)], Stroke { width: st.width.min(3), ..*st })?;
            marker(root, (at.0 + 15, y), st.marker, st.colour, 3, true)?;
        }
        text(root, &fit(label, 280.0, px), (at.0 + 38, y), Ink::new(px))?;
    }
    Ok(())
}

/// (b) Each variant's paired difference from the base by the end: a dot with its 95% interval
/// per figure, a line at zero.
fn forest_panel(root: &Area, c: &CompareReport, (x0, y0, x1, y1): (i32, i32, i32, i32)) -> Drawn {
    root.draw(&PathElement::new(vec![(x0 + 24, y0 - 4), (x1 - 24, y0 - 4)], PALE.stroke_width(1)))?;
    panel_title(
        root,
        "(b) Difference from the base by the end: variant − base, percentage points (paired 95% interval)",
        (x0 + 24, y0),
        f64::from(x1 - x0 - 48),
    )?;
    let shown = forest(c);
    let mut items: Vec<(Swatch, String)> =
        shown.iter().map(|(f, s)| (Swatch::Marker(*s, true), f.label.clone())).collect();
    items.push((
        Swatch::Marker(Stroke { colour: GREY, width: 2, dash: Dash::Solid, marker: Marker::Circle }, false),
        "open marker: the interval includes 0".into(),
    ));
    let h = legend_row(root, &items, (x0 + 24, y0 + 30), x1 - 20)?;
    let rows: Vec<(usize, &str)> =
        c.scenarios.iter().enumerate().skip(1).map(|(i, s)| (i - 1, s.title.as_str())).collect();
    if rows.is_empty() {
        return empty_note(root, "no variants: give variant files after the base", ((x0 + x1) / 2, (y0 + y1) / 2));
    }
    let diff =
        |f: &FigureSpec, v: usize| find(&c.end, f).and_then(|r| r.variants.get(v)?.as_ref()).map(|x| x.difference);
    let mut lo: f64 = 0.0;
    let mut hi: f64 = 0.0;
    for &(v, _) in &rows {
        for (f, _) in &shown {
            if let Some(d) = diff(f, v) {
                lo = lo.min(d.ci95[0]);
                hi = hi.max(d.ci95[1]);
            }
        }
    }
    let span = (hi - lo).max(0.01);
    let (lo, hi) = (100.0 * (lo - 0.06 * span), 100.0 * (hi + 0.06 * span));
    let n = rows.len();
    let label_w = 360;
    let values_w = 170;
    let x_band = 50;
    let top = y0 + 30 + h + 22;
    // Rows no taller than 56 px.
    let height = (y1 - top).min(56 * n as i32 + x_band + 8);
    let area = root.clone().shrink((x0, top), ((x1 - x0 - values_w) as u32, height as u32));
    let fmt_x = signed_tick;
    let axes = Axes::ranked(lo..hi, n, "percentage points (variant − base)", &fmt_x, (x_band as u32, label_w as u32));
    let (ch, row_h) = ranked_rows(root, &area, &axes, n, (x0 + 16, x1 - 16))?;
    let (px0, py0, px1, _) = plot_bounds(&ch);
    let off = (row_h / 5).clamp(3, 8);
    let vx = px1 + 26;
    // Column heads: the first word of each figure's label, which the legend gives in full.
    for ((f, _), x) in shown.iter().zip([vx + 30, vx + 110]) {
        let head = f.label.split_whitespace().next().unwrap_or_default();
        text(root, &fit(head, 78.0, SMALL), (x, py0 - 10), Ink::new(SMALL).muted().centre())?;
    }
    for (k, &(v, title)) in rows.iter().enumerate() {
        let yc = n as f64 - k as f64 - 0.5;
        let cy = ch.backend_coord(&(0.0, yc)).1;
        // The variant's line style from (a), then its title.
        let st = variant_stroke(v);
        polyline(root, &[(x0 + 24, cy), (x0 + 54, cy)], st)?;
        marker(root, (x0 + 39, cy), st.marker, st.colour, 4, true)?;
        let px = if row_h < 22 { SMALL } else { LABEL };
        text(root, &fit(title, f64::from(px0 - x0 - 76), px), (px0 - 10, cy), Ink::new(px).right())?;
    }
    let (zx, _) = ch.backend_coord(&(0.0, 0.0));
    let (_, ztop) = ch.backend_coord(&(0.0, n as f64));
    let (_, zbot) = ch.backend_coord(&(0.0, 0.0));
    root.draw(&PathElement::new(vec![(zx, ztop), (zx, zbot)], INK.stroke_width(2)))?;
    for (k, &(v, _)) in rows.iter().enumerate() {
        let yc = n as f64 - k as f64 - 0.5;
        for (j, (f, st)) in shown.iter().enumerate() {
            let Some(d) = diff(f, v) else { continue };
            let dy = if j == 0 { -off } else { off };
            let (x, y) = ch.backend_coord(&(100.0 * d.diff, yc));
            let y = y + dy;
            let (l, _) = ch.backend_coord(&(100.0 * d.ci95[0], yc));
            let (r, _) = ch.backend_coord(&(100.0 * d.ci95[1], yc));
            let s = st.colour.stroke_width(2);
            root.draw(&PathElement::new(vec![(l, y), (r, y)], s))?;
            root.draw(&PathElement::new(vec![(l, y - 4), (l, y + 4)], s))?;
            root.draw(&PathElement::new(vec![(r, y - 4), (r, y + 4)], s))?;
            marker(root, (x, y), st.marker, st.colour, 5, d.significant)?;
            let cell = if j == 0 { vx + 30 } else { vx + 110 };
            let px = if row_h < 22 { SMALL } else { TICK };
            text(root, &pp(d.diff), (cell, y - dy), Ink::new(px).bold().colour(st.colour).centre())?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::super::testing::{compare, well_formed};
    use super::*;

    #[test]
    fn compare_chart_is_a_well_formed_svg_with_both_panels() {
        let c = compare();
        let svg = super::super::compare_chart(c);
        assert!(svg.starts_with("<svg"));
        assert_eq!(well_formed(&svg).as_deref(), Ok("svg"));
        assert!(svg.contains("(a) Ceasefire or settlement signed"));
        assert!(svg.contains("(b) Difference from the base"));
        assert!(svg.contains("percentage points (variant − base)"));
        for s in &c.scenarios {
            assert!(svg.contains(&super::super::style::escape(&s.title)), "legend entry for {}", s.title);
        }
        assert!(svg.contains("(base)"));
    }

    #[test]
    fn a_comparison_without_variants_still_draws() {
        let mut c = compare().clone();
        c.scenarios.truncate(1);
        for r in c.rounds.iter_mut().flat_map(|r| r.figures.iter_mut()).chain(c.end.iter_mut()) {
            r.variants.clear();
        }
        let svg = super::super::compare_chart(&c);
        assert!(well_formed(&svg).is_ok());
        assert!(svg.contains("no variants"));
    }

    #[test]
    fn variant_styles_differ() {
        for a in 0..20 {
            for b in 0..a {
                let (x, y) = (variant_stroke(a), variant_stroke(b));
                assert!(x.colour != y.colour || x.dash != y.dash || x.marker != y.marker, "{a} vs {b}");
            }
        }
    }
}
