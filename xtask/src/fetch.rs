//! Reading the pipeline's inputs (docs pages, specifications): from a file, or over HTTP(S).

use anyhow::{Result, anyhow};
use std::time::Duration;

/// GETs `url` and returns its body as text; any non-2xx status is an error naming the URL.
pub fn get_text(url: &str) -> Result<String> {
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .timeout_global(Some(Duration::from_secs(30)))
        .http_status_as_error(false)
        .build()
        .into();
    let mut response = agent
        .get(url)
        .call()
        .map_err(|e| anyhow!("cannot fetch {url}: {e}"))?;
    let status = response.status();
    if !status.is_success() {
        return Err(anyhow!("cannot fetch {url}: HTTP {status}"));
    }
    response
        .body_mut()
        .read_to_string()
        .map_err(|e| anyhow!("cannot read the body of {url}: {e}"))
}

/// Whether an input names an HTTP(S) URL rather than a local file.
pub fn is_url(input: &str) -> bool {
    input.starts_with("http://") || input.starts_with("https://")
}

/// Reads an input (a page or a specification) from a file, or fetches it from a URL.
pub fn read_input(input: &str) -> Result<String> {
    if is_url(input) {
        get_text(input)
    } else {
        std::fs::read_to_string(input).map_err(|e| anyhow!("cannot read {input}: {e}"))
    }
}
