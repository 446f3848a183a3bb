//! The engine and everything above it work from a model's declaration: a model defined here,
//! a coin flipped once per round, reports outcomes, a flag, a value per round, an event with
//! a mark and a term, and a trial-level answer. It runs through `run`, `compare`, `sweep`,
//! shards and `merge`, and every output format and chart, without any mediated-Nash type; its
//! figures are checked against the binomial law within four Monte Carlo standard errors.

use sim::engine::paired::{Streams, run_paired, run_paired_range};
use sim::engine::rng::uniform01;
use sim::engine::{
    CHUNK, EventSpec, FigureOf, FigureSpec, FlagSpec, Layout, Model, Name, Reads, RoundInfo, RunConfig, Site, Tally,
    TermKind, TermSpec, TrialRecord, TrialRng, ValueSpec,
};
use sim::report::{CompareReport, Format, RunReport, ScenarioId, Summary, SweepReport};
use sim::shard::{Merged, PART_LAYOUT, Part, PartResult, RunIdentity, Shard};
use sim::study::sweep::{Axis, Point};

const ROUNDS: usize = 8;
/// The event: the third head.
const THIRD: usize = 3;
/// The event's mark: the third head came by this round.
const EARLY: usize = 4;

/// Each round a coin shows heads with probability `p`; a uniform draw on [0, 1] is the round's
/// value. The event is the third head, its term the round it came in, its mark "by round 4";
/// the question asks whether heads outnumber tails.
struct CoinFlip {
    layout: Layout,
    p: f64,
    site: Site,
}

impl CoinFlip {
    fn new(p: f64) -> CoinFlip {
        let layout = Layout {
            model: "coin_flip".into(),
            rounds: (1..=ROUNDS)
                .map(|t| RoundInfo { id: format!("r{t}"), label: format!("flip {t}"), date: None })
                .collect(),
            outcomes: vec![Name::new("heads", "heads"), Name::new("tails", "tails")],
            stack: vec![0, 1],
            flags: vec![FlagSpec::new("any_heads", "heads so far", Reads::ByEnd)],
            values: vec![ValueSpec {
                key: "draw".into(),
                label: "draw".into(),
                unit: "unit".into(),
                min: 0.0,
                max: 1.0,
            }],
            events: vec![EventSpec {
                key: "third_head".into(),
                label: "third head".into(),
                marks: vec![Name::new("early", "came by flip 4")],
                terms: vec![TermSpec {
                    issue: "flip".into(),
                    label: "flip of the third head".into(),
                    kind: TermKind::Continuous { min: 0.0, max: ROUNDS as f64, unit: "flips".into() },
                }],
            }],
            questions: vec![Name::new("majority", "more heads than tails")],
            figures: vec![
                FigureSpec { key: "heads".into(), label: "heads in the flip".into(), of: FigureOf::Outcome(0) },
                FigureSpec { key: "any_heads".into(), label: "heads so far".into(), of: FigureOf::Flag(0) },
            ],
            headline: vec![1, 0],
            per_round: vec![0],
            headline_values: vec![],
        };
        layout.check().expect("a coherent layout");
        CoinFlip { layout, p, site: Site::named("coin") }
    }
}

impl Model for CoinFlip {
    type Scratch = ();

    fn layout(&self) -> &Layout {
        &self.layout
    }

    fn scratch(&self) {}

    fn run_trial(&self, rng: &TrialRng, _: &mut (), record: &mut TrialRecord) {
        let mut s = rng.stream(self.site);
        let mut heads = 0;
        record.events[0] = false;
        record.marks[0] = false;
        record.terms[0] = 0.0;
        for t in 0..ROUNDS {
            let head = uniform01(&mut s) < self.p;
            heads += usize::from(head);
            record.outcome[t] = usize::from(!head);
            record.flags_mut(t)[0] = heads > 0;
            record.values_mut(t)[0] = uniform01(&mut s);
            if head && heads == THIRD {
                record.events[0] = true;
                record.marks[0] = t < EARLY;
                record.terms[0] = (t + 1) as f64;
            }
        }
        record.answers[0] = 2 * heads > ROUNDS;
    }
}

fn choose(n: usize, k: usize) -> f64 {
    (0..k).fold(1.0, |c, i| c * (n - i) as f64 / (i + 1) as f64)
}

/// P(Binomial(n, p) >= k).
fn at_least(k: usize, n: usize, p: f64) -> f64 {
    (k..=n).map(|j| choose(n, j) * p.powi(j as i32) * (1.0 - p).powi((n - j) as i32)).sum()
}

/// P(the third head comes at flip k), negative binomial.
fn third_at(k: usize, p: f64) -> f64 {
    choose(k - 1, THIRD - 1) * p.powi(THIRD as i32) * (1.0 - p).powi((k - THIRD) as i32)
}

