//! What the request-path benchmarks share: one local HTTP server and the three clients that
//! hit it (see PERFORMANCE.md for what each one does).
//!
//! - [`Floor`]: raw hyper; sends pre-serialized bytes and reads the body, nothing else.
//! - [`HandWritten`]: reqwest + serde, what a careful user writes without this crate.
//! - [`crate_promote`]: `baseten_api::Client` exactly as shipped.

use std::convert::Infallible;
use std::net::SocketAddr;
use std::time::Duration;

use baseten_api::types;
use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::body::Incoming;
use hyper::header::{ACCEPT, AUTHORIZATION, CONTENT_TYPE, HeaderValue};
use hyper::service::service_fn;
use hyper::{Method, Request, Response, StatusCode};
use hyper_util::client::legacy::Client as HyperClient;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::{TokioExecutor, TokioIo};
use serde::{Deserialize, Serialize};

pub const KEY: &str = "bench-key-0123456789abcdef";
pub const AUTH: &str = "Api-Key bench-key-0123456789abcdef";
pub const MODEL_ID: &str = "m-1";
pub const ENV_NAME: &str = "staging";
pub const DEPLOYMENT_ID: &str = "dep-7f3a";
pub const PROMOTE_PATH: &str = "/v1/models/m-1/environments/staging/promote";
pub const USER_AGENT: &str = "deployer/1.0";

/// Requests in flight at once in the concurrent benchmarks.
pub const IN_FLIGHT: usize = 64;

/// The request body all three clients send (the crate fills in the documented defaults).
pub const REQUEST_JSON: &[u8] = br#"{"deployment_id":"dep-7f3a","preserve_env_instance_type":true,"scale_down_previous_deployment":true}"#;

/// The fixed `DeploymentV1` the server answers with (all fields set, as the live API sends).
pub const DEPLOYMENT_JSON: &str = r#"{"id":"dep-7f3a","created_at":"2026-08-22T10:15:30.123456Z","name":"v42","model_id":"m-1","is_production":false,"is_development":false,"status":"ACTIVE","active_replica_count":2,"autoscaling_settings":{"min_replica":1,"max_replica":4,"autoscaling_window":60,"scale_down_delay":900,"concurrency_target":3,"target_utilization_percentage":70},"instance_type_name":"1x4","environment":"staging","labels":{"team":"ml-platform","tier":"gold"}}"#;

/// A `ChainDeploymentV1` with `chainlets` chainlets.
pub fn chain_deployment_json(chainlets: usize) -> String {
    let chainlets: Vec<serde_json::Value> = (0..chainlets)
        .map(|i| {
            serde_json::json!({
                "id": format!("chainlet-{i:04}"),
                "name": format!("Chainlet{i}"),
                "status": if i % 7 == 0 { "DEPLOYING" } else { "ACTIVE" },
                "active_replica_count": i % 5,
                "instance_type_name": "1x4",
                "autoscaling_settings": {
                    "min_replica": 0, "max_replica": 8, "autoscaling_window": 60,
                    "scale_down_delay": 900, "concurrency_target": 4,
                    "target_utilization_percentage": 70
                },
            })
        })
        .collect();
    serde_json::json!({
        "id": "cd-91",
        "chain_id": "chain-42",
        "created_at": "2026-08-22T10:15:30.123456Z",
        "environment": "production",
        "status": "ACTIVE",
        "chainlets": chainlets,
    })
    .to_string()
}

// ---------------------------------------------------------------------------------------------
// The server
// ---------------------------------------------------------------------------------------------

/// Where the server runs, which decides what a benchmark measures.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ServerPlacement {
    /// On the clients' own (single-threaded) runtime: nothing waits on another core, so a
    /// sequential request costs exactly the CPU work of client + server + loopback, with no
    /// wake-up latency. On this machine (a VM) an idle core takes tens of microseconds to wake,
    /// which otherwise dominates a sequential round trip and swings with the machine's load.
    SameThread,
    /// On a thread of its own (a second core): throughput with the server beside the client.
    OwnThread,
}

