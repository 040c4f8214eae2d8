#![allow(dead_code)] // shared by several benches, each using a part
//! What the benchmarks share: criterion driven with flat sampling, every
//! single duration kept, and p50/p99/p99.9/mean/max computed from the
//! measurement phase (warm-up calls left out), printed as a table and, with
//! `LOKET_BENCH_REPORT=FILE`, appended to FILE as the rows of BENCHMARKS.md
//! (`scripts/bench.sh` regenerates its results from those).
//!
//! Quick mode (small data, each measurement a moment): `LOKET_BENCH_QUICK=1`,
//! or automatically under `cargo test --benches`, where criterion runs each
//! routine once. The test command runs it so the benches' own checks run in CI.

use std::fmt::Write as _;
use std::time::Duration;

use criterion::{Criterion, SamplingMode};

pub struct Stat {
    pub name: String,
    pub n: usize,
    pub p50: Duration,
    pub p99: Duration,
    pub p999: Duration,
    pub mean: Duration,
    pub max: Duration,
}

/// Nearest-rank percentile of sorted durations.
pub fn percentile(sorted: &[Duration], p: f64) -> Duration {
    let rank = ((p * sorted.len() as f64).ceil() as usize).clamp(1, sorted.len());
    sorted[rank - 1]
}

impl Stat {
    pub fn of(name: String, mut d: Vec<Duration>) -> Stat {
        d.sort();
        // `LOKET_BENCH_TAIL=1`: the slowest 2 % of each measurement, to tell
        // a smooth tail from a few stalls.
        if std::env::var_os("LOKET_BENCH_TAIL").is_some() && d.len() >= 50 {
            let tail: Vec<String> = d[d.len() - d.len() / 50..].iter().map(|t| ms(*t)).collect();
            println!("tail of {name}: {}", tail.join(" "));
        }
        let total: Duration = d.iter().sum();
        Stat {
            name,
            n: d.len(),
            p50: percentile(&d, 0.50),
            p99: percentile(&d, 0.99),
            p999: percentile(&d, 0.999),
            mean: total / d.len() as u32,
            max: *d.last().unwrap(),
        }
    }
}

pub fn ms(d: Duration) -> String {
    format!("{:.3}", d.as_secs_f64() * 1e3)
}

/// Small data and short measurements: set by `LOKET_BENCH_QUICK=1`, and
/// implied when the binary was not started by `cargo bench` (which passes
/// `--bench`), i.e. under `cargo test --benches`.
pub fn quick() -> bool {
    std::env::var_os("LOKET_BENCH_QUICK").is_some_and(|v| v == "1")
        || !std::env::args().any(|a| a == "--bench")
}

/// How criterion should drive one benchmark.
#[derive(Clone, Copy)]
pub struct Plan {
    pub samples: usize,
    pub warm_up: Duration,
    pub measure: Duration,
}

impl Plan {
    pub fn new(samples: usize, warm_up_ms: u64, measure_ms: u64) -> Plan {
        let (warm_up_ms, measure_ms) = if quick() {
            (warm_up_ms.min(20), measure_ms.min(100))
        } else {
            (warm_up_ms, measure_ms)
        };
        Plan {
            samples,
            warm_up: Duration::from_millis(warm_up_ms),
            measure: Duration::from_millis(measure_ms),
        }
    }
}

pub struct Bench {
    pub c: Criterion,
    pub stats: Vec<Stat>,
    pub notes: Vec<String>,
    /// The command that reproduces these figures, e.g. `cargo bench --bench core`.
    pub command: String,
    /// The dataset's short name in BENCHMARKS.md, e.g. `core-100k`.
    pub dataset: String,
}

impl Bench {
    /// A bench run: criterion configured from the command line, no plots.
    pub fn new(bench: &str, dataset: &str) -> Bench {
        let mut command = format!("cargo bench --bench {bench}");
        if quick() {
            command = format!("LOKET_BENCH_QUICK=1 {command}");
        }
        Bench {
            c: Criterion::default()
                .without_plots()
                .nresamples(10_000)
                .configure_from_args(),
            stats: Vec::new(),
            notes: vec![format!(
                "machine: {} CPUs, load average at start {}",
                std::thread::available_parallelism().map_or(0, |n| n.get()),
                load_average()
            )],
            command,
            dataset: dataset.to_owned(),
        }
    }

