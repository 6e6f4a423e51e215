//! Client configuration: environment, builder validation, secrets in Debug.

use std::collections::HashMap;
use std::time::Duration;

use baseten_api::{
    API_KEY_VAR, API_URL_VAR, ApiKey, Client, ClientBuilder, ClientInfo, ConfigError,
    DEFAULT_BASE_URL, DEFAULT_USER_AGENT,
};

const KEY: &str = "test-key-config-Zp81";

/// An environment lookup over a fixed map, so tests never touch the
/// process environment (they run in parallel).
fn env(vars: &[(&str, &str)]) -> impl FnMut(&str) -> Option<String> {
    let vars: HashMap<String, String> = vars
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect();
    move |name| vars.get(name).cloned()
}

// --- environment ----------------------------------------------------------

#[test]
fn env_variable_names_are_bastens_own() {
    assert_eq!(API_KEY_VAR, "BASETEN_API_KEY");
    assert_eq!(API_URL_VAR, "BASETEN_API_URL");
}

#[test]
fn from_env_without_key_names_the_variable() {
    let err = ClientBuilder::from_env_with(env(&[])).build().unwrap_err();
    assert!(matches!(err, ConfigError::MissingApiKey), "{err:?}");
    assert!(err.to_string().contains("BASETEN_API_KEY"), "{err}");
}

#[test]
fn from_env_with_empty_key_names_the_variable() {
    for blank in ["", "   "] {
        let err = ClientBuilder::from_env_with(env(&[("BASETEN_API_KEY", blank)]))
            .build()
            .unwrap_err();
        assert!(
            matches!(err, ConfigError::MissingApiKey),
            "{blank:?}: {err:?}"
        );
        assert!(err.to_string().contains("BASETEN_API_KEY"), "{err}");
    }
}

#[test]
fn from_env_defaults_to_the_public_api_url() {
    let client = ClientBuilder::from_env_with(env(&[("BASETEN_API_KEY", KEY)]))
        .build()
        .unwrap();
    assert_eq!(DEFAULT_BASE_URL, "https://api.baseten.co");
    assert_eq!(client.baseurl(), "https://api.baseten.co");
}

#[test]
fn from_env_empty_url_means_default() {
    let client =
        ClientBuilder::from_env_with(env(&[("BASETEN_API_KEY", KEY), ("BASETEN_API_URL", "")]))
            .build()
            .unwrap();
    assert_eq!(client.baseurl(), "https://api.baseten.co");
}

#[test]
fn from_env_uses_custom_url_without_trailing_slash() {
    let client = ClientBuilder::from_env_with(env(&[
        ("BASETEN_API_KEY", KEY),
        ("BASETEN_API_URL", "http://127.0.0.1:9999/baseten/"),
    ]))
    .build()
    .unwrap();
    assert_eq!(client.baseurl(), "http://127.0.0.1:9999/baseten");
}

#[test]
fn from_env_bad_url_names_the_value() {
    let err = ClientBuilder::from_env_with(env(&[
        ("BASETEN_API_KEY", KEY),
        ("BASETEN_API_URL", "api.baseten.co"),
    ]))
    .build()
    .unwrap_err();
    assert!(matches!(err, ConfigError::InvalidBaseUrl { .. }), "{err:?}");
    assert!(err.to_string().contains("`api.baseten.co`"), "{err}");
}

#[test]
fn from_env_host_and_port_without_scheme_says_which_url_to_use() {
    for (value, fix) in [
        ("127.0.0.1:8080", "use http://127.0.0.1:8080"),
        ("localhost:8080", "use http://localhost:8080"),
    ] {
        let err = ClientBuilder::from_env_with(env(&[
            ("BASETEN_API_KEY", KEY),
            ("BASETEN_API_URL", value),
        ]))
        .build()
        .unwrap_err();
        let shown = err.to_string();
        assert!(shown.contains(&format!("`{value}`")), "{shown}");
        assert!(
            shown.contains(&format!("the scheme is missing: {fix}")),
            "{shown}"
        );
    }
}

#[test]
fn from_env_values_can_be_overridden() {
    let client = ClientBuilder::from_env_with(env(&[("BASETEN_API_KEY", "env-key")]))
        .api_key(KEY)
        .base_url("http://127.0.0.1:1")
        .build()
        .unwrap();
    assert_eq!(client.baseurl(), "http://127.0.0.1:1");
    assert!(!format!("{client:?}").contains("env-key"));
}

// --- builder validation ---------------------------------------------------

#[test]
fn builder_without_key_is_an_error() {
    let err = Client::builder().build().unwrap_err();
    assert!(matches!(err, ConfigError::MissingApiKey), "{err:?}");
}

