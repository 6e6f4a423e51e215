//! Fault injection: what the client does when the network or the server misbehaves. Each test
//! asserts the exact error kind a caller would match on, and how many attempts were made
//! (promotions are not idempotent: only what certainly was not executed is retried).

use crate::support;

use std::time::{Duration, Instant};

use baseten_api::types::{DeploymentStatusV1, DeploymentV1};
use baseten_api::{Client, Error, RetryPolicy};
use support::{
    Act, RawServer, client, deployment_body, http_response, json_response, rate_limited,
};

async fn promote(client: &Client) -> Result<DeploymentV1, Error> {
    client
        .promote_model_to_environment()
        .model_id("m-1")
        .env_name("production")
        .body(baseten_api::types::PromoteToEnvironmentRequestV1::builder().deployment_id("dep-1"))
        .send()
        .await
        .map(|r| r.into_inner())
}

fn no_retries(url: &str) -> Client {
    client(url, RetryPolicy::disabled())
}

fn fast_retries(url: &str) -> Client {
    client(
        url,
        RetryPolicy::default().backoff(Duration::from_millis(50), Duration::from_millis(100)),
    )
}

#[tokio::test]
async fn connection_reset_mid_body_is_connection_lost_and_not_retried() {
    let head = "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 400\r\n\r\n{\"id\": \"dep";
    let server = RawServer::start(vec![Act::SendThenReset(head.as_bytes().to_vec())]).await;
    let err = promote(&fast_retries(&server.url)).await.unwrap_err();
    assert!(matches!(err, Error::ConnectionLost { .. }), "{err:?}");
    assert_eq!(
        server.connections(),
        1,
        "the request may have run: never repeat it"
    );
}

#[tokio::test]
async fn close_without_response_is_connection_lost_and_not_retried() {
    let server = RawServer::start(vec![Act::Close]).await;
    let err = promote(&fast_retries(&server.url)).await.unwrap_err();
    assert!(matches!(err, Error::ConnectionLost { .. }), "{err:?}");
    assert_eq!(server.connections(), 1);
}

#[tokio::test]
async fn headers_that_never_come_time_out_within_the_bound() {
    let server = RawServer::start(vec![Act::Silence]).await;
    let started = Instant::now();
    let err = promote(&fast_retries(&server.url)).await.unwrap_err();
    let elapsed = started.elapsed();
    assert!(matches!(err, Error::Timeout { .. }), "{err:?}");
    assert!(err.is_timeout());
    assert!(
        elapsed >= Duration::from_millis(650) && elapsed < Duration::from_secs(3),
        "{elapsed:?}"
    );
    assert_eq!(
        server.connections(),
        1,
        "a timeout after sending is not retried"
    );
}

#[tokio::test]
async fn a_body_that_stalls_times_out() {
    let head =
        "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 400\r\n\r\n{\"id\":";
    let server = RawServer::start(vec![Act::SendThenStall(head.as_bytes().to_vec())]).await;
    let started = Instant::now();
    let err = promote(&no_retries(&server.url)).await.unwrap_err();
    assert!(matches!(err, Error::Timeout { .. }), "{err:?}");
    assert!(started.elapsed() < Duration::from_secs(3));
}

#[tokio::test]
async fn truncated_json_is_a_decode_error_with_an_excerpt() {
    let body = &deployment_body("ACTIVE")[..60];
    let server = RawServer::start(vec![Act::Send(json_response("200 OK", body))]).await;
    let err = promote(&no_retries(&server.url)).await.unwrap_err();
    let Error::Decode(decode) = &err else {
        panic!("{err:?}")
    };
    assert_eq!(decode.status.as_u16(), 200);
    assert!(decode.message.contains("EOF"), "{}", decode.message);
    assert_eq!(decode.excerpt, body);
}

#[tokio::test]
async fn an_html_502_from_a_proxy_keeps_status_and_body_and_is_not_retried() {
    let page = "<html><body><h1>502 Bad Gateway</h1></body></html>";
    let response = http_response(
        "502 Bad Gateway",
        &[("content-type", "text/html"), ("x-request-id", "req-77")],
        page.as_bytes(),
    );
    let server = RawServer::start(vec![Act::Send(response)]).await;
    let err = promote(&fast_retries(&server.url)).await.unwrap_err();
    let Error::Api(api) = &err else {
        panic!("{err:?}")
    };
    assert_eq!(api.status.as_u16(), 502);
    assert_eq!(api.code, None);
    assert_eq!(api.body, page);
    assert_eq!(api.request_id.as_deref(), Some("req-77"));
    assert_eq!(
        err.to_string(),
        "the Baseten API answered 502 Bad Gateway with a body that is not Baseten's JSON error: \
         <html><body><h1>502 Bad Gateway</h1></body></html> (request id req-77)"
    );
    assert_eq!(
        server.connections(),
        1,
        "a 5xx may follow an executed promotion: not retried"
    );
}

