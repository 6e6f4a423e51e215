//! The command line: subcommands, flags and the help text (exit codes included).

use std::path::PathBuf;
use std::time::Duration;

use clap::{Args, Parser, Subcommand, ValueEnum};

/// The exit codes as `--help` lists them; `exit.rs` holds the values, a test checks both agree.
pub(crate) const EXIT_CODES_HELP: &str = "\
Exit codes:
  0    done (a wait: the promotion succeeded, the deployment is ready)
  2    usage or configuration error (bad flag, no API key, bad URL)
  3    authentication refused (401/403): check the API key and --auth-scheme
  4    not found (404): the model, chain, environment or deployment does not exist
  5    refused by the API (400/409/422), e.g. a promotion already in progress
  6    server or transport error after retries (5xx, 429, timeout, connection)
  7    the wait timed out (--timeout); the promotion goes on
  8    the promotion or deployment failed, or a check (--check) failed
  9    the promotion was canceled or rolled back, or another deployment is current
  10   the environment was deleted during the wait (its promotion was canceled with it)
  11   internal error: a bug in baseten-deploy (please report it)
  130  interrupted (Ctrl-C / SIGINT): waiting stopped; nothing was canceled
  143  terminated (SIGTERM, a CI runner stopping the job): as 130

Environment:
  BASETEN_API_KEY      the API key (or --api-key-file); never passed as a flag
  BASETEN_API_URL      the API's base URL (default https://api.baseten.co)
  BASETEN_AUTH_SCHEME  Api-Key (default) or Bearer
  GITHUB_STEP_SUMMARY  when set (GitHub Actions), a Markdown summary is appended to it";

/// Promote, watch, pause, resume, cancel and force Baseten deployments from CI.
///
/// Every command prints one line per event on stdout (or, with `--output json`, one JSON
/// document on stdout and the events on stderr) and ends with an exit code that says how it
/// ended. Waiting never cancels anything: Ctrl-C stops the wait, the promotion goes on.
#[derive(Debug, Parser)]
#[command(name = "baseten-deploy", version, after_help = EXIT_CODES_HELP)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,

    #[command(flatten)]
    pub global: GlobalArgs,
}

/// Flags every command takes.
#[derive(Debug, Args)]
pub struct GlobalArgs {
    /// Read the API key from this file (its first line). Default: BASETEN_API_KEY.
    #[arg(long, global = true, value_name = "FILE")]
    pub api_key_file: Option<PathBuf>,

    /// The API's base URL. Default: BASETEN_API_URL, else `https://api.baseten.co`.
    #[arg(long, global = true, value_name = "URL")]
    pub api_url: Option<String>,

    /// How the key is sent: `Api-Key` or `Bearer`. Default: BASETEN_AUTH_SCHEME, else Api-Key.
    #[arg(long, global = true, value_name = "SCHEME")]
    pub auth_scheme: Option<String>,

    /// How long each attempt to connect may take before it counts as a connection never made
    /// (and is retried, as refused connections are).
    #[arg(long, global = true, value_name = "DURATION", value_parser = parse_duration, default_value = "10s")]
    pub connect_timeout: Duration,

    /// `text`: a line per event; `json`: one JSON document on stdout, events on stderr;
    /// `jsonl`: a JSON line per event on stdout, the document last.
    #[arg(long, global = true, value_enum, default_value_t = OutputFormat::Text)]
    pub output: OutputFormat,

    /// More logs on stderr: -v requests, -vv and -vvv more detail. The API key is never shown.
    #[arg(short, long, global = true, action = clap::ArgAction::Count)]
    pub verbose: u8,
}

