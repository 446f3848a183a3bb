//! Sharded runs and `--precision`, through the command line: shards run as separate processes
//! merge to the bytes of one run in every format; `sim merge` refuses parts that do not make
//! one complete run; a precision target stops at the same trial count at any thread count and
//! meets its half-width.

use std::path::{Path, PathBuf};

use serde_json::Value;

use crate::util::{Estimate, Report, SUMMIT, sim_output, stderr_of, success};

const FORMATS: [&str; 4] = ["table", "json", "csv", "markdown"];
const VARIANT: &str = "scenarios/variants/us_pressure_up.json";
const AXIS: &str = "/mediators/1/leverage/russia/pressure=0,0.08";

fn path_str(p: &Path) -> &str {
    p.to_str().expect("UTF-8 path")
}

/// Runs `sim COMMAND... --shard K/N -o DIR/part-K.json` for every K, each in its own process,
/// and returns the part files, last shard first (merge must not depend on the order).
fn run_shards(dir: &Path, command: &[&str], count: u64) -> Vec<PathBuf> {
    let mut parts = Vec::new();
    for k in 1..=count {
        let file = dir.join(format!("part-{k}.json"));
        let shard = format!("{k}/{count}");
        let out = sim_output(command.iter().copied().chain(["--shard", &shard, "-q", "-o", path_str(&file)]));
        assert!(success(&out).is_empty(), "a shard writes its part file, not stdout");
        parts.push(file);
    }
    parts.reverse();
    parts
}

/// `sim merge PARTS -f FORMAT` (and its `--plot`), as bytes.
fn merged(parts: &[PathBuf], format: &str, plot: Option<&Path>) -> Vec<u8> {
    let mut args: Vec<&str> = vec!["merge"];
    args.extend(parts.iter().map(|p| path_str(p)));
    args.extend(["-f", format]);
    if let Some(p) = plot {
        args.extend(["--plot", path_str(p)]);
    }
    success(&sim_output(args)).to_vec()
}

/// Asserts that the shards of `command` merge, in every format, to the bytes of the unsharded
/// command.
pub fn assert_merges_to_one_run(command: &[&str], counts: &[u64]) {
    let dir = tempfile::tempdir().expect("tempdir");
    let single: Vec<Vec<u8>> =
        FORMATS.iter().map(|f| success(&sim_output(command.iter().copied().chain(["-f", f]))).to_vec()).collect();
    let single_svg = dir.path().join("single.svg");
    success(&sim_output(command.iter().copied().chain(["-f", "json", "--plot", path_str(&single_svg)])));
    for &count in counts {
        let shard_dir = dir.path().join(format!("n{count}"));
        std::fs::create_dir(&shard_dir).expect("mkdir");
        let parts = run_shards(&shard_dir, command, count);
        for (format, expected) in FORMATS.iter().zip(&single) {
            assert!(!expected.is_empty());
            let got = merged(&parts, format, None);
            assert!(got == *expected, "{count} shards of {command:?}: merged {format} differs from one run");
        }
        let merged_svg = shard_dir.join("merged.svg");
        merged(&parts, "json", Some(&merged_svg));
        assert_eq!(std::fs::read(&merged_svg).expect("chart"), std::fs::read(&single_svg).expect("chart"));
    }
}

/// 5,003 trials: more than one chunk of 4096, and not divisible by 3 or 7, so the shards have
/// uneven sizes and their boundaries cut through chunks.
#[test]
fn run_shards_merge_to_the_bytes_of_one_run() {
    assert_merges_to_one_run(&["run", SUMMIT, "--trials", "5003", "--seed", "11"], &[1, 3, 7]);
}

#[test]
fn compare_shards_merge_to_the_bytes_of_one_run() {
    assert_merges_to_one_run(&["compare", SUMMIT, VARIANT, "--trials", "3001", "--seed", "5"], &[3]);
    assert_merges_to_one_run(&["compare", SUMMIT, VARIANT, "--trials", "1001", "--independent"], &[2]);
}

#[test]
fn sweep_shards_merge_to_the_bytes_of_one_run() {
    assert_merges_to_one_run(&["sweep", SUMMIT, "--set", AXIS, "--trials", "2001", "--seed", "3"], &[3]);
}

