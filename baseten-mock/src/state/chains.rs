//! Promoting a chain deployment to an environment. Immediate: Baseten does not support rolling
//! promotions for chains. With [`Timings::chain_promotion`](crate::Timings::chain_promotion),
//! `get_chain_environment` shows the switch as a promotion in progress for a while (the
//! candidate beside the previous current); nothing else waits.

use serde::Deserialize;

use super::{ChainSwitch, World, wake_replicas};
use crate::error::ApiError;
use crate::types::{ChainDeployment, DeploymentStatus};

/// `PromoteToChainEnvironmentRequestV1`, after the body has been validated against the spec.
#[derive(Debug, Clone, Deserialize)]
pub(crate) struct PromoteChainRequest {
    pub(crate) deployment_id: String,
    #[serde(default = "yes")]
    pub(crate) scale_down_previous_deployment: bool,
}

fn yes() -> bool {
    true
}

impl World {
    /// `POST /v1/chains/{chain_id}/environments/{env_name}/promote`.
    pub(crate) fn promote_chain(
        &mut self,
        chain_id: &str,
        env: &str,
        request: &PromoteChainRequest,
    ) -> Result<ChainDeployment, ApiError> {
        self.sync();
        let deployment_id = request.deployment_id.as_str();
        let not_found =
            || ApiError::not_found(format!("Chain deployment {deployment_id} not found."));
        let chain = self
            .chains
            .get(chain_id)
            .ok_or_else(|| ApiError::not_found(format!("Chain {chain_id} not found.")))?;
        let env_rec = chain.environments.get(env).ok_or_else(|| {
            ApiError::not_found(format!("Environment {env} not found for chain {chain_id}."))
        })?;
        let candidate = self
            .chain_deployments
            .get(deployment_id)
            .ok_or_else(not_found)?;
        if candidate.chain_id != chain_id {
            return Err(ApiError::validation(format!(
                "Chain deployment {deployment_id} does not belong to chain {chain_id}."
            )));
        }
        if candidate.status.blocks_promotion() {
            return Err(ApiError::validation(format!(
                "Chain deployment {deployment_id} cannot be promoted while its status is {}.",
                candidate.status
            )));
        }

        if env_rec.current.as_deref() != Some(deployment_id) {
            let seq = self.next_assignment_seq();
            let now = self.clock.now();
            let previous = self
                .chains
                .get_mut(chain_id)
                .and_then(|chain| chain.environments.get_mut(env))
                .and_then(|env| {
                    env.assigned_seq = seq;
                    let previous = env.current.replace(deployment_id.to_owned());
                    env.last_switch = Some(ChainSwitch {
                        previous: previous.clone(),
                        at: now,
                    });
                    previous
                });
            self.wake_chain_deployment(deployment_id);
            if let Some(previous) = previous
                && request.scale_down_previous_deployment
            {
                self.scale_down_chain_deployment_if_unused(chain_id, &previous);
            }
        }
        self.chain_deployment(deployment_id).ok_or_else(not_found)
    }

    fn wake_chain_deployment(&mut self, id: &str) {
        let Some(rec) = self.chain_deployments.get_mut(id) else {
            return;
        };
        for chainlet in &mut rec.chainlets {
            wake_replicas(
                &mut chainlet.status,
                &mut chainlet.active_replica_count,
                &mut chainlet.autoscaling_settings,
            );
        }
        if matches!(
            rec.status,
            DeploymentStatus::ScaledToZero
                | DeploymentStatus::Inactive
                | DeploymentStatus::WakingUp
        ) {
            rec.status = DeploymentStatus::Active;
        }
    }

    fn scale_down_chain_deployment_if_unused(&mut self, chain_id: &str, id: &str) {
        let in_use = self.chains.get(chain_id).is_some_and(|chain| {
            chain
                .environments
                .values()
                .any(|env| env.current.as_deref() == Some(id))
        });
        if in_use {
            return;
        }
        if let Some(rec) = self.chain_deployments.get_mut(id) {
            rec.status = DeploymentStatus::ScaledToZero;
            for chainlet in &mut rec.chainlets {
                chainlet.status = DeploymentStatus::ScaledToZero;
                chainlet.active_replica_count = 0;
            }
        }
    }
}
