//! Waiting for a promotion: reads the environment (`get_environment`) until its promotion has
//! ended, and says how.

use std::fmt;
use std::future::{Future, IntoFuture};
use std::pin::Pin;
use std::sync::Arc;
use std::time::Duration;

use super::clock::{TokioClock, WaitClock};
use super::engine::{self, Observation, Probe, Verdict};
use super::{DEFAULT_WAIT_TIMEOUT, LastSeen, Polling, WaitError};
use crate::types::{DeploymentV1, EnvironmentV1, InProgressPromotionStatusV1 as Status};
use crate::{Client, Error};

/// How a promotion ended.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub enum PromotionOutcome {
    /// No promotion is in progress and the deployment promoted is the environment's current one.
    Succeeded {
        /// The environment's current deployment: the one promoted.
        deployment: Box<DeploymentV1>,
    },
    /// The promotion failed (`FAILED`); traffic went back to the previous deployment.
    Failed {
        /// What Baseten said went wrong.
        error_message: Option<String>,
        /// The environment as last read.
        last: Box<EnvironmentV1>,
    },
    /// The promotion was canceled (`CANCELED`); the previous deployment stays current.
    Canceled {
        /// The environment as last read.
        last: Box<EnvironmentV1>,
    },
    /// The promotion is over and another deployment is current: it was rolled back (force
    /// cancel, or a cancel whose end was not seen), superseded by another promotion, or never
    /// started. Not a success.
    OtherDeploymentCurrent {
        /// The environment's current deployment, if any.
        current: Option<Box<DeploymentV1>>,
        /// The last promotion status seen for the deployment promoted, if any was.
        last_status: Option<Status>,
        /// The environment as last read.
        last: Box<EnvironmentV1>,
    },
}

impl PromotionOutcome {
    /// Whether the deployment promoted is now current.
    pub fn is_success(&self) -> bool {
        matches!(self, Self::Succeeded { .. })
    }
}

/// What a promotion waiter reports when it changes.
#[derive(Clone, Debug, PartialEq)]
pub struct PromotionProgress {
    /// The promotion's status; `None` when no promotion is in progress.
    pub status: Option<Status>,
    /// The share of traffic on the candidate deployment (0 with no promotion in progress).
    pub percent_traffic: i64,
    /// The environment's current deployment.
    pub current_deployment: Option<String>,
    /// The deployment being promoted, while a promotion is in progress.
    pub candidate_deployment: Option<String>,
}

impl fmt::Display for PromotionProgress {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.status {
            Some(status) => write!(f, "{status} {}% to the candidate", self.percent_traffic)?,
            None => f.write_str("no promotion in progress")?,
        }
        let current = self.current_deployment.as_deref().unwrap_or("none");
        write!(f, " (current {current}")?;
        if let Some(candidate) = &self.candidate_deployment {
            write!(f, ", candidate {candidate}")?;
        }
        f.write_str(")")
    }
}

type ProgressCallback<'a> = Box<dyn FnMut(&PromotionProgress) + Send + 'a>;

/// A wait for a promotion, from [`Client::wait_for_promotion`]; `.await` it.
#[must_use = "a waiter does nothing until it is awaited"]
pub struct PromotionWait<'a> {
    client: &'a Client,
    model_id: String,
    env_name: String,
    deployment_id: String,
    timeout: Duration,
    start_grace: Duration,
    polling: Polling,
    clock: Arc<dyn WaitClock>,
    on_progress: Option<ProgressCallback<'a>>,
}

impl<'a> PromotionWait<'a> {
    pub(crate) fn new(
        client: &'a Client,
        model_id: &str,
        env_name: &str,
        deployment_id: &str,
    ) -> Self {
        Self {
            client,
            model_id: model_id.to_owned(),
            env_name: env_name.to_owned(),
            deployment_id: deployment_id.to_owned(),
            timeout: DEFAULT_WAIT_TIMEOUT,
            start_grace: Duration::from_secs(60),
            polling: Polling::default(),
            clock: Arc::new(TokioClock::default()),
            on_progress: None,
        }
    }

    /// The deadline (default 30 minutes).
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// How often to read (see [`Polling`]).
    pub fn polling(mut self, polling: Polling) -> Self {
        self.polling = polling;
        self
    }

    /// How long to wait for the promotion to show up (as the candidate, or as the current
    /// deployment) before concluding that another deployment stays current (default 60 s).
    pub fn start_grace(mut self, grace: Duration) -> Self {
        self.start_grace = grace;
        self
    }

