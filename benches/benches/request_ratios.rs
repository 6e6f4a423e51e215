//! The three clients of `benches/benches/request_path.rs` in interleaved rounds, printing requests/s
//! and the ratios between them.
//!
//! Criterion measures one client after the other, so on a machine whose load changes (other
//! builds) the ratio of two of its figures mixes client cost with load drift. Here each round
//! runs every client back to back (in rotating order) and the ratios are taken per round, then
//! the median over rounds is reported: drift between rounds cancels out.
//!
//! ```sh
//! cargo bench -p baseten-api-benches --bench request_ratios
//! BENCH_ROUNDS=30 cargo bench -p baseten-api-benches --bench request_ratios      # more rounds
//! # one client only, for instruction counts (scripts/instructions.sh does this for all three,
//! # against benches/instructions-baseline.json; see PERFORMANCE.md):
//! BENCH_ONLY=baseten_api BENCH_COUNT=2000 valgrind --tool=callgrind target/release/deps/request_ratios-*
//! ```

use baseten_api_benches as support;

use std::time::Instant;

use support::{Clients, IN_FLIGHT, Variant, client_runtime, placements, start_server};

fn env_usize(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn median(values: &mut [f64]) -> f64 {
    values.sort_by(f64::total_cmp);
    let n = values.len();
    if n % 2 == 1 {
        values[n / 2]
    } else {
        (values[n / 2 - 1] + values[n / 2]) / 2.0
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Mode {
    Sequential,
    InFlight,
}

impl Mode {
    fn name(self) -> &'static str {
        match self {
            Mode::Sequential => "sequential",
            Mode::InFlight => "64 in flight",
        }
    }
}

/// Requests per second for `requests` requests (rounded to whole batches in flight).
async fn measure(clients: &Clients, variant: Variant, mode: Mode, requests: usize) -> f64 {
    let started = Instant::now();
    let sent = match mode {
        Mode::Sequential => {
            for _ in 0..requests {
                clients.one(variant).await;
            }
            requests
        }
        Mode::InFlight => {
            let batches = requests.div_ceil(IN_FLIGHT);
            for _ in 0..batches {
                clients.batch(variant).await;
            }
            batches * IN_FLIGHT
        }
    };
    sent as f64 / started.elapsed().as_secs_f64()
}

fn main() {
    // `cargo bench` passes `--bench` (and any filter); this binary takes its settings from the
    // environment instead.
    let rounds = env_usize("BENCH_ROUNDS", 15).max(1);
    let sequential = env_usize("BENCH_SEQUENTIAL", 1000);
    let in_flight = env_usize("BENCH_IN_FLIGHT", 64 * 40);

    let runtime = client_runtime();
    let (sequential_server, in_flight_server) = placements();
    let near = Clients::new(&runtime, start_server(sequential_server, &runtime));
    let far = Clients::new(&runtime, start_server(in_flight_server, &runtime));

    if let Ok(only) = std::env::var("BENCH_ONLY") {
        let variant = Variant::parse(&only).unwrap_or_else(|| {
            eprintln!("BENCH_ONLY must be one of floor_hyper, hand_written_reqwest, baseten_api");
            std::process::exit(2)
        });
        let count = env_usize("BENCH_COUNT", 2000);
        let mode = if std::env::var("BENCH_MODE").as_deref() == Ok("in_flight") {
            Mode::InFlight
        } else {
            Mode::Sequential
        };
        let clients = if mode == Mode::Sequential {
            &near
        } else {
            &far
        };
        let rate = runtime.block_on(async {
            // Connections established, pools warm, lazy statics initialised.
            clients.batch(variant).await;
            measure(clients, variant, mode, count).await
        });
        println!(
            "{} {}: {count} requests, {rate:.0} req/s",
            variant.name(),
            mode.name()
        );
        return;
    }

    println!(
        "request_ratios: {rounds} rounds; per round and client {sequential} sequential requests, \
         {in_flight} requests {IN_FLIGHT} at a time"
    );
    for mode in [Mode::Sequential, Mode::InFlight] {
        let (requests, clients, server) = match mode {
            Mode::Sequential => (sequential, &near, sequential_server),
            Mode::InFlight => (in_flight, &far, in_flight_server),
        };
        // rates[variant][round]
        let mut rates = vec![Vec::with_capacity(rounds); Variant::ALL.len()];
        runtime.block_on(async {
            for variant in Variant::ALL {
                clients.batch(variant).await; // warm-up: pools at 64 connections
                measure(clients, variant, mode, requests / 10 + 1).await;
            }
            for round in 0..rounds {
                for k in 0..Variant::ALL.len() {
                    let index = (round + k) % Variant::ALL.len();
                    let rate = measure(clients, Variant::ALL[index], mode, requests).await;
                    rates[index].push(rate);
                }
            }
        });
        let ratio = |a: usize, b: usize| {
            let mut r: Vec<f64> = (0..rounds).map(|i| rates[a][i] / rates[b][i]).collect();
            let mut sorted = r.clone();
            sorted.sort_by(f64::total_cmp);
            (median(&mut r), sorted[0], sorted[rounds - 1])
        };
        println!(
            "\n{} (server: {server:?}; requests/s: median [min – max] over rounds)",
            mode.name()
        );
        for (index, variant) in Variant::ALL.into_iter().enumerate() {
            let mut r = rates[index].clone();
            let med = median(&mut r);
            println!(
                "  {:<22} {:>9.0}  [{:.0} – {:.0}]",
                variant.name(),
                med,
                r[0],
                r[rounds - 1]
            );
        }
        let (floor, hand, krate) = (0, 1, 2);
        for (label, a, b) in [
            ("baseten_api / hand_written", krate, hand),
            ("baseten_api / floor", krate, floor),
            ("hand_written / floor", hand, floor),
        ] {
            let (med, min, max) = ratio(a, b);
            println!("  ratio {label:<27} {med:.3}  [{min:.3} – {max:.3}]");
        }
    }
}
