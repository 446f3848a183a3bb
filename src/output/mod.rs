//! Where `sim` writes: output files checked before any work, written together once the work
//! is done, a progress bar, and interrupts that never leave a file half written
//! (docs/ROBUSTNESS.md, "Safe output").
//!
//! An output file is written to a temporary file `.sim-PID-N.tmp` beside its target and renamed
//! over it, so a reader sees the old file or the new one, whole. Only regular files are
//! written: a device, named pipe, socket or folder as a target is refused before the run. A
//! symbolic link is followed: the file it points to is replaced and the link stays. A replaced
//! file keeps its permissions; a new one gets 0666 less the umask. Two runs that write one file
//! both succeed and the file is the last one's, whole (the rename is atomic).

mod interrupt;
mod progress;

use std::fs::{self, File, OpenOptions};
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

pub use interrupt::install_handler;

use crate::report::{Format, Summary};
use crate::scenario::error::shown;
pub use progress::Progress;

/// An output target that cannot be written: refused before any work, exit code 2.
#[derive(Debug, thiserror::Error)]
#[error("{option} {}: {message}", shown(&path.display().to_string()))]
pub struct TargetError {
    /// The option that named it (`-o`, `--plot`).
    pub option: &'static str,
    pub path: PathBuf,
    pub message: String,
}

/// An output that could not be written after the run (a full disk, a folder removed in the
/// meantime): exit code 1.
#[derive(Debug, thiserror::Error)]
#[error("cannot write {}: {}", path.as_ref().map_or("to standard output".into(), |p| shown(&p.display().to_string())), os_text(cause))]
pub struct WriteError {
    /// The file, or `None` for standard output.
    pub path: Option<PathBuf>,
    pub cause: io::Error,
}

impl WriteError {
    /// Standard output was closed by its reader (`sim … | head`): not a failure.
    pub fn is_broken_pipe(&self) -> bool {
        self.path.is_none() && self.cause.kind() == io::ErrorKind::BrokenPipe
    }
}

/// The outputs of a command, checked before its work: the result (to a file, or to standard
/// output) and an optional chart.
pub struct Outputs {
    format: Format,
    file: Option<Target>,
    chart: Option<Target>,
}

impl Outputs {
    /// Checks `-o FILE` (`-` or none: standard output) and `--plot CHART` before any work, and
    /// that neither is one of `inputs` or the other.
    pub fn check(
        format: Format,
        file: Option<&Path>,
        chart: Option<&Path>,
        inputs: &[&Path],
    ) -> Result<Outputs, TargetError> {
        let file = file.filter(|f| f.as_os_str() != "-").map(|f| Target::check("-o", f)).transpose()?;
        let chart = chart.map(|c| Target::check("--plot", c)).transpose()?;
        check_distinct(&file.iter().chain(&chart).collect::<Vec<_>>(), inputs)?;
        Ok(Outputs { format, file, chart })
    }

    /// Whether a chart is asked for.
    pub fn charts(&self) -> bool {
        self.chart.is_some()
    }

