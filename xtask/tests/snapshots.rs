//! The pipeline's products for the project's own sources, under review by insta: a change to a
//! source page, the overlay or the pipeline fails here until a person accepts the new snapshot.

mod common;

#[test]
fn merged_and_derived_specs() {
    let project = common::TempProject::copy_of_project();
    let outputs = xtask::pipeline::run(&project.layout).unwrap();
    insta::assert_snapshot!("baseten.yaml", outputs.merged);
    insta::assert_snapshot!("baseten-3.0.json", outputs.derived);
    insta::assert_snapshot!("pipeline-notes", outputs.notes.join("\n"));
}
