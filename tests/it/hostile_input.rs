//! Input a caller or an attacker controls: path parameters, base URLs, keys. Nothing is sent
//! for a path parameter that is not one segment; everything else stays inside its segment.

use crate::support;

use baseten_api::{Client, ConfigError, Error, RetryPolicy, types};
use proptest::prelude::*;
use serde_json::json;
use wiremock::{Mock, MockServer, ResponseTemplate};

const KEY: &str = "hostile-test-key-Zx81";

async fn server() -> MockServer {
    let server = MockServer::start().await;
    Mock::given(wiremock::matchers::any())
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
        ("a\\b", "a%5Cb"),
        ("[x]|^`{}", "%5Bx%5D%7C%5E%60%7B%7D"),
        ("~keep-these_.", "~keep-these_."),
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

/// The request line a raw server received for one call (no server-side URL parsing in between).
async fn request_line_of<T>(
    answer: Vec<u8>,
    call: impl AsyncFnOnce(Client) -> Result<T, Error>,
) -> String {
    let server = support::RawServer::start(vec![support::Act::Send(answer)]).await;
    let client = support::client(&server.url, RetryPolicy::disabled());
    call(client).await.map(drop).unwrap();
    let lines = server.request_lines();
    assert_eq!(lines.len(), 1, "{lines:?}");
    lines[0].clone()
}

#[tokio::test]
async fn backslashes_stay_in_their_segment_on_the_wire() {
    // WHATWG URL parsing reads `\` as `/` in http(s) URLs: unencoded, these three reached a
    // chain promotion, a two-segment model id and a path outside /v1.
    let line = request_line_of(
        support::json_response("200 OK", &support::deployment_body("ACTIVE")),
        async |client| {
            client
                .promote_model_to_environment()
                .model_id("..\\..\\v1\\chains\\c")
                .env_name("production")
                .body(types::PromoteToEnvironmentRequestV1::builder().deployment_id("d-1"))
                .send()
                .await
        },
    )
    .await;
    assert_eq!(
        line,
        "POST /v1/models/..%5C..%5Cv1%5Cchains%5Cc/environments/production/promote HTTP/1.1"
    );
    for (model_id, encoded) in [("a\\b", "a%5Cb"), ("..\\..\\x", "..%5C..%5Cx")] {
        let line = request_line_of(
            support::json_response("200 OK", r#"{"success": true}"#),
            async |client| roll_forward(&client, model_id, "production").await,
        )
        .await;
        assert_eq!(
            line,
            format!(
                "POST /v1/models/{encoded}/environments/production/force_roll_forward_promotion HTTP/1.1"
            )
        );
    }
}

/// The segments of a request line's target, percent-decoded to bytes.
fn decoded_segments(request_line: &str) -> Vec<Vec<u8>> {
    let target = request_line.split(' ').nth(1).expect("a request target");
    assert!(!target.contains(['?', '#']), "{request_line}");
    target
        .split('/')
        .map(|segment| percent_encoding::percent_decode_str(segment).collect())
        .collect()
}

/// What the server receives, through the generated code, for arbitrary ids: the same two
/// values back, each in its own segment, or nothing at all for a refused value.
#[test]
fn the_server_receives_each_id_in_its_own_segment() {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let server = runtime.block_on(support::RawServer::start(vec![support::Act::Send(
        support::json_response("200 OK", r#"{"success": true}"#),
    )]));
    let client = support::client(&server.url, RetryPolicy::disabled());
    let ids = (
        prop_oneof![
            "[\\\\/%.?#;a-z0-9 \t\u{0}-\u{1f}\u{7f}-\u{ff}]{0,12}",
            any::<String>(),
        ],
        "[\\\\/%.?#a-z]{0,6}",
    );
    let refused = |v: &str| v.trim().is_empty() || v == "." || v == "..";
    let mut runner = proptest::test_runner::TestRunner::new(ProptestConfig::with_cases(1024));
    let outcome = runner.run(&ids, |(model_id, env_name)| {
        let sent_before = server.request_lines().len();
        let result = runtime.block_on(roll_forward(&client, &model_id, &env_name));
        let lines = server.request_lines();
        if refused(&model_id) || refused(&env_name) {
            prop_assert!(
                matches!(result, Err(Error::InvalidRequest(_))),
                "{result:?}"
            );
            prop_assert_eq!(lines.len(), sent_before, "a refused value was sent");
            return Ok(());
        }
        prop_assert!(result.is_ok(), "{result:?}");
        prop_assert_eq!(lines.len(), sent_before + 1);
        let expected: Vec<&[u8]> = vec![
            b"",
            b"v1",
            b"models",
            model_id.as_bytes(),
            b"environments",
            env_name.as_bytes(),
            b"force_roll_forward_promotion",
        ];
        let received = decoded_segments(&lines[sent_before]);
        let received: Vec<&[u8]> = received.iter().map(Vec::as_slice).collect();
        prop_assert_eq!(received, expected, "{}", lines[sent_before]);
        Ok(())
    });
    if let Err(failure) = outcome {
        panic!("{failure}");
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
    Mock::given(wiremock::matchers::any())
        .respond_with(
            ResponseTemplate::new(401)
                .set_body_json(json!({"code": "UNAUTHORIZED", "message": "bad key"})),
        )
        .up_to_n_times(1)
        .mount(&server)
        .await;
    Mock::given(wiremock::matchers::any())
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