    /// Writes `summary` in the chosen format and, if asked for, the chart that `svg` draws: the
    /// files together (neither is replaced if either cannot be written), then standard output.
    pub fn write(&self, summary: &dyn Summary, svg: impl FnOnce() -> String) -> Result<(), WriteError> {
        let exporter = self.format.exporter();
        let svg = self.chart.as_ref().map(|_| svg());
        let mut files: Vec<(&Target, Content<'_>)> = Vec::new();
        if let (Some(target), Some(svg)) = (&self.chart, &svg) {
            files.push((target, Box::new(move |out: &mut dyn Write| out.write_all(svg.as_bytes()))));
        }
        let report = |out: &mut dyn Write| exporter.write(summary, out);
        match &self.file {
            Some(target) => {
                files.push((target, Box::new(report)));
                write_all(files)
            }
            None => {
                write_all(files)?;
                to_stdout(report)
            }
        }
    }

    /// Writes a shard's part file (compact JSON, one line); a part has no chart.
    pub fn write_part(&self, part: &impl serde::Serialize) -> Result<(), WriteError> {
        let content = |out: &mut dyn Write| {
            serde_json::to_writer(&mut *out, part)?;
            writeln!(out)
        };
        match &self.file {
            Some(target) => write(target, Box::new(content)),
            None => to_stdout(content),
        }
    }
}

/// Writes to standard output.
pub fn to_stdout(content: impl FnOnce(&mut dyn Write) -> io::Result<()>) -> Result<(), WriteError> {
    let mut stdout = io::stdout().lock();
    content(&mut stdout).and_then(|()| stdout.flush()).map_err(|cause| WriteError { path: None, cause })
}

/// A file to write, checked: a regular file or none yet, in a folder where `sim` can create
/// files.
#[derive(Debug, Clone)]
pub struct Target {
    /// The option that named it.
    option: &'static str,
    /// As given on the command line, for messages.
    given: PathBuf,
    /// The file actually replaced: `given`, or where its symbolic link points.
    path: PathBuf,
    /// The permissions of the file replaced, kept.
    existing: Option<fs::Permissions>,
}

impl Target {
    /// Checks that `given` (named by `option`) can be written, before any work.
    pub fn check(option: &'static str, given: &Path) -> Result<Target, TargetError> {
        let refuse = |message: String| TargetError { option, path: given.to_path_buf(), message };
        if given.as_os_str().is_empty() {
            return Err(refuse("an empty file name".into()));
        }
        let path = match fs::symlink_metadata(given) {
            Ok(m) if m.file_type().is_symlink() => fs::canonicalize(given).map_err(|e| {
                refuse(format!("a symbolic link that cannot be followed ({}); sim writes through links", os_text(&e)))
            })?,
            _ => given.to_path_buf(),
        };
        let existing = match fs::metadata(&path) {
            Ok(m) if m.is_file() => Some(m.permissions()),
            Ok(m) if m.is_dir() => return Err(refuse("a folder, not a file: name a file inside it".into())),
            Ok(m) => {
                return Err(refuse(format!("{}; sim writes only regular files", kind_of(&m.file_type()))));
            }
            // Not there yet, or under something that is not a folder (said below).
            Err(e) if matches!(e.kind(), io::ErrorKind::NotFound | io::ErrorKind::NotADirectory) => {
                if ends_with_separator(given) {
                    return Err(refuse("names a folder (it ends with a slash), not a file".into()));
                }
                None
            }
            Err(e) => return Err(refuse(os_text(&e))),
        };
        let dir = folder_of(&path);
        match fs::metadata(dir) {
            Ok(m) if m.is_dir() => {}
            Ok(_) => return Err(refuse(format!("{} is not a folder", dir.display()))),
            Err(e) => return Err(refuse(format!("cannot use the folder {}: {}", dir.display(), os_text(&e)))),
        }
        // The one sure test that a file can be created there (permissions, a read-only file
        // system, quotas): create one and remove it.
        let _writing = interrupt::writing();
        TempFile::new(dir, None)
            .map_err(|e| refuse(format!("cannot create a file in the folder {}: {}", dir.display(), os_text(&e))))?;
        Ok(Target { option, given: given.to_path_buf(), path, existing })
    }

    /// The file as named on the command line.
    pub fn given(&self) -> &Path {
        &self.given
    }

