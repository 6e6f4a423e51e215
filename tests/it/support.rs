//! A raw HTTP/1.1 server on 127.0.0.1 that misbehaves on cue, for the failures wiremock cannot
//! produce: resets, stalls, silence, truncated bodies. Each accepted connection plays the next
//! scripted [`Act`] (the last one repeats) after reading the whole request.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

/// What the server does with one connection.
#[derive(Clone, Debug)]
pub enum Act {
    /// Send these bytes, then close.
    Send(Vec<u8>),
    /// Send these bytes, then keep the connection open without sending more.
    SendThenStall(Vec<u8>),
    /// Send these bytes, then reset the connection (RST).
    SendThenReset(Vec<u8>),
    /// Close the connection without answering.
    Close,
    /// Never answer, keeping the connection open.
    Silence,
}

/// A response with a status line, headers and body (content-length computed).
pub fn http_response(status: &str, headers: &[(&str, &str)], body: &[u8]) -> Vec<u8> {
    let mut head = format!("HTTP/1.1 {status}\r\ncontent-length: {}\r\n", body.len());
    for (name, value) in headers {
        head.push_str(&format!("{name}: {value}\r\n"));
    }
    head.push_str("connection: close\r\n\r\n");
    let mut bytes = head.into_bytes();
    bytes.extend_from_slice(body);
    bytes
}

/// A JSON response.
pub fn json_response(status: &str, body: &str) -> Vec<u8> {
    http_response(
        status,
        &[("content-type", "application/json")],
        body.as_bytes(),
    )
}

/// Baseten's documented 429 answer, asking to wait `retry_after` seconds.
pub fn rate_limited(retry_after: &str) -> Vec<u8> {
    let body = format!(
        r#"{{"error": "Rate limit exceeded. Please try again later.", "retry_after": {retry_after}}}"#
    );
    json_response("429 Too Many Requests", &body)
}

/// A running scripted server.
pub struct RawServer {
    pub url: String,
    connections: Arc<AtomicUsize>,
    request_lines: Arc<Mutex<Vec<String>>>,
    requests: Arc<Mutex<Vec<String>>>,
    task: tokio::task::JoinHandle<()>,
}

impl RawServer {
    pub async fn start(script: Vec<Act>) -> Self {
        assert!(!script.is_empty());
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let connections = Arc::new(AtomicUsize::new(0));
        let counter = connections.clone();
        let request_lines = Arc::new(Mutex::new(Vec::new()));
        let requests = Arc::new(Mutex::new(Vec::new()));
        let recorder = (request_lines.clone(), requests.clone());
        let task = tokio::spawn(async move {
            loop {
                let Ok((stream, _)) = listener.accept().await else {
                    return;
                };
                let n = counter.fetch_add(1, Ordering::SeqCst);
                let act = script[n.min(script.len() - 1)].clone();
                tokio::spawn(play(stream, act, recorder.clone()));
            }
        });
        Self {
            url,
            connections,
            request_lines,
            requests,
            task,
        }
    }

    /// The request lines received so far (`POST /v1/… HTTP/1.1`), exactly as sent: no URL
    /// parser on the server side normalizes them.
    pub fn request_lines(&self) -> Vec<String> {
        self.request_lines.lock().unwrap().clone()
    }

    /// The requests received so far, head and body, as sent.
    pub fn requests(&self) -> Vec<String> {
        self.requests.lock().unwrap().clone()
    }

    /// How many connections the client opened (each attempt opens one: we close after each).
    pub fn connections(&self) -> usize {
        self.connections.load(Ordering::SeqCst)
    }
}

impl Drop for RawServer {
    fn drop(&mut self) {
        self.task.abort();
    }
}

type Recorder = (Arc<Mutex<Vec<String>>>, Arc<Mutex<Vec<String>>>);

async fn play(mut stream: TcpStream, act: Act, (request_lines, requests): Recorder) {
    if let Some(request) = read_request(&mut stream).await {
        let line = request.lines().next().unwrap_or_default().to_owned();
        request_lines.lock().unwrap().push(line);
        requests.lock().unwrap().push(request);
    }
    match act {
        Act::Send(bytes) => {
            let _ = stream.write_all(&bytes).await;
            let _ = stream.shutdown().await;
        }
        Act::SendThenStall(bytes) => {
            let _ = stream.write_all(&bytes).await;
            tokio::time::sleep(Duration::from_secs(30)).await;
        }
        Act::SendThenReset(bytes) => {
            let _ = stream.write_all(&bytes).await;
            let _ = stream.flush().await;
            tokio::time::sleep(Duration::from_millis(20)).await;
            // Linger 0 makes close send RST instead of FIN.
            let socket = socket2::SockRef::from(&stream);
            let _ = socket.set_linger(Some(Duration::ZERO));
            drop(stream);
        }
        Act::Close => drop(stream),
        Act::Silence => tokio::time::sleep(Duration::from_secs(30)).await,
    }
}

/// Reads one request: headers, then `content-length` bytes of body. Returns all of it.
async fn read_request(stream: &mut TcpStream) -> Option<String> {
    let mut data = Vec::new();
    let mut buffer = [0u8; 4096];
    loop {
        if let Some(end) = data.windows(4).position(|w| w == b"\r\n\r\n") {
            let head = String::from_utf8_lossy(&data[..end]).to_ascii_lowercase();
            let length: usize = head
                .lines()
                .find_map(|l| {
                    l.strip_prefix("content-length:")
                        .map(|v| v.trim().parse().unwrap_or(0))
                })
                .unwrap_or(0);
            if data.len() >= end + 4 + length {
                return Some(String::from_utf8_lossy(&data[..end + 4 + length]).into_owned());
            }
        }
        match stream.read(&mut buffer).await {
            Ok(0) | Err(_) => return None,
            Ok(n) => data.extend_from_slice(&buffer[..n]),
        }
    }
}

/// A client for `url` with short timeouts and the given retry policy.
pub fn client(url: &str, policy: baseten_api::RetryPolicy) -> baseten_api::Client {
    baseten_api::Client::builder()
        .api_key("fault-test-key")
        .base_url(url)
        .connect_timeout(Duration::from_millis(500))
        .request_timeout(Duration::from_millis(700))
        .retry_policy(policy)
        .build()
        .unwrap()
}

/// A valid `DeploymentV1` body, with `status` as given.
pub fn deployment_body(status: &str) -> String {
    serde_json::json!({
        "id": "dep-1", "created_at": "2026-08-01T12:00:00Z", "name": "v1", "model_id": "m-1",
        "is_production": true, "is_development": false, "status": status,
        "active_replica_count": 1, "autoscaling_settings": null,
        "instance_type_name": null, "environment": "production"
    })
    .to_string()
}

#[path = "../shared/blackhole.rs"]
mod blackhole;
pub use blackhole::Blackhole;