/// The library's one-call runs (`sim::simulate_loaded`, `sim::compare_loaded`) give the very
/// report the command line prints, in every format: one path for a run.
#[test]
fn the_library_runs_as_the_command_line_does() {
    use sim::engine::paired::Streams;
    use sim::report::Format;
    let cfg = sim::RunConfig { trials: 3001, seed: 9 };
    let base = sim::scenario::load(Path::new(SUMMIT)).expect("the summit loads");
    let variant = sim::scenario::load(Path::new(VARIANT)).expect("the variant loads");
    let run = sim::simulate_loaded(&base, cfg, &|_| {}).expect("the summit runs");
    let compare = sim::compare_loaded(&[base, variant], cfg, Streams::Common, &|_| {}).expect("the pair runs");
    let formats = [Format::Table, Format::Json, Format::Csv, Format::Markdown];
    for (format, name) in formats.into_iter().zip(FORMATS) {
        let written = |summary: &dyn sim::report::Summary| {
            let mut out = Vec::new();
            format.exporter().write(summary, &mut out).expect("written");
            out
        };
        let cli = sim_output(["run", SUMMIT, "-n", "3001", "-s", "9", "-f", name]);
        assert!(written(&run) == success(&cli), "run, {name}: the library's report differs from `sim run`");
        let cli = sim_output(["compare", SUMMIT, VARIANT, "-n", "3001", "-s", "9", "-f", name]);
        assert!(written(&compare) == success(&cli), "compare, {name}: the library differs from `sim compare`");
    }
}

/// `sim merge` holds one parsed part at a time, whatever the number of parts or the command:
/// the running total is a sum, not a list of parts (docs/SCALING.md measures what that saves).
/// The census counts parts made on this thread; reading every part first, as a merge that does
/// not stream would, counts them all.
#[test]
fn a_merge_holds_one_part_at_a_time() {
    const SHARDS: u64 = 8;
    let dir = tempfile::tempdir().expect("tempdir");
    let commands: [&[&str]; 3] = [
        &["run", SUMMIT, "--trials", "800"],
        &["compare", SUMMIT, VARIANT, "--trials", "800"],
        &["sweep", SUMMIT, "--set", AXIS, "--trials", "800"],
    ];
    for command in commands {
        let shard_dir = dir.path().join(command[0]);
        std::fs::create_dir(&shard_dir).expect("mkdir");
        let parts = run_shards(&shard_dir, command, SHARDS);
        sim::shard::peak_parts_alive();
        let merged = sim::shard::merge_files(&parts).expect("the parts merge");
        drop(merged);
        assert_eq!(sim::shard::peak_parts_alive(), 1, "{}: parts held at once by the merge", command[0]);
        let all: Vec<_> = parts.iter().map(|p| sim::shard::read_part(p).expect("a part")).collect();
        assert_eq!(sim::shard::peak_parts_alive(), all.len(), "the census counts every part held");
    }
}

/// A part file's documented fields (docs/OUTPUT.md): the identity and the shard's trials.
#[test]
fn a_part_file_states_the_run_and_the_shard() {
    let dir = tempfile::tempdir().expect("tempdir");
    let parts = run_shards(dir.path(), &["run", SUMMIT, "--trials", "1000", "--seed", "4"], 3);
    let part: Value = serde_json::from_slice(&std::fs::read(&parts[0]).expect("read")).expect("JSON");
    assert_eq!(part["sim_part"], 4);
    let id = &part["identity"];
    assert_eq!(
        (id["command"].as_str(), id["seed"].as_u64(), id["trials"].as_u64()),
        (Some("run"), Some(4), Some(1000))
    );
    assert_eq!(id["version"], env!("CARGO_PKG_VERSION"));
    assert!(id["scenarios"][0]["digest"].as_str().is_some_and(|d| d.starts_with("sha256:")));
    // The last shard of 3 over 1000 trials: [floor(2000/3), 1000) = [666, 1000).
    assert_eq!((part["shard"]["index"].as_u64(), part["shard"]["count"].as_u64()), (Some(3), Some(3)));
    assert_eq!(part["trial_range"], serde_json::json!([666, 1000]));
    assert_eq!(part["result"]["run"]["tally"]["trials"], 334);
}