    /// Called with every change the waiter sees (not with unchanged polls).
    pub fn on_progress(mut self, callback: impl FnMut(&PromotionProgress) + Send + 'a) -> Self {
        self.on_progress = Some(Box::new(callback));
        self
    }

    /// The clock to poll by (default: real time). baseten-mock's simulated clock implements
    /// [`WaitClock`], so tests wait for a long promotion in milliseconds.
    pub fn clock(mut self, clock: Arc<dyn WaitClock>) -> Self {
        self.clock = clock;
        self
    }
}

impl<'a> IntoFuture for PromotionWait<'a> {
    type Output = Result<PromotionOutcome, WaitError>;
    type IntoFuture = Pin<Box<dyn Future<Output = Self::Output> + Send + 'a>>;

    fn into_future(self) -> Self::IntoFuture {
        Box::pin(async move {
            let probe = PromotionProbe {
                client: self.client,
                subject: format!(
                    "the promotion of {} to {} of model {}",
                    self.deployment_id, self.env_name, self.model_id
                ),
                classifier: Classifier::new(self.deployment_id, self.start_grace),
                model_id: self.model_id,
                env_name: self.env_name,
            };
            let mut on_progress = self.on_progress;
            let mut report = |progress: &PromotionProgress| {
                if let Some(callback) = on_progress.as_mut() {
                    callback(progress);
                }
            };
            engine::run(
                probe,
                &*self.clock,
                self.timeout,
                &self.polling,
                &mut report,
            )
            .await
        })
    }
}

struct PromotionProbe<'a> {
    client: &'a Client,
    model_id: String,
    env_name: String,
    subject: String,
    classifier: Classifier,
}

impl Probe for PromotionProbe<'_> {
    type State = EnvironmentV1;
    type Progress = PromotionProgress;
    type Outcome = PromotionOutcome;

    fn subject(&self) -> String {
        self.subject.clone()
    }

    async fn read(&mut self) -> Result<EnvironmentV1, Error> {
        let environment = self
            .client
            .get_environment()
            .model_id(self.model_id.as_str())
            .env_name(self.env_name.as_str())
            .send()
            .await?;
        Ok(environment.into_inner())
    }

    fn observe(
        &mut self,
        environment: &EnvironmentV1,
        elapsed: Duration,
    ) -> Observation<PromotionOutcome, PromotionProgress> {
        self.classifier.observe(environment, elapsed)
    }

    fn last_seen(environment: EnvironmentV1) -> LastSeen {
        LastSeen::Environment(Box::new(environment))
    }

    fn tolerates_early_not_found(&self) -> bool {
        // The promotion call just succeeded, so the environment exists: a 404 is final.
        false
    }
}

/// The promotion rules, apart from any I/O so that a table test can drive them.
pub(crate) struct Classifier {
    deployment_id: String,
    start_grace: Duration,
    /// Whether the deployment promoted has been seen as the candidate.
    seen_as_candidate: bool,
    /// The last status seen while it was the candidate.
    last_status: Option<Status>,
}

impl Classifier {
    pub(crate) fn new(deployment_id: String, start_grace: Duration) -> Self {
        Self {
            deployment_id,
            start_grace,
            seen_as_candidate: false,
            last_status: None,
        }
    }

