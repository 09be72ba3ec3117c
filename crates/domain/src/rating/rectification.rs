//! A 差评's rectification (差评整改): its stages, its state machine and its deadlines.
//!
//! The rectification is an event log ([`RectEvent`]); [`Rectification::apply`] folds each event
//! into its state and [`Rectification::decide`] turns a [`Command`] into the one event it causes,
//! or refuses it with a stable code. Its two deadlines run on THE shared calendar
//! ([`StatutoryClock`]) and go to the one deadline index as [`Watch`]es: the centre's call-back
//! (回访, 1 working day) while it is due, and the rectification itself (a setting of 5 to 15
//! working days) until the feedback to the rater.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::model::{Level, Note};
use crate::calendar::{Calendar, LimitKind, StatutoryClock, WorkingDays};
use crate::codes;
use crate::error::DomainError;
use crate::supervision::{crossings, light, Light, WarningRules, Watch};

crate::closed_set! {
    /// Where a rectification stands.
    pub enum RectStage {
        /// 待回访: the centre calls the rater back.
        Callback = "callback" => "待回访",
        /// 待核实: the rated department verifies what happened.
        Verify = "verify" => "待核实",
        /// 整改中: the department fixes it and answers the rater.
        Rectify = "rectify" => "整改中",
        /// 已反馈: rectified and answered; the rater may rate again.
        Closed = "closed" => "已整改反馈",
        /// The rating was removed on appeal (申诉复核); it stays in the record, marked.
        Removed = "removed" => "申诉成立已撤销",
    }
}

impl RectStage {
    pub fn is_open(self) -> bool {
        matches!(
            self,
            RectStage::Callback | RectStage::Verify | RectStage::Rectify
        )
    }
}

crate::closed_set! {
    /// 核实结果.
    pub enum Verdict {
        Founded = "founded" => "情况属实",
        Partly = "partly" => "部分属实",
        Unfounded = "unfounded" => "情况不属实",
    }
}

/// Who acts: their account and department.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct By {
    pub user_id: i64,
    pub department_id: i64,
}

/// What someone asks of a rectification.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Command {
    /// The centre's call-back (回访) of the rater.
    CallBack { note: Note },
    /// The rated department's verification (核实).
    Verify { verdict: Verdict, note: Note },
    /// The department's measures and its feedback to the rater; ends the rectification. The
    /// feedback is required: a rectification never closes without it.
    Close { measures: Note, feedback: String },
    /// 申诉: the department asks for a malicious or mistaken rating to be removed.
    Appeal { reason: Note },
    /// 复核: a supervisor outside the appealing department decides the appeal.
    DecideAppeal { uphold: bool, reason: Note },
    /// The rater rates again after the feedback.
    Rerate { level: Level },
}

/// What happened to a rectification.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum RectEvent {
    Opened {
        department_id: i64,
        level: Level,
        callback_days: u32,
        rectify_days: u32,
    },
    CalledBack {
        note: Note,
    },
    Verified {
        verdict: Verdict,
        note: Note,
    },
    Closed {
        measures: Note,
        feedback: Note,
    },
    Appealed {
        department_id: i64,
        reason: Note,
    },
    AppealDecided {
        upheld: bool,
        reason: Note,
    },
    Rerated {
        level: Level,
    },
}

impl RectEvent {
    /// The event's wire name, for the log's `kind` column.
    pub fn kind(&self) -> &'static str {
        match self {
            RectEvent::Opened { .. } => "opened",
            RectEvent::CalledBack { .. } => "called_back",
            RectEvent::Verified { .. } => "verified",
            RectEvent::Closed { .. } => "closed",
            RectEvent::Appealed { .. } => "appealed",
            RectEvent::AppealDecided { .. } => "appeal_decided",
            RectEvent::Rerated { .. } => "rerated",
        }
    }

    /// What the audit chain and the log say.
    pub fn summary(&self) -> String {
        match self {
            RectEvent::Opened { level, .. } => format!("收到{}评价，启动差评整改", level.label()),
            RectEvent::CalledBack { .. } => "已回访评价人".into(),
            RectEvent::Verified { verdict, .. } => format!("核实：{}", verdict.label()),
            RectEvent::Closed { .. } => "整改完成并反馈评价人".into(),
            RectEvent::Appealed { .. } => "部门提出申诉".into(),
            RectEvent::AppealDecided { upheld: true, .. } => {
                "申诉成立，评价已撤销（保留记录）".into()
            }
            RectEvent::AppealDecided { upheld: false, .. } => "申诉不成立，继续整改".into(),
            RectEvent::Rerated { level } => format!("评价人再次评价：{}", level.label()),
        }
    }
}

