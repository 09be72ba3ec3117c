//! The case engine, rule by rule: every test drives cases through `receive`/`handle` with a
//! simulated instant, and checks what the law requires happened (or was refused).

use std::collections::BTreeMap;

use chrono::{DateTime, Duration, NaiveDate, TimeZone, Utc};
use tongban_domain::calendar::{SpanCounting, SuspensionKind};
use tongban_domain::case::document::DocKind;
use tongban_domain::case::engine::missing_materials;
use tongban_domain::case::offers::Action;
use tongban_domain::case::*;
use tongban_domain::catalog::{Delivery, Fee, HandlingKind};
use tongban_domain::codes;
use tongban_domain::org::{Actor, Role};
use tongban_domain::region::RegionCode;

mod common;
use common::*;

#[test]
fn an_online_application_is_received_with_a_receipt_and_no_responder_yet() {
    let w = World::new();
    let d = w.submit(&["m1", "m2"]);
    assert_eq!(d.case.status, CaseStatus::Received);
    assert_eq!(d.case.number.as_str(), "361200-20260302-000001");
    assert!(
        d.case.first_responder.is_none(),
        "an applicant is not a 首问责任人"
    );
    assert_eq!(d.documents.len(), 1);
    assert_eq!(d.documents[0].kind, DocKind::Receipt);
    assert_eq!(missing_materials(&d.case, &w.item), vec!["m3".to_string()]);
}

#[test]
fn only_the_applicant_files_online_for_themself_and_only_agents_file_as_agents() {
    let w = World::new();
    let sub = |channel, user_id| Submission {
        applicant: Party {
            kind: PartyKind::Person,
            name: "张三".into(),
            id_code: "11010519491231002X".into(),
            phone: "13800001234".into(),
            email: None,
            user_id,
        },
        channel,
        intake_hall_id: None,
        pickup_hall_id: None,
        delivery: Delivery::Window,
        materials: BTreeMap::new(),
        form: BTreeMap::new(),
    };
    let n = || CaseNumber::parse("361200-20260302-000009").unwrap();
    let a = applicant();
    let someone_else = sub(Channel::Online, Some(999));
    let err = receive(someone_else, n(), 7, 1, &w.ctx(Who::Person(&a))).unwrap_err();
    assert_eq!(err.code, codes::Case::ChannelNotAllowed);
    let err = receive(
        sub(Channel::Agent, None),
        n(),
        7,
        1,
        &w.ctx(Who::Person(&a)),
    )
    .unwrap_err();
    assert_eq!(err.code, codes::Case::ChannelNotAllowed);
    let agent = person(101, Role::Agent, None);
    let agent = Actor {
        region: Some(RegionCode::parse("361202").unwrap()),
        ..agent
    };
    let d = receive(
        sub(Channel::Village, None),
        n(),
        7,
        1,
        &w.ctx(Who::Person(&agent)),
    )
    .unwrap();
    assert_eq!(
        d.case.agent,
        Some(staff(101)),
        "the agent is recorded as such"
    );
    assert_eq!(d.case.first_responder, None);
    // A clerk of another department cannot take a walk-in for this item.
    let other = person(30, Role::Clerk, Some(3));
    let err = receive(
        sub(Channel::Window, None),
        n(),
        7,
        1,
        &w.ctx(Who::Person(&other)),
    )
    .unwrap_err();
    assert_eq!(err.code, codes::Case::ChannelNotAllowed);
    // A clerk of the department can, and becomes 首问责任人.
    let d = receive(
        sub(Channel::Window, None),
        n(),
        7,
        1,
        &w.ctx(Who::Person(&clerk())),
    )
    .unwrap();
    assert_eq!(d.case.first_responder, Some(staff(10)));
}

#[test]
fn unknown_materials_and_undelivered_ways_are_refused_at_submission() {
    let mut w = World::new();
    w.item.delivery = vec![Delivery::Window];
    let a = applicant();
    let mut sub = Submission {
        applicant: Party {
            kind: PartyKind::Person,
            name: "张三".into(),
            id_code: "11010519491231002X".into(),
            phone: "13800001234".into(),
            email: None,
            user_id: Some(100),
        },
        channel: Channel::Online,
        intake_hall_id: None,
        pickup_hall_id: None,
        delivery: Delivery::Post,
        materials: files(&["m1"]),
        form: BTreeMap::new(),
    };
    let n = || CaseNumber::parse("361200-20260302-000009").unwrap();
    let err = receive(sub.clone(), n(), 7, 1, &w.ctx(Who::Person(&a))).unwrap_err();
    assert_eq!(err.code, codes::Case::DeliveryNotOffered);
    sub.delivery = Delivery::Window;
    sub.materials = files(&["m9"]);
    let err = receive(sub, n(), 7, 1, &w.ctx(Who::Person(&a))).unwrap_err();
    assert_eq!(err.code, codes::Case::MaterialUnknown);
}