    pub(crate) fn observe(
        &mut self,
        environment: &EnvironmentV1,
        elapsed: Duration,
    ) -> Observation<PromotionOutcome, PromotionProgress> {
        let id = |d: &Option<DeploymentV1>| d.as_ref().map(|d| d.id.clone());
        let current = id(&environment.current_deployment);
        let candidate = id(&environment.candidate_deployment);
        let promotion = environment.in_progress_promotion.as_ref();
        let progress = PromotionProgress {
            status: promotion.map(|p| p.status.clone()),
            percent_traffic: promotion.map_or(0, |p| p.percent_traffic_to_new_version),
            current_deployment: current.clone(),
            candidate_deployment: candidate.clone(),
        };
        let ours_current = current.as_deref() == Some(self.deployment_id.as_str());
        // With no candidate named, an in-progress promotion is taken to be ours.
        let ours_in_progress = promotion.is_some()
            && candidate
                .as_deref()
                .is_none_or(|c| c == self.deployment_id.as_str());
        if ours_in_progress {
            self.seen_as_candidate |= candidate.is_some();
            self.last_status = promotion.map(|p| p.status.clone());
        }
        let last = || Box::new(environment.clone());
        let other_current =
            |last_status: Option<Status>| PromotionOutcome::OtherDeploymentCurrent {
                current: environment.current_deployment.clone().map(Box::new),
                last_status,
                last: last(),
            };
        let waiting = |unknown: Option<String>| Observation {
            progress: progress.clone(),
            verdict: Verdict::Waiting,
            unknown_status: unknown,
        };
        let done = |outcome| Observation {
            progress: progress.clone(),
            verdict: Verdict::Done(outcome),
            unknown_status: None,
        };
        let succeeded = || match &environment.current_deployment {
            Some(current) if ours_current => Some(PromotionOutcome::Succeeded {
                deployment: Box::new(current.clone()),
            }),
            _ => None,
        };
        let Some(promotion) = promotion else {
            return if let Some(outcome) = succeeded() {
                done(outcome)
            } else if self.seen_as_candidate || self.last_status.is_some() {
                done(other_current(self.last_status.clone()))
            } else if elapsed >= self.start_grace {
                done(other_current(None))
            } else {
                waiting(None)
            };
        };
        if !ours_in_progress {
            // Another deployment is being promoted: ours is over, or never started.
            return if self.seen_as_candidate || elapsed >= self.start_grace {
                done(other_current(self.last_status.clone()))
            } else {
                waiting(None)
            };
        }
        match &promotion.status {
            Status::Failed => done(PromotionOutcome::Failed {
                error_message: promotion.error_message.clone(),
                last: last(),
            }),
            Status::Canceled => done(PromotionOutcome::Canceled { last: last() }),
            // Finished; until the environment shows it current, read again.
            Status::Succeeded => match succeeded() {
                Some(outcome) => done(outcome),
                None => waiting(None),
            },
            Status::Releasing | Status::RampingUp | Status::RampingDown | Status::Paused => {
                waiting(None)
            }
            Status::Unknown(value) => waiting(Some(value.clone())),
        }
    }
}

#[cfg(test)]
mod tests {
    //! The promotion rules on environments as Baseten shows them, step by step.

    use std::time::Duration;

    use serde_json::{Value, json};

    use super::{Classifier, PromotionOutcome};
    use crate::types::EnvironmentV1;
    use crate::wait::engine::Verdict;

    fn deployment(id: &str) -> Value {
        json!({
            "id": id, "created_at": "2026-08-01T12:00:00Z", "name": id, "model_id": "m-1",
            "is_production": true, "is_development": false, "status": "ACTIVE",
            "active_replica_count": 1, "autoscaling_settings": null,
            "instance_type_name": null, "environment": "production"
        })
    }

    /// An environment with `current` and, when `promotion` is given, a promotion of `candidate`.
    fn environment(
        current: Option<&str>,
        candidate: Option<&str>,
        promotion: Option<(&str, i64)>,
    ) -> EnvironmentV1 {
        let value = json!({
            "name": "production", "created_at": "2026-08-01T12:00:00Z", "model_id": "m-1",
            "current_deployment": current.map(deployment),
            "candidate_deployment": candidate.map(deployment),
            "in_progress_promotion": promotion.map(|(status, percent)| json!({
                "status": status, "percent_traffic_to_new_version": percent,
                "error_message": if status == "FAILED" { json!("health checks failed") } else { Value::Null },
                "rolling_deploy": true
            })),
            "autoscaling_settings": {"min_replica": 1, "max_replica": 2, "concurrency_target": 1,
                "autoscaling_window": null, "scale_down_delay": null, "target_utilization_percentage": null},
            "promotion_settings": {},
            "instance_type": {"id": "1x4", "name": "1x4", "memory_limit_mib": 4096, "millicpu_limit": 1000,
                "gpu_count": 0, "gpu_type": null, "gpu_memory_limit_mib": null}
        });
        serde_json::from_value(value).expect("an EnvironmentV1")
    }

    /// Feeds `steps` to one classifier; returns the outcome of the first step that ends it.
    fn run(steps: &[EnvironmentV1]) -> Option<(usize, PromotionOutcome)> {
        let mut classifier = Classifier::new("new".into(), Duration::from_secs(60));
        for (i, step) in steps.iter().enumerate() {
            let seen = classifier.observe(step, Duration::from_secs(10 * i as u64));
            if let Verdict::Done(outcome) = seen.verdict {
                return Some((i, outcome));
            }
        }
        None
    }

