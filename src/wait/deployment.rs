//! Waiting for a model or chain deployment to be ready: reads it (`get_deployment`,
//! `get_chain_deployment`) until its status settles.

use std::fmt;
use std::future::{Future, IntoFuture};
use std::pin::Pin;

use super::engine::{NotFound, Observation, Probe, ReadAt, Reader, Verdict};
use super::settings::{Settings, settings_methods};
use super::{LastSeen, Polling, WaitError};
use crate::types::{ChainDeploymentV1, DeploymentStatusV1 as Status, DeploymentV1};
use crate::{Client, Error};

/// What a deployment status means to a waiter.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum DeploymentStatusClass {
    /// Deployed and able to serve: `ACTIVE`, and `SCALED_TO_ZERO` (healthy with no replica
    /// running; the next request wakes it). Treating scaled-to-zero as a failure would fail every
    /// deployment whose autoscaling allows zero replicas.
    Ready,
    /// Still on its way: `BUILDING`, `DEPLOYING`, `LOADING_MODEL`, `UPDATING`, `WAKING_UP`, and
    /// `UNHEALTHY` (replicas failing health checks can recover; the deadline ends a wait that
    /// does not).
    InProgress,
    /// It will not become ready: `BUILD_FAILED`, `DEPLOY_FAILED`, `FAILED`, `BUILD_STOPPED`.
    Failed,
    /// Deactivated or being deactivated (`INACTIVE`, `DEACTIVATING`): not ready, and it will
    /// not become ready unless someone activates it.
    Inactive,
    /// A status this version does not know: the wait goes on until the deadline.
    Unknown,
}

/// The class of every status, known or not.
///
/// ```
/// use baseten_api::types::DeploymentStatusV1 as S;
/// use baseten_api::wait::{DeploymentStatusClass as C, classify_deployment_status};
///
/// assert_eq!(classify_deployment_status(&S::ScaledToZero), C::Ready);
/// assert_eq!(classify_deployment_status(&S::BuildFailed), C::Failed);
/// assert_eq!(classify_deployment_status(&S::Unknown("HIBERNATING".into())), C::Unknown);
/// ```
pub fn classify_deployment_status(status: &Status) -> DeploymentStatusClass {
    use DeploymentStatusClass as C;
    match status {
        Status::Active | Status::ScaledToZero => C::Ready,
        Status::Building
        | Status::Deploying
        | Status::LoadingModel
        | Status::Updating
        | Status::WakingUp
        | Status::Unhealthy => C::InProgress,
        Status::BuildFailed | Status::DeployFailed | Status::Failed | Status::BuildStopped => {
            C::Failed
        }
        Status::Inactive | Status::Deactivating => C::Inactive,
        Status::Unknown(_) => C::Unknown,
    }
}

/// How a deployment wait ended; `D` is [`DeploymentV1`] or [`ChainDeploymentV1`].
#[derive(Clone, Debug)]
#[non_exhaustive]
pub enum DeploymentOutcome<D> {
    /// Ready to serve (`ACTIVE` or `SCALED_TO_ZERO`).
    Ready(Box<D>),
    /// It failed (`BUILD_FAILED`, `DEPLOY_FAILED`, `FAILED`, `BUILD_STOPPED`).
    Failed(Box<D>),
    /// It is deactivated (`INACTIVE`, `DEACTIVATING`).
    Inactive(Box<D>),
}

impl<D> DeploymentOutcome<D> {
    /// Whether the deployment is ready.
    pub fn is_ready(&self) -> bool {
        matches!(self, Self::Ready(_))
    }

    /// The deployment as last read.
    pub fn deployment(&self) -> &D {
        match self {
            Self::Ready(d) | Self::Failed(d) | Self::Inactive(d) => d,
        }
    }
}

/// What a deployment waiter reports when it changes: the status.
#[derive(Clone, Debug, PartialEq)]
pub struct DeploymentProgress {
    /// The deployment's status.
    pub status: Status,
}

impl fmt::Display for DeploymentProgress {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.status)
    }
}

/// A deployment as the waiter needs it, model or chain.
pub(crate) trait Deployment: Clone + Send + 'static {
    fn status(&self) -> &Status;
    fn last_seen(self) -> LastSeen;
}

