//! The violation detectors: for each rule, a log that fires it and one that must not. Clean logs
//! come from the engine; violating ones are crafted, as a record written outside the engine
//! would be.

use chrono::{DateTime, Duration, Utc};
use tongban_domain::case::*;
use tongban_domain::catalog::{Delivery, Fee};
use tongban_domain::org::Actor;
use tongban_domain::supervision::detect::{
    double_intake, multiple_places, scan, Finding, Intake, IntakePlace, Logged, OpenMatter, Rule,
    Scan,
};

mod common;
use common::*;

/// A case's log as the store keeps it.
struct Log {
    entries: Vec<Logged>,
    case: Case,
}

impl Log {
    fn start(w: &World, materials: &[&str]) -> Log {
        let d = w.submit(materials);
        let mut log = Log {
            entries: vec![],
            case: d.case.clone(),
        };
        log.record(&d.events, Some(staff(100)), w.now, w.now);
        log
    }

    fn record(
        &mut self,
        events: &[CaseEvent],
        by: Option<StaffRef>,
        at: DateTime<Utc>,
        recorded: DateTime<Utc>,
    ) {
        for e in events {
            self.entries.push(Logged {
                seq: self.entries.len() as i64 + 1,
                event: e.clone(),
                by: by.clone(),
                at,
                recorded_at: recorded,
            });
        }
    }

    /// Runs a command through the engine and logs what it did.
    fn act(&mut self, w: &World, who: &Actor, cmd: Command) {
        let d = w.run(&self.case, who, cmd).expect("the engine accepts it");
        self.record(&d.events, Some(staff(who.user_id)), w.now, w.now);
        self.case = d.case;
    }

    fn tick(&mut self, w: &World) {
        let d = w.tick(&self.case);
        self.record(&d.events, None, w.now, w.now);
        self.case = d.case;
    }

    /// Appends an event the engine never produced, as someone writing outside it would.
    fn craft(&mut self, by: &Actor, event: CaseEvent, at: DateTime<Utc>, recorded: DateTime<Utc>) {
        self.case.apply(&event, Some(&staff(by.user_id)), at);
        self.record(&[event], Some(staff(by.user_id)), at, recorded);
    }

    fn findings(&self, w: &World, in_force: bool) -> Vec<Finding> {
        scan(
            &self.entries,
            &Scan {
                item: &w.item,
                version_in_force: in_force,
                cal: &w.cal,
                now: w.now,
                backdate_limit: Duration::hours(24),
            },
        )
    }

    fn fired(&self, w: &World) -> Vec<Rule> {
        self.findings(w, true).into_iter().map(|f| f.rule).collect()
    }
}

fn all() -> Command {
    Command::Accept {
        check: check(&["m1", "m2", "m3"]),
    }
}

fn approve(step: &str) -> Command {
    Command::Decide {
        step: step.into(),
        approve: true,
        opinion: "符合".into(),
    }
}

fn with_fee(w: &mut World) {
    w.item.fees = vec![Fee {
        name: "工本费".into(),
        basis: "发改价格〔2019〕914号".into(),
        amount_fen: 2000,
    }];
}

/// A case carried lawfully to its end by the engine.
fn lawful(w: &mut World) -> Log {
    with_fee(w);
    let mut log = Log::start(w, &["m1", "m2", "m3"]);
    log.act(w, &clerk(), all());
    log.act(w, &approver(), approve("s2a"));
    log.act(w, &wjw_approver(), approve("s2b"));
    log.act(w, &head(), approve("s3"));
    log.act(
        w,
        &clerk(),
        Command::PayFee {
            reference: "P1".into(),
            amount_fen: 2000,
        },
    );
    log.act(
        w,
        &clerk(),
        Command::Deliver {
            method: Delivery::Window,
            note: String::new(),
        },
    );
    log
}

#[test]
fn a_lawful_case_raises_nothing() {
    let mut w = World::new();
    let log = lawful(&mut w);
    assert_eq!(log.case.status, CaseStatus::Closed);
    assert_eq!(log.fired(&w), vec![]);
}