/// An appeal and its outcome.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Appeal {
    pub department_id: i64,
    pub reason: Note,
    pub at: DateTime<Utc>,
    /// `None` while pending; `Some(true)` when upheld (the rating removed).
    pub upheld: Option<bool>,
    pub decision: Option<Note>,
}

/// A rectification's state, folded from its events.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Rectification {
    pub department_id: i64,
    pub level: Level,
    pub opened_at: DateTime<Utc>,
    pub stage: RectStage,
    pub callback_days: u32,
    pub rectify_days: u32,
    pub callback: Option<Note>,
    pub called_back_at: Option<DateTime<Utc>>,
    pub verdict: Option<Verdict>,
    pub verification: Option<Note>,
    pub measures: Option<Note>,
    pub feedback: Option<Note>,
    pub closed_at: Option<DateTime<Utc>>,
    pub appeal: Option<Appeal>,
    pub rerated: Option<Level>,
}

impl Rectification {
    /// Opens the rectification of a 差评 of `level` against `department_id`.
    pub fn open(
        department_id: i64,
        level: Level,
        callback_days: u32,
        rectify_days: u32,
    ) -> Result<RectEvent, DomainError> {
        if !level.is_bad() {
            return Err(codes::Rating::NotBad.err());
        }
        Ok(RectEvent::Opened {
            department_id,
            level,
            callback_days,
            rectify_days,
        })
    }

    /// Folds a log; `None` when it does not start with [`RectEvent::Opened`].
    pub fn replay<'a>(
        events: impl IntoIterator<Item = (&'a RectEvent, DateTime<Utc>)>,
    ) -> Option<Self> {
        let mut it = events.into_iter();
        let (first, at) = it.next()?;
        let RectEvent::Opened {
            department_id,
            level,
            callback_days,
            rectify_days,
        } = first
        else {
            return None;
        };
        let mut r = Self {
            department_id: *department_id,
            level: *level,
            opened_at: at,
            stage: RectStage::Callback,
            callback_days: *callback_days,
            rectify_days: *rectify_days,
            callback: None,
            called_back_at: None,
            verdict: None,
            verification: None,
            measures: None,
            feedback: None,
            closed_at: None,
            appeal: None,
            rerated: None,
        };
        for (e, at) in it {
            r.apply(e, at);
        }
        Some(r)
    }

    pub fn apply(&mut self, e: &RectEvent, at: DateTime<Utc>) {
        match e {
            RectEvent::Opened { .. } => {}
            RectEvent::CalledBack { note } => {
                self.callback = Some(note.clone());
                self.called_back_at = Some(at);
                self.stage = RectStage::Verify;
            }
            RectEvent::Verified { verdict, note } => {
                self.verdict = Some(*verdict);
                self.verification = Some(note.clone());
                self.stage = RectStage::Rectify;
            }
            RectEvent::Closed { measures, feedback } => {
                self.measures = Some(measures.clone());
                self.feedback = Some(feedback.clone());
                self.closed_at = Some(at);
                self.stage = RectStage::Closed;
            }
            RectEvent::Appealed {
                department_id,
                reason,
            } => {
                self.appeal = Some(Appeal {
                    department_id: *department_id,
                    reason: reason.clone(),
                    at,
                    upheld: None,
                    decision: None,
                });
            }
            RectEvent::AppealDecided { upheld, reason } => {
                if let Some(a) = self.appeal.as_mut() {
                    a.upheld = Some(*upheld);
                    a.decision = Some(reason.clone());
                }
                if *upheld {
                    self.stage = RectStage::Removed;
                    self.closed_at = Some(at);
                }
            }
            RectEvent::Rerated { level } => self.rerated = Some(*level),
        }
    }

