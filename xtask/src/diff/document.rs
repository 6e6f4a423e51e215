//! Comparing what applies to the whole document: authentication and servers.

use super::change::{Effect, Group, Kind, Verdict};
use super::differ::{Differ, Found, Place};
use serde_json::Value;

use Effect::{Behavior, Breaking, Compatible};

impl Differ<'_> {
    pub fn compare_document(&mut self) {
        let (old, new) = (self.old_root, self.new_root);
        let place = Place::new(Group::Security, "security");
        if old.get("security") != new.get("security") {
            self.push(
                &place,
                Found {
                    kind: Kind::SecurityChanged,
                    role: None,
                    verdict: Verdict::new(
                        Compatible,
                        Breaking,
                        "an old client authenticates as the old document says; check that the \
                         server still accepts it, and the hand-written auth in src/",
                    ),
                    what: format!(
                        "requirement changed from {} to {}",
                        names(old.get("security")),
                        names(new.get("security"))
                    ),
                    old: old.get("security").cloned(),
                    new: new.get("security").cloned(),
                },
            );
        }
        let schemes = |doc: &Value| {
            doc.pointer("/components/securitySchemes")
                .and_then(Value::as_object)
                .cloned()
                .unwrap_or_default()
        };
        let (old_schemes, new_schemes) = (schemes(old), schemes(new));
        for (name, o) in &old_schemes {
            let at = Place::new(Group::Security, format!("scheme {name}"));
            match new_schemes.get(name) {
                None => self.push(
                    &at,
                    Found {
                        kind: Kind::SecuritySchemeRemoved,
                        role: None,
                        verdict: Verdict::new(
                            Compatible,
                            Breaking,
                            "an old client may still authenticate with it",
                        ),
                        what: format!("removed ({})", scheme_summary(o)),
                        old: Some(o.clone()),
                        new: None,
                    },
                ),
                Some(n) if without_description(o) != without_description(n) => self.push(
                    &at,
                    Found {
                        kind: Kind::SecuritySchemeChanged,
                        role: None,
                        verdict: Verdict::new(
                            Compatible,
                            Breaking,
                            "an old client authenticates the old way",
                        ),
                        what: format!(
                            "changed from {} to {}",
                            scheme_summary(o),
                            scheme_summary(n)
                        ),
                        old: Some(o.clone()),
                        new: Some(n.clone()),
                    },
                ),
                Some(_) => {}
            }
        }
        for (name, n) in &new_schemes {
            if !old_schemes.contains_key(name) {
                self.push(
                    &Place::new(Group::Security, format!("scheme {name}")),
                    Found {
                        kind: Kind::SecuritySchemeAdded,
                        role: None,
                        verdict: Verdict::compatible(""),
                        what: format!("added ({})", scheme_summary(n)),
                        old: None,
                        new: Some(n.clone()),
                    },
                );
            }
        }
        if old.get("servers") != new.get("servers") {
            self.push(
                &Place::new(Group::Document, "servers"),
                Found {
                    kind: Kind::ServersChanged,
                    role: None,
                    verdict: Verdict::new(
                        Behavior,
                        Compatible,
                        "the documented base URL changed; the crate's default may need to follow",
                    ),
                    what: "changed".into(),
                    old: old.get("servers").cloned(),
                    new: new.get("servers").cloned(),
                },
            );
        }
    }
}

/// `ApiKeyAuth` for `[{ApiKeyAuth: []}]`; alternatives joined by ` or `.
fn names(security: Option<&Value>) -> String {
    let alternatives: Vec<String> = security
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .map(|requirement| {
            requirement
                .as_object()
                .map(|m| m.keys().cloned().collect::<Vec<_>>().join(" + "))
                .unwrap_or_default()
        })
        .collect();
    if alternatives.is_empty() {
        "none".into()
    } else {
        alternatives.join(" or ")
    }
}

/// `apiKey in header Authorization`, `http bearer`.
fn scheme_summary(scheme: &Value) -> String {
    let field = |k: &str| scheme.get(k).and_then(Value::as_str).unwrap_or("");
    match field("type") {
        "apiKey" => format!("apiKey in {} `{}`", field("in"), field("name")),
        "http" => format!("http {}", field("scheme")),
        other => other.to_string(),
    }
}

fn without_description(scheme: &Value) -> Value {
    let mut scheme = scheme.clone();
    if let Some(map) = scheme.as_object_mut() {
        map.shift_remove("description");
    }
    scheme
}
