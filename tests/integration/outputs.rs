//! Output files (docs/ROBUSTNESS.md, "Safe output"): only regular files are written, every
//! target is checked before the run, links are followed, permissions kept, outputs written
//! together after the run, nothing left behind by SIGTERM, inputs never overwritten; the
//! long-run warning; the messages of these refusals.

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

use crate::util::{SUMMIT, root, sim_output, stderr_of, success};

/// A run that would take hours: a refusal that comes within seconds came before the run.
const ENDLESS: [&str; 2] = ["--trials", "1000000000000"];

/// Refusals are immediate; a debug build on a loaded machine gets some slack.
const PROMPT: Duration = Duration::from_secs(10);

fn s(p: &Path) -> &str {
    p.to_str().expect("UTF-8 path")
}

/// Starts `sim args` from the package root, its stdout and stderr piped.
fn spawn(args: &[&str]) -> Child {
    Command::new(assert_cmd::cargo::cargo_bin!("sim"))
        .current_dir(root())
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("sim starts")
}

/// Runs `sim args` and kills it if it has not ended within [`PROMPT`].
fn sim_promptly(args: &[&str]) -> Output {
    let mut child = spawn(args);
    let start = Instant::now();
    while child.try_wait().expect("waitable").is_none() {
        if start.elapsed() > PROMPT {
            child.kill().expect("kill");
            panic!("sim {args:?} did not end within {PROMPT:?}: it started the work");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    child.wait_with_output().expect("sim ends")
}

/// Exit code 2 before any work, one `sim: error:` line that says `words`; returns the line.
fn refused(args: &[&str], words: &[&str]) -> String {
    let out = sim_promptly(args);
    let err = stderr_of(&out);
    assert_eq!(out.status.code(), Some(2), "sim {args:?}: {err}");
    assert!(out.stdout.is_empty(), "sim {args:?} printed to stdout");
    let line = match err.lines().collect::<Vec<_>>()[..] {
        [line] => line.to_string(),
        _ => panic!("sim {args:?}: stderr must be one line:\n{err}"),
    };
    assert!(line.starts_with("sim: error:"), "{line}");
    for w in words {
        assert!(line.contains(w), "sim {args:?}: no `{w}` in {line}");
    }
    assert!(!line.contains(".sim-") && !line.contains(".tmp"), "a temporary file is named: {line}");
    let clauses: Vec<&str> = line.split(": ").filter(|c| c.len() >= 12).collect();
    for (i, c) in clauses.iter().enumerate() {
        assert!(!clauses[i + 1..].contains(c), "the error repeats `{c}`: {line}");
    }
    line
}

/// A temporary folder whose name does not look like a temporary file's (`.tmp`), so that
/// messages can be checked for temporary files.
fn tempdir() -> tempfile::TempDir {
    tempfile::Builder::new().prefix("outputs-").tempdir().expect("tempdir")
}

fn listing(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> =
        std::fs::read_dir(dir).expect("dir").map(|e| e.expect("entry").file_name().to_string_lossy().into()).collect();
    names.sort();
    names
}

#[cfg(unix)]
fn mkfifo(path: &Path) {
    let status = Command::new("mkfifo").arg(path).status().expect("mkfifo runs");
    assert!(status.success());
}

#[cfg(unix)]
fn mode(path: &Path) -> u32 {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(path).expect("exists").permissions().mode() & 0o777
}

/// A named pipe stands in for a device (`-o /dev/full` once replaced the device with a regular
/// file): refused for `-o`, `--plot` and `sim report -o`, before the run, and left a pipe.
#[cfg(unix)]
#[test]
fn devices_pipes_and_folders_are_refused_before_the_run() {
    use std::os::unix::fs::FileTypeExt;
    let dir = tempdir();
    let fifo = dir.path().join("fifo");
    mkfifo(&fifo);
    let link = dir.path().join("link-to-fifo.json");
    std::os::unix::fs::symlink(&fifo, &link).expect("symlink");
    let named_pipe = ["a named pipe (FIFO), not a regular file", "sim writes only regular files"];
    for target in [&fifo, &link] {
        refused(&["run", SUMMIT, ENDLESS[0], ENDLESS[1], "-o", s(target)], &named_pipe);
        refused(&["run", SUMMIT, ENDLESS[0], ENDLESS[1], "--plot", s(target)], &["--plot", named_pipe[0]]);
        refused(&["report", SUMMIT, ENDLESS[0], ENDLESS[1], "-o", s(target)], &named_pipe);
    }
    assert!(std::fs::symlink_metadata(&fifo).expect("there").file_type().is_fifo(), "the pipe is left a pipe");
    refused(&["run", SUMMIT, ENDLESS[0], ENDLESS[1], "-o", s(dir.path())], &["a folder, not a file"]);
    assert_eq!(listing(dir.path()), ["fifo", "link-to-fifo.json"], "nothing written");
}

/// `-o .` said "Device or resource busy".
#[test]
fn the_current_folder_as_output_is_named_a_folder() {
    let line = refused(&["run", SUMMIT, ENDLESS[0], ENDLESS[1], "-o", "."], &["-o .: a folder, not a file"]);
    assert!(!line.contains("busy"), "{line}");
}

/// A missing folder, or a file where the folder should be, threw away the whole run.
#[test]
fn output_folders_are_checked_before_the_run() {
    let dir = tempdir();
    let missing = dir.path().join("missing/out.json");
    let plain = dir.path().join("plain");
    std::fs::write(&plain, "a file").expect("write");
    let under_a_file = plain.join("out.json");
    refused(&["run", SUMMIT, ENDLESS[0], ENDLESS[1], "-o", s(&missing)], &["cannot use the folder", "No such file"]);
    refused(&["run", SUMMIT, ENDLESS[0], ENDLESS[1], "-f", "json", "--plot", s(&missing)], &["--plot"]);
    refused(&["sweep", SUMMIT, "--set", "/run/seed=1,2", ENDLESS[0], ENDLESS[1], "-o", s(&under_a_file)], &["folder"]);
    refused(&["run", SUMMIT, ENDLESS[0], ENDLESS[1], "--shard", "1/2", "-o", s(&missing)], &["No such file"]);
    // A read-only folder: only for an unprivileged user (root may write anywhere).
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let locked = dir.path().join("locked");
        std::fs::create_dir(&locked).expect("mkdir");
        std::fs::set_permissions(&locked, std::fs::Permissions::from_mode(0o555)).expect("chmod");
        if std::fs::write(locked.join("probe"), "").is_err() {
            refused(
                &["run", SUMMIT, ENDLESS[0], ENDLESS[1], "-o", s(&locked.join("out.json"))],
                &["cannot create a file in the folder", "Permission denied"],
            );
        }
    }
}

/// A newline in a folder name is shown as `\n`: the error stays one line.
#[test]
fn a_line_break_in_a_folder_name_is_escaped() {
    let dir = tempdir();
    let odd = dir.path().join("two\nlines").join("missing").join("out.json");
    refused(&["run", SUMMIT, "-n", "100", "-o", s(&odd)], &["two\\nlines"]);
}

/// A symbolic link is followed: its target gets the output and the link stays a link; a link
/// to nothing is refused. A replaced file keeps its permissions; a new one honours the umask.
#[cfg(unix)]
#[test]
fn links_are_followed_and_permissions_kept() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempdir();
    let real = dir.path().join("real.json");
    let link = dir.path().join("link.json");
    std::os::unix::fs::symlink(&real, &link).expect("symlink");
    refused(&["run", SUMMIT, "-n", "100", "-o", s(&link)], &["a symbolic link that cannot be followed"]);
    std::fs::write(&real, "old").expect("write");
    std::fs::set_permissions(&real, std::fs::Permissions::from_mode(0o600)).expect("chmod");
    let args = ["run", SUMMIT, "-n", "500", "-f", "json"];
    let expected = success(&sim_output(args)).to_vec();
    success(&sim_output(args.iter().copied().chain(["-o", s(&link)])));
    assert!(std::fs::symlink_metadata(&link).expect("there").file_type().is_symlink(), "the link stays");
    assert_eq!(std::fs::read(&real).expect("written"), expected);
    assert_eq!(mode(&real), 0o600, "a private file stays private");

    let fresh = dir.path().join("fresh.json");
    let out = Command::new("sh")
        .current_dir(root())
        .args(["-c", "umask 077 && exec \"$0\" run \"$1\" -n 100 -o \"$2\""])
        .args([assert_cmd::cargo::cargo_bin!("sim").as_os_str(), SUMMIT.as_ref(), fresh.as_os_str()])
        .output()
        .expect("sh runs");
    success(&out);
    assert_eq!(mode(&fresh), 0o600, "a new file gets 0666 less the umask 077");
    assert_eq!(listing(dir.path()), ["fresh.json", "link.json", "real.json"], "no temporary file");
}