    /// The rating was removed on appeal.
    pub fn removed(&self) -> bool {
        self.stage == RectStage::Removed
    }

    fn appeal_pending(&self) -> bool {
        self.appeal.as_ref().is_some_and(|a| a.upheld.is_none())
    }

    /// The one event `cmd` by `by` causes, or why not. The caller checks roles (the centre
    /// calls back, a supervisor decides appeals, the rater rates again); this checks the stage
    /// and the departments.
    pub fn decide(&self, cmd: Command, by: By) -> Result<RectEvent, DomainError> {
        let own = || {
            if by.department_id == self.department_id {
                Ok(())
            } else {
                Err(codes::Rating::Unit.err())
            }
        };
        let stage = |s: RectStage| {
            if self.stage == s {
                Ok(())
            } else {
                Err(codes::Rating::Stage.with(format!(
                    "整改当前为“{}”，不能进行此操作",
                    self.stage.label()
                )))
            }
        };
        match cmd {
            Command::CallBack { note } => {
                stage(RectStage::Callback)?;
                Ok(RectEvent::CalledBack { note })
            }
            Command::Verify { verdict, note } => {
                own()?;
                stage(RectStage::Verify)?;
                Ok(RectEvent::Verified { verdict, note })
            }
            Command::Close { measures, feedback } => {
                own()?;
                stage(RectStage::Rectify)?;
                let feedback = Note::parse(&feedback).map_err(|_| codes::Rating::Feedback.err())?;
                Ok(RectEvent::Closed { measures, feedback })
            }
            Command::Appeal { reason } => {
                own()?;
                if !self.stage.is_open() {
                    return Err(codes::Rating::Stage.err());
                }
                if self.appeal_pending() {
                    return Err(codes::Rating::AppealPending.err());
                }
                if self.appeal.is_some() {
                    return Err(codes::Rating::AppealDecided.err());
                }
                Ok(RectEvent::Appealed {
                    department_id: by.department_id,
                    reason,
                })
            }
            Command::DecideAppeal { uphold, reason } => {
                let Some(a) = self.appeal.as_ref() else {
                    return Err(codes::Rating::AppealNone.err());
                };
                if a.upheld.is_some() {
                    return Err(codes::Rating::AppealDecided.err());
                }
                if by.department_id == a.department_id {
                    return Err(codes::Rating::AppealOwn.err());
                }
                Ok(RectEvent::AppealDecided {
                    upheld: uphold,
                    reason,
                })
            }
            Command::Rerate { level } => {
                if self.stage != RectStage::Closed {
                    return Err(codes::Rating::RerateEarly.err());
                }
                if self.rerated.is_some() {
                    return Err(codes::Rating::Rerated.err());
                }
                Ok(RectEvent::Rerated { level })
            }
        }
    }

    /// The call-back clock: `callback_days` working days from the 差评.
    pub fn callback_clock(&self) -> Option<StatutoryClock> {
        let days = WorkingDays::new(self.callback_days).ok()?;
        Some(StatutoryClock::new(
            self.opened_at,
            days,
            LimitKind::Committed,
        ))
    }

    /// The rectification clock: `rectify_days` working days from the 差评.
    pub fn rectify_clock(&self) -> Option<StatutoryClock> {
        let days = WorkingDays::new(self.rectify_days).ok()?;
        Some(StatutoryClock::new(
            self.opened_at,
            days,
            LimitKind::Committed,
        ))
    }

    /// The deadlines running now, for the one deadline index: `callback` until the call-back,
    /// `rectify` until the feedback (or the rating's removal). A deadline whose year's calendar
    /// is not loaded is left out.
    pub fn watches(&self, cal: &Calendar, now: DateTime<Utc>, rules: &WarningRules) -> Vec<Watch> {
        let mut out = Vec::new();
        if !self.stage.is_open() {
            return out;
        }
        let mut clocks = Vec::new();
        if self.stage == RectStage::Callback {
            if let Some(c) = self.callback_clock() {
                clocks.push((
                    "callback",
                    format!("差评回访期限（{} 个工作日）", self.callback_days),
                    c,
                ));
            }
        }
        if let Some(c) = self.rectify_clock() {
            clocks.push((
                "rectify",
                format!("差评整改期限（{} 个工作日）", self.rectify_days),
                c,
            ));
        }
        for (key, label, clock) in clocks {
            let (Ok(status), Ok(x)) = (clock.status(cal, now), crossings(&clock, cal, now, rules))
            else {
                continue;
            };
            out.push(Watch {
                key: key.into(),
                label,
                department_id: self.department_id,
                assignee_id: None,
                yellow_at: Some(x.yellow_at),
                red_at: x.red_at,
                light: light(&status, now, rules),
                suspended: false,
            });
        }
        out
    }