/// What stdout carries.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum OutputFormat {
    /// Readable lines.
    Text,
    /// One JSON document (schema in baseten-deploy/README.md).
    Json,
    /// One JSON object per line as the command goes (requests, retries, progress), the final
    /// document as the last line.
    Jsonl,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Promote a model deployment to an environment.
    Promote {
        #[command(flatten)]
        target: ModelEnv,
        /// The deployment to promote.
        #[arg(long, value_name = "ID")]
        deployment: String,
        /// Keep the previous deployment's replicas up after the promotion.
        #[arg(long)]
        no_scale_down: bool,
        /// Use the deployment's own instance type instead of the environment's.
        #[arg(long)]
        no_preserve_instance_type: bool,
        #[command(flatten)]
        wait: WaitArgs,
        #[command(flatten)]
        check: CheckArgs,
    },
    /// Promote a chain deployment to an environment.
    PromoteChain {
        /// The chain's id.
        #[arg(long, value_name = "ID")]
        chain: String,
        /// The environment, e.g. production.
        #[arg(long, value_name = "NAME")]
        env: String,
        /// The chain deployment to promote.
        #[arg(long, value_name = "ID")]
        deployment: String,
        #[command(flatten)]
        wait: WaitArgs,
    },
    /// Build a new production deployment from the model's development deployment.
    PromoteDevelopment {
        /// The model's id.
        #[arg(long, value_name = "ID")]
        model: String,
        /// Keep the previous production deployment's replicas up.
        #[arg(long)]
        no_scale_down: bool,
        /// Use the development deployment's instance type instead of production's.
        #[arg(long)]
        no_preserve_instance_type: bool,
        /// Wait until the new deployment is ACTIVE and in production.
        #[command(flatten)]
        wait: WaitArgs,
    },
    /// Shift all traffic to the candidate at the next step of a rolling promotion.
    RollForward(Signal),
    /// Cancel the promotion in progress (a rolling one ramps back down first).
    Cancel(Signal),
    /// Cancel the promotion in progress at once and roll back to the previous deployment.
    ForceCancel(Signal),
    /// Pause a rolling promotion after its current step (`--wait`: until it is really PAUSED).
    Pause(Signal),
    /// Resume a paused rolling promotion.
    Resume(Signal),
    /// Show the current and candidate deployments and any promotion in progress.
    Status {
        /// The model's id.
        #[arg(long, value_name = "ID")]
        model: String,
        /// One environment; all of the model's without it.
        #[arg(long, value_name = "NAME")]
        env: Option<String>,
    },
    /// Wait for the promotion in progress (or of --deployment) to end.
    Wait {
        #[command(flatten)]
        target: ModelEnv,
        /// The deployment being promoted. Default: the environment's candidate.
        #[arg(long, value_name = "ID")]
        deployment: Option<String>,
        /// `ended`: until the promotion has ended; `paused`: also stop when it is PAUSED
        /// (traffic has stopped moving; exit 0).
        #[arg(long, value_enum, default_value_t = Until::Ended)]
        until: Until,
        #[command(flatten)]
        timing: Timing,
    },
}

impl Command {
    /// The `--timeout` of a command that waits: the whole command ends by then.
    pub fn deadline(&self) -> Option<Duration> {
        let waiting = |wait: &WaitArgs| wait.wait.then_some(wait.timing.timeout);
        match self {
            Command::Promote { wait, .. }
            | Command::PromoteChain { wait, .. }
            | Command::PromoteDevelopment { wait, .. } => waiting(wait),
            Command::RollForward(signal)
            | Command::Cancel(signal)
            | Command::ForceCancel(signal)
            | Command::Resume(signal)
            | Command::Pause(signal) => waiting(&signal.wait),
            Command::Wait { timing, .. } => Some(timing.timeout),
            Command::Status { .. } => None,
        }
    }
}

/// Every subcommand's name, as typed (a test checks it against clap's).
pub const SUBCOMMANDS: [&str; 10] = [
    "promote",
    "promote-chain",
    "promote-development",
    "roll-forward",
    "cancel",
    "force-cancel",
    "pause",
    "resume",
    "status",
    "wait",
];

/// The subcommand named in arguments clap could not parse, if any.
pub fn subcommand_in(args: &[String]) -> Option<&'static str> {
    args.iter()
        .find_map(|arg| SUBCOMMANDS.iter().find(|name| *name == arg).copied())
}

/// The `--output` asked for in arguments clap could not parse (`--output json`,
/// `--output=json`); text if none or not understood.
pub fn output_format_in(args: &[String]) -> OutputFormat {
    let mut asked = None;
    for (i, arg) in args.iter().enumerate() {
        if arg == "--output" {
            asked = args.get(i + 1).map(String::as_str);
        } else if let Some(value) = arg.strip_prefix("--output=") {
            asked = Some(value);
        }
    }
    asked
        .and_then(|value| OutputFormat::from_str(value, true).ok())
        .unwrap_or(OutputFormat::Text)
}

/// What `wait` waits for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Until {
    /// The promotion has ended (succeeded, failed, canceled, rolled back).
    Ended,
    /// The promotion is PAUSED, or has ended.
    Paused,
}

/// A model's environment.
#[derive(Debug, Args)]
pub struct ModelEnv {
    /// The model's id.
    #[arg(long, value_name = "ID")]
    pub model: String,
    /// The environment, e.g. production.
    #[arg(long, value_name = "NAME")]
    pub env: String,
}

/// A promotion signal that can be followed by a wait.
#[derive(Debug, Args)]
pub struct Signal {
    #[command(flatten)]
    pub target: ModelEnv,
    #[command(flatten)]
    pub wait: WaitArgs,
}

/// `--wait` and its timing.
#[derive(Debug, Args)]
pub struct WaitArgs {
    /// Wait until it has ended, and exit with how it ended.
    #[arg(long)]
    pub wait: bool,
    #[command(flatten)]
    pub timing: Timing,
}