impl Deployment for DeploymentV1 {
    fn status(&self) -> &Status {
        &self.status
    }
    fn last_seen(self) -> LastSeen {
        LastSeen::Deployment(Box::new(self))
    }
}

impl Deployment for ChainDeploymentV1 {
    fn status(&self) -> &Status {
        &self.status
    }
    fn last_seen(self) -> LastSeen {
        LastSeen::ChainDeployment(Box::new(self))
    }
}

/// A wait for a model deployment, from [`Client::wait_for_deployment`]; `.await` it.
#[must_use = "a waiter does nothing until it is awaited"]
pub struct DeploymentWait<'a> {
    client: &'a Client,
    model_id: String,
    deployment_id: String,
    settings: Settings<'a, DeploymentProgress>,
}

impl<'a> DeploymentWait<'a> {
    pub(crate) fn new(client: &'a Client, model_id: &str, deployment_id: &str) -> Self {
        Self {
            client,
            model_id: model_id.to_owned(),
            deployment_id: deployment_id.to_owned(),
            settings: Settings::default(),
        }
    }

    settings_methods!(DeploymentProgress);
}

/// A wait for a chain deployment, from [`Client::wait_for_chain_deployment`]; `.await` it.
#[must_use = "a waiter does nothing until it is awaited"]
pub struct ChainDeploymentWait<'a> {
    client: &'a Client,
    chain_id: String,
    deployment_id: String,
    settings: Settings<'a, DeploymentProgress>,
}

impl<'a> ChainDeploymentWait<'a> {
    pub(crate) fn new(client: &'a Client, chain_id: &str, deployment_id: &str) -> Self {
        Self {
            client,
            chain_id: chain_id.to_owned(),
            deployment_id: deployment_id.to_owned(),
            settings: Settings::default(),
        }
    }

    settings_methods!(DeploymentProgress);
}

impl<'a> IntoFuture for DeploymentWait<'a> {
    type Output = Result<DeploymentOutcome<DeploymentV1>, WaitError>;
    type IntoFuture = Pin<Box<dyn Future<Output = Self::Output> + Send + 'a>>;

    fn into_future(self) -> Self::IntoFuture {
        let probe = DeploymentProbe {
            subject: format!(
                "deployment {} of model {}",
                self.deployment_id, self.model_id
            ),
            read: ModelRead {
                client: self.client,
                model_id: self.model_id,
                deployment_id: self.deployment_id,
            },
            deployment: std::marker::PhantomData,
        };
        Box::pin(self.settings.run(probe))
    }
}

impl<'a> IntoFuture for ChainDeploymentWait<'a> {
    type Output = Result<DeploymentOutcome<ChainDeploymentV1>, WaitError>;
    type IntoFuture = Pin<Box<dyn Future<Output = Self::Output> + Send + 'a>>;

    fn into_future(self) -> Self::IntoFuture {
        let probe = DeploymentProbe {
            subject: format!(
                "deployment {} of chain {}",
                self.deployment_id, self.chain_id
            ),
            read: ChainRead {
                client: self.client,
                chain_id: self.chain_id,
                deployment_id: self.deployment_id,
            },
            deployment: std::marker::PhantomData,
        };
        Box::pin(self.settings.run(probe))
    }
}

struct ModelRead<'a> {
    client: &'a Client,
    model_id: String,
    deployment_id: String,
}

impl Reader<DeploymentV1> for ModelRead<'_> {
    async fn read(&mut self) -> Result<DeploymentV1, Error> {
        let deployment = self
            .client
            .get_deployment()
            .model_id(self.model_id.as_str())
            .deployment_id(self.deployment_id.as_str())
            .send()
            .await?;
        Ok(deployment.into_inner())
    }
}

struct ChainRead<'a> {
    client: &'a Client,
    chain_id: String,
    deployment_id: String,
}

impl Reader<ChainDeploymentV1> for ChainRead<'_> {
    async fn read(&mut self) -> Result<ChainDeploymentV1, Error> {
        let deployment = self
            .client
            .get_chain_deployment()
            .chain_id(self.chain_id.as_str())
            .chain_deployment_id(self.deployment_id.as_str())
            .send()
            .await?;
        Ok(deployment.into_inner())
    }
}

