//! Charts as SVG (plotters, SVG backend only: text stays text, no system fonts needed).
//!
//! Each function returns one complete SVG document (1200 × 800 px, several panels where the
//! report has several parts) for pasting into briefs or embedding in the HTML report
//! ([`crate::report::html`]). Colours follow the Okabe–Ito palette; series are also told apart
//! by dash, marker or hatching, so the charts survive greyscale printing.
//!
//! - [`run_chart`]: outcome of each round (stacked), cumulative chances with 95% bands,
//!   settlement terms.
//! - [`compare_chart`]: the headline curve of every scenario, and each variant's paired
//!   difference from the base (forest plot).
//! - [`sweep_chart`]: headline figures against one swept parameter, or a heat map over two.
//! - [`sensitivity_chart`]: a tornado chart of the inputs with the largest swing.
//! - [`sobol_chart`]: ranked first-order and total Sobol indices with their intervals.

mod compare;
mod run;
mod score;
mod sensitivity;
mod sobol;
mod style;
mod sweep;

use std::error::Error;
use std::ops::Range;

use plotters::coord::types::RangedCoordf64;
use plotters::prelude::*;

use style::{Area, GRID, MUTED, TICK, axis_font, mesh_font};

/// The run chart: (a) outcome of each round as stacked bars, (b) cumulative chance of a
/// ceasefire or settlement and of a settlement with 95% bands, (c) settlement terms.
pub fn run_chart(report: &crate::report::RunReport) -> String {
    run::chart(report)
}

/// The comparison chart: (a) "ceasefire or settlement signed" per base round for every
/// scenario, (b) each variant's paired difference from the base by the end.
pub fn compare_chart(report: &crate::report::CompareReport) -> String {
    compare::chart(report)
}

/// The sweep chart: headline figures against the parameter (one axis), or a heat map of
/// "ceasefire or settlement signed" (two axes).
pub fn sweep_chart(report: &crate::report::SweepReport) -> String {
    sweep::chart(report)
}

/// The tornado chart of a sensitivity study: the 15 inputs with the largest swing.
pub fn sensitivity_chart(report: &crate::report::SensitivityReport) -> String {
    sensitivity::chart(report)
}

/// Ranked bars of a Sobol study: first-order and total indices with their intervals.
pub fn sobol_chart(report: &crate::report::SobolReport) -> String {
    sobol::chart(report)
}

/// The reliability diagram of `sim score`, with the totals and skill scores beside it.
pub fn score_chart(report: &crate::report::ScoreReport) -> String {
    score::chart(report)
}

/// A chart with numeric axes on both sides.
type Chart<'a, 'b> = ChartContext<'a, SVGBackend<'b>, Cartesian2d<RangedCoordf64, RangedCoordf64>>;

/// How to draw the axes of a [`Chart`].
struct Axes<'s> {
    x: Range<f64>,
    y: Range<f64>,
    x_desc: &'s str,
    y_desc: &'s str,
    /// Number of x ticks plotters may choose; 0 when the caller writes its own labels.
    x_ticks: usize,
    y_ticks: usize,
    x_fmt: &'s dyn Fn(&f64) -> String,
    y_fmt: &'s dyn Fn(&f64) -> String,
    /// Height of the band under the plot for x labels, width of the band left of it.
    x_band: u32,
    y_band: u32,
    /// Grid lines across the plot for y (horizontal) and x (vertical) ticks.
    y_grid: bool,
    x_grid: bool,
}