    /// Runs `one` (one iteration, returning its own timed duration so setup
    /// stays outside the clock) under criterion with flat sampling, and
    /// keeps every duration of the measurement phase.
    pub fn measure(
        &mut self,
        group: &str,
        name: &str,
        plan: Plan,
        mut one: impl FnMut() -> Duration,
    ) -> Option<&Stat> {
        // One entry per call of the routine: the warm-up calls come first, then
        // exactly `samples` calls for the measurement (flat sampling).
        let mut calls: Vec<Vec<Duration>> = Vec::new();
        {
            let mut g = self.c.benchmark_group(group);
            g.sampling_mode(SamplingMode::Flat)
                .sample_size(plan.samples)
                .warm_up_time(plan.warm_up)
                .measurement_time(plan.measure);
            g.bench_function(name, |b| {
                b.iter_custom(|iters| {
                    let batch: Vec<Duration> = (0..iters).map(|_| one()).collect();
                    let total = batch.iter().sum();
                    calls.push(batch);
                    total
                })
            });
            g.finish();
        }
        if calls.is_empty() {
            return None; // filtered out
        }
        let keep = plan.samples.min(calls.len());
        let durations = calls[calls.len() - keep..].concat();
        self.stats
            .push(Stat::of(format!("{group}/{name}"), durations));
        self.stats.last()
    }

    /// Runs timed outside criterion (a few long ones), as one row.
    pub fn series(&mut self, name: &str, d: Vec<Duration>) {
        self.stats.push(Stat::of(name.to_owned(), d));
    }

    /// A single timed run outside criterion (setup checks), in the table with n = 1.
    pub fn once(&mut self, name: &str, d: Duration) {
        self.stats.push(Stat::of(name.to_owned(), vec![d]));
    }

    pub fn stat(&self, name: &str) -> Option<&Stat> {
        self.stats.iter().find(|s| s.name == name)
    }
}

/// The 1, 5 and 15 minute load averages: other work on the machine skews every figure.
pub fn load_average() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .map(|s| s.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_else(|_| "unknown".into())
}

/// Prints the summary table and, with `LOKET_BENCH_REPORT=FILE`, appends
/// this run's notes and rows (naming command, dataset and samples) to FILE.
pub fn finish(b: &mut Bench, title: &str, extra: &str) {
    b.notes
        .push(format!("load average at the end {}", load_average()));
    let mut out = table(b, title);
    out.push_str(extra);
    print!("{out}");
    let Some(path) = std::env::var_os("LOKET_BENCH_REPORT") else {
        return;
    };
    let mut md = format!("\n### {title}\n\n");
    for n in &b.notes {
        let _ = writeln!(md, "- {n}");
    }
    let _ = writeln!(
        md,
        "\n| benchmark | command | dataset | n | p50 | p99 | p99.9 | max |\n|---|---|---|--:|--:|--:|--:|--:|"
    );
    for s in &b.stats {
        let _ = writeln!(
            md,
            "| {} | `{}` | {} | {} | {} | {} | {} | {} |",
            s.name,
            b.command,
            b.dataset,
            s.n,
            ms(s.p50),
            ms(s.p99),
            ms(s.p999),
            ms(s.max)
        );
    }
    md.push_str(extra);
    use std::io::Write as _;
    let written = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(&path)
        .and_then(|mut f| f.write_all(md.as_bytes()));
    if let Err(e) = written {
        eprintln!("cannot write the report to {}: {e}", path.to_string_lossy());
    }
}

/// The notes and the table of every measurement, as printed at the end of a run.
pub fn table(b: &Bench, title: &str) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "\n==== {title}: summary (milliseconds) ====");
    for n in &b.notes {
        let _ = writeln!(out, "{n}");
    }
    let width = b
        .stats
        .iter()
        .map(|s| s.name.len())
        .max()
        .unwrap_or(10)
        .max(10);
    let _ = writeln!(
        out,
        "\n| {:width$} | {:>6} | {:>9} | {:>9} | {:>9} | {:>9} | {:>9} |",
        "benchmark", "n", "p50", "p99", "p99.9", "mean", "max"
    );
    let _ = writeln!(
        out,
        "|{}|{}:|{}",
        "-".repeat(width + 2),
        "-".repeat(7),
        "----------:|".repeat(5)
    );
    for s in &b.stats {
        let _ = writeln!(
            out,
            "| {:width$} | {:>6} | {:>9} | {:>9} | {:>9} | {:>9} | {:>9} |",
            s.name,
            s.n,
            ms(s.p50),
            ms(s.p99),
            ms(s.p999),
            ms(s.mean),
            ms(s.max)
        );
    }
    out
}