/// A deployment waiter: what it reads (`R`), judged by the status alone.
pub(crate) struct DeploymentProbe<D, R> {
    pub(crate) subject: String,
    pub(crate) read: R,
    pub(crate) deployment: std::marker::PhantomData<fn() -> D>,
}

impl<D: Deployment, R: Reader<D>> Probe for DeploymentProbe<D, R> {
    type State = D;
    type Progress = DeploymentProgress;
    type Outcome = DeploymentOutcome<D>;

    fn subject(&self) -> String {
        self.subject.clone()
    }

    async fn read(&mut self) -> Result<D, Error> {
        self.read.read().await
    }

    fn observe(
        &mut self,
        deployment: &D,
        _: ReadAt,
    ) -> Observation<Self::Outcome, DeploymentProgress> {
        let status = deployment.status();
        let progress = DeploymentProgress {
            status: status.clone(),
        };
        let boxed = || Box::new(deployment.clone());
        let (verdict, unknown_status) = match classify_deployment_status(status) {
            DeploymentStatusClass::Ready => {
                (Verdict::Done(DeploymentOutcome::Ready(boxed())), None)
            }
            DeploymentStatusClass::Failed => {
                (Verdict::Done(DeploymentOutcome::Failed(boxed())), None)
            }
            DeploymentStatusClass::Inactive => {
                (Verdict::Done(DeploymentOutcome::Inactive(boxed())), None)
            }
            DeploymentStatusClass::InProgress => (Verdict::Waiting, None),
            DeploymentStatusClass::Unknown => (Verdict::Waiting, Some(status.to_string())),
        };
        Observation {
            progress,
            verdict,
            unknown_status,
        }
    }

    fn last_seen(deployment: D) -> LastSeen {
        deployment.last_seen()
    }

    /// Baseten answers 404 for a few seconds after creating a deployment: tolerated until it
    /// has been seen once, for [`Polling::not_found_grace`].
    fn not_found(&mut self, at: ReadAt, seen: bool, polling: &Polling) -> NotFound<Self::Outcome> {
        if !seen && at.started < polling.not_found_grace {
            NotFound::Tolerate
        } else {
            NotFound::Fail
        }
    }
}

#[cfg(test)]
mod tests {
    use super::{DeploymentStatusClass as C, classify_deployment_status};
    use crate::types::DeploymentStatusV1 as S;

    #[test]
    fn every_known_status_and_an_unknown_one() {
        let table = [
            (S::Active, C::Ready),
            (S::ScaledToZero, C::Ready),
            (S::Building, C::InProgress),
            (S::Deploying, C::InProgress),
            (S::LoadingModel, C::InProgress),
            (S::Updating, C::InProgress),
            (S::WakingUp, C::InProgress),
            (S::Unhealthy, C::InProgress),
            (S::BuildFailed, C::Failed),
            (S::DeployFailed, C::Failed),
            (S::Failed, C::Failed),
            (S::BuildStopped, C::Failed),
            (S::Inactive, C::Inactive),
            (S::Deactivating, C::Inactive),
            (S::Unknown("HIBERNATING".into()), C::Unknown),
        ];
        for (status, class) in &table {
            assert_eq!(classify_deployment_status(status), *class, "{status}");
        }
        // Every value the spec knows is in the table (the open enum adds only `Unknown`).
        let known: Vec<String> = table.iter().map(|(s, _)| s.to_string()).collect();
        for value in [
            "BUILDING",
            "DEPLOYING",
            "DEPLOY_FAILED",
            "LOADING_MODEL",
            "ACTIVE",
            "UNHEALTHY",
            "BUILD_FAILED",
            "BUILD_STOPPED",
            "DEACTIVATING",
            "INACTIVE",
            "FAILED",
            "UPDATING",
            "SCALED_TO_ZERO",
            "WAKING_UP",
        ] {
            assert!(
                known.iter().any(|k| k == value),
                "{value} is not classified"
            );
            let parsed: S = value.parse().unwrap();
            assert!(!matches!(parsed, S::Unknown(_)), "{value}");
        }
    }
}