/// A refused command: exit code 2, one `sim: error:` line with the given words, nothing on
/// stdout.
fn assert_refused(args: &[&str], words: &[&str]) {
    let out = sim_output(args);
    let err = stderr_of(&out);
    assert_eq!(out.status.code(), Some(2), "{args:?}: exit code; stderr:\n{err}");
    assert!(!err.contains("panicked"), "{args:?} panicked:\n{err}");
    assert!(out.stdout.is_empty(), "{args:?} printed to stdout");
    let first = err.lines().next().unwrap_or_default();
    assert!(first.starts_with("sim: error:") || first.starts_with("error:"), "{args:?}: {err}");
    for w in words {
        assert!(err.contains(w), "{args:?}: the error does not say `{w}`:\n{err}");
    }
}

fn edited(dir: &Path, part: &Path, name: &str, edit: impl FnOnce(&mut Value)) -> PathBuf {
    let mut v: Value = serde_json::from_slice(&std::fs::read(part).expect("read")).expect("JSON");
    edit(&mut v);
    let file = dir.join(name);
    std::fs::write(&file, serde_json::to_vec(&v).expect("JSON")).expect("write");
    file
}

#[test]
fn merge_refuses_parts_that_do_not_make_one_run() {
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dir.path();
    let run = ["run", SUMMIT, "--trials", "600", "--seed", "2"];
    let three: Vec<PathBuf> = run_shards(&d.join("a").tap_mkdir(), &run, 3).into_iter().rev().collect();
    let other_seed = run_shards(&d.join("b").tap_mkdir(), &["run", SUMMIT, "--trials", "600", "--seed", "3"], 3);
    let other_total = run_shards(&d.join("c").tap_mkdir(), &["run", SUMMIT, "--trials", "900", "--seed", "2"], 3);
    let other_scenario = run_shards(&d.join("d").tap_mkdir(), &["run", VARIANT, "--trials", "600", "--seed", "2"], 3);
    let of_two = run_shards(&d.join("e").tap_mkdir(), &run, 2);
    let compare = run_shards(&d.join("f").tap_mkdir(), &["compare", SUMMIT, VARIANT, "--trials", "600", "-s", "2"], 3);
    let old_version = edited(d, &three[2], "old.json", |v| v["identity"]["version"] = "0.0.1".into());
    let forged = edited(d, &three[2], "forged.json", |v| v["result"]["run"]["tally"]["trials"] = 7.into());
    let no_options = edited(d, &three[2], "no-options.json", |v| {
        v["result"]["run"]["layout"]["events"][1]["terms"][0]["kind"]["options"] = serde_json::json!([]);
        v["result"]["run"]["tally"]["events"][1]["terms"][0]["options"] = serde_json::json!([]);
    });
    let moved = edited(d, &three[2], "moved.json", |v| v["trial_range"] = serde_json::json!([0, 200]));
    let truncated = d.join("truncated.json");
    let bytes = std::fs::read(&three[2]).expect("read");
    std::fs::write(&truncated, &bytes[..bytes.len() / 2]).expect("write");
    let out = d.join("merged.json");

    let p = |x: &PathBuf| path_str(x).to_string();
    let cases: Vec<(Vec<String>, PathBuf, &[&str])> = vec![
        (vec![p(&three[0]), p(&three[1]), p(&other_seed[0])], other_seed[0].clone(), &["seed 3 here, 2 there"]),
        (vec![p(&three[0]), p(&three[1]), p(&other_total[0])], other_total[0].clone(), &["trials 900 here, 600 there"]),
        (vec![p(&three[0]), p(&three[1]), p(&other_scenario[0])], other_scenario[0].clone(), &["scenario"]),
        (vec![p(&three[0]), p(&three[1]), p(&old_version)], old_version.clone(), &["version \"0.0.1\" here"]),
        (vec![p(&three[0]), p(&three[1]), p(&compare[0])], compare[0].clone(), &["command \"compare\" here"]),
        (vec![p(&three[0]), p(&three[1]), p(&of_two[0])], of_two[0].clone(), &["of 2 shards", "of 3"]),
        (vec![p(&three[0]), p(&three[1]), p(&three[1])], three[1].clone(), &["shard 2/3 is given twice"]),
        (
            vec![p(&three[0]), p(&three[2])],
            PathBuf::new(),
            &["incomplete set of parts: missing shard 2/3 (2 of 3 given)"],
        ),
        (vec![p(&three[0]), p(&three[1]), p(&forged)], forged.clone(), &["inconsistent aggregates"]),
        (vec![p(&three[0]), p(&three[1]), p(&moved)], moved.clone(), &["trial_range"]),
        (vec![p(&three[0]), p(&three[1]), p(&no_options)], no_options.clone(), &["without options"]),
        (vec![p(&three[0]), p(&three[1]), p(&truncated)], truncated.clone(), &["not a sim part file"]),
        (vec![p(&three[0]), p(&three[1]), p(&d.join("absent.json"))], d.join("absent.json"), &["cannot read"]),
    ];
    for (files, culprit, words) in cases {
        let mut args = vec!["merge".to_string()];
        args.extend(files);
        args.extend(["-f".into(), "json".into(), "-o".into(), p(&out)]);
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        // The part at fault is named; a missing shard is named by its index alone.
        let mut expected = words.to_vec();
        let culprit = p(&culprit);
        if !culprit.is_empty() {
            expected.push(&culprit);
        }
        assert_refused(&args, &expected);
        assert_eq!(stderr_of(&sim_output(&args)).lines().count(), 1, "{args:?}: one line");
        assert!(!out.exists(), "{args:?}: an output file was written");
    }
    // The complete set, in any order, is accepted.
    let args = ["merge", &p(&three[2]), &p(&three[0]), &p(&three[1])];
    success(&sim_output(args));
}

