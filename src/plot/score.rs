//! The reliability diagram of `sim score`: observed frequency of Yes against the mean forecast
//! of each bin with its 95% Wilson interval, the diagonal of perfect reliability, the number of
//! questions per bin, and the totals and skill scores beside it.

use plotters::prelude::*;

use super::style::{
    Area, BLUE, Dash, Drawn, Fill, GREY, HEIGHT, Hatch, INK, Ink, LABEL, MUTED, Marker, SKY_BLUE, SMALL, Stroke,
    Swatch, WIDTH, fill_rect, header, legend_row, lines, marker, panel_title, polyline, render, text, wrap,
};
use super::{Axes, axes_chart, percent_tick};
use crate::report::ScoreReport;
use crate::report::score::baseline_label;
use crate::score::Statistic;

const POINTS: Stroke = Stroke { colour: BLUE, width: 2, dash: Dash::Solid, marker: Marker::Circle };
const DIAGONAL: Stroke = Stroke { colour: GREY, width: 2, dash: Dash::Dashed, marker: Marker::Circle };
const CLIMATE: Stroke = Stroke { colour: MUTED, width: 1, dash: Dash::Dotted, marker: Marker::Circle };
const COUNTS: Fill = Fill { colour: SKY_BLUE, hatch: Hatch::None };

/// Right edge of the charts; the text panel is to its right.
const CHARTS_RIGHT: i32 = 770;

pub(super) fn chart(report: &ScoreReport) -> String {
    render("sim score: reliability diagram", |root| draw(root, report))
}

fn draw(root: &Area, r: &ScoreReport) -> Drawn {
    let s = &r.scores;
    let top = header(
        root,
        "How reliable are the forecasts?",
        &format!(
            "{} questions scored from {} cases · {} equal-width forecast bins · 95% Wilson intervals · labels: yes/questions",
            s.scored, s.cases, s.options.bins
        ),
    )?;
    let items = [
        (Swatch::Marker(POINTS, true), "observed frequency in the bin, 95% interval".to_string()),
        (Swatch::Line(DIAGONAL), "perfect reliability".to_string()),
        (
            Swatch::Line(CLIMATE),
            format!("overall frequency of yes ({:.0}%)", 100.0 * s.decomposition.observed_frequency),
        ),
    ];
    let h = legend_row(root, &items, (24, top + 6), CHARTS_RIGHT)?;
    let main_top = top + 6 + h + 4;
    let hist_h = 170;
    let main = root.clone().shrink((0, main_top), (CHARTS_RIGHT as u32, (HEIGHT as i32 - main_top - hist_h) as u32));
    let axes = Axes {
        x: 0.0..100.0,
        y: 0.0..100.0,
        x_desc: "",
        y_desc: "observed frequency of yes",
        x_ticks: 11,
        y_ticks: 11,
        x_fmt: &percent_tick,
        y_fmt: &percent_tick,
        x_band: 30,
        y_band: 78,
        y_grid: true,
        x_grid: true,
    };
    let ch = axes_chart(&main, &axes)?;
    let px = |x: f64, y: f64| ch.backend_coord(&(100.0 * x, 100.0 * y));
    polyline(root, &[px(0.0, 0.0), px(1.0, 1.0)], DIAGONAL)?;
    let obar = s.decomposition.observed_frequency;
    polyline(root, &[px(0.0, obar), px(1.0, obar)], CLIMATE)?;
    let filled: Vec<_> = s.reliability.iter().filter(|b| b.count > 0).collect();
    let points: Vec<(i32, i32)> = filled
        .iter()
        .map(|b| px(b.mean_forecast.expect("non-empty bin"), b.observed_frequency.expect("non-empty bin")))
        .collect();
    for (b, &(x, y)) in filled.iter().zip(&points) {
        let (lo, hi) = (px(0.0, b.ci95[0]).1, px(0.0, b.ci95[1]).1);
        let whisker = POINTS.colour.stroke_width(2);
        root.draw(&PathElement::new(vec![(x, lo), (x, hi)], whisker))?;
        root.draw(&PathElement::new(vec![(x - 5, lo), (x + 5, lo)], whisker))?;
        root.draw(&PathElement::new(vec![(x - 5, hi), (x + 5, hi)], whisker))?;
        marker(root, (x, y), Marker::Circle, POINTS.colour, 6, true)?;
        text(root, &format!("{}/{}", b.yes, b.count), (x + 9, y - 10), Ink::new(SMALL).bold())?;
    }
    if points.len() > 1 {
        polyline(root, &points, Stroke { width: 1, ..POINTS })?;
    }

    // Sharpness: questions per bin, on the same forecast axis.
    let hist = root.clone().shrink((0, HEIGHT as i32 - hist_h), (CHARTS_RIGHT as u32, hist_h as u32));
    let max = s.reliability.iter().map(|b| b.count).max().unwrap_or(0).max(1) as f64;
    let count_fmt = |v: &f64| format!("{v:.0}");
    let hist_axes = Axes {
        x: 0.0..100.0,
        y: 0.0..max * 1.15,
        x_desc: "forecast (bin mean above, bin below)",
        y_desc: "questions",
        x_ticks: 11,
        y_ticks: 4,
        x_fmt: &percent_tick,
        y_fmt: &count_fmt,
        x_band: 52,
        y_band: 78,
        y_grid: true,
        x_grid: false,
    };
    let hc = axes_chart(&hist, &hist_axes)?;
    for b in &s.reliability {
        if b.count > 0 {
            let a = hc.backend_coord(&(100.0 * b.lower, 0.0));
            let z = hc.backend_coord(&(100.0 * b.upper, b.count as f64));
            fill_rect(root, (a.0 + 2, a.1), (z.0 - 2, z.1), COUNTS)?;
        }
    }

    side_panel(root, r, main_top)
}