#[test]
fn incomplete_materials_cannot_be_accepted_and_get_one_notice_listing_everything() {
    let w = World::new();
    let case = w.submit(&["m1"]).case;
    let err = w
        .run(
            &case,
            &clerk(),
            Command::Accept {
                check: check(&["m1"]),
            },
        )
        .unwrap_err();
    assert_eq!(err, codes::Case::MaterialsIncomplete);
    let d = w
        .run(
            &case,
            &clerk(),
            Command::NoticeSupplement {
                items: vec![
                    ("m2".into(), "未提交营业执照复印件".into()),
                    ("m3".into(), "平面布局图未标注尺寸".into()),
                ],
            },
        )
        .unwrap();
    assert_eq!(d.case.status, CaseStatus::AwaitingSupplement);
    assert_eq!(
        d.case.first_responder,
        Some(staff(10)),
        "the clerk owns the question now"
    );
    let notice = &d.documents[0];
    assert_eq!(notice.kind, DocKind::Supplement);
    assert!(notice
        .paragraphs
        .iter()
        .any(|p| p.contains("营业执照复印件")));
    assert!(notice
        .paragraphs
        .iter()
        .any(|p| p.contains("平面布局图未标注尺寸")));
    // The supplement stops the 5-day intake clock.
    assert!(d.case.intake_clock.is_suspended(w.now));
}

#[test]
fn the_first_notice_must_list_every_required_material_not_handed_in() {
    let w = World::new();
    // m2 (营业执照复印件) is required and not handed in; m3 may come later (容缺).
    let case = w.submit(&["m1"]).case;
    let err = handle(
        &case,
        Command::NoticeSupplement {
            items: vec![("m3".into(), "平面布局图未标注尺寸".into())],
        },
        &w.ctx(Who::Person(&clerk())),
    )
    .unwrap_err();
    assert_eq!(err.code, codes::Case::NoticeIncomplete);
    assert!(err.message.contains("营业执照复印件"), "{}", err.message);
    // Listing it is enough; the deferrable one may be left to the acceptance.
    w.ok(
        &case,
        &clerk(),
        Command::NoticeSupplement {
            items: vec![("m2".into(), "未提交营业执照复印件".into())],
        },
    );
}

#[test]
fn a_second_notice_may_not_ask_for_anything_new() {
    let w = World::new();
    let case = w.submit(&["m1"]).case;
    let case = w.ok(
        &case,
        &clerk(),
        Command::NoticeSupplement {
            items: vec![("m2".into(), "缺".into())],
        },
    );
    let case = w.ok(
        &case,
        &applicant(),
        Command::AddMaterials {
            materials: files(&["m2"]),
        },
    );
    assert_eq!(case.status, CaseStatus::Received);
    let err = w
        .run(
            &case,
            &clerk(),
            Command::NoticeSupplement {
                items: vec![("m3".into(), "又缺".into())],
            },
        )
        .unwrap_err();
    assert_eq!(err, codes::Case::SecondNotice);
    // Repeating what the first notice asked for (the file is still wrong) is allowed.
    w.ok(
        &case,
        &clerk(),
        Command::NoticeSupplement {
            items: vec![("m2".into(), "仍不清晰".into())],
        },
    );
}

#[test]
fn without_a_decision_or_notice_in_five_working_days_the_case_is_accepted_by_law() {
    let mut w = World::new();
    let case = w.submit(&["m1", "m2"]).case;
    // Five working days after Monday 2 March end on Monday 9 March.
    w.now = Utc.with_ymd_and_hms(2026, 3, 9, 15, 0, 0).unwrap();
    assert!(
        w.tick(&case).events.is_empty(),
        "on the fifth day it is still in time"
    );
    assert_eq!(
        next_timer(&case, &w.cal, w.now),
        Some(Utc.with_ymd_and_hms(2026, 3, 9, 16, 0, 0).unwrap())
    );
    w.now = Utc.with_ymd_and_hms(2026, 3, 9, 16, 0, 1).unwrap();
    let d = w.tick(&case);
    let acc = d.case.accepted.as_ref().expect("accepted by law");
    assert!(acc.by_law);
    assert_eq!(
        acc.from, case.received_at,
        "counted from the day the materials arrived"
    );
    assert_eq!(d.case.status, CaseStatus::InProgress);
    assert_eq!(open_keys(&d.case), vec!["s2a", "s2b"]);
    // Issue 15: its 受理通知书 says acceptance by operation of law from the day of receipt,
    // bears that date, and claims no examination that did not happen.
    let notice = d
        .documents
        .iter()
        .find(|x| x.kind == DocKind::Acceptance)
        .expect("a 受理通知书");
    let text = notice.paragraphs.join("\n");
    assert!(!text.contains("经审查"), "{text}");
    assert!(!text.contains("决定予以受理"), "{text}");
    assert!(text.contains("第三十二条第一款第（四）项"), "{text}");
    assert!(
        text.contains("自收到申请材料之日即2026年03月02日起依法视为受理"),
        "{text}"
    );
    assert!(text.contains("受理日期：2026年03月02日"), "{text}");
}

#[test]
fn a_notice_in_time_prevents_acceptance_by_law() {
    let mut w = World::new();
    let case = w.submit(&["m1"]).case;
    let case = w.ok(
        &case,
        &clerk(),
        Command::NoticeSupplement {
            items: vec![("m2".into(), "缺".into())],
        },
    );
    w.now += Duration::days(30);
    assert!(w.tick(&case).events.is_empty());
    assert_eq!(next_timer(&case, &w.cal, w.now), None);
}

