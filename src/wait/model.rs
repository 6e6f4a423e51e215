//! What Baseten may show while a promotion goes on: the project's model of the API between
//! transitions, from which the waiter property tests (`properties.rs`) generate timelines.
//!
//! The mock (`baseten-mock`) is our model too, but it shows each transition at once. Baseten
//! documents the states and not the order in which a read sees them change
//! (`docs/baseten-api-facts.md`, "What the API shows between transitions is not documented"),
//! so this model lets every documented field change in any order the facts allow, and states
//! what it assumes where the facts say nothing:
//!
//! - Only one promotion per environment is in progress at a time: a later promote is rejected
//!   until the current one completes, pauses or is canceled (facts, "Rolling promotions").
//!   *Assumed:* a paused promotion is not superseded in this model; a promotion that starts
//!   later starts after ours has ended.
//! - `in_progress_promotion` has the statuses `RELEASING`, `RAMPING_UP`, `RAMPING_DOWN`,
//!   `PAUSED` and the terminal `SUCCEEDED`, `FAILED`, `CANCELED` (facts). New values may appear
//!   (enumerations grow): the model shows an unknown status now and then.
//! - *Unknown, so free here:* whether a finished promotion's terminal status stays visible and
//!   for how long (0–30 s), with or without its candidate; whether `candidate_deployment`
//!   appears before `in_progress_promotion` (up to 120 s before) or after it (up to 15 s;
//!   while the new object is not shown, the previous promotion's lingering one may be);
//!   whether `current_deployment` switches while `SUCCEEDED` is still shown or after the
//!   object clears.
//! - *Assumed bounds:* `current_deployment` switches at most 8 s after the promotion object
//!   clears (a waiter's settle interval must be longer: 10 s by default); the candidate never
//!   outlives the promotion object; a promotion shows up (candidate or object) within 20 s of
//!   being accepted; a promotion that starts after ours starts after ours' ending is fully
//!   shown (`current` switched) and stays visible with its candidate for at least 30 s, longer
//!   than a waiter's largest poll interval.
//! - Force cancel rolls back at once: the object disappears, or shows `CANCELED` (unknown which).
//! - Deleting the environment (`DELETE …/environments/{env_name}`, August 2026) cancels the
//!   promotion; the environment then answers 404 (facts, "Changes in the 2026-08-22
//!   specification").
//! - Chains have no promotion object; `candidate_deployment` is the only sign of a chain
//!   promotion in progress, and it may take time (facts, "Chain environments").
//! - Reads fail now and then with 5xx or 429 (with `retry_after`), and some are slow (up to
//!   30 s), while the promotion goes on. A new deployment answers 404 for a few seconds
//!   (facts: "Brand-new deployments may answer 404 for a few seconds after creation").
//!
//! Times are milliseconds; our promotion is accepted at [`ACCEPTED`], what came before it
//! happened earlier.

use crate::types::{DeploymentStatusV1, InProgressPromotionStatusV1 as Status};

pub(crate) const OLD: &str = "dpl-old";
pub(crate) const OURS: &str = "dpl-ours";
pub(crate) const PREVIOUS: &str = "dpl-previous";
pub(crate) const OTHER: &str = "dpl-other";

/// When our promotion (or deployment) is accepted; a waiter starts then or later.
pub(crate) const ACCEPTED: u64 = 100_000;

/// The longest that `current_deployment` lags behind the promotion object clearing.
pub(crate) const MAX_CURRENT_LAG_MS: u64 = 8_000;

/// How our promotion really ended: what a waiter may conclude.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Truth {
    Succeeded,
    Failed,
    Canceled,
    /// Force cancel: traffic back at once.
    RolledBack,
    /// Accepted, and never shown: it did not start.
    NeverStarted,
    Deleted,
}

/// What a waiter concluded, in the model's terms.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Verdict {
    Succeeded,
    Failed,
    Canceled,
    /// Over, and another deployment is current (rolled back, superseded or never started).
    OtherCurrent,
    Deleted,
    /// The deadline passed first.
    Undecided,
}

