//! The mock's serde models of the spec's environment and cancel schemas (`EnvironmentV1`,
//! `EnvironmentsV1`, `InProgressPromotionV1`, `PromotionSettingsV1`, `InstanceTypeV1`,
//! `ChainEnvironmentV1`, `CancelPromotionResponseV1`, ...): only ever serialized, as answers.
//!
//! Like the types in `types.rs` they are the mock's own, not the client's generated ones, so a
//! client that decodes the spec wrongly is caught; every answer is checked against the spec.

use chrono::{DateTime, Utc};
use serde::Serialize;

use crate::types::{AutoscalingSettings, ChainDeployment, Deployment, PromotionStatus};

/// `EnvironmentV1`.
#[derive(Debug, Serialize)]
pub(crate) struct EnvironmentView {
    pub(crate) name: String,
    pub(crate) created_at: DateTime<Utc>,
    pub(crate) model_id: String,
    pub(crate) current_deployment: Option<Deployment>,
    pub(crate) candidate_deployment: Option<Deployment>,
    pub(crate) in_progress_promotion: Option<InProgressPromotionView>,
    pub(crate) autoscaling_settings: AutoscalingSettings,
    pub(crate) promotion_settings: PromotionSettingsView,
    pub(crate) instance_type: InstanceTypeView,
}

/// `EnvironmentsV1`.
#[derive(Debug, Serialize)]
pub(crate) struct EnvironmentsView {
    pub(crate) environments: Vec<EnvironmentView>,
}

/// `InProgressPromotionV1`.
#[derive(Debug, Serialize)]
pub(crate) struct InProgressPromotionView {
    pub(crate) status: PromotionStatus,
    pub(crate) percent_traffic_to_new_version: i64,
    pub(crate) error_message: Option<String>,
    pub(crate) rolling_deploy: Option<bool>,
}

/// `PromotionSettingsV1`, as the mock's environments behave.
#[derive(Debug, Serialize)]
pub(crate) struct PromotionSettingsView {
    redeploy_on_promotion: Option<bool>,
    rolling_deploy: Option<bool>,
    promotion_cleanup_strategy: Option<&'static str>,
    rolling_deploy_config: Option<RollingDeployConfigView>,
    ramp_up_while_promoting: Option<bool>,
    ramp_up_duration_seconds: Option<i64>,
}

impl PromotionSettingsView {
    /// `max_surge_percent` of a rolling environment (its `step_percent`), `None` for one that
    /// promotes at once. Previous deployments are scaled to zero unless a request says
    /// otherwise, so the cleanup strategy is `SCALE_TO_ZERO`.
    pub(crate) fn new(rolling_step_percent: Option<u8>) -> Self {
        Self {
            redeploy_on_promotion: Some(false),
            rolling_deploy: Some(rolling_step_percent.is_some()),
            promotion_cleanup_strategy: Some("SCALE_TO_ZERO"),
            rolling_deploy_config: rolling_step_percent.map(|step| RollingDeployConfigView {
                rolling_deploy_strategy: "REPLICA",
                max_surge_percent: i64::from(step),
                max_unavailable_percent: 0,
                stabilization_time_seconds: 0,
                replica_overhead_percent: 0,
            }),
            ramp_up_while_promoting: Some(false),
            ramp_up_duration_seconds: Some(600),
        }
    }
}

/// `RollingDeployConfigV1`.
#[derive(Debug, Serialize)]
struct RollingDeployConfigView {
    rolling_deploy_strategy: &'static str,
    max_surge_percent: i64,
    max_unavailable_percent: i64,
    stabilization_time_seconds: i64,
    replica_overhead_percent: i64,
}

/// `InstanceTypeV1`, derived from an instance type name such as `1x2` (1 vCPU, 2 GiB) or
/// `H100:1x80` (a GPU type, then vCPUs x GiB).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub(crate) struct InstanceTypeView {
    id: String,
    name: String,
    memory_limit_mib: i64,
    millicpu_limit: i64,
    gpu_count: i64,
    gpu_type: Option<String>,
    gpu_memory_limit_mib: Option<i64>,
}