impl Axes<'_> {
    /// Percent of trials on y (0 to `y_max` percent), nothing written on x.
    fn percent<'s>(x: Range<f64>, y_max: f64, y_desc: &'s str, fmt: &'s dyn Fn(&f64) -> String) -> Axes<'s> {
        Axes {
            x,
            y: 0.0..y_max,
            x_desc: "",
            y_desc,
            x_ticks: 0,
            y_ticks: 11,
            x_fmt: &|_| String::new(),
            y_fmt: fmt,
            x_band: 84,
            y_band: 78,
            y_grid: true,
            x_grid: false,
        }
    }

    /// One row per ranked item (`n` of them, nothing written on y, a band `y_band` wide left of
    /// the plot for their names), the measure on x with vertical grid lines.
    fn ranked<'s>(
        x: Range<f64>,
        n: usize,
        x_desc: &'s str,
        x_fmt: &'s dyn Fn(&f64) -> String,
        (x_band, y_band): (u32, u32),
    ) -> Axes<'s> {
        Axes {
            x,
            y: 0.0..n as f64,
            x_desc,
            y_desc: "",
            x_ticks: 10,
            y_ticks: 0,
            x_fmt,
            y_fmt: &|_| String::new(),
            x_band,
            y_band,
            y_grid: false,
            x_grid: true,
        }
    }
}

/// `12%`, `2.5%`, for percent axes (as many decimals as the tick needs, at most two).
fn percent_tick(v: &f64) -> String {
    format!("{}%", style::short(*v))
}

/// `+4`, `-2.5`, `0`, for axes of differences.
fn signed_tick(v: &f64) -> String {
    let s = style::short(*v);
    if s == "0" || s.starts_with('-') { s } else { format!("+{s}") }
}

/// Builds a chart in `area` and draws its axes and grid.
fn axes_chart<'a, 'b>(area: &'a Area<'b>, axes: &Axes) -> Result<Chart<'a, 'b>, Box<dyn Error>> {
    let mut chart = build_chart(area, axes)?;
    draw_mesh(&mut chart, axes)?;
    Ok(chart)
}

/// Builds a chart in `area` without drawing anything, so that backgrounds can go under the
/// grid ([`draw_mesh`] draws it).
fn build_chart<'a, 'b>(area: &'a Area<'b>, axes: &Axes) -> Result<Chart<'a, 'b>, Box<dyn Error>> {
    Ok(ChartBuilder::on(area)
        .margin_top(8)
        .margin_right(14)
        .x_label_area_size(axes.x_band)
        .y_label_area_size(axes.y_band)
        .build_cartesian_2d(axes.x.clone(), axes.y.clone())?)
}

/// Draws the axes and grid of a chart.
fn draw_mesh(chart: &mut Chart, axes: &Axes) -> style::Drawn {
    let mut mesh = chart.configure_mesh();
    if !axes.x_grid {
        mesh.disable_x_mesh();
    }
    if !axes.y_grid {
        mesh.disable_y_mesh();
    }
    mesh.x_labels(axes.x_ticks)
        .y_labels(axes.y_ticks)
        .x_label_formatter(axes.x_fmt)
        .y_label_formatter(axes.y_fmt)
        .label_style(mesh_font(TICK))
        .axis_desc_style(axis_font())
        .bold_line_style(GRID.stroke_width(1))
        .light_line_style(TRANSPARENT)
        .axis_style(MUTED.stroke_width(1));
    if !axes.x_desc.is_empty() {
        mesh.x_desc(axes.x_desc);
    }
    if !axes.y_desc.is_empty() {
        mesh.y_desc(axes.y_desc);
    }
    mesh.draw()?;
    Ok(())
}

/// The pixel rectangle of a chart's plotting area: `(left, top, right, bottom)`.
/// A chart of `n` ranked rows, the first at the top: built on `area`, every other row shaded
/// between the x pixels `shade` under the grid, the mesh drawn; with the height of a row.
fn ranked_rows<'a, 'b>(
    root: &Area,
    area: &'a Area<'b>,
    axes: &Axes,
    n: usize,
    shade: (i32, i32),
) -> Result<(Chart<'a, 'b>, i32), Box<dyn Error>> {
    let mut ch = build_chart(area, axes)?;
    let row_h = ch.backend_coord(&(0.0, 0.0)).1 - ch.backend_coord(&(0.0, 1.0)).1;
    for k in (1..n).step_by(2) {
        let cy = ch.backend_coord(&(0.0, n as f64 - k as f64 - 0.5)).1;
        root.draw(&Rectangle::new([(shade.0, cy - row_h / 2), (shade.1, cy + row_h / 2)], style::ROW_SHADE.filled()))?;
    }
    draw_mesh(&mut ch, axes)?;
    Ok((ch, row_h))
}