#[test]
fn acceptance_opens_the_parallel_group_with_each_post_assigned() {
    let w = World::new();
    let case = accepted(&w);
    assert_eq!(case.status, CaseStatus::InProgress);
    assert_eq!(open_keys(&case), vec!["s2a", "s2b"]);
    assert_eq!(case.step("s2a").unwrap().assignee, Some(staff(11)));
    assert_eq!(case.step("s2b").unwrap().assignee, Some(staff(21)));
    assert_eq!(case.step("s1").unwrap().outcome, Some(StepOutcome::Approve));
    let clock = case.clock.as_ref().unwrap();
    assert_eq!(clock.limit.get(), 10, "the committed limit");
    assert_eq!(case.statutory_clock.as_ref().unwrap().limit.get(), 20);
}

#[test]
fn a_step_is_decided_only_by_its_post_in_its_department() {
    let w = World::new();
    let case = accepted(&w);
    let approve = |step: &str| Command::Decide {
        step: step.into(),
        approve: true,
        opinion: String::new(),
    };
    assert_eq!(
        w.run(&case, &wjw_approver(), approve("s2a")).unwrap_err(),
        codes::Case::NotYourStep
    );
    assert_eq!(
        w.run(
            &case,
            &person(13, Role::Approver, Some(SCJG)),
            approve("s2a")
        )
        .unwrap_err(),
        codes::Case::NotYourStep,
        "the substitute does not act while the holder is in"
    );
    assert_eq!(
        w.run(&case, &applicant(), approve("s2a")).unwrap_err(),
        codes::Case::NotYourStep
    );
    assert_eq!(
        w.run(&case, &head(), approve("s3")).unwrap_err(),
        codes::Case::StepNotOpen,
        "steps are done in order"
    );
    let after = w.ok(&case, &approver(), approve("s2a"));
    assert_eq!(open_keys(&after), vec!["s2b"]);
}

#[test]
fn the_substitute_acts_while_the_holder_is_away() {
    let mut w = World::new();
    w.posts = posts(true);
    let case = accepted(&w);
    assert_eq!(case.step("s2a").unwrap().assignee, Some(staff(13)));
    w.ok(
        &case,
        &person(13, Role::Approver, Some(SCJG)),
        Command::Decide {
            step: "s2a".into(),
            approve: true,
            opinion: String::new(),
        },
    );
}

#[test]
fn a_branch_is_deemed_approved_at_its_timeout_only_where_the_item_allows() {
    let mut w = World::new();
    let case = accepted(&w);
    let case = w.ok(
        &case,
        &approver(),
        Command::Decide {
            step: "s2a".into(),
            approve: true,
            opinion: "现场符合".into(),
        },
    );
    // s2b has 4 working days from Monday 2 March: due Friday 6 March.
    w.now = Utc.with_ymd_and_hms(2026, 3, 6, 15, 59, 0).unwrap();
    assert!(w.tick(&case).events.is_empty());
    w.now = Utc.with_ymd_and_hms(2026, 3, 6, 16, 0, 1).unwrap();
    let d = w.tick(&case);
    let deemed = d
        .events
        .iter()
        .find_map(|e| match e {
            CaseEvent::StepDecided {
                step,
                outcome: StepOutcome::DeemedApprove,
                rule,
                ..
            } => Some((step.clone(), rule.clone())),
            _ => None,
        })
        .expect("deemed approval recorded");
    assert_eq!(deemed.0, "s2b");
    assert!(
        deemed.1.unwrap().contains("超时默认"),
        "the rule that applied is recorded"
    );
    assert_eq!(open_keys(&d.case), vec!["s3"]);

    // The lead branch has no deemed approval: overdue, it stays open.
    let mut w2 = World::new();
    let case = accepted(&w2);
    w2.now += Duration::days(40);
    let d = w2.tick(&case);
    assert!(open_keys(&d.case).contains(&"s2a".to_string()));
    assert_eq!(d.case.step("s2a").unwrap().outcome, None);
}

#[test]
fn a_disagreement_refuses_the_application_with_reasons_and_files_it_with_supervision() {
    let w = World::new();
    let case = accepted(&w);
    let err = w
        .run(
            &case,
            &wjw_approver(),
            Command::Decide {
                step: "s2b".into(),
                approve: false,
                opinion: " ".into(),
            },
        )
        .unwrap_err();
    assert_eq!(err, codes::Case::ReasonRequired);
    let d = w
        .run(
            &case,
            &wjw_approver(),
            Command::Decide {
                step: "s2b".into(),
                approve: false,
                opinion: "加工场所卫生条件不符合要求".into(),
            },
        )
        .unwrap();
    let decision = d.case.decision.as_ref().unwrap();
    assert_eq!(decision.outcome, Outcome::Refused);
    assert_eq!(d.case.status, CaseStatus::Decided);
    assert!(d.events.iter().any(
        |e| matches!(e, CaseEvent::NegativeFiled { reason, .. } if reason.contains("卫生条件"))
    ));
    let refusal = d
        .documents
        .iter()
        .find(|x| x.kind == DocKind::Refusal)
        .unwrap();
    assert!(
        refusal.paragraphs.iter().any(|p| p.contains("行政复议")),
        "the right to review is told"
    );
}

