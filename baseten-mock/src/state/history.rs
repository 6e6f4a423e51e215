//! Every change of a model environment's promotions, with the simulated time it happened at:
//! what a test compares a waiter's observations with (how late did it see the end?).

use std::time::Duration;

use super::World;
use crate::types::PromotionEvent;

/// How many events an environment keeps (the oldest are forgotten first), so a long-running
/// process does not grow without bound. A rolling promotion makes about `100 / step_percent`.
pub const HISTORY_CAPACITY: usize = 1000;

impl World {
    /// Records the environment's promotion as it is now, if that is a change.
    pub(super) fn note_promotion(&mut self, model_id: &str, env: &str, at: Duration) {
        let Some(promotion) = self
            .env_rec(model_id, env)
            .and_then(|env| env.promotion.as_ref())
        else {
            return;
        };
        let event = PromotionEvent {
            at,
            deployment_id: promotion.candidate.clone(),
            status: promotion.status,
            percent_traffic: promotion.traffic,
        };
        self.push_event(model_id, env, event);
    }

    /// Appends an event unless it repeats the last one (a step that changed nothing visible).
    pub(super) fn push_event(&mut self, model_id: &str, env: &str, event: PromotionEvent) {
        let log = self
            .history
            .entry((model_id.to_owned(), env.to_owned()))
            .or_default();
        let repeat = log.back().is_some_and(|last| {
            (&last.deployment_id, last.status, last.percent_traffic)
                == (&event.deployment_id, event.status, event.percent_traffic)
        });
        if repeat {
            return;
        }
        if log.len() == HISTORY_CAPACITY {
            log.pop_front();
        }
        log.push_back(event);
    }

    /// The environment's promotion events, oldest first (empty for an unknown one).
    pub(crate) fn promotion_history(&self, model_id: &str, env: &str) -> Vec<PromotionEvent> {
        self.history
            .get(&(model_id.to_owned(), env.to_owned()))
            .map(|log| log.iter().cloned().collect())
            .unwrap_or_default()
    }
}
