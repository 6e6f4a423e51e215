//! Waiting for a chain promotion: reads the chain environment (`get_chain_environment`) until
//! the deployment promoted is its current one, or the promotion is over without it.
//!
//! Chains have no rolling promotions and no `in_progress_promotion`: the environment's
//! `candidate_deployment` ("being promoted … if a promotion is in progress", in Baseten's
//! specification) is the only sign that a chain promotion is still going on.

use std::fmt;
use std::future::{Future, IntoFuture};
use std::pin::Pin;
use std::time::Duration;

use super::engine::{NotFound, Observation, Probe, ReadAt, Reader, Verdict};
use super::settings::{Ending, Settings, ending_methods, settings_methods};
use super::{LastSeen, Polling, WaitError};
use crate::types::{ChainDeploymentV1, ChainEnvironmentV1};
use crate::{Client, Error};

/// How a chain promotion ended.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub enum ChainPromotionOutcome {
    /// The deployment promoted is the environment's current one.
    Succeeded {
        /// The environment's current deployment: the one promoted.
        deployment: Box<ChainDeploymentV1>,
    },
    /// The promotion is over and another deployment is current (it failed, was superseded, or
    /// never started). Not a success.
    OtherDeploymentCurrent {
        /// The environment's current deployment, if any.
        current: Option<Box<ChainDeploymentV1>>,
        /// Whether the deployment promoted was seen as the candidate.
        was_candidate: bool,
        /// The environment as last read.
        last: Box<ChainEnvironmentV1>,
    },
    /// The environment answered 404 after it had been read: it was deleted.
    EnvironmentDeleted,
}

impl ChainPromotionOutcome {
    /// Whether the deployment promoted is now current.
    pub fn is_success(&self) -> bool {
        matches!(self, Self::Succeeded { .. })
    }
}

/// What a chain promotion waiter reports when it changes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ChainPromotionProgress {
    /// The environment's current deployment.
    pub current_deployment: Option<String>,
    /// The deployment being promoted, while a promotion is in progress.
    pub candidate_deployment: Option<String>,
}

impl fmt::Display for ChainPromotionProgress {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let current = self.current_deployment.as_deref().unwrap_or("none");
        match &self.candidate_deployment {
            Some(candidate) => write!(f, "promoting {candidate} (current {current})"),
            None => write!(f, "no promotion in progress (current {current})"),
        }
    }
}

/// A wait for a chain promotion, from [`Client::wait_for_chain_promotion`]; `.await` it.
#[must_use = "a waiter does nothing until it is awaited"]
pub struct ChainPromotionWait<'a> {
    client: &'a Client,
    chain_id: String,
    env_name: String,
    deployment_id: String,
    settings: Settings<'a, ChainPromotionProgress>,
    ending: Ending,
    environment_seen: bool,
}

impl<'a> ChainPromotionWait<'a> {
    pub(crate) fn new(
        client: &'a Client,
        chain_id: &str,
        env_name: &str,
        deployment_id: &str,
    ) -> Self {
        Self {
            client,
            chain_id: chain_id.to_owned(),
            env_name: env_name.to_owned(),
            deployment_id: deployment_id.to_owned(),
            settings: Settings::default(),
            ending: Ending::default(),
            environment_seen: false,
        }
    }

    settings_methods!(ChainPromotionProgress);
    ending_methods!();

    /// The environment was read before the wait: a 404 during it means it was deleted.
    pub fn environment_exists(mut self) -> Self {
        self.environment_seen = true;
        self
    }
}

impl<'a> IntoFuture for ChainPromotionWait<'a> {
    type Output = Result<ChainPromotionOutcome, WaitError>;
    type IntoFuture = Pin<Box<dyn Future<Output = Self::Output> + Send + 'a>>;

    fn into_future(self) -> Self::IntoFuture {
        Box::pin(async move {
            let mut classifier = ChainClassifier::new(
                self.deployment_id.clone(),
                self.ending.start_grace,
                self.ending.settle,
            );
            if self.environment_seen {
                classifier.environment_exists();
            }
            let probe = ChainPromotionProbe {
                subject: format!(
                    "the promotion of {} to {} of chain {}",
                    self.deployment_id, self.env_name, self.chain_id
                ),
                read: ChainEnvironmentRead {
                    client: self.client,
                    chain_id: self.chain_id,
                    env_name: self.env_name,
                },
                classifier,
            };
            self.settings.run(probe).await
        })
    }
}