#[test]
fn acceptance_under_a_version_not_in_force_is_improper() {
    let mut w = World::new();
    let log = lawful(&mut w);
    let f = log.findings(&w, false);
    assert_eq!(f.len(), 1);
    assert_eq!(f[0].rule, Rule::ImproperAcceptance);
    assert_eq!(f[0].person, Some(10), "the clerk who accepted");
}

#[test]
fn acceptance_with_a_required_material_missing_is_improper_unless_deferrable() {
    let w = World::new();
    // m2 is required and not deferrable: accepted anyway by a crafted record.
    let mut log = Log::start(&w, &["m1", "m3"]);
    let accepted = CaseEvent::Accepted {
        by_law: false,
        from: w.now,
        deferred: vec![],
        deferred_due: None,
        fees: vec![],
        document: "受X".into(),
    };
    log.craft(&clerk(), accepted, w.now, w.now);
    assert_eq!(log.fired(&w), vec![Rule::ImproperAcceptance]);
    // m3 is deferrable: the engine's 容缺 acceptance raises nothing.
    let mut ok = Log::start(&w, &["m1", "m2"]);
    ok.act(
        &w,
        &clerk(),
        Command::Accept {
            check: check(&["m1", "m2"]),
        },
    );
    assert_eq!(ok.fired(&w), vec![]);
}

#[test]
fn a_refusal_without_reason_or_filing_is_caught() {
    let w = World::new();
    let mut log = Log::start(&w, &["m1"]);
    log.craft(
        &clerk(),
        CaseEvent::NotAccepted {
            reason: " ".into(),
            document: "不受X".into(),
        },
        w.now,
        w.now,
    );
    let fired = log.fired(&w);
    assert!(fired.contains(&Rule::ImproperAcceptance));
    assert!(fired.contains(&Rule::NegativeNotFiled));
    // The engine's refusal has a reason and its filing.
    let mut ok = Log::start(&w, &["m1"]);
    ok.act(
        &w,
        &clerk(),
        Command::NotAccept {
            reason: "不属于本机关职权范围".into(),
        },
    );
    assert_eq!(ok.fired(&w), vec![]);
}

#[test]
fn a_step_done_out_of_order_or_by_another_post_is_a_process_error() {
    let w = World::new();
    let mut log = Log::start(&w, &["m1", "m2", "m3"]);
    log.act(&w, &clerk(), all());
    // s3 while the parallel group is still open.
    let skip = CaseEvent::StepDecided {
        step: "s3".into(),
        outcome: StepOutcome::Approve,
        opinion: String::new(),
        rule: None,
        meeting: false,
    };
    log.craft(&head(), skip, w.now, w.now);
    assert_eq!(log.fired(&w), vec![Rule::ProcessError]);
    // s2a decided by 卫健 approver, who is not on it.
    let mut log = Log::start(&w, &["m1", "m2", "m3"]);
    log.act(&w, &clerk(), all());
    let wrong = CaseEvent::StepDecided {
        step: "s2a".into(),
        outcome: StepOutcome::Approve,
        opinion: String::new(),
        rule: None,
        meeting: false,
    };
    log.craft(&wjw_approver(), wrong, w.now, w.now);
    let f = log.findings(&w, true);
    assert_eq!(f.len(), 1);
    assert_eq!(
        (f[0].rule, f[0].person, f[0].step.as_deref()),
        (Rule::ProcessError, Some(21), Some("s2a"))
    );
}

#[test]
fn a_deemed_approval_and_an_overdue_case_are_reported() {
    let mut w = World::new();
    let mut log = Log::start(&w, &["m1", "m2", "m3"]);
    log.act(&w, &clerk(), all());
    log.act(&w, &approver(), approve("s2a"));
    assert_eq!(log.fired(&w), vec![], "in time");
    // s2b (4 days) is deemed approved after Friday 6 March.
    w.now += Duration::days(5);
    log.tick(&w);
    let f = log.findings(&w, true);
    assert_eq!(f.len(), 1);
    assert_eq!(
        (f[0].rule, f[0].step.as_deref()),
        (Rule::Overdue, Some("s2b"))
    );
    // Weeks later s3 is still open: the step and the case (10 committed days) are overdue.
    w.now += Duration::days(21);
    let fired = log.fired(&w);
    assert_eq!(
        fired.iter().filter(|r| **r == Rule::Overdue).count(),
        3,
        "{fired:?}"
    );
}

