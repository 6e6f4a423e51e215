//! baseten-mock's integration tests, in one test binary (each file was its own binary once;
//! linking eleven against the whole dependency tree cost more CI time than running them).
//! `tests/binary.rs` stays apart: it runs the `baseten-mock` executable, which only exists with
//! the `cli` feature.

mod adversarial_timings;
mod all_operations;
mod cancel_promotion;
mod chain_reads;
mod common;
mod deployment_reads;
mod environment_reads;
mod failures;
mod faults;
mod generated_answers;
mod http_contract;
mod lifecycle;
mod module_imports;
mod pause_promotion;
mod promote_chain;
mod promote_development;
mod promote_to_environment;
mod rolling_promotion;
mod schema_conformance;
mod seeding;
mod signal_errors;
mod startup;
mod test_hooks;
mod wait_clock;
