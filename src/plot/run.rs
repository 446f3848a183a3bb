//! The run chart, read off the layout: outcome of each round, the two first headline figures
//! by the end of each round, the terms of the first event.

use plotters::prelude::*;

use super::style::{
    Area, BLUE, BLUISH_GREEN, Dash, Drawn, Fill, GREY, HEIGHT, Hatch, Ink, LABEL, MUTED, Marker, PALE, ROW_SHADE,
    SKY_BLUE, SMALL, Stroke, Swatch, TICK, VERMILLION, WIDTH, YELLOW, band, boxed_label, category_labels, empty_note,
    fill_rect, fit, header, legend_row, lines, marker, nice_ticks, panel_title, pct, pct_axis_max, render, series,
    spread, text, tick, wrap_lines,
};
use super::{Axes, axes_chart, percent_tick, plot_bounds};
use crate::engine::stats::Estimate;
use crate::engine::{FigureOf, FigureSpec};
use crate::report::{EventReport, RunReport, TermReport, capitalized};

/// Fills of the outcomes in the layout's stack order, from the bottom of a bar to its top (the
/// last one, e.g. collapse, in the warning colour); hatched and solid fills alternate so
/// neighbours differ in greyscale. A model with more outcomes reuses them.
const STACK: [Fill; 6] = [
    Fill { colour: BLUE, hatch: Hatch::None },
    Fill { colour: BLUISH_GREEN, hatch: Hatch::Forward },
    Fill { colour: SKY_BLUE, hatch: Hatch::None },
    Fill { colour: YELLOW, hatch: Hatch::Back },
    Fill { colour: PALE, hatch: Hatch::None },
    Fill { colour: VERMILLION, hatch: Hatch::Cross },
];

/// The strokes of the two headline figures of panel (b).
const LINES: [Stroke; 2] = [
    Stroke { colour: BLUISH_GREEN, width: 3, dash: Dash::Solid, marker: Marker::Circle },
    Stroke { colour: BLUE, width: 3, dash: Dash::Dashed, marker: Marker::Square },
];

/// The outcomes of `r` in stack order, each with its fill.
fn stack(r: &RunReport) -> impl DoubleEndedIterator<Item = (usize, Fill)> + '_ {
    r.layout.stack.iter().enumerate().map(|(i, &o)| (o, STACK[i % STACK.len()]))
}

/// A figure's estimate in round `t` of a report.
fn figure_at(r: &RunReport, f: &FigureSpec, t: usize) -> Estimate {
    match f.of {
        FigureOf::Outcome(o) => r.rounds[t].outcomes.0[o].1,
        FigureOf::Flag(g) => r.rounds[t].flags.0[g].1,
    }
}

pub(super) fn chart(report: &RunReport) -> String {
    render(&format!("{}: simulated outcomes by round", report.run.title), |root| draw(root, report))
}

fn draw(root: &Area, r: &RunReport) -> Drawn {
    let run = &r.run;
    let top = header(
        root,
        &format!("{} — simulated negotiation outcomes", run.title),
        &format!(
            "As of {} · {} trials · seed {} · sim {} · {}",
            run.as_of,
            thousands(run.trials),
            run.seed,
            r.sim.version,
            &run.digest[..run.digest.len().min(19)]
        ),
    )?;
    if r.rounds.is_empty() {
        return empty_note(root, "the scenario has no rounds", (WIDTH as i32 / 2, HEIGHT as i32 / 2));
    }
    let mid_y = 468;
    outcomes_panel(root, r, (0, top + 6, 600, mid_y))?;
    cumulative_panel(root, r, (600, top + 6, WIDTH as i32, mid_y))?;
    terms_panel(root, r, (0, mid_y + 8, WIDTH as i32, HEIGHT as i32 - 6))
}

/// Labels of the rounds for a category axis: the label, then the date.
fn round_labels(r: &RunReport) -> Vec<(String, Option<String>)> {
    r.rounds.iter().map(|x| (x.label.clone(), x.date.clone())).collect()
}

