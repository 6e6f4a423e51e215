//! A scripted HTTP server on 127.0.0.1 for what the mock cannot show: each route answers a list
//! of responses in turn (the last one repeats), each after an optional delay; it counts the
//! requests it was sent. Plain `std` threads and HTTP/1.1 with keep-alive, no framework: it
//! only has to speak to one client.

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// One scripted answer.
#[derive(Clone, Debug)]
pub struct Answer {
    pub status: u16,
    pub body: String,
    pub delay: Duration,
    /// How many times it is given before the next one (the last one repeats forever).
    pub times: usize,
    /// Extra response headers, as `name: value` lines.
    pub headers: Vec<String>,
}

impl Answer {
    pub fn json(status: u16, body: serde_json::Value) -> Self {
        Self {
            status,
            body: body.to_string(),
            delay: Duration::ZERO,
            times: 1,
            headers: Vec::new(),
        }
    }

    pub fn header(mut self, name: &str, value: &str) -> Self {
        self.headers.push(format!("{name}: {value}"));
        self
    }

    pub fn times(mut self, times: usize) -> Self {
        self.times = times;
        self
    }

    pub fn delayed(mut self, delay: Duration) -> Self {
        self.delay = delay;
        self
    }
}

type Routes = HashMap<String, Vec<Answer>>;

pub struct Scripted {
    pub url: String,
    routes: Arc<Mutex<Routes>>,
    counts: Arc<Mutex<HashMap<String, usize>>>,
    /// The scheme word of each request's `Authorization` header (never the key), in order.
    schemes: Arc<Mutex<Vec<String>>>,
}

impl Scripted {
    /// Starts a server; `routes` maps `"GET /v1/…"` to its answers.
    pub fn start(routes: Vec<(&str, Vec<Answer>)>) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let routes: Routes = routes
            .into_iter()
            .map(|(route, answers)| (route.to_owned(), answers))
            .collect();
        let routes = Arc::new(Mutex::new(routes));
        let counts = Arc::new(Mutex::new(HashMap::new()));
        let schemes = Arc::new(Mutex::new(Vec::new()));
        let (r, c, a) = (routes.clone(), counts.clone(), schemes.clone());
        std::thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                let (r, c, a) = (r.clone(), c.clone(), a.clone());
                std::thread::spawn(move || serve(stream, r, c, a));
            }
        });
        Self {
            url,
            routes,
            counts,
            schemes,
        }
    }

    /// How many requests `route` (`"GET /v1/…"`) received.
    pub fn count(&self, route: &str) -> usize {
        self.counts.lock().unwrap().get(route).copied().unwrap_or(0)
    }

    /// The authorization scheme of each request so far (`Api-Key`, `Bearer`, or `-` without one).
    #[allow(dead_code)]
    pub fn schemes(&self) -> Vec<String> {
        self.schemes.lock().unwrap().clone()
    }

    /// Replaces a route's answers from now on.
    #[allow(dead_code)]
    pub fn set(&self, route: &str, answers: Vec<Answer>) {
        self.routes
            .lock()
            .unwrap()
            .insert(route.to_owned(), answers);
    }
}

fn serve(
    stream: TcpStream,
    routes: Arc<Mutex<Routes>>,
    counts: Arc<Mutex<HashMap<String, usize>>>,
    schemes: Arc<Mutex<Vec<String>>>,
) {
    let mut reader = BufReader::new(stream.try_clone().unwrap());
    let mut writer = stream;
    loop {
        let mut request_line = String::new();
        if reader.read_line(&mut request_line).unwrap_or(0) == 0 {
            return;
        }
        let mut length = 0usize;
        let mut scheme = String::from("-");
        loop {
            let mut header = String::new();
            if reader.read_line(&mut header).unwrap_or(0) == 0 {
                return;
            }
            if header == "\r\n" {
                break;
            }
            if let Some((name, value)) = header.split_once(':')
                && name.eq_ignore_ascii_case("content-length")
            {
                length = value.trim().parse().unwrap_or(0);
            }
            if let Some((name, value)) = header.split_once(':')
                && name.eq_ignore_ascii_case("authorization")
            {
                scheme = value.split_whitespace().next().unwrap_or("-").to_owned();
            }
        }
        schemes.lock().unwrap().push(scheme);
        let mut body = vec![0; length];
        if reader.read_exact(&mut body).is_err() {
            return;
        }
        let mut parts = request_line.split_whitespace();
        let (method, path) = (parts.next().unwrap_or(""), parts.next().unwrap_or(""));
        let route = format!("{method} {path}");
        let answer = {
            let mut counts = counts.lock().unwrap();
            let seen = counts.entry(route.clone()).or_insert(0);
            *seen += 1;
            let routes = routes.lock().unwrap();
            routes.get(&route).map(|answers| pick(answers, *seen))
        };
        let answer = answer.unwrap_or_else(|| {
            Answer::json(
                404,
                serde_json::json!({"code": "NOT_FOUND", "message": route}),
            )
        });
        std::thread::sleep(answer.delay);
        let headers: String = answer.headers.iter().map(|h| format!("{h}\r\n")).collect();
        let response = format!(
            "HTTP/1.1 {} Scripted\r\ncontent-type: application/json\r\ncontent-length: {}\r\n{headers}\r\n{}",
            answer.status,
            answer.body.len(),
            answer.body
        );
        if writer.write_all(response.as_bytes()).is_err() {
            return;
        }
    }
}

/// The answer for the `nth` request (from 1): each answer covers `times` requests in turn.
fn pick(answers: &[Answer], nth: usize) -> Answer {
    let mut covered = 0;
    for answer in answers {
        covered += answer.times;
        if nth <= covered {
            return answer.clone();
        }
    }
    answers.last().expect("a route has answers").clone()
}

/// A model deployment as Baseten sends it.
pub fn deployment(id: &str) -> serde_json::Value {
    serde_json::json!({
        "id": id, "created_at": "2026-08-01T12:00:00Z", "name": id, "model_id": "mdl-s",
        "is_production": false, "is_development": false, "status": "ACTIVE",
        "active_replica_count": 1, "autoscaling_settings": null,
        "instance_type_name": null, "environment": null
    })
}

/// A model environment: `current`, `candidate`, and a promotion `(status, percent)`.
pub fn environment(
    current: &str,
    candidate: Option<&str>,
    promotion: Option<(&str, i64)>,
) -> serde_json::Value {
    serde_json::json!({
        "name": "production", "created_at": "2026-08-01T12:00:00Z", "model_id": "mdl-s",
        "current_deployment": deployment(current),
        "candidate_deployment": candidate.map(deployment),
        "in_progress_promotion": promotion.map(|(status, percent)| serde_json::json!({
            "status": status, "percent_traffic_to_new_version": percent,
            "error_message": null, "rolling_deploy": true
        })),
        "autoscaling_settings": {"min_replica": 1, "max_replica": 2, "concurrency_target": 1,
            "autoscaling_window": null, "scale_down_delay": null, "target_utilization_percentage": null},
        "promotion_settings": {},
        "instance_type": {"id": "1x4", "name": "1x4", "memory_limit_mib": 4096, "millicpu_limit": 1000,
            "gpu_count": 0, "gpu_type": null, "gpu_memory_limit_mib": null}
    })
}
