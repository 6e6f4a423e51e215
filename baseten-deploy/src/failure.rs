//! Why a command failed: the exit code, the message, what to do, and the API's details.

use baseten_api::Error;
use serde::Serialize;

use crate::exit::Exit;

/// A command that did not do what it was asked.
#[derive(Debug)]
pub struct Failure {
    pub exit: Exit,
    pub message: String,
    /// What to do about it, when we know.
    pub hint: Option<String>,
    /// The API's answer, when there was one.
    pub api: Option<ApiDetails>,
}

/// What the API said, for the JSON output.
#[derive(Debug, Clone, Serialize)]
pub struct ApiDetails {
    pub status: u16,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub code: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub request_id: Option<String>,
}

impl Failure {
    pub fn new(exit: Exit, message: impl Into<String>) -> Self {
        Self {
            exit,
            message: message.into(),
            hint: None,
            api: None,
        }
    }

    pub fn hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(hint.into());
        self
    }

    /// A failed request. `what` names what was asked (`reading mdl-x/production`), so that a
    /// 404 says which of the ids does not exist.
    pub fn request(what: &str, error: &Error) -> Self {
        let exit = Exit::of_error(error);
        let hint = match exit {
            Exit::Auth => Some(
                "check BASETEN_API_KEY (or --api-key-file), that the key may act on this \
                 workspace, and --auth-scheme"
                    .to_owned(),
            ),
            Exit::NotFound => Some(
                "check the ids (--model, --chain, --env, --deployment); `baseten-deploy status \
                 --model ID` lists a model's environments"
                    .to_owned(),
            ),
            Exit::Refused if error.code() == Some("VALIDATION_ERROR") => None,
            // A connection error already says what to do (scheme, TLS, port).
            Exit::Server if matches!(error, Error::Connect { .. }) => None,
            Exit::Server => Some(
                "Baseten or the network failed, after the client's retries; run it again later"
                    .to_owned(),
            ),
            _ => None,
        };
        Self {
            exit,
            message: format!("{what}: {error}"),
            hint,
            api: error.status().map(|status| ApiDetails {
                status: status.as_u16(),
                code: error.code().map(str::to_owned),
                request_id: error.request_id().map(str::to_owned),
            }),
        }
    }
}