/// (a) Stacked bars: the outcome of each round, summing to 100%.
fn outcomes_panel(root: &Area, r: &RunReport, (x0, y0, x1, y1): (i32, i32, i32, i32)) -> Drawn {
    panel_title(root, "(a) Outcome of each round, % of trials", (x0 + 24, y0), f64::from(x1 - x0 - 30))?;
    // Legend in the order the eye meets the segments, top of the bar first.
    let items: Vec<(Swatch, String)> =
        stack(r).rev().map(|(o, f)| (Swatch::Fill(f), r.layout.outcomes[o].label.clone())).collect();
    let h = legend_row(root, &items, (x0 + 24, y0 + 30), x1 - 10)?;
    let area = root.clone().shrink((x0 + 4, y0 + 34 + h), ((x1 - x0 - 4) as u32, (y1 - y0 - 34 - h) as u32));
    let n = r.rounds.len();
    let fmt = percent_tick;
    let mut axes = Axes::percent(-0.5..n as f64 - 0.5, 100.0, "share of trials (%)", &fmt);
    axes.y_ticks = 6;
    let c = axes_chart(&area, &axes)?;
    let (px0, _, px1, py1) = plot_bounds(&c);
    let slot = f64::from(px1 - px0) / n as f64;
    let half = (0.34 * slot).min(60.0) as i32;
    for (i, round) in r.rounds.iter().enumerate() {
        let mut acc = 0.0;
        for (o, fill) in stack(r) {
            let p = round.outcomes.0[o].1.p;
            let (xa, ya) = c.backend_coord(&(i as f64, 100.0 * acc));
            let (_, yb) = c.backend_coord(&(i as f64, 100.0 * (acc + p)));
            if yb < ya {
                fill_rect(root, (xa - half, yb), (xa + half, ya), fill)?;
            }
            if ya - yb >= 19 && p >= 0.005 {
                let label = if p < 0.1 { pct(p) } else { format!("{:.0}%", 100.0 * p) };
                boxed_label(root, &label, (xa, (ya + yb) / 2), Ink::new(SMALL))?;
            }
            acc += p;
        }
    }
    let xs: Vec<i32> = (0..n).map(|i| c.backend_coord(&(i as f64, 0.0)).0).collect();
    category_labels(root, &round_labels(r), &xs, py1 + 8, slot)
}

/// (b) The first two headline figures by the end of each round with their 95% bands.
fn cumulative_panel(root: &Area, r: &RunReport, (x0, y0, x1, y1): (i32, i32, i32, i32)) -> Drawn {
    panel_title(root, "(b) By the end of each round, % of trials", (x0 + 24, y0), f64::from(x1 - x0 - 30))?;
    let layout = &r.layout;
    let shown: Vec<(&FigureSpec, Stroke)> = layout.headline.iter().map(|&f| &layout.figures[f]).zip(LINES).collect();
    let items: Vec<(Swatch, String)> = shown.iter().map(|(f, s)| (Swatch::LineBand(*s), f.label.clone())).collect();
    let h = legend_row(root, &items, (x0 + 24, y0 + 30), x1 - 10)?;
    text(root, "shaded: 95% interval", (x0 + 24, y0 + 30 + h + 4), Ink::new(SMALL).muted())?;
    let top = y0 + 30 + h + 16;
    let area = root.clone().shrink((x0 + 4, top), ((x1 - x0 - 4) as u32, (y1 - top) as u32));
    let n = r.rounds.len();
    let series_of = |f: &FigureSpec| -> Vec<Estimate> { (0..r.rounds.len()).map(|t| figure_at(r, f, t)).collect() };
    let lines: Vec<(Stroke, Vec<Estimate>)> = shown.iter().map(|(f, s)| (*s, series_of(f))).collect();
    let max = lines.iter().flat_map(|(_, est)| est.iter().map(|e| e.ci95[1])).fold(0.0, f64::max);
    let fmt = percent_tick;
    let c = axes_chart(&area, &Axes::percent(-0.5..n as f64 - 0.5, pct_axis_max(max), "share of trials (%)", &fmt))?;
    let (px0, py0, px1, py1) = plot_bounds(&c);
    let mut ends = Vec::new();
    for (stroke, est) in lines {
        let at = |i: usize, p: f64| c.backend_coord(&(i as f64, 100.0 * p));
        let low: Vec<_> = est.iter().enumerate().map(|(i, e)| at(i, e.ci95[0])).collect();
        let high: Vec<_> = est.iter().enumerate().map(|(i, e)| at(i, e.ci95[1])).collect();
        band(root, &low, &high, stroke.colour)?;
        let mid: Vec<_> = est.iter().enumerate().map(|(i, e)| at(i, e.p)).collect();
        series(root, &mid, stroke)?;
        if let (Some(last), Some(e)) = (mid.last(), est.last()) {
            ends.push((last.1, pct(e.p), stroke.colour, last.0));
        }
    }
    end_labels(root, &ends, (py0 + 8, py1 - 8))?;
    let slot = f64::from(px1 - px0) / n as f64;
    let xs: Vec<i32> = (0..n).map(|i| c.backend_coord(&(i as f64, 0.0)).0).collect();
    category_labels(root, &round_labels(r), &xs, py1 + 8, slot)
}

