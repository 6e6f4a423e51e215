//! Every operation this build generated, called through the crate's public API against
//! baseten-mock: the 13 of the promotion lifecycle by default, all 183 with `--features full`
//! (CI runs both). The calls come from the generated client itself (`build/calls.rs` writes one
//! per builder), and the values from the spec the mock serves, so an operation Baseten adds is
//! called, snapshotted and decoded without editing a test.
//!
//! - `every_operation`: on the spec this crate is generated from, the request each operation
//!   puts on the wire is snapshotted, the mock accepts it (it checks parameters and body against
//!   the spec), and the answer decodes to what was sent.
//! - `captures`: the same on Baseten's own documents as captured on 2026-06-03 and 2026-08-22,
//!   for every operation the capture has: a response shaped by either version decodes.
//! - `path_segments`: every path parameter, given values that URL parsers treat specially,
//!   reaches the server as exactly its own segment, or is refused before sending.
//! - `docs`: each operation's method carries its spec summary and description, and each path
//!   parameter's setter the parameter's description.

/// The call table `build.rs` derived from the generated client.
mod calls {
    include!(concat!(env!("OUT_DIR"), "/baseten_api_calls.rs"));
}

mod answers;
mod captures;
mod docs;
mod every_operation;
mod path_segments;
mod round_trip;
mod values;
mod world;