#[test]
fn key_with_newline_is_an_error_not_a_panic() {
    let key = "test-key-line1\nInjected: header";
    let err = Client::builder().api_key(key).build().unwrap_err();
    assert!(matches!(err, ConfigError::InvalidApiKey(_)), "{err:?}");
    let shown = format!("{err} {err:?}");
    assert!(!shown.contains("test-key-line1"), "key leaked: {shown}");
    assert!(!shown.contains("Injected"), "key leaked: {shown}");
}

#[test]
fn unparseable_base_url_names_the_value() {
    for bad in [
        "not a url",
        "http://",
        "ftp://example.com",
        "https://example.com/?q=1",
    ] {
        let err = Client::builder()
            .api_key(KEY)
            .base_url(bad)
            .build()
            .unwrap_err();
        assert!(
            matches!(err, ConfigError::InvalidBaseUrl { .. }),
            "{bad}: {err:?}"
        );
        assert!(err.to_string().contains(&format!("`{bad}`")), "{err}");
    }
}

#[test]
fn base_url_with_credentials_is_rejected_without_echoing_them() {
    let err = Client::builder()
        .api_key(KEY)
        .base_url("https://admin:s3cret-pw@api.baseten.co")
        .build()
        .unwrap_err();
    let shown = format!("{err} {err:?}");
    assert!(matches!(err, ConfigError::InvalidBaseUrl { .. }), "{shown}");
    assert!(!shown.contains("s3cret-pw"), "{shown}");
}

#[test]
fn invalid_user_agent_is_an_error() {
    let err = Client::builder()
        .api_key(KEY)
        .user_agent("tool\r\nX: y")
        .build()
        .unwrap_err();
    assert!(
        matches!(err, ConfigError::InvalidUserAgent { .. }),
        "{err:?}"
    );
}

#[test]
fn trailing_slash_is_trimmed() {
    let client = Client::builder()
        .api_key(KEY)
        .base_url("https://api.baseten.co/")
        .build()
        .unwrap();
    assert_eq!(client.baseurl(), "https://api.baseten.co");
}

#[test]
fn user_agent_defaults_to_crate_name_and_version() {
    assert_eq!(
        DEFAULT_USER_AGENT,
        format!("baseten-api-rs/{}", env!("CARGO_PKG_VERSION"))
    );
    let client = Client::builder().api_key(KEY).build().unwrap();
    assert_eq!(client.inner().user_agent(), DEFAULT_USER_AGENT);

    let client = Client::builder()
        .api_key(KEY)
        .user_agent("my-tool/2.0")
        .build()
        .unwrap();
    assert_eq!(client.inner().user_agent(), "my-tool/2.0");
}

#[test]
fn timeouts_and_custom_http_client_build() {
    Client::builder()
        .api_key(KEY)
        .connect_timeout(Duration::from_secs(1))
        .request_timeout(Duration::from_secs(2))
        .build()
        .unwrap();
    Client::builder()
        .api_key(KEY)
        .http_client(baseten_api::reqwest::Client::new())
        .build()
        .unwrap();
}

// --- secrets --------------------------------------------------------------

#[test]
fn api_key_debug_is_redacted() {
    assert_eq!(format!("{:?}", ApiKey::new(KEY)), "ApiKey(<redacted>)");
    assert_eq!(format!("{:#?}", ApiKey::from(KEY)), "ApiKey(<redacted>)");
}

#[test]
fn key_appears_in_no_debug_output() {
    let builder = Client::builder().api_key(KEY);
    let builder_debug = format!("{builder:?} {builder:#?}");
    assert!(
        builder_debug.contains("ApiKey(<redacted>)"),
        "{builder_debug}"
    );

    let client = builder.build().unwrap();
    let state = client.inner();
    for shown in [
        builder_debug,
        format!("{client:?}"),
        format!("{client:#?}"),
        format!("{state:?}"),
        format!("{state:#?}"),
    ] {
        assert!(!shown.contains(KEY), "key leaked: {shown}");
        assert!(!shown.contains("test-key"), "key leaked: {shown}");
    }
    assert!(format!("{state:?}").contains("<redacted>"));
}

#[test]
fn errors_never_contain_the_key() {
    let errors = [
        Client::builder().build().unwrap_err(),
        Client::builder()
            .api_key(format!("{KEY}\n"))
            .build()
            .unwrap_err(),
        Client::builder()
            .api_key(KEY)
            .base_url("::")
            .build()
            .unwrap_err(),
        Client::builder()
            .api_key(KEY)
            .user_agent("\n")
            .build()
            .unwrap_err(),
    ];
    for err in errors {
        let shown = format!("{err} {err:?} {:?}", std::error::Error::source(&err));
        assert!(!shown.contains(KEY), "key leaked: {shown}");
    }
}
