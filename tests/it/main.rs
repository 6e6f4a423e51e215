//! The client's integration tests, in one test binary: each file was its own binary once, and
//! linking nine binaries against the whole dependency tree cost more CI time than running them.
//!
//! - `wire`: the bytes each operation sends (snapshots), and decoding what the API answers;
//! - `faults`: the network and the server misbehaving (raw TCP server in `support`);
//! - `hostile_input`: path parameters, base URLs and keys an attacker controls;
//! - `decode_props`: arbitrary bytes and JSON into every decoder;
//! - `config`: building a client, from code and from the environment;
//! - `generated_code`: the generated source (snapshot) and the README's examples;
//! - `build_rules`: build.rs's rewriting rules on small inputs;
//! - `areas`: which operations each cargo feature generates (build/areas.rs);
//! - `guarded_on_the_mock`: guarded promotions on baseten-mock's simulated clock.
//!
//! `tests/observability.rs` stays a binary of its own: tracing caches per call site whether any
//! subscriber is interested, process-wide, so a span first hit by another test's thread (with no
//! subscriber) can be missed by the subscriber that test installs.

mod areas;
mod build_rules;
mod config;
mod decode_props;
mod faults;
mod generated_code;
mod guarded_on_the_mock;
mod hostile_input;
mod lifecycle;
mod module_imports;
mod support;
mod waiters;
mod waiters_on_the_mock;
mod wire;
