//! The tornado chart of a sensitivity study.

use plotters::prelude::*;

use super::run::thousands;
use super::style::{
    Area, BLUE, Drawn, Fill, HEIGHT, Hatch, INK, Ink, LABEL, ORANGE, SMALL, Swatch, TICK, WIDTH, empty_note, fill_rect,
    fit, header, legend_row, pct, pp, render, short, sig, text,
};
use super::{Axes, percent_tick, plot_bounds, ranked_rows};
use crate::report::SensitivityReport;
use crate::study::Measure;

/// Inputs shown, largest swing first.
pub(super) const TOP: usize = 15;

/// The figure with the input at its low quantile (left of the base or not) and at its high one.
const AT_LOW: Fill = Fill { colour: BLUE, hatch: Hatch::None };
const AT_HIGH: Fill = Fill { colour: ORANGE, hatch: Hatch::Forward };

pub(super) fn chart(report: &SensitivityReport) -> String {
    render(&format!("{}: sensitivity", report.run.title), |root| draw(root, report))
}

/// `10th`, `90th`, `1st`, `2nd`, `3rd`, `50th`.
fn ordinal(q: f64) -> String {
    let n = (100.0 * q).round() as i64;
    let suffix = match (n % 10, n % 100) {
        (_, 11..=13) => "th",
        (1, _) => "st",
        (2, _) => "nd",
        (3, _) => "rd",
        _ => "th",
    };
    format!("{n}{suffix}")
}

