//! Input a caller or an attacker controls: path parameters, base URLs, keys. Nothing is sent
//! for a path parameter that is not one segment; everything else stays inside its segment.

use baseten_api::{Client, ConfigError, Error};
use serde_json::json;
use wiremock::matchers::any;
use wiremock::{Mock, MockServer, ResponseTemplate};

const KEY: &str = "hostile-test-key-Zx81";

async fn server() -> MockServer {
    let server = MockServer::start().await;
    Mock::given(any())
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"success": true})))
        .mount(&server)
        .await;
    server
}

fn client(server: &MockServer) -> Client {
    Client::builder()
        .api_key(KEY)
        .base_url(server.uri())
        .build()
        .unwrap()
}

async fn roll_forward(client: &Client, model_id: &str, env_name: &str) -> Result<bool, Error> {
    client
        .force_roll_forward_promotion()
        .model_id(model_id)
        .env_name(env_name)
        .send()
        .await
        .map(|r| r.into_inner().success)
}

#[tokio::test]
async fn path_parameters_that_are_not_a_segment_are_refused_before_sending() {
    let server = server().await;
    let client = client(&server);
    let cases = [
        ("", "path parameter `model_id` is empty"),
        (
            ".",
            "path parameter `model_id` is a relative path segment (`.` or `..`)",
        ),
        (
            "..",
            "path parameter `model_id` is a relative path segment (`.` or `..`)",
        ),
        ("   ", "path parameter `model_id` is only whitespace"),
        ("\t\n", "path parameter `model_id` is only whitespace"),
    ];
    for (value, expected) in cases {
        let err = roll_forward(&client, value, "production")
            .await
            .unwrap_err();
        let Error::InvalidRequest(message) = &err else {
            panic!("{value:?}: {err:?}")
        };
        assert_eq!(message, expected, "{value:?}");
        assert_eq!(err.to_string(), format!("invalid request: {expected}"));
    }
    let err = roll_forward(&client, "m-1", "..").await.unwrap_err();
    assert_eq!(
        err.to_string(),
        "invalid request: path parameter `env_name` is a relative path segment (`.` or `..`)"
    );
    assert!(
        server.received_requests().await.unwrap().is_empty(),
        "nothing may be sent"
    );
}

#[tokio::test]
async fn every_other_value_stays_one_percent_encoded_segment() {
    let server = server().await;
    let client = client(&server);
    let cases = [
        ("a/b", "a%2Fb"),
        ("?x", "%3Fx"),
        ("#", "%23"),
        ("%2e%2e", "%252e%252e"),
        ("..%2f..", "..%252f.."),
        ("has space", "has%20space"),
        ("ünïcødé", "%C3%BCn%C3%AFc%C3%B8d%C3%A9"),
        ("...", "..."),
        (".hidden", ".hidden"),
    ];
    for (value, encoded) in cases {
        roll_forward(&client, value, "production").await.unwrap();
        let requests = server.received_requests().await.unwrap();
        let request = requests.last().unwrap();
        let expected =
            format!("/v1/models/{encoded}/environments/production/force_roll_forward_promotion");
        assert_eq!(request.url.path(), expected, "{value:?}");
        assert_eq!(request.url.query(), None, "{value:?}");
        assert_eq!(request.url.fragment(), None, "{value:?}");
    }
}

#[test]
fn plain_http_to_another_host_is_refused_unless_allowed() {
    let err = Client::builder()
        .api_key(KEY)
        .base_url("http://api.baseten.co")
        .build()
        .unwrap_err();
    assert!(
        matches!(&err, ConfigError::InsecureBaseUrl { url } if url == "http://api.baseten.co"),
        "{err:?}"
    );
    assert!(
        err.to_string()
            .starts_with("refusing to send the API key in clear text to `http://api.baseten.co`")
    );
    assert!(!format!("{err} {err:?}").contains(KEY));

    Client::builder()
        .api_key(KEY)
        .base_url("http://api.baseten.co")
        .allow_insecure_http(true)
        .build()
        .unwrap();
    Client::builder()
        .api_key(KEY)
        .base_url("http://127.0.0.1:9")
        .build()
        .unwrap();
    Client::builder()
        .api_key(KEY)
        .base_url("https://api.baseten.co")
        .build()
        .unwrap();
}

#[test]
fn keys_that_are_not_header_values_are_configuration_errors() {
    for key in ["line\nbreak", "nul\0byte", "carriage\rreturn"] {
        let err = Client::builder().api_key(key).build().unwrap_err();
        assert!(
            matches!(err, ConfigError::InvalidApiKey(_)),
            "{key:?}: {err:?}"
        );
        let shown = format!("{err} {err:?}");
        assert!(!shown.contains(key), "{shown}");
    }
}

#[tokio::test]
async fn request_errors_never_show_the_key() {
    // An API error, a decode error and a transport error, each in Display and Debug.
    let server = MockServer::start().await;
    Mock::given(any())
        .respond_with(
            ResponseTemplate::new(401)
                .set_body_json(json!({"code": "UNAUTHORIZED", "message": "bad key"})),
        )
        .up_to_n_times(1)
        .mount(&server)
        .await;
    Mock::given(any())
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"success": "yes"})))
        .mount(&server)
        .await;
    let client = client(&server);
    let unauthorized = roll_forward(&client, "m", "e").await.unwrap_err();
    assert!(unauthorized.is_unauthorized());
    let decode = roll_forward(&client, "m", "e").await.unwrap_err();
    assert!(matches!(decode, Error::Decode(_)));
    let closed = Client::builder()
        .api_key(KEY)
        .base_url("http://127.0.0.1:9")
        .retry_policy(baseten_api::RetryPolicy::disabled())
        .build()
        .unwrap();
    let transport = roll_forward(&closed, "m", "e").await.unwrap_err();
    for err in [unauthorized, decode, transport] {
        let shown = format!("{err} {err:?} {:?}", std::error::Error::source(&err));
        assert!(!shown.contains(KEY), "key in {shown}");
    }
    assert!(!format!("{client:?}").contains(KEY));
}
