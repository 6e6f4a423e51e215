//! The stateful operations of the embedded spec, listed once: [`OPERATIONS`] gives each
//! `operationId` its method, path template and handler. The router runs the row whose method
//! and path template are the served operation's (so a document without operationIds reaches
//! them too), and generates an answer for an operation without one;
//! [`IMPLEMENTED_OPERATIONS`](crate::IMPLEMENTED_OPERATIONS) is the ids of this table. The rows
//! for operations only newer specs have are in `lifecycle.rs`.

use axum::http::StatusCode;
use serde::de::DeserializeOwned;
use serde_json::Value;

use crate::error::ApiError;
use crate::state::{
    PromoteChainRequest, PromoteDevelopmentRequest, PromoteToEnvironmentRequest, World,
};
use crate::wire::CancelView;

pub(crate) use crate::paths::Params;

/// A 200 answer: the body, which is checked against the spec, and changes that test hooks
/// (status overrides) make to it afterwards, off the spec on purpose.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Reply {
    pub(crate) body: Value,
    /// JSON pointer into `body` → the value to put there once the body has been checked.
    pub(crate) off_spec: Vec<(String, Value)>,
}

impl Reply {
    pub(crate) fn new(body: Value) -> Self {
        Self {
            body,
            off_spec: Vec::new(),
        }
    }

    /// The body with the off-spec changes applied: what is sent. A pointer that no longer
    /// exists is skipped.
    pub(crate) fn into_sent(self) -> Value {
        let mut body = self.body;
        for (pointer, value) in self.off_spec {
            if let Some(slot) = body.pointer_mut(&pointer) {
                *slot = value;
            }
        }
        body
    }
}

/// Carries out an operation: the path parameters, and the request body already validated
/// against the spec (`null` for an operation without one). Returns the 200 answer.
pub(crate) type Handler = fn(&mut World, &Params, Value) -> Result<Reply, ApiError>;

/// One implemented operation.
pub(crate) struct Implemented {
    /// Its name: the embedded spec's `operationId`, or for an operation only newer specs have
    /// (and Baseten's own, which has no operationIds), a name of the mock's.
    pub(crate) id: &'static str,
    /// Upper-case HTTP method and path template, as in the spec: where the row's handler is
    /// reached (and which parameter names it reads). The test
    /// `every_row_matches_its_spec_operation` keeps them equal to the spec's.
    pub(crate) method: &'static str,
    pub(crate) path: &'static str,
    pub(crate) handler: Handler,
}

pub(crate) const OPERATIONS: [Implemented; 13] = [
    Implemented {
        id: "promote_model_to_environment",
        method: "POST",
        path: "/v1/models/{model_id}/environments/{env_name}/promote",
        handler: promote_model_to_environment,
    },
    Implemented {
        id: "promote_development_to_production",
        method: "POST",
        path: "/v1/models/{model_id}/deployments/development/promote",
        handler: promote_development_to_production,
    },
    Implemented {
        id: "promote_chain_to_environment",
        method: "POST",
        path: "/v1/chains/{chain_id}/environments/{env_name}/promote",
        handler: promote_chain_to_environment,
    },
    Implemented {
        id: "force_roll_forward_promotion",
        method: "POST",
        path: "/v1/models/{model_id}/environments/{env_name}/force_roll_forward_promotion",
        handler: |world, params, _| signal(world, params, World::force_roll_forward),
    },
    Implemented {
        id: "cancel_promotion",
        method: "POST",
        path: "/v1/models/{model_id}/environments/{env_name}/cancel_promotion",
        handler: cancel_promotion,
    },
    Implemented {
        id: "force_cancel_promotion",
        method: "POST",
        path: "/v1/models/{model_id}/environments/{env_name}/force_cancel_promotion",
        handler: |world, params, _| signal(world, params, World::force_cancel_promotion),
    },
    Implemented {
        id: "pause_promotion",
        method: "POST",
        path: "/v1/models/{model_id}/environments/{env_name}/pause_promotion",
        handler: |world, params, _| signal(world, params, World::pause_promotion),
    },
    Implemented {
        id: "resume_promotion",
        method: "POST",
        path: "/v1/models/{model_id}/environments/{env_name}/resume_promotion",
        handler: |world, params, _| signal(world, params, World::resume_promotion),
    },
    Implemented {
        id: "get_environment",
        method: "GET",
        path: "/v1/models/{model_id}/environments/{env_name}",
        handler: get_environment,
    },
    Implemented {
        id: "list_environments",
        method: "GET",
        path: "/v1/models/{model_id}/environments",
        handler: list_environments,
    },
    Implemented {
        id: "get_deployment",
        method: "GET",
        path: "/v1/models/{model_id}/deployments/{deployment_id}",
        handler: get_deployment,
    },
    Implemented {
        id: "get_chain_environment",
        method: "GET",
        path: "/v1/chains/{chain_id}/environments/{env_name}",
        handler: get_chain_environment,
    },
    Implemented {
        id: "get_chain_deployment",
        method: "GET",
        path: "/v1/chains/{chain_id}/deployments/{chain_deployment_id}",
        handler: get_chain_deployment,
    },
];

