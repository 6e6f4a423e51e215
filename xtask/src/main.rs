//! `cargo xtask`: see `cargo xtask --help`.

use anyhow::Result;
use clap::{Parser, Subcommand};
use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;
use xtask::layout::Layout;
use xtask::{commands, diff, pipeline, update};

#[derive(Parser)]
#[command(name = "cargo xtask", about = "The baseten-api spec pipeline")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Import the OpenAPI document of a Baseten docs page (a `.md` file or URL) into openapi/sources/.
    ///
    /// With --from-spec, extract operations from Baseten's full specification instead:
    /// `cargo xtask import --from-spec <file | URL> 'GET /v1/models/{model_id}/environments/{env_name}'`.
    Import {
        /// Path or http(s) URL of the page(s); with --from-spec, the operations to extract, each
        /// one quoted argument '<METHOD> <path>'.
        #[arg(required = true, value_name = "PAGE | OPERATION")]
        pages: Vec<String>,
        /// The page's docs.baseten.co `.md` URL, recorded in the manifest (one page only).
        #[arg(long, conflicts_with = "from_spec")]
        url: Option<String>,
        /// Extract each operation from this full OpenAPI specification (a file, or an http(s)
        /// URL such as https://api.baseten.co/v1/spec) into a single-operation document shaped
        /// like a docs page's. The manifest records the spec's location and SHA-256; `update`
        /// fetches a spec recorded by URL again.
        #[arg(long, value_name = "FILE | URL")]
        from_spec: Option<String>,
        /// With --from-spec from a file: where that file was published, in words, recorded in
        /// the manifest for people (e.g. "Baseten's spec, https://api.baseten.co/v1/spec, as of
        /// 2026-06-03").
        #[arg(long, requires = "from_spec")]
        spec_origin: Option<String>,
    },
    /// sources → merge → overlay → validate → openapi/baseten.yaml → openapi/baseten-3.0.json,
    /// and baseten-mock/spec/baseten.yaml (a copy of openapi/baseten.yaml the mock embeds).
    ///
    /// With --spec, runs the same stages on one complete OpenAPI 3.1 document (Baseten's full
    /// specification) and writes both products to --out-dir instead.
    Generate {
        /// A complete OpenAPI 3.1 document to use instead of openapi/sources/.
        #[arg(long, requires = "out_dir")]
        spec: Option<PathBuf>,
        /// Where --spec writes baseten.yaml and baseten-3.0.json.
        #[arg(long, requires = "spec")]
        out_dir: Option<PathBuf>,
        /// An overlay for --spec (default: none, so every operation gets a derived name).
        #[arg(long, requires = "spec")]
        overlay: Option<PathBuf>,
    },
    /// Fail with a diff when a committed generated file is not what `generate` would write.
    Check,
    /// Fetch every source page again from its manifest URL, regenerate, show the semantic diff
    /// against the committed spec, write the files, and run the tests so that changed
    /// snapshots wait in `*.snap.new` files for `cargo insta review`.
    ///
    /// All or nothing: if any page cannot be fetched or parsed, no file changes.
    Update {
        /// Fetch from this origin instead of the manifest URLs' (`http://127.0.0.1:8000`): the
        /// path of each URL is kept. For a mirror, or a local server in tests. Also read from
        /// $XTASK_DOCS_BASE_URL.
        #[arg(long, env = "XTASK_DOCS_BASE_URL")]
        base_url: Option<String>,
        /// Do not run `cargo test --workspace` afterwards.
        #[arg(long)]
        no_test: bool,
    },
    /// What changed between two versions of the spec, and whether it breaks users.
    ///
    /// Each spec is a file or a git revision `REV:path` (e.g. `HEAD:openapi/baseten.yaml`).
    /// Exit status: 0; with --fail-on-breaking, 2 when a change breaks the Rust API or old
    /// clients on the wire; 1 on error.
    Diff {
        /// The old spec: a file, or `REV:path`.
        old: String,
        /// The new spec: a file, or `REV:path`.
        new: String,
        /// `text` (grouped by operation and schema) or `json` (shape documented in `xtask::diff`).
        #[arg(long, value_enum, default_value_t = Format::Text)]
        format: Format,
        /// Exit with status 2 when any change is breaking (for the Rust API or on the wire).
        #[arg(long)]
        fail_on_breaking: bool,
    },
}

#[derive(Clone, Copy, clap::ValueEnum)]
enum Format {
    Text,
    Json,
}

/// Exit status of `diff --fail-on-breaking` when it finds a breaking change (1 is an error).
const BREAKING_FOUND: u8 = 2;

fn main() -> ExitCode {
    match run(Cli::parse()) {
        Ok(code) => code,
        Err(err) => {
            eprintln!("error: {err:#}");
            ExitCode::FAILURE
        }
    }
}