/// `--plot` was written before `-o`: a refused `-o` left a new chart beside an old report.
#[test]
fn no_output_is_written_when_another_is_refused() {
    let dir = tempdir();
    let chart = dir.path().join("chart.svg");
    std::fs::write(&chart, "old chart").expect("write");
    refused(&["run", SUMMIT, "-n", "100", "--plot", s(&chart), "-o", s(&dir.path().join("no/out.json"))], &["-o"]);
    refused(&["run", SUMMIT, "-n", "100", "--plot", s(&chart), "-o", s(&chart)], &["give each output its own file"]);
    assert_eq!(std::fs::read_to_string(&chart).expect("there"), "old chart");
    assert_eq!(listing(dir.path()), ["chart.svg"]);
}

/// `sim merge … -o parts/part-1.json` overwrote one of its own inputs; the same for a scenario.
#[test]
fn an_input_is_never_an_output() {
    let dir = tempdir();
    let mut parts = Vec::new();
    for k in 1..=2 {
        let part = dir.path().join(format!("part-{k}.json"));
        success(&sim_output(["run", SUMMIT, "-n", "300", "--shard", &format!("{k}/2"), "-o", s(&part)]));
        parts.push(part);
    }
    let before = std::fs::read(&parts[0]).expect("part");
    let respelt = dir.path().join(".").join("part-1.json");
    for output in [&parts[0], &respelt] {
        for option in ["-o", "--plot"] {
            refused(
                &["merge", s(&parts[0]), s(&parts[1]), option, s(output)],
                &[option, "is the input", "sim does not overwrite its inputs"],
            );
        }
    }
    assert_eq!(std::fs::read(&parts[0]).expect("part"), before);
    let scenario = dir.path().join("scenario.json");
    let mut v = crate::util::summit();
    v["run"]["trials"] = 100.into();
    std::fs::write(&scenario, serde_json::to_vec(&v).expect("JSON")).expect("write");
    refused(&["run", s(&scenario), "-o", s(&scenario)], &["is the input"]);
    refused(&["report", s(&scenario), "-o", s(&scenario)], &["is the input"]);
    refused(&["compare", SUMMIT, s(&scenario), "--plot", s(&scenario)], &["is the input"]);
}

