//! The read operations' answers: environments (with their current and candidate deployments
//! and the promotion in progress), deployments, chain environments and chain deployments.

use std::time::Duration;

use super::models::{deployment_not_found, env_not_found, model_not_found};
use super::{EnvRec, PromotionRec, World};
use crate::error::ApiError;
use crate::types::{ChainDeployment, Deployment, PromotionStatus};
use crate::wire::{
    ChainEnvironmentView, ChainletSettingsView, DEFAULT_INSTANCE_TYPE, EnvironmentView,
    EnvironmentsView, InProgressPromotionView, InstanceTypeView, PromotionSettingsView,
};

impl World {
    /// `GET /v1/models/{model_id}/environments/{env_name}`.
    pub(crate) fn get_environment(
        &mut self,
        model_id: &str,
        env: &str,
    ) -> Result<EnvironmentView, ApiError> {
        self.sync();
        let model = self
            .models
            .get(model_id)
            .ok_or_else(|| model_not_found(model_id))?;
        let rec = model
            .environments
            .get(env)
            .ok_or_else(|| env_not_found(model_id, env))?;
        Ok(self.environment_view(model_id, env, rec))
    }

    /// `GET /v1/models/{model_id}/environments`: every environment, by name.
    pub(crate) fn list_environments(
        &mut self,
        model_id: &str,
    ) -> Result<EnvironmentsView, ApiError> {
        self.sync();
        let model = self
            .models
            .get(model_id)
            .ok_or_else(|| model_not_found(model_id))?;
        let environments = model
            .environments
            .iter()
            .map(|(name, rec)| self.environment_view(model_id, name, rec))
            .collect();
        Ok(EnvironmentsView { environments })
    }

    fn environment_view(&self, model_id: &str, env: &str, rec: &EnvRec) -> EnvironmentView {
        let now = self.clock.now();
        let latest = rec.promotion.as_ref();
        let current = self
            .shown_current(rec, now)
            .and_then(|id| self.deployment(id));
        // Within its `candidate_lead`, a promotion in progress shows its candidate beside what
        // the environment showed before it.
        let leading = latest.filter(|p| {
            p.status.in_progress()
                && now < p.accepted_at.saturating_add(self.timings.candidate_lead)
        });
        let (shown, candidate) = match leading {
            Some(p) => (
                p.before.as_deref().filter(|b| self.promotion_shown(b)),
                Some(p),
            ),
            None => {
                let shown = latest.filter(|p| self.promotion_shown(p));
                // The candidate of a promotion in progress; of an ended one still shown, only
                // if `ended_candidate_visible`.
                let candidate = shown
                    .filter(|p| p.status.in_progress() || self.timings.ended_candidate_visible);
                (shown, candidate)
            }
        };
        let candidate = candidate.and_then(|p| self.deployment(&p.candidate));
        let in_progress_promotion = shown.map(|p| InProgressPromotionView {
            status: p.status,
            percent_traffic_to_new_version: i64::from(p.traffic),
            error_message: p.error_message.clone(),
            rolling_deploy: Some(p.rolling),
        });
        let instance_type = current
            .as_ref()
            .and_then(|d| d.instance_type_name.as_deref())
            .unwrap_or(DEFAULT_INSTANCE_TYPE);
        EnvironmentView {
            name: env.to_owned(),
            created_at: rec.created_at,
            model_id: model_id.to_owned(),
            autoscaling_settings: rec
                .autoscaling
                .clone()
                .or_else(|| {
                    current
                        .as_ref()
                        .and_then(|d| d.autoscaling_settings.clone())
                })
                .unwrap_or_default(),
            promotion_settings: PromotionSettingsView::new(rec.rolling.map(|r| r.step_percent)),
            instance_type: InstanceTypeView::from_name(instance_type),
            current_deployment: current,
            candidate_deployment: candidate,
            in_progress_promotion,
        }
    }

