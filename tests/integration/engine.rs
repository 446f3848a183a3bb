//! The engine is generic: a model defined here, a discrete war of attrition, runs through
//! `sim::engine::run` and its tally gives the known expected duration.

use sim::engine::rng::uniform01;
use sim::engine::tally::TermTally;
use sim::engine::{
    CHUNK, Layout, Model, Outcome, RoundInfo, RoundRecord, RunConfig, Site, Tally, TermKind, TermSpec, TrialRecord,
    TrialRng,
};

const ROUNDS: usize = 60;

/// Each round each of two sides concedes with probability q = c / (V + c) (the mixed
/// equilibrium of a war of attrition over a prize V at cost c per round); the war ends in the
/// first round where at least one side concedes. Terms: that round, and a uniform draw (so
/// that the tally's floating-point sums are not exact and their merge order matters).
struct Attrition {
    layout: Layout,
    q: f64,
    sites: [Site; 3],
}

impl Attrition {
    fn new(prize: f64, cost: f64) -> Attrition {
        let term = |issue: &str, max: f64| TermSpec {
            issue: issue.into(),
            label: issue.into(),
            kind: TermKind::Continuous { min: 0.0, max, unit: "rounds".into() },
        };
        Attrition {
            layout: Layout {
                rounds: (1..=ROUNDS)
                    .map(|t| RoundInfo { id: format!("r{t}"), label: format!("round {t}"), date: None })
                    .collect(),
                terms: vec![term("duration", ROUNDS as f64), term("noise", 1.0)],
                ceasefire_options: None,
            },
            q: cost / (prize + cost),
            sites: ["attrition:side0", "attrition:side1", "attrition:noise"].map(Site::named),
        }
    }
}

impl Model for Attrition {
    type Scratch = ();

    fn layout(&self) -> &Layout {
        &self.layout
    }

    fn scratch(&self) {}

    fn run_trial(&self, rng: &TrialRng, _: &mut (), record: &mut TrialRecord) {
        // One sub-stream per side, drawn once per round.
        let mut sides = [rng.stream(self.sites[0]), rng.stream(self.sites[1])];
        record.settled = false;
        record.leverage_dependent = false;
        record.ceasefire_option = None;
        for (t, round) in record.rounds.iter_mut().enumerate() {
            if !record.settled {
                let concede = sides.each_mut().map(|s| uniform01(s) < self.q);
                if concede[0] || concede[1] {
                    record.settled = true;
                    record.terms[0] = (t + 1) as f64;
                    record.terms[1] = uniform01(&mut rng.stream(self.sites[2]));
                }
            }
            let outcome = if record.settled { Outcome::Settlement } else { Outcome::TalksNoDeal };
            *round = RoundRecord { outcome, ceasefire_in_force: false };
        }
    }
}

fn settled_by(tally: &Tally, round: usize) -> u64 {
    tally.outcomes[round][Outcome::Settlement.index()]
}

/// With P = 1 - (1 - q)^2 the duration T is geometric, E[T] = 1 / P = 121/21 = 5.762 for
/// V = 10, c = 1. The model stops looking after 60 rounds, so the tally gives D = min(T, 61),
/// E[D] = (1 - (1 - P)^61) / P (6e-5 below 1/P). Its distribution is read off the
/// per-round settlement counts; the mean is compared with E[D] within four standard errors
/// of the sample (sd about 5.2, the geometric's sqrt(1 - P) / P).
#[test]
fn war_of_attrition_lasts_as_long_as_the_geometric_law_says() {
    let model = Attrition::new(10.0, 1.0);
    let n = 20_000;
    let tally = sim::engine::run(&model, RunConfig { trials: n, seed: 99 }, &|_| {});
    assert_eq!(tally.trials, n);

    let p = 1.0 - (1.0 - model.q).powi(2);
    assert!((1.0 / p - 5.762).abs() < 5e-4, "1/P = {}", 1.0 / p);
    let expected = (1.0 - (1.0 - p).powi(ROUNDS as i32 + 1)) / p;

    // P(D = k) for k = 1..=60 from the counts, and D = 61 for the rest.
    let mut previous = 0;
    let (mut sum, mut sum_sq, mut weighted_rounds) = (0.0, 0.0, 0.0);
    for k in 1..=ROUNDS {
        let settled = settled_by(&tally, k - 1);
        assert!(settled >= previous, "settlement must be absorbing");
        let ended = (settled - previous) as f64;
        sum += ended * k as f64;
        sum_sq += ended * (k * k) as f64;
        weighted_rounds += ended * k as f64;
        previous = settled;
        let total: u64 = tally.outcomes[k - 1].iter().sum();
        assert_eq!(total, n, "round {k}: each trial has exactly one outcome");
    }
    let censored = (n - previous) as f64;
    sum += censored * (ROUNDS + 1) as f64;
    sum_sq += censored * ((ROUNDS + 1) * (ROUNDS + 1)) as f64;
    let mean = sum / n as f64;
    let var = (sum_sq - n as f64 * mean * mean) / (n - 1) as f64;
    let se = (var / n as f64).sqrt();
    assert!((mean - expected).abs() < 4.0 * se, "mean duration {mean}, expected {expected}, se {se}");
    assert!((var.sqrt() - (1.0 - p).sqrt() / p).abs() < 0.5, "sd {} far from the geometric's", var.sqrt());

    // The tally of the `duration` term agrees with the per-round counts.
    assert_eq!(tally.settled, previous);
    match &tally.terms[0] {
        TermTally::Continuous { min, max, bins, .. } => {
            let (mean, _) = tally.terms[0].moments(previous).expect("some trials settled");
            let quantum = (max - min) * 0.5f64.powi(sim::engine::tally::SUM_BITS as i32 + 1);
            let exact = weighted_rounds / previous as f64;
            assert!((mean - exact).abs() <= quantum, "mean duration over settled trials {mean}, exactly {exact}");
            assert_eq!(bins.iter().sum::<u64>(), previous);
        }
        other => panic!("duration is continuous: {other:?}"),
    }
}

/// `engine::run` merges exact chunk tallies: the tally, fixed-point sums included, is the same
/// on a pool of one thread and of two, and `progress` ends at the trial count.
#[test]
fn engine_result_does_not_depend_on_the_thread_pool() {
    let model = Attrition::new(10.0, 1.0);
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

    // The same trials run one by one give the same tally.
    let mut serial = Tally::new(model.layout());
    let mut record = TrialRecord::new(model.layout());
    for t in 0..cfg.trials {
        model.run_trial(&TrialRng::new(cfg.seed, t), &mut (), &mut record);
        serial.add(&record);
    }
    assert_eq!(serial.outcomes, one.outcomes);
    assert_eq!(serial.settled, one.settled);
}
