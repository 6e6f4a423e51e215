//! `cargo xtask update` against a local server playing docs.baseten.co (and api.baseten.co for
//! the full specification): changed sources are written with the diff reported; any source
//! that fails leaves every file as it was.

mod common;

use common::{TempProject, message};
use std::collections::{BTreeMap, HashMap};
use std::io::{BufRead, BufReader, Write};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use xtask::diff::{Effect, Kind};
use xtask::manifest::Manifest;
use xtask::update::{Page, rebase, update};

const FORCE: &str = "/reference/management-api/deployments/promote/force-roll-forward-promotion.md";
const CHAIN: &str = "/reference/management-api/deployments/promote/promotes-a-chain-deployment-to-an-environment.md";
const MODEL: &str =
    "/reference/management-api/deployments/promote/promotes-a-deployment-to-an-environment.md";

/// Serves `routes` (path → status line and body) on 127.0.0.1 until the test ends; any other
/// path is a 404.
fn serve(routes: HashMap<&'static str, (&'static str, String)>) -> String {
    serve_logged(routes).0
}

/// [`serve`], also returning the path of every request received, in order.
fn serve_logged(
    routes: HashMap<&'static str, (&'static str, String)>,
) -> (String, Arc<Mutex<Vec<String>>>) {
    let log = Arc::new(Mutex::new(Vec::new()));
    let requests = Arc::clone(&log);
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let address = listener.local_addr().unwrap();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { return };
            let mut request_line = String::new();
            let mut reader = BufReader::new(stream.try_clone().unwrap());
            if reader.read_line(&mut request_line).is_err() {
                continue;
            }
            // Drain the headers so the client sees a clean response.
            let mut line = String::new();
            while reader.read_line(&mut line).is_ok_and(|n| n > 2) {
                line.clear();
            }
            let path = request_line.split_whitespace().nth(1).unwrap_or("");
            requests.lock().unwrap().push(path.to_string());
            let (status, body) = routes
                .get(path)
                .cloned()
                .unwrap_or(("404 Not Found", "not found".into()));
            let response = format!(
                "HTTP/1.1 {status}\r\ncontent-type: text/markdown\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
                body.len()
            );
            let _ = stream.write_all(response.as_bytes());
        }
    });
    (format!("http://{address}"), log)
}

/// A docs page as Baseten serves it, around a source document.
fn page(title: &str, operation: &str, source: &str) -> String {
    format!("# {title}\n\n> Description.\n\n## OpenAPI\n\n````yaml {operation}\n{source}````\n")
}

fn source(project: &TempProject, file: &str) -> String {
    std::fs::read_to_string(project.layout.sources_dir().join(file)).unwrap()
}

const FORCE_OP: &str =
    "post /v1/models/{model_id}/environments/{env_name}/force_roll_forward_promotion";

/// The three pages with a URL in the manifest, as committed; `force` replaces the first.
fn pages(project: &TempProject, force: String) -> HashMap<&'static str, (&'static str, String)> {
    HashMap::from([
        (FORCE, ("200 OK", force)),
        (
            CHAIN,
            (
                "200 OK",
                page(
                    "Promote chain",
                    "post /v1/chains/{chain_id}/environments/{env_name}/promote",
                    &source(project, "promote_chain_to_environment.yaml"),
                ),
            ),
        ),
        (
            MODEL,
            (
                "200 OK",
                page(
                    "Promote",
                    "post /v1/models/{model_id}/environments/{env_name}/promote",
                    &source(project, "promote_model_to_environment.yaml"),
                ),
            ),
        ),
    ])
}

/// The force-roll-forward source as Baseten might publish it next: a new optional response
/// field and a new required query parameter.
fn changed_force_source(project: &TempProject) -> String {
    let text = source(project, "force_roll_forward_promotion.yaml");
    let changed = text
        .replace(
            "    post:\n      summary:",
            "    post:\n      parameters:\n        - {name: dry_run, in: query, required: true, schema: {type: boolean}}\n      summary:",
        )
        .replace(
            "      properties:\n        success:",
            "      properties:\n        message:\n          type: string\n        success:",
        );
    assert_ne!(changed, text, "the fixture edit applies");
    changed
}

