//! When a check is due, and when a hold needs a pause or a resume: the checkpoint rules of a
//! guarded promotion, apart from any I/O. The driver feeds it each reading of the promotion
//! (ours, in progress) and does what it answers.
//!
//! Baseten applies a pause at the next step boundary, not at once. So for a hold at P the
//! pause is asked for *ahead*, on the step before traffic could reach P: when the last step
//! seen says the next one reaches P, or at once while no step has been seen yet. If it then
//! settles short of P (the steps were smaller than the last one), it is resumed and the rule
//! applies again; it settles at the first step at or past P.

use std::time::Duration;

use super::check::Trigger;
use crate::types::InProgressPromotionStatusV1 as Status;

/// A reading of our promotion in progress, as the rules need it.
#[derive(Clone, Debug, PartialEq)]
pub struct Reading {
    /// The promotion's status.
    pub status: Status,
    /// The share of traffic on the candidate.
    pub percent_traffic: i64,
}

/// What to do about one reading.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Step {
    /// Nothing: keep waiting.
    Wait,
    /// Ask for a pause now, so that the promotion settles at a hold checkpoint.
    Pause,
    /// It paused (as asked) short of the hold checkpoint: resume it.
    Resume,
    /// Run the check.
    Check(Due),
}

/// A check that is due.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Due {
    /// Why.
    pub trigger: Trigger,
    /// The share of traffic on the candidate.
    pub percent_traffic: i64,
    /// The promotion is paused (the check runs held).
    pub held: bool,
}

#[derive(Clone, Debug, PartialEq, Eq)]
struct Point {
    percent: u8,
    hold: bool,
    done: bool,
}

/// The checkpoints of one guarded promotion, and what has been seen of it.
#[derive(Clone, Debug)]
pub struct Checkpoints {
    points: Vec<Point>,
    every: Option<Duration>,
    next_every: Option<Duration>,
    last_percent: Option<i64>,
    /// The last step seen (traffic gained between two readings).
    step: Option<i64>,
    /// A pause asked for (by these rules) that has not been seen to take effect.
    pause_asked: bool,
    /// Traffic is ramping up (status `RELEASING` or `RAMPING_UP`) as last read.
    ramping: bool,
}

impl Checkpoints {
    /// Checks at `at`, holds (and checks) at `hold_at`, both percentages in 1–100, and every
    /// `every` while traffic ramps. A value that is not a percentage, or an interval of zero,
    /// is refused with a message naming it.
    pub fn new(at: &[u8], hold_at: &[u8], every: Option<Duration>) -> Result<Self, String> {
        let mut points: Vec<Point> = Vec::new();
        for (&percent, hold) in at
            .iter()
            .map(|p| (p, false))
            .chain(hold_at.iter().map(|p| (p, true)))
        {
            if !(1..=100).contains(&percent) {
                let flag = if hold { "hold" } else { "check" };
                return Err(format!(
                    "{flag} checkpoint {percent} is not a percentage of traffic in 1-100"
                ));
            }
            match points.iter_mut().find(|p| p.percent == percent) {
                Some(point) => point.hold |= hold,
                None => points.push(Point {
                    percent,
                    hold,
                    done: false,
                }),
            }
        }
        points.sort_by_key(|p| p.percent);
        if every.is_some_and(|every| every.is_zero()) {
            return Err("the check interval is zero".to_owned());
        }
        if points.is_empty() && every.is_none() {
            return Err("no checkpoint and no check interval: the check would never run".into());
        }
        Ok(Self {
            points,
            every,
            next_every: None,
            last_percent: None,
            step: None,
            pause_asked: false,
            ramping: false,
        })
    }

    /// Judges a reading of our promotion in progress, taken at `now`.
    pub fn on_reading(&mut self, reading: &Reading, now: Duration) -> Step {
        let percent = reading.percent_traffic;
        if let Some(last) = self.last_percent
            && percent > last
        {
            self.step = Some(percent - last);
        }
        self.last_percent = Some(percent);
        self.ramping = matches!(reading.status, Status::Releasing | Status::RampingUp);
        if self.ramping && self.next_every.is_none() {
            self.next_every = self.every.map(|every| now + every);
        }
        let reached = self.reached(percent);
        match reading.status {
            Status::Paused => {
                let asked = std::mem::take(&mut self.pause_asked);
                if let Some(trigger) = reached {
                    self.mark_done(percent);
                    Step::Check(Due {
                        trigger,
                        percent_traffic: percent,
                        held: true,
                    })
                } else if asked {
                    // Short of the hold point: the steps were smaller than the last one.
                    Step::Resume
                } else {
                    // Someone else's pause: theirs to resume.
                    Step::Wait
                }
            }
            Status::Releasing | Status::RampingUp => {
                let hold_reached = self
                    .points
                    .iter()
                    .any(|p| !p.done && p.hold && i64::from(p.percent) <= percent);
                match reached {
                    // A hold point reached without a pause ahead (the first reading was past
                    // it): pause now, check when paused.
                    Some(_) if hold_reached => self.ask_pause(),
                    Some(trigger) => {
                        self.mark_done(percent);
                        Step::Check(Due {
                            trigger,
                            percent_traffic: percent,
                            held: false,
                        })
                    }
                    None if self.hold_is_next_step(percent) => self.ask_pause(),
                    None => self.on_tick(now).map_or(Step::Wait, Step::Check),
                }
            }
            // Ramping down, or a status this version does not know: traffic is not moving
            // towards the candidate.
            _ => Step::Wait,
        }
    }

