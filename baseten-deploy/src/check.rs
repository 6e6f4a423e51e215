//! Running a `--check` command: through `sh -c`, in a process group of its own, with the
//! promotion's facts in its environment, its output streamed under a prefix and its last lines
//! kept. However the run ends (its exit, its timeout, an interrupt), the whole process group is
//! killed when the run's future is dropped, so that nothing it started in the background
//! outlives it.

use std::collections::VecDeque;
use std::process::Stdio;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::io::{AsyncBufReadExt, AsyncRead, BufReader};

use crate::output::Output;

/// The most lines of a run's output kept for the report.
pub const TAIL_LINES: usize = 20;

/// The most bytes of one line kept (a check that prints a megabyte on one line must not make
/// the report that big).
const LINE_LIMIT: usize = 4096;

/// How long output still in the pipes is read after the process group was killed.
const DRAIN: Duration = Duration::from_secs(1);

/// What one run printed and how it exited, updated while it runs: a run cut short (by its
/// timeout, by an interrupt) keeps what it had printed.
#[derive(Clone, Debug, Default)]
pub struct Ran {
    /// Its exit code; `None` while it runs, or if a signal ended it.
    pub exit_code: Option<i32>,
    /// Its last lines (stdout and stderr, as they came).
    pub tail: VecDeque<String>,
    /// Why it could not be run or did not exit normally, if so.
    pub error: Option<String>,
}

impl Ran {
    /// Its last line of output, if it printed any.
    pub fn last_line(&self) -> Option<&str> {
        self.tail.back().map(String::as_str)
    }
}

/// Kills the process group when dropped.
struct Group(Option<u32>);

impl Drop for Group {
    fn drop(&mut self) {
        #[cfg(unix)]
        if let Some(pgid) = self.0.and_then(|pid| i32::try_from(pid).ok()) {
            // SAFETY: killpg only sends a signal; a group already gone is ESRCH, ignored.
            unsafe {
                libc::killpg(pgid, libc::SIGKILL);
            }
        }
    }
}

/// Runs `command` with `env` added to the inherited environment, printing each line of its
/// output as `<label>: <line>` and recording the run in `ran`. Returns when it has exited (and
/// its process group has been killed).
pub async fn run(
    command: &str,
    env: &[(&str, String)],
    out: &Output,
    label: &str,
    ran: &Arc<Mutex<Ran>>,
) {
    let mut shell = tokio::process::Command::new("sh");
    shell
        .arg("-c")
        .arg(command)
        .envs(env.iter().map(|(name, value)| (name, value)))
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        // The shell itself; its children are killed with the group (`Group`).
        .kill_on_drop(true);
    #[cfg(unix)]
    shell.process_group(0);
    let mut child = match shell.spawn() {
        Ok(child) => child,
        Err(error) => {
            lock(ran).error = Some(format!("cannot run `sh -c`: {error}"));
            return;
        }
    };
    let group = Group(child.id());
    let mut stdout = child.stdout.take().map(Lines::new);
    let mut stderr = child.stderr.take().map(Lines::new);
    let record = |line: String| {
        out.check_line(&format!("{label}: {line}"));
        let mut ran = lock(ran);
        if ran.tail.len() == TAIL_LINES {
            ran.tail.pop_front();
        }
        ran.tail.push_back(line);
    };
    let status = loop {
        tokio::select! {
            line = next(&mut stdout) => if let Some(line) = line { record(line) },
            line = next(&mut stderr) => if let Some(line) = line { record(line) },
            status = child.wait() => break status,
        }
    };
    // Anything it left running in the background goes now; what is still in the pipes is read
    // for a moment (a process that left the group may hold them open for ever).
    drop(group);
    let drain = async {
        while stdout.is_some() || stderr.is_some() {
            tokio::select! {
                line = next(&mut stdout) => if let Some(line) = line { record(line) },
                line = next(&mut stderr) => if let Some(line) = line { record(line) },
            }
        }
    };
    let _ = tokio::time::timeout(DRAIN, drain).await;
    let mut ran = lock(ran);
    match status {
        Ok(status) => {
            ran.exit_code = status.code();
            if status.code().is_none() {
                ran.error = Some(format!("it was ended by a signal ({status})"));
            }
        }
        Err(error) => ran.error = Some(format!("waiting for it failed: {error}")),
    }
}

/// Lines of one pipe, invalid UTF-8 replaced, each cut at [`LINE_LIMIT`] bytes.
struct Lines<R>(BufReader<R>);

impl<R: AsyncRead + Unpin> Lines<R> {
    fn new(pipe: R) -> Self {
        Self(BufReader::new(pipe))
    }

    async fn next(&mut self) -> Option<String> {
        let mut bytes = Vec::new();
        match self.0.read_until(b'\n', &mut bytes).await {
            Ok(0) | Err(_) => None,
            Ok(_) => Some(clean(&bytes)),
        }
    }
}

/// The next line of a pipe; a pipe at its end is set to `None`, and a `None` pipe never
/// answers (so that `select!` waits on the other).
async fn next<R: AsyncRead + Unpin>(pipe: &mut Option<Lines<R>>) -> Option<String> {
    let Some(lines) = pipe.as_mut() else {
        return std::future::pending().await;
    };
    let line = lines.next().await;
    if line.is_none() {
        *pipe = None;
    }
    line
}

/// A line as printed: no line break, no control characters (an escape code from the check
/// would reach the CI log), at most [`LINE_LIMIT`] bytes.
fn clean(bytes: &[u8]) -> String {
    let text = String::from_utf8_lossy(bytes);
    let mut line: String = text
        .trim_end_matches(['\n', '\r'])
        .chars()
        .map(|c| {
            if c.is_control() && c != '\t' {
                '�'
            } else {
                c
            }
        })
        .collect();
    if line.len() > LINE_LIMIT {
        let mut end = LINE_LIMIT;
        while !line.is_char_boundary(end) {
            end -= 1;
        }
        line.truncate(end);
        line.push('…');
    }
    line
}

fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    // Only plain field updates happen under it.
    mutex
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

#[cfg(test)]
mod tests {
    use super::clean;

    #[test]
    fn a_line_is_cleaned_of_breaks_and_control_characters_and_bounded() {
        assert_eq!(clean(b"ok\r\n"), "ok");
        assert_eq!(clean(b"\x1b[31mred\x1b[0m\tx"), "�[31mred�[0m\tx");
        assert_eq!(clean(b"bad \xff byte"), "bad \u{fffd} byte");
        let long = clean(&[b'a'; 10_000]);
        assert_eq!(long.len(), 4096 + '…'.len_utf8());
    }
}