struct ChainEnvironmentRead<'a> {
    client: &'a Client,
    chain_id: String,
    env_name: String,
}

impl Reader<ChainEnvironmentV1> for ChainEnvironmentRead<'_> {
    async fn read(&mut self) -> Result<ChainEnvironmentV1, Error> {
        let environment = self
            .client
            .get_chain_environment()
            .chain_id(self.chain_id.as_str())
            .env_name(self.env_name.as_str())
            .send()
            .await?;
        Ok(environment.into_inner())
    }
}

/// A chain promotion waiter: what it reads (`R`) and the rules that judge it.
pub(crate) struct ChainPromotionProbe<R> {
    pub(crate) subject: String,
    pub(crate) read: R,
    pub(crate) classifier: ChainClassifier,
}

impl<R: Reader<ChainEnvironmentV1>> Probe for ChainPromotionProbe<R> {
    type State = ChainEnvironmentV1;
    type Progress = ChainPromotionProgress;
    type Outcome = ChainPromotionOutcome;

    fn subject(&self) -> String {
        self.subject.clone()
    }

    async fn read(&mut self) -> Result<ChainEnvironmentV1, Error> {
        self.read.read().await
    }

    fn observe(
        &mut self,
        environment: &ChainEnvironmentV1,
        at: ReadAt,
    ) -> Observation<ChainPromotionOutcome, ChainPromotionProgress> {
        let id = |d: &Option<ChainDeploymentV1>| d.as_ref().map(|d| d.id.clone());
        Observation {
            progress: ChainPromotionProgress {
                current_deployment: id(&environment.current_deployment),
                candidate_deployment: id(&environment.candidate_deployment),
            },
            verdict: self.classifier.judge(environment, at),
            unknown_status: None,
        }
    }

    fn last_seen(environment: ChainEnvironmentV1) -> LastSeen {
        LastSeen::ChainEnvironment(Box::new(environment))
    }

    fn not_found(&mut self, _: ReadAt, seen: bool, _: &Polling) -> NotFound<ChainPromotionOutcome> {
        if seen || self.classifier.environment_seen {
            NotFound::Done(ChainPromotionOutcome::EnvironmentDeleted)
        } else {
            NotFound::Fail
        }
    }
}

/// The chain promotion rules, the promotion rules without a promotion object: `current ==
/// ours` while ours is not the candidate is success; `candidate == ours` is in progress; ours
/// gone with another deployment current ends the wait once that has held for the settle
/// interval (or, if ours was never seen, after the start grace).
pub(crate) struct ChainClassifier {
    deployment_id: String,
    start_grace: Duration,
    settle: Duration,
    environment_seen: bool,
    seen_as_candidate: bool,
    gone_since: Option<Duration>,
}

impl ChainClassifier {
    pub(crate) fn new(deployment_id: String, start_grace: Duration, settle: Duration) -> Self {
        Self {
            deployment_id,
            start_grace,
            settle,
            environment_seen: false,
            seen_as_candidate: false,
            gone_since: None,
        }
    }

    /// The environment was read before the wait: a 404 means it was deleted.
    pub(crate) fn environment_exists(&mut self) {
        self.environment_seen = true;
    }

    fn judge(
        &mut self,
        environment: &ChainEnvironmentV1,
        at: ReadAt,
    ) -> Verdict<ChainPromotionOutcome> {
        self.environment_seen = true;
        let is_ours =
            |d: &Option<ChainDeploymentV1>| d.as_ref().is_some_and(|d| d.id == self.deployment_id);
        if is_ours(&environment.candidate_deployment) {
            self.seen_as_candidate = true;
            self.gone_since = None;
            return Verdict::Waiting;
        }
        if let Some(current) = environment
            .current_deployment
            .as_ref()
            .filter(|d| d.id == self.deployment_id)
        {
            return Verdict::Done(ChainPromotionOutcome::Succeeded {
                deployment: Box::new(current.clone()),
            });
        }
        let over = if self.seen_as_candidate {
            let since = *self.gone_since.get_or_insert(at.finished);
            at.started >= since + self.settle
        } else {
            at.started >= self.start_grace
        };
        if over {
            return Verdict::Done(ChainPromotionOutcome::OtherDeploymentCurrent {
                current: environment.current_deployment.clone().map(Box::new),
                was_candidate: self.seen_as_candidate,
                last: Box::new(environment.clone()),
            });
        }
        Verdict::Waiting
    }
}
