//! Stage 1: extracting the OpenAPI block from a docs page, and `cargo xtask import`.

mod common;

use common::{TempProject, message};
use std::io::{Read, Write};
use std::net::TcpListener;
use xtask::manifest::Manifest;
use xtask::pipeline::import::{extract, import, import_page};

const SPEC_BLOCK: &str = "openapi: 3.1.0\ninfo:\n  title: Baseten management API\n  version: 1.0.0\npaths:\n  /v1/models/{model_id}/deployments/{deployment_id}/activate:\n    post:\n      responses:\n        '200':\n          description: ''\n\n";

/// A page shaped like Baseten's: prose, a response example fenced first, then the spec.
fn page_with_example_first() -> String {
    format!(
        "# Activate a deployment\n\n> Activates a deployment.\n\n```json Example\n{{\"openapi\": \"not this one\", \"status\": \"CANCELED\"}}\n```\n\n## OpenAPI\n\n````yaml post /v1/models/{{model_id}}/deployments/{{deployment_id}}/activate\n{SPEC_BLOCK}````"
    )
}

#[test]
fn picks_the_openapi_block_even_when_another_fence_comes_first() {
    let spec = extract(&page_with_example_first(), "cancel.md").unwrap();
    assert_eq!(
        spec.text, SPEC_BLOCK,
        "the block must be kept byte for byte"
    );
    assert_eq!(spec.first_line, 12);
    assert_eq!(
        spec.operation,
        Some((
            "post".into(),
            "/v1/models/{model_id}/deployments/{deployment_id}/activate".into()
        ))
    );
}

#[test]
fn the_seed_pages_are_imported_byte_for_byte() {
    // The committed sources were imported from these pages; re-extracting must give the same bytes.
    let project = TempProject::copy_of_project();
    let manifest = Manifest::load(&project.layout.manifest()).unwrap();
    let pages: Vec<_> = manifest
        .sources
        .iter()
        .filter(|e| e.spec.is_none())
        .collect();
    assert_eq!(pages.len(), 4);
    for entry in pages {
        let committed =
            std::fs::read_to_string(project.layout.sources_dir().join(&entry.file)).unwrap();
        assert!(committed.starts_with("openapi: 3.1.0\n"), "{}", entry.file);
        assert_eq!(
            xtask::manifest::sha256_hex(committed.as_bytes()),
            entry.sha256
        );
    }
}

#[test]
fn a_page_without_an_openapi_block_is_an_error_naming_the_page() {
    let err = extract(
        "# Title\n\n```bash\ncurl https://api.baseten.co\n```\n",
        "docs/overview.md",
    )
    .unwrap_err();
    let text = message(err);
    assert!(
        text.starts_with("docs/overview.md: no OpenAPI block found"),
        "{text}"
    );
}

#[test]
fn invalid_yaml_is_reported_with_the_page_line_and_column() {
    // The block starts on line 4 of the page; its fourth line (page line 7) is indented wrongly.
    let page = "# Page\n\n````yaml post /x\nopenapi: 3.1.0\ninfo:\n  title: x\n version: 1\npaths: {}\n````\n";
    let text = message(extract(page, "broken.md").unwrap_err());
    assert!(text.starts_with("broken.md (OpenAPI block):7:"), "{text}");
    assert!(text.contains("invalid YAML"), "{text}");
}

#[test]
fn import_writes_the_source_and_manifest_entry_named_after_the_operation() {
    let project = TempProject::copy_of_project();
    let imported = import_page(
        &project.layout,
        "pages/activate.md",
        &page_with_example_first(),
        None,
    )
    .unwrap();
    // No overlay name for this operation, so the derived name is used.
    assert_eq!(
        imported.file,
        "post_v1_models_by_model_id_deployments_by_deployment_id_activate.yaml"
    );
    assert!(imported.changed);
    let written =
        std::fs::read_to_string(project.layout.sources_dir().join(&imported.file)).unwrap();
    assert_eq!(written, SPEC_BLOCK);
    let entry = manifest_entry(&project, &imported.file);
    assert_eq!(entry.imported_from.as_deref(), Some("pages/activate.md"));
    assert_eq!(entry.url, None);
    let manifest = Manifest::load(&project.layout.manifest()).unwrap();
    // The page documents an operation already extracted from the full specification: its
    // entry is replaced, not added.
    assert_eq!(manifest.sources.len(), 183);

    // Importing the same page again changes nothing.
    let again = import_page(
        &project.layout,
        "pages/activate.md",
        &page_with_example_first(),
        None,
    )
    .unwrap();
    assert!(!again.changed);
    assert_eq!(
        Manifest::load(&project.layout.manifest())
            .unwrap()
            .sources
            .len(),
        183
    );
}

#[test]
fn import_uses_the_overlay_name_for_a_known_operation() {
    let project = TempProject::copy_of_project();
    let page = std::fs::read_to_string(
        project
            .layout
            .sources_dir()
            .join("force_roll_forward_promotion.yaml"),
    )
    .unwrap();
    let page = format!(
        "# Force roll forward\n\n````yaml post /v1/models/{{model_id}}/environments/{{env_name}}/force_roll_forward_promotion\n{page}````\n"
    );
    let imported = import_page(
        &project.layout,
        "saved.md",
        &page,
        Some("https://docs.example/x.md"),
    )
    .unwrap();
    assert_eq!(imported.file, "force_roll_forward_promotion.yaml");
    assert!(!imported.changed, "same bytes as the committed source");
    let entry = manifest_entry(&project, &imported.file);
    assert_eq!(entry.url.as_deref(), Some("https://docs.example/x.md"));
}

/// The manifest entry of `file` in a project.
fn manifest_entry(project: &TempProject, file: &str) -> xtask::manifest::SourceEntry {
    let manifest = Manifest::load(&project.layout.manifest()).unwrap();
    manifest
        .sources
        .into_iter()
        .find(|e| e.file == file)
        .expect("entry for the imported file")
}

/// Serves `body` with `status` to each of `requests` connections on 127.0.0.1.
fn serve(status: &'static str, body: String, requests: usize) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let address = listener.local_addr().unwrap();
    std::thread::spawn(move || {
        for stream in listener.incoming().take(requests) {
            let mut stream = stream.unwrap();
            let mut buffer = [0u8; 4096];
            let _ = stream.read(&mut buffer);
            let response = format!(
                "HTTP/1.1 {status}\r\ncontent-type: text/markdown\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
                body.len()
            );
            stream.write_all(response.as_bytes()).unwrap();
        }
    });
    format!("http://{address}")
}

#[test]
fn import_fetches_a_url_and_records_it() {
    let project = TempProject::copy_of_project();
    let base = serve("200 OK", page_with_example_first(), 1);
    let url = format!("{base}/reference/cancel.md");
    let imported = import(&project.layout, &url, None).unwrap();
    let entry = manifest_entry(&project, &imported.file);
    assert_eq!(entry.url.as_deref(), Some(url.as_str()));
    assert_eq!(entry.imported_from, None);
}

#[test]
fn a_page_that_cannot_be_fetched_leaves_everything_untouched() {
    let project = TempProject::copy_of_project();
    let before = std::fs::read(project.layout.manifest()).unwrap();
    let base = serve("404 Not Found", "gone".into(), 1);
    let url = format!("{base}/missing.md");
    let text = message(import(&project.layout, &url, None).unwrap_err());
    assert!(text.contains(&url) && text.contains("404"), "{text}");
    assert_eq!(std::fs::read(project.layout.manifest()).unwrap(), before);
}
