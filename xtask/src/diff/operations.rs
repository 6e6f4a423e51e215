//! Comparing operations: added and removed, renamed Rust methods, parameters, request bodies and
//! responses (whose schemas are compared by [`super::schemas`]).

use super::change::{Effect, Group, Kind, Role, Verdict};
use super::differ::{Differ, Found, Place};
use super::model::{Operation, Parameter, media_schemas};
use super::schemas::found;
use serde_json::{Value, json};
use std::collections::BTreeMap;

use Effect::{Breaking, Compatible};

/// A change that concerns no schema (so has no role).
fn plain(kind: Kind, verdict: Verdict, what: impl Into<String>) -> Found {
    Found {
        kind,
        role: None,
        verdict,
        what: what.into(),
        old: None,
        new: None,
    }
}

impl Differ<'_> {
    pub fn compare_operations(&mut self, old_ops: &[Operation], new_ops: &[Operation]) {
        for new in new_ops {
            let place = Place::new(Group::Operation, new.label());
            match old_ops.iter().find(|o| o.key() == new.key()) {
                Some(old) => self.compare_operation(&place, old, new),
                None => self.push(
                    &place,
                    Found {
                        new: Some(json!(new.id)),
                        ..plain(
                            Kind::OperationAdded,
                            Verdict::compatible(""),
                            format!("added (method `{}`)", new.id),
                        )
                    },
                ),
            }
        }
        for old in old_ops {
            if !new_ops.iter().any(|n| n.key() == old.key()) {
                self.push(
                    &Place::new(Group::Operation, old.label()),
                    Found {
                        old: Some(json!(old.id)),
                        ..plain(
                            Kind::OperationRemoved,
                            Verdict::new(
                                Breaking,
                                Breaking,
                                "its method is gone, and the server no longer answers an old \
                                 client's call",
                            ),
                            format!("removed (method `{}`)", old.id),
                        )
                    },
                );
            }
        }
    }

    fn compare_operation(&mut self, place: &Place, old: &Operation, new: &Operation) {
        if old.id != new.id {
            self.push(
                place,
                Found {
                    old: Some(json!(old.id)),
                    new: Some(json!(new.id)),
                    ..plain(
                        Kind::OperationRenamed,
                        Verdict::new(Breaking, Compatible, "callers must use the new name"),
                        format!("method `{}` renamed to `{}`", old.id, new.id),
                    )
                },
            );
        }
        // Path parameters are matched by position: `{id}` → `{model_id}` is a rename.
        let mut renamed: BTreeMap<String, String> = BTreeMap::new();
        for (a, b) in old
            .path_parameter_names()
            .into_iter()
            .zip(new.path_parameter_names())
        {
            if a != b {
                self.push(
                    &place.child(&format!("parameter `{b}` (path)")),
                    plain(
                        Kind::ParameterRenamed,
                        Verdict::new(
                            Breaking,
                            Compatible,
                            "its builder method is renamed; the URL is the same",
                        ),
                        format!("renamed from `{a}`"),
                    ),
                );
                renamed.insert(a, b);
            }
        }
        self.compare_parameters(place, old, new, &renamed);
        self.compare_request_body(place, old.request_body.as_ref(), new.request_body.as_ref());
        self.compare_responses(place, old, new);
        if old.security != new.security {
            self.push(
                place,
                Found {
                    old: old.security.clone(),
                    new: new.security.clone(),
                    ..plain(
                        Kind::SecurityChanged,
                        Verdict::new(
                            Compatible,
                            Breaking,
                            "an old client may authenticate in a way the server no longer \
                             accepts; authentication is in the hand-written layer",
                        ),
                        "security requirements changed",
                    )
                },
            );
        }
    }

    fn compare_parameters(
        &mut self,
        place: &Place,
        old: &Operation,
        new: &Operation,
        renamed: &BTreeMap<String, String>,
    ) {
        let name_in_new = |p: &Parameter| match (p.location.as_str(), renamed.get(&p.name)) {
            ("path", Some(to)) => to.clone(),
            _ => p.name.clone(),
        };
        for o in &old.parameters {
            let name = name_in_new(o);
            let at = place.child(&format!("parameter `{name}` ({})", o.location));
            let Some(n) = new
                .parameters
                .iter()
                .find(|n| n.location == o.location && n.name == name)
            else {
                let wire = if o.location == "path" {
                    Breaking
                } else {
                    Compatible
                };
                self.push(
                    &at,
                    plain(
                        Kind::ParameterRemoved,
                        Verdict::new(
                            Breaking,
                            wire,
                            "its builder method is gone; the server ignores it from an old client",
                        ),
                        "removed",
                    ),
                );
                continue;
            };
            if o.required != n.required {
                let (kind, verdict, what) = if n.required {
                    (
                        Kind::BecameRequired,
                        Verdict::new(
                            Breaking,
                            Breaking,
                            "calls that leave it unset fail, and the server refuses an old \
                             client that omits it",
                        ),
                        "became required",
                    )
                } else {
                    (
                        Kind::BecameOptional,
                        Verdict::compatible(""),
                        "became optional",
                    )
                };
                self.push(&at, plain(kind, verdict, what));
            }
            self.compare_schema(&at, Role::Request, &o.schema, &n.schema, None);
        }
        for n in &new.parameters {
            let matched = old
                .parameters
                .iter()
                .any(|o| o.location == n.location && name_in_new(o) == n.name);
            if matched {
                continue;
            }
            let verdict = if n.required {
                Verdict::new(
                    Breaking,
                    Breaking,
                    "calls must now set it, and an old client does not send it",
                )
            } else {
                Verdict::compatible("")
            };
            let what = if n.required {
                "added, required"
            } else {
                "added, optional"
            };
            self.push(
                &place.child(&format!("parameter `{}` ({})", n.name, n.location)),
                plain(Kind::ParameterAdded, verdict, what),
            );
        }
    }

    fn compare_request_body(&mut self, place: &Place, old: Option<&Value>, new: Option<&Value>) {
        let at = place.child("request body");
        let required = |b: &Value| b.get("required") == Some(&Value::Bool(true));
        match (old, new) {
            (None, None) => {}
            (None, Some(n)) => {
                let verdict = if required(n) {
                    Verdict::new(
                        Breaking,
                        Breaking,
                        "calls must now pass a body, and an old client sends none",
                    )
                } else {
                    Verdict::compatible("")
                };
                self.push(&at, plain(Kind::RequestBodyAdded, verdict, "added"));
            }
            (Some(_), None) => self.push(
                &at,
                plain(
                    Kind::RequestBodyRemoved,
                    Verdict::new(
                        Breaking,
                        Compatible,
                        "the builder's `body` is gone; the server ignores a body it does not read",
                    ),
                    "removed",
                ),
            ),
            (Some(o), Some(n)) => {
                if required(o) != required(n) {
                    let (kind, verdict, what) = if required(n) {
                        (
                            Kind::BecameRequired,
                            Verdict::new(
                                Breaking,
                                Breaking,
                                "calls without a body fail, and the server refuses an old client \
                                 that sends none",
                            ),
                            "became required",
                        )
                    } else {
                        (
                            Kind::BecameOptional,
                            Verdict::compatible(""),
                            "became optional",
                        )
                    };
                    self.push(&at, plain(kind, verdict, what));
                }
                self.compare_media(&at, Role::Request, o, n);
            }
        }
    }

    fn compare_responses(&mut self, place: &Place, old: &Operation, new: &Operation) {
        let has_schema = |r: &Value| !media_schemas(r).is_empty();
        for (status, o) in &old.responses {
            let at = place.child(&format!("response {status}"));
            match new.responses.get(status) {
                Some(n) => self.compare_media(&at, Role::Response, o, n),
                None => {
                    let rust = if status.starts_with('2') || has_schema(o) {
                        Breaking
                    } else {
                        Compatible
                    };
                    self.push(
                        &at,
                        plain(
                            Kind::ResponseRemoved,
                            Verdict::new(rust, Compatible, "the method's result type changes"),
                            "removed",
                        ),
                    );
                }
            }
        }
        for (status, n) in &new.responses {
            if old.responses.contains_key(status) {
                continue;
            }
            let verdict = if status.starts_with('2') {
                Verdict::new(
                    Breaking,
                    Breaking,
                    "an old client treats a status it was not generated for as unexpected",
                )
            } else if has_schema(n) {
                Verdict::new(Breaking, Compatible, "the method's error type changes")
            } else {
                Verdict::compatible("")
            };
            self.push(
                &place.child(&format!("response {status}")),
                plain(Kind::ResponseAdded, verdict, "added"),
            );
        }
    }

    /// Compares the media types of a request body or response and their schemas.
    fn compare_media(&mut self, at: &Place, role: Role, old: &Value, new: &Value) {
        let old_media = media_schemas(old);
        let new_media = media_schemas(new);
        let label = |media: &str, all: &[(String, Value)]| {
            if all.len() > 1 {
                at.child(media)
            } else {
                at.clone()
            }
        };
        for (media, o) in &old_media {
            match new_media.iter().find(|(m, _)| m == media) {
                Some((_, n)) => {
                    let place = label(media, &new_media);
                    self.compare_schema(&place, role, o, n, None);
                }
                None => self.push(
                    at,
                    found(
                        Kind::MediaTypeRemoved,
                        role,
                        Verdict::new(
                            Breaking,
                            Breaking,
                            "the generated code and an old client use it",
                        ),
                        &format!("media type `{media}` removed"),
                    ),
                ),
            }
        }
        for (media, _) in &new_media {
            if !old_media.iter().any(|(m, _)| m == media) {
                self.push(
                    at,
                    found(
                        Kind::MediaTypeAdded,
                        role,
                        Verdict::compatible(""),
                        &format!("media type `{media}` added"),
                    ),
                );
            }
        }
    }
}
