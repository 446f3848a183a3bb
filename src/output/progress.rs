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
/// measured over the first second puts the whole run over an hour.
pub struct Progress {
    bar: ProgressBar,
    start: Instant,
    total: u64,
    /// `total` is a cap (`--precision`): the run may stop earlier.
    capped: bool,
    enabled: bool,
    shown: AtomicBool,
    estimated: AtomicBool,
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
        if elapsed >= PILOT && !self.estimated.swap(true, Ordering::Relaxed) {
            if let Some(warning) = long_run_warning(self.total, done, elapsed, self.capped) {
                self.bar.suspend(|| eprintln!("{warning}"));
            }
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
}

impl Drop for Progress {
    fn drop(&mut self) {
        if let Ok(mut shown) = BAR.lock() {
            shown.take();
        }
        self.bar.finish_and_clear();
    }
}

/// The warning for a run of `total` trials of which `done` took `elapsed`, if at that rate the
/// whole run takes longer than an hour.
fn long_run_warning(total: u64, done: u64, elapsed: Duration, capped: bool) -> Option<String> {
    let rate = done as f64 / elapsed.as_secs_f64();
    let estimate = if done == 0 { f64::INFINITY } else { total as f64 / rate };
    if estimate <= LONG_RUN.as_secs_f64() {
        return None;
    }
    let up_to = if capped { "up to " } else { "" };
    Some(format!(
        "sim: warning: {up_to}{total} trials at {} trials/s (the rate of the first {:.1} s) take {up_to}{}; \
         Ctrl-C stops the run",
        rate.round(),
        elapsed.as_secs_f64(),
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
        // 1,000 trials/s: 3,600,000 trials take exactly an hour, one more is over it.
        assert_eq!(long_run_warning(3_600_000, 1000, second, false), None);
        let w = long_run_warning(3_601_000, 1000, second, false).expect("over an hour");
        assert!(w.contains("3601000 trials at 1000 trials/s") && w.contains("take about 1.0 hours"), "{w}");
        let w = long_run_warning(1_000_000_000_000, 500_000, 2 * second, true).expect("over an hour");
        assert!(w.contains("up to 1000000000000 trials at 250000 trials/s") && w.contains("about 46 days"), "{w}");
        assert!(long_run_warning(10, 0, second, false).expect("no trial done").contains("longer than an hour"));
    }
}