fn id() -> ScenarioId {
    ScenarioId {
        file: "coin_flip (tests/integration/engine.rs)".into(),
        title: "Coin flip".into(),
        as_of: "2026-01-01".into(),
        digest: "sha256:none".into(),
        rationale: None,
        hindsight: false,
    }
}

fn run_report(model: &CoinFlip, cfg: RunConfig) -> RunReport {
    let tally = sim::engine::run(model, cfg, &|_| {});
    RunReport::of(&id(), cfg, model.layout(), &tally, None)
}

fn json(summary: &dyn Summary) -> serde_json::Value {
    let mut out = Vec::new();
    Format::Json.exporter().write(summary, &mut out).expect("written");
    serde_json::from_slice(&out).expect("valid JSON")
}

fn text(summary: &dyn Summary, format: Format) -> String {
    let mut out = Vec::new();
    format.exporter().write(summary, &mut out).expect("written");
    String::from_utf8(out).expect("UTF-8")
}

/// `x` is within four standard errors `se` of `expected`.
fn close(what: &str, x: f64, expected: f64, se: f64) {
    assert!((x - expected).abs() <= 4.0 * se, "{what}: {x}, expected {expected} within 4 x {se}");
}

/// Every figure of the report, read back from its JSON, agrees with the binomial law.
#[test]
fn a_model_defined_here_reports_what_the_binomial_law_says() {
    let p = 0.45;
    let n = 40_000;
    let model = CoinFlip::new(p);
    let v = json(&run_report(&model, RunConfig { trials: n, seed: 11 }));
    let nf = n as f64;
    let se_of = |q: f64, n: f64| (q * (1.0 - q) / n).sqrt();
    assert_eq!(v["sim"]["model"], "coin_flip");
    for t in 0..ROUNDS {
        let r = &v["rounds"][t];
        let heads = r["outcomes"]["heads"]["count"].as_u64().expect("a count");
        let tails = r["outcomes"]["tails"]["count"].as_u64().expect("a count");
        assert_eq!(heads + tails, n, "flip {t}: one outcome per trial");
        close(&format!("heads at flip {t}"), heads as f64 / nf, p, se_of(p, nf));
        let any = 1.0 - (1.0 - p).powi(t as i32 + 1);
        close(&format!("heads by flip {t}"), r["any_heads"]["p"].as_f64().expect("p"), any, se_of(any, nf));
        // Uniform draws: mean 1/2, variance 1/12, fourth central moment 1/80.
        let draw = &r["values"]["draw"];
        let (var, mu4) = (1.0 / 12.0, 1.0 / 80.0);
        close("draw mean", draw["mean"].as_f64().expect("mean"), 0.5, (var / nf).sqrt());
        let se_var = ((mu4 - var * var) / nf).sqrt();
        close("draw sd", draw["sd"].as_f64().expect("sd"), var.sqrt(), se_var / (2.0 * var.sqrt()));
        close("draw se", draw["se"].as_f64().expect("se"), (var / nf).sqrt(), se_var / (2.0 * var.sqrt()) / nf.sqrt());
    }
    let event = &v["third_head"];
    let reached = at_least(THIRD, ROUNDS, p);
    let k = event["reached"]["count"].as_u64().expect("a count") as f64;
    close("third head", k / nf, reached, se_of(reached, nf));
    let early = at_least(THIRD, EARLY, p) / reached;
    close("early, given a third head", event["early"]["p"].as_f64().expect("p"), early, se_of(early, k));
    // The flip of the third head, given one: moments of the truncated negative binomial.
    let law: Vec<(f64, f64)> = (THIRD..=ROUNDS).map(|j| (j as f64, third_at(j, p) / reached)).collect();
    let mean: f64 = law.iter().map(|(j, q)| j * q).sum();
    let var: f64 = law.iter().map(|(j, q)| (j - mean).powi(2) * q).sum();
    let mu4: f64 = law.iter().map(|(j, q)| (j - mean).powi(4) * q).sum();
    let term = &event["terms"][0];
    assert_eq!(term["kind"], "continuous");
    close("flip of the third head", term["mean"].as_f64().expect("mean"), mean, (var / k).sqrt());
    let se_sd = ((mu4 - var * var) / k).sqrt() / (2.0 * var.sqrt());
    close("sd of that flip", term["sd"].as_f64().expect("sd"), var.sqrt(), se_sd);
    close("se of its mean", term["se"].as_f64().expect("se"), (var / k).sqrt(), se_sd / k.sqrt());
    let majority = at_least(ROUNDS / 2 + 1, ROUNDS, p);
    let q = &v["questions"][0];
    assert_eq!(q["key"], "majority");
    close("majority", q["answer"]["p"].as_f64().expect("p"), majority, se_of(majority, nf));
}