    /// The `current_deployment` an environment shows: the deployment it serves, except after
    /// its latest promotion succeeded, with a `current_switch_delay`: then the one it served
    /// before, while `SUCCEEDED` is shown and for `current_switch_delay` after that.
    fn shown_current<'r>(&self, rec: &'r EnvRec, now: Duration) -> Option<&'r str> {
        let timings = &self.timings;
        match &rec.promotion {
            Some(p)
                if p.status == PromotionStatus::Succeeded
                    && !timings.current_switch_delay.is_zero()
                    && p.ended_at.is_some_and(|end| {
                        now < end
                            .saturating_add(timings.ended_promotion_visible)
                            .saturating_add(timings.current_switch_delay)
                    }) =>
            {
                p.previous.as_deref()
            }
            _ => rec.current.as_deref(),
        }
    }

    /// A promotion is shown while in progress, and for `ended_promotion_visible` after it ended.
    fn promotion_shown(&self, promotion: &PromotionRec) -> bool {
        promotion.status.in_progress()
            || promotion.ended_at.is_some_and(|end| {
                self.clock.now() < end.saturating_add(self.timings.ended_promotion_visible)
            })
    }

    /// `GET /v1/models/{model_id}/deployments/{deployment_id}`. Another model's deployment is
    /// "not found" here (the path names a resource that does not exist), and so is one the mock
    /// created less than `new_deployment_not_found` ago, as on Baseten.
    pub(crate) fn get_deployment(
        &mut self,
        model_id: &str,
        deployment_id: &str,
    ) -> Result<Deployment, ApiError> {
        self.sync();
        if !self.models.contains_key(model_id) {
            return Err(model_not_found(model_id));
        }
        let now = self.clock.now();
        let window = self.timings.new_deployment_not_found;
        let visible = self.deployments.get(deployment_id).is_some_and(|rec| {
            rec.model_id == model_id
                && rec
                    .created_by_mock_at
                    .is_none_or(|created| now >= created.saturating_add(window))
        });
        if !visible {
            return Err(deployment_not_found(deployment_id));
        }
        self.deployment(deployment_id)
            .ok_or_else(|| deployment_not_found(deployment_id))
    }

    /// `GET /v1/chains/{chain_id}/environments/{env_name}`. Chain promotions are immediate, so
    /// there is no candidate, except within `Timings::chain_promotion` of one: then the
    /// previous deployment is shown as current and the promoted one as candidate.
    pub(crate) fn get_chain_environment(
        &mut self,
        chain_id: &str,
        env: &str,
    ) -> Result<ChainEnvironmentView, ApiError> {
        self.sync();
        let chain = self
            .chains
            .get(chain_id)
            .ok_or_else(|| chain_not_found(chain_id))?;
        let rec = chain.environments.get(env).ok_or_else(|| {
            ApiError::not_found(format!("Environment {env} not found for chain {chain_id}."))
        })?;
        let now = self.clock.now();
        let (current, candidate) = match rec
            .last_switch
            .as_ref()
            .filter(|switch| now < switch.at.saturating_add(self.timings.chain_promotion))
        {
            Some(switch) => (switch.previous.as_deref(), rec.current.as_deref()),
            None => (rec.current.as_deref(), None),
        };
        let current = current.and_then(|id| self.chain_deployment(id));
        let candidate = candidate.and_then(|id| self.chain_deployment(id));
        let chainlet_settings = current
            .iter()
            .flat_map(|d| &d.chainlets)
            .map(|chainlet| ChainletSettingsView {
                chainlet_name: chainlet.name.clone(),
                autoscaling_settings: chainlet.autoscaling_settings.clone(),
                instance_type: InstanceTypeView::from_name(&chainlet.instance_type_name),
            })
            .collect();
        Ok(ChainEnvironmentView {
            name: env.to_owned(),
            created_at: rec.created_at,
            chain_id: chain_id.to_owned(),
            promotion_settings: PromotionSettingsView::new(None),
            chainlet_settings,
            current_deployment: current,
            candidate_deployment: candidate,
        })
    }

    /// `GET /v1/chains/{chain_id}/deployments/{chain_deployment_id}`; another chain's
    /// deployment is "not found", as for models.
    pub(crate) fn get_chain_deployment(
        &mut self,
        chain_id: &str,
        deployment_id: &str,
    ) -> Result<ChainDeployment, ApiError> {
        self.sync();
        if !self.chains.contains_key(chain_id) {
            return Err(chain_not_found(chain_id));
        }
        self.chain_deployment(deployment_id)
            .filter(|d| d.chain_id == chain_id)
            .ok_or_else(|| {
                ApiError::not_found(format!("Chain deployment {deployment_id} not found."))
            })
    }
}

pub(super) fn chain_not_found(chain_id: &str) -> ApiError {
    ApiError::not_found(format!("Chain {chain_id} not found."))
}
