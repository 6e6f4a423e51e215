//! Waiting for a promotion: reads the environment (`get_environment`) until its promotion has
//! ended, and says how.

use std::fmt;
use std::future::{Future, IntoFuture};
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use super::engine::{NotFound, Observation, Probe, ReadAt, Reader, Verdict};
use super::settings::{Ending, Settings, ending_methods, settings_methods};
use super::{LastSeen, Polling, WaitError};
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
    /// cancel, or a cancel or failure whose status was not seen), superseded by another
    /// promotion, or never started. Not a success.
    OtherDeploymentCurrent {
        /// The environment's current deployment, if any.
        current: Option<Box<DeploymentV1>>,
        /// The last promotion status seen for the deployment promoted, if any was.
        last_status: Option<Status>,
        /// The environment as last read.
        last: Box<EnvironmentV1>,
    },
    /// The promotion is `PAUSED`: traffic has stopped moving. Only when asked for with
    /// [`PromotionWait::until_paused`].
    Paused {
        /// The share of traffic on the candidate where it paused.
        percent_traffic: i64,
        /// The environment as last read.
        last: Box<EnvironmentV1>,
    },
    /// The environment answered 404 after it had been read: it was deleted, which cancels a
    /// promotion in progress (Baseten's `DELETE …/environments/{env_name}`).
    EnvironmentDeleted {
        /// The last promotion status seen for the deployment promoted, if any was.
        last_status: Option<Status>,
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

/// A wait for a promotion, from [`Client::wait_for_promotion`]; `.await` it.
#[must_use = "a waiter does nothing until it is awaited"]
pub struct PromotionWait<'a> {
    client: &'a Client,
    model_id: String,
    env_name: String,
    deployment_id: String,
    settings: Settings<'a, PromotionProgress>,
    ending: Ending,
    already_seen: Option<EnvironmentV1>,
    environment_exists: bool,
    until_paused: bool,
    pause_switch: Option<Arc<AtomicBool>>,
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
            settings: Settings::default(),
            ending: Ending::default(),
            already_seen: None,
            environment_exists: false,
            until_paused: false,
            pause_switch: None,
        }
    }

    /// Also ends when the promotion is `PAUSED` while `switch` is on: the guarded promotion
    /// (`crate::guard`) turns it on when it has asked for a pause, and off when it resumes, so
    /// that a pause someone else asked for does not end its wait.
    pub(crate) fn until_paused_while(mut self, switch: Arc<AtomicBool>) -> Self {
        self.pause_switch = Some(switch);
        self
    }

    settings_methods!(PromotionProgress);
    ending_methods!();

    /// The environment as read after the promotion was accepted, before the wait (for
    /// example just before sending a signal): it exists, so a 404 during the wait means it was
    /// deleted; and if it showed this promotion in progress, a terminal status or a rollback
    /// seen later is known to be this promotion's, so a promotion already gone by the first
    /// read ends the wait after the settle interval instead of the start grace.
    ///
    /// Do not pass a read made *before* the promotion request: a promotion of the same
    /// deployment shown there is an earlier one. Use
    /// [`environment_exists`](Self::environment_exists) for that read.
    pub fn already_seen(mut self, environment: &EnvironmentV1) -> Self {
        self.already_seen = Some(environment.clone());
        self
    }

    /// The environment was read before the wait (for example before promoting): a 404 during
    /// the wait means it was deleted ([`PromotionOutcome::EnvironmentDeleted`]) rather than
    /// that it never existed.
    pub fn environment_exists(mut self) -> Self {
        self.environment_exists = true;
        self
    }

    /// Also ends when the promotion is `PAUSED` ([`PromotionOutcome::Paused`]): for a pipeline
    /// that pauses a rollout to run its own checks and must know when traffic has stopped
    /// moving. Baseten pauses at the next step boundary, so this can take a step's time after
    /// the pause was accepted. A promotion that ends first ends the wait as usual.
    pub fn until_paused(mut self) -> Self {
        self.until_paused = true;
        self
    }
}

impl<'a> IntoFuture for PromotionWait<'a> {
    type Output = Result<PromotionOutcome, WaitError>;
    type IntoFuture = Pin<Box<dyn Future<Output = Self::Output> + Send + 'a>>;