impl Truth {
    /// The verdicts that are not a wrong ending. A failure or a cancel whose terminal status
    /// was never visible can only be seen as "over, another deployment current".
    pub(crate) fn allows(self, verdict: Verdict) -> bool {
        use Verdict as V;
        match self {
            Truth::Succeeded => matches!(verdict, V::Succeeded | V::Undecided),
            Truth::Failed => matches!(verdict, V::Failed | V::OtherCurrent | V::Undecided),
            Truth::Canceled | Truth::RolledBack => {
                matches!(verdict, V::Canceled | V::OtherCurrent | V::Undecided)
            }
            Truth::NeverStarted => matches!(verdict, V::OtherCurrent | V::Undecided),
            Truth::Deleted => matches!(verdict, V::Deleted | V::Undecided),
        }
    }
}

/// One promotion in the environment's history, as the API shows it over time.
#[derive(Clone, Debug)]
pub(crate) struct Shown {
    pub candidate: &'static str,
    /// `candidate_deployment` names it in `[from, until)`.
    pub candidate_window: (u64, u64),
    /// `in_progress_promotion` is its object in `[from, until)`.
    pub object_window: (u64, u64),
    /// The object's status and traffic from each instant on (the first from `object_window.0`).
    pub statuses: Vec<(u64, Status, i64)>,
    /// When `current_deployment` becomes its candidate, if ever.
    pub current_from: Option<u64>,
}

impl Shown {
    fn status_at(&self, t: u64) -> (Status, i64) {
        let mut shown = (Status::Releasing, 0);
        for (from, status, percent) in &self.statuses {
            if *from <= t {
                shown = (status.clone(), *percent);
            }
        }
        shown
    }
}

/// What one read of the environment shows.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum View {
    Environment {
        current: Option<&'static str>,
        candidate: Option<&'static str>,
        promotion: Option<(Status, i64)>,
    },
    NotFound,
}

/// An environment's history around our promotion.
#[derive(Clone, Debug)]
pub(crate) struct Timeline {
    pub initial_current: Option<&'static str>,
    /// In the order they were accepted.
    pub promotions: Vec<Shown>,
    pub deleted_at: Option<u64>,
    pub truth: Truth,
    /// From when a waiter reading it can know the truth and nothing it shows changes that.
    pub knowable_from: u64,
    /// When our promotion ended (or would have): reads before it may fail or be slow.
    pub ended: u64,
}

impl Timeline {
    pub(crate) fn view_at(&self, t: u64) -> View {
        if self.deleted_at.is_some_and(|d| d <= t) {
            return View::NotFound;
        }
        let mut current = self.initial_current;
        for shown in &self.promotions {
            if shown.current_from.is_some_and(|from| from <= t) {
                current = Some(shown.candidate);
            }
        }
        // The newest promotion whose candidate (object) has appeared shows it until its window
        // ends; an older one's never shows again once a newer one's has appeared.
        let newest = |window: fn(&Shown) -> (u64, u64)| {
            self.promotions
                .iter()
                .rev()
                .find(|s| {
                    let (from, until) = window(s);
                    from <= t && from < until
                })
                .filter(|s| t < window(s).1)
        };
        let candidate = newest(|s| s.candidate_window).map(|s| s.candidate);
        let promotion = newest(|s| s.object_window).map(|s| s.status_at(t));
        View::Environment {
            current,
            candidate,
            promotion,
        }
    }
}

/// A small deterministic generator: every timeline comes from one seed.
pub(crate) struct Gen(fastrand::Rng);

impl Gen {
    pub(crate) fn new(seed: u64) -> Self {
        Self(fastrand::Rng::with_seed(seed))
    }
    pub(crate) fn ms(&mut self, from_s: u64, to_s: u64) -> u64 {
        self.0.u64(from_s * 1000..=to_s * 1000)
    }
    pub(crate) fn chance(&mut self, share: f64) -> bool {
        self.0.f64() < share
    }
    pub(crate) fn pick<T: Clone>(&mut self, items: &[T]) -> T {
        items[self.0.usize(..items.len())].clone()
    }
    pub(crate) fn unit(&mut self) -> f64 {
        self.0.f64()
    }
}