trait TapMkdir {
    fn tap_mkdir(self) -> Self;
}

impl TapMkdir for PathBuf {
    fn tap_mkdir(self) -> PathBuf {
        std::fs::create_dir(&self).expect("mkdir");
        self
    }
}

#[test]
fn shard_limits_and_combinations_are_checked() {
    for (spec, words) in [
        ("0/3", &["between 1 and 3"][..]),
        ("4/3", &["between 1 and 3"]),
        ("1/0", &["between 1 and 100000"]),
        ("1/100001", &["between 1 and 100000"]),
        ("two/3", &["not a whole number"]),
        ("3", &["expected K/N"]),
    ] {
        assert_refused(&["run", SUMMIT, "--trials", "100", "--shard", spec], words);
    }
    assert_refused(&["run", SUMMIT, "--trials", "5", "--shard", "1/6"], &["5 trials cannot be cut into 6 shards"]);
    assert_refused(&["run", SUMMIT, "--shard", "1/2", "--precision", "0.01"], &["--precision", "cannot be sharded"]);
    assert_refused(&["sweep", SUMMIT, "--set", AXIS, "--shard", "1/2", "--plot", "x.svg"], &["--plot", "sim merge"]);
    assert_refused(&["run", SUMMIT, "--precision", "0"], &["half-width above 0"]);
}

/// Every headline probability of a report: the six outcomes and the eight flags of each round.
fn headline(report: &Report) -> Vec<Estimate> {
    report.rounds.iter().flat_map(|r| r.outcomes.all().into_iter().chain(r.flags()).map(|(_, e)| *e)).collect()
}

fn widest(report: &Report) -> f64 {
    headline(report).iter().map(|e| (e.p - e.ci95[0]).max(e.ci95[1] - e.p)).fold(0.0, f64::max)
}