    fn into_future(self) -> Self::IntoFuture {
        Box::pin(async move {
            let probe = PromotionProbe {
                read: EnvironmentRead {
                    client: self.client,
                    model_id: self.model_id.clone(),
                    env_name: self.env_name.clone(),
                },
                subject: format!(
                    "the promotion of {} to {} of model {}",
                    self.deployment_id, self.env_name, self.model_id
                ),
                classifier: {
                    let mut classifier = Classifier::new(
                        self.deployment_id,
                        self.ending.start_grace,
                        self.ending.settle,
                    );
                    if self.environment_exists {
                        classifier.environment_exists();
                    }
                    classifier.until_paused = self.until_paused;
                    classifier.pause_switch = self.pause_switch.clone();
                    if let Some(environment) = &self.already_seen {
                        classifier.already_seen(environment);
                    }
                    classifier
                },
            };
            self.settings.run(probe).await
        })
    }
}

/// A promotion waiter: what it reads (`R`: the environment) and the rules that judge it.
pub(crate) struct PromotionProbe<R> {
    pub(crate) read: R,
    pub(crate) subject: String,
    pub(crate) classifier: Classifier,
}

struct EnvironmentRead<'a> {
    client: &'a Client,
    model_id: String,
    env_name: String,
}

impl Reader<EnvironmentV1> for EnvironmentRead<'_> {
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
}

impl<R: Reader<EnvironmentV1>> Probe for PromotionProbe<R> {
    type State = EnvironmentV1;
    type Progress = PromotionProgress;
    type Outcome = PromotionOutcome;

    fn subject(&self) -> String {
        self.subject.clone()
    }

    async fn read(&mut self) -> Result<EnvironmentV1, Error> {
        self.read.read().await
    }

    fn observe(
        &mut self,
        environment: &EnvironmentV1,
        at: ReadAt,
    ) -> Observation<PromotionOutcome, PromotionProgress> {
        self.classifier.observe(environment, at)
    }

    fn last_seen(environment: EnvironmentV1) -> LastSeen {
        LastSeen::Environment(Box::new(environment))
    }

    fn not_found(&mut self, _: ReadAt, seen: bool, _: &Polling) -> NotFound<PromotionOutcome> {
        match self.classifier.not_found(seen) {
            Some(deleted) => NotFound::Done(deleted),
            None => NotFound::Fail,
        }
    }
}

/// The promotion rules, apart from any I/O, so that a table test and the model of what Baseten
/// may show (`tests/it/waiter_model.rs`, through [`crate::wait::testing`]) can drive them.
///
/// The environment does not say whose promotion `in_progress_promotion` is: a finished one's
/// terminal status may linger after it, with or without its candidate, and the next
/// promotion's candidate may show up before its own promotion object. So the rules track the
/// identity of ours:
///
/// 1. `current == ours`, with no promotion of ours going on, is success, whatever else shows
///    (another pipeline may already be promoting a third deployment).
/// 2. `candidate == ours` with no promotion object, or with a status that is not terminal, is
///    ours in progress.
/// 3. A terminal status counts as ours only after ours was seen in progress (by this wait, or
///    by the read the caller passed to [`PromotionWait::already_seen`]), and only while no
///    other candidate has shown up since; without that, it may be the previous promotion's.
/// 4. Ours gone (no candidate of ours, nothing terminal of ours) with another deployment
///    current ends as "another deployment is current" only once that has held for the settle
///    interval: the promotion object may clear a little before `current` switches. Before ours
///    was ever seen, the start grace applies instead. Nothing is concluded while a promotion
///    is going on with no candidate named (it may be ours, its candidate not shown yet), or
///    while ours is the candidate.
pub(crate) struct Classifier {
    deployment_id: String,
    start_grace: Duration,
    settle: Duration,
    /// The environment has been read (by this wait or before it): a 404 now means deleted.
    environment_seen: bool,
    /// Ours has been seen in progress (rule 2).
    seen_in_progress: bool,
    /// Another deployment was the candidate after ours was seen: a terminal status shown with
    /// no candidate may be that one's.
    other_since_ours: bool,
    /// The last status seen of ours.
    last_status: Option<Status>,
    /// When ours was first seen gone after being seen in progress (end of that read).
    gone_since: Option<Duration>,
    /// End the wait when ours is `PAUSED`.
    pub(crate) until_paused: bool,
    /// End the wait when ours is `PAUSED` while this is on (see
    /// [`PromotionWait::until_paused_while`]).
    pub(crate) pause_switch: Option<Arc<AtomicBool>>,
}