/// Table, Markdown and CSV show the model's own names, and nothing of mediated Nash; the
/// run chart draws it.
#[test]
fn every_format_and_the_chart_show_the_declared_names() {
    let report = run_report(&CoinFlip::new(0.5), RunConfig { trials: 2000, seed: 3 });
    let text_names = ["heads", "tails", "flip 8", "third head", "came by flip 4", "more heads than tails", "draw"];
    let csv_names = ["heads", "tails", "r8", "third_head", "early", "majority", "draw"];
    for (format, names) in [(Format::Table, text_names), (Format::Markdown, text_names), (Format::Csv, csv_names)] {
        let out = text(&report, format);
        for name in names {
            assert!(out.contains(name), "{format:?} lacks `{name}`:\n{out}");
        }
        for foreign in ["settlement", "ceasefire", "collapse"] {
            assert!(!out.contains(foreign), "{format:?} mentions `{foreign}`:\n{out}");
        }
    }
    let csv = text(&report, Format::Csv);
    // Per flip: 2 outcomes and 1 flag x 5 rows, 6 rows of the value; the event: 2 x 5 + 6;
    // the question: 5; the header.
    assert_eq!(csv.lines().count(), ROUNDS * (3 * 5 + 6) + 16 + 5 + 1, "{csv}");
    let svg = sim::plot::run_chart(&report);
    assert!(svg.starts_with("<svg") && svg.contains("third head") && svg.contains("heads so far"));
    assert!(!svg.contains("settlement"));
}

/// Under common random numbers a coin with a higher `p` shows heads whenever a lower one does,
/// so the paired run sees no trial where the lower coin alone shows heads: the discordant
/// count equals the difference of the counts. The comparison and a sweep over `p` report it.
#[test]
fn compare_and_sweep_run_the_model_defined_here() {
    let (low, high) = (CoinFlip::new(0.4), CoinFlip::new(0.55));
    let cfg = RunConfig { trials: 3 * CHUNK + 77, seed: 5 };
    let paired = run_paired(&[&low, &high], cfg, Streams::Common, &|_| {});
    for t in 0..ROUNDS {
        let (a, b) = (paired.tallies[0].round_outcomes(t)[0], paired.tallies[1].round_outcomes(t)[0]);
        assert!(b >= a, "flip {t}");
        assert_eq!(paired.discordant[0][t].as_ref().expect("same rounds")[0], b - a, "flip {t}");
    }
    let layouts = [low.layout(), high.layout()];
    let report = CompareReport::of(&[id(), id()], &layouts, cfg, Streams::Common, &paired);
    let v = json(&report);
    let end = v["end"].as_array().expect("figures by the end");
    assert_eq!(end[0]["figure"], "heads");
    let diff = end[0]["variants"][0]["difference"]["diff"].as_f64().expect("a difference");
    let se = end[0]["variants"][0]["difference"]["se"].as_f64().expect("a standard error");
    close("difference of heads", diff, 0.15, se);
    // The third head's flip, compared with its sd and se beside each mean.
    let term = &v["terms"][0];
    assert_eq!((term["event"].as_str(), term["issue"].as_str()), (Some("third_head"), Some("flip")));
    assert!(term["base_sd"].as_f64().is_some() && term["variants"][0]["se"].as_f64().is_some(), "{term}");
    assert!(text(&report, Format::Table).contains("Heads in the flip per round of the base"));
    assert!(sim::plot::compare_chart(&report).contains("Heads so far by the end of each round"));

    let ps = [0.2, 0.5, 0.8];
    let points: Vec<Point> = ps
        .iter()
        .map(|&p| {
            let m = CoinFlip::new(p);
            let tally = sim::engine::run(&m, cfg, &|_| {});
            Point { values: vec![p.into()], layout: m.layout().clone(), tally }
        })
        .collect();
    let axes = [Axis { pointer: "/p".into(), values: ps.iter().map(|&p| p.into()).collect() }];
    let sweep = SweepReport::of(&id(), &axes, cfg, &points);
    let v = json(&sweep);
    for (i, &p) in ps.iter().enumerate() {
        let e = &v["points"][i]["end"][1];
        assert_eq!(e["figure"], "any_heads");
        let any = 1.0 - (1.0 - p).powi(ROUNDS as i32);
        close(
            "heads so far",
            e["estimate"]["p"].as_f64().expect("p"),
            any,
            (any * (1.0 - any) / cfg.trials as f64).sqrt(),
        );
    }
    assert!(text(&sweep, Format::Table).contains("heads so far"));
    assert!(sim::plot::sweep_chart(&sweep).starts_with("<svg"));
}