fn plot_bounds(chart: &Chart) -> (i32, i32, i32, i32) {
    let area = chart.plotting_area();
    let (x, y) = area.get_base_pixel();
    let (w, h) = area.dim_in_pixel();
    (x, y, x + w as i32, y + h as i32)
}

#[cfg(test)]
pub(crate) mod testing {
    //! Reports from a real scenario with few trials, shared by the chart and HTML tests, and
    //! a well-formedness check for the markup.

    use std::path::{Path, PathBuf};
    use std::sync::OnceLock;

    use crate::engine::RunConfig;
    use crate::engine::paired::Streams;
    use crate::report::{CompareReport, RunReport, SensitivityReport, SweepReport};
    use crate::scenario::{self, LoadedScenario};
    use crate::study::sensitivity::{Options, sensitivity};
    use crate::study::sweep::{Axis, sweep};

    fn path(rel: &str) -> PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR")).join(rel)
    }

    fn cfg(trials: u64) -> RunConfig {
        RunConfig { trials, seed: 7 }
    }

    pub(crate) fn loaded() -> &'static LoadedScenario {
        static L: OnceLock<LoadedScenario> = OnceLock::new();
        L.get_or_init(|| scenario::load(&path("scenarios/istanbul_summit.json")).expect("the shipped scenario loads"))
    }

    pub(crate) fn run() -> &'static RunReport {
        static R: OnceLock<RunReport> = OnceLock::new();
        R.get_or_init(|| crate::simulate_loaded(loaded(), cfg(3000), &|_| {}).expect("the shipped scenario compiles"))
    }

    pub(crate) fn compare() -> &'static CompareReport {
        static C: OnceLock<CompareReport> = OnceLock::new();
        C.get_or_init(|| {
            let files = ["scenarios/istanbul_summit.json", "scenarios/variants/us_pressure_up.json"]
                .into_iter()
                .chain(["scenarios/variants/summit_not_held.json", "scenarios/variants/russia_absent.json"]);
            let all: Vec<LoadedScenario> =
                files.map(|f| scenario::load(&path(f)).expect("the shipped variants load")).collect();
            crate::compare_loaded(&all, cfg(1000), Streams::Common, &|_| {}).expect("the shipped variants compile")
        })
    }

    pub(crate) fn sweep_report(specs: &[&str]) -> SweepReport {
        let axes: Vec<Axis> = specs.iter().map(|s| Axis::parse(s).expect("a valid axis")).collect();
        let points = sweep(loaded(), &axes, cfg(400), &|_| {}).expect("the sweep runs");
        SweepReport::new(loaded(), &axes, cfg(400), &points)
    }

    pub(crate) fn sensitivity_report() -> &'static SensitivityReport {
        static S: OnceLock<SensitivityReport> = OnceLock::new();
        S.get_or_init(|| {
            let l = loaded();
            let round = l.body.bargaining().expect("a bargaining scenario").rounds.len() - 1;
            let opts = Options { figure: None, low: 0.1, high: 0.9 };
            let study = sensitivity(l, round, &opts, cfg(200), &|_| {}).expect("the study runs");
            SensitivityReport::new(
                l,
                &l.body.bargaining().expect("a bargaining scenario").rounds[round].id,
                &opts,
                cfg(200),
                study,
            )
        })
    }

    /// Checks that every tag is closed in order, that attributes are quoted, and that no raw
    /// `<` or `&` sits in text. Skips `<!...>` and `<?...?>`. Returns the root element's name.
    pub(crate) fn well_formed(doc: &str) -> Result<String, String> {
        let mut stack: Vec<String> = Vec::new();
        let mut root: Option<String> = None;
        let mut rest = doc;
        while let Some(open) = rest.find('<') {
            check_text(&rest[..open])?;
            rest = &rest[open..];
            if rest.starts_with("<!--") {
                let end = rest.find("-->").ok_or("unclosed comment")?;
                rest = &rest[end + 3..];
                continue;
            }
            if rest.starts_with("<!") || rest.starts_with("<?") {
                let end = rest.find('>').ok_or("unclosed declaration")?;
                rest = &rest[end + 1..];
                continue;
            }
            let end = tag_end(rest).ok_or_else(|| format!("unclosed tag at {:?}", &rest[..rest.len().min(40)]))?;
            let tag = &rest[1..end];
            rest = &rest[end + 1..];
            if let Some(name) = tag.strip_prefix('/') {
                let name = name.trim();
                match stack.pop() {
                    Some(top) if top == name => {}
                    other => return Err(format!("</{name}> closes {other:?}")),
                }
                continue;
            }
            let self_closing = tag.ends_with('/');
            let body = tag.trim_end_matches('/');
            let name: String = body.chars().take_while(|c| !c.is_whitespace()).collect();
            if name.is_empty() || !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == ':') {
                return Err(format!("bad tag name in <{tag}>"));
            }
            check_attributes(&body[name.len()..])?;
            if stack.is_empty() && root.is_none() {
                root = Some(name.clone());
            } else if stack.is_empty() {
                return Err(format!("second root element <{name}>"));
            }
            if !self_closing {
                stack.push(name);
            }
        }
        check_text(rest)?;
        if let Some(open) = stack.last() {
            return Err(format!("<{open}> is never closed"));
        }
        root.ok_or_else(|| "no element".to_string())
    }

    /// The `>` that ends the tag starting at `s[0]`, outside quoted attribute values.
    fn tag_end(s: &str) -> Option<usize> {
        let mut quote = None;
        for (i, c) in s.char_indices().skip(1) {
            match (quote, c) {
                (None, '"' | '\'') => quote = Some(c),
                (Some(q), c) if c == q => quote = None,
                (None, '>') => return Some(i),
                (None, '<') => return None,
                _ => {}
            }
        }
        None
    }

    fn check_attributes(s: &str) -> Result<(), String> {
        let mut rest = s.trim();
        while !rest.is_empty() {
            let eq = rest.find('=').ok_or_else(|| format!("attribute without value: {rest}"))?;
            let name = rest[..eq].trim();
            if name.is_empty() || name.contains(char::is_whitespace) {
                return Err(format!("bad attribute name {name:?}"));
            }
            let after = rest[eq + 1..].trim_start();
            let q = after.chars().next().filter(|c| *c == '"' || *c == '\'').ok_or("unquoted attribute")?;
            let close = after[1..].find(q).ok_or("unterminated attribute")?;
            check_text(&after[1..1 + close])?;
            rest = after[close + 2..].trim_start();
        }
        Ok(())
    }

    fn check_text(s: &str) -> Result<(), String> {
        let mut rest = s;
        while let Some(i) = rest.find('&') {
            let end = rest[i..].find(';').ok_or_else(|| format!("raw & in {s:?}"))?;
            let entity = &rest[i + 1..i + end];
            let named = ["lt", "gt", "amp", "quot", "apos"].contains(&entity);
            let numeric =
                entity.strip_prefix('#').is_some_and(|n| !n.is_empty() && n.chars().all(|c| c.is_ascii_digit()));
            if !named && !numeric {
                return Err(format!("unknown entity &{entity};"));
            }
            rest = &rest[i + end + 1..];
        }
        if s.contains('>') && !s.trim().is_empty() && s.contains('<') {
            return Err(format!("raw markup in text {s:?}"));
        }
        Ok(())
    }

    #[test]
    fn the_checker_catches_broken_markup() {
        assert_eq!(well_formed("<svg a=\"1\"><g><text>x &amp; y</text></g><rect/></svg>").as_deref(), Ok("svg"));
        assert!(well_formed("<svg><g></svg>").is_err());
        assert!(well_formed("<svg><text>a & b</text></svg>").is_err());
        assert!(well_formed("<svg a=1></svg>").is_err());
        assert!(well_formed("<svg></svg><svg></svg>").is_err());
        assert!(well_formed("<svg>").is_err());
    }
}