#[tokio::test]
async fn an_error_body_is_kept_only_up_to_its_limit() {
    let huge = "x".repeat(100_000);
    let server = RawServer::start(vec![Act::Send(http_response(
        "500 Internal Server Error",
        &[],
        huge.as_bytes(),
    ))])
    .await;
    let err = promote(&no_retries(&server.url)).await.unwrap_err();
    let Error::Api(api) = &err else {
        panic!("{err:?}")
    };
    assert_eq!(api.body.len(), baseten_api::ApiError::BODY_LIMIT);
    assert!(api.body_truncated);
}

#[tokio::test]
async fn an_empty_200_is_a_decode_error() {
    let server = RawServer::start(vec![Act::Send(json_response("200 OK", ""))]).await;
    let err = promote(&no_retries(&server.url)).await.unwrap_err();
    let Error::Decode(decode) = &err else {
        panic!("{err:?}")
    };
    assert_eq!(decode.message, "the body is empty");
}

#[tokio::test]
async fn a_200_with_the_wrong_content_type_is_a_decode_error() {
    let response = http_response(
        "200 OK",
        &[("content-type", "text/html; charset=utf-8")],
        deployment_body("ACTIVE").as_bytes(),
    );
    let server = RawServer::start(vec![Act::Send(response)]).await;
    let err = promote(&no_retries(&server.url)).await.unwrap_err();
    let Error::Decode(decode) = &err else {
        panic!("{err:?}")
    };
    assert_eq!(
        decode.message,
        "expected a JSON body, got content type `text/html; charset=utf-8`"
    );
    assert_eq!(
        decode.content_type.as_deref(),
        Some("text/html; charset=utf-8")
    );
}

#[tokio::test]
async fn a_very_large_body_stops_at_the_limit() {
    // 8 MiB of JSON whitespace then an object: valid JSON, but past the client's limit.
    let mut body = vec![b' '; 8 * 1024 * 1024];
    body.extend_from_slice(deployment_body("ACTIVE").as_bytes());
    let response = http_response("200 OK", &[("content-type", "application/json")], &body);
    let server = RawServer::start(vec![Act::Send(response)]).await;
    let client = Client::builder()
        .api_key("k")
        .base_url(&server.url)
        .max_response_bytes(64 * 1024)
        .build()
        .unwrap();
    let err = promote(&client).await.unwrap_err();
    let Error::Decode(decode) = &err else {
        panic!("{err:?}")
    };
    assert_eq!(
        decode.message,
        "the body is larger than the limit of 65536 bytes"
    );
}

#[tokio::test]
async fn a_429_is_retried_after_the_wait_the_api_asks_for() {
    let limited = rate_limited("1");
    let server = RawServer::start(vec![
        Act::Send(limited),
        Act::Send(json_response("200 OK", &deployment_body("ACTIVE"))),
    ])
    .await;
    let started = Instant::now();
    let deployment = promote(&fast_retries(&server.url)).await.unwrap();
    let elapsed = started.elapsed();
    assert_eq!(deployment.id, "dep-1");
    assert_eq!(server.connections(), 2);
    // 1 s asked, plus at most 10% jitter, never less.
    assert!(
        elapsed >= Duration::from_secs(1) && elapsed < Duration::from_millis(1900),
        "{elapsed:?}"
    );
}

#[tokio::test]
async fn a_retried_promotion_sends_the_same_request_again() {
    let server = RawServer::start(vec![
        Act::Send(rate_limited("0.01")),
        Act::Send(json_response("200 OK", &deployment_body("ACTIVE"))),
    ])
    .await;
    promote(&fast_retries(&server.url)).await.unwrap();
    let requests = server.requests();
    assert_eq!(requests.len(), 2, "{requests:?}");
    assert_eq!(requests[0], requests[1]);
    let first = requests[0].to_ascii_lowercase();
    for part in [
        "post /v1/models/m-1/environments/production/promote http/1.1\r\n",
        "\r\nauthorization: api-key fault-test-key\r\n",
        "\r\nuser-agent: baseten-api-rs/",
        "\r\ncontent-type: application/json\r\n",
        "\r\naccept: application/json\r\n",
        r#""deployment_id":"dep-1""#,
    ] {
        assert!(first.contains(part), "{part:?} not in {first}");
    }
}