    /// The check interval: a check is due if it has passed while traffic was ramping up (as
    /// last read).
    pub fn on_tick(&mut self, now: Duration) -> Option<Due> {
        let passed = self.next_every.is_some_and(|at| now >= at);
        if passed && !self.ramping {
            // Not ramping (paused, ramping down): the interval starts again when traffic
            // ramps up again, and until then there is no tick to wake for.
            self.next_every = None;
        }
        (passed && self.ramping).then(|| Due {
            trigger: Trigger::Interval,
            percent_traffic: self.last_percent.unwrap_or(0),
            held: false,
        })
    }

    /// When the interval next comes due, if there is one.
    pub fn next_tick(&self) -> Option<Duration> {
        self.next_every
    }

    /// A check ended at `now`: the interval counts from here.
    pub fn checked(&mut self, now: Duration) {
        self.next_every = self.every.map(|every| now + every);
    }

    /// The promotion succeeded: all its traffic is on the candidate, so every checkpoint not
    /// yet checked is reached (one check, not held).
    pub fn on_succeeded(&mut self) -> Option<Due> {
        self.pause_asked = false;
        self.ramping = false;
        let trigger = self.reached(100)?;
        self.mark_done(100);
        Some(Due {
            trigger,
            percent_traffic: 100,
            held: false,
        })
    }

    /// Whether a pause asked for by these rules is still to take effect.
    #[cfg(test)]
    pub fn pause_asked(&self) -> bool {
        self.pause_asked
    }

    /// The highest checkpoint not yet checked at or below `percent`.
    fn reached(&self, percent: i64) -> Option<Trigger> {
        self.points
            .iter()
            .filter(|p| !p.done && i64::from(p.percent) <= percent)
            .map(|p| Trigger::Percent(p.percent))
            .next_back()
    }

    fn mark_done(&mut self, percent: i64) {
        for point in self
            .points
            .iter_mut()
            .filter(|p| i64::from(p.percent) <= percent)
        {
            point.done = true;
        }
    }

    /// The next hold point is within the next step (as large as the last one seen), or no
    /// step has been seen yet (it may be).
    fn hold_is_next_step(&self, percent: i64) -> bool {
        let next_hold = self
            .points
            .iter()
            .find(|p| !p.done && p.hold && i64::from(p.percent) > percent);
        match (next_hold, self.step) {
            (None, _) => false,
            (Some(_), None) => true,
            (Some(point), Some(step)) => percent + step >= i64::from(point.percent),
        }
    }