    /// The worst light of the running deadlines at `now`.
    pub fn light(&self, cal: &Calendar, now: DateTime<Utc>, rules: &WarningRules) -> Light {
        self.watches(cal, now, rules)
            .iter()
            .map(|w| w.light)
            .max_by_key(|l| l.rank())
            .unwrap_or(Light::Green)
    }
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    use super::*;

    fn at(m: u32, d: u32, h: u32) -> DateTime<Utc> {
        crate::time::shanghai()
            .with_ymd_and_hms(2026, m, d, h, 0, 0)
            .unwrap()
            .with_timezone(&Utc)
    }

    fn note(s: &str) -> Note {
        Note::parse(s).unwrap()
    }

    const DEPT: By = By {
        user_id: 5,
        department_id: 3,
    };
    const CENTRE: By = By {
        user_id: 1,
        department_id: 1,
    };

    fn opened(start: DateTime<Utc>) -> (Vec<(RectEvent, DateTime<Utc>)>, Rectification) {
        let e = Rectification::open(3, Level::Unsatisfied, 1, 5).unwrap();
        let log = vec![(e, start)];
        let r = Rectification::replay(log.iter().map(|(e, t)| (e, *t))).unwrap();
        (log, r)
    }

    fn step(
        log: &mut Vec<(RectEvent, DateTime<Utc>)>,
        r: &Rectification,
        cmd: Command,
        by: By,
        t: DateTime<Utc>,
    ) -> Result<Rectification, DomainError> {
        let e = r.decide(cmd, by)?;
        log.push((e, t));
        Ok(Rectification::replay(log.iter().map(|(e, t)| (e, *t))).unwrap())
    }

    #[test]
    fn only_a_bad_rating_opens_a_rectification() {
        assert_eq!(
            Rectification::open(3, Level::Basic, 1, 15)
                .unwrap_err()
                .code
                .as_str(),
            "rating.not_bad"
        );
        assert!(Rectification::open(3, Level::VeryUnsatisfied, 1, 15).is_ok());
    }

    #[test]
    fn a_bad_rating_is_called_back_verified_rectified_answered_and_rated_again() {
        let t0 = at(4, 2, 10);
        let (mut log, r) = opened(t0);
        assert_eq!(r.stage, RectStage::Callback);
        let code = |r: &Rectification, c: Command, by| r.decide(c, by).unwrap_err().code.as_str();
        // Out of order, wrong hands.
        assert_eq!(
            code(
                &r,
                Command::Verify {
                    verdict: Verdict::Founded,
                    note: note("属实")
                },
                DEPT
            ),
            "rating.stage"
        );
        assert_eq!(
            code(
                &r,
                Command::Rerate {
                    level: Level::Satisfied
                },
                DEPT
            ),
            "rating.rerate_early"
        );
        let r = step(
            &mut log,
            &r,
            Command::CallBack {
                note: note("已电话回访"),
            },
            CENTRE,
            t0,
        )
        .unwrap();
        assert_eq!(r.stage, RectStage::Verify);
        let verify = Command::Verify {
            verdict: Verdict::Founded,
            note: note("窗口等候过长属实"),
        };
        assert_eq!(code(&r, verify.clone(), CENTRE), "rating.unit");
        let r = step(&mut log, &r, verify, DEPT, t0).unwrap();
        assert_eq!(
            (r.stage, r.verdict),
            (RectStage::Rectify, Some(Verdict::Founded))
        );
        // Never closed without feedback to the rater.
        let no_feedback = Command::Close {
            measures: note("增开窗口"),
            feedback: "  ".into(),
        };
        assert_eq!(code(&r, no_feedback, DEPT), "rating.feedback");
        let r = step(
            &mut log,
            &r,
            Command::Close {
                measures: note("增开窗口"),
                feedback: "已增开两个窗口，感谢监督".into(),
            },
            DEPT,
            t0,
        )
        .unwrap();
        assert_eq!(r.stage, RectStage::Closed);
        assert!(r.feedback.is_some());
        let r = step(
            &mut log,
            &r,
            Command::Rerate {
                level: Level::Satisfied,
            },
            DEPT,
            t0,
        )
        .unwrap();
        assert_eq!(r.rerated, Some(Level::Satisfied));
        assert_eq!(
            code(
                &r,
                Command::Rerate {
                    level: Level::Basic
                },
                DEPT
            ),
            "rating.rerated"
        );
        // The log survives its wire form.
        let json: Vec<String> = log
            .iter()
            .map(|(e, _)| serde_json::to_string(e).unwrap())
            .collect();
        let back: Vec<RectEvent> = json
            .iter()
            .map(|s| serde_json::from_str(s).unwrap())
            .collect();
        assert_eq!(back, log.iter().map(|(e, _)| e.clone()).collect::<Vec<_>>());
    }