/// Value labels right of the last points, pushed apart so they never overlap, kept inside the
/// plot's `(top, bottom)`.
fn end_labels(root: &Area, ends: &[(i32, String, RGBColor, i32)], (top, bottom): (i32, i32)) -> Drawn {
    let ys: Vec<i32> = ends.iter().map(|e| e.0).collect();
    for ((_, label, colour, x), y) in ends.iter().zip(spread(&ys, 18, top, bottom)) {
        text(root, label, (x + 12, y), Ink::new(LABEL).bold().colour(*colour))?;
    }
    Ok(())
}

/// (c) The terms of the first event: a box glyph per continuous issue, bars of shares per
/// option issue.
fn terms_panel(root: &Area, r: &RunReport, (x0, y0, x1, y1): (i32, i32, i32, i32)) -> Drawn {
    root.draw(&PathElement::new(vec![(x0 + 24, y0 - 4), (x1 - 24, y0 - 4)], PALE.stroke_width(1)))?;
    let (Some(spec), Some((_, s))) = (r.layout.events.first(), r.events.0.first()) else {
        panel_title(root, "(c) Terms", (x0 + 24, y0), f64::from(x1 - x0 - 48))?;
        return empty_note(root, "the model reports no event with terms", ((x0 + x1) / 2, (y0 + y1) / 2));
    };
    let (label, s): (&str, &EventReport) = (&spec.label, s);
    if s.reached.count == 0 {
        panel_title(root, &format!("(c) {} terms", capitalized(label)), (x0 + 24, y0), f64::from(x1 - x0 - 48))?;
        return empty_note(
            root,
            &format!("no {label} in {} trials", thousands(r.run.trials)),
            ((x0 + x1) / 2, (y0 + y1) / 2),
        );
    }
    let marks: String = s.mark_shares(spec).map(|(m, e)| format!("; {} of them {m}", pct(e.p))).collect();
    panel_title(
        root,
        &format!(
            "(c) {} terms, given a {label} ({} of {} trials{marks})",
            capitalized(label),
            thousands(s.reached.count),
            thousands(r.run.trials),
        ),
        (x0 + 24, y0),
        f64::from(x1 - x0 - 48),
    )?;
    text(
        root,
        &format!(
            "box: middle 50% · whiskers: middle 90% · bar: median · diamond: mean · bars: share of {label}s (95% \
             interval)"
        ),
        (x0 + 24, y0 + 32),
        Ink::new(SMALL).muted(),
    )?;
    let top = y0 + 48;
    let weights: Vec<i32> = s
        .terms
        .iter()
        .map(|t| match t {
            TermReport::Continuous { .. } => 62,
            TermReport::Options { options, .. } => (24 * options.len() as i32).max(48) + 8,
        })
        .collect();
    let need: i32 = weights.iter().sum();
    let scale = (f64::from(y1 - top) / f64::from(need.max(1))).min(1.25);
    let geo = Columns { label: x0 + 24, label_w: 190.0, names_right: x0 + 470, plot: (x0 + 484, x1 - 84) };
    let mut y = top;
    for (i, (term, w)) in s.terms.iter().zip(weights).enumerate() {
        let h = (f64::from(w) * scale) as i32;
        if i % 2 == 1 {
            root.draw(&Rectangle::new([(x0 + 16, y), (x1 - 16, y + h)], ROW_SHADE.filled()))?;
        }
        match term {
            TermReport::Continuous { label, unit, mean, quantiles, min, max, .. } => {
                term_label(root, label, unit, &geo, (y, h))?;
                match (mean, quantiles) {
                    (Some(m), Some(q)) => {
                        let qs = [q.p05, q.p25, q.p50, q.p75, q.p95];
                        box_glyph(root, &geo, (y, h), qs, *m, (*min, *max))?;
                    }
                    _ => text(root, "no value", (geo.names_right, y + h / 2), Ink::new(LABEL).muted().right())?,
                }
            }
            TermReport::Options { label: name, options, .. } => {
                term_label(root, name, &format!("share of {label}s"), &geo, (y, h))?;
                let row = (f64::from(h - 8) / options.len().max(1) as f64) as i32;
                let (bx0, bx1) = geo.plot;
                let bw = f64::from(bx1 - bx0);
                for (j, o) in options.iter().enumerate() {
                    let cy = y + 4 + row * j as i32 + row / 2;
                    let name = fit(&o.option, f64::from(geo.names_right - geo.label) - geo.label_w - 16.0, LABEL);
                    text(root, &name, (geo.names_right, cy), Ink::new(LABEL).right())?;
                    let bh = (row / 2 - 3).clamp(3, 9);
                    root.draw(&Rectangle::new([(bx0, cy - bh), (bx1, cy + bh)], PALE.mix(0.6).filled()))?;
                    let end = bx0 + (bw * o.share.p) as i32;
                    if end > bx0 {
                        fill_rect(root, (bx0, cy - bh), (end, cy + bh), Fill { colour: BLUE, hatch: Hatch::None })?;
                    }
                    let (lo, hi) = (bx0 + (bw * o.share.ci95[0]) as i32, bx0 + (bw * o.share.ci95[1]) as i32);
                    root.draw(&PathElement::new(vec![(lo, cy), (hi, cy)], MUTED.stroke_width(1)))?;
                    text(root, &pct(o.share.p), (bx1 + 8, cy), Ink::new(LABEL).bold())?;
                }
            }
        }
        y += h;
    }
    Ok(())
}

