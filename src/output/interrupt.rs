//! Ctrl-C (SIGINT), SIGTERM (what Slurm and Kubernetes send) and SIGHUP: stop at once, exit
//! code 130, with no output file half written and no temporary file left.

use std::sync::{Mutex, MutexGuard, PoisonError};

/// Held while output files are created, written and renamed into place, so that an interrupt
/// lands either before (nothing written) or after (every file complete), never in between.
static WRITING: Mutex<()> = Mutex::new(());

pub(super) fn writing() -> MutexGuard<'static, ()> {
    WRITING.lock().unwrap_or_else(PoisonError::into_inner)
}

/// Installs the handler of SIGINT, SIGTERM and SIGHUP (once per process): it waits for any
/// output being written, clears the progress bar, prints `sim: interrupted` and exits with
/// code 130. A SIGKILL cannot be caught: it can leave a `.sim-PID-N.tmp` file beside an output.
pub fn install_handler() -> Result<(), ctrlc::Error> {
    ctrlc::set_handler(|| {
        let _writing = writing();
        super::progress::clear();
        eprintln!("sim: interrupted");
        std::process::exit(130);
    })
}