fn draw(root: &Area, r: &SensitivityReport) -> Drawn {
    let label = r.output.measure.label();
    // Probabilities are drawn in percent on [0, 100], a value's means in its unit on its range.
    let (unit_scale, floor, ceil) = match &r.output.measure {
        Measure::Figure(_) => (100.0, 0.0, 100.0),
        Measure::Value { spec, .. } => (1.0, spec.min, spec.max),
    };
    let figure = matches!(r.output.measure, Measure::Figure(_));
    let show = |x: f64| if figure { pct(x) } else { sig(x) };
    let signed = |d: f64| {
        if figure {
            pp(d)
        } else if d > 0.0 {
            format!("+{}", sig(d))
        } else {
            sig(d)
        }
    };
    let (lo_q, hi_q) = (ordinal(r.low_quantile), ordinal(r.high_quantile));
    let top = header(
        root,
        &format!("{} — what moves \u{201c}{label}\u{201d}", r.run.title),
        &format!(
            "Round {} · each input at its {lo_q} / {hi_q} percentile, the others drawn as usual · {} trials per run · \
             seed {}",
            r.round,
            thousands(r.run.trials),
            r.run.seed
        ),
    )?;
    let mut inputs: Vec<&crate::study::sensitivity::Effect> = r.inputs.iter().collect();
    inputs.sort_by(|a, b| b.swing.diff.abs().total_cmp(&a.swing.diff.abs()).then_with(|| a.key.cmp(&b.key)));
    inputs.truncate(TOP);
    let items = [
        (Swatch::Fill(AT_LOW), format!("input at its {lo_q} percentile")),
        (Swatch::Fill(AT_HIGH), format!("input at its {hi_q} percentile")),
    ];
    let h = legend_row(root, &items, (24, top + 8), WIDTH as i32 - 20)?;
    text(
        root,
        &format!(
            "Top {} of {} uncertain inputs by |swing|; value labels: {} at that end; right: swing, {} (* interval excludes 0)",
            inputs.len(),
            r.inputs.len(),
            if figure { "figure".to_string() } else { format!("mean of {label}") },
            match r.output.measure.unit() {
                None => "percentage points",
                Some("") => "difference of means",
                Some(unit) => unit,
            }
        ),
        (24, top + 8 + h + 4),
        Ink::new(SMALL).muted(),
    )?;
    if inputs.is_empty() {
        return empty_note(
            root,
            "no uncertain inputs: every parameter is fixed",
            (WIDTH as i32 / 2, HEIGHT as i32 / 2),
        );
    }
    let mut lo = unit_scale * r.base.point();
    let mut hi = lo;
    for e in &inputs {
        lo = lo.min(unit_scale * e.at_low.point()).min(unit_scale * e.at_high.point());
        hi = hi.max(unit_scale * e.at_low.point()).max(unit_scale * e.at_high.point());
    }
    let span = (hi - lo).max(0.01 * (ceil - floor));
    let (lo, hi) = ((lo - 0.14 * span).max(floor), (hi + 0.14 * span).min(ceil));
    let n = inputs.len();
    let area_top = top + 8 + h + 30;
    let swing_w = 96;
    let x_band = 52;
    // Rows no taller than 60 px.
    let height = (HEIGHT as i32 - 6 - area_top).min(60 * n as i32 + x_band + 8);
    let area = root.clone().shrink((0, area_top), ((WIDTH as i32 - swing_w) as u32, height as u32));
    let fmt_x = |v: &f64| if figure { percent_tick(v) } else { short(*v) };
    let x_desc = match r.output.measure.unit() {
        None => format!("% of trials: {label}, round {}", r.round),
        Some("") => format!("mean of {label}, round {}", r.round),
        Some(unit) => format!("mean of {label} ({unit}), round {}", r.round),
    };
    let axes = Axes::ranked(lo..hi, n, &x_desc, &fmt_x, (x_band as u32, 470));
    let (ch, row_h) = ranked_rows(root, &area, &axes, n, (16, WIDTH as i32 - 16))?;
    let (px0, py0, px1, _) = plot_bounds(&ch);
    let bar = ((f64::from(row_h) * 0.3) as i32).clamp(4, 12);
    let key_px = if row_h >= 40 { LABEL } else { SMALL };
    let sub_px = if row_h >= 40 { SMALL } else { 11.0 };
    text(root, "swing", (px1 + 14 + swing_w / 2, py0 - 10), Ink::new(SMALL).muted().centre())?;
    for (k, e) in inputs.iter().enumerate() {
        let yc = n as f64 - k as f64 - 0.5;
        let (_, cy) = ch.backend_coord(&(0.0, yc));
        let room = f64::from(px0 - 40);
        let two_lines = row_h >= 30;
        let (ky, sy) = if two_lines { (cy - row_h / 5, cy + row_h / 5) } else { (cy, cy) };
        text(root, &fit(&e.key, room, key_px), (px0 - 12, ky), Ink::new(key_px).right())?;
        let values = format!("{}: {} → {}", e.law, sig(e.low_value), sig(e.high_value));
        if two_lines {
            text(root, &fit(&values, room, sub_px), (px0 - 12, sy), Ink::new(sub_px).muted().right())?;
        }
        let (bx, _) = ch.backend_coord(&(unit_scale * r.base.point(), yc));
        let (lx, _) = ch.backend_coord(&(unit_scale * e.at_low.point(), yc));
        let (hx, _) = ch.backend_coord(&(unit_scale * e.at_high.point(), yc));
        // The longer end first, so that when both ends lie on one side of the base both show.
        let mut ends = [(lx, AT_LOW, e.at_low.point()), (hx, AT_HIGH, e.at_high.point())];
        ends.sort_by_key(|(x, _, _)| -(x - bx).abs());
        let same_side = (lx - bx).signum() == (hx - bx).signum();
        for (i, (x, fill, p)) in ends.iter().enumerate() {
            let b = if same_side && i == 1 { bar - 3 } else { bar };
            if *x != bx {
                fill_rect(root, (bx, cy - b), (*x, cy + b), *fill)?;
            }
            if !same_side || i == 0 {
                let ink = Ink::new(SMALL).bold().colour(INK);
                let ink = if x < &bx { ink.right() } else { ink };
                let at = if x < &bx { x - 5 } else { x + 5 };
                text(root, &show(*p), (at, cy), ink)?;
            }
        }
        let star = if e.swing.significant { "*" } else { "" };
        text(
            root,
            &format!("{}{star}", signed(e.swing.diff)),
            (px1 + 14 + swing_w / 2, cy),
            Ink::new(TICK).bold().centre(),
        )?;
    }
    let (_, ytop) = ch.backend_coord(&(0.0, n as f64));
    let (_, ybot) = ch.backend_coord(&(0.0, 0.0));
    let (bx, _) = ch.backend_coord(&(unit_scale * r.base.point(), 0.0));
    root.draw(&PathElement::new(vec![(bx, ytop - 4), (bx, ybot)], INK.stroke_width(2)))?;
    text(root, &format!("base {}", show(r.base.point())), (bx, ytop - 8), Ink::new(LABEL).bold().centre().bottom())?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::super::testing::{sensitivity_report, well_formed};
    use super::*;

    #[test]
    fn tornado_shows_the_top_inputs() {
        let r = sensitivity_report();
        let svg = super::super::sensitivity_chart(r);
        assert!(svg.starts_with("<svg"));
        assert_eq!(well_formed(&svg).as_deref(), Ok("svg"));
        assert!(svg.contains("base "));
        assert!(svg.contains("% of trials: ceasefire or settlement signed"));
        assert!(svg.contains("percentile"));
        let mut by_swing: Vec<_> = r.inputs.iter().collect();
        by_swing.sort_by(|a, b| b.swing.diff.abs().total_cmp(&a.swing.diff.abs()));
        for e in by_swing.iter().take(TOP.min(by_swing.len())) {
            // Keys may be cut with an ellipsis when very long; their start always shows.
            assert!(svg.contains(&e.key[..e.key.len().min(30)]), "bar for {}", e.key);
        }
    }

    #[test]
    fn ordinals() {
        assert_eq!(ordinal(0.1), "10th");
        assert_eq!(ordinal(0.01), "1st");
        assert_eq!(ordinal(0.92), "92nd");
        assert_eq!(ordinal(0.11), "11th");
    }

    #[test]
    fn a_study_without_inputs_still_draws() {
        let mut r = sensitivity_report().clone();
        r.inputs.clear();
        let svg = super::super::sensitivity_chart(&r);
        assert!(well_formed(&svg).is_ok());
        assert!(svg.contains("no uncertain inputs"));
    }
}