/// Starts the server and returns its address. It answers the promote path, with the API key
/// and a body, with 200 and [`DEPLOYMENT_JSON`]; anything else with 400, which every client
/// treats as a failure, so a benchmark cannot measure a wrong request.
pub fn start_server(placement: ServerPlacement, runtime: &tokio::runtime::Runtime) -> SocketAddr {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1:0");
    listener
        .set_nonblocking(true)
        .expect("non-blocking listener");
    let addr = listener.local_addr().expect("local address");
    match placement {
        ServerPlacement::SameThread => {
            runtime.spawn(serve(listener));
        }
        ServerPlacement::OwnThread => {
            std::thread::Builder::new()
                .name("bench-server".into())
                .spawn(move || {
                    tokio::runtime::Builder::new_current_thread()
                        .enable_all()
                        .build()
                        .expect("server runtime")
                        .block_on(serve(listener))
                })
                .expect("server thread");
        }
    }
    addr
}

/// The placements for the sequential and the in-flight benchmarks: the server on the clients'
/// thread for sequential requests, on its own thread for 64 in flight (see
/// [`ServerPlacement`]). `BENCH_SERVER=same` or `BENCH_SERVER=own` puts it in one place for both.
pub fn placements() -> (ServerPlacement, ServerPlacement) {
    match std::env::var("BENCH_SERVER").as_deref() {
        Ok("same") => (ServerPlacement::SameThread, ServerPlacement::SameThread),
        Ok("own") => (ServerPlacement::OwnThread, ServerPlacement::OwnThread),
        _ => (ServerPlacement::SameThread, ServerPlacement::OwnThread),
    }
}

async fn serve(listener: std::net::TcpListener) {
    let listener = tokio::net::TcpListener::from_std(listener).expect("listener");
    loop {
        let Ok((stream, _)) = listener.accept().await else {
            continue;
        };
        let _ = stream.set_nodelay(true);
        tokio::spawn(async move {
            let _ = hyper::server::conn::http1::Builder::new()
                .serve_connection(TokioIo::new(stream), service_fn(answer))
                .await;
        });
    }
}

async fn answer(request: Request<Incoming>) -> Result<Response<Full<Bytes>>, Infallible> {
    let expected = request.method() == Method::POST
        && request.uri().path() == PROMOTE_PATH
        && request
            .headers()
            .get(AUTHORIZATION)
            .is_some_and(|v| v.as_bytes() == AUTH.as_bytes());
    let body = match request.into_body().collect().await {
        Ok(body) => body.to_bytes(),
        Err(_) => Bytes::new(),
    };
    let response = if expected && !body.is_empty() {
        Response::builder()
            .header(CONTENT_TYPE, "application/json")
            .body(Full::new(Bytes::from_static(DEPLOYMENT_JSON.as_bytes())))
    } else {
        Response::builder()
            .status(StatusCode::BAD_REQUEST)
            .header(CONTENT_TYPE, "application/json")
            .body(Full::new(Bytes::from_static(
                br#"{"code":"VALIDATION_ERROR","message":"unexpected request"}"#,
            )))
    };
    Ok(response.expect("valid response"))
}

/// The runtime every client runs on: one thread, like the server, so on a 2-core machine the
/// client and an [`ServerPlacement::OwnThread`] server each have a core.
pub fn client_runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("client runtime")
}

// ---------------------------------------------------------------------------------------------
// Floor: raw hyper
// ---------------------------------------------------------------------------------------------

/// The least an HTTP/1.1 client can do: a pooled hyper connection, a pre-parsed URI,
/// pre-serialized body bytes, static headers; reads the body and checks the status. No
/// decoding.
#[derive(Clone)]
pub struct Floor {
    client: HyperClient<HttpConnector, Full<Bytes>>,
    uri: hyper::Uri,
}