/// Horizontal layout of the terms panel.
struct Columns {
    /// Left edge and width of the issue label column.
    label: i32,
    label_w: f64,
    /// Right edge of the column of option names and summaries.
    names_right: i32,
    /// Pixel span of the plot.
    plot: (i32, i32),
}

/// The label (bold) and unit (muted), vertically centred in its row.
fn term_label(root: &Area, label: &str, unit: &str, geo: &Columns, (y, h): (i32, i32)) -> Drawn {
    let l = wrap_lines(label, geo.label_w, LABEL, 2);
    let u = wrap_lines(unit, geo.label_w, SMALL, 2);
    let total = super::style::line_height(LABEL) * l.len() as i32 + super::style::line_height(SMALL) * u.len() as i32;
    let start = y + (h - total) / 2 + super::style::line_height(LABEL) / 2;
    let used = lines(root, &l, (geo.label, start), Ink::new(LABEL).bold())?;
    lines(root, &u, (geo.label, start + used - 2), Ink::new(SMALL).muted())?;
    Ok(())
}

/// A box-and-whisker glyph from the five quantiles, the mean as a diamond, and an axis.
fn box_glyph(root: &Area, geo: &Columns, (y, h): (i32, i32), q: [f64; 5], mean: f64, range: (f64, f64)) -> Drawn {
    if q.iter().any(|v| !v.is_finite()) {
        return text(root, "quantiles unavailable", (geo.plot.0, y + h / 2), Ink::new(LABEL).muted());
    }
    let lo = q[0].min(mean);
    let hi = q[4].max(mean);
    let pad = if hi > lo { 0.2 * (hi - lo) } else { 0.05 * hi.abs().max(1.0) };
    let (dlo, dhi) = ((lo - pad).max(range.0), (hi + pad).min(range.1));
    let (dlo, dhi) = if dhi > dlo { (dlo, dhi) } else { (lo - pad, hi + pad) };
    let (x0, x1) = geo.plot;
    let sx = |v: f64| x0 + ((v - dlo) / (dhi - dlo) * f64::from(x1 - x0)).round() as i32;
    let cy = y + h / 2 - 8;
    let bh = 9;
    // Axis under the glyph.
    let ay = cy + bh + 8;
    root.draw(&PathElement::new(vec![(x0, ay), (x1, ay)], GREY.stroke_width(1)))?;
    let (ticks, step) = nice_ticks(dlo, dhi, 8);
    for t in ticks {
        let x = sx(t);
        root.draw(&PathElement::new(vec![(x, ay), (x, ay + 4)], GREY.stroke_width(1)))?;
        text(root, &tick(t, step), (x, ay + 6), Ink::new(TICK - 1.0).muted().centre().top())?;
    }
    let ink = super::style::INK;
    root.draw(&PathElement::new(vec![(sx(q[0]), cy), (sx(q[4]), cy)], ink.stroke_width(2)))?;
    for v in [q[0], q[4]] {
        root.draw(&PathElement::new(vec![(sx(v), cy - 6), (sx(v), cy + 6)], ink.stroke_width(2)))?;
    }
    let (b0, b1) = (sx(q[1]), sx(q[3]).max(sx(q[1]) + 1));
    root.draw(&Rectangle::new([(b0, cy - bh), (b1, cy + bh)], SKY_BLUE.filled()))?;
    root.draw(&Rectangle::new([(b0, cy - bh), (b1, cy + bh)], BLUE.stroke_width(2)))?;
    root.draw(&PathElement::new(vec![(sx(q[2]), cy - bh - 3), (sx(q[2]), cy + bh + 3)], ink.stroke_width(3)))?;
    marker(root, (sx(mean), cy), Marker::Diamond, VERMILLION, 5, true)?;
    let summary = [format!("median {}", super::style::sig(q[2])), format!("mean {}", super::style::sig(mean))];
    lines(root, &summary, (geo.names_right, y + h / 2 - 16), Ink::new(LABEL).right())?;
    Ok(())
}

