//! Exit codes, and which failure gets which. The values are a stable interface (scripts branch
//! on them); `--help` and README list them, and a test checks that every code is listed.

use baseten_api::Error;

/// How the command ended, as a process exit code.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Exit {
    /// Done: the request was accepted; a wait ended as asked.
    Done,
    /// A bad flag, no API key, a bad URL (clap's own usage errors are 2 as well).
    Usage,
    /// 401/403.
    Auth,
    /// 404.
    NotFound,
    /// 400, 409, 422 and other 4xx: the API refused the request.
    Refused,
    /// 5xx, 429, timeouts and connection failures, after the client's retries.
    Server,
    /// The wait's deadline passed.
    WaitTimedOut,
    /// The promotion or the deployment failed.
    Failed,
    /// The promotion was canceled or rolled back, or another deployment became current.
    Canceled,
    /// The environment was deleted during the wait (Baseten cancels a promotion in progress
    /// when its environment is deleted; the environment then answers 404).
    EnvironmentDeleted,
    /// A bug in baseten-deploy (it panicked); the document and summary are still written.
    Internal,
    /// SIGINT (Ctrl-C).
    Interrupted,
    /// SIGTERM (a CI runner stopping the job).
    Terminated,
}

impl Exit {
    /// Every exit code, for the test that compares them with `--help`.
    #[cfg(test)]
    pub const ALL: [Exit; 13] = [
        Exit::Done,
        Exit::Usage,
        Exit::Auth,
        Exit::NotFound,
        Exit::Refused,
        Exit::Server,
        Exit::WaitTimedOut,
        Exit::Failed,
        Exit::Canceled,
        Exit::EnvironmentDeleted,
        Exit::Internal,
        Exit::Interrupted,
        Exit::Terminated,
    ];

    pub fn code(self) -> u8 {
        match self {
            Exit::Done => 0,
            Exit::Usage => 2,
            Exit::Auth => 3,
            Exit::NotFound => 4,
            Exit::Refused => 5,
            Exit::Server => 6,
            Exit::WaitTimedOut => 7,
            Exit::Failed => 8,
            Exit::Canceled => 9,
            Exit::EnvironmentDeleted => 10,
            Exit::Internal => 11,
            Exit::Interrupted => 130,
            Exit::Terminated => 143,
        }
    }

    /// The word for it in JSON output (`"exit": "refused"`).
    pub fn name(self) -> &'static str {
        match self {
            Exit::Done => "done",
            Exit::Usage => "usage",
            Exit::Auth => "auth",
            Exit::NotFound => "not_found",
            Exit::Refused => "refused",
            Exit::Server => "server",
            Exit::WaitTimedOut => "timeout",
            Exit::Failed => "failed",
            Exit::Canceled => "canceled",
            Exit::EnvironmentDeleted => "environment_deleted",
            Exit::Internal => "internal",
            Exit::Interrupted => "interrupted",
            Exit::Terminated => "terminated",
        }
    }

    /// The exit code of a request that failed.
    pub fn of_error(error: &Error) -> Exit {
        if let Some(status) = error.status() {
            return match status.as_u16() {
                401 | 403 => Exit::Auth,
                404 => Exit::NotFound,
                // 429 after the client's retries: the API was there but did not serve us.
                429 => Exit::Server,
                400..=499 => Exit::Refused,
                _ => Exit::Server,
            };
        }
        match error {
            // The request never left: one of our checks (e.g. an id of `..`) refused it.
            Error::InvalidRequest(_) => Exit::Usage,
            // Transport, timeout, an answer that is not what the API documents.
            _ => Exit::Server,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::Exit;

    #[test]
    fn codes_and_names_are_distinct() {
        for (i, a) in Exit::ALL.iter().enumerate() {
            for b in &Exit::ALL[i + 1..] {
                assert_ne!(a.code(), b.code(), "{a:?} and {b:?}");
                assert_ne!(a.name(), b.name(), "{a:?} and {b:?}");
            }
        }
    }

    #[test]
    fn help_lists_every_code_and_no_other() {
        let listed: Vec<u8> = crate::cli::EXIT_CODES_HELP
            .lines()
            .skip_while(|line| *line != "Exit codes:")
            .skip(1)
            .take_while(|line| !line.is_empty())
            .map(|line| line.split_whitespace().next().unwrap().parse().unwrap())
            .collect();
        let codes: Vec<u8> = Exit::ALL.iter().map(|e| e.code()).collect();
        assert_eq!(listed, codes);
    }
}