impl Floor {
    /// Must be called inside the client runtime (the pool spawns onto it).
    pub fn new(addr: SocketAddr) -> Self {
        let mut connector = HttpConnector::new();
        connector.set_nodelay(true); // as reqwest does
        let client = HyperClient::builder(TokioExecutor::new()).build(connector);
        let uri = format!("http://{addr}{PROMOTE_PATH}")
            .parse()
            .expect("valid URI");
        Self { client, uri }
    }

    pub async fn promote(&self) -> Bytes {
        let request = Request::post(self.uri.clone())
            .header(AUTHORIZATION, HeaderValue::from_static(AUTH))
            .header(ACCEPT, HeaderValue::from_static("application/json"))
            .header(CONTENT_TYPE, HeaderValue::from_static("application/json"))
            .header(
                hyper::header::USER_AGENT,
                HeaderValue::from_static(USER_AGENT),
            )
            .body(Full::new(Bytes::from_static(REQUEST_JSON)))
            .expect("valid request");
        let response = self.client.request(request).await.expect("floor request");
        assert!(response.status().is_success(), "{}", response.status());
        response
            .into_body()
            .collect()
            .await
            .expect("floor body")
            .to_bytes()
    }
}

// ---------------------------------------------------------------------------------------------
// Hand-written: reqwest + serde
// ---------------------------------------------------------------------------------------------

/// The response type a user would write for `DeploymentV1`: the same fields and field types
/// as the generated one, except `status` is a plain `String` (robust to new values, and the
/// cheapest robust choice; the crate's open enum is measured separately in `benches/benches/decode.rs`).
#[derive(Debug, Deserialize)]
pub struct HandDeployment {
    pub id: String,
    pub created_at: chrono::DateTime<chrono::Utc>,
    pub name: String,
    pub model_id: String,
    pub is_production: bool,
    pub is_development: bool,
    pub status: String,
    pub active_replica_count: i64,
    pub autoscaling_settings: Option<HandAutoscaling>,
    pub instance_type_name: Option<String>,
    pub environment: Option<String>,
    #[serde(default)]
    pub labels: Option<serde_json::Map<String, serde_json::Value>>,
}

#[derive(Debug, Deserialize)]
pub struct HandAutoscaling {
    pub min_replica: i64,
    pub max_replica: i64,
    pub autoscaling_window: Option<i64>,
    pub scale_down_delay: Option<i64>,
    pub concurrency_target: i64,
    pub target_utilization_percentage: Option<i64>,
    pub target_in_flight_tokens: Option<i64>,
}

#[derive(Serialize)]
struct HandPromoteBody<'a> {
    deployment_id: &'a str,
    preserve_env_instance_type: bool,
    scale_down_previous_deployment: bool,
}

#[derive(Debug)]
pub enum HandError {
    Transport(reqwest::Error),
    Status(reqwest::StatusCode, String),
    Decode(serde_json::Error),
}

/// What a careful user writes without this crate: one `reqwest::Client` built once with the
/// same timeouts and user agent as the crate's defaults, the auth header prepared once and
/// set per request, a JSON body, a status check (error bodies read as text), a serde decode.
#[derive(Clone)]
pub struct HandWritten {
    client: reqwest::Client,
    base_url: String,
    authorization: HeaderValue,
}

impl HandWritten {
    pub fn new(addr: SocketAddr) -> Self {
        let client = reqwest::Client::builder()
            .connect_timeout(Duration::from_secs(10))
            .timeout(Duration::from_secs(60))
            .user_agent(USER_AGENT)
            .build()
            .expect("reqwest client");
        let mut authorization = HeaderValue::from_str(AUTH).expect("header value");
        authorization.set_sensitive(true);
        Self {
            client,
            base_url: format!("http://{addr}"),
            authorization,
        }
    }