#[test]
fn refusing_at_intake_needs_a_reason_and_is_filed_with_supervision() {
    let w = World::new();
    let case = w.submit(&["m1"]).case;
    assert_eq!(
        w.run(&case, &clerk(), Command::NotAccept { reason: "".into() })
            .unwrap_err(),
        codes::Case::ReasonRequired
    );
    let d = w
        .run(
            &case,
            &clerk(),
            Command::NotAccept {
                reason: "申请事项不属于本机关职权范围".into(),
            },
        )
        .unwrap();
    assert_eq!(d.case.status, CaseStatus::NotAccepted);
    assert!(d
        .events
        .iter()
        .any(|e| matches!(e, CaseEvent::NegativeFiled { .. })));
    assert!(d.documents.iter().any(|x| x.kind == DocKind::NonAcceptance));
}

#[test]
fn a_deferrable_material_is_accepted_with_a_deadline_and_suspends_the_case_when_missed() {
    let mut w = World::new();
    let case = w.submit(&["m1", "m2"]).case;
    let case = w.ok(
        &case,
        &clerk(),
        Command::Accept {
            check: check(&["m1", "m2"]),
        },
    );
    assert_eq!(case.deferred, vec!["m3".to_string()]);
    // Five working days from Monday 2 March: Monday 9 March.
    assert_eq!(case.deferred_due, NaiveDate::from_ymd_opt(2026, 3, 9));
    w.now = Utc.with_ymd_and_hms(2026, 3, 9, 16, 0, 1).unwrap();
    let d = w.tick(&case);
    assert_eq!(d.case.status, CaseStatus::Suspended);
    assert!(d.case.deferred_overdue);
    assert!(d.case.clock.as_ref().unwrap().is_suspended(w.now));
    // Supplying it resumes the case and the clocks.
    w.now += Duration::hours(1);
    let resumed = w.ok(
        &d.case,
        &applicant(),
        Command::AddMaterials {
            materials: files(&["m3"]),
        },
    );
    assert_eq!(resumed.status, CaseStatus::InProgress);
    assert!(!resumed.clock.as_ref().unwrap().is_suspended(w.now));
}

#[test]
fn a_special_procedure_stops_the_clock_and_tells_the_applicant_how_long() {
    let mut w = World::new();
    let case = accepted(&w);
    let before = case
        .clock
        .as_ref()
        .unwrap()
        .due_date(&w.cal, w.now)
        .unwrap();
    let err = w
        .run(
            &case,
            &approver(),
            Command::StartSpecial {
                kind: SuspensionKind::Hearing,
                reason: "听证".into(),
                days: 5,
            },
        )
        .unwrap_err();
    assert_eq!(err, codes::Case::SpecialNotListed);
    let err = w
        .run(
            &case,
            &approver(),
            Command::StartSpecial {
                kind: SuspensionKind::Inspection,
                reason: "整改后复查".into(),
                days: 11,
            },
        )
        .unwrap_err();
    assert_eq!(err, codes::Case::SpecialDays);
    let d = w
        .run(
            &case,
            &approver(),
            Command::StartSpecial {
                kind: SuspensionKind::Inspection,
                reason: "整改后复查".into(),
                days: 5,
            },
        )
        .unwrap();
    assert_eq!(d.case.status, CaseStatus::Suspended);
    let doc = d
        .documents
        .iter()
        .find(|x| x.kind == DocKind::Special)
        .unwrap();
    assert!(doc.paragraphs.iter().any(|p| p.contains("5 个工作日")));
    // Three working days later, the due date has moved out by those days.
    w.now = Utc.with_ymd_and_hms(2026, 3, 5, 2, 0, 0).unwrap();
    let case = w.ok(
        &d.case,
        &approver(),
        Command::EndSpecial {
            note: "复查合格".into(),
        },
    );
    let after = case
        .clock
        .as_ref()
        .unwrap()
        .due_date(&w.cal, w.now)
        .unwrap();
    assert_eq!(case.status, CaseStatus::InProgress);
    assert!(after > before, "{after} should be after {before}");
    assert_eq!(
        w.cal.working_days_between(before, after).unwrap(),
        2,
        "3–4 March: Monday 2 is not counted anyway (the clock starts the next working day), \
         and Thursday 5, the day it ended, counts again"
    );
}

/// 第四十五条 does not say how a procedure's part days count; the rule is a setting, recorded
/// with the procedure, and its default takes off as many days as the procedure lasted.
#[test]
fn a_special_procedure_takes_off_the_days_it_lasted_by_the_rule_in_force() {
    // Tuesday 3 March 10:00 to Thursday 5 March 10:00: two days' work.
    let tuesday = Utc.with_ymd_and_hms(2026, 3, 3, 2, 0, 0).unwrap();
    let thursday = Utc.with_ymd_and_hms(2026, 3, 5, 2, 0, 0).unwrap();
    let days_off = |counting: SpanCounting| {
        let mut w = World::new();
        w.rules.special_counting = counting;
        let case = accepted(&w);
        let due = |c: &Case, now| c.clock.as_ref().unwrap().due_date(&w.cal, now).unwrap();
        let before = due(&case, tuesday);
        w.now = tuesday;
        let case = w.ok(
            &case,
            &approver(),
            Command::StartSpecial {
                kind: SuspensionKind::Inspection,
                reason: "整改后复查".into(),
                days: 2,
            },
        );
        w.now = thursday;
        let case = w.ok(
            &case,
            &approver(),
            Command::EndSpecial {
                note: "复查合格".into(),
            },
        );
        let explained = case
            .clock
            .as_ref()
            .unwrap()
            .explain(&w.cal, thursday)
            .unwrap();
        let shown = format!("{explained:?}");
        (
            w.cal
                .working_days_between(before, due(&case, thursday))
                .unwrap(),
            shown.contains(counting.label()),
        )
    };
    assert_eq!(
        CaseRules::default().special_counting,
        SpanCounting::StartDay,
        "the default does not favour the authority"
    );
    let (off, shown) = days_off(SpanCounting::StartDay);
    assert_eq!(off, 2, "Tuesday and Wednesday; Thursday counts again");
    assert!(shown, "the explanation names the rule");
    let (off, _) = days_off(SpanCounting::BothEnds);
    assert_eq!(off, 3, "the old rule took Thursday off too");
}