impl Classifier {
    pub(crate) fn new(deployment_id: String, start_grace: Duration, settle: Duration) -> Self {
        Self {
            deployment_id,
            start_grace,
            settle,
            environment_seen: false,
            seen_in_progress: false,
            other_since_ours: false,
            last_status: None,
            gone_since: None,
            until_paused: false,
            pause_switch: None,
        }
    }

    /// The environment was read before the wait: a 404 now means deleted.
    pub(crate) fn environment_exists(&mut self) {
        self.environment_seen = true;
    }

    /// What the caller read after the promotion was accepted, before the wait (e.g. before
    /// sending a signal): the environment exists, and ours may already be in progress.
    pub(crate) fn already_seen(&mut self, environment: &EnvironmentV1) {
        self.environment_seen = true;
        let promotion = environment.in_progress_promotion.as_ref();
        if self.is_ours(&environment.candidate_deployment)
            && promotion.is_none_or(|p| is_running(&p.status))
        {
            self.seen_in_progress = true;
            self.last_status = promotion.map(|p| p.status.clone());
        }
    }

    fn ends_at_pause(&self) -> bool {
        self.until_paused
            || self
                .pause_switch
                .as_ref()
                .is_some_and(|switch| switch.load(Ordering::SeqCst))
    }

    fn is_ours(&self, deployment: &Option<DeploymentV1>) -> bool {
        deployment
            .as_ref()
            .is_some_and(|d| d.id == self.deployment_id)
    }

    /// A 404 on the environment: deleted, if it was ever seen; otherwise it never existed.
    pub(crate) fn not_found(&self, seen_by_this_wait: bool) -> Option<PromotionOutcome> {
        (seen_by_this_wait || self.environment_seen).then(|| PromotionOutcome::EnvironmentDeleted {
            last_status: self.last_status.clone(),
        })
    }

    pub(crate) fn observe(
        &mut self,
        environment: &EnvironmentV1,
        at: ReadAt,
    ) -> Observation<PromotionOutcome, PromotionProgress> {
        self.environment_seen = true;
        let id = |d: &Option<DeploymentV1>| d.as_ref().map(|d| d.id.clone());
        let promotion = environment.in_progress_promotion.as_ref();
        let progress = PromotionProgress {
            status: promotion.map(|p| p.status.clone()),
            percent_traffic: promotion.map_or(0, |p| p.percent_traffic_to_new_version),
            current_deployment: id(&environment.current_deployment),
            candidate_deployment: id(&environment.candidate_deployment),
        };
        let unknown_status = match promotion.map(|p| &p.status) {
            Some(Status::Unknown(value)) => Some(value.clone()),
            _ => None,
        };
        let verdict = self.judge(environment, at);
        Observation {
            progress,
            verdict,
            unknown_status,
        }
    }

