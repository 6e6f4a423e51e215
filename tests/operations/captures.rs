//! Responses shaped by Baseten's own documents as captured on 2026-06-03 and 2026-08-22 (the
//! fixtures `cargo xtask import --from-spec` reads): for every operation of this build that a
//! capture has, a mock serving that capture answers the call (its values from the capture too)
//! and the client decodes the answer whole.
//!
//! The client sends what the newest capture asks. Where an older API refused that request, the
//! refusal is listed below (a change in the list is a reviewed change), and the answer is
//! decoded from a mock that answers it anyway.

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Arc;

use baseten_mock::spec::Spec;

use crate::calls;
use crate::round_trip::{Failure, Requests, round_trip};
use crate::values::Match;

/// The captures, in the repository (tests do not read outside it).
const CAPTURES: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/xtask/tests/fixtures/full-spec"
);

/// Requests as 2026-08-22 asks them that the API of 2026-06-03 refused, and why.
const REFUSED_ON_2026_06_03: &[(&str, &str)] = &[
    (
        "create_loops_session",
        "a body was required; the newest capture takes none",
    ),
    (
        "create_model",
        "a library listing's lab was `org_foundation_name`, now `lab_display_name`",
    ),
    (
        "create_team_model",
        "a library listing's lab was `org_foundation_name`, now `lab_display_name`",
    ),
];

fn capture(name: &str) -> Arc<Spec> {
    let path = Path::new(CAPTURES).join(name);
    let text = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    Arc::new(Spec::parse(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display())))
}

/// What calling every operation of this build that capture `name` has showed.
#[derive(Debug, Default)]
struct Seen {
    /// Operations in common.
    called: usize,
    /// Operations whose request the capture's API refused, with the refusal.
    refused: BTreeMap<String, String>,
    failures: Vec<String>,
}

async fn decode_all(name: &str) -> Seen {
    let ours = Spec::embedded().expect("the mock's spec");
    let served = capture(name);
    let mut seen = Seen::default();
    for (operation_id, setters) in calls::OPERATIONS {
        let mine = ours
            .operation(operation_id)
            .unwrap_or_else(|| panic!("{operation_id}: not in the mock's spec"));
        let Some(theirs) = served.find(&mine.method, &mine.path) else {
            continue;
        };
        seen.called += 1;
        let mut requests = Requests::Checked;
        let result = loop {
            let result = round_trip(
                Some(&served),
                requests,
                &served,
                theirs,
                operation_id,
                setters,
                Match::Served,
            )
            .await;
            match result {
                Err(Failure::Refused(why)) if requests == Requests::Checked => {
                    seen.refused.insert((*operation_id).to_owned(), why);
                    requests = Requests::Answered;
                }
                result => break result,
            }
        };
        if let Err(e) = result {
            seen.failures.push(format!("{name}: {operation_id}: {e}"));
        }
    }
    seen
}

/// The listed refusals of operations in this build.
fn expected_refusals(list: &[(&str, &str)]) -> Vec<String> {
    let ours: Vec<&str> = calls::OPERATIONS.iter().map(|(id, _)| *id).collect();
    list.iter()
        .filter(|(id, _)| ours.contains(id))
        .map(|(id, _)| (*id).to_owned())
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_response_shaped_by_the_2026_06_03_capture_decodes() {
    let seen = decode_all("openapi-2026-06-03.json").await;
    assert!(seen.failures.is_empty(), "{}", seen.failures.join("\n"));
    let refused: Vec<String> = seen.refused.keys().cloned().collect();
    assert_eq!(
        refused,
        expected_refusals(REFUSED_ON_2026_06_03),
        "{:#?}",
        seen.refused
    );
    // June had the whole lifecycle; of its 150 operations, Baseten has since removed 11 (model
    // API snapshots, trainer sessions and trainers), so the whole API shares 139.
    assert!(
        seen.called >= 13,
        "only {} operations in common",
        seen.called
    );
    if cfg!(feature = "full") {
        assert_eq!(seen.called, 139);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_response_shaped_by_the_2026_08_22_capture_decodes() {
    let seen = decode_all("openapi-2026-08-22.json").await;
    assert!(seen.failures.is_empty(), "{}", seen.failures.join("\n"));
    assert!(seen.refused.is_empty(), "{:#?}", seen.refused);
    // Every operation of the crate is in the newest capture.
    assert_eq!(seen.called, calls::OPERATIONS.len());
}
