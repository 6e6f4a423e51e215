//! Request path of `promote_model_to_environment` against one local HTTP server, three clients
//! in the same run: raw hyper (floor), reqwest + serde (hand-written), `baseten_api::Client`.
//!
//! ```sh
//! cargo bench -p baseten-api-benches --bench request_path                 # all: sequential and 64 in flight
//! cargo bench -p baseten-api-benches --bench request_path -- sequential   # one group
//! ```
//!
//! Criterion reports time per iteration and throughput (requests/s: one element per request).
//! Sequential requests go to a server on the clients' own thread (CPU cost per request, no
//! cross-core wake-ups); 64 in flight to a server on its own thread. See `support::ServerPlacement`
//! and PERFORMANCE.md. For ratios robust to a busy machine, see `benches/benches/request_ratios.rs`.

use baseten_api_benches as support;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use support::{Clients, IN_FLIGHT, Variant, client_runtime, placements, start_server};

fn request_path(c: &mut Criterion) {
    let runtime = client_runtime();
    let (sequential_server, in_flight_server) = placements();
    // One set of clients per server (each client keeps a connection pool per address).
    let near = Clients::new(&runtime, start_server(sequential_server, &runtime));
    let far = Clients::new(&runtime, start_server(in_flight_server, &runtime));
    // Every client answers correctly before anything is measured.
    runtime.block_on(async {
        for variant in Variant::ALL {
            near.one(variant).await;
            far.batch(variant).await;
        }
    });

    let mut sequential = c.benchmark_group("promote_model_to_environment/sequential");
    sequential.throughput(Throughput::Elements(1));
    for variant in Variant::ALL {
        sequential.bench_function(variant.name(), |b| {
            b.to_async(&runtime).iter(|| near.one(variant))
        });
    }
    sequential.finish();

    let mut concurrent = c.benchmark_group("promote_model_to_environment/in_flight_64");
    concurrent.throughput(Throughput::Elements(IN_FLIGHT as u64));
    for variant in Variant::ALL {
        concurrent.bench_function(variant.name(), |b| {
            b.to_async(&runtime).iter(|| far.batch(variant))
        });
    }
    concurrent.finish();
}

criterion_group!(benches, request_path);
criterion_main!(benches);