/// How long a finished promotion's terminal status stays shown, and whether with its candidate.
#[derive(Clone, Copy, Debug)]
struct Linger {
    ms: u64,
    with_candidate: bool,
}

/// How a promotion's start is shown: when its candidate and when its object appear.
fn start_windows(g: &mut Gen, accepted: u64) -> (u64, u64) {
    let appears = accepted + g.ms(0, 5);
    match g.pick(&[0, 1, 2]) {
        0 => (appears, appears),
        // Candidate first, for up to two minutes (replicas starting before traffic moves).
        1 => (appears, appears + g.ms(0, 120)),
        // Object first.
        _ => (appears + g.ms(0, 15), appears),
    }
}

/// Our promotion's ending, and the statuses on the way.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Ending {
    Succeeded,
    Forced,
    Failed,
    Canceled,
    ForceCanceled,
    Deleted,
}

/// Ends a promotion shown from `object_from` with `statuses` so far, at `end` with `status`:
/// returns the object's and the candidate's last instants.
fn end_windows(linger: Linger, end: u64, shown_at_all: bool) -> (u64, u64) {
    let object_until = end + linger.ms;
    let candidate_until = if linger.with_candidate && shown_at_all {
        object_until
    } else {
        end
    };
    (object_until, candidate_until)
}

