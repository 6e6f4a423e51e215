//! The operations the mock implements, listed once: [`OPERATIONS`] gives each `operationId` its
//! method, path template and handler. The router serves the spec's operations and runs the row
//! with the same id (a spec operation without one is answered 501);
//! [`IMPLEMENTED_OPERATIONS`](crate::IMPLEMENTED_OPERATIONS) is the ids of this table.

use std::collections::BTreeMap;

use axum::http::StatusCode;
use serde::de::DeserializeOwned;
use serde_json::Value;

use crate::error::ApiError;
use crate::state::{
    PromoteChainRequest, PromoteDevelopmentRequest, PromoteToEnvironmentRequest, World,
};

/// Path parameters by name, as the route extracted them (still to be checked by the handler).
pub(crate) type Params = BTreeMap<String, String>;

/// Carries out an operation: the path parameters, and the request body already validated
/// against the spec (`null` for an operation without one). Returns the 200 body.
pub(crate) type Handler = fn(&mut World, &Params, Value) -> Result<Value, ApiError>;

/// One implemented operation.
pub(crate) struct Implemented {
    /// The spec's `operationId`.
    pub(crate) id: &'static str,
    /// Upper-case HTTP method and path template, as in the spec. Routing goes by the spec; these
    /// say where the row's handler is reached and which parameter names it reads, and the test
    /// `every_row_matches_its_spec_operation` keeps them equal to the spec's.
    #[cfg_attr(not(test), expect(dead_code, reason = "read by the tests only"))]
    pub(crate) method: &'static str,
    #[cfg_attr(not(test), expect(dead_code, reason = "read by the tests only"))]
    pub(crate) path: &'static str,
    pub(crate) handler: Handler,
}

pub(crate) const OPERATIONS: [Implemented; 4] = [
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
        handler: force_roll_forward_promotion,
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

/// Carries out the operation `operation_id` with its handler from [`OPERATIONS`]. An operation
/// of the spec that the table lacks is answered 501 (the crate's tests fail then, so it cannot
/// ship that way).
pub(crate) fn run(
    world: &mut World,
    operation_id: &str,
    params: &Params,
    body: Value,
) -> Result<Value, ApiError> {
    match OPERATIONS.iter().find(|op| op.id == operation_id) {
        Some(op) => (op.handler)(world, params, body),
        None => Err(ApiError {
            status: StatusCode::NOT_IMPLEMENTED,
            code: "NOT_IMPLEMENTED",
            message: format!("baseten-mock does not implement operation {operation_id} yet."),
        }),
    }
}

fn promote_model_to_environment(
    world: &mut World,
    params: &Params,
    body: Value,
) -> Result<Value, ApiError> {
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
) -> Result<Value, ApiError> {
    let request: PromoteDevelopmentRequest = parse(body)?;
    let deployment = world.promote_development(param(params, "model_id")?, &request)?;
    to_json(&deployment)
}

fn promote_chain_to_environment(
    world: &mut World,
    params: &Params,
    body: Value,
) -> Result<Value, ApiError> {
    let request: PromoteChainRequest = parse(body)?;
    let deployment = world.promote_chain(
        param(params, "chain_id")?,
        param(params, "env_name")?,
        &request,
    )?;
    to_json(&deployment)
}

fn force_roll_forward_promotion(
    world: &mut World,
    params: &Params,
    _body: Value,
) -> Result<Value, ApiError> {
    world.force_roll_forward(param(params, "model_id")?, param(params, "env_name")?)?;
    Ok(serde_json::json!({"success": true}))
}

fn param<'p>(params: &'p Params, name: &str) -> Result<&'p str, ApiError> {
    params
        .get(name)
        .map(String::as_str)
        .ok_or_else(|| ApiError::validation(format!("Missing path parameter {name}.")))
}

/// The body was validated against the spec already; this only fails if the mock's request
/// types disagree with the spec.
fn parse<T: DeserializeOwned>(body: Value) -> Result<T, ApiError> {
    serde_json::from_value(body)
        .map_err(|e| ApiError::validation(format!("Invalid request body: {e}.")))
}

fn to_json<T: serde::Serialize>(value: &T) -> Result<Value, ApiError> {
    serde_json::to_value(value).map_err(|e| {
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
    fn an_unknown_operation_is_answered_501() {
        let mut world = World::new(
            crate::clock::Clock::new(crate::ClockMode::Manual),
            crate::Timings::default(),
        );
        let error = run(&mut world, "delete_everything", &Params::new(), Value::Null).unwrap_err();
        assert_eq!(error.status, StatusCode::NOT_IMPLEMENTED);
        assert_eq!(
            error.message,
            "baseten-mock does not implement operation delete_everything yet."
        );
    }
}
