/// Every header the client may send. `host` and `content-length` come from
/// hyper; `accept` and `content-type` from the generated code; the other two
/// from this crate's request hook. reqwest is built without compression
/// features, so there is no `accept-encoding`.
pub const ALLOWED_HEADERS: &[&str] = &[
    "accept",
    "authorization",
    "content-length",
    "content-type",
    "host",
    "user-agent",
];