/// Every file of the project (`openapi/` and the mock's spec copy), to prove nothing changed.
fn files(root: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
    fn walk(dir: &Path, out: &mut BTreeMap<PathBuf, Vec<u8>>) {
        for entry in std::fs::read_dir(dir).unwrap().flatten() {
            let path = entry.path();
            if path.is_dir() {
                walk(&path, out);
            } else {
                out.insert(path.clone(), std::fs::read(&path).unwrap());
            }
        }
    }
    let mut out = BTreeMap::new();
    // The whole project: `openapi/` and the mock's spec copy.
    walk(root, &mut out);
    out
}

#[test]
fn changed_pages_are_written_and_the_diff_reported() {
    let project = TempProject::copy_of_project();
    let new_source = changed_force_source(&project);
    let base = serve(pages(
        &project,
        page("Force roll forward", FORCE_OP, &new_source),
    ));

    let updated = update(&project.layout, Some(&base)).unwrap();

    let fetched: Vec<(&str, bool)> = updated
        .pages
        .iter()
        .filter_map(|p| match p {
            Page::Fetched { file, changed, .. } => Some((file.as_str(), *changed)),
            Page::Extracted { .. } | Page::Skipped { .. } => None,
        })
        .collect();
    assert_eq!(
        fetched,
        [
            ("openapi/sources/force_roll_forward_promotion.yaml", true),
            ("openapi/sources/promote_chain_to_environment.yaml", false),
            ("openapi/sources/promote_model_to_environment.yaml", false),
        ]
    );
    let skipped: Vec<(&str, &str)> = updated
        .pages
        .iter()
        .filter_map(|p| match p {
            Page::Skipped { file, reason } => Some((file.as_str(), reason.as_str())),
            _ => None,
        })
        .collect();
    // The page saved without its URL, and the 179 operations extracted from a spec file.
    assert_eq!(skipped.len(), 180, "{skipped:?}");
    assert!(
        skipped.iter().any(|(file, reason)| *file
            == "openapi/sources/promote_development_to_production.yaml"
            && reason.starts_with("the manifest records no URL for it")),
        "{skipped:?}"
    );
    assert!(
        skipped.iter().any(|(file, reason)| *file == "openapi/sources/get_deployment.yaml"
            && reason.starts_with(
                "extracted from the spec file xtask/tests/fixtures/full-spec/openapi-2026-08-22.json \
                 (Baseten's full management API specification, https://api.baseten.co/v1/spec, as \
                 published on 2026-08-22), which `update` cannot fetch again; kept as committed"
            )),
        "{skipped:?}"
    );
    assert!(updated.specs.is_empty(), "no spec is recorded by URL");

    let report = &updated.report;
    let subject = "POST /v1/models/{model_id}/environments/{env_name}/force_roll_forward_promotion";
    let dry_run = report.find(subject, "parameter `dry_run` (query)")[0];
    assert_eq!(
        (dry_run.kind, dry_run.rust, dry_run.wire),
        (Kind::ParameterAdded, Effect::Breaking, Effect::Breaking)
    );
    let added = report.find("SignalPromotionResponseV1", "message")[0];
    assert_eq!(
        (added.kind, added.rust, added.wire),
        (Kind::PropertyAdded, Effect::Compatible, Effect::Compatible)
    );

    assert_eq!(
        updated.written,
        [
            "openapi/sources/force_roll_forward_promotion.yaml",
            "openapi/sources/manifest.yaml",
            "openapi/baseten.yaml",
            "openapi/baseten-3.0.json",
            "baseten-mock/spec/baseten.yaml"
        ]
    );
    assert_eq!(
        source(&project, "force_roll_forward_promotion.yaml"),
        new_source
    );
    let manifest = Manifest::load(&project.layout.manifest()).unwrap();
    let entry = manifest
        .sources
        .iter()
        .find(|e| e.file == "force_roll_forward_promotion.yaml")
        .unwrap();
    assert_eq!(
        entry.sha256,
        xtask::manifest::sha256_hex(new_source.as_bytes())
    );
    assert_eq!(entry.imported_from, None, "it now comes from its URL");
    assert!(
        entry
            .url
            .as_deref()
            .unwrap()
            .starts_with("https://docs.baseten.co/"),
        "the manifest keeps the real URL, not the test server's"
    );
    // What was written is exactly what `generate` makes of the new sources.
    assert!(xtask::commands::check(&project.layout).unwrap().is_empty());
    assert!(
        std::fs::read_to_string(project.layout.derived())
            .unwrap()
            .contains("\"dry_run\"")
    );

    // Fetching the same pages again changes nothing.
    let again = update(&project.layout, Some(&base)).unwrap();
    assert!(again.written.is_empty(), "{:?}", again.written);
    assert!(again.report.changes.is_empty());
}