/// The totals, decomposition and skill scores as text right of the charts.
fn side_panel(root: &Area, r: &ScoreReport, top: i32) -> Drawn {
    let s = &r.scores;
    let x = CHARTS_RIGHT + 24;
    let width = f64::from(WIDTH as i32 - x - 20);
    let ci = |st: &Statistic, signed: bool| {
        let f = |v: f64| if signed { format!("{v:+.2}") } else { format!("{v:.3}") };
        let value = st.value.map_or_else(|| "-".into(), f);
        st.ci95.map_or(value.clone(), |[lo, hi]| format!("{value} [{}, {}]", f(lo), f(hi)))
    };
    let mut y = top;
    panel_title(root, "Scores (95% interval)", (x, y), width)?;
    y += 34;
    let d = &s.decomposition;
    let mut body = vec![
        format!("Brier {}", ci(&s.brier, false)),
        format!("log {}", ci(&s.log, false)),
        format!("REL {:.3} · RES {:.3} · UNC {:.3}", d.reliability, d.resolution, d.uncertainty),
        format!("within-bin: WBV {:.3} · WBC {:.3}", d.within_bin_variance, d.within_bin_covariance),
    ];
    body.extend(wrap(
        &format!(
            "log score clips p to [{}, {}]; {} open and {} annulled not scored",
            s.clip[0], s.clip[1], s.open, s.annulled
        ),
        width,
        SMALL,
    ));
    y += lines(root, &body, (x, y), Ink::new(LABEL))? + 14;
    panel_title(root, "Brier skill vs baselines", (x, y), width)?;
    y += 34;
    for k in &s.skill {
        let noun = if k.questions == 1 { "question" } else { "questions" };
        let head = format!("{} ({} {noun})", baseline_label(&k.baseline), k.questions);
        y += lines(root, &wrap(&head, width, LABEL), (x, y), Ink::new(LABEL).bold())?;
        y += lines(root, &[ci(&k.brier_skill, true)], (x + 12, y), Ink::new(LABEL).colour(INK))? + 6;
    }
    let note = format!(
        "> 0: better than the baseline. Case bootstrap, {} resamples, seed {}.",
        s.options.resamples, s.options.seed
    );
    lines(root, &wrap(&note, width, SMALL), (x, y + 4), Ink::new(SMALL).muted())?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::super::testing::well_formed;
    use crate::report::score::tests::report;

    #[test]
    fn the_diagram_shows_each_filled_bin_and_the_skill() {
        let r = report();
        let svg = super::super::score_chart(&r);
        assert_eq!(well_formed(&svg).as_deref(), Ok("svg"));
        assert!(svg.contains("How reliable are the forecasts?"));
        for b in r.scores.reliability.iter().filter(|b| b.count > 0) {
            assert!(svg.contains(&format!("\n{}/{}\n", b.yes, b.count)), "bin {}-{}", b.lower, b.upper);
        }
        assert!(svg.contains("crowd: Crowd, Inc. (1 question)"));
        assert!(svg.contains("perfect reliability"));
    }
}