#[tokio::test]
async fn a_retry_after_header_is_honoured_too() {
    let limited = http_response(
        "429 Too Many Requests",
        &[("retry-after", "1")],
        b"slow down",
    );
    let server = RawServer::start(vec![
        Act::Send(limited),
        Act::Send(json_response("200 OK", &deployment_body("ACTIVE"))),
    ])
    .await;
    let started = Instant::now();
    promote(&fast_retries(&server.url)).await.unwrap();
    assert!(started.elapsed() >= Duration::from_secs(1));
}

/// RFC 9110 allows `Retry-After` as an HTTP date; a proxy or gateway in front of the API may
/// send one. It used to be ignored: the client retried on its own backoff, four times in 1.75 s.
#[tokio::test]
async fn a_retry_after_header_with_an_http_date_is_the_wait_asked_for() {
    let in_37_s = httpdate::fmt_http_date(std::time::SystemTime::now() + Duration::from_secs(37));
    let limited = http_response(
        "429 Too Many Requests",
        &[("retry-after", &in_37_s)],
        b"slow down",
    );
    let server = RawServer::start(vec![Act::Send(limited)]).await;
    let client = client(
        &server.url,
        RetryPolicy::default().max_total_wait(Duration::from_secs(10)),
    );
    let started = Instant::now();
    let err = promote(&client).await.unwrap_err();
    // 37 s is past the 10 s budget: the wait is not started, and the caller is told it.
    assert!(started.elapsed() < Duration::from_secs(2));
    assert_eq!(server.connections(), 1, "{err}");
    let wait = err.retry_after().expect("the date's wait");
    assert!(
        wait > Duration::from_secs(35) && wait <= Duration::from_secs(37),
        "{wait:?}"
    );

    // A date already past: retry now.
    let limited = http_response(
        "429 Too Many Requests",
        &[("retry-after", "Wed, 21 Oct 2015 07:28:00 GMT")],
        b"slow down",
    );
    let server = RawServer::start(vec![Act::Send(limited)]).await;
    let err = promote(&no_retries(&server.url)).await.unwrap_err();
    assert_eq!(err.retry_after(), Some(Duration::ZERO));
}