#[test]
fn unchanged_pages_write_nothing() {
    let project = TempProject::copy_of_project();
    let force = page(
        "Force roll forward",
        FORCE_OP,
        &source(&project, "force_roll_forward_promotion.yaml"),
    );
    let base = serve(pages(&project, force));
    let before = files(project.dir.path());
    let updated = update(&project.layout, Some(&base)).unwrap();
    assert!(updated.written.is_empty(), "{:?}", updated.written);
    assert!(updated.report.changes.is_empty());
    assert_eq!(files(project.dir.path()), before);
}

#[test]
fn a_page_that_cannot_be_fetched_changes_no_file_and_is_named() {
    let project = TempProject::copy_of_project();
    let mut routes = pages(
        &project,
        page("F", FORCE_OP, &changed_force_source(&project)),
    );
    routes.insert(MODEL, ("404 Not Found", "gone".into()));
    let base = serve(routes);
    let before = files(project.dir.path());

    let text = message(update(&project.layout, Some(&base)).unwrap_err());
    assert!(
        text.starts_with("1 source(s) could not be used; no file was changed"),
        "{text}"
    );
    assert!(
        text.contains(&format!(
            "page https://docs.baseten.co{MODEL} (fetched from {base}{MODEL}) for openapi/sources/promote_model_to_environment.yaml: cannot fetch {base}{MODEL}: HTTP 404"
        )),
        "{text}"
    );
    assert_eq!(files(project.dir.path()), before);
}

#[test]
fn pages_that_no_longer_parse_change_no_file_and_each_is_named_with_why() {
    let project = TempProject::copy_of_project();
    let mut routes = pages(
        &project,
        page("F", FORCE_OP, &changed_force_source(&project)),
    );
    // Broken YAML: the block starts on page line 8; the unclosed list runs to its end.
    routes.insert(
        CHAIN,
        (
            "200 OK",
            page(
                "Chain",
                "post /v1/chains/{chain_id}/environments/{env_name}/promote",
                "openapi: 3.1.0\ninfo:\n  title: [unclosed\n",
            ),
        ),
    );
    // A page that lost its OpenAPI block.
    routes.insert(MODEL, ("200 OK", "# Promote\n\nMoved.\n".into()));
    let base = serve(routes);
    let before = files(project.dir.path());

    let text = message(update(&project.layout, Some(&base)).unwrap_err());
    assert!(text.starts_with("2 source(s) could not be used"), "{text}");
    assert!(
        text.contains(&format!(
            "for openapi/sources/promote_chain_to_environment.yaml: https://docs.baseten.co{CHAIN} (OpenAPI block):11:"
        )) && text.contains("invalid YAML"),
        "{text}"
    );
    assert!(
        text.contains(&format!(
            "for openapi/sources/promote_model_to_environment.yaml: https://docs.baseten.co{MODEL}: no OpenAPI block found"
        )),
        "{text}"
    );
    assert_eq!(files(project.dir.path()), before);
}