    #[test]
    fn a_rolling_promotion_succeeds_when_the_promoted_deployment_is_current() {
        let steps = [
            environment(Some("old"), Some("new"), Some(("RELEASING", 0))),
            environment(Some("old"), Some("new"), Some(("RAMPING_UP", 25))),
            environment(Some("old"), Some("new"), Some(("PAUSED", 50))),
            environment(Some("old"), Some("new"), Some(("RAMPING_UP", 75))),
            environment(Some("new"), None, None),
        ];
        let (at, outcome) = run(&steps).expect("an outcome");
        assert_eq!(at, 4);
        assert!(
            matches!(outcome, PromotionOutcome::Succeeded { deployment } if deployment.id == "new")
        );
    }

    #[test]
    fn succeeded_counts_only_once_the_environment_shows_it_current() {
        let steps = [
            environment(Some("old"), Some("new"), Some(("SUCCEEDED", 100))),
            environment(Some("new"), Some("new"), Some(("SUCCEEDED", 100))),
        ];
        assert_eq!(run(&steps).map(|(at, _)| at), Some(1));
    }

    #[test]
    fn failure_and_cancel_are_outcomes_of_their_own() {
        let failed = run(&[
            environment(Some("old"), Some("new"), Some(("RAMPING_UP", 25))),
            environment(Some("old"), Some("new"), Some(("FAILED", 0))),
        ]);
        assert!(matches!(
            failed,
            Some((1, PromotionOutcome::Failed { error_message: Some(m), .. })) if m == "health checks failed"
        ));
        let canceled = run(&[
            environment(Some("old"), Some("new"), Some(("RAMPING_DOWN", 25))),
            environment(Some("old"), Some("new"), Some(("CANCELED", 0))),
        ]);
        assert!(matches!(
            canceled,
            Some((1, PromotionOutcome::Canceled { .. }))
        ));
    }

    #[test]
    fn a_promotion_that_ends_with_the_old_deployment_current_is_not_a_success() {
        // Force cancel: the promotion disappears and the previous deployment stays current.
        let rolled_back = run(&[
            environment(Some("old"), Some("new"), Some(("RAMPING_UP", 50))),
            environment(Some("old"), None, None),
        ]);
        let Some((
            1,
            PromotionOutcome::OtherDeploymentCurrent {
                current,
                last_status,
                ..
            },
        )) = rolled_back
        else {
            panic!("{rolled_back:?}")
        };
        assert_eq!(current.map(|d| d.id), Some("old".into()));
        assert_eq!(
            last_status.map(|s| s.to_string()),
            Some("RAMPING_UP".into())
        );
        // Superseded: another deployment's promotion is in progress.
        let superseded = run(&[
            environment(Some("old"), Some("new"), Some(("RAMPING_UP", 25))),
            environment(Some("old"), Some("other"), Some(("RAMPING_UP", 25))),
        ]);
        assert!(matches!(
            superseded,
            Some((1, PromotionOutcome::OtherDeploymentCurrent { .. }))
        ));
    }

    #[test]
    fn before_the_promotion_shows_up_the_waiter_waits_for_the_start_grace() {
        let idle = environment(Some("old"), None, None);
        let mut classifier = Classifier::new("new".into(), Duration::from_secs(60));
        assert!(matches!(
            classifier.observe(&idle, Duration::from_secs(59)).verdict,
            super::Verdict::Waiting
        ));
        assert!(matches!(
            classifier.observe(&idle, Duration::from_secs(60)).verdict,
            super::Verdict::Done(PromotionOutcome::OtherDeploymentCurrent {
                last_status: None,
                ..
            })
        ));
    }

    #[test]
    fn an_unknown_status_is_neither_success_nor_failure() {
        let mut classifier = Classifier::new("new".into(), Duration::from_secs(60));
        let seen = classifier.observe(
            &environment(Some("old"), Some("new"), Some(("HALTED_BY_POLICY", 40))),
            Duration::from_secs(3600),
        );
        assert!(matches!(seen.verdict, super::Verdict::Waiting));
        assert_eq!(seen.unknown_status.as_deref(), Some("HALTED_BY_POLICY"));
        assert_eq!(
            seen.progress.to_string(),
            "HALTED_BY_POLICY 40% to the candidate (current old, candidate new)"
        );
    }
}
