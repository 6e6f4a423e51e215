//! Stage 1 from Baseten's full specification: `cargo xtask import --from-spec`. The shape of an
//! extracted document, the components and security schemes it carries, determinism, the
//! manifest entry, the errors, and what a maintainer sees when an extracted document does not
//! merge with the committed sources.

mod common;

use common::{TempProject, full_spec, message};
use serde_json::{Value, json};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use xtask::manifest::{Manifest, Origin, sha256_hex};
use xtask::pipeline::from_spec::{Spec, extract, extract_text, parse_operation};
use xtask::pipeline::import::{import_from_parsed_spec, import_from_spec};

/// How the 2026-06-03 spec is named in messages when read from the project root.
const JUNE: &str = "xtask/tests/fixtures/full-spec/openapi-2026-06-03.json";
const AUGUST: &str = "xtask/tests/fixtures/full-spec/openapi-2026-08-22.json";

fn spec(name: &str, file: &str) -> Spec {
    Spec::parse(name, std::fs::read_to_string(full_spec(file)).unwrap()).unwrap()
}

fn june() -> Spec {
    spec(JUNE, "openapi-2026-06-03.json")
}

/// A spec written inline, as pretty JSON so that its lines mean something.
fn inline_spec(name: &str, doc: &Value) -> Spec {
    Spec::parse(name, serde_json::to_string_pretty(doc).unwrap()).unwrap()
}

fn keys(value: &Value) -> Vec<&str> {
    value
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect()
}

fn committed_source(file: &str) -> String {
    std::fs::read_to_string(common::project_openapi().join("sources").join(file)).unwrap()
}

const FORCE: &str = "/v1/models/{model_id}/environments/{env_name}/force_roll_forward_promotion";

#[test]
fn a_seed_operation_extracted_from_the_spec_is_its_docs_page_document() {
    // Baseten renders the pages from the spec: the page captured for force roll forward and the
    // 2026-06-03 spec agree on it, so the extraction must give the page's document, key order
    // included (the JSON texts compare the order).
    let extracted = extract(&june(), "post", FORCE).unwrap();
    let page = common::yaml(&committed_source("force_roll_forward_promotion.yaml"));
    assert_eq!(
        serde_json::to_string_pretty(&extracted).unwrap(),
        serde_json::to_string_pretty(&page).unwrap()
    );
}

#[test]
fn every_extracted_document_is_laid_out_like_the_seed_pages() {
    // The other three pages were captured before Baseten added properties, so their contents
    // differ a little from the spec's; their layout may not.
    let june = june();
    for (file, method, path) in [
        (
            "promote_chain_to_environment.yaml",
            "post",
            "/v1/chains/{chain_id}/environments/{env_name}/promote",
        ),
        (
            "promote_development_to_production.yaml",
            "post",
            "/v1/models/{model_id}/deployments/development/promote",
        ),
        (
            "promote_model_to_environment.yaml",
            "post",
            "/v1/models/{model_id}/environments/{env_name}/promote",
        ),
    ] {
        let extracted = extract(&june, method, path).unwrap();
        let page = common::yaml(&committed_source(file));
        assert_eq!(keys(&extracted), keys(&page), "{file}: top level");
        let item = |doc: &Value| doc["paths"][path].clone();
        assert_eq!(
            keys(&item(&extracted)),
            keys(&item(&page)),
            "{file}: path item"
        );
        // One page lacks the code samples the spec has: compare the order of what both have.
        let page_operation = keys(&item(&page)[method]).join(",");
        let in_both: Vec<String> = keys(&item(&extracted)[method])
            .into_iter()
            .filter(|k| item(&page)[method].get(*k).is_some())
            .map(str::to_string)
            .collect();
        assert_eq!(in_both.join(","), page_operation, "{file}: operation");
        assert_eq!(
            keys(&extracted["components"]),
            keys(&page["components"]),
            "{file}: component sections"
        );
        for section in ["parameters", "schemas", "securitySchemes"] {
            assert_eq!(
                keys(&extracted["components"][section]),
                keys(&page["components"][section]),
                "{file}: order of {section}"
            );
        }
    }
}