#[test]
fn a_page_that_now_documents_another_operation_is_refused() {
    let project = TempProject::copy_of_project();
    let moved = source(&project, "force_roll_forward_promotion.yaml")
        .replace("/force_roll_forward_promotion:", "/roll_forward:");
    let base = serve(pages(
        &project,
        page(
            "F",
            "post /v1/models/{model_id}/environments/{env_name}/roll_forward",
            &moved,
        ),
    ));
    let before = files(project.dir.path());
    let text = message(update(&project.layout, Some(&base)).unwrap_err());
    assert!(
        text.contains("the page now documents `post /v1/models/{model_id}/environments/{env_name}/roll_forward`, not `post /v1/models/{model_id}/environments/{env_name}/force_roll_forward_promotion`"),
        "{text}"
    );
    assert_eq!(files(project.dir.path()), before);
}

#[test]
fn pages_that_do_not_merge_change_no_file() {
    let project = TempProject::copy_of_project();
    // One page's copy of a shared component now differs in a way the merge cannot reconcile.
    let conflicting = source(&project, "promote_model_to_environment.yaml").replace(
        "          description: Unique identifier of the deployment\n",
        "          description: Unique identifier of the deployment\n          format: uuid\n",
    );
    assert_ne!(
        conflicting,
        source(&project, "promote_model_to_environment.yaml")
    );
    let mut routes = pages(
        &project,
        page("F", FORCE_OP, &changed_force_source(&project)),
    );
    routes.insert(
        MODEL,
        (
            "200 OK",
            page(
                "Promote",
                "post /v1/models/{model_id}/environments/{env_name}/promote",
                &conflicting,
            ),
        ),
    );
    let base = serve(routes);
    let before = files(project.dir.path());
    let text = message(update(&project.layout, Some(&base)).unwrap_err());
    assert!(
        text.starts_with(
            "the fetched sources do not make a valid spec; no file was changed: component \
             `schemas/DeploymentV1` differs between"
        ),
        "{text}"
    );
    assert_eq!(files(project.dir.path()), before);
}

#[test]
fn the_base_url_replaces_the_origin_and_keeps_the_path() {
    assert_eq!(
        rebase(
            "https://docs.baseten.co/reference/x.md",
            "http://127.0.0.1:8000"
        ),
        "http://127.0.0.1:8000/reference/x.md"
    );
    assert_eq!(
        rebase(
            "https://docs.baseten.co/reference/x.md?a=1",
            "https://mirror.example/docs/"
        ),
        "https://mirror.example/docs/reference/x.md?a=1"
    );
}

/// Where Baseten serves its full specification; the path the local server answers on.
const SPEC_URL: &str = "https://api.baseten.co/v1/spec";
const SPEC: &str = "/v1/spec";

/// The project's 179 spec-sourced entries as if imported from Baseten's URL rather than from
/// the fixture file (`import --from-spec https://api.baseten.co/v1/spec …`): what `update`
/// can fetch again. Returns how many entries changed.
fn record_spec_url(project: &TempProject) -> usize {
    let mut manifest = Manifest::load(&project.layout.manifest()).unwrap();
    let mut count = 0;
    for entry in &mut manifest.sources {
        if entry.spec.is_some() {
            entry.spec = Some(SPEC_URL.into());
            entry.spec_origin = None;
            count += 1;
        }
    }
    std::fs::write(project.layout.manifest(), manifest.render().unwrap()).unwrap();
    count
}

/// The 2026-08-22 spec, the one the committed sources were extracted from, with `edit`
/// applied, as pretty JSON.
fn august_spec(edit: impl FnOnce(&mut serde_json::Value)) -> String {
    let text = std::fs::read_to_string(common::full_spec("openapi-2026-08-22.json")).unwrap();
    let mut doc: serde_json::Value = serde_json::from_str(&text).unwrap();
    edit(&mut doc);
    serde_json::to_string_pretty(&doc).unwrap()
}

/// The pages as committed, and `spec` at /v1/spec.
fn routes_with_spec(
    project: &TempProject,
    spec: (&'static str, String),
) -> HashMap<&'static str, (&'static str, String)> {
    let force = page(
        "Force roll forward",
        FORCE_OP,
        &source(project, "force_roll_forward_promotion.yaml"),
    );
    let mut routes = pages(project, force);
    routes.insert(SPEC, spec);
    routes
}

const CANCEL_OP: &str = "post /v1/models/{model_id}/environments/{env_name}/cancel_promotion";