/// At ±0.0035 the bundled scenario needs two batches (the cap of one batch leaves the target
/// unmet, as the table says), and stops there at one thread and at two, with the same bytes.
#[test]
fn precision_stops_at_the_same_trial_count_at_any_thread_count() {
    let eps = 0.0035;
    let run = |threads: &str, cap: &str| {
        let args = ["run", SUMMIT, "--precision", "0.0035", "--trials", cap, "--threads", threads, "-f", "json"];
        success(&sim_output(args)).to_vec()
    };
    let one = run("1", "1000000");
    let two = run("2", "1000000");
    assert!(one == two, "--precision output differs between one and two threads");
    let report: Report = serde_json::from_slice(&one).expect("the JSON report");
    let stopping = report.run.precision.as_ref().expect("the report states the rule");
    assert_eq!(report.run.trials, 2 * 65_536, "two batches");
    assert!(stopping.met && stopping.half_width == eps && stopping.batch == 65_536);
    assert_eq!(stopping.max_trials, 1_000_000);
    assert!(stopping.rule.contains("95% Wilson half-width"), "{}", stopping.rule);
    assert!(widest(&report) <= eps, "widest half-width {} above {eps}", widest(&report));
    assert_eq!(stopping.widest_half_width, widest(&report));

    // One batch is not enough: the cap of 65,536 stops the run with the target unmet.
    let text = success(&sim_output(["run", SUMMIT, "--precision", "0.0035", "--trials", "65536"])).to_vec();
    let text = String::from_utf8(text).expect("UTF-8");
    assert!(text.contains("Precision: every headline probability to ±0.0035"), "{text}");
    let stated: f64 = text
        .split("(widest ±")
        .nth(1)
        .and_then(|rest| rest.split(')').next())
        .and_then(|w| w.parse().ok())
        .unwrap_or_else(|| panic!("the widest half-width is stated:\n{text}"));
    assert!(stated > eps, "one batch must not meet the target: widest {stated}");
    assert!(text.contains("target NOT met: stopped at the cap of 65536 trials"), "{text}");
}

/// A missing shard was reported under the first file's name; it is named by its index.
#[test]
fn a_missing_shard_is_named_by_its_index() {
    let dir = tempfile::tempdir().expect("tempdir");
    let parts = run_shards(dir.path(), &["run", SUMMIT, "--trials", "300"], 3);
    let out = sim_output(["merge", path_str(&parts[0]), path_str(&parts[2])]);
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(stderr_of(&out), "sim: error: incomplete set of parts: missing shard 2/3 (2 of 3 given)\n");
}

/// `./scenarios/x.json` and `scenarios/x.json` name one scenario: the parts merge, and the
/// report shows shard 1's spelling whatever the order of the parts. The same content under
/// another name is refused with a message that says only the path differs.
#[test]
fn a_scenario_path_spelt_two_ways_is_one_scenario() {
    let dir = tempfile::tempdir().expect("tempdir");
    let run = |file: &str, shard: &str, name: &str| {
        let part = dir.path().join(name);
        let args = ["run", file, "--trials", "400", "--seed", "9", "--shard", shard, "-q", "-o", path_str(&part)];
        success(&sim_output(args));
        part
    };
    let dotted = format!("./{SUMMIT}");
    let first = run(&dotted, "1/2", "part-1.json");
    let second = run(SUMMIT, "2/2", "part-2.json");
    let merged = success(&sim_output(["merge", path_str(&second), path_str(&first), "-f", "json"])).to_vec();
    let single = success(&sim_output(["run", &dotted, "--trials", "400", "--seed", "9", "-f", "json"])).to_vec();
    assert!(merged == single, "the merge shows shard 1's spelling, as one run with it");

    // One scenario file's bytes in two folders: the same digest under two paths.
    let text = serde_json::to_vec(&crate::util::summit()).expect("JSON");
    let [a, b] = ["a", "b"].map(|d| {
        std::fs::create_dir(dir.path().join(d)).expect("mkdir");
        let file = dir.path().join(d).join("s.json");
        std::fs::write(&file, &text).expect("write");
        file
    });
    let first = run(path_str(&a), "1/2", "part-1a.json");
    let elsewhere = run(path_str(&b), "2/2", "part-2b.json");
    let out = sim_output(["merge", path_str(&first), path_str(&elsewhere)]);
    let err = stderr_of(&out);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(err.contains("same content: only the path differs") && err.lines().count() == 1, "{err}");
}

/// `sim merge /dev/zero` read the device without end; reading stops at the part size limit,
/// and a folder is refused as such.
#[test]
fn merge_reads_devices_and_folders_in_bounded_time() {
    let dir = tempfile::tempdir().expect("tempdir");
    #[cfg(target_os = "linux")]
    assert_refused(&["merge", "/dev/zero"], &["/dev/zero: not a sim part file"]);
    assert_refused(&["merge", path_str(dir.path())], &["a folder, not a part file"]);
    let big = dir.path().join("big.json");
    let file = std::fs::File::create(&big).expect("create");
    file.set_len(sim::shard::MAX_PART_BYTES + 1).expect("a sparse file");
    assert_refused(&["merge", path_str(&big)], &["part files are limited to 268435456"]);
}