    #[test]
    fn an_appeal_is_decided_outside_the_appealing_department_and_a_removed_rating_stays() {
        let t0 = at(4, 2, 10);
        let (mut log, r) = opened(t0);
        let code = |r: &Rectification, c: Command, by| r.decide(c, by).unwrap_err().code.as_str();
        let decide = || Command::DecideAppeal {
            uphold: true,
            reason: note("证据表明系恶意评价"),
        };
        assert_eq!(code(&r, decide(), CENTRE), "rating.appeal_none");
        let r = step(
            &mut log,
            &r,
            Command::Appeal {
                reason: note("评价人未办理业务"),
            },
            DEPT,
            t0,
        )
        .unwrap();
        assert_eq!(
            code(
                &r,
                Command::Appeal {
                    reason: note("再次申诉")
                },
                DEPT
            ),
            "rating.appeal_pending"
        );
        assert_eq!(code(&r, decide(), DEPT), "rating.appeal_own");
        let r = step(&mut log, &r, decide(), CENTRE, t0).unwrap();
        assert!(r.removed());
        assert_eq!(
            r.level,
            Level::Unsatisfied,
            "the rating itself stays in the record"
        );
        assert_eq!(code(&r, decide(), CENTRE), "rating.appeal_decided");
        assert!(r
            .watches(&Calendar::shipped(), t0, &WarningRules::default())
            .is_empty());
    }

    #[test]
    fn the_deadlines_run_on_working_days_across_a_holiday() {
        // Thursday 2 April 2026: 清明 is Saturday 4 to Monday 6 April.
        let t0 = at(4, 2, 10);
        let (mut log, r) = opened(t0);
        let cal = Calendar::shipped();
        let rules = WarningRules::default();
        let w = r.watches(&cal, t0, &rules);
        let keys: Vec<_> = w.iter().map(|w| w.key.as_str()).collect();
        assert_eq!(keys, ["callback", "rectify"]);
        // Call-back: 1 working day, due end of Friday 3 April.
        assert_eq!(w[0].red_at, at(4, 4, 0));
        assert_eq!(
            r.light(&cal, at(4, 6, 12), &rules),
            Light::Red,
            "the call-back is late"
        );
        // Rectification: 5 working days (3, 7, 8, 9, 10 April), due end of Friday 10 April.
        assert_eq!(w[1].red_at, at(4, 11, 0));
        let r = step(
            &mut log,
            &r,
            Command::CallBack {
                note: note("已回访"),
            },
            CENTRE,
            at(4, 3, 9),
        )
        .unwrap();
        let w = r.watches(&cal, at(4, 6, 12), &rules);
        assert_eq!(w.len(), 1);
        assert_eq!(w[0].light, Light::Green, "on the holiday nothing has moved");
        assert_eq!(r.light(&cal, at(4, 10, 9), &rules), Light::Yellow);
        assert_eq!(r.light(&cal, at(4, 13, 9), &rules), Light::Red);
    }
}