#[test]
fn spec_sourced_operations_are_extracted_again_from_one_fetch_of_the_spec() {
    let project = TempProject::copy_of_project();
    assert_eq!(record_spec_url(&project), 179);
    // Baseten adds an optional field to the cancel response; nothing else changes.
    let spec = august_spec(|doc| {
        doc["components"]["schemas"]["CancelPromotionResponseV1"]["properties"]["reason"] =
            serde_json::json!({"type": "string", "description": "Why it was canceled"});
    });
    let (base, requests) = serve_logged(routes_with_spec(&project, ("200 OK", spec.clone())));

    let updated = update(&project.layout, Some(&base)).unwrap();

    assert_eq!(
        requests
            .lock()
            .unwrap()
            .iter()
            .filter(|p| *p == SPEC)
            .count(),
        1,
        "one fetch of the spec for the 179 sources"
    );
    assert_eq!(
        updated.specs,
        [xtask::update::FetchedSpec {
            url: SPEC_URL.into(),
            from: format!("{base}{SPEC}"),
            sources: 179
        }]
    );
    let extracted: Vec<(&str, bool)> = updated
        .pages
        .iter()
        .filter_map(|p| match p {
            Page::Extracted {
                file,
                spec,
                from,
                changed,
                ..
            } => {
                assert_eq!(
                    (spec.as_str(), from.as_str()),
                    (SPEC_URL, &*format!("{base}{SPEC}"))
                );
                Some((file.as_str(), *changed))
            }
            _ => None,
        })
        .collect();
    assert_eq!(extracted.len(), 179);
    let changed: Vec<&str> = extracted
        .iter()
        .filter(|(_, c)| *c)
        .map(|(f, _)| *f)
        .collect();
    assert_eq!(changed, ["openapi/sources/cancel_promotion.yaml"]);

    let added = updated.report.find("CancelPromotionResponseV1", "reason")[0];
    assert_eq!(
        (added.kind, added.rust, added.wire),
        (Kind::PropertyAdded, Effect::Compatible, Effect::Compatible)
    );
    assert_eq!(
        updated.written,
        [
            "openapi/sources/cancel_promotion.yaml",
            "openapi/sources/manifest.yaml",
            "openapi/baseten.yaml",
            "openapi/baseten-3.0.json",
            "baseten-mock/spec/baseten.yaml"
        ]
    );
    let manifest = Manifest::load(&project.layout.manifest()).unwrap();
    let spec_sha = xtask::manifest::sha256_hex(spec.as_bytes());
    for entry in manifest.sources.iter().filter(|e| e.spec.is_some()) {
        assert_eq!(
            entry.spec.as_deref(),
            Some(SPEC_URL),
            "the real URL is kept"
        );
        assert_eq!(
            entry.spec_sha256.as_deref(),
            Some(spec_sha.as_str()),
            "{}: the spec it was checked against",
            entry.file
        );
        assert_eq!(
            entry.sha256,
            xtask::manifest::sha256_hex(source(&project, &entry.file).as_bytes()),
            "{}",
            entry.file
        );
    }
    let cancel = manifest
        .sources
        .iter()
        .find(|e| e.operation == CANCEL_OP)
        .unwrap();
    assert!(source(&project, &cancel.file).contains("Why it was canceled"));
    assert!(xtask::commands::check(&project.layout).unwrap().is_empty());

    // The same spec again: nothing to write.
    let again = update(&project.layout, Some(&base)).unwrap();
    assert!(again.written.is_empty(), "{:?}", again.written);
}

#[test]
fn a_spec_that_lost_an_operation_changes_no_file_and_names_the_source() {
    let project = TempProject::copy_of_project();
    record_spec_url(&project);
    let spec = august_spec(|doc| {
        doc["paths"]
            .as_object_mut()
            .unwrap()
            .shift_remove("/v1/models/{model_id}/environments/{env_name}/pause_promotion");
    });
    let base = serve(routes_with_spec(&project, ("200 OK", spec)));
    let before = files(project.dir.path());

    let text = message(update(&project.layout, Some(&base)).unwrap_err());
    assert!(
        text.starts_with("1 source(s) could not be used; no file was changed"),
        "{text}"
    );
    assert!(
        text.contains(
            "spec https://api.baseten.co/v1/spec for openapi/sources/pause_promotion.yaml \
             (`POST /v1/models/{model_id}/environments/{env_name}/pause_promotion`): \
             https://api.baseten.co/v1/spec: the spec has no operation \
             `POST /v1/models/{model_id}/environments/{env_name}/pause_promotion`; the nearest"
        ),
        "{text}"
    );
    assert_eq!(files(project.dir.path()), before);
}

