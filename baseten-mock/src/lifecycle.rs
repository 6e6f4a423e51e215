//! The stateful operations that only Baseten's newer specifications have (from August 2026):
//! creating, updating and deleting a model environment, renaming a deployment, activating and
//! deactivating one. Their rows are matched by method and path like those of `operations.rs`,
//! so they are reached only when the served spec defines them (the embedded one does not yet);
//! their names are the mock's, as Baseten's documents have no operationIds.

use serde::Deserialize;
use serde_json::{Value, json};

use crate::error::ApiError;
use crate::operations::{Implemented, Params, Reply, param, parse, to_json};
use crate::state::{CreateEnvironmentRequest, Target, UpdateEnvironmentRequest, World};

pub(crate) const LIFECYCLE: [Implemented; 10] = [
    Implemented {
        id: "create_environment",
        method: "POST",
        path: "/v1/models/{model_id}/environments",
        handler: create_environment,
    },
    Implemented {
        id: "update_environment",
        method: "PATCH",
        path: "/v1/models/{model_id}/environments/{env_name}",
        handler: update_environment,
    },
    Implemented {
        id: "delete_environment",
        method: "DELETE",
        path: "/v1/models/{model_id}/environments/{env_name}",
        handler: delete_environment,
    },
    Implemented {
        id: "update_deployment",
        method: "PATCH",
        path: "/v1/models/{model_id}/deployments/{deployment_id}",
        handler: update_deployment,
    },
    Implemented {
        id: "activate_deployment",
        method: "POST",
        path: "/v1/models/{model_id}/deployments/{deployment_id}/activate",
        handler: |world, params, _| {
            let id = param(params, "deployment_id")?;
            switch(world, params, Target::Id(id), true)
        },
    },
    Implemented {
        id: "activate_development_deployment",
        method: "POST",
        path: "/v1/models/{model_id}/deployments/development/activate",
        handler: |world, params, _| switch(world, params, Target::Development, true),
    },
    Implemented {
        id: "activate_production_deployment",
        method: "POST",
        path: "/v1/models/{model_id}/deployments/production/activate",
        handler: |world, params, _| switch(world, params, Target::Production, true),
    },
    Implemented {
        id: "deactivate_deployment",
        method: "POST",
        path: "/v1/models/{model_id}/deployments/{deployment_id}/deactivate",
        handler: |world, params, _| {
            let id = param(params, "deployment_id")?;
            switch(world, params, Target::Id(id), false)
        },
    },
    Implemented {
        id: "deactivate_development_deployment",
        method: "POST",
        path: "/v1/models/{model_id}/deployments/development/deactivate",
        handler: |world, params, _| switch(world, params, Target::Development, false),
    },
    Implemented {
        id: "deactivate_production_deployment",
        method: "POST",
        path: "/v1/models/{model_id}/deployments/production/deactivate",
        handler: |world, params, _| switch(world, params, Target::Production, false),
    },
];

fn create_environment(world: &mut World, params: &Params, body: Value) -> Result<Reply, ApiError> {
    let request: CreateEnvironmentRequest = parse(body)?;
    let view = world.create_environment(param(params, "model_id")?, &request)?;
    to_json(&view)
}

/// Answers `UpdateEnvironmentResponseV1`: the environment as a read now shows it, and the
/// deprecated `status`/`message` of the older autoscaling-only answer.
fn update_environment(world: &mut World, params: &Params, body: Value) -> Result<Reply, ApiError> {
    let request: UpdateEnvironmentRequest = parse(body)?;
    let (model_id, env) = (param(params, "model_id")?, param(params, "env_name")?);
    let view = world.update_environment(model_id, env, &request)?;
    let environment = to_json(&view)?.body;
    Ok(Reply::new(json!({
        "environment": environment,
        "status": "ACCEPTED",
        "message": format!("Environment {env} was updated."),
    })))
}

/// Answers `EnvironmentTombstoneV1`; see `World::delete_environment` for what deleting does.
fn delete_environment(world: &mut World, params: &Params, _body: Value) -> Result<Reply, ApiError> {
    let (model_id, env) = (param(params, "model_id")?, param(params, "env_name")?);
    world.delete_environment(model_id, env)?;
    Ok(Reply::new(
        json!({"name": env, "model_id": model_id, "deleted": true}),
    ))
}

/// `UpdateDeploymentRequestV1`.
#[derive(Debug, Deserialize)]
struct UpdateDeploymentRequest {
    #[serde(default)]
    name: Option<String>,
}

fn update_deployment(world: &mut World, params: &Params, body: Value) -> Result<Reply, ApiError> {
    let request: UpdateDeploymentRequest = parse(body)?;
    let deployment = world.rename_deployment(
        param(params, "model_id")?,
        param(params, "deployment_id")?,
        request.name.as_deref(),
    )?;
    to_json(&deployment)
}

/// Activate or deactivate, answered `{"success": true}` (`ActivateResponseV1`,
/// `DeactivateResponseV1`).
fn switch(
    world: &mut World,
    params: &Params,
    target: Target<'_>,
    active: bool,
) -> Result<Reply, ApiError> {
    world.set_deployment_active(param(params, "model_id")?, target, active)?;
    Ok(Reply::new(json!({"success": true})))
}
