//! A world on which every operation of the spec answers 2xx, and the values that get there: the
//! seeded ids for path parameters, request bodies fitted to the seed, and the state a signal
//! needs first. The mock's own test of every operation uses it, as do baseten-api's tests that
//! call every operation through the client; a test of another client against the mock can too.
//!
//! ```
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() {
//! use baseten_mock::{MockServer, every_operation};
//!
//! let path = "/v1/models/{model_id}/environments/{env_name}/pause_promotion";
//! let mock = MockServer::builder().seed(every_operation::seed()).start().await.unwrap();
//! mock.prepare_for(path).unwrap(); // a promotion to pause is under way
//! assert_eq!(every_operation::path_value(path, "env_name"), "staging");
//! # }
//! ```

use std::time::Duration;

use axum::http::StatusCode;
use serde_json::{Value, json};

use crate::app::lock;
use crate::error::{ApiError, MockError};
use crate::seed::Seed;
use crate::server::MockServer;
use crate::state::PromoteToEnvironmentRequest;

/// The model every `/v1/models/{model_id}/…` path names.
const MODEL: &str = "mdl-a";
/// Its environment that paths name: rolling, so it can be promoted to, paused and deleted.
const ENV: &str = "staging";
/// Its deployment that paths and bodies name: current nowhere, so it can be promoted.
const DEPLOYMENT: &str = "dpl-2";
/// The chain every `/v1/chains/{chain_id}/…` path names, its environment and deployment.
const CHAIN: &str = "chn-a";
const CHAIN_ENV: &str = "production";
const CHAIN_DEPLOYMENT: &str = "chd-2";

/// The world, as a seed file: a model `mdl-a` with a development deployment and three others,
/// a production environment and a rolling `staging` (25 % steps of a minute); a chain `chn-a`
/// with two deployments and a production environment.
pub const SEED_YAML: &str = r#"
models:
  - id: mdl-a
    deployments:
      - {id: dpl-dev, name: development, development: true}
      - {id: dpl-0, name: deployment-0}
      - {id: dpl-1, name: deployment-1}
      - {id: dpl-2, name: deployment-2}
    environments:
      - {name: production, deployment_id: dpl-1}
      - {name: staging, deployment_id: dpl-0, rolling: {step_percent: 25, step_seconds: 60}}
chains:
  - id: chn-a
    deployments:
      - {id: chd-1, chainlets: [{id: chl-1, name: Entrypoint}]}
      - {id: chd-2, chainlets: [{id: chl-2, name: Entrypoint}]}
    environments:
      - {name: production, deployment_id: chd-1}
"#;

/// [`SEED_YAML`], parsed.
///
/// # Panics
///
/// Never: the crate's tests parse it.
pub fn seed() -> Seed {
    Seed::from_yaml_str(SEED_YAML, "every_operation::SEED_YAML").expect("a valid seed")
}

/// The value of path parameter `name` in `path` (a template): the seeded ids where the path
/// names the mock's resources (a model's `env_name` is `staging`, which can be promoted to,
/// paused and deleted; `deployment_id` is `dpl-2`, current nowhere), `x-<name>` elsewhere.
pub fn path_value(path: &str, name: &str) -> String {
    let chain = path.starts_with("/v1/chains/");
    let model = path.starts_with("/v1/models/");
    match name {
        "model_id" if model => MODEL,
        "deployment_id" if model => DEPLOYMENT,
        "env_name" if model => ENV,
        "env_name" if chain => CHAIN_ENV,
        "chain_id" if chain => CHAIN,
        "chain_deployment_id" if chain => CHAIN_DEPLOYMENT,
        _ => return format!("x-{name}"),
    }
    .to_owned()
}

/// Fits a request body for the operation at `path` (a template) to the world: a
/// `deployment_id` names the deployment [`path_value`] gives, and an environment to create
/// is `qa`, which does not exist yet.
pub fn fit_body(path: &str, body: &mut Value) {
    let Some(object) = body.as_object_mut() else {
        return;
    };
    if object.contains_key("deployment_id") {
        let id = if path.starts_with("/v1/chains/") {
            CHAIN_DEPLOYMENT
        } else {
            DEPLOYMENT
        };
        object.insert("deployment_id".into(), json!(id));
    }
    if path == "/v1/models/{model_id}/environments" {
        object.insert("name".into(), json!("qa"));
    }
}

impl MockServer {
    /// Makes the state the operation at `path` (a template) needs to succeed on the
    /// [`every_operation`](crate::every_operation) world: a promotion of `dpl-2` to `staging`
    /// under way (a minute in) for a model's promotion signals, and paused for
    /// `resume_promotion`. Anything else needs nothing.
    ///
    /// # Errors
    ///
    /// [`MockError::NotFound`] or [`MockError::Validation`] when the mock was not seeded with
    /// [`every_operation::seed`](crate::every_operation::seed).
    pub fn prepare_for(&self, path: &str) -> Result<(), MockError> {
        let signal = [
            "/cancel_promotion",
            "/pause_promotion",
            "/force_cancel_promotion",
            "/force_roll_forward_promotion",
            "/resume_promotion",
        ]
        .iter()
        .any(|s| path.ends_with(s));
        if !(signal && path.starts_with("/v1/models/")) {
            return Ok(());
        }
        let request = PromoteToEnvironmentRequest {
            deployment_id: DEPLOYMENT.to_owned(),
            scale_down_previous_deployment: true,
            preserve_env_instance_type: true,
        };
        lock(&self.app.world)
            .promote_to_environment(MODEL, ENV, &request)
            .map_err(refused)?;
        self.advance(Duration::from_secs(60));
        if path.ends_with("/resume_promotion") {
            lock(&self.app.world)
                .pause_promotion(MODEL, ENV)
                .map_err(refused)?;
            self.advance(Duration::from_secs(60));
        }
        Ok(())
    }
}

fn refused(error: ApiError) -> MockError {
    if error.status == StatusCode::NOT_FOUND {
        MockError::NotFound(error.message)
    } else {
        MockError::Validation(error.message)
    }
}