#[test]
fn an_extension_is_requested_on_the_step_and_approved_by_the_head_once() {
    let w = World::new();
    let case = accepted(&w);
    let case = w.ok(
        &case,
        &approver(),
        Command::RequestExtension {
            reason: "需补充现场核查".into(),
        },
    );
    assert_eq!(
        w.run(
            &case,
            &approver(),
            Command::DecideExtension {
                approve: true,
                reason: String::new()
            }
        )
        .unwrap_err(),
        codes::Case::HeadOnly
    );
    let d = w
        .run(
            &case,
            &head(),
            Command::DecideExtension {
                approve: true,
                reason: String::new(),
            },
        )
        .unwrap();
    assert_eq!(d.case.clock.as_ref().unwrap().total_days(), 20);
    assert_eq!(d.case.statutory_clock.as_ref().unwrap().total_days(), 30);
    let doc = d
        .documents
        .iter()
        .find(|x| x.kind == DocKind::Extension)
        .unwrap();
    assert!(
        doc.paragraphs.iter().any(|p| p.contains("需补充现场核查")),
        "the reason is told"
    );
    assert_eq!(
        w.run(
            &d.case,
            &approver(),
            Command::RequestExtension {
                reason: "再延".into()
            }
        )
        .unwrap_err(),
        codes::Case::ExtensionUsed
    );
}

#[test]
fn a_joint_case_with_a_45_day_limit_extends_by_15() {
    let mut w = World::new();
    w.item.statutory_limit_days = 45;
    let case = accepted(&w);
    let case = w.ok(
        &case,
        &approver(),
        Command::RequestExtension {
            reason: "联合审查".into(),
        },
    );
    assert_eq!(case.extension_request.as_ref().unwrap().days, 15);
}

fn with_fee(w: &mut World) {
    w.item.fees = vec![Fee {
        name: "工本费".into(),
        basis: "发改价格〔2019〕914号".into(),
        amount_fen: 2000,
    }];
}

fn to_decided(w: &World) -> Case {
    let case = accepted(w);
    let approve = |step: &str| Command::Decide {
        step: step.into(),
        approve: true,
        opinion: "符合".into(),
    };
    let case = w.ok(&case, &approver(), approve("s2a"));
    let case = w.ok(&case, &wjw_approver(), approve("s2b"));
    w.ok(&case, &head(), approve("s3"))
}

#[test]
fn fees_match_the_item_and_no_result_is_released_before_payment() {
    let mut w = World::new();
    with_fee(&mut w);
    let case = to_decided(&w);
    assert_eq!(case.status, CaseStatus::Decided);
    assert_eq!(case.decision.as_ref().unwrap().outcome, Outcome::Approved);
    assert_eq!(case.fees.total_fen(), 2000);
    let deliver = Command::Deliver {
        method: Delivery::Window,
        note: String::new(),
    };
    assert_eq!(
        w.run(&case, &clerk(), deliver.clone()).unwrap_err(),
        codes::Case::FeeUnpaid
    );
    assert_eq!(
        w.run(
            &case,
            &clerk(),
            Command::PayFee {
                reference: "PJ001".into(),
                amount_fen: 3000
            }
        )
        .unwrap_err(),
        codes::Case::FeeAmount
    );
    assert_eq!(
        w.run(
            &case,
            &clerk(),
            Command::AssessFees {
                fees: vec![Fee {
                    name: "加急费".into(),
                    basis: String::new(),
                    amount_fen: 100
                }]
            }
        )
        .unwrap_err(),
        codes::Case::FeeNotListed
    );
    let paid = w.ok(
        &case,
        &clerk(),
        Command::PayFee {
            reference: "PJ001".into(),
            amount_fen: 2000,
        },
    );
    assert_eq!(paid.fees.paid.as_ref().unwrap().reference, "PJ001");
    assert_eq!(
        paid.decision, case.decision,
        "payment is recorded apart from the decision"
    );
    let closed = w.ok(&paid, &clerk(), deliver);
    assert_eq!(closed.status, CaseStatus::Closed);
}

#[test]
fn a_waiver_needs_a_reason_and_the_heads_approval() {
    let mut w = World::new();
    with_fee(&mut w);
    let case = to_decided(&w);
    assert_eq!(
        w.run(
            &case,
            &clerk(),
            Command::RequestWaiver { reason: "".into() }
        )
        .unwrap_err(),
        codes::Case::ReasonRequired
    );
    let case = w.ok(
        &case,
        &clerk(),
        Command::RequestWaiver {
            reason: "低保对象".into(),
        },
    );
    assert_eq!(
        w.run(
            &case,
            &clerk(),
            Command::DecideWaiver {
                approve: true,
                reason: String::new()
            }
        )
        .unwrap_err(),
        codes::Case::HeadOnly
    );
    let case = w.ok(
        &case,
        &head(),
        Command::DecideWaiver {
            approve: true,
            reason: "核实属实".into(),
        },
    );
    assert!(case.fees.settled());
    w.ok(
        &case,
        &clerk(),
        Command::Deliver {
            method: Delivery::Post,
            note: "EMS1234".into(),
        },
    );
}

