//! The state a running mock shares between its [`MockServer`](crate::MockServer) handle, the
//! accept loop and the routes: [`App`], the [`lock`] they all take it with, and the request log.
//!
//! It has its own module so that imports run one way: `server` → `accept` → `routes` →
//! `operations`, each of them → `app`, and `app` imports none of them.

use std::collections::{BTreeMap, BTreeSet, VecDeque};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use crate::faults::{FaultState, ScriptedErrors};
use crate::rate_limit::RateLimiter;
use crate::spec::Spec;
use crate::state::World;
use crate::types::RecordedRequest;

/// How many requests [`MockServer::requests`](crate::MockServer::requests) remembers (the
/// oldest are forgotten first), so a long-running process does not grow without bound.
pub const REQUEST_LOG_CAPACITY: usize = 10_000;

/// State shared by the server tasks and the [`MockServer`](crate::MockServer) handle. Each part
/// has its own lock, held only for a few non-async statements.
#[derive(Debug)]
pub(crate) struct App {
    pub(crate) spec: Arc<Spec>,
    pub(crate) world: Mutex<World>,
    pub(crate) keys: Mutex<BTreeSet<String>>,
    pub(crate) rate: Mutex<RateLimiter>,
    pub(crate) faults: Mutex<FaultState>,
    pub(crate) scripted: Mutex<ScriptedErrors>,
    /// Read through [`App::requests`], written through [`App::record`], which keeps it within
    /// [`REQUEST_LOG_CAPACITY`].
    log: Mutex<VecDeque<RecordedRequest>>,
    /// Requests per operation since start: the log forgets, these do not.
    counts: Mutex<BTreeMap<String, u64>>,
    pub(crate) validate_responses: bool,
    /// Whether parameters and bodies are checked against the spec (off: answered anyway).
    pub(crate) validate_requests: bool,
}

impl App {
    pub(crate) fn new(
        spec: Arc<Spec>,
        world: World,
        keys: BTreeSet<String>,
        rate: RateLimiter,
        faults: FaultState,
        validate_responses: bool,
        validate_requests: bool,
    ) -> Self {
        Self {
            spec,
            world: Mutex::new(world),
            keys: Mutex::new(keys),
            rate: Mutex::new(rate),
            faults: Mutex::new(faults),
            scripted: Mutex::new(ScriptedErrors::default()),
            log: Mutex::new(VecDeque::new()),
            counts: Mutex::new(BTreeMap::new()),
            validate_responses,
            validate_requests,
        }
    }

    /// Appends to the request log, forgetting the oldest entry when it is full, and counts a
    /// request that matched an operation.
    pub(crate) fn record(&self, request: RecordedRequest) {
        if let Some(op) = &request.operation_id {
            *lock(&self.counts).entry(op.clone()).or_default() += 1;
        }
        let mut log = lock(&self.log);
        if log.len() == REQUEST_LOG_CAPACITY {
            log.pop_front();
        }
        log.push_back(request);
    }

    /// The request log, oldest first.
    pub(crate) fn requests(&self) -> Vec<RecordedRequest> {
        lock(&self.log).iter().cloned().collect()
    }

    /// Requests per operation id since start.
    pub(crate) fn request_counts(&self) -> BTreeMap<String, u64> {
        lock(&self.counts).clone()
    }
}

/// Locks a mutex even if a thread panicked while holding it: the mock's state stays usable, and
/// a test's own panic is reported instead of a poisoned-lock panic.
pub(crate) fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::clock::{Clock, ClockMode};
    use crate::faults::Faults;
    use crate::types::Timings;

    fn request(n: usize) -> RecordedRequest {
        RecordedRequest {
            method: "POST".to_owned(),
            path: format!("/{n}"),
            query: None,
            headers: Vec::new(),
            body: None,
            operation_id: Some("op".to_owned()),
            status: Some(200),
            response_body: None,
        }
    }

    #[test]
    fn the_request_log_forgets_the_oldest_beyond_its_capacity() {
        let app = App::new(
            Arc::clone(crate::spec::embedded_shared().unwrap()),
            World::new(Clock::new(ClockMode::Manual), Timings::default()),
            BTreeSet::new(),
            RateLimiter::new(None),
            FaultState::new(Faults::none()),
            false,
            true,
        );
        for n in 0..=REQUEST_LOG_CAPACITY {
            app.record(request(n));
        }
        let log = app.requests();
        assert_eq!(log.len(), REQUEST_LOG_CAPACITY);
        assert_eq!(log[0].path, "/1");
        assert_eq!(log.last().unwrap().path, format!("/{REQUEST_LOG_CAPACITY}"));
        // The counts do not forget.
        assert_eq!(
            app.request_counts().get("op").copied(),
            Some(REQUEST_LOG_CAPACITY as u64 + 1)
        );
    }
}