    /// Whether this target and `other` name the same file (after following links).
    pub fn is(&self, other: &Path) -> bool {
        same_file(&self.path, other)
    }
}

/// The content of one output file, written when all of a command's outputs are ready.
pub type Content<'a> = Box<dyn FnOnce(&mut dyn Write) -> io::Result<()> + 'a>;

/// Refuses outputs that are one of the command's inputs or name one file twice: writing would
/// destroy an input, or one output would silently replace the other.
pub fn check_distinct(targets: &[&Target], inputs: &[&Path]) -> Result<(), TargetError> {
    for (i, t) in targets.iter().enumerate() {
        let refuse = |message: String| TargetError { option: t.option, path: t.given.clone(), message };
        if let Some(input) = inputs.iter().find(|input| t.is(input)) {
            return Err(refuse(format!("is the input {}: sim does not overwrite its inputs", input.display())));
        }
        if let Some(other) = targets[..i].iter().find(|o| t.is(&o.path)) {
            return Err(refuse(format!(
                "is also the file of {} {}: give each output its own file",
                other.option,
                other.given.display()
            )));
        }
    }
    Ok(())
}

/// Writes every file of `outputs` to a temporary file beside it, then renames them all into
/// place; an interrupt waits for the renames to finish. If any write fails, no file is
/// replaced and no temporary file is left.
pub fn write_all(outputs: Vec<(&Target, Content<'_>)>) -> Result<(), WriteError> {
    let _writing = interrupt::writing();
    let mut ready = Vec::with_capacity(outputs.len());
    for (target, content) in outputs {
        let failed = |cause: io::Error| WriteError { path: Some(target.given.clone()), cause };
        let tmp = TempFile::new(folder_of(&target.path), target.existing.clone()).map_err(failed)?;
        tmp.fill(content).map_err(failed)?;
        ready.push((target, tmp));
    }
    for (target, tmp) in ready {
        tmp.persist(&target.path).map_err(|cause| WriteError { path: Some(target.given.clone()), cause })?;
    }
    Ok(())
}

/// Writes one output file (see [`write_all`]).
pub fn write(target: &Target, content: Content<'_>) -> Result<(), WriteError> {
    write_all(vec![(target, content)])
}

/// A temporary file, removed when dropped unless renamed into place.
struct TempFile {
    path: PathBuf,
    file: Option<File>,
}

impl TempFile {
    /// Creates `.sim-PID-N.tmp` in `dir`: with `mode`, or else 0666 less the umask.
    fn new(dir: &Path, mode: Option<fs::Permissions>) -> io::Result<TempFile> {
        static NEXT: AtomicU64 = AtomicU64::new(0);
        loop {
            let path = dir.join(format!(".sim-{}-{}.tmp", std::process::id(), NEXT.fetch_add(1, Ordering::Relaxed)));
            let mut open = OpenOptions::new();
            open.write(true).create_new(true);
            #[cfg(unix)]
            std::os::unix::fs::OpenOptionsExt::mode(&mut open, 0o666);
            match open.open(&path) {
                Ok(file) => {
                    if let Some(mode) = mode {
                        // Set explicitly: the mode given at creation is reduced by the umask.
                        file.set_permissions(mode)?;
                    }
                    return Ok(TempFile { path, file: Some(file) });
                }
                // Left by a killed run of the same process id: take the next name.
                Err(e) if e.kind() == io::ErrorKind::AlreadyExists => continue,
                Err(e) => return Err(e),
            }
        }
    }

    fn fill(&self, content: Content<'_>) -> io::Result<()> {
        let file = self.file.as_ref().expect("open until persisted");
        let mut out = BufWriter::new(file);
        content(&mut out)?;
        out.flush()?;
        drop(out);
        file.sync_all()
    }

    fn persist(mut self, to: &Path) -> io::Result<()> {
        self.file.take();
        fs::rename(&self.path, to)?;
        self.path = PathBuf::new();
        Ok(())
    }
}

impl Drop for TempFile {
    fn drop(&mut self) {
        if !self.path.as_os_str().is_empty() {
            self.file.take();
            let _ = fs::remove_file(&self.path);
        }
    }
}

/// The folder a file lives in (`.` for a bare name).
fn folder_of(path: &Path) -> &Path {
    match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    }
}

fn ends_with_separator(path: &Path) -> bool {
    path.as_os_str().to_string_lossy().ends_with(std::path::is_separator)
}

/// Whether `a` and `b` are the same file: the same device and inode for existing files, the
/// same name in the same folder (links resolved) for files not written yet.
pub fn same_file(a: &Path, b: &Path) -> bool {
    #[cfg(unix)]
    if let (Ok(x), Ok(y)) = (fs::metadata(a), fs::metadata(b)) {
        use std::os::unix::fs::MetadataExt;
        return x.dev() == y.dev() && x.ino() == y.ino();
    }
    resolved(a) == resolved(b)
}

/// `path` with its links and its folder's links resolved, as far as they exist.
fn resolved(path: &Path) -> PathBuf {
    fs::canonicalize(path).unwrap_or_else(|_| match (fs::canonicalize(folder_of(path)), path.file_name()) {
        (Ok(dir), Some(name)) => dir.join(name),
        _ => path.to_path_buf(),
    })
}

fn kind_of(t: &fs::FileType) -> &'static str {
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if t.is_char_device() || t.is_block_device() {
            return "a device, not a regular file";
        }
        if t.is_fifo() {
            return "a named pipe (FIFO), not a regular file";
        }
        if t.is_socket() {
            return "a socket, not a regular file";
        }
    }
    let _ = t;
    "not a regular file"
}

/// The operating system's text for an error, once, without the paths some wrappers add.
pub fn os_text(e: &io::Error) -> String {
    match e.raw_os_error() {
        Some(code) => io::Error::from_raw_os_error(code).to_string(),
        None => e.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(dir: &Path) -> Vec<String> {
        let mut v: Vec<String> =
            fs::read_dir(dir).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into()).collect();
        v.sort();
        v
    }

    /// Outputs are one unit: if one cannot be written, none is replaced and no temporary file
    /// stays; the message names the output, not the temporary file, and the OS text once.
    #[test]
    fn a_failed_output_replaces_none() {
        let dir = tempfile::Builder::new().prefix("output-").tempdir().unwrap();
        let (chart, report) = (dir.path().join("chart.svg"), dir.path().join("report.json"));
        fs::write(&chart, "old chart").unwrap();
        let targets = [Target::check("--plot", &chart).unwrap(), Target::check("-o", &report).unwrap()];
        let err = write_all(vec![
            (&targets[0], Box::new(|out: &mut dyn Write| out.write_all(b"new chart"))),
            (&targets[1], Box::new(|_: &mut dyn Write| Err(io::Error::from_raw_os_error(28)))),
        ])
        .unwrap_err();
        assert_eq!(err.to_string(), format!("cannot write {}: {}", report.display(), os_text(&err.cause)));
        assert!(err.to_string().contains("No space left on device"), "{err}");
        assert_eq!(fs::read_to_string(&chart).unwrap(), "old chart");
        assert_eq!(names(dir.path()), ["chart.svg"]);

        write_all(vec![
            (&targets[0], Box::new(|out: &mut dyn Write| out.write_all(b"new chart"))),
            (&targets[1], Box::new(|out: &mut dyn Write| out.write_all(b"{}"))),
        ])
        .unwrap();
        assert_eq!(fs::read_to_string(&chart).unwrap(), "new chart");
        assert_eq!(names(dir.path()), ["chart.svg", "report.json"]);
    }
}
