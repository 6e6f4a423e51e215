//! Fetching docs pages over HTTP(S).

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
