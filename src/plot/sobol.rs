//! Ranked bars of a Sobol study: first-order and total index of the inputs with the largest
//! total index, with their 95% bootstrap intervals.

use plotters::prelude::*;

use super::run::thousands;
use super::style::{
    Area, BLUE, Drawn, Fill, HEIGHT, Hatch, INK, Ink, LABEL, ORANGE, SMALL, Swatch, WIDTH, empty_note, fill_rect, fit,
    header, legend_row, render, text,
};
use super::{Axes, percent_tick, plot_bounds, ranked_rows};
use crate::report::SobolReport;
use crate::study::sobol::Index;

/// Inputs shown, largest total index first.
const TOP: usize = 15;

const FIRST: Fill = Fill { colour: BLUE, hatch: Hatch::None };
const TOTAL: Fill = Fill { colour: ORANGE, hatch: Hatch::Forward };

pub(super) fn chart(report: &SobolReport) -> String {
    render(&format!("{}: Sobol indices", report.run.title), |root| draw(root, report))
}

fn percent(i: &Index) -> String {
    i.value.map_or_else(|| "-".into(), |v| format!("{:.1}", 100.0 * v))
}

fn draw(root: &Area, r: &SobolReport) -> Drawn {
    let label = r.output.measure.label();
    // A figure's indices share out the variance of a 0/1 outcome, a value's that of the value
    // (named in the title).
    let of = if r.output.measure.unit().is_some() { "the value" } else { "the trial's outcome" };
    let top = header(
        root,
        &format!("{} — what drives \u{201c}{label}\u{201d}", r.run.title),
        &format!(
            "Round {} · Sobol indices, % of the variance of {of} · {} base samples, {} trials · seed {} · \
             unexplained by any input: {}%",
            r.round,
            thousands(r.rows),
            thousands(r.trials),
            r.run.seed,
            percent(&r.residual)
        ),
    )?;
    let items = [
        (Swatch::Fill(FIRST), "first order: the input alone".to_string()),
        (Swatch::Fill(TOTAL), "total: with its interactions".to_string()),
    ];
    let h = legend_row(root, &items, (24, top + 8), WIDTH as i32 - 20)?;
    let assumption = r.groups.iter().find(|g| g.key == "provenance:assumption");
    let note = match assumption {
        Some(a) => format!(
            "Top {} of {} inputs by total index; whiskers: 95% bootstrap intervals. Inputs citing no evidence: {}% alone, \
             {}% with interactions.",
            TOP.min(r.inputs.len()),
            r.inputs.len(),
            percent(&a.first),
            percent(&a.total)
        ),
        None => format!(
            "Top {} of {} inputs by total index; whiskers: 95% bootstrap intervals.",
            TOP.min(r.inputs.len()),
            r.inputs.len()
        ),
    };
    text(root, &note, (24, top + 8 + h + 4), Ink::new(SMALL).muted())?;
    let inputs: Vec<_> = r.inputs.iter().filter(|i| i.total.value.is_some()).take(TOP).collect();
    if inputs.is_empty() {
        return empty_note(
            root,
            "no index to show: no uncertain input, or the output does not vary",
            (WIDTH as i32 / 2, HEIGHT as i32 / 2),
        );
    }
    let hi = inputs
        .iter()
        .flat_map(|i| {
            [i.first.ci95.map_or(0.0, |c| c[1]), i.total.ci95.map_or(0.0, |c| c[1]), i.total.value.unwrap_or(0.0)]
        })
        .fold(0.05f64, f64::max)
        .min(1.0);
    let n = inputs.len();
    let area_top = top + 8 + h + 30;
    let x_band = 52;
    let height = (HEIGHT as i32 - 6 - area_top).min(60 * n as i32 + x_band + 8);
    let area = root.clone().shrink((0, area_top), (WIDTH - 40, height as u32));
    let fmt_x = percent_tick;
    let x_desc = match r.output.measure.unit() {
        None => "% of the variance of the trial's outcome".to_string(),
        Some(_) => format!("% of the variance of {label}"),
    };
    let axes = Axes::ranked(0.0..100.0 * hi * 1.08, n, &x_desc, &fmt_x, (x_band as u32, 470));
    let (ch, row_h) = ranked_rows(root, &area, &axes, n, (16, WIDTH as i32 - 16))?;
    let (px0, _, _, _) = plot_bounds(&ch);
    let bar = ((f64::from(row_h) * 0.18) as i32).clamp(3, 9);
    for (k, input) in inputs.iter().enumerate() {
        let yc = n as f64 - k as f64 - 0.5;
        let (_, cy) = ch.backend_coord(&(0.0, yc));
        let room = f64::from(px0 - 40);
        text(root, &fit(&input.key, room, LABEL), (px0 - 12, cy - row_h / 6), Ink::new(LABEL).right())?;
        let sub = format!("{} · {} · {}", input.law, input.provenance, input.owner);
        text(root, &fit(&sub, room, SMALL), (px0 - 12, cy + row_h / 6), Ink::new(SMALL).muted().right())?;
        for (index, fill, dy) in [(&input.first, FIRST, -bar - 1), (&input.total, TOTAL, bar + 1)] {
            let Some(v) = index.value else { continue };
            let (x0, _) = ch.backend_coord(&(0.0, yc));
            let (x1, _) = ch.backend_coord(&(100.0 * v.max(0.0), yc));
            if x1 > x0 {
                fill_rect(root, (x0, cy + dy - bar), (x1, cy + dy + bar), fill)?;
            }
            if let Some([lo, hi]) = index.ci95 {
                let (a, _) = ch.backend_coord(&(100.0 * lo.max(0.0), yc));
                let (b, _) = ch.backend_coord(&(100.0 * hi.min(1.08 * hi.max(0.0)), yc));
                root.draw(&PathElement::new(vec![(a, cy + dy), (b, cy + dy)], INK.stroke_width(1)))?;
            }
            text(root, &percent(index), (x1.max(x0) + 6, cy + dy), Ink::new(SMALL).colour(INK))?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::super::testing::{loaded, well_formed};
    use crate::report::SobolReport;
    use crate::study::sobol::{Design, Options};

    #[test]
    fn ranked_bars_show_the_inputs_with_the_largest_total_index() {
        let l = loaded();
        let round = l.body.bargaining().expect("a bargaining scenario").rounds.len() - 1;
        let design = Design::new(l, Some("ceasefire_reached"), round).expect("a design");
        let opts = Options { rows: 256, seed: 1, resamples: 20 };
        let study = design.run(opts, &|_| {}).expect("the study runs");
        let r =
            SobolReport::new(l, &l.body.bargaining().expect("a bargaining scenario").rounds[round].id, 1, 20, study);
        let svg = crate::plot::sobol_chart(&r);
        assert_eq!(well_formed(&svg).as_deref(), Ok("svg"));
        assert!(svg.contains("first order: the input alone"));
        let shown: Vec<_> = r.inputs.iter().filter(|i| i.total.value.is_some()).take(3).collect();
        assert!(!shown.is_empty());
        for i in shown {
            assert!(svg.contains(&i.key[..i.key.len().min(30)]), "bar for {}", i.key);
        }
    }
}