#[test]
fn the_applicant_may_withdraw_before_the_decision_but_not_after() {
    let w = World::new();
    let case = accepted(&w);
    assert_eq!(
        w.run(
            &case,
            &person(555, Role::Applicant, None),
            Command::Withdraw {
                reason: String::new()
            }
        )
        .unwrap_err(),
        codes::Case::NotApplicant
    );
    let gone = w.ok(
        &case,
        &applicant(),
        Command::Withdraw {
            reason: String::new(),
        },
    );
    assert_eq!(gone.status, CaseStatus::Withdrawn);
    let decided = to_decided(&w);
    assert_eq!(
        w.run(
            &decided,
            &applicant(),
            Command::Withdraw {
                reason: String::new()
            }
        )
        .unwrap_err(),
        codes::Case::WrongStatus
    );
}

#[test]
fn a_return_reopens_an_earlier_step_with_a_reason() {
    let w = World::new();
    let case = accepted(&w);
    let approve = |step: &str| Command::Decide {
        step: step.into(),
        approve: true,
        opinion: String::new(),
    };
    let case = w.ok(&case, &approver(), approve("s2a"));
    let case = w.ok(&case, &wjw_approver(), approve("s2b"));
    assert_eq!(open_keys(&case), vec!["s3"]);
    let back = w.ok(
        &case,
        &head(),
        Command::ReturnTo {
            step: "s3".into(),
            to: "s2a".into(),
            reason: "核查记录不完整".into(),
        },
    );
    assert_eq!(open_keys(&back), vec!["s2a", "s2b"]);
    assert_eq!(back.step("s2a").unwrap().outcome, None);
    assert_eq!(
        w.run(
            &back,
            &approver(),
            Command::ReturnTo {
                step: "s2a".into(),
                to: "s1".into(),
                reason: "x".into()
            }
        )
        .unwrap_err(),
        codes::Case::ReturnToIntake
    );
}

#[test]
fn a_meeting_decides_the_open_group_at_once() {
    let w = World::new();
    let case = accepted(&w);
    assert_eq!(
        w.run(
            &case,
            &approver(),
            Command::Meeting {
                approve: true,
                minutes: "会审同意".into()
            }
        )
        .unwrap_err(),
        codes::Case::HeadOnly
    );
    let d = w
        .run(
            &case,
            &head(),
            Command::Meeting {
                approve: true,
                minutes: "2026年3月3日会审，一致同意".into(),
            },
        )
        .unwrap();
    assert_eq!(open_keys(&d.case), vec!["s3"]);
    assert!(
        d.events
            .iter()
            .filter(|e| matches!(e, CaseEvent::StepDecided { meeting: true, .. }))
            .count()
            == 2
    );
}

#[test]
fn reassignment_stays_within_the_steps_department() {
    let w = World::new();
    let case = accepted(&w);
    assert_eq!(
        w.run(
            &case,
            &approver(),
            Command::Reassign {
                step: "s2a".into(),
                to: staff(21),
                to_department: Some(WJW),
                reason: "转".into()
            }
        )
        .unwrap_err(),
        codes::Case::ReassignScope
    );
    let case = w.ok(
        &case,
        &approver(),
        Command::Reassign {
            step: "s2a".into(),
            to: staff(13),
            to_department: Some(SCJG),
            reason: "外出".into(),
        },
    );
    assert_eq!(case.step("s2a").unwrap().assignee, Some(staff(13)));
    w.ok(
        &case,
        &person(13, Role::Approver, Some(SCJG)),
        Command::Decide {
            step: "s2a".into(),
            approve: true,
            opinion: String::new(),
        },
    );
}

#[test]
fn an_instant_item_is_accepted_and_decided_on_the_spot() {
    let mut w = World::new();
    let case = w.submit(&["m1", "m2", "m3"]).case;
    assert_eq!(
        w.run(
            &case,
            &clerk(),
            Command::AcceptAndDecide {
                check: check(&["m1", "m2", "m3"])
            }
        )
        .unwrap_err(),
        codes::Case::NotInstant
    );
    w.item.handling = HandlingKind::Instant;
    let d = w
        .run(
            &case,
            &clerk(),
            Command::AcceptAndDecide {
                check: check(&["m1", "m2", "m3"]),
            },
        )
        .unwrap();
    assert_eq!(d.case.status, CaseStatus::Decided);
    assert_eq!(open_keys(&d.case), vec!["s4"], "only handing over remains");
}

#[test]
fn ticking_a_material_that_never_arrived_is_refused() {
    let w = World::new();
    let case = w.submit(&["m1", "m2"]).case;
    assert_eq!(
        w.run(
            &case,
            &clerk(),
            Command::Accept {
                check: check(&["m1", "m2", "m3"])
            }
        )
        .unwrap_err(),
        codes::Case::MaterialNotReceived
    );
}

