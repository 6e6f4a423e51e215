//! `cargo xtask`: see `cargo xtask --help`.

use anyhow::Result;
use clap::{Parser, Subcommand};
use std::process::ExitCode;
use xtask::layout::Layout;
use xtask::{commands, pipeline};

#[derive(Parser)]
#[command(name = "cargo xtask", about = "The baseten-api spec pipeline")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Import the OpenAPI document of a Baseten docs page (a `.md` file or URL) into openapi/sources/.
    Import {
        /// Path or http(s) URL of the page(s).
        #[arg(required = true)]
        pages: Vec<String>,
        /// The page's docs.baseten.co `.md` URL, recorded in the manifest (one page only).
        #[arg(long)]
        url: Option<String>,
    },
    /// sources → merge → overlay → validate → openapi/baseten.yaml → openapi/baseten-3.0.json.
    Generate,
    /// Fail with a diff when a committed generated file is not what `generate` would write.
    Check,
}

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
        Command::Import { pages, url } => {
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
        Command::Generate => {
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
    }
    Ok(ExitCode::SUCCESS)
}