/// Baseten documents `"retry_after": 37`; a string form must neither be ignored nor make the
/// rest of the body unreadable.
#[tokio::test]
async fn a_retry_after_string_in_the_body_is_read_and_the_message_kept() {
    for (retry_after, wait) in [
        (r#""37""#, Some(Duration::from_secs(37))),
        (r#""37.5""#, Some(Duration::from_millis(37_500))),
        (r#""soon""#, None),
        ("-1", None),
    ] {
        let server = RawServer::start(vec![Act::Send(rate_limited(retry_after))]).await;
        let err = promote(&no_retries(&server.url)).await.unwrap_err();
        assert!(err.is_rate_limited(), "{err:?}");
        assert_eq!(err.retry_after(), wait, "{retry_after}");
        let Error::Api(api) = &err else {
            panic!("{err:?}")
        };
        assert_eq!(
            api.message.as_deref(),
            Some("Rate limit exceeded. Please try again later."),
            "{retry_after}"
        );
    }
}

#[tokio::test]
async fn rate_limited_until_the_attempt_cap_returns_the_error_with_retry_after() {
    let limited = rate_limited("0.05");
    let server = RawServer::start(vec![Act::Send(limited)]).await;
    let client = client(&server.url, RetryPolicy::default().max_attempts(3));
    let err = promote(&client).await.unwrap_err();
    assert!(err.is_rate_limited(), "{err:?}");
    assert_eq!(err.retry_after(), Some(Duration::from_millis(50)));
    assert_eq!(server.connections(), 3);
    let Error::Api(api) = &err else {
        panic!("{err:?}")
    };
    assert_eq!(
        api.message.as_deref(),
        Some("Rate limit exceeded. Please try again later.")
    );
}

#[tokio::test]
async fn a_wait_past_the_total_budget_is_not_started() {
    let limited = rate_limited("37");
    let server = RawServer::start(vec![Act::Send(limited)]).await;
    let client = client(
        &server.url,
        RetryPolicy::default().max_total_wait(Duration::from_secs(10)),
    );
    let started = Instant::now();
    let err = promote(&client).await.unwrap_err();
    assert!(started.elapsed() < Duration::from_secs(2));
    assert_eq!(err.retry_after(), Some(Duration::from_secs(37)));
    assert_eq!(server.connections(), 1);
}

#[tokio::test]
async fn with_retries_disabled_a_429_comes_back_at_once() {
    let limited = rate_limited("5");
    let server = RawServer::start(vec![Act::Send(limited)]).await;
    let err = promote(&no_retries(&server.url)).await.unwrap_err();
    assert!(err.is_rate_limited() && err.is_safe_to_retry());
    assert_eq!(server.connections(), 1);
}

#[tokio::test]
async fn a_refused_connection_is_retried_with_backoff() {
    // Take a free port, close it, and open it again after the first attempts have failed.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let address = listener.local_addr().unwrap();
    drop(listener);
    let url = format!("http://{address}");
    let reopen = tokio::spawn(async move {
        tokio::time::sleep(Duration::from_millis(120)).await;
        let listener = tokio::net::TcpListener::bind(address).await.unwrap();
        let (mut stream, _) = listener.accept().await.unwrap();
        let mut buffer = vec![0u8; 8192];
        let _ = tokio::io::AsyncReadExt::read(&mut stream, &mut buffer).await;
        let response = json_response("200 OK", &deployment_body("ACTIVE"));
        tokio::io::AsyncWriteExt::write_all(&mut stream, &response)
            .await
            .unwrap();
    });
    let policy = RetryPolicy::default()
        .max_attempts(8)
        .backoff(Duration::from_millis(50), Duration::from_millis(100));
    let deployment = promote(&client(&url, policy)).await.unwrap();
    assert_eq!(deployment.id, "dep-1");
    reopen.await.unwrap();
}

#[tokio::test]
async fn a_refused_connection_without_retries_is_a_connect_error() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    drop(listener);
    let err = promote(&no_retries(&url)).await.unwrap_err();
    assert!(
        matches!(&err, Error::Connect { url: at, attempts: 1, .. } if *at == url),
        "{err:?}"
    );
    assert!(err.is_safe_to_retry());
    assert!(
        err.to_string().starts_with(&format!(
            "cannot connect to the Baseten API at {url} (1 attempt): "
        )),
        "{err}"
    );
}

#[tokio::test]
async fn nothing_listening_names_the_url_and_the_attempts_made() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    drop(listener);
    let policy = RetryPolicy::default()
        .max_attempts(3)
        .backoff(Duration::from_millis(5), Duration::from_millis(10));
    let err = promote(&client(&url, policy)).await.unwrap_err();
    assert!(
        matches!(&err, Error::Connect { attempts: 3, .. }),
        "{err:?}"
    );
    let shown = err.to_string();
    assert!(
        shown.starts_with(&format!(
            "cannot connect to the Baseten API at {url} (3 attempts): "
        )),
        "{shown}"
    );
    assert!(shown.contains("refused"), "{shown}");
}

#[tokio::test]
async fn a_connect_timeout_is_a_connect_error_and_retried_as_one() {
    // A listener whose accept queue is full drops further SYNs: the client's handshake gets no
    // answer and its connect times out, as with a blackholed host (reqwest reports both
    // `is_connect` and `is_timeout`). Nothing was sent, so the promotion (a POST, which is not
    // retried after a timeout) is retried as a failed connection, and the error says so.
    let blackhole = support::Blackhole::start();
    let url = format!("http://{}", blackhole.address);
    let client = Client::builder()
        .api_key("fault-test-key")
        .base_url(&url)
        .connect_timeout(Duration::from_millis(200))
        .request_timeout(Duration::from_secs(5))
        .retry_policy(
            RetryPolicy::default()
                .max_attempts(2)
                .backoff(Duration::from_millis(5), Duration::from_millis(10)),
        )
        .build()
        .unwrap();
    let started = Instant::now();
    let err = promote(&client).await.unwrap_err();
    assert!(
        matches!(&err, Error::Connect { url: at, attempts: 2, .. } if *at == url),
        "a connect timeout sent nothing: {err:?}"
    );
    assert!(err.is_safe_to_retry() && !err.is_timeout(), "{err:?}");
    let Error::Connect { source, .. } = &err else {
        unreachable!()
    };
    assert!(
        source.is_connect() && source.is_timeout(),
        "the listener must blackhole the handshake: {source:?}"
    );
    // Two connect timeouts, not the request timeout.
    assert!(
        started.elapsed() < Duration::from_secs(3),
        "{:?}",
        started.elapsed()
    );
    let shown = err.to_string();
    assert!(
        shown.starts_with(&format!(
            "cannot connect to the Baseten API at {url} (2 attempts): no connection within the \
             connect timeout"
        )),
        "{shown}"
    );
    assert!(shown.contains("nothing was sent"), "{shown}");
    assert!(shown.contains("Check the URL"), "{shown}");
}

#[tokio::test]
async fn https_to_a_plain_http_server_is_not_retried_and_says_so() {
    // A plain-HTTP server answers whatever it is sent (here: a TLS ClientHello) with HTTP.
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let plain = format!("http://{}", listener.local_addr().unwrap());
    let connections = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let counter = connections.clone();
    tokio::spawn(async move {
        while let Ok((mut stream, _)) = listener.accept().await {
            counter.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
            let answer = json_response("400 Bad Request", r#"{"code": "NOT_TLS"}"#);
            let _ = tokio::io::AsyncWriteExt::write_all(&mut stream, &answer).await;
        }
    });
    let https = plain.replacen("http://", "https://", 1);
    let policy = RetryPolicy::default()
        .max_attempts(4)
        .backoff(Duration::from_millis(5), Duration::from_millis(10));
    let err = promote(&client(&https, policy)).await.unwrap_err();
    assert!(
        matches!(&err, Error::Connect { attempts: 1, .. }),
        "{err:?}"
    );
    assert_eq!(
        connections.load(std::sync::atomic::Ordering::SeqCst),
        1,
        "a TLS mismatch will not heal: no retry"
    );
    let shown = err.to_string();
    assert!(shown.contains("the server does not speak TLS"), "{shown}");
    assert!(shown.contains(&format!("use {plain}")), "{shown}");
}

#[tokio::test]
async fn an_unknown_status_value_decodes_and_round_trips() {
    let server = RawServer::start(vec![Act::Send(json_response(
        "200 OK",
        &deployment_body("MIGRATING_REGION"),
    ))])
    .await;
    let deployment = promote(&no_retries(&server.url)).await.unwrap();
    assert_eq!(
        deployment.status,
        DeploymentStatusV1::Unknown("MIGRATING_REGION".into())
    );
    assert_eq!(deployment.status.to_string(), "MIGRATING_REGION");
    let json = serde_json::to_value(&deployment).unwrap();
    assert_eq!(json["status"], "MIGRATING_REGION");
    // Known values stay typed.
    let known: DeploymentStatusV1 = serde_json::from_str("\"ACTIVE\"").unwrap();
    assert_eq!(known, DeploymentStatusV1::Active);
    assert_eq!(
        "WAKING_UP".parse::<DeploymentStatusV1>().unwrap(),
        DeploymentStatusV1::WakingUp
    );
}

#[test]
fn a_status_that_is_not_a_string_is_a_decode_error_at_its_path() {
    let mut body: serde_json::Value = serde_json::from_str(&deployment_body("ACTIVE")).unwrap();
    for (value, kind) in [
        (serde_json::json!(7), "integer `7`"),
        (serde_json::json!(null), "null"),
        (serde_json::json!(["ACTIVE"]), "sequence"),
    ] {
        body["status"] = value;
        let err = baseten_api::decode_body::<DeploymentV1>(
            baseten_api::reqwest::StatusCode::OK,
            &baseten_api::reqwest::header::HeaderMap::new(),
            body.to_string().as_bytes(),
        )
        .unwrap_err();
        let Error::Decode(decode) = err else {
            panic!("{err:?}")
        };
        assert_eq!(decode.path, "status");
        let expected = format!("invalid type: {kind}, expected a string at line 1");
        assert!(decode.message.starts_with(&expected), "{}", decode.message);
    }
    // An escaped string is the value it spells.
    let known: DeploymentStatusV1 = serde_json::from_str(r#""\u0041CTIVE""#).unwrap();
    assert_eq!(known, DeploymentStatusV1::Active);
}

#[tokio::test]
async fn unknown_fields_are_ignored_at_every_level() {
    let mut body: serde_json::Value = serde_json::from_str(&deployment_body("ACTIVE")).unwrap();
    body["brand_new_field"] = serde_json::json!({"nested": [1, 2, 3]});
    body["autoscaling_settings"] = serde_json::json!({
        "min_replica": 0, "max_replica": 2, "autoscaling_window": 60, "scale_down_delay": null,
        "concurrency_target": 1, "target_utilization_percentage": null, "max_scale_down_rate": 0.5,
        "another_new_one": true
    });
    let server =
        RawServer::start(vec![Act::Send(json_response("200 OK", &body.to_string()))]).await;
    let deployment = promote(&no_retries(&server.url)).await.unwrap();
    assert_eq!(deployment.autoscaling_settings.unwrap().max_replica, 2);
}

#[tokio::test]
async fn a_wrong_type_names_the_field_path() {
    let mut body: serde_json::Value = serde_json::from_str(&deployment_body("ACTIVE")).unwrap();
    body["active_replica_count"] = serde_json::json!("three");
    let server =
        RawServer::start(vec![Act::Send(json_response("200 OK", &body.to_string()))]).await;
    let err = promote(&no_retries(&server.url)).await.unwrap_err();
    let Error::Decode(decode) = &err else {
        panic!("{err:?}")
    };
    assert_eq!(decode.path, "active_replica_count");
    assert!(err.to_string().starts_with("cannot decode the Baseten API's 200 OK response at `active_replica_count`: invalid type"), "{err}");
}

// --- GETs are safe to repeat ----------------------------------------------------------------

async fn read_deployment(client: &Client) -> Result<DeploymentV1, Error> {
    client
        .get_deployment()
        .model_id("m-1")
        .deployment_id("dep-1")
        .send()
        .await
        .map(|r| r.into_inner())
}

fn unavailable() -> Vec<u8> {
    json_response("503 Service Unavailable", r#"{"code": "UNAVAILABLE"}"#)
}

#[tokio::test]
async fn a_get_is_retried_after_a_503_and_succeeds() {
    let server = RawServer::start(vec![
        Act::Send(unavailable()),
        Act::Send(json_response("200 OK", &deployment_body("ACTIVE"))),
    ])
    .await;
    let deployment = read_deployment(&fast_retries(&server.url)).await.unwrap();
    assert_eq!(deployment.id, "dep-1");
    assert_eq!(server.connections(), 2);
    let lines = server.request_lines();
    assert!(
        lines
            .iter()
            .all(|l| l.starts_with("GET /v1/models/m-1/deployments/dep-1 ")),
        "{lines:?}"
    );
}

#[tokio::test]
async fn a_get_is_retried_after_a_reset_and_a_timeout() {
    let reset =
        "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 400\r\n\r\n{\"id\"";
    let server = RawServer::start(vec![
        Act::SendThenReset(reset.as_bytes().to_vec()),
        Act::Silence,
        Act::Send(json_response("200 OK", &deployment_body("BUILDING"))),
    ])
    .await;
    let deployment = read_deployment(&fast_retries(&server.url)).await.unwrap();
    assert_eq!(deployment.status, DeploymentStatusV1::Building);
    assert_eq!(server.connections(), 3);
}

#[tokio::test]
async fn a_post_answered_503_is_returned_after_one_attempt() {
    let server = RawServer::start(vec![
        Act::Send(unavailable()),
        Act::Send(json_response("200 OK", &deployment_body("ACTIVE"))),
    ])
    .await;
    let err = promote(&fast_retries(&server.url)).await.unwrap_err();
    assert_eq!(err.status().map(|s| s.as_u16()), Some(503), "{err:?}");
    assert_eq!(
        server.connections(),
        1,
        "a promotion may have run: never repeat it"
    );
}

#[tokio::test]
async fn a_get_that_keeps_failing_stops_at_the_attempt_cap() {
    let server = RawServer::start(vec![Act::Send(unavailable())]).await;
    let policy = RetryPolicy::default()
        .max_attempts(3)
        .backoff(Duration::from_millis(5), Duration::from_millis(10));
    let err = read_deployment(&client(&server.url, policy))
        .await
        .unwrap_err();
    assert_eq!(err.status().map(|s| s.as_u16()), Some(503));
    assert_eq!(server.connections(), 3);
}