/// Two runs writing one file: both succeed, and the file is one of the two outputs, whole
/// (the last rename wins); no temporary file is left.
#[test]
fn two_runs_writing_one_file_leave_one_whole_output() {
    let dir = tempdir();
    let out = dir.path().join("out.json");
    let expected: Vec<Vec<u8>> = ["1", "2"]
        .iter()
        .map(|seed| success(&sim_output(["run", SUMMIT, "-n", "20000", "-f", "json", "-s", seed])).to_vec())
        .collect();
    let children: Vec<Child> = ["1", "2"]
        .iter()
        .map(|seed| spawn(&["run", SUMMIT, "-n", "20000", "-f", "json", "-s", seed, "-o", s(&out)]))
        .collect();
    for child in children {
        let done = child.wait_with_output().expect("sim ends");
        assert_eq!(done.status.code(), Some(0), "{}", stderr_of(&done));
    }
    let written = std::fs::read(&out).expect("written");
    assert!(expected.contains(&written), "the file is one run's whole output");
    assert_eq!(listing(dir.path()), ["out.json"]);
}

/// Starts `sim args` with stderr piped and returns it once its first stderr line has come.
fn started_until_stderr(args: &[&str]) -> (Child, String) {
    let mut child = spawn(args);
    let mut line = String::new();
    BufReader::new(child.stderr.as_mut().expect("stderr")).read_line(&mut line).expect("a line on stderr");
    (child, line)
}

/// Waits for `child` to end within 5 s.
fn ended(child: &mut Child) -> std::process::ExitStatus {
    let start = Instant::now();
    loop {
        if let Some(status) = child.try_wait().expect("waitable") {
            return status;
        }
        assert!(start.elapsed() < Duration::from_secs(5), "sim did not stop within 5 s");
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// `--precision 1e-9 --trials 1e12` started a three-week run without a word. The warning
/// comes after the first second; SIGTERM (Slurm's, Kubernetes') then stops the run like
/// Ctrl-C: exit 130, the earlier output untouched and no temporary file left.
#[cfg(unix)]
#[test]
fn a_long_run_is_announced_and_sigterm_leaves_nothing_behind() {
    let dir = tempdir();
    let out = dir.path().join("out.json");
    std::fs::write(&out, "an earlier run's output").expect("write");
    for args in [
        &["run", SUMMIT, "--precision", "1e-9", "--trials", "1000000000000", "-q", "-j", "1", "-o", s(&out)][..],
        &["run", SUMMIT, "--trials", "1000000000000", "-q", "-j", "1", "-o", s(&out)][..],
        &["sweep", SUMMIT, "--set", "/run/seed=1,2", "--trials", "1000000000000", "-q", "-o", s(&out)][..],
    ] {
        let (mut child, warning) = started_until_stderr(args);
        assert!(warning.starts_with("sim: warning: "), "{args:?}: {warning}");
        let trials = if args.contains(&"sweep") { "2000000000000" } else { "1000000000000" };
        assert!(warning.contains(&format!("{trials} trials at ")), "{warning}");
        assert!(warning.contains("take ") && (warning.contains("days") || warning.contains("years")), "{warning}");
        assert_eq!(args.contains(&"--precision"), warning.contains("up to "), "{warning}");
        let kill = Command::new("kill").args(["-TERM", &child.id().to_string()]).status().expect("kill runs");
        assert!(kill.success());
        assert_eq!(ended(&mut child).code(), Some(130));
        assert_eq!(std::fs::read_to_string(&out).expect("there"), "an earlier run's output");
        assert_eq!(listing(dir.path()), ["out.json"], "no temporary file is left");
    }
}

/// A run of a few seconds or less says nothing on stderr.
#[test]
fn a_short_run_gives_no_warning() {
    let out = sim_output(["run", SUMMIT, "--trials", "200000", "-f", "json", "-j", "1"]);
    success(&out);
    assert_eq!(stderr_of(&out), "");
}