/// `20,000`.
pub(super) fn thousands(n: u64) -> String {
    let s = n.to_string();
    let mut out = String::new();
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::super::testing::{run, well_formed};
    use super::*;

    #[test]
    fn run_chart_is_a_well_formed_svg_with_every_panel() {
        let svg = super::super::run_chart(run());
        assert!(svg.starts_with("<svg"), "{}", &svg[..80]);
        assert_eq!(well_formed(&svg).as_deref(), Ok("svg"));
        for needle in [
            "<title>",
            "(a) Outcome of each round",
            "(b) By the end of each round",
            "(c) Settlement terms",
            "share of trials (%)",
            "95% interval",
            // The first round's label; with six rounds it wraps after its first word.
            "Delegation",
        ] {
            assert!(svg.contains(needle), "missing {needle}");
        }
        for o in &run().layout.outcomes {
            assert!(svg.contains(&o.label), "legend {}", o.label);
        }
    }

    #[test]
    fn a_run_without_settlement_says_so() {
        let mut r = run().clone();
        r.events.0[0].1.reached = crate::engine::stats::Estimate::new(0, r.run.trials);
        let svg = super::super::run_chart(&r);
        assert!(svg.contains(&format!("no settlement in {} trials", thousands(r.run.trials))));
        assert!(well_formed(&svg).is_ok());
    }

    #[test]
    fn thousands_separator() {
        assert_eq!(thousands(20000), "20,000");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(1_234_567), "1,234,567");
    }
}
