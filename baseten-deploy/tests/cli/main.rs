//! `baseten-deploy` as CI runs it: the binary, against `baseten-mock` as a process.

mod exit_codes;
mod guarded;
mod install;
mod lifecycle;
mod outcomes;
mod output;
mod pipeline;
mod scripted;
mod support;