#[test]
fn an_extracted_document_under_review() {
    let text = extract_text(
        &june(),
        "post",
        "/v1/models/{model_id}/environments/{env_name}/cancel_promotion",
    )
    .unwrap();
    insta::assert_snapshot!("extracted-cancel_promotion", text);
}

#[test]
fn components_are_carried_transitively_in_the_order_they_are_reached() {
    let doc = extract(
        &june(),
        "get",
        "/v1/models/{model_id}/environments/{env_name}",
    )
    .unwrap();
    assert_eq!(
        keys(&doc["components"]["parameters"]),
        ["model_id", "env_name"]
    );
    // EnvironmentV1 → DeploymentV1, InProgressPromotionV1, … → the enums those use, breadth
    // first; nothing the operation does not reach.
    assert_eq!(
        keys(&doc["components"]["schemas"]),
        [
            "EnvironmentV1",
            "DeploymentV1",
            "InProgressPromotionV1",
            "AutoscalingSettingsV1",
            "PromotionSettingsV1",
            "InstanceTypeV1",
            "DeploymentStatusV1",
            "InProgressPromotionStatusV1",
            "PromotionCleanupStrategyV1",
            "RollingDeployConfigV1",
            "RollingDeployStrategyV1"
        ]
    );
    // Each component is the spec's, unchanged.
    let june = june();
    for (name, schema) in doc["components"]["schemas"].as_object().unwrap() {
        assert_eq!(schema, &june.doc["components"]["schemas"][name], "{name}");
    }
}