/// A timeline of a model environment around our rolling promotion.
pub(crate) fn promotion_timeline(g: &mut Gen) -> Timeline {
    let linger = Linger {
        ms: if g.chance(0.4) { 0 } else { g.ms(0, 30) },
        with_candidate: g.chance(0.5),
    };
    let mut promotions = Vec::new();
    let mut initial_current = if g.chance(0.1) { None } else { Some(OLD) };

    // A promotion that ended shortly before ours was accepted; its terminal status may still
    // show. Sometimes of our own deployment (a retry of a failed promotion).
    if g.chance(0.4) {
        let candidate = if g.chance(0.3) { OURS } else { PREVIOUS };
        let ended_ago = g.ms(0, 30);
        let end = ACCEPTED - ended_ago;
        let status = if candidate == OURS {
            g.pick(&[Status::Failed, Status::Canceled])
        } else {
            g.pick(&[Status::Failed, Status::Canceled, Status::Succeeded])
        };
        let (object_until, candidate_until) = end_windows(linger, end, true);
        if status == Status::Succeeded {
            initial_current = Some(candidate);
        }
        promotions.push(Shown {
            candidate,
            candidate_window: (end - 60_000, candidate_until),
            object_window: (end - 60_000, object_until),
            statuses: vec![(end - 60_000, Status::RampingUp, 50), (end, status, 0)],
            current_from: None,
        });
    }
    let ending = g.pick(&[
        Ending::Succeeded,
        Ending::Succeeded,
        Ending::Forced,
        Ending::Failed,
        Ending::Canceled,
        Ending::ForceCanceled,
        Ending::Deleted,
    ]);
    let never_shown = g.chance(0.05);
    let (candidate_from, object_from) = start_windows(g, ACCEPTED);
    let step_ms = g.ms(2, 40);
    let step_percent = g.pick(&[10, 20, 25, 50, 100]);
    let steps_before_end = g.0.u64(0..=(100 / step_percent) as u64);
    let mut statuses = vec![(object_from, Status::Releasing, 0)];
    let mut t = object_from + g.ms(0, 10);
    let mut percent = 0i64;
    let pause_at = g.chance(0.3).then(|| g.0.u64(0..=steps_before_end));
    let unknown_at = g.chance(0.1).then(|| g.0.u64(0..=steps_before_end));
    for step in 0..steps_before_end {
        if percent + step_percent as i64 >= 100 {
            break;
        }
        percent += step_percent as i64;
        statuses.push((t, Status::RampingUp, percent));
        if pause_at == Some(step) {
            t += step_ms;
            statuses.push((t, Status::Paused, percent));
            t += g.ms(0, 60);
            statuses.push((t, Status::RampingUp, percent));
        }
        if unknown_at == Some(step) {
            t += g.ms(0, 20);
            statuses.push((t, Status::Unknown("HALTED_BY_POLICY".into()), percent));
        }
        t += step_ms;
    }
    // The ending's own steps.
    let (truth, end_status) = match ending {
        Ending::Succeeded | Ending::Forced => {
            if ending == Ending::Succeeded {
                while percent < 100 {
                    percent = (percent + step_percent as i64).min(100);
                    if percent < 100 {
                        statuses.push((t, Status::RampingUp, percent));
                        t += step_ms;
                    }
                }
            }
            (Truth::Succeeded, Some(Status::Succeeded))
        }
        Ending::Failed | Ending::Canceled => {
            while percent > 0 {
                statuses.push((t, Status::RampingDown, percent));
                percent = (percent - step_percent as i64).max(0);
                t += step_ms;
            }
            if ending == Ending::Failed {
                (Truth::Failed, Some(Status::Failed))
            } else {
                (Truth::Canceled, Some(Status::Canceled))
            }
        }
        Ending::ForceCanceled => (Truth::RolledBack, g.chance(0.5).then_some(Status::Canceled)),
        Ending::Deleted => (Truth::Deleted, None),
    };
    let end = t;
    let (truth, mut knowable_from, ours) = if never_shown {
        (Truth::NeverStarted, ACCEPTED + 60_000, None)
    } else {
        let percent_at_end = if end_status == Some(Status::Succeeded) {
            100
        } else {
            0
        };
        if let Some(status) = end_status.clone() {
            statuses.push((end, status, percent_at_end));
        }
        let linger_here = if end_status.is_some() {
            linger
        } else {
            Linger {
                ms: 0,
                with_candidate: false,
            }
        };
        let (object_until, candidate_until) = end_windows(linger_here, end, true);
        let current_from = (truth == Truth::Succeeded).then(|| {
            if linger.ms > 0 && g.chance(0.5) {
                end // switches while SUCCEEDED is still shown
            } else {
                object_until + g.ms(0, MAX_CURRENT_LAG_MS / 1000)
            }
        });
        let knowable = match truth {
            Truth::Succeeded => current_from.unwrap_or(end),
            Truth::Deleted => end,
            _ => object_until.max(candidate_until),
        };
        (
            truth,
            knowable,
            Some(Shown {
                candidate: OURS,
                candidate_window: (candidate_from, candidate_until.max(candidate_from)),
                object_window: (object_from, object_until.max(object_from)),
                statuses,
                current_from,
            }),
        )
    };
    let deleted_at = (truth == Truth::Deleted).then_some(end);
    if let Some(ours) = ours {
        let settled = ours.current_from.unwrap_or(end);
        promotions.push(ours);
        // Another pipeline's promotion after ours' ending was fully shown.
        if deleted_at.is_none() && g.chance(0.35) {
            let accepted = settled.max(end) + g.ms(0, 20);
            let (candidate_from, object_from) = start_windows(g, accepted);
            let other_end = candidate_from.max(object_from) + g.ms(30, 90);
            let other_status = g.pick(&[Status::Succeeded, Status::Failed]);
            let (object_until, candidate_until) = end_windows(linger, other_end, true);
            promotions.push(Shown {
                candidate: OTHER,
                candidate_window: (candidate_from, candidate_until),
                object_window: (object_from, object_until),
                statuses: vec![
                    (object_from, Status::Releasing, 0),
                    (object_from + 5_000, Status::RampingUp, 50),
                    (other_end, other_status.clone(), 0),
                ],
                current_from: (other_status == Status::Succeeded).then_some(other_end),
            });
        }
    } else if g.chance(0.3) {
        // Ours never started; another pipeline's promotion runs instead.
        let accepted = ACCEPTED + g.ms(5, 60);
        let (candidate_from, object_from) = start_windows(g, accepted);
        let other_end = candidate_from.max(object_from) + g.ms(30, 90);
        promotions.push(Shown {
            candidate: OTHER,
            candidate_window: (candidate_from, other_end),
            object_window: (object_from, other_end),
            statuses: vec![(object_from, Status::RampingUp, 50)],
            current_from: Some(other_end),
        });
        knowable_from = knowable_from.max(ACCEPTED + 60_000);
    }
    Timeline {
        initial_current,
        promotions,
        deleted_at,
        truth,
        knowable_from,
        ended: end,
    }
}