fn part(command: &str, scenarios: usize, cfg: RunConfig, shard: Shard, result: PartResult) -> Part {
    let range = shard.trials(cfg.trials);
    let mut identity = RunIdentity {
        command: command.into(),
        version: env!("CARGO_PKG_VERSION").into(),
        seed: cfg.seed,
        trials: cfg.trials,
        scenarios: vec![id(); scenarios],
        options: serde_json::Map::new(),
    };
    if command == "compare" {
        identity.options.insert("common_random_numbers".into(), true.into());
    }
    Part {
        sim_part: PART_LAYOUT,
        identity,
        shard,
        trial_range: [range.start, range.end],
        result,
        alive: Default::default(),
    }
}

/// Parts written to files and read back merge to the report of the unsharded run, byte for
/// byte in JSON; a part whose tally does not fit its layout is refused.
#[test]
fn shards_of_the_model_defined_here_merge_to_the_whole_run() {
    let (low, high) = (CoinFlip::new(0.3), CoinFlip::new(0.6));
    let cfg = RunConfig { trials: 2 * CHUNK + 999, seed: 8 };
    let dir = tempfile::tempdir().expect("a temporary directory");
    let write = |name: String, p: &Part| {
        let file = dir.path().join(name);
        std::fs::write(&file, serde_json::to_vec(p).expect("serializes")).expect("written");
        file
    };
    let mut runs = Vec::new();
    let mut compares = Vec::new();
    for k in 1..=3 {
        let shard = Shard::new(k, 3).expect("a shard");
        let range = shard.trials(cfg.trials);
        let tally = sim::engine::run_range(&low, cfg.seed, range.clone(), &|_| {});
        let result = PartResult::Run { layout: Box::new(low.layout().clone()), tally: Box::new(tally) };
        runs.push(write(format!("run-{k}.json"), &part("run", 1, cfg, shard, result)));
        let paired = run_paired_range(&[&low, &high], cfg.seed, range, Streams::Common, &|_| {});
        let layouts = vec![low.layout().clone(), high.layout().clone()];
        compares.push(write(
            format!("compare-{k}.json"),
            &part("compare", 2, cfg, shard, PartResult::Compare { layouts, paired }),
        ));
    }
    let Ok(Merged::Run(merged)) = sim::shard::merge_files(&runs) else { panic!("the run parts merge") };
    assert_eq!(json(merged.as_ref()), json(&run_report(&low, cfg)));
    let Ok(Merged::Compare(merged)) = sim::shard::merge_files(&compares) else { panic!("the compare parts merge") };
    let paired = run_paired(&[&low, &high], cfg, Streams::Common, &|_| {});
    let whole = CompareReport::of(&[id(), id()], &[low.layout(), high.layout()], cfg, Streams::Common, &paired);
    assert_eq!(json(&merged), json(&whole));

    // A tally with a round fewer than its layout.
    let mut bad = sim::shard::read_part(&runs[0]).expect("a valid part");
    if let PartResult::Run { tally, .. } = &mut bad.result {
        tally.outcomes.pop();
    }
    runs[0] = write("bad.json".into(), &bad);
    let refused = sim::shard::merge_files(&runs).err().expect("refused");
    assert!(refused.to_string().contains("rounds"), "{refused}");
}

/// `engine::run` merges exact chunk tallies: the tally, fixed-point sums included, is the same
/// on a pool of one thread and of two, the same as trials run one by one into one reused
/// record, and `progress` ends at the trial count.
#[test]
fn engine_result_does_not_depend_on_the_thread_pool() {
    let model = CoinFlip::new(0.5);
    let cfg = RunConfig { trials: 3 * CHUNK + 123, seed: 5 };
    let run_on = |threads: usize| {
        let pool = rayon::ThreadPoolBuilder::new().num_threads(threads).build().expect("a pool");
        let done = std::sync::Mutex::new(Vec::new());
        let tally = pool.install(|| sim::engine::run(&model, cfg, &|n| done.lock().unwrap().push(n)));
        (tally, done.into_inner().unwrap())
    };
    let (one, progress) = run_on(1);
    let (two, _) = run_on(2);
    assert_eq!(one, two, "tallies differ between one and two threads");
    assert_eq!(progress.last(), Some(&cfg.trials));
    assert!(progress.windows(2).all(|w| w[0] < w[1]), "progress must increase: {progress:?}");

    let mut serial = Tally::new(model.layout());
    let mut record = TrialRecord::new(model.layout());
    for t in 0..cfg.trials {
        model.run_trial(&TrialRng::new(cfg.seed, t), &mut (), &mut record);
        serial.add(&record);
    }
    assert_eq!(serial, one);
}