    fn judge(&mut self, environment: &EnvironmentV1, at: ReadAt) -> Verdict<PromotionOutcome> {
        let promotion = environment.in_progress_promotion.as_ref();
        let status = promotion.map(|p| &p.status);
        let ours_candidate = self.is_ours(&environment.candidate_deployment);
        // Ours going on: the candidate, with no promotion object yet or one not terminal (an
        // unknown status included: it is never taken for an ending).
        let ours_active = ours_candidate && status.is_none_or(|s| !is_terminal(s));
        let last = || Box::new(environment.clone());

        // Rule 1.
        if let Some(current) = environment
            .current_deployment
            .as_ref()
            .filter(|d| !ours_active && d.id == self.deployment_id)
        {
            return Verdict::Done(PromotionOutcome::Succeeded {
                deployment: Box::new(current.clone()),
            });
        }
        // Rule 2.
        if ours_active {
            if status.is_none_or(is_running) {
                self.seen_in_progress = true;
                self.other_since_ours = false;
            }
            if let Some(status) = status {
                self.last_status = Some(status.clone());
            }
            self.gone_since = None;
            if let Some(promotion) =
                promotion.filter(|p| self.ends_at_pause() && p.status == Status::Paused)
            {
                return Verdict::Done(PromotionOutcome::Paused {
                    percent_traffic: promotion.percent_traffic_to_new_version,
                    last: last(),
                });
            }
            return Verdict::Waiting;
        }
        // Rule 3.
        let candidate_other = environment.candidate_deployment.is_some() && !ours_candidate;
        if self.seen_in_progress && candidate_other {
            self.other_since_ours = true;
        }
        let terminal_is_ours = self.seen_in_progress
            && (ours_candidate
                || (environment.candidate_deployment.is_none() && !self.other_since_ours));
        if let Some(promotion) = promotion.filter(|p| terminal_is_ours && is_terminal(&p.status)) {
            self.last_status = Some(promotion.status.clone());
            self.gone_since = None;
            return match promotion.status {
                Status::Failed => Verdict::Done(PromotionOutcome::Failed {
                    error_message: promotion.error_message.clone(),
                    last: last(),
                }),
                Status::Canceled => Verdict::Done(PromotionOutcome::Canceled { last: last() }),
                // Finished, and `current` has not switched yet (rule 1 would have ended it).
                _ => Verdict::Waiting,
            };
        }
        // Rule 4. A promotion going on with no candidate named may be ours, not yet showing
        // its candidate: nothing is concluded while one shows.
        // Nor while ours is the candidate beside a terminal status not known to be ours: an
        // earlier promotion's, or ours, ended before a read saw it going on (a `SUCCEEDED`
        // with `current` not switched yet).
        if (status.is_some_and(is_running) && environment.candidate_deployment.is_none())
            || ours_candidate
        {
            return Verdict::Waiting;
        }
        let other_current = |last_status| {
            Verdict::Done(PromotionOutcome::OtherDeploymentCurrent {
                current: environment.current_deployment.clone().map(Box::new),
                last_status,
                last: last(),
            })
        };
        if self.seen_in_progress {
            let since = *self.gone_since.get_or_insert(at.finished);
            if at.started >= since + self.settle {
                return other_current(self.last_status.clone());
            }
        } else if at.started >= self.start_grace {
            return other_current(None);
        }
        Verdict::Waiting
    }
}

/// `SUCCEEDED`, `FAILED`, `CANCELED`: the promotion is over.
fn is_terminal(status: &Status) -> bool {
    matches!(
        status,
        Status::Succeeded | Status::Failed | Status::Canceled
    )
}

/// A known status of a promotion still going on.
fn is_running(status: &Status) -> bool {
    matches!(
        status,
        Status::Releasing | Status::RampingUp | Status::RampingDown | Status::Paused
    )
}

#[cfg(test)]
mod tests {
    //! The promotion rules on environments as Baseten shows them, step by step.

    use std::time::Duration;

    use serde_json::{Value, json};

    use super::{Classifier, PromotionOutcome, ReadAt};
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

    fn classifier() -> Classifier {
        Classifier::new(
            "new".into(),
            Duration::from_secs(60),
            Duration::from_secs(10),
        )
    }

    /// A read that ran at `seconds` into the wait.
    fn at(seconds: u64) -> ReadAt {
        let t = Duration::from_secs(seconds);
        ReadAt {
            started: t,
            finished: t,
        }
    }