/// The `operationId`s of [`OPERATIONS`], in its order.
pub(crate) const IDS: [&str; OPERATIONS.len()] = ids(&OPERATIONS);

const fn ids<const N: usize>(operations: &[Implemented; N]) -> [&'static str; N] {
    let mut ids = [""; N];
    let mut i = 0;
    // `for` and iterators are not available in a const fn.
    while i < N {
        ids[i] = operations[i].id;
        i += 1;
    }
    ids
}

fn promote_model_to_environment(
    world: &mut World,
    params: &Params,
    body: Value,
) -> Result<Reply, ApiError> {
    let request: PromoteToEnvironmentRequest = parse(body)?;
    let deployment = world.promote_to_environment(
        param(params, "model_id")?,
        param(params, "env_name")?,
        &request,
    )?;
    to_json(&deployment)
}

fn promote_development_to_production(
    world: &mut World,
    params: &Params,
    body: Value,
) -> Result<Reply, ApiError> {
    let request: PromoteDevelopmentRequest = parse(body)?;
    let deployment = world.promote_development(param(params, "model_id")?, &request)?;
    to_json(&deployment)
}

fn promote_chain_to_environment(
    world: &mut World,
    params: &Params,
    body: Value,
) -> Result<Reply, ApiError> {
    let request: PromoteChainRequest = parse(body)?;
    let deployment = world.promote_chain(
        param(params, "chain_id")?,
        param(params, "env_name")?,
        &request,
    )?;
    to_json(&deployment)
}

/// A promotion signal answered `SignalPromotionResponseV1` (`{"success": true}`); its errors
/// are the API's.
fn signal(
    world: &mut World,
    params: &Params,
    send: fn(&mut World, &str, &str) -> Result<(), ApiError>,
) -> Result<Reply, ApiError> {
    send(
        world,
        param(params, "model_id")?,
        param(params, "env_name")?,
    )?;
    Ok(Reply::new(serde_json::json!({"success": true})))
}

fn cancel_promotion(world: &mut World, params: &Params, _body: Value) -> Result<Reply, ApiError> {
    let canceled =
        world.cancel_promotion(param(params, "model_id")?, param(params, "env_name")?)?;
    to_json(&CancelView {
        status: canceled.status,
        message: canceled.message,
    })
}

fn get_environment(world: &mut World, params: &Params, _body: Value) -> Result<Reply, ApiError> {
    let (model_id, env) = (param(params, "model_id")?, param(params, "env_name")?);
    let view = world.get_environment(model_id, env)?;
    let mut reply = to_json(&view)?;
    overrides_for_environment(world, model_id, env, "", &mut reply);
    Ok(reply)
}

fn list_environments(world: &mut World, params: &Params, _body: Value) -> Result<Reply, ApiError> {
    let model_id = param(params, "model_id")?;
    let view = world.list_environments(model_id)?;
    let names: Vec<String> = view.environments.iter().map(|e| e.name.clone()).collect();
    let mut reply = to_json(&view)?;
    for (i, env) in names.iter().enumerate() {
        overrides_for_environment(
            world,
            model_id,
            env,
            &format!("/environments/{i}"),
            &mut reply,
        );
    }
    Ok(reply)
}

