//! Criterion benchmarks of the engine on the bundled scenarios. Results and the machine they
//! ran on are recorded in BENCHMARKS.md.

use std::hint::black_box;
use std::path::Path;

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use sim::engine::{self, Model, RunConfig, TrialRecord, TrialRng};
use sim::model::MediatedNash;
use sim::scenario;

const SCENARIOS: [&str; 2] = ["istanbul_summit", "istanbul_2025"];

fn model(name: &str) -> MediatedNash {
    let file = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios").join(format!("{name}.json"));
    let loaded = scenario::load(&file).expect("bundled scenario loads");
    MediatedNash::new(&loaded.scenario)
}

/// The cost of one trial, single-threaded.
fn one_trial(c: &mut Criterion) {
    let mut group = c.benchmark_group("trial");
    for name in SCENARIOS {
        let m = model(name);
        let mut scratch = m.scratch();
        let mut record = TrialRecord::new(m.layout());
        let mut t = 0u64;
        group.bench_function(name, |b| {
            b.iter(|| {
                m.run_trial(&TrialRng::new(1, t), &mut scratch, &mut record);
                t += 1;
                black_box(&record);
            })
        });
    }
    group.finish();
}

/// A whole run, at two sizes and on one and two threads.
fn whole_run(c: &mut Criterion) {
    let m = model("istanbul_summit");
    let mut group = c.benchmark_group("run");
    group.sample_size(10);
    for trials in [10_000u64, 100_000] {
        group.throughput(Throughput::Elements(trials));
        for threads in [1usize, 2] {
            let pool = rayon::ThreadPoolBuilder::new().num_threads(threads).build().expect("thread pool");
            group.bench_with_input(BenchmarkId::new(format!("{threads}-thread"), trials), &trials, |b, &trials| {
                b.iter(|| pool.install(|| black_box(engine::run(&m, RunConfig { trials, seed: 1 }, &|_| {}))))
            });
        }
    }
    group.finish();
}

criterion_group!(benches, one_trial, whole_run);
criterion_main!(benches);