fn run(cli: Cli) -> Result<ExitCode> {
    let layout = Layout::workspace();
    match cli.command {
        Command::Import {
            pages: operations,
            from_spec: Some(spec),
            spec_origin,
            ..
        } => {
            let imported = pipeline::import::import_from_spec(
                &layout,
                &spec,
                &operations,
                spec_origin.as_deref(),
            )?;
            for one in &imported {
                let state = if one.changed { "written" } else { "unchanged" };
                println!("{}: {} ({state})", one.file, one.operation);
            }
            println!("next: `cargo xtask generate`");
        }
        Command::Import { pages, url, .. } => {
            if url.is_some() && pages.len() > 1 {
                anyhow::bail!("--url names one page's address; import pages one at a time with it");
            }
            for page in &pages {
                let imported = pipeline::import::import(&layout, page, url.as_deref())?;
                let state = if imported.changed {
                    "written"
                } else {
                    "unchanged"
                };
                println!("{}: {} ({state})", imported.file, imported.operation);
            }
            println!("next: `cargo xtask generate`");
        }
        Command::Generate {
            spec: Some(spec),
            out_dir: Some(out_dir),
            overlay,
        } => {
            let started = Instant::now();
            let generated = commands::generate_from_spec(&spec, overlay.as_deref(), &out_dir)?;
            eprintln!(
                "{} note(s) from the pipeline, in notes.txt",
                generated.notes
            );
            for (file, bytes) in &generated.written {
                println!("wrote {file} ({bytes} bytes)");
            }
            println!(
                "{} operations in {} ms",
                generated.operations,
                started.elapsed().as_millis()
            );
        }
        Command::Generate { .. } => {
            let (notes, written) = commands::generate(&layout)?;
            for note in notes {
                eprintln!("note: {note}");
            }
            if written.is_empty() {
                println!("generated files are up to date");
            }
            for file in written {
                println!("wrote {file}");
            }
        }
        Command::Check => {
            let stale = commands::check(&layout)?;
            if !stale.is_empty() {
                for s in &stale {
                    eprintln!("{}", s.diff);
                }
                let files: Vec<&str> = stale.iter().map(|s| s.file.as_str()).collect();
                eprintln!(
                    "error: stale generated file(s): {}; run `cargo xtask generate`",
                    files.join(", ")
                );
                return Ok(ExitCode::FAILURE);
            }
            println!("generated files are fresh");
        }
        Command::Update { base_url, no_test } => {
            let updated = update::update(&layout, base_url.as_deref())?;
            for spec in &updated.specs {
                println!(
                    "fetched spec {} from {} once for {} source(s)",
                    spec.url, spec.from, spec.sources
                );
            }
            for page in &updated.pages {
                match page {
                    update::Page::Fetched {
                        file,
                        from,
                        changed,
                        ..
                    } => {
                        let state = if *changed { "changed" } else { "unchanged" };
                        println!("fetched {file} from {from} ({state})");
                    }
                    update::Page::Extracted {
                        file,
                        operation,
                        spec,
                        changed,
                        ..
                    } => {
                        let state = if *changed { "changed" } else { "unchanged" };
                        println!("extracted {file} ({operation}) from {spec} ({state})");
                    }
                    update::Page::Skipped { file, reason } => {
                        println!("skipped {file}: {reason}");
                    }
                }
            }
            println!();
            emit(&diff::render::text(&updated.report))?;
            if updated.written.is_empty() {
                println!("\nnothing to write: the committed files are up to date");
                return Ok(ExitCode::SUCCESS);
            }
            for file in &updated.written {
                println!("wrote {file}");
            }
            if no_test {
                println!("next: `cargo test --workspace`, then `cargo insta review`");
                return Ok(ExitCode::SUCCESS);
            }
            println!("\nrunning `cargo test --workspace` to collect changed snapshots…");
            let tests = commands::test_for_snapshots(&layout)?;
            for pending in &tests.pending {
                println!("pending snapshot: {pending}");
            }
            if !tests.pending.is_empty() {
                println!("review them with `cargo insta review` (cargo install cargo-insta)");
            }
            if !tests.passed {
                eprintln!("error: tests other than snapshots failed; see above");
                return Ok(ExitCode::FAILURE);
            }
        }
        Command::Diff {
            old,
            new,
            format,
            fail_on_breaking,
        } => {
            let old_doc = diff::input::load(&old, layout.root())?;
            let new_doc = diff::input::load(&new, layout.root())?;
            let report = diff::diff(&old_doc, &new_doc, &old, &new);
            emit(&match format {
                Format::Text => diff::render::text(&report),
                Format::Json => diff::render::json(&report),
            })?;
            if fail_on_breaking && report.has_breaking() {
                return Ok(ExitCode::from(BREAKING_FOUND));
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// Prints to stdout; a closed pipe (`| head`) ends the output quietly instead of panicking.
fn emit(text: &str) -> Result<()> {
    match std::io::stdout().lock().write_all(text.as_bytes()) {
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => Err(e.into()),
        _ => Ok(()),
    }
}
