//! Decoding response bodies: this crate's decoder (`baseten_api::decode_body`: content
//! type check, field paths on failure) against plain `serde_json::from_slice` into the same
//! generated type, and into the hand-written type of `benches/src/lib.rs` (`DeploymentV1` only).
//!
//! ```sh
//! cargo bench -p baseten-api-benches --bench decode
//! ```

use baseten_api_benches as support;

use baseten_api::types::{ChainDeploymentV1, DeploymentV1};
use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use reqwest::StatusCode;
use reqwest::header::{CONTENT_TYPE, HeaderMap, HeaderValue};
use std::hint::black_box;
use support::{DEPLOYMENT_JSON, HandDeployment, chain_deployment_json};

fn json_headers() -> HeaderMap {
    let mut headers = HeaderMap::new();
    headers.insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
    headers
}

fn decode(c: &mut Criterion) {
    let headers = json_headers();

    let body = DEPLOYMENT_JSON.as_bytes();
    let mut group = c.benchmark_group("decode/DeploymentV1");
    group.throughput(Throughput::Bytes(body.len() as u64));
    group.bench_function("serde_json::from_slice", |b| {
        b.iter(|| serde_json::from_slice::<DeploymentV1>(black_box(body)).unwrap())
    });
    group.bench_function("baseten_api::decode_body", |b| {
        b.iter(|| {
            baseten_api::decode_body::<DeploymentV1>(StatusCode::OK, &headers, black_box(body))
                .unwrap()
        })
    });
    group.bench_function("serde_json::from_slice (hand-written type)", |b| {
        b.iter(|| serde_json::from_slice::<HandDeployment>(black_box(body)).unwrap())
    });
    group.finish();

    let chain = chain_deployment_json(50);
    let body = chain.as_bytes();
    assert_eq!(
        serde_json::from_slice::<ChainDeploymentV1>(body)
            .unwrap()
            .chainlets
            .len(),
        50
    );
    let mut group = c.benchmark_group("decode/ChainDeploymentV1_50_chainlets");
    group.throughput(Throughput::Bytes(body.len() as u64));
    group.bench_function("serde_json::from_slice", |b| {
        b.iter(|| serde_json::from_slice::<ChainDeploymentV1>(black_box(body)).unwrap())
    });
    group.bench_function("baseten_api::decode_body", |b| {
        b.iter(|| {
            baseten_api::decode_body::<ChainDeploymentV1>(StatusCode::OK, &headers, black_box(body))
                .unwrap()
        })
    });
    group.finish();
}

criterion_group!(benches, decode);
criterion_main!(benches);
