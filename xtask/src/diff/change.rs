//! One semantic change between two specs and how it affects users: the vocabulary of the diff.

use serde::Serialize;
use serde_json::Value;

/// How much a change matters, on one axis. Ordered: the worst effect wins when a schema is
/// used in requests and in responses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Effect {
    /// Nothing that worked stops working.
    Compatible,
    /// Everything still compiles and decodes, but means something else (a changed default).
    Behavior,
    /// Code stops compiling, a request is refused, or a response no longer decodes.
    Breaking,
}

impl Effect {
    pub fn label(self) -> &'static str {
        match self {
            Effect::Compatible => "-",
            Effect::Behavior => "behavior",
            Effect::Breaking => "breaking",
        }
    }
}

/// Which way the data of a schema flows between client and server.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    /// The client sends it (request bodies, parameters).
    Request,
    /// The client receives it (response bodies).
    Response,
    /// Both.
    Both,
}

impl Role {
    /// The union of two roles (`None`: not used by any operation).
    pub fn join(a: Option<Role>, b: Option<Role>) -> Option<Role> {
        match (a, b) {
            (None, x) | (x, None) => x,
            (Some(x), Some(y)) if x == y => Some(x),
            _ => Some(Role::Both),
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Role::Request => "request",
            Role::Response => "response",
            Role::Both => "request and response",
        }
    }
}

/// One direction of data flow, for the rules that differ between them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Flow {
    Request,
    Response,
}

/// Applies a rule per direction and keeps the worst effect on each axis, with the reasons of
/// the directions that are not compatible.
pub fn per_flow(role: Role, rule: impl Fn(Flow) -> Verdict) -> Verdict {
    let flows: &[Flow] = match role {
        Role::Request => &[Flow::Request],
        Role::Response => &[Flow::Response],
        Role::Both => &[Flow::Request, Flow::Response],
    };
    let mut out = Verdict::compatible("");
    for flow in flows {
        let verdict = rule(*flow);
        out.rust = out.rust.max(verdict.rust);
        out.wire = out.wire.max(verdict.wire);
        let matters = verdict.rust != Effect::Compatible || verdict.wire != Effect::Compatible;
        if !verdict.why.is_empty()
            && (matters || flows.len() == 1)
            && !out.why.contains(&verdict.why)
        {
            out.why.push_str(if out.why.is_empty() { "" } else { "; " });
            out.why.push_str(&verdict.why);
        }
    }
    out
}

/// A change's effect on users of the generated Rust crate, on the wire (a client built from
/// the old spec talking to a server that speaks the new one), and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verdict {
    pub rust: Effect,
    pub wire: Effect,
    pub why: String,
}

impl Verdict {
    pub fn new(rust: Effect, wire: Effect, why: impl Into<String>) -> Self {
        Self {
            rust,
            wire,
            why: why.into(),
        }
    }

    pub fn compatible(why: impl Into<String>) -> Self {
        Self::new(Effect::Compatible, Effect::Compatible, why)
    }
}

/// Where a change was found, for grouping.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Group {
    Operation,
    Schema,
    Security,
    Document,
}

/// What changed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    OperationAdded,
    OperationRemoved,
    OperationRenamed,
    ParameterAdded,
    ParameterRemoved,
    ParameterRenamed,
    RequestBodyAdded,
    RequestBodyRemoved,
    ResponseAdded,
    ResponseRemoved,
    MediaTypeAdded,
    MediaTypeRemoved,
    SchemaAdded,
    SchemaRemoved,
    PropertyAdded,
    PropertyRemoved,
    TypeChanged,
    BecameRequired,
    BecameOptional,
    BecameNullable,
    BecameNonNullable,
    EnumValuesAdded,
    EnumValuesRemoved,
    DefaultChanged,
    SecurityChanged,
    SecuritySchemeAdded,
    SecuritySchemeRemoved,
    SecuritySchemeChanged,
    ServersChanged,
}

/// One change, as reported (and serialized by `--format json`).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Change {
    pub group: Group,
    /// The operation (`POST /v1/…`), schema name, security scheme or document part.
    pub subject: String,
    /// Where inside the subject: `request body.deployment_id`, `labels`, `parameter \`limit\``;
    /// empty for the subject itself.
    pub path: String,
    pub kind: Kind,
    /// For schema changes: whether the schema is sent, received, or both.
    pub role: Option<Role>,
    /// Effect on code using the generated crate.
    pub rust: Effect,
    /// Effect on an old client talking to a new server.
    pub wire: Effect,
    /// One line for a person: what changed and why it has this effect.
    pub message: String,
    /// The value before and after, where one makes sense (a type, the enum values, a default).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub old: Option<Value>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub new: Option<Value>,
}

impl Change {
    /// Is it breaking on either axis?
    pub fn is_breaking(&self) -> bool {
        self.rust == Effect::Breaking || self.wire == Effect::Breaking
    }
}