    pub async fn promote(
        &self,
        model_id: &str,
        env_name: &str,
        deployment_id: &str,
    ) -> Result<HandDeployment, HandError> {
        let url = format!(
            "{}/v1/models/{model_id}/environments/{env_name}/promote",
            self.base_url
        );
        let response = self
            .client
            .post(url)
            .header(AUTHORIZATION, self.authorization.clone())
            .header(ACCEPT, HeaderValue::from_static("application/json"))
            .json(&HandPromoteBody {
                deployment_id,
                preserve_env_instance_type: true,
                scale_down_previous_deployment: true,
            })
            .send()
            .await
            .map_err(HandError::Transport)?;
        let status = response.status();
        if !status.is_success() {
            let body = response.text().await.unwrap_or_default();
            return Err(HandError::Status(status, body));
        }
        let body = response.bytes().await.map_err(HandError::Transport)?;
        serde_json::from_slice(&body).map_err(HandError::Decode)
    }
}

// ---------------------------------------------------------------------------------------------
// This crate
// ---------------------------------------------------------------------------------------------

/// `baseten_api::Client` with every default: auth hook, retry policy, tracing span (no
/// subscriber installed, as in an application that does not collect traces), bounded decode.
pub fn crate_client(addr: SocketAddr) -> baseten_api::Client {
    baseten_api::Client::builder()
        .api_key(KEY)
        .base_url(format!("http://{addr}"))
        .user_agent(USER_AGENT)
        .build()
        .expect("baseten-api client")
}

/// One promotion, written as the README shows it.
pub async fn crate_promote(
    client: &baseten_api::Client,
) -> Result<types::DeploymentV1, baseten_api::Error> {
    Ok(client
        .promote_model_to_environment()
        .model_id(MODEL_ID)
        .env_name(ENV_NAME)
        .body(types::PromoteToEnvironmentRequestV1::builder().deployment_id(DEPLOYMENT_ID))
        .send()
        .await?
        .into_inner())
}

// ---------------------------------------------------------------------------------------------
// One call of each, as the benchmarks drive them
// ---------------------------------------------------------------------------------------------

/// The three clients, built once (inside the client runtime).
#[derive(Clone)]
pub struct Clients {
    pub floor: Floor,
    pub hand: HandWritten,
    pub krate: baseten_api::Client,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Variant {
    Floor,
    HandWritten,
    Crate,
}

impl Variant {
    pub const ALL: [Variant; 3] = [Variant::Floor, Variant::HandWritten, Variant::Crate];

    pub fn name(self) -> &'static str {
        match self {
            Variant::Floor => "floor_hyper",
            Variant::HandWritten => "hand_written_reqwest",
            Variant::Crate => "baseten_api",
        }
    }

    pub fn parse(name: &str) -> Option<Self> {
        Self::ALL
            .into_iter()
            .find(|v| v.name() == name || name == format!("{v:?}").to_lowercase())
    }
}

impl Clients {
    pub fn new(runtime: &tokio::runtime::Runtime, addr: SocketAddr) -> Self {
        let _guard = runtime.enter();
        Self {
            floor: Floor::new(addr),
            hand: HandWritten::new(addr),
            krate: crate_client(addr),
        }
    }

    /// One request with `variant`, checked.
    pub async fn one(&self, variant: Variant) {
        match variant {
            Variant::Floor => {
                let body = self.floor.promote().await;
                assert_eq!(body.len(), DEPLOYMENT_JSON.len());
            }
            Variant::HandWritten => {
                let deployment = self
                    .hand
                    .promote(MODEL_ID, ENV_NAME, DEPLOYMENT_ID)
                    .await
                    .expect("hand-written request");
                assert_eq!(deployment.id, DEPLOYMENT_ID);
            }
            Variant::Crate => {
                let deployment = crate_promote(&self.krate)
                    .await
                    .expect("baseten-api request");
                assert_eq!(deployment.id, DEPLOYMENT_ID);
            }
        }
    }

    /// [`IN_FLIGHT`] requests with `variant` at once.
    pub async fn batch(&self, variant: Variant) {
        futures_util::future::join_all((0..IN_FLIGHT).map(|_| self.one(variant))).await;
    }
}
