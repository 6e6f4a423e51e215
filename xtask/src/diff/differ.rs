//! The state of one comparison: both documents and the changes found so far.

use super::change::{Change, Group, Kind, Role, Verdict};
use serde_json::Value;

/// Where a schema or part of an operation sits: the subject its changes are grouped under, and
/// the path inside it.
#[derive(Debug, Clone)]
pub struct Place {
    pub group: Group,
    pub subject: String,
    pub path: String,
}

impl Place {
    pub fn new(group: Group, subject: impl Into<String>) -> Self {
        Self {
            group,
            subject: subject.into(),
            path: String::new(),
        }
    }

    /// A named part (`request body`, a property): joined with `.`.
    pub fn child(&self, name: &str) -> Self {
        let path = if self.path.is_empty() {
            name.to_string()
        } else {
            format!("{}.{name}", self.path)
        };
        Self {
            path,
            ..self.clone()
        }
    }

    /// A suffix that is not a name (`[]` for array items, `{}` for map values).
    pub fn suffix(&self, suffix: &str) -> Self {
        Self {
            path: format!("{}{suffix}", self.path),
            ..self.clone()
        }
    }
}

/// What a change is, before its place is attached.
pub struct Found {
    pub kind: Kind,
    pub role: Option<Role>,
    pub verdict: Verdict,
    pub what: String,
    pub old: Option<Value>,
    pub new: Option<Value>,
}

/// Both documents and the changes found.
pub struct Differ<'a> {
    pub old_root: &'a Value,
    pub new_root: &'a Value,
    pub changes: Vec<Change>,
    /// How many schema comparisons are under way (see [`super::node::MAX_DEPTH`]).
    pub depth: usize,
}

impl<'a> Differ<'a> {
    pub fn new(old_root: &'a Value, new_root: &'a Value) -> Self {
        Self {
            old_root,
            new_root,
            changes: Vec::new(),
            depth: 0,
        }
    }

    /// Records a change at `place`; the message is `what`, then ` — ` and why it has its effect.
    pub fn push(&mut self, place: &Place, found: Found) {
        let Found {
            kind,
            role,
            verdict,
            what,
            old,
            new,
        } = found;
        let message = if verdict.why.is_empty() {
            what
        } else {
            format!("{what} — {}", verdict.why)
        };
        self.changes.push(Change {
            group: place.group,
            subject: place.subject.clone(),
            path: place.path.clone(),
            kind,
            role,
            rust: verdict.rust,
            wire: verdict.wire,
            message,
            old,
            new,
        });
    }
}