/// A guarded promotion: a command run at checkpoints of a rolling promotion (`promote --wait`).
#[derive(Debug, Args)]
#[command(next_help_heading = "Guarded promotion (with --wait)")]
pub struct CheckArgs {
    /// Run this command (through `sh -c`, in its own process group) at the checkpoints; a
    /// non-zero exit fails the check. It inherits the environment, plus BASETEN_MODEL_ID,
    /// BASETEN_ENVIRONMENT, BASETEN_CANDIDATE_DEPLOYMENT_ID, BASETEN_CURRENT_DEPLOYMENT_ID and
    /// BASETEN_PERCENT_TRAFFIC. Needs --wait, and --check-at, --hold-at or --check-every.
    #[arg(long, value_name = "COMMAND", requires = "wait")]
    pub check: Option<String>,
    /// Run the check when traffic on the candidate reaches each percentage (e.g. 10,50,100);
    /// at the first step at or past it. 100 runs after the promotion succeeded.
    #[arg(long, value_name = "PERCENTS", value_delimiter = ',', requires = "check",
          value_parser = clap::value_parser!(u8).range(1..=100))]
    pub check_at: Vec<u8>,
    /// Also run the check every DURATION while traffic ramps up (e.g. 30s).
    #[arg(long, value_name = "DURATION", value_parser = parse_duration, requires = "check")]
    pub check_every: Option<Duration>,
    /// Pause the promotion at these percentages and run the check while it is paused; resume
    /// when it passes. Baseten pauses at a step boundary: it holds at the first step at or past
    /// each.
    #[arg(long, value_name = "PERCENTS", value_delimiter = ',', requires = "check",
          value_parser = clap::value_parser!(u8).range(1..=100))]
    pub hold_at: Vec<u8>,
    /// How long one run of the check may take; it is then killed (its whole process group)
    /// and counts as failed.
    #[arg(long, value_name = "DURATION", value_parser = parse_duration, default_value = "5m")]
    pub check_timeout: Duration,
    /// What a failed check does: `cancel` (traffic ramps back), `force-cancel` (traffic back at
    /// once), `pause` (stop where it is). Exit 8 in every case.
    #[arg(long, value_enum, default_value_t = OnCheckFailure::Cancel)]
    pub on_check_failure: OnCheckFailure,
    /// Run a failed check again up to N times before it counts as failed.
    #[arg(long, value_name = "N", default_value_t = 0)]
    pub check_retries: u32,
}

/// What a failed check does.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum OnCheckFailure {
    /// Cancel the promotion (a rolling one ramps traffic back down).
    Cancel,
    /// Force cancel: traffic back to the previous deployment at once.
    ForceCancel,
    /// Pause the promotion where it is, for a person to decide.
    Pause,
}

/// How long and how often a wait reads.
#[derive(Debug, Args, Clone, Copy)]
pub struct Timing {
    /// Give up waiting after this long (e.g. 30m, 1h 30m, 90s); exit 7.
    #[arg(long, value_name = "DURATION", value_parser = parse_duration, default_value = "30m")]
    pub timeout: Duration,
    /// Read every DURATION (at least 1s) instead of backing off from 2 s to 15 s.
    #[arg(long, value_name = "DURATION", value_parser = parse_poll_interval)]
    pub poll_interval: Option<Duration>,
    /// How long "the promotion is gone and another deployment is current" must hold before
    /// it counts as a rollback: Baseten may clear the promotion a moment before it shows the
    /// promoted deployment as current.
    #[arg(long, value_name = "DURATION", value_parser = parse_duration, default_value = "10s")]
    pub settle: Duration,
}

fn parse_poll_interval(text: &str) -> Result<Duration, String> {
    let every = parse_duration(text)?;
    // The library's floor (every pipeline sharing an API key shares its rate limit): refused
    // here with a message, rather than raised silently.
    if every < baseten_api::wait::MIN_POLL_INTERVAL {
        return Err(format!(
            "`{text}` is below the floor of 1s: reads that often would spend the API key's rate \
             limit, which every pipeline using the key shares"
        ));
    }
    Ok(every)
}

fn parse_duration(text: &str) -> Result<Duration, String> {
    humantime::parse_duration(text)
        .map_err(|e| format!("`{text}` is not a duration ({e}); write e.g. 30m, 90s or 1h 30m"))
}

#[cfg(test)]
mod tests {
    use clap::CommandFactory;

    use super::{Cli, OutputFormat, SUBCOMMANDS, output_format_in, subcommand_in};

    #[test]
    fn the_subcommand_list_is_clap_s() {
        let command = Cli::command();
        let names: Vec<&str> = command.get_subcommands().map(|c| c.get_name()).collect();
        assert_eq!(names, SUBCOMMANDS);
    }

    #[test]
    fn the_output_format_and_the_subcommand_are_found_in_arguments_clap_refused() {
        let args = |text: &str| text.split(' ').map(str::to_owned).collect::<Vec<_>>();
        assert_eq!(
            output_format_in(&args("--output json promote --model m")),
            OutputFormat::Json
        );
        assert_eq!(
            output_format_in(&args("promote --output=json")),
            OutputFormat::Json
        );
        assert_eq!(
            output_format_in(&args("promote --output")),
            OutputFormat::Text
        );
        assert_eq!(
            output_format_in(&args("promote --output yaml")),
            OutputFormat::Text
        );
        assert_eq!(
            subcommand_in(&args("--output json promote --model m")),
            Some("promote")
        );
        assert_eq!(subcommand_in(&args("--output json")), None);
    }
}