#[test]
fn replaying_the_log_rebuilds_the_case_exactly() {
    let mut w = World::new();
    with_fee(&mut w);
    let mut log: Vec<(CaseEvent, Option<StaffRef>, DateTime<Utc>)> = vec![];
    let first = w.submit(&["m1", "m2", "m3"]);
    for e in &first.events {
        log.push((e.clone(), Some(staff(100)), w.now));
    }
    let mut case = first.case;
    let steps: Vec<(Actor, Command)> = vec![
        (
            clerk(),
            Command::Accept {
                check: check(&["m1", "m2", "m3"]),
            },
        ),
        (
            approver(),
            Command::RequestExtension {
                reason: "复杂".into(),
            },
        ),
        (
            head(),
            Command::DecideExtension {
                approve: true,
                reason: String::new(),
            },
        ),
        (
            approver(),
            Command::Decide {
                step: "s2a".into(),
                approve: true,
                opinion: "好".into(),
            },
        ),
        (
            wjw_approver(),
            Command::Decide {
                step: "s2b".into(),
                approve: true,
                opinion: String::new(),
            },
        ),
        (
            head(),
            Command::Decide {
                step: "s3".into(),
                approve: true,
                opinion: "准予".into(),
            },
        ),
        (
            clerk(),
            Command::PayFee {
                reference: "P1".into(),
                amount_fen: 2000,
            },
        ),
        (
            clerk(),
            Command::Deliver {
                method: Delivery::Window,
                note: String::new(),
            },
        ),
    ];
    for (who, cmd) in steps {
        w.now += Duration::hours(5);
        let d = w.run(&case, &who, cmd).unwrap();
        for e in &d.events {
            log.push((e.clone(), Some(staff(who.user_id)), w.now));
        }
        case = d.case;
    }
    assert_eq!(case.status, CaseStatus::Closed);
    // Through JSON, as the store keeps it.
    let stored: Vec<(CaseEvent, Option<StaffRef>, DateTime<Utc>)> =
        serde_json::from_str(&serde_json::to_string(&log).unwrap()).unwrap();
    let (first, _, at) = &stored[0];
    let mut rebuilt = Case::from_received(first, *at).unwrap();
    for (e, by, at) in &stored[1..] {
        rebuilt.apply(e, by.as_ref(), *at);
    }
    assert_eq!(rebuilt, case);
}

#[test]
fn the_first_responder_hands_over_and_nobody_else_can() {
    let w = World::new();
    let case = accepted(&w);
    assert_eq!(case.first_responder, Some(staff(10)));
    assert_eq!(
        w.run(&case, &approver(), Command::HandOver { to: staff(11) })
            .unwrap_err(),
        codes::Case::NotFirstResponder
    );
    let case = w.ok(&case, &clerk(), Command::HandOver { to: staff(11) });
    assert_eq!(case.first_responder, Some(staff(11)));
}

#[test]
fn documents_carry_a_hash_that_changes_with_their_text() {
    let w = World::new();
    let d = w.submit(&["m1"]);
    let mut doc = d.documents[0].clone();
    let h = doc.content_hash();
    assert_eq!(h.len(), 64);
    doc.paragraphs[0].push('改');
    assert_ne!(doc.content_hash(), h);
}

/// Issue 17, item 15: the notices say what a person needs.
#[test]
fn notices_name_the_day_to_supply_the_real_due_date_and_how_to_reach_the_office() {
    let w = World::new();
    // The 补正 notice: the last day to supply, by `case.supplement_days` working days.
    let case = w.submit(&["m1"]).case;
    let d = handle(
        &case,
        Command::NoticeSupplement {
            items: vec![
                ("m2".into(), "未提交营业执照复印件".into()),
                ("m3".into(), "平面布局图未标注尺寸".into()),
            ],
        },
        &w.ctx(Who::Person(&clerk())),
    )
    .unwrap();
    let text = d.documents[0].paragraphs.join("\n");
    let by = w
        .cal
        .add_working_days(
            w.now,
            tongban_domain::calendar::WorkingDays::new(w.rules.supplement_days).unwrap(),
            tongban_domain::calendar::Counting::NextWorkingDay,
        )
        .unwrap();
    assert_eq!(by, NaiveDate::from_ymd_opt(2026, 3, 16).unwrap());
    assert!(
        text.contains("请于2026年03月16日前（收到本通知之日起 10 个工作日内）"),
        "{text}"
    );
    for part in [
        format!("办理地点：{}", w.item.place),
        format!("联系电话：{}", w.item.consult_phone),
    ] {
        assert!(text.contains(&part), "{part} missing: {text}");
    }

    // The 受理通知书: the committed due date itself, the same one the case's clock then keeps.
    let case = w.submit(&["m1", "m2", "m3"]).case;
    let d = handle(
        &case,
        Command::Accept {
            check: check(&["m1", "m2", "m3"]),
        },
        &w.ctx(Who::Person(&clerk())),
    )
    .unwrap();
    let due = d
        .case
        .clock
        .as_ref()
        .unwrap()
        .due_date(&w.cal, w.now)
        .unwrap();
    let notice = d
        .documents
        .iter()
        .find(|x| x.kind == DocKind::Acceptance)
        .unwrap();
    let text = notice.paragraphs.join("\n");
    assert!(
        text.contains(&format!("即最迟于{}作出决定", due.format("%Y年%m月%d日"))),
        "{text}"
    );
    assert!(text.contains(&format!("联系电话：{}", w.item.consult_phone)));
}