/// The status overrides that concern one environment in an answer, `at` being where the
/// environment is in it (a JSON pointer prefix): its promotion's, if one is shown, and its
/// current and candidate deployments'.
fn overrides_for_environment(
    world: &World,
    model_id: &str,
    env: &str,
    at: &str,
    reply: &mut Reply,
) {
    let shown = |field: &str| {
        reply
            .body
            .pointer(&format!("{at}/{field}"))
            .filter(|v| !v.is_null())
    };
    let mut patches = Vec::new();
    if shown("in_progress_promotion").is_some()
        && let Some(status) = world.promotion_status_override(model_id, env)
    {
        patches.push((
            format!("{at}/in_progress_promotion/status"),
            Value::from(status),
        ));
    }
    for field in ["current_deployment", "candidate_deployment"] {
        if let Some(id) = shown(field).and_then(|d| d["id"].as_str())
            && let Some(status) = world.deployment_status_override(id)
        {
            patches.push((format!("{at}/{field}/status"), Value::from(status)));
        }
    }
    reply.off_spec.extend(patches);
}

fn get_deployment(world: &mut World, params: &Params, _body: Value) -> Result<Reply, ApiError> {
    let deployment =
        world.get_deployment(param(params, "model_id")?, param(params, "deployment_id")?)?;
    let mut reply = to_json(&deployment)?;
    if let Some(status) = world.deployment_status_override(&deployment.id) {
        reply
            .off_spec
            .push(("/status".to_owned(), Value::from(status)));
    }
    Ok(reply)
}

fn get_chain_environment(
    world: &mut World,
    params: &Params,
    _body: Value,
) -> Result<Reply, ApiError> {
    let view =
        world.get_chain_environment(param(params, "chain_id")?, param(params, "env_name")?)?;
    to_json(&view)
}

fn get_chain_deployment(
    world: &mut World,
    params: &Params,
    _body: Value,
) -> Result<Reply, ApiError> {
    let deployment = world.get_chain_deployment(
        param(params, "chain_id")?,
        param(params, "chain_deployment_id")?,
    )?;
    to_json(&deployment)
}

pub(crate) fn param<'p>(params: &'p Params, name: &str) -> Result<&'p str, ApiError> {
    params
        .get(name)
        .map(String::as_str)
        .ok_or_else(|| ApiError::validation(format!("Missing path parameter {name}.")))
}

/// The body was validated against the spec already; this only fails if the mock's request
/// types disagree with the spec.
pub(crate) fn parse<T: DeserializeOwned>(body: Value) -> Result<T, ApiError> {
    serde_json::from_value(body)
        .map_err(|e| ApiError::validation(format!("Invalid request body: {e}.")))
}

pub(crate) fn to_json<T: serde::Serialize>(value: &T) -> Result<Reply, ApiError> {
    serde_json::to_value(value).map(Reply::new).map_err(|e| {
        ApiError::internal(
            StatusCode::INTERNAL_SERVER_ERROR,
            format!("cannot encode the response: {e}"),
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::spec::Spec;

    #[test]
    fn every_row_matches_its_spec_operation() {
        let spec = Spec::embedded().unwrap();
        for op in &OPERATIONS {
            let in_spec = spec
                .operation(op.id)
                .unwrap_or_else(|| panic!("{} is not an operation of the spec", op.id));
            assert_eq!(
                (in_spec.method.as_str(), in_spec.path.as_str()),
                (op.method, op.path),
                "{}: the table's method and path differ from the spec's",
                op.id
            );
        }
    }

    #[test]
    fn ids_are_the_tables_in_order_and_unique() {
        let from_table: Vec<&str> = OPERATIONS.iter().map(|op| op.id).collect();
        assert_eq!(IDS.to_vec(), from_table);
        let mut unique = from_table.clone();
        unique.sort_unstable();
        unique.dedup();
        assert_eq!(unique.len(), from_table.len(), "{from_table:?}");
    }

    #[test]
    fn off_spec_changes_are_applied_where_they_point_and_skipped_where_nothing_is() {
        let reply = Reply {
            body: serde_json::json!({"a": {"status": "RAMPING_UP"}, "b": null}),
            off_spec: vec![
                ("/a/status".to_owned(), Value::from("HALTED")),
                ("/b/status".to_owned(), Value::from("HALTED")),
            ],
        };
        assert_eq!(
            reply.into_sent(),
            serde_json::json!({"a": {"status": "HALTED"}, "b": null})
        );
    }
}