#[test]
fn a_record_entered_long_after_the_fact_is_outside_the_system() {
    let w = World::new();
    let mut log = Log::start(&w, &["m1", "m2", "m3"]);
    let three_days_ago = w.now - Duration::days(3);
    let accepted = CaseEvent::Accepted {
        by_law: false,
        from: three_days_ago,
        deferred: vec![],
        deferred_due: None,
        fees: vec![],
        document: "受X".into(),
    };
    log.craft(&clerk(), accepted, three_days_ago, w.now);
    assert_eq!(log.fired(&w), vec![Rule::OutsideSystem]);
    // Within the limit is normal entry delay.
    let mut ok = Log::start(&w, &["m1", "m2", "m3"]);
    let accepted = CaseEvent::Accepted {
        by_law: false,
        from: w.now,
        deferred: vec![],
        deferred_due: None,
        fees: vec![],
        document: "受X".into(),
    };
    ok.craft(&clerk(), accepted, w.now - Duration::hours(2), w.now);
    assert_eq!(ok.fired(&w), vec![]);
}

#[test]
fn a_case_created_already_decided_is_outside_the_system() {
    let w = World::new();
    let mut log = Log::start(&w, &["m1", "m2", "m3"]);
    let decided = CaseEvent::Decided {
        outcome: Outcome::Approved,
        reason: String::new(),
        document: "准X".into(),
    };
    log.craft(&head(), decided, w.now, w.now);
    assert_eq!(log.fired(&w), vec![Rule::OutsideSystem]);
}

#[test]
fn a_second_notice_asking_for_something_new_breaks_one_notice() {
    let w = World::new();
    let mut log = Log::start(&w, &["m1"]);
    log.act(
        &w,
        &clerk(),
        Command::NoticeSupplement {
            items: vec![("m2".into(), "缺".into())],
        },
    );
    log.act(
        &w,
        &applicant(),
        Command::AddMaterials {
            materials: files(&["m2"]),
        },
    );
    log.act(
        &w,
        &clerk(),
        Command::NoticeSupplement {
            items: vec![("m2".into(), "仍不清晰".into())],
        },
    );
    assert_eq!(
        log.fired(&w),
        vec![],
        "repeating the first notice is allowed"
    );
    let second = CaseEvent::SupplementNoticed {
        items: vec![("m3".into(), "又缺".into())],
        document: "补X-3".into(),
    };
    log.craft(&clerk(), second, w.now, w.now);
    assert_eq!(log.fired(&w), vec![Rule::SecondNotice]);
}

#[test]
fn fees_not_listed_above_the_standard_or_before_payment_are_illegal() {
    let mut w = World::new();
    with_fee(&mut w);
    let mut log = Log::start(&w, &["m1", "m2", "m3"]);
    log.act(&w, &clerk(), all());
    let extra = CaseEvent::FeesAssessed {
        fees: vec![
            Fee {
                name: "加急费".into(),
                basis: String::new(),
                amount_fen: 5000,
            },
            Fee {
                name: "工本费".into(),
                basis: String::new(),
                amount_fen: 3000,
            },
        ],
    };
    log.craft(&clerk(), extra, w.now, w.now);
    let fired = log.fired(&w);
    assert_eq!(
        fired,
        vec![Rule::IllegalFee, Rule::IllegalFee],
        "unlisted, and above the standard"
    );

    // A result handed out before payment.
    let mut log = Log::start(&w, &["m1", "m2", "m3"]);
    log.act(&w, &clerk(), all());
    log.act(&w, &approver(), approve("s2a"));
    log.act(&w, &wjw_approver(), approve("s2b"));
    log.act(&w, &head(), approve("s3"));
    log.craft(
        &clerk(),
        CaseEvent::Delivered {
            method: Delivery::Window,
            note: String::new(),
        },
        w.now,
        w.now,
    );
    assert_eq!(log.fired(&w), vec![Rule::IllegalFee]);
}

