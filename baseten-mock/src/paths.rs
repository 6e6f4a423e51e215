//! Matching request paths against the spec's path templates (`/v1/models/{model_id}`).
//!
//! The router does this itself rather than registering a route per template: axum panics on
//! templates it considers conflicting, and a served document is input that must not make the
//! mock panic. A literal segment wins over a parameter (`/deployments/development` over
//! `/deployments/{deployment_id}`), as OpenAPI says; among equals, the document's first.

use std::collections::BTreeMap;

use percent_encoding::percent_decode_str;

/// Path parameters by name, percent-decoded.
pub(crate) type Params = BTreeMap<String, String>;

/// The templates to match, in the document's order.
#[derive(Debug, Clone)]
pub(crate) struct Templates {
    templates: Vec<Vec<Segment>>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Segment {
    Literal(String),
    Parameter(String),
}

impl Templates {
    pub(crate) fn new<'a>(templates: impl IntoIterator<Item = &'a str>) -> Self {
        Self {
            templates: templates.into_iter().map(parse).collect(),
        }
    }

    /// The index (in the order given) of the template `path` matches best, with its
    /// parameters; `None` if none matches (or a parameter is not valid UTF-8 once decoded).
    pub(crate) fn find(&self, path: &str) -> Option<(usize, Params)> {
        let segments: Vec<&str> = split(path).collect();
        let mut best: Option<(usize, Vec<bool>)> = None;
        for (index, template) in self.templates.iter().enumerate() {
            if template.len() != segments.len() {
                continue;
            }
            let mut literal = Vec::with_capacity(template.len());
            let matches = template.iter().zip(&segments).all(|(t, s)| match t {
                Segment::Literal(text) => {
                    literal.push(true);
                    text == s
                }
                Segment::Parameter(_) => {
                    literal.push(false);
                    !s.is_empty()
                }
            });
            // `true > false`: more literal segments, earlier, is the more specific template.
            if matches && best.as_ref().is_none_or(|(_, b)| literal > *b) {
                best = Some((index, literal));
            }
        }
        let (index, _) = best?;
        let mut params = Params::new();
        for (t, s) in self.templates[index].iter().zip(&segments) {
            if let Segment::Parameter(name) = t {
                let value = percent_decode_str(s).decode_utf8().ok()?;
                params.insert(name.clone(), value.into_owned());
            }
        }
        Some((index, params))
    }
}

fn split(path: &str) -> impl Iterator<Item = &str> {
    path.strip_prefix('/').unwrap_or(path).split('/')
}

fn parse(template: &str) -> Vec<Segment> {
    split(template)
        .map(
            |segment| match segment.strip_prefix('{').and_then(|s| s.strip_suffix('}')) {
                Some(name) => Segment::Parameter(name.to_owned()),
                None => Segment::Literal(segment.to_owned()),
            },
        )
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn literals_win_over_parameters_and_parameters_are_decoded() {
        let t = Templates::new([
            "/v1/models/{model_id}/deployments/{deployment_id}",
            "/v1/models/{model_id}/deployments/development",
            "/v1/models/{model_id}",
        ]);
        assert_eq!(t.find("/v1/models/m/deployments/development").unwrap().0, 1);
        let (index, params) = t.find("/v1/models/m%20x/deployments/d1").unwrap();
        assert_eq!(index, 0);
        assert_eq!(params["model_id"], "m x");
        assert_eq!(params["deployment_id"], "d1");
        assert_eq!(t.find("/v1/models/m").unwrap().0, 2);
        assert!(
            t.find("/v1/models/").is_none(),
            "an empty parameter matches nothing"
        );
        assert!(t.find("/v1/models/m/other").is_none());
        assert!(t.find("/v1/models/%FF").is_none(), "not UTF-8");
    }
}