/// A chain environment's history around our chain promotion: no promotion object; the
/// candidate shows for a while (0 s on the mock by default), then `current` switches, or the
/// candidate goes away and `current` stays.
pub(crate) fn chain_timeline(g: &mut Gen) -> Timeline {
    let (candidate_from, _) = start_windows(g, ACCEPTED);
    let duration = if g.chance(0.3) { 0 } else { g.ms(0, 120) };
    let end = candidate_from + duration;
    let ending = g.pick(&[
        Truth::Succeeded,
        Truth::Succeeded,
        Truth::Failed,
        Truth::Deleted,
    ]);
    let current_from = (ending == Truth::Succeeded).then(|| {
        if g.chance(0.5) {
            end
        } else {
            end + g.ms(0, MAX_CURRENT_LAG_MS / 1000)
        }
    });
    let mut promotions = vec![Shown {
        candidate: OURS,
        candidate_window: (candidate_from, end),
        object_window: (0, 0),
        statuses: Vec::new(),
        current_from,
    }];
    let settled = current_from.unwrap_or(end);
    if ending != Truth::Deleted && g.chance(0.3) {
        let from = settled + g.ms(0, 20);
        let until = from + g.ms(30, 90);
        promotions.push(Shown {
            candidate: OTHER,
            candidate_window: (from, until),
            object_window: (0, 0),
            statuses: Vec::new(),
            current_from: g.chance(0.5).then_some(until),
        });
    }
    Timeline {
        initial_current: Some(OLD),
        promotions,
        deleted_at: (ending == Truth::Deleted).then_some(end),
        truth: ending,
        knowable_from: settled,
        ended: end,
    }
}

/// A deployment's statuses over time, after it was created: 404 for a few seconds, then
/// building to ready or to a failure, with an unknown status or UNHEALTHY on the way now and
/// then.
#[derive(Clone, Debug)]
pub(crate) struct DeploymentTimeline {
    pub not_found_until: u64,
    pub statuses: Vec<(u64, DeploymentStatusV1)>,
    pub ready: bool,
    pub knowable_from: u64,
}

impl DeploymentTimeline {
    pub(crate) fn status_at(&self, t: u64) -> Option<DeploymentStatusV1> {
        if t < self.not_found_until {
            return None;
        }
        let mut status = DeploymentStatusV1::Building;
        for (from, s) in &self.statuses {
            if *from <= t {
                status = s.clone();
            }
        }
        Some(status)
    }
}

pub(crate) fn deployment_timeline(g: &mut Gen) -> DeploymentTimeline {
    use DeploymentStatusV1 as S;
    let not_found_until = ACCEPTED + if g.chance(0.5) { 0 } else { g.ms(0, 20) };
    let mut t = not_found_until;
    let mut statuses = vec![(t, S::Building)];
    for status in [S::Deploying, S::LoadingModel] {
        t += g.ms(0, 60);
        statuses.push((t, status));
    }
    if g.chance(0.2) {
        t += g.ms(0, 30);
        statuses.push((t, S::Unknown("WARMING".into())));
    }
    if g.chance(0.2) {
        t += g.ms(0, 30);
        statuses.push((t, S::Unhealthy));
    }
    t += g.ms(0, 60);
    let end = g.pick(&[
        S::Active,
        S::Active,
        S::ScaledToZero,
        S::BuildFailed,
        S::DeployFailed,
        S::Failed,
    ]);
    let ready = matches!(end, S::Active | S::ScaledToZero);
    statuses.push((t, end));
    DeploymentTimeline {
        not_found_until,
        statuses,
        ready,
        knowable_from: t,
    }
}