#[test]
fn the_same_matter_open_in_two_places_is_multiple_approval() {
    let m = |n: &str, dept, hall| OpenMatter {
        number: n.into(),
        applicant_id_code: "91350100M000100Y43".into(),
        basic_code: "XK00601001".into(),
        department_id: dept,
        hall_id: hall,
    };
    let f = multiple_places(&[m("A", 1, Some(1)), m("B", 1, Some(2))]);
    assert_eq!(f.len(), 1);
    assert!(f[0].detail.contains('A') && f[0].detail.contains('B'));
    assert!(multiple_places(&[m("A", 1, Some(1))]).is_empty());
    let other = OpenMatter {
        basic_code: "XK00101001".into(),
        ..m("C", 2, None)
    };
    assert!(multiple_places(&[m("A", 1, Some(1)), other]).is_empty());
}

/// One intake of 食品经营许可 by the same company, `days` after Monday at the given place.
fn intake(number: &str, place: IntakePlace, days: i64, open: bool) -> Intake {
    Intake {
        number: number.into(),
        applicant_id_code: "91350100M000100Y43".into(),
        basic_code: "XK00601001".into(),
        place,
        received_at: monday() + Duration::days(days),
        open,
        received_by: match place {
            IntakePlace::Desk => Some(12),
            _ => Some(10),
        },
    }
}

#[test]
fn the_same_matter_taken_at_the_centre_and_at_a_department_desk_is_double_intake() {
    use tongban_domain::org::HallKind;
    // What counts as which place.
    assert_eq!(
        IntakePlace::of(Channel::Window, Some(HallKind::Centre)),
        IntakePlace::Centre
    );
    assert_eq!(
        IntakePlace::of(Channel::Agent, Some(HallKind::SubHall)),
        IntakePlace::Centre
    );
    assert_eq!(IntakePlace::of(Channel::Window, None), IntakePlace::Desk);
    assert_eq!(IntakePlace::of(Channel::Online, None), IntakePlace::Other);
    assert_eq!(
        IntakePlace::of(Channel::Village, Some(HallKind::Village)),
        IntakePlace::Other
    );

    // The desk takes it in ten days after the centre, both since closed: within 30 days.
    let centre = intake("A", IntakePlace::Centre, 0, false);
    let desk = intake("B", IntakePlace::Desk, 10, false);
    let hits = double_intake(&desk, std::slice::from_ref(&centre), 30);
    assert_eq!(hits.len(), 1);
    assert_eq!(hits[0].other, "A");
    let f = &hits[0].finding;
    assert_eq!(f.rule, Rule::DoubleIntake);
    assert_eq!(f.rule.as_str(), "double_intake");
    assert_eq!(f.rule.label(), "两头受理");
    assert!(f.detail.contains("中心窗口受理（A）") && f.detail.contains("受理点受理（B）"));
    assert_eq!(f.person, Some(12), "the desk's receiver answers for it");
    // Seen from the centre's case it is the same pair.
    let back = double_intake(&centre, std::slice::from_ref(&desk), 30);
    assert_eq!(back.len(), 1);
    assert_eq!(back[0].other, "B");
    // Far apart in time, but both still open: still two intakes of one matter.
    let late = intake("C", IntakePlace::Desk, 200, true);
    let open_centre = intake("A", IntakePlace::Centre, 0, true);
    assert_eq!(double_intake(&late, &[open_centre], 30).len(), 1);
}