/// The refusals that are about who is acting, not about what the command says.
const WHO_CODES: [codes::Case; 6] = [
    codes::Case::NotYourWindow,
    codes::Case::HeadOnly,
    codes::Case::NotApplicant,
    codes::Case::NotYourStep,
    codes::Case::NotFirstResponder,
    codes::Case::SystemOnly,
];

/// A plausible command for an offered action: its content may still be refused, never its actor.
fn sample(w: &World, case: &Case, offer: &Offer) -> Command {
    let step = offer.step.clone().unwrap_or_default();
    let reason = || "依据有关规定办理".to_string();
    match offer.action {
        Action::HandOver => Command::HandOver { to: staff(11) },
        Action::NoticeSupplement => Command::NoticeSupplement {
            items: vec![("m3".into(), "请补充该材料".into())],
        },
        Action::AddMaterials => Command::AddMaterials {
            materials: files(&["m3"]),
        },
        Action::Accept => Command::Accept {
            check: check(&["m1", "m2", "m3"]),
        },
        Action::AcceptAndDecide => Command::AcceptAndDecide {
            check: check(&["m1", "m2", "m3"]),
        },
        Action::NotAccept => Command::NotAccept { reason: reason() },
        Action::Decide => Command::Decide {
            step,
            approve: true,
            opinion: "同意".into(),
        },
        Action::ReturnTo => Command::ReturnTo {
            to: w
                .item
                .steps
                .first()
                .map(|s| s.key.clone())
                .unwrap_or_default(),
            step,
            reason: reason(),
        },
        Action::Reassign => Command::Reassign {
            to_department: case.step(&step).map(|s| s.department_id),
            step,
            to: staff(13),
            reason: reason(),
        },
        Action::Meeting => Command::Meeting {
            approve: true,
            minutes: "会审同意".into(),
        },
        Action::StartSpecial => Command::StartSpecial {
            kind: w.item.special_procedures[0].kind,
            reason: reason(),
            days: 1,
        },
        Action::EndSpecial => Command::EndSpecial { note: reason() },
        Action::RequestExtension => Command::RequestExtension { reason: reason() },
        Action::DecideExtension => Command::DecideExtension {
            approve: true,
            reason: reason(),
        },
        Action::AssessFees => Command::AssessFees {
            fees: w.item.fees.clone(),
        },
        Action::PayFee => Command::PayFee {
            reference: "FS0001".into(),
            amount_fen: case.fees.total_fen(),
        },
        Action::RequestWaiver => Command::RequestWaiver { reason: reason() },
        Action::DecideWaiver => Command::DecideWaiver {
            approve: true,
            reason: reason(),
        },
        Action::Deliver => Command::Deliver {
            method: Delivery::Window,
            note: String::new(),
        },
        Action::Withdraw => Command::Withdraw { reason: reason() },
    }
}

/// Everyone who might stand before a case: the applicant, a stranger, the agency's staff, the
/// other department's, a supervisor.
fn cast() -> Vec<Actor> {
    vec![
        applicant(),
        person(101, Role::Applicant, None),
        clerk(),
        approver(),
        head(),
        person(13, Role::Approver, Some(SCJG)),
        wjw_approver(),
        person(22, Role::DeptHead, Some(WJW)),
        person(30, Role::Supervisor, None),
    ]
}

/// Every action, and every action on each step the item has (offered or not).
fn every_action(w: &World) -> Vec<Offer> {
    let mut out = Vec::new();
    for action in Action::ALL {
        if action.on_a_step() {
            for s in &w.item.steps {
                out.push(Offer {
                    action,
                    step: Some(s.key.clone()),
                });
            }
        } else {
            out.push(Offer { action, step: None });
        }
    }
    out
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig::with_cases(48))]

    /// Along random walks of the case (each step an action someone was offered, taken), for
    /// everyone and every action: what is offered is never refused because of who is acting, and
    /// what is not offered is refused.
    #[test]
    fn what_is_offered_is_what_the_engine_takes(
        walk in proptest::collection::vec((0usize..9, 0usize..64), 1..14),
        materials in proptest::sample::subsequence(vec!["m1", "m2", "m3"], 0..=3),
    ) {
        let w = World::new();
        let mut case = w.submit(&materials).case;
        let people = cast();
        for (who, pick) in walk {
            for a in &people {
                let ctx = w.ctx(Who::Person(a));
                let offered = offers(&case, &ctx);
                for o in every_action(&w) {
                    let taken = handle(&case, sample(&w, &case, &o), &ctx);
                    if offered.contains(&o) {
                        if let Err(e) = &taken {
                            proptest::prop_assert!(
                                !WHO_CODES.iter().any(|c| e.code == *c),
                                "{:?} offered to {} but refused: {:?}", o, a.name, e.code
                            );
                        }
                    } else {
                        proptest::prop_assert!(
                            taken.is_err(),
                            "{:?} not offered to {} but taken", o, a.name
                        );
                    }
                }
            }
            let a = &people[who];
            let offered = offers(&case, &w.ctx(Who::Person(a)));
            if offered.is_empty() {
                continue;
            }
            let o = &offered[pick % offered.len()];
            if let Ok(d) = handle(&case, sample(&w, &case, o), &w.ctx(Who::Person(a))) {
                case = d.case;
            }
        }
    }
}