/// A small spec exercising every kind of reference: a parameter whose schema is a component, a
/// request body, a response component, a self-reference, a discriminator mapping (by pointer
/// and by bare name), a reference into a component's inside, two security requirements, and
/// components and schemes nothing reaches.
fn references_spec() -> Value {
    json!({
        "openapi": "3.1.0",
        "info": {"title": "T", "version": "1"},
        "servers": [{"url": "https://api.example"}],
        "security": [{"KeyAuth": []}],
        "tags": [{"name": "things"}],
        "paths": {
            "/things/{id}": {
                "get": {"responses": {"200": {"description": "", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Other"}}}}}},
                "parameters": [{"$ref": "#/components/parameters/id"}],
                "post": {
                    "x-codeSamples": [{"lang": "bash", "source": "curl"}],
                    "responses": {"200": {"$ref": "#/components/responses/Made"}},
                    "requestBody": {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/Thing"}}}},
                    "summary": "Make a thing",
                    "security": [{"TokenAuth": []}],
                    "tags": ["things"]
                }
            }
        },
        "components": {
            "securitySchemes": {
                "Unused": {"type": "http", "scheme": "basic"},
                "TokenAuth": {"type": "http", "scheme": "bearer"},
                "KeyAuth": {"type": "apiKey", "in": "header", "name": "Authorization"}
            },
            "responses": {
                "Made": {"description": "", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Made"}}}}
            },
            "schemas": {
                "Unused": {"type": "string"},
                "Other": {"type": "string"},
                "Made": {"type": "object", "properties": {
                    "thing": {"$ref": "#/components/schemas/Thing"},
                    "size": {"$ref": "#/components/schemas/Box/properties/size"}
                }},
                "Thing": {"type": "object", "properties": {
                    "parent": {"anyOf": [{"$ref": "#/components/schemas/Thing"}, {"type": "null"}]},
                    "pet": {
                        "oneOf": [{"$ref": "#/components/schemas/Cat"}],
                        "discriminator": {"propertyName": "kind", "mapping": {"cat": "#/components/schemas/Cat", "dog": "Dog"}}
                    }
                }},
                "Cat": {"type": "object"},
                "Dog": {"type": "object"},
                "Box": {"type": "object", "properties": {"size": {"type": "integer"}}},
                "Id": {"type": "string"}
            },
            "parameters": {
                "id": {"name": "id", "in": "path", "required": true, "schema": {"$ref": "#/components/schemas/Id"}},
                "unused": {"name": "q", "in": "query", "schema": {"type": "string"}}
            }
        }
    })
}

#[test]
fn every_kind_of_reference_is_followed_and_nothing_else_is_carried() {
    let doc = extract(
        &inline_spec("things.json", &references_spec()),
        "post",
        "/things/{id}",
    )
    .unwrap();
    // `tags` describe the whole API; the pages leave them out.
    assert_eq!(
        keys(&doc),
        [
            "openapi",
            "info",
            "servers",
            "security",
            "paths",
            "components"
        ]
    );
    // The path's GET is another page's operation.
    assert_eq!(keys(&doc["paths"]["/things/{id}"]), ["parameters", "post"]);
    assert_eq!(
        keys(&doc["paths"]["/things/{id}"]["post"]),
        [
            "tags",
            "summary",
            "requestBody",
            "responses",
            "security",
            "x-codeSamples"
        ]
    );
    assert_eq!(
        keys(&doc["components"]),
        ["parameters", "schemas", "responses", "securitySchemes"]
    );
    assert_eq!(keys(&doc["components"]["parameters"]), ["id"]);
    assert_eq!(
        keys(&doc["components"]["schemas"]),
        ["Thing", "Id", "Cat", "Dog", "Made", "Box"],
        "the parameter's schema, the mapping's targets, and a whole component for a reference \
         into it; not `Other` (the GET's) nor `Unused`"
    );
    assert_eq!(keys(&doc["components"]["responses"]), ["Made"]);
}

#[test]
fn the_security_schemes_are_those_the_requirements_name() {
    let doc = extract(
        &inline_spec("things.json", &references_spec()),
        "post",
        "/things/{id}",
    )
    .unwrap();
    // The document's requirement and the operation's; not `Unused`.
    assert_eq!(
        keys(&doc["components"]["securitySchemes"]),
        ["KeyAuth", "TokenAuth"]
    );

    // Baseten's: `ApiKeyAuth` in June, `BearerAuth` from August on.
    let june = extract(&june(), "post", FORCE).unwrap();
    assert_eq!(june["security"], json!([{"ApiKeyAuth": []}]));
    assert_eq!(keys(&june["components"]["securitySchemes"]), ["ApiKeyAuth"]);
    let august = extract(&spec(AUGUST, "openapi-2026-08-22.json"), "post", FORCE).unwrap();
    assert_eq!(august["security"], json!([{"BearerAuth": []}]));
    assert_eq!(
        keys(&august["components"]["securitySchemes"]),
        ["BearerAuth"]
    );
}

#[test]
fn extraction_is_deterministic() {
    let path = "/v1/chains/{chain_id}/environments/{env_name}";
    let june = june();
    let first = extract_text(&june, "get", path).unwrap();
    assert_eq!(extract_text(&june, "get", path).unwrap(), first);
    // The same spec as YAML, parsed by the other parser: the same bytes.
    let yaml = xtask::document::to_yaml(&june.doc, "").unwrap();
    let from_yaml = Spec::parse("spec.yaml", yaml).unwrap();
    assert_eq!(extract_text(&from_yaml, "get", path).unwrap(), first);
}

#[test]
fn the_committed_extractions_are_what_the_recorded_spec_gives() {
    // `check` guards the bytes of the sources by their sha256; this proves the committed
    // extractions are what the spec the manifest names gives, from the fixture it names.
    let manifest =
        Manifest::load(&common::project_openapi().join("sources/manifest.yaml")).unwrap();
    let specs = [
        (JUNE, june()),
        (AUGUST, spec(AUGUST, "openapi-2026-08-22.json")),
    ];
    let mut count = 0;
    for entry in &manifest.sources {
        let Origin::Spec {
            spec, spec_sha256, ..
        } = entry.origin()
        else {
            continue;
        };
        let (_, named) = specs
            .iter()
            .find(|(file, _)| *file == spec)
            .unwrap_or_else(|| panic!("{}: an unknown spec {spec}", entry.file));
        assert_eq!(spec_sha256, named.sha256, "{}", entry.file);
        let (method, path) = entry.operation.split_once(' ').unwrap();
        assert_eq!(
            extract_text(named, method, path).unwrap(),
            committed_source(&entry.file),
            "{}",
            entry.file
        );
        count += 1;
    }
    // Every operation of the newest spec but the four the seed pages bring.
    assert_eq!(count, 179);
}

/// A temporary project holding a copy of the June spec, as a maintainer would keep a saved one.
fn project_with_saved_spec() -> (TempProject, PathBuf) {
    let project = TempProject::copy_of_project();
    let saved = project.path("saved/openapi-2026-06-03.json");
    std::fs::create_dir_all(saved.parent().unwrap()).unwrap();
    std::fs::copy(full_spec("openapi-2026-06-03.json"), &saved).unwrap();
    (project, saved)
}

fn entry(project: &TempProject, file: &str) -> xtask::manifest::SourceEntry {
    Manifest::load(&project.layout.manifest())
        .unwrap()
        .sources
        .into_iter()
        .find(|e| e.file == file)
        .unwrap_or_else(|| panic!("no manifest entry for {file}"))
}

#[test]
fn the_manifest_records_the_spec_its_checksum_and_the_operation() {
    let (project, saved) = project_with_saved_spec();
    let imported = import_from_spec(
        &project.layout,
        saved.to_str().unwrap(),
        &["get /v1/models/{model_id}".into()],
        Some("Baseten's spec as of 2026-06-03"),
    )
    .unwrap();
    assert_eq!(imported.len(), 1);
    // No overlay name yet: the derived one.
    assert_eq!(imported[0].file, "get_v1_models_by_model_id.yaml");
    assert_eq!(imported[0].operation, "get /v1/models/{model_id}");
    assert!(imported[0].changed);

    let written = std::fs::read(project.layout.sources_dir().join(&imported[0].file)).unwrap();
    let entry = entry(&project, &imported[0].file);
    assert_eq!(entry.operation, "get /v1/models/{model_id}");
    // Inside the project: recorded from its root, whatever directory the import ran in.
    assert_eq!(entry.spec.as_deref(), Some("saved/openapi-2026-06-03.json"));
    assert_eq!(
        entry.spec_sha256.as_deref(),
        Some(sha256_hex(&std::fs::read(&saved).unwrap()).as_str())
    );
    assert_eq!(
        entry.spec_origin.as_deref(),
        Some("Baseten's spec as of 2026-06-03")
    );
    assert_eq!(entry.sha256, sha256_hex(&written));
    assert_eq!((entry.url, entry.imported_from), (None, None));
    let manifest = std::fs::read_to_string(project.layout.manifest()).unwrap();
    assert!(
        manifest.contains(
            "- file: get_v1_models_by_model_id.yaml\n  operation: get /v1/models/{model_id}\n  \
             spec: saved/openapi-2026-06-03.json\n  spec_origin: Baseten's spec as of 2026-06-03\n  \
             spec_sha256: 33c658fd51aac714af7657dabbfa2687c51778ef02b4d12251ba36b6d29ae615\n  \
             sha256: "
        ),
        "{manifest}"
    );
    // What was written is a source like the others: the pipeline takes it.
    xtask::pipeline::run(&project.layout).unwrap();

    // Again, without the note: nothing changes, and the note on that same file is kept.
    let again = import_from_spec(
        &project.layout,
        saved.to_str().unwrap(),
        &["GET /v1/models/{model_id}".into()],
        None,
    )
    .unwrap();
    assert!(!again[0].changed);
    assert_eq!(
        std::fs::read_to_string(project.layout.manifest()).unwrap(),
        manifest
    );
}

#[test]
fn importing_in_any_order_writes_the_same_files() {
    let operations = [
        "GET /v1/models/{model_id}",
        "POST /v1/models/{model_id}/environments/{env_name}/pause_promotion",
        "GET /v1/chains/{chain_id}",
    ];
    let mut results = Vec::new();
    for order in [[0, 1, 2], [2, 0, 1]] {
        let (project, saved) = project_with_saved_spec();
        let wanted: Vec<String> = order.iter().map(|&i| operations[i].to_string()).collect();
        import_from_spec(&project.layout, saved.to_str().unwrap(), &wanted, None).unwrap();
        results.push(files(&project.layout.sources_dir()));
    }
    assert_eq!(results[0], results[1]);
}

fn files(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    std::fs::read_dir(dir)
        .unwrap()
        .flatten()
        .map(|e| {
            (
                e.file_name().to_string_lossy().into_owned(),
                std::fs::read(e.path()).unwrap(),
            )
        })
        .collect()
}

/// Every file of a project, to prove an import that failed changed none.
fn all_files(project: &TempProject) -> BTreeMap<PathBuf, Vec<u8>> {
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
    walk(project.dir.path(), &mut out);
    out
}

#[test]
fn an_unknown_operation_lists_the_nearest_ones() {
    let june = june();
    let text = message(extract(&june, "get", "/v1/models/{model_id}/environment").unwrap_err());
    assert!(
        text.starts_with(&format!(
            "{JUNE}: the spec has no operation `GET /v1/models/{{model_id}}/environment`; the \
             nearest of its 150 operations: `GET /v1/models/{{model_id}}/environments`, "
        )),
        "{text}"
    );
    // A path the spec has, with a method it does not.
    let text = message(extract(&june, "delete", "/v1/models/{model_id}/environments").unwrap_err());
    assert!(
        text.contains(
            "no operation `DELETE /v1/models/{model_id}/environments` \
             (`/v1/models/{model_id}/environments` has GET, POST only); the nearest"
        ),
        "{text}"
    );
}

#[test]
fn references_that_do_not_resolve_are_each_named_with_their_line() {
    let mut doc = references_spec();
    let made = &mut doc["components"]["schemas"]["Made"]["properties"];
    made["missing"] = json!({"$ref": "#/components/schemas/Missing"});
    made["inside"] = json!({"$ref": "#/components/schemas/Box/properties/nope"});
    made["remote"] = json!({"$ref": "https://example.com/schemas.json#/Thing"});
    made["elsewhere"] = json!({"$ref": "#/paths/~1things~1{id}/get"});
    doc["paths"]["/things/{id}"]["post"]["security"] = json!([{"NoSuchAuth": []}]);
    let spec = inline_spec("things.json", &doc);
    let line = |needle: &str| {
        spec.text
            .lines()
            .position(|l| l.contains(needle))
            .unwrap_or_else(|| panic!("{needle} is in the spec"))
            + 1
    };
    let text = message(extract(&spec, "post", "/things/{id}").unwrap_err());
    let expected = format!(
        "`POST /things/{{id}}` cannot be extracted from things.json (5 problems):\n  \
         - things.json:{}: the security requirement at /paths/~1things~1{{id}}/post/security/0 \
         names `NoSuchAuth`, which /components/securitySchemes does not define\n  \
         - things.json:{}: `$ref: #/components/schemas/Missing` at \
         /components/schemas/Made/properties/missing/$ref does not resolve: the spec defines no \
         component `schemas/Missing` (needed by `POST /things/{{id}}`)\n  \
         - things.json:{}: `$ref: #/components/schemas/Box/properties/nope` at \
         /components/schemas/Made/properties/inside/$ref does not resolve: component \
         `schemas/Box` has nothing at /components/schemas/Box/properties/nope (needed by \
         `POST /things/{{id}}`)\n  \
         - things.json:{}: `$ref: https://example.com/schemas.json#/Thing` at \
         /components/schemas/Made/properties/remote/$ref is not a local reference (only \
         `#/components/…` is supported) (needed by `POST /things/{{id}}`)\n  \
         - things.json:{}: `$ref: #/paths/~1things~1{{id}}/get` at \
         /components/schemas/Made/properties/elsewhere/$ref points outside /components; a \
         single-operation document carries only components (needed by `POST /things/{{id}}`)",
        line("NoSuchAuth"),
        line("#/components/schemas/Missing"),
        line("properties/nope"),
        line("https://example.com"),
        line("#/paths/"),
    );
    assert_eq!(text, expected);
}

#[test]
fn an_unreadable_or_invalid_spec_is_named() {
    let text = message(Spec::read("no/such/spec.json").unwrap_err());
    assert!(
        text.starts_with("cannot read the spec no/such/spec.json: "),
        "{text}"
    );

    let text = message(
        Spec::parse(
            "broken.json",
            "{\n  \"openapi\": \"3.1.0\",\n  paths: {}\n}\n".into(),
        )
        .unwrap_err(),
    );
    assert_eq!(text, "broken.json:3:3: invalid JSON: key must be a string");

    let text = message(
        Spec::parse("old.json", r#"{"openapi": "3.0.3", "paths": {}}"#.into()).unwrap_err(),
    );
    assert!(
        text.starts_with("old.json: not an OpenAPI 3.1 document (`openapi` is String(\"3.0.3\"))"),
        "{text}"
    );
}

#[test]
fn an_operation_is_written_as_method_and_path() {
    assert_eq!(
        parse_operation("get /v1/models").unwrap(),
        ("get".to_string(), "/v1/models".to_string())
    );
    assert_eq!(
        parse_operation("POST /v1/models/{model_id}").unwrap(),
        ("post".to_string(), "/v1/models/{model_id}".to_string())
    );
    for bad in [
        "GET",
        "/v1/models",
        "FETCH /v1/models",
        "GET v1/models",
        "GET /a /b",
    ] {
        let text = message(parse_operation(bad).unwrap_err());
        assert!(
            text.starts_with(&format!("`{bad}` is not an operation: write it as")),
            "{text}"
        );
    }
}

#[test]
fn an_import_with_one_bad_operation_writes_nothing() {
    let (project, saved) = project_with_saved_spec();
    let before = all_files(&project);
    let text = message(
        import_from_spec(
            &project.layout,
            saved.to_str().unwrap(),
            &[
                "GET /v1/models/{model_id}".into(),
                "GET /v1/models/{model_id}/nope".into(),
            ],
            None,
        )
        .unwrap_err(),
    );
    assert!(
        text.contains("the spec has no operation `GET /v1/models/{model_id}/nope`")
            && text.ends_with("; no file was written"),
        "{text}"
    );
    assert_eq!(all_files(&project), before);
}

#[test]
fn an_operation_from_an_older_spec_that_does_not_merge_is_refused_with_both_sources_named() {
    // June's spec gives `max_scale_down_rate` as a `number`, August's (committed) as an
    // `integer`: a type is not a property, so June's `get_deployment` cannot replace August's.
    let project = TempProject::copy_of_project();
    let before = all_files(&project);
    let err = import_from_parsed_spec(
        &project.layout,
        &june(),
        JUNE,
        &[(
            "get".into(),
            "/v1/models/{model_id}/deployments/{deployment_id}".into(),
        )],
        None,
    )
    .unwrap_err();
    let text = message(err);
    insta::assert_snapshot!("disagreement-june-get_deployment", text);
    assert!(
        text.starts_with(&format!(
            "the documents extracted from {JUNE} for \
             `GET /v1/models/{{model_id}}/deployments/{{deployment_id}}` do not merge with the \
             committed sources in openapi/sources; no file was written: "
        )),
        "{text}"
    );
    for part in [
        "component `schemas/AutoscalingSettingsV1` differs between ",
        "/max_scale_down_rate/anyOf/0/type: ",
        "copies may differ only in their properties",
    ] {
        assert!(text.contains(part), "{part}\n  not in\n{text}");
    }
    assert_eq!(all_files(&project), before, "no file was written");
}

#[test]
fn a_manifest_entry_mixing_a_page_and_a_spec_is_refused_with_its_line() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("manifest.yaml");
    for (entry, problem) in [
        (
            "  url: https://docs.baseten.co/x.md\n  spec: spec.json\n  spec_sha256: ab\n",
            "has both `spec` and a page's `url`/`imported_from`",
        ),
        ("  spec: spec.json\n", "has `spec` but no `spec_sha256`"),
        (
            "  spec_origin: somewhere\n",
            "has `spec_sha256` or `spec_origin` but no `spec`",
        ),
    ] {
        std::fs::write(
            &path,
            format!(
                "sources:\n- file: a.yaml\n  operation: get /a\n  sha256: ab\n- file: b.yaml\n  \
                 operation: get /b\n{entry}  sha256: cd\n"
            ),
        )
        .unwrap();
        let text = message(Manifest::load(&path).unwrap_err());
        assert!(
            text.starts_with(&format!(
                "{}:5: invalid manifest: the entry for b.yaml {problem}",
                path.display()
            )),
            "{text}"
        );
    }
}
