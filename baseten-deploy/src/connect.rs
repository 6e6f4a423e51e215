//! From flags and environment to a configured client: where the key, the URL and the auth
//! scheme come from, and what to tell the user when one of them is wrong.

use std::path::Path;

use baseten_api::{API_KEY_VAR, API_URL_VAR, AuthScheme, Client, ClientBuilder, ConfigError};

use crate::cli::GlobalArgs;
use crate::exit::Exit;
use crate::failure::Failure;

/// The user agent: ours, then the library's.
const USER_AGENT: &str = concat!("baseten-deploy/", env!("CARGO_PKG_VERSION"));

/// Builds the client. `env` reads a variable (the process environment in `main`).
pub fn client(
    global: &GlobalArgs,
    env: impl Fn(&str) -> Option<String>,
) -> Result<Client, Failure> {
    let mut builder = ClientBuilder::from_env_with(&env)
        .user_agent(format!("{USER_AGENT} {}", baseten_api::DEFAULT_USER_AGENT))
        .connect_timeout(global.connect_timeout);
    let key_from_file = match &global.api_key_file {
        Some(path) => {
            builder = builder.api_key(read_key_file(path)?);
            true
        }
        None => false,
    };
    if let Some(url) = &global.api_url {
        builder = builder.base_url(url.clone());
    }
    if let Some(scheme) = &global.auth_scheme {
        let scheme: AuthScheme = scheme
            .parse()
            .map_err(|e| Failure::new(Exit::Usage, format!("--auth-scheme: {e}")))?;
        builder = builder.auth_scheme(scheme);
    }
    let url_source = if global.api_url.is_some() {
        "--api-url"
    } else {
        API_URL_VAR
    };
    builder
        .build()
        .map_err(|error| explain(error, url_source, key_from_file))
}

/// The first line of the key file, trimmed. Errors name the file, never its content.
fn read_key_file(path: &Path) -> Result<String, Failure> {
    let text = std::fs::read_to_string(path).map_err(|e| {
        Failure::new(
            Exit::Usage,
            format!("--api-key-file {}: cannot read it: {e}", path.display()),
        )
    })?;
    let key = text.lines().next().unwrap_or("").trim();
    if key.is_empty() {
        return Err(Failure::new(
            Exit::Usage,
            format!(
                "--api-key-file {}: the file is empty; put the API key on its first line",
                path.display()
            ),
        ));
    }
    Ok(key.to_owned())
}

/// A configuration error, with what to do about it.
fn explain(error: ConfigError, url_source: &str, key_from_file: bool) -> Failure {
    let message = error.to_string();
    let hint = match &error {
        ConfigError::MissingApiKey => {
            let message = format!(
                "no Baseten API key: set {API_KEY_VAR} (in CI, from a secret) or pass --api-key-file FILE"
            );
            return Failure::new(Exit::Usage, message);
        }
        ConfigError::InvalidApiKey(_) if key_from_file => {
            Some("the key file's first line must be the key alone".to_owned())
        }
        ConfigError::InvalidApiKey(_) => Some(format!("check {API_KEY_VAR}")),
        ConfigError::InvalidBaseUrl { url, .. } if !url.contains("://") => Some(format!(
            "add http:// or https:// in front of the URL ({url_source})"
        )),
        ConfigError::InvalidBaseUrl { .. } | ConfigError::InsecureBaseUrl { .. } => {
            Some(format!("the URL comes from {url_source}"))
        }
        _ => None,
    };
    let mut failure = Failure::new(Exit::Usage, message);
    failure.hint = hint;
    failure
}