    /// Feeds `steps` to one classifier; returns the outcome of the first step that ends it.
    fn run(steps: &[EnvironmentV1]) -> Option<(usize, PromotionOutcome)> {
        let mut classifier = classifier();
        for (i, step) in steps.iter().enumerate() {
            let seen = classifier.observe(step, at(10 * i as u64));
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
        // It ends once that has held for the settle interval (10 s; a read every 10 s here).
        let rolled_back = run(&[
            environment(Some("old"), Some("new"), Some(("RAMPING_UP", 50))),
            environment(Some("old"), None, None),
            environment(Some("old"), None, None),
        ]);
        let Some((
            2,
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
            environment(Some("old"), Some("other"), Some(("RAMPING_UP", 50))),
        ]);
        assert!(matches!(
            superseded,
            Some((2, PromotionOutcome::OtherDeploymentCurrent { .. }))
        ));
    }

    #[test]
    fn a_terminal_status_lingering_from_an_earlier_promotion_is_not_ours() {
        // Ours is already current; the earlier promotion's FAILED is still shown, no candidate.
        let outcome = run(&[environment(Some("new"), None, Some(("FAILED", 0)))]);
        assert!(matches!(
            outcome,
            Some((0, PromotionOutcome::Succeeded { .. }))
        ));
        // Ours not yet shown: the lingering FAILED is waited out, not taken for ours.
        let outcome = run(&[
            environment(Some("old"), None, Some(("FAILED", 0))),
            environment(Some("old"), Some("new"), Some(("FAILED", 0))),
            environment(Some("old"), Some("new"), Some(("RELEASING", 0))),
            environment(Some("new"), None, None),
        ]);
        assert!(matches!(
            outcome,
            Some((3, PromotionOutcome::Succeeded { .. }))
        ));
    }

    #[test]
    fn ours_current_is_success_even_while_another_promotion_starts() {
        let outcome = run(&[
            environment(Some("old"), Some("new"), Some(("RAMPING_UP", 50))),
            environment(Some("new"), Some("third"), Some(("RELEASING", 0))),
        ]);
        assert!(
            matches!(outcome, Some((1, PromotionOutcome::Succeeded { deployment })) if deployment.id == "new")
        );
    }

    #[test]
    fn a_candidate_without_a_promotion_object_is_in_progress() {
        let outcome = run(&[
            environment(Some("old"), Some("new"), None),
            environment(Some("old"), Some("new"), None),
            environment(Some("old"), Some("new"), None),
            environment(Some("old"), Some("new"), None),
            environment(Some("old"), Some("new"), None),
            environment(Some("old"), Some("new"), None),
            environment(Some("old"), Some("new"), None),
            environment(Some("new"), None, None),
        ]);
        assert!(matches!(
            outcome,
            Some((7, PromotionOutcome::Succeeded { .. }))
        ));
    }

    #[test]
    fn a_promotion_object_that_clears_before_current_switches_is_not_a_rollback() {
        let outcome = run(&[
            environment(Some("old"), Some("new"), Some(("RAMPING_UP", 50))),
            environment(Some("old"), Some("new"), Some(("SUCCEEDED", 100))),
            environment(Some("old"), None, None),
            environment(Some("new"), None, None),
        ]);
        assert!(matches!(
            outcome,
            Some((3, PromotionOutcome::Succeeded { .. }))
        ));
    }

    #[test]
    fn until_paused_ends_at_paused_and_only_when_asked() {
        let steps = [
            environment(Some("old"), Some("new"), Some(("RAMPING_UP", 25))),
            environment(Some("old"), Some("new"), Some(("PAUSED", 50))),
            environment(Some("new"), None, None),
        ];
        assert!(matches!(
            run(&steps),
            Some((2, PromotionOutcome::Succeeded { .. }))
        ));
        let mut classifier = classifier();
        classifier.until_paused = true;
        let verdicts: Vec<_> = steps
            .iter()
            .enumerate()
            .map(|(i, step)| classifier.observe(step, at(10 * i as u64)).verdict)
            .collect();
        assert!(matches!(verdicts[0], Verdict::Waiting));
        assert!(matches!(
            verdicts[1],
            Verdict::Done(PromotionOutcome::Paused {
                percent_traffic: 50,
                ..
            })
        ));
    }

    #[test]
    fn a_404_after_the_environment_was_seen_is_a_deleted_environment() {
        let mut classifier = classifier();
        assert!(classifier.not_found(false).is_none());
        classifier.observe(
            &environment(Some("old"), Some("new"), Some(("RAMPING_UP", 50))),
            at(0),
        );
        assert!(matches!(
            classifier.not_found(true),
            Some(PromotionOutcome::EnvironmentDeleted {
                last_status: Some(_)
            })
        ));
    }

    #[test]
    fn before_the_promotion_shows_up_the_waiter_waits_for_the_start_grace() {
        let idle = environment(Some("old"), None, None);
        let mut classifier = classifier();
        assert!(matches!(
            classifier.observe(&idle, at(59)).verdict,
            super::Verdict::Waiting
        ));
        assert!(matches!(
            classifier.observe(&idle, at(60)).verdict,
            super::Verdict::Done(PromotionOutcome::OtherDeploymentCurrent {
                last_status: None,
                ..
            })
        ));
    }

    #[test]
    fn an_unknown_status_is_neither_success_nor_failure() {
        let mut classifier = classifier();
        let seen = classifier.observe(
            &environment(Some("old"), Some("new"), Some(("HALTED_BY_POLICY", 40))),
            at(3600),
        );
        assert!(matches!(seen.verdict, super::Verdict::Waiting));
        assert_eq!(seen.unknown_status.as_deref(), Some("HALTED_BY_POLICY"));
        assert_eq!(
            seen.progress.to_string(),
            "HALTED_BY_POLICY 40% to the candidate (current old, candidate new)"
        );
    }
}
