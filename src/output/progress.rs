//! The progress bar, and the warning that a run will take more than an hour.

use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

/// The progress bar on screen, if any, for an interrupt to clear.
static BAR: Mutex<Option<ProgressBar>> = Mutex::new(None);

/// Clears the progress bar on screen, if any.
pub(super) fn clear() {
    if let Some(bar) = BAR.lock().ok().and_then(|mut b| b.take()) {
        bar.finish_and_clear();
    }
}

/// How long a run is timed before its length is estimated.
const PILOT: Duration = Duration::from_secs(1);
/// A run estimated to take longer than this gets a warning on stderr.
const LONG_RUN: Duration = Duration::from_secs(3600);
/// The bar appears only once the work has taken this long, so quick runs stay silent.
const SHOW_AFTER: Duration = Duration::from_millis(500);

/// Progress of a run of `total` trials: a bar on stderr if enabled, once the work has taken
/// half a second; and, whether or not the bar is enabled, a warning on stderr if the rate
/// measured over a second of trials puts the whole run over an hour. The second starts at the
/// first trials reported, so time spent before them (loading, compiling a sweep's points) does
/// not count as a slow rate.
pub struct Progress {
    bar: ProgressBar,
    start: Instant,
    total: u64,
    /// `total` is a cap (`--precision`): the run may stop earlier.
    capped: bool,
    enabled: bool,
    shown: AtomicBool,
    estimated: AtomicBool,
    /// When the first trials were reported, and how many.
    pilot: Mutex<Option<(Instant, u64)>>,
}

impl Progress {
    pub fn new(total: u64, enabled: bool) -> Progress {
        let bar = ProgressBar::with_draw_target(Some(total), ProgressDrawTarget::hidden());
        bar.set_style(
            ProgressStyle::with_template("{spinner} {human_pos}/{human_len} trials [{wide_bar}] {percent}% ETA {eta}")
                .expect("a valid template")
                .progress_chars("=> "),
        );
        Progress {
            bar,
            start: Instant::now(),
            total,
            capped: false,
            enabled,
            shown: AtomicBool::new(false),
            estimated: AtomicBool::new(false),
            pilot: Mutex::new(None),
        }
    }

    /// `total` is at most what the run will do (`--precision` stops once the target is met).
    pub fn capped(mut self) -> Progress {
        self.capped = true;
        self
    }

    /// `done` trials of `total` are done.
    pub fn update(&self, done: u64) {
        let elapsed = self.start.elapsed();
        if !self.estimated.load(Ordering::Relaxed)
            && let Some(warning) = self.estimate(Instant::now(), done)
        {
            self.bar.suspend(|| eprintln!("{warning}"));
        }
        if !self.enabled {
            return;
        }
        self.bar.set_position(done);
        if elapsed > SHOW_AFTER && !self.shown.swap(true, Ordering::Relaxed) {
            self.bar.set_draw_target(ProgressDrawTarget::stderr());
            if let Ok(mut shown) = BAR.lock() {
                *shown = Some(self.bar.clone());
            }
        }
    }

    /// Times the first second of trials from `done` reported at `now`; then, once, the warning
    /// if the run will be long.
    fn estimate(&self, now: Instant, done: u64) -> Option<String> {
        let mut pilot = self.pilot.lock().ok()?;
        let (t0, d0) = *pilot.get_or_insert((now, done));
        let measured = now.duration_since(t0);
        if measured < PILOT || self.estimated.swap(true, Ordering::Relaxed) {
            return None;
        }
        let rate = done.saturating_sub(d0) as f64 / measured.as_secs_f64();
        let left = self.total.saturating_sub(done);
        let estimate = now.duration_since(self.start).as_secs_f64() + left as f64 / rate;
        long_run_warning(self.total, rate, measured, estimate, self.capped)
    }
}

impl Drop for Progress {
    fn drop(&mut self) {
        if let Ok(mut shown) = BAR.lock() {
            shown.take();
        }
        self.bar.finish_and_clear();
    }
}

/// The warning for a run of `total` trials estimated to take `estimate` seconds at `rate`
/// trials per second (measured over `measured`), if that is longer than an hour.
fn long_run_warning(total: u64, rate: f64, measured: Duration, estimate: f64, capped: bool) -> Option<String> {
    // NaN (no trial measured): no warning on no evidence.
    if estimate.is_nan() || estimate <= LONG_RUN.as_secs_f64() {
        return None;
    }
    let up_to = if capped { "up to " } else { "" };
    Some(format!(
        "sim: warning: {up_to}{total} trials at {} trials/s (the rate over {:.1} s) take {up_to}{}; \
         Ctrl-C stops the run",
        rate.round(),
        measured.as_secs_f64(),
        duration(estimate)
    ))
}

/// A long duration in words: "about 3.2 hours", "about 21 days".
fn duration(seconds: f64) -> String {
    let (value, unit) = if !seconds.is_finite() {
        return "longer than an hour".into();
    } else if seconds < 48.0 * 3600.0 {
        (seconds / 3600.0, "hours")
    } else if seconds < 2.0 * 365.25 * 86400.0 {
        (seconds / 86400.0, "days")
    } else {
        (seconds / (365.25 * 86400.0), "years")
    };
    if value < 10.0 { format!("about {value:.1} {unit}") } else { format!("about {value:.0} {unit}") }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_run_over_an_hour_at_the_measured_rate_is_announced() {
        let second = Duration::from_secs(1);
        assert_eq!(long_run_warning(3_600_000, 1000.0, second, 3600.0, false), None);
        let w = long_run_warning(3_601_000, 1000.0, second, 3601.0, false).expect("over an hour");
        assert!(w.contains("3601000 trials at 1000 trials/s (the rate over 1.0 s) take about 1.0 hours"), "{w}");
        let w = long_run_warning(1_000_000_000_000, 250_000.0, second, 4e6, true).expect("over an hour");
        assert!(w.contains("up to 1000000000000 trials at 250000 trials/s") && w.contains("about 46 days"), "{w}");
        assert_eq!(long_run_warning(10, 0.0, second, f64::NAN, false), None);
        assert!(long_run_warning(10, 0.0, second, f64::INFINITY, false).unwrap().contains("longer than an hour"));
    }

    /// Time before the first trials (loading, compiling a sweep's points) does not count as a
    /// slow rate; the rate is of the trials over the pilot second.
    #[test]
    fn setting_up_is_not_timed() {
        let at = |p: &Progress, ms: u64| p.start + Duration::from_millis(ms);
        // 10,000 trials; the first reported after 10 s of set-up, then 1,000 more in a second.
        let p = Progress::new(10_000, false);
        assert_eq!(p.estimate(at(&p, 10_000), 1), None);
        assert_eq!(p.estimate(at(&p, 10_500), 500), None, "still timing");
        assert_eq!(p.estimate(at(&p, 11_000), 1001), None, "about 20 s in all");
        assert!(p.estimated.load(Ordering::Relaxed));
        // The same rate over 10 million trials: about 2.8 hours.
        let p = Progress::new(10_000_000, false);
        assert_eq!(p.estimate(at(&p, 10_000), 1), None);
        let w = p.estimate(at(&p, 11_000), 1001).expect("a long run");
        assert!(w.contains("10000000 trials at 1000 trials/s (the rate over 1.0 s) take about 2.8 hours"), "{w}");
        assert_eq!(p.estimate(at(&p, 12_000), 2001), None, "warned once");
    }
}