#[test]
fn the_same_matter_twice_at_the_centre_or_far_apart_is_not_double_intake() {
    let centre = intake("A", IntakePlace::Centre, 0, true);
    // Twice at the centre: not two ends.
    assert!(double_intake(
        &intake("B", IntakePlace::Centre, 1, true),
        std::slice::from_ref(&centre),
        30
    )
    .is_empty());
    // Online and at the centre: the network's own channels (multiple approval watches that).
    assert!(double_intake(
        &intake("B", IntakePlace::Other, 1, true),
        std::slice::from_ref(&centre),
        30
    )
    .is_empty());
    // A desk intake 31 days after a centre case that has since closed.
    let closed = intake("A", IntakePlace::Centre, 0, false);
    assert!(double_intake(
        &intake("B", IntakePlace::Desk, 31, true),
        std::slice::from_ref(&closed),
        30
    )
    .is_empty());
    assert_eq!(
        double_intake(&intake("B", IntakePlace::Desk, 30, true), &[closed], 30).len(),
        1,
        "30 days apart is still within 30"
    );
    // Another matter or another applicant.
    let other_item = Intake {
        basic_code: "XK00101001".into(),
        ..intake("B", IntakePlace::Desk, 1, true)
    };
    assert!(double_intake(&other_item, std::slice::from_ref(&centre), 30).is_empty());
    let other_person = Intake {
        applicant_id_code: "11010519491231002X".into(),
        ..intake("B", IntakePlace::Desk, 1, true)
    };
    assert!(double_intake(&other_person, std::slice::from_ref(&centre), 30).is_empty());
    // The case itself in the list does not pair with itself.
    assert!(double_intake(&centre, std::slice::from_ref(&centre), 30).is_empty());
}

#[test]
fn one_backdated_act_is_one_finding_with_every_event_as_evidence() {
    let w = World::new();
    let mut log = Log::start(&w, &["m1", "m2", "m3"]);
    let d = w
        .run(&log.case, &clerk(), all())
        .expect("the engine accepts it");
    assert!(d.events.len() > 1, "an acceptance writes several events");
    let three_days_ago = w.now - Duration::days(3);
    log.record(
        &d.events,
        Some(staff(clerk().user_id)),
        three_days_ago,
        w.now,
    );
    log.case = d.case;
    let outside = |log: &Log| -> Vec<Finding> {
        log.findings(&w, true)
            .into_iter()
            .filter(|f| f.rule == Rule::OutsideSystem)
            .collect()
    };
    let found = outside(&log);
    assert_eq!(found.len(), 1, "{found:?}");
    let first = log.entries.len() - d.events.len() + 1;
    let seqs: Vec<i64> = (first as i64..=log.entries.len() as i64).collect();
    assert_eq!(
        found[0].evidence, seqs,
        "every event of the act is evidence"
    );

    // Another act entered late, at another instant, is another finding.
    let d = w
        .run(&log.case, &approver(), approve("s2a"))
        .expect("the engine accepts it");
    log.record(
        &d.events,
        Some(staff(approver().user_id)),
        three_days_ago,
        w.now + Duration::minutes(5),
    );
    assert_eq!(outside(&log).len(), 2);
}

#[test]
fn a_refusal_after_a_notice_that_left_out_a_missing_material_breaks_one_notice() {
    let w = World::new();
    let mut log = Log::start(&w, &["m1"]);
    // A notice the engine would refuse today (it leaves out m2), as an old record or one written
    // outside the engine would hold it; the window is then trapped into refusing.
    let notice = CaseEvent::SupplementNoticed {
        items: vec![("m3".into(), "平面布局图未标注尺寸".into())],
        document: "补X-1".into(),
    };
    log.craft(&clerk(), notice, w.now, w.now);
    log.act(
        &w,
        &clerk(),
        Command::NotAccept {
            reason: "材料不齐全".into(),
        },
    );
    let found = log.findings(&w, true);
    let trapped: Vec<&Finding> = found
        .iter()
        .filter(|f| f.rule == Rule::SecondNotice)
        .collect();
    assert_eq!(trapped.len(), 1, "{found:?}");
    assert!(trapped[0].detail.contains("营业执照复印件"));

    // A complete notice and a refusal for another reason is no finding.
    let mut log = Log::start(&w, &["m1"]);
    log.act(
        &w,
        &clerk(),
        Command::NoticeSupplement {
            items: vec![("m2".into(), "缺".into())],
        },
    );
    log.act(
        &w,
        &clerk(),
        Command::NotAccept {
            reason: "逾期未补正".into(),
        },
    );
    assert_eq!(log.fired(&w), vec![]);
}