/// What an environment or chainlet runs on when nothing says: Baseten's smallest CPU instance.
pub(crate) const DEFAULT_INSTANCE_TYPE: &str = "1x2";

impl InstanceTypeView {
    /// Reads `[GPU:]CPUxGIB`; a name that does not parse is still reported (as itself, 1 vCPU
    /// and 2 GiB), since the mock accepts any instance type name in a seed.
    pub(crate) fn from_name(name: &str) -> Self {
        let (gpu, size) = match name.rsplit_once(':') {
            Some((gpu, size)) => (Some(gpu), size),
            None => (None, name),
        };
        let (cpus, gib) = size
            .split_once('x')
            .and_then(|(c, m)| Some((c.parse::<i64>().ok()?, m.parse::<i64>().ok()?)))
            .unwrap_or((1, 2));
        Self {
            id: name.to_owned(),
            name: name.to_owned(),
            memory_limit_mib: gib * 1024,
            millicpu_limit: cpus * 1000,
            gpu_count: i64::from(gpu.is_some()),
            gpu_type: gpu.map(str::to_owned),
            gpu_memory_limit_mib: gpu.and_then(gpu_memory_mib),
        }
    }
}

/// Memory of the GPUs Baseten offers, by type; `None` for one the mock does not know.
fn gpu_memory_mib(gpu: &str) -> Option<i64> {
    let gib = match gpu {
        "T4" => 16,
        "L4" | "A10G" => 24,
        "A100" | "H100" => 80,
        "H100MIG" => 40,
        "B200" => 180,
        _ => return None,
    };
    Some(gib * 1024)
}

/// `ChainEnvironmentV1`.
#[derive(Debug, Serialize)]
pub(crate) struct ChainEnvironmentView {
    pub(crate) name: String,
    pub(crate) created_at: DateTime<Utc>,
    pub(crate) chain_id: String,
    pub(crate) promotion_settings: PromotionSettingsView,
    pub(crate) chainlet_settings: Vec<ChainletSettingsView>,
    pub(crate) current_deployment: Option<ChainDeployment>,
    pub(crate) candidate_deployment: Option<ChainDeployment>,
}

/// `ChainletEnvironmentSettingsV1`.
#[derive(Debug, Serialize)]
pub(crate) struct ChainletSettingsView {
    pub(crate) chainlet_name: String,
    pub(crate) autoscaling_settings: Option<AutoscalingSettings>,
    pub(crate) instance_type: InstanceTypeView,
}

/// `CancelPromotionResponseV1`.
#[derive(Debug, Serialize)]
pub(crate) struct CancelView {
    /// `CANCELED` or `RAMPING_DOWN` (`CancelPromotionStatusV1`).
    pub(crate) status: PromotionStatus,
    pub(crate) message: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn instance_types_are_read_from_their_names() {
        let gpu = InstanceTypeView::from_name("H100:2x80");
        assert_eq!(
            (gpu.gpu_type.as_deref(), gpu.gpu_count, gpu.millicpu_limit),
            (Some("H100"), 1, 2000)
        );
        assert_eq!(gpu.memory_limit_mib, 80 * 1024);
        assert_eq!(gpu.gpu_memory_limit_mib, Some(80 * 1024));

        let cpu = InstanceTypeView::from_name("4x16");
        assert_eq!((cpu.gpu_type, cpu.gpu_count), (None, 0));
        assert_eq!(
            (cpu.millicpu_limit, cpu.memory_limit_mib),
            (4000, 16 * 1024)
        );

        let odd = InstanceTypeView::from_name("XPU:big");
        assert_eq!(odd.name, "XPU:big");
        assert_eq!((odd.millicpu_limit, odd.gpu_memory_limit_mib), (1000, None));
    }
}