#[test]
fn a_spec_that_cannot_be_fetched_is_reported_once_for_all_its_sources() {
    let project = TempProject::copy_of_project();
    record_spec_url(&project);
    let (base, requests) = serve_logged(routes_with_spec(
        &project,
        ("503 Service Unavailable", "down".into()),
    ));
    let before = files(project.dir.path());

    let text = message(update(&project.layout, Some(&base)).unwrap_err());
    assert!(
        text.starts_with("1 source(s) could not be used; no file was changed"),
        "{text}"
    );
    assert!(
        text.contains(&format!("spec {SPEC_URL} (fetched from {base}{SPEC}) for "))
            && text.contains("openapi/sources/cancel_promotion.yaml, ")
            && text.contains("openapi/sources/get_v1_api_keys.yaml, ")
            && text.ends_with(&format!(
                "cannot fetch {base}{SPEC}: HTTP 503 Service Unavailable"
            )),
        "{text}"
    );
    assert_eq!(
        requests
            .lock()
            .unwrap()
            .iter()
            .filter(|p| *p == SPEC)
            .count(),
        1
    );
    assert_eq!(files(project.dir.path()), before);
}

#[test]
fn a_newer_spec_that_no_longer_merges_with_the_pages_changes_no_file() {
    // A newer spec, served as the current one: its operations extract fine, but it retypes
    // `DeploymentV1.id`, which the pages give as a string: a type is not united.
    let project = TempProject::copy_of_project();
    record_spec_url(&project);
    let newer = august_spec(|doc| {
        doc["components"]["schemas"]["DeploymentV1"]["properties"]["id"]["type"] =
            serde_json::json!("integer");
    });
    let base = serve(routes_with_spec(&project, ("200 OK", newer)));
    let before = files(project.dir.path());

    let text = message(update(&project.layout, Some(&base)).unwrap_err());
    assert!(
        text.starts_with("the fetched sources do not make a valid spec; no file was changed: "),
        "{text}"
    );
    assert!(
        text.contains("component `schemas/DeploymentV1` differs between ")
            && text.contains(
                "(first difference at /components/schemas/DeploymentV1/properties/id/type: "
            ),
        "{text}"
    );
    assert_eq!(files(project.dir.path()), before);
}

#[test]
fn a_spec_recorded_as_a_file_is_kept_as_committed() {
    // The committed manifest names the fixture file: `update` says it cannot fetch it, and
    // fetches nothing for those sources.
    let project = TempProject::copy_of_project();
    let force = page(
        "Force roll forward",
        FORCE_OP,
        &source(&project, "force_roll_forward_promotion.yaml"),
    );
    let (base, requests) = serve_logged(pages(&project, force));
    let updated = update(&project.layout, Some(&base)).unwrap();
    assert!(updated.written.is_empty());
    assert!(!requests.lock().unwrap().iter().any(|p| p == SPEC));
    let reason = updated
        .pages
        .iter()
        .find_map(|p| match p {
            Page::Skipped { file, reason } if file == "openapi/sources/cancel_promotion.yaml" => {
                Some(reason.clone())
            }
            _ => None,
        })
        .unwrap();
    assert_eq!(
        reason,
        "extracted from the spec file xtask/tests/fixtures/full-spec/openapi-2026-08-22.json \
         (Baseten's full management API specification, https://api.baseten.co/v1/spec, as \
         published on 2026-08-22), which `update` cannot fetch again; kept as committed. To \
         refresh it, extract it from a newer spec: `cargo xtask import --from-spec <file | URL> \
         'POST /v1/models/{model_id}/environments/{env_name}/cancel_promotion'`"
    );
}
