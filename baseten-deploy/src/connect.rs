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
    // The key from the variable is cleaned as the key file's line is: a CI secret pasted with a
    // trailing newline, or saved with a BOM, is still the key.
    let env = |name: &str| {
        let value = env(name)?;
        if name == API_KEY_VAR {
            Some(clean_key(&value).to_owned()).filter(|key| !key.is_empty())
        } else {
            Some(value)
        }
    };
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

/// A key as pasted: without a UTF-8 byte order mark and surrounding whitespace (a trailing
/// newline, most often).
fn clean_key(raw: &str) -> &str {
    raw.trim().trim_start_matches('\u{feff}').trim()
}

/// The first line of the key file, cleaned as the variable is. Errors name the file, never its
/// content.
fn read_key_file(path: &Path) -> Result<String, Failure> {
    let text = std::fs::read_to_string(path).map_err(|e| {
        Failure::new(
            Exit::Usage,
            format!("--api-key-file {}: cannot read it: {e}", path.display()),
        )
    })?;
    let text = text.trim_start_matches('\u{feff}');
    let key = clean_key(text.lines().next().unwrap_or(""));
    if key.is_empty() {
        let why = if text.trim().is_empty() {
            "the file is empty"
        } else {
            "its first line is blank (the key must be on the first line)"
        };
        return Err(Failure::new(
            Exit::Usage,
            format!(
                "--api-key-file {}: {why}; put the API key on its first line",
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

#[cfg(test)]
mod tests {
    use super::clean_key;

    #[test]
    fn a_pasted_key_loses_its_newline_its_bom_and_surrounding_blanks() {
        for raw in [
            "k-123",
            "k-123\n",
            "k-123\r\n",
            " k-123 ",
            "\u{feff}k-123\n",
            "\u{feff} k-123\t",
        ] {
            assert_eq!(clean_key(raw), "k-123", "{raw:?}");
        }
        assert_eq!(clean_key("\u{feff}\n"), "");
    }
}