    fn ask_pause(&mut self) -> Step {
        if std::mem::replace(&mut self.pause_asked, true) {
            Step::Wait
        } else {
            Step::Pause
        }
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::{Checkpoints, Due, Reading, Status, Step, Trigger};

    fn reading(status: Status, percent_traffic: i64) -> Reading {
        Reading {
            status,
            percent_traffic,
        }
    }

    fn check(percent: u8, at: i64, held: bool) -> Step {
        Step::Check(Due {
            trigger: Trigger::Percent(percent),
            percent_traffic: at,
            held,
        })
    }

    /// Feeds readings one second apart; returns what each led to.
    fn feed(plan: &mut Checkpoints, readings: &[(Status, i64)]) -> Vec<Step> {
        readings
            .iter()
            .enumerate()
            .map(|(i, (status, percent))| {
                plan.on_reading(
                    &reading(status.clone(), *percent),
                    Duration::from_secs(i as u64),
                )
            })
            .collect()
    }

    #[test]
    fn checkpoints_run_once_each_at_the_first_reading_at_or_past_them() {
        let mut plan = Checkpoints::new(&[50, 10, 100], &[], None).unwrap();
        let steps = feed(
            &mut plan,
            &[
                (Status::Releasing, 0),
                (Status::RampingUp, 25),
                (Status::RampingUp, 25),
                (Status::RampingUp, 50),
                (Status::RampingUp, 75),
            ],
        );
        assert_eq!(
            steps,
            [
                Step::Wait,
                check(10, 25, false),
                Step::Wait,
                check(50, 50, false),
                Step::Wait
            ]
        );
        // The last one when the promotion has succeeded; then nothing is left.
        assert_eq!(
            plan.on_succeeded(),
            Some(Due {
                trigger: Trigger::Percent(100),
                percent_traffic: 100,
                held: false
            })
        );
        assert_eq!(plan.on_succeeded(), None);
    }

    #[test]
    fn checkpoints_passed_in_one_step_run_one_check_named_by_the_highest() {
        let mut plan = Checkpoints::new(&[10, 20, 90], &[], None).unwrap();
        let steps = feed(&mut plan, &[(Status::RampingUp, 60)]);
        assert_eq!(steps, [check(20, 60, false)]);
    }

    #[test]
    fn a_hold_asks_for_the_pause_one_step_ahead_and_checks_when_paused() {
        let mut plan = Checkpoints::new(&[], &[50], None).unwrap();
        let steps = feed(
            &mut plan,
            &[
                (Status::Releasing, 0),
                // No step seen yet: ask at once; it pauses after the next step, short of 50.
                (Status::Paused, 25),
                // Resumed: the last step (25) reaches 50, so ask ahead again.
                (Status::RampingUp, 25),
                (Status::Paused, 50),
            ],
        );
        assert_eq!(
            steps,
            [Step::Pause, Step::Resume, Step::Pause, check(50, 50, true)]
        );
        assert!(!plan.pause_asked());
    }

    #[test]
    fn a_hold_seen_only_past_its_point_pauses_there_and_checks_where_it_settles() {
        let mut plan = Checkpoints::new(&[10], &[50], None).unwrap();
        let steps = feed(
            &mut plan,
            &[
                (Status::RampingUp, 20),
                (Status::RampingUp, 60),
                (Status::RampingUp, 60),
                (Status::Paused, 70),
            ],
        );
        // 10 is checked at 20; 50 is first seen passed at 60: the pause is asked for there
        // (once), and the check runs where it settles.
        assert_eq!(
            steps,
            [
                check(10, 20, false),
                Step::Pause,
                Step::Wait,
                check(50, 70, true)
            ]
        );
    }

    #[test]
    fn a_pause_asked_by_someone_else_is_left_alone() {
        let mut plan = Checkpoints::new(&[90], &[], None).unwrap();
        let steps = feed(&mut plan, &[(Status::RampingUp, 10), (Status::Paused, 20)]);
        assert_eq!(steps, [Step::Wait, Step::Wait]);
    }

    #[test]
    fn the_interval_runs_only_while_traffic_ramps_up() {
        let every = Duration::from_secs(30);
        let mut plan = Checkpoints::new(&[], &[], Some(every)).unwrap();
        let at = |s: u64| Duration::from_secs(s);
        assert_eq!(plan.on_tick(at(100)), None, "nothing read yet");
        assert_eq!(
            plan.on_reading(&reading(Status::RampingUp, 10), at(0)),
            Step::Wait
        );
        assert_eq!(plan.on_tick(at(29)), None);
        let due = Due {
            trigger: Trigger::Interval,
            percent_traffic: 10,
            held: false,
        };
        assert_eq!(plan.on_tick(at(30)), Some(due.clone()));
        plan.checked(at(40));
        assert_eq!(plan.next_tick(), Some(at(70)));
        assert_eq!(
            plan.on_reading(&reading(Status::RampingUp, 20), at(70)),
            Step::Check(Due {
                percent_traffic: 20,
                ..due
            })
        );
        plan.checked(at(71));
        assert_eq!(
            plan.on_reading(&reading(Status::RampingDown, 10), at(72)),
            Step::Wait
        );
        assert_eq!(plan.on_tick(at(200)), None, "ramping down");
        // Postponed, not due again at every look, until traffic ramps up again.
        assert_eq!(plan.next_tick(), None);
        assert_eq!(
            plan.on_reading(&reading(Status::Paused, 10), at(300)),
            Step::Wait
        );
        assert_eq!(plan.next_tick(), None);
        assert_eq!(
            plan.on_reading(&reading(Status::RampingUp, 30), at(400)),
            Step::Wait
        );
        assert_eq!(plan.next_tick(), Some(at(430)));
    }

    #[test]
    fn bad_settings_are_refused_with_what_was_wrong() {
        let refused =
            |at: &[u8], hold: &[u8], every| Checkpoints::new(at, hold, every).unwrap_err();
        assert_eq!(
            refused(&[0], &[], None),
            "check checkpoint 0 is not a percentage of traffic in 1-100"
        );
        assert_eq!(
            refused(&[10], &[101], None),
            "hold checkpoint 101 is not a percentage of traffic in 1-100"
        );
        assert_eq!(
            refused(&[], &[], Some(Duration::ZERO)),
            "the check interval is zero"
        );
        assert!(refused(&[], &[], None).contains("never run"));
    }
}
