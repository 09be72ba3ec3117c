//! The procedure end to end on the shipped calendar, every clock crossing a real holiday
//! (2026: 春节 2/15–2/23 with 2/14 and 2/28 worked; 中秋 9/25–9/27; 国庆 10/1–10/7 with 9/20 and
//! 10/10 worked). Expected dates were counted by hand from the State Council's notice.

use chrono::{DateTime, NaiveDate, TimeZone, Utc};

use super::*;
use crate::calendar::{Calendar, SuspensionKind, Verdict, WorkingDays};
use crate::codes;
use crate::region::RegionCode;

fn at(y: i32, m: u32, d: u32, h: u32) -> DateTime<Utc> {
    crate::time::shanghai()
        .with_ymd_and_hms(y, m, d, h, 0, 0)
        .single()
        .expect("valid test time")
        .with_timezone(&Utc)
}

fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).expect("valid test date")
}

fn wd(n: u32) -> WorkingDays {
    WorkingDays::new(n).expect("valid count")
}

fn cal() -> Calendar {
    Calendar::shipped()
}

fn filing(channel: Channel) -> Filing {
    let applicant = Applicant::parse(
        &ApplicantInput {
            kind: Some(ApplicantKind::Citizen),
            name: "张三".into(),
            id_code: "11010519491231002X".into(),
            phone: Some("13800138000".into()),
            ..ApplicantInput::default()
        },
        None,
    )
    .expect("valid applicant");
    Filing {
        applicant,
        office: Office {
            department_id: 7,
            name: "市政府办公室（政务公开办）".into(),
            region: RegionCode::parse("361200").expect("valid region"),
        },
        description: parse_description("2025年本市老旧小区改造项目的资金安排文件").expect("ok"),
        purpose: None,
        form: FormWanted::Email,
        channel,
    }
}

/// A request and its log, driven command by command.
struct Run {
    log: Vec<Recorded>,
}

impl Run {
    fn file(channel: Channel, received: Option<DateTime<Utc>>, now: DateTime<Utc>) -> Run {
        let mut run = Run { log: Vec::new() };
        for e in Request::file(filing(channel), received, now).expect("filed") {
            run.push(e, now);
        }
        run
    }

    fn push(&mut self, event: DisclosureEvent, at: DateTime<Utc>) {
        self.log.push(Recorded {
            event,
            at,
            by: By {
                user_id: Some(1),
                name: "经办人".into(),
            },
        });
    }

    fn req(&self) -> Request {
        Request::replay(&self.log).expect("a filed request")
    }

    fn act(
        &mut self,
        now: DateTime<Utc>,
        f: impl FnOnce(&Request) -> Result<DisclosureEvent, crate::DomainError>,
    ) {
        let e = f(&self.req()).expect("command accepted");
        self.push(e, now);
    }

    fn due(&self, now: DateTime<Utc>) -> NaiveDate {
        self.req()
            .reply_due(&cal(), now)
            .expect("calendar covers it")
            .expect("a running reply period")
    }
}

#[test]
fn receipt_per_channel_starts_the_clock() {
    let cal = cal();
    // In person: the day handed in, not the day it was entered.
    let run = Run::file(
        Channel::InPerson,
        Some(at(2026, 9, 21, 10)),
        at(2026, 9, 22, 9),
    );
    let r = run.req();
    assert_eq!(r.status, Status::Processing);
    assert_eq!(r.received_on(), Some(date(2026, 9, 21)));
    // 20 working days over 中秋 and 国庆, 10/10 (Saturday) counted.
    assert_eq!(run.due(at(2026, 9, 22, 9)), date(2026, 10, 26));
    assert_eq!(
        r.supplement_notice_due(&cal).unwrap(),
        Some(date(2026, 10, 8))
    );

    // Registered post needs the signed-for instant; it cannot be in the future.
    let err =
        Request::file(filing(Channel::RegisteredPost), None, at(2026, 9, 21, 10)).unwrap_err();
    assert_eq!(err.code, codes::Disclosure::ReceiptMissing);
    let err = Request::file(
        filing(Channel::RegisteredPost),
        Some(at(2026, 9, 22, 10)),
        at(2026, 9, 21, 10),
    )
    .unwrap_err();
    assert_eq!(err.code, codes::Disclosure::ReceiptFuture);

    // Online: nothing runs until the office confirms; the confirmation day is the receipt.
    let mut run = Run::file(Channel::Online, None, at(2026, 9, 29, 22));
    assert_eq!(run.req().status, Status::Submitted);
    assert!(run.req().reply_clock().is_none());
    assert!(run
        .req()
        .deadlines(&cal, at(2026, 9, 29, 22))
        .unwrap()
        .is_empty());
    run.act(at(2026, 9, 30, 10), |r| {
        r.confirm_receipt(at(2026, 9, 30, 10))
    });
    assert_eq!(run.req().received_on(), Some(date(2026, 9, 30)));
    assert_eq!(run.due(at(2026, 9, 30, 10)), date(2026, 11, 3));
}

#[test]
fn supplement_restarts_then_consultation_and_fee_stop_the_clock() {
    let cal = cal();
    let mut run = Run::file(
        Channel::InPerson,
        Some(at(2026, 9, 21, 10)),
        at(2026, 9, 21, 10),
    );

    // 补正 on the last working day before 国庆, 10 working days for the applicant.
    let items = vec![
        "请说明所需文件的年份".to_string(),
        "请写明项目所在街道".to_string(),
    ];
    run.act(at(2026, 9, 30, 16), |r| {
        r.request_supplement(&items, wd(10), &cal, at(2026, 9, 30, 16))
    });
    let r = run.req();
    assert_eq!(r.status, Status::AwaitingSupplement);
    assert_eq!(
        r.supplement.as_ref().map(|s| s.deadline),
        Some(date(2026, 10, 20))
    );
    assert!(
        r.reply_clock().is_none(),
        "the reply period waits for the supplement"
    );
    assert_eq!(
        r.deadlines(&cal, at(2026, 10, 1, 9)).unwrap(),
        vec![Deadline {
            kind: DeadlineKind::Supplement,
            due: date(2026, 10, 20)
        }]
    );
    // One notice only.
    let err = r
        .request_supplement(&items, wd(10), &cal, at(2026, 10, 8, 9))
        .unwrap_err();
    assert_eq!(err.code, codes::Disclosure::SupplementSecond);

    // The supplement arrives on Friday 10/9: 20 working days from then, 10/10 counted.
    run.act(at(2026, 10, 9, 15), |r| {
        r.supplement("2025年，白鹭街道", at(2026, 10, 9, 15))
    });
    assert_eq!(run.req().status, Status::Processing);
    assert_eq!(run.due(at(2026, 10, 9, 15)), date(2026, 11, 5));
    // Still only one notice, even after the restart.
    let err = run
        .req()
        .request_supplement(&items, wd(10), &cal, at(2026, 10, 9, 16))
        .unwrap_err();
    assert_eq!(err.code, codes::Disclosure::SupplementSecond);

    // Third-party consultation: 15 working days to answer; the clock stands still.
    run.act(at(2026, 10, 13, 9), |r| {
        r.open_consultation(
            ConsultationKind::ThirdParty,
            "某建设公司",
            "合同中是否含商业秘密",
            wd(THIRD_PARTY_DAYS),
            &cal,
            at(2026, 10, 13, 9),
        )
    });
    let r = run.req();
    assert_eq!(r.status, Status::Consulting);
    let ds = r.deadlines(&cal, at(2026, 10, 14, 9)).unwrap();
    assert!(ds.contains(&Deadline {
        kind: DeadlineKind::Consultation,
        due: date(2026, 11, 3)
    }));
    // While suspended the due date moves out one working day per working day.
    assert_eq!(run.due(at(2026, 10, 14, 9)), date(2026, 11, 9));
    // No reply while consulting, and no second consultation at once.
    assert_eq!(
        r.answer(
            super::reply::Reply::parse(ReplyInput {
                kind: Some(ReplyKind::Disclosed),
                ..ReplyInput::default()
            })
            .unwrap()
        )
        .unwrap_err()
        .code,
        codes::Disclosure::State
    );
    assert_eq!(
        r.open_consultation(
            ConsultationKind::Agency,
            "市财政局",
            "资金",
            wd(15),
            &cal,
            at(2026, 10, 14, 9)
        )
        .unwrap_err()
        .code,
        codes::Disclosure::ConsultationOpen
    );
    // Closing without an answer before the deadline is refused.
    assert_eq!(
        r.close_consultation(None, at(2026, 10, 20, 9))
            .unwrap_err()
            .code,
        codes::Disclosure::ConsultationDeadline
    );
    run.act(at(2026, 10, 20, 11), |r| {
        r.close_consultation(Some("不同意公开合同单价"), at(2026, 10, 20, 11))
    });
    // 10/13–10/20 (six working days) not counted.
    assert_eq!(run.due(at(2026, 10, 20, 11)), date(2026, 11, 13));

    // Fee notice per volume, paid three working days later: those days are not counted.
    let basis = FeeBasis::parse(None, Some(120)).unwrap();
    run.act(at(2026, 10, 22, 9), |r| {
        r.notice_fee(basis, wd(20), &cal, at(2026, 10, 22, 9))
    });
    let r = run.req();
    assert_eq!(r.status, Status::AwaitingFee);
    assert_eq!(
        r.fee.as_ref().map(|f| (f.amount_fen, f.deadline)),
        Some((110_000, date(2026, 11, 19)))
    );
    assert_eq!(
        r.notice_fee(basis, wd(20), &cal, at(2026, 10, 23, 9))
            .unwrap_err()
            .code,
        codes::Disclosure::FeeSecond
    );
    run.act(at(2026, 10, 26, 10), |r| {
        r.pay_fee("JK20261026001", at(2026, 10, 26, 10))
    });
    assert_eq!(run.due(at(2026, 10, 26, 10)), date(2026, 11, 18));

    // The explanation names the holidays and both stops.
    let ex = run
        .req()
        .explain(&cal, at(2026, 10, 26, 10))
        .unwrap()
        .unwrap();
    let covers = |d: NaiveDate| {
        ex.lines()
            .iter()
            .find(|l| l.from <= d && d <= l.to)
            .map(|l| l.verdict.clone())
    };
    assert!(matches!(
        covers(date(2026, 10, 10)),
        Some(Verdict::Counted { .. })
    ));
    assert!(matches!(
        covers(date(2026, 10, 15)),
        Some(Verdict::Suspended { .. })
    ));
    assert!(matches!(
        covers(date(2026, 10, 23)),
        Some(Verdict::Suspended { .. })
    ));
    assert!(matches!(
        covers(date(2026, 10, 11)),
        Some(Verdict::Skipped { .. })
    ));
    assert_eq!(ex.due_date, date(2026, 11, 18));
    let clock = run.req().reply_clock().unwrap();
    let kinds: Vec<_> = clock.suspensions.iter().map(|s| s.kind).collect();
    assert_eq!(
        kinds,
        vec![
            SuspensionKind::ThirdPartyConsultation,
            SuspensionKind::FeePayment
        ]
    );

    // 部分公开 with the withheld part and its ground.
    let reply = Reply::parse(ReplyInput {
        kind: Some(ReplyKind::PartlyDisclosed),
        withheld: vec![WithheldPart {
            part: "合同单价".into(),
            ground: WithholdGround::ThirdParty,
            reason: "第三方认为属于商业秘密且不同意公开".into(),
        }],
        text: "其余内容以电子邮件提供。".into(),
        ..ReplyInput::default()
    })
    .unwrap();
    run.act(at(2026, 11, 10, 10), |r| r.answer(reply));
    let r = run.req();
    assert_eq!(r.status, Status::Replied);
    assert!(!r.is_late(&cal, at(2026, 12, 1, 9)).unwrap());
    assert!(r.deadlines(&cal, at(2026, 11, 10, 10)).unwrap().is_empty());
    assert_eq!(r.withdraw().unwrap_err().code, codes::Disclosure::State);
}

#[test]
fn consultation_without_answer_stops_the_clock_only_for_its_fifteen_days() {
    let cal = cal();
    let mut run = Run::file(
        Channel::InPerson,
        Some(at(2026, 9, 21, 10)),
        at(2026, 9, 21, 10),
    );
    run.act(at(2026, 9, 22, 9), |r| {
        r.open_consultation(
            ConsultationKind::ThirdParty,
            "某公司",
            "是否同意公开",
            wd(15),
            &cal,
            at(2026, 9, 22, 9),
        )
    });
    // 15 working days from 9/22: 9/23, 9/24, 9/28–9/30, 10/8–10/10, 10/12–10/16, 10/19,
    // 10/20 → 10/20.
    assert_eq!(run.req().consultations[0].deadline, date(2026, 10, 20));
    // Closed late (10/23) without an answer: the stop ends with 10/20, not 10/23.
    run.act(at(2026, 10, 23, 9), |r| {
        r.close_consultation(None, at(2026, 10, 23, 9))
    });
    // Counted before: none (9/22 is suspended). Suspended 9/22–10/20. Then 20 working days
    // from 10/21: 10/21–10/23 (3), 10/26–10/30 (8), 11/2–11/6 (13), 11/9–11/13 (18), 11/16,
    // 11/17.
    assert_eq!(run.due(at(2026, 10, 23, 9)), date(2026, 11, 17));
}

#[test]
fn unanswered_supplement_is_deemed_withdrawn_across_spring_festival() {
    let cal = cal();
    let mut run = Run::file(
        Channel::InPerson,
        Some(at(2026, 2, 12, 10)),
        at(2026, 2, 12, 10),
    );
    // The notice window: 7 working days, 2/14 and 2/28 (Saturdays) worked, 春节 skipped.
    assert_eq!(
        run.req().supplement_notice_due(&cal).unwrap(),
        Some(date(2026, 2, 28))
    );
    assert!(run
        .req()
        .deadlines(&cal, at(2026, 2, 12, 10))
        .unwrap()
        .contains(&Deadline {
            kind: DeadlineKind::SupplementNotice,
            due: date(2026, 2, 28)
        }));
    // Too late on 3/2.
    let err = run
        .req()
        .request_supplement(&["请补充".to_string()], wd(5), &cal, at(2026, 3, 2, 9))
        .unwrap_err();
    assert_eq!(err.code, codes::Disclosure::SupplementLate);
    // An empty list is no notice.
    let err = run
        .req()
        .request_supplement(&[" ".to_string()], wd(5), &cal, at(2026, 2, 13, 9))
        .unwrap_err();
    assert_eq!(err.code, codes::Disclosure::SupplementItems);
    run.act(at(2026, 2, 13, 9), |r| {
        r.request_supplement(
            &["请写明文件名称".to_string()],
            wd(5),
            &cal,
            at(2026, 2, 13, 9),
        )
    });
    assert_eq!(
        run.req().supplement.as_ref().map(|s| s.deadline),
        Some(date(2026, 2, 27))
    );
    assert_eq!(
        run.req()
            .lapse_supplement(at(2026, 2, 27, 18))
            .unwrap_err()
            .code,
        codes::Disclosure::SupplementNotDue
    );
    run.act(at(2026, 2, 28, 0), |r| {
        r.lapse_supplement(at(2026, 2, 28, 0))
    });
    let r = run.req();
    assert_eq!(r.status, Status::DeemedWithdrawn);
    assert!(r.deadlines(&cal, at(2026, 2, 28, 1)).unwrap().is_empty());
    assert_eq!(
        r.supplement("迟到的补正", at(2026, 2, 28, 9))
            .unwrap_err()
            .code,
        codes::Disclosure::State
    );
}

#[test]
fn one_extension_of_at_most_twenty_days_by_the_head_before_expiry() {
    let cal = cal();
    let mut run = Run::file(Channel::Online, None, at(2026, 9, 29, 22));
    run.act(at(2026, 9, 30, 10), |r| {
        r.confirm_receipt(at(2026, 9, 30, 10))
    });
    let now = at(2026, 10, 28, 9);
    let r = run.req();
    assert_eq!(
        r.extend(21, "需调取档案", true, &cal, now)
            .unwrap_err()
            .code,
        codes::Disclosure::ExtensionTooLong
    );
    assert_eq!(
        r.extend(0, "需调取档案", true, &cal, now).unwrap_err().code,
        codes::Disclosure::ExtensionTooLong
    );
    assert_eq!(
        r.extend(20, "  ", true, &cal, now).unwrap_err().code,
        codes::Disclosure::ExtensionReason
    );
    assert_eq!(
        r.extend(20, "需调取档案", false, &cal, now)
            .unwrap_err()
            .code,
        codes::Disclosure::ExtensionApprover
    );
    // After the due date (11/3) the period can no longer be extended.
    assert_eq!(
        r.extend(20, "需调取档案", true, &cal, at(2026, 11, 4, 0))
            .unwrap_err()
            .code,
        codes::Disclosure::ExtensionLate
    );
    run.act(now, |r| {
        r.extend(20, "需调取历年档案，工作量大", true, &cal, now)
    });
    assert_eq!(run.due(now), date(2026, 12, 1));
    let ds = run.req().deadlines(&cal, now).unwrap();
    assert!(ds.contains(&Deadline {
        kind: DeadlineKind::ExtendedReply,
        due: date(2026, 12, 1)
    }));
    assert_eq!(
        run.req()
            .extend(5, "再延", true, &cal, now)
            .unwrap_err()
            .code,
        codes::Disclosure::ExtensionSecond
    );
    // Unanswered after the extended date, the reply is late.
    assert!(!run.req().is_late(&cal, at(2026, 12, 1, 17)).unwrap());
    assert!(run.req().is_late(&cal, at(2026, 12, 2, 9)).unwrap());
}

#[test]
fn unpaid_fee_is_deemed_withdrawn_and_free_fees_need_no_notice() {
    let cal = cal();
    let mut run = Run::file(
        Channel::InPerson,
        Some(at(2026, 9, 21, 10)),
        at(2026, 9, 21, 10),
    );
    let r = run.req();
    assert_eq!(
        r.notice_fee(
            FeeBasis::PerVolume { pages: 30 },
            wd(20),
            &cal,
            at(2026, 9, 22, 9)
        )
        .unwrap_err()
        .code,
        codes::Disclosure::FeeFree
    );
    assert_eq!(
        r.notice_fee(
            FeeBasis::PerRequest { ordinal: 10 },
            wd(20),
            &cal,
            at(2026, 9, 22, 9)
        )
        .unwrap_err()
        .code,
        codes::Disclosure::FeeFree
    );
    run.act(at(2026, 9, 22, 9), |r| {
        r.notice_fee(
            FeeBasis::PerRequest { ordinal: 11 },
            wd(5),
            &cal,
            at(2026, 9, 22, 9),
        )
    });
    // 5 working days from 9/22: 9/23, 9/24, 9/28, 9/29, 9/30.
    assert_eq!(
        run.req().fee.as_ref().map(|f| f.deadline),
        Some(date(2026, 9, 30))
    );
    assert_eq!(
        run.req().lapse_fee(at(2026, 9, 30, 23)).unwrap_err().code,
        codes::Disclosure::FeeNotDue
    );
    assert_eq!(
        run.req()
            .pay_fee("X1", at(2026, 10, 8, 9))
            .unwrap_err()
            .code,
        codes::Disclosure::State
    );
    run.act(at(2026, 10, 1, 8), |r| r.lapse_fee(at(2026, 10, 1, 8)));
    assert_eq!(run.req().status, Status::DeemedWithdrawn);
}

#[test]
fn applicants_are_parsed_by_kind() {
    let mut input = ApplicantInput {
        kind: Some(ApplicantKind::LegalPerson),
        name: "某某有限公司".into(),
        id_code: "11010519491231002X".into(),
        email: Some("office@example.com".into()),
        ..ApplicantInput::default()
    };
    // A company with an ID number is refused by the credit-code parser.
    assert!(Applicant::parse(&input, None).is_err());
    input.id_code = "91350100M000100Y43".into();
    let a = Applicant::parse(&input, None).unwrap();
    assert_eq!(a.identity.masked(), "91350100M000100Y43");
    input.email = None;
    assert_eq!(
        Applicant::parse(&input, None).unwrap_err().code,
        codes::Disclosure::Contact
    );
    input.kind = None;
    assert_eq!(
        Applicant::parse(&input, None).unwrap_err().code,
        codes::Disclosure::ApplicantKind
    );
    let citizen = Applicant::parse(
        &ApplicantInput {
            kind: Some(ApplicantKind::Citizen),
            name: "李四".into(),
            id_code: "11010519491231002x".into(),
            phone: Some("13800138000".into()),
            ..ApplicantInput::default()
        },
        Some(5),
    )
    .unwrap();
    assert_eq!(citizen.identity.masked(), "110105********002X");
    assert_eq!(
        parse_description("  ").unwrap_err().code,
        codes::Disclosure::Description
    );
}

#[test]
fn events_round_trip_through_json() {
    let mut run = Run::file(
        Channel::InPerson,
        Some(at(2026, 9, 21, 10)),
        at(2026, 9, 21, 10),
    );
    run.act(at(2026, 9, 22, 9), |r| r.withdraw());
    let json = serde_json::to_string(&run.log).unwrap();
    let back: Vec<Recorded> = serde_json::from_str(&json).unwrap();
    assert_eq!(back, run.log);
    assert_eq!(Request::replay(&back).unwrap().status, Status::Withdrawn);
    assert_eq!(back[1].event.kind(), "received");
}

fn disclosed() -> Reply {
    Reply::parse(ReplyInput {
        kind: Some(ReplyKind::Disclosed),
        ..ReplyInput::default()
    })
    .unwrap()
}

fn excessive() -> Reply {
    Reply::parse(ReplyInput {
        kind: Some(ReplyKind::NotProcessed),
        not_processed: Some(NotProcessedReason::Excessive),
        ..ReplyInput::default()
    })
    .unwrap()
}

#[test]
fn a_late_reply_is_found_on_the_shared_clock_across_the_holidays() {
    use crate::supervision::detect::Rule;
    let cal = cal();
    // Received 9/21; 20 working days over 中秋 and 国庆 (10/10 worked): due 10/26.
    let base = Run::file(
        Channel::InPerson,
        Some(at(2026, 9, 21, 10)),
        at(2026, 9, 21, 10),
    );
    let mut on_time = Run {
        log: base.log.clone(),
    };
    on_time.act(at(2026, 10, 26, 17), |r| r.answer(disclosed()));
    assert!(detect::detect(&on_time.log, &cal).is_empty());

    let mut late = Run {
        log: base.log.clone(),
    };
    late.act(at(2026, 10, 27, 9), |r| r.answer(disclosed()));
    let found = detect::detect(&late.log, &cal);
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].rule, Rule::Overdue);
    assert_eq!(found[0].anchor, "late_reply");
    assert_eq!(found[0].department_id, 7);
    assert_eq!(found[0].person, Some(1));
    assert_eq!(found[0].evidence, vec![3]);
    assert!(
        found[0].detail.contains("2026-10-26"),
        "{}",
        found[0].detail
    );

    // The extension moves the due date, so the same reply is on time.
    let mut extended = Run {
        log: base.log.clone(),
    };
    extended.act(at(2026, 10, 20, 9), |r| {
        r.extend(5, "需调档核查", true, &cal, at(2026, 10, 20, 9))
    });
    extended.act(at(2026, 10, 27, 9), |r| r.answer(disclosed()));
    assert!(detect::detect(&extended.log, &cal).is_empty());
}

#[test]
fn a_reply_without_its_grounds_and_a_second_notice_are_found() {
    use crate::supervision::detect::Rule;
    let cal = cal();
    let mut run = Run::file(
        Channel::InPerson,
        Some(at(2026, 9, 21, 10)),
        at(2026, 9, 21, 10),
    );
    // A log from elsewhere: two 补正 notices, and a 不予公开 with no withheld part.
    for _ in 0..2 {
        run.push(
            DisclosureEvent::SupplementRequested {
                items: vec!["请写明年份".into()],
                deadline: date(2026, 10, 20),
            },
            at(2026, 9, 22, 9),
        );
    }
    run.push(
        DisclosureEvent::Supplemented {
            text: "2025年".into(),
        },
        at(2026, 9, 23, 9),
    );
    run.push(
        DisclosureEvent::Replied {
            reply: Reply {
                kind: ReplyKind::Withheld,
                withheld: Vec::new(),
                unavailable: None,
                not_processed: None,
                pointer: None,
                text: "不予公开".into(),
            },
        },
        at(2026, 9, 24, 9),
    );
    let found = detect::detect(&run.log, &cal);
    let rules: Vec<(Rule, &str)> = found.iter().map(|f| (f.rule, f.anchor.as_str())).collect();
    assert_eq!(
        rules,
        vec![
            (Rule::SecondNotice, "second_notice:4"),
            (Rule::NoLegalBasis, "no_legal_basis")
        ]
    );
    assert!(detect::has_legal_basis(&disclosed()));
    assert!(detect::has_legal_basis(&excessive()));
}

#[test]
fn excessive_requests_ask_for_reasons_then_a_later_date_moves_the_deadline() {
    let cal = cal();
    let mut run = Run::file(
        Channel::InPerson,
        Some(at(2026, 9, 21, 10)),
        at(2026, 9, 21, 10),
    );
    // 不予处理 for excessive requests needs the reasons asked first.
    assert_eq!(
        run.req().answer(excessive()).unwrap_err().code,
        codes::Disclosure::ExcessiveWithoutReasons
    );
    assert_eq!(
        run.req()
            .request_reasons(" ", wd(5), &cal, at(2026, 9, 24, 9))
            .unwrap_err()
            .code,
        codes::Disclosure::ReasonsMatter
    );
    // Asked on Thursday 9/24; five working days over 中秋 (9/25–9/27) and 国庆: 10/9.
    run.act(at(2026, 9, 24, 9), |r| {
        r.request_reasons("半年内提出同类申请86件", wd(5), &cal, at(2026, 9, 24, 9))
    });
    let r = run.req();
    assert_eq!(r.status, Status::AwaitingReasons);
    let ds = r.deadlines(&cal, at(2026, 9, 24, 9)).unwrap();
    assert!(ds.contains(&Deadline {
        kind: DeadlineKind::Reasons,
        due: date(2026, 10, 9)
    }));
    // The reply period keeps running.
    assert!(ds.contains(&Deadline {
        kind: DeadlineKind::Reply,
        due: date(2026, 10, 26)
    }));
    assert_eq!(
        r.request_reasons("再问", wd(5), &cal, at(2026, 9, 25, 9))
            .unwrap_err()
            .code,
        codes::Disclosure::ReasonsSecond
    );
    assert_eq!(
        r.set_later_date(date(2026, 11, 9), "量大", &cal, at(2026, 9, 28, 9))
            .unwrap_err()
            .code,
        codes::Disclosure::State
    );
    run.act(at(2026, 10, 8, 9), |r| {
        r.give_reasons("用于课题研究，需逐年比对", at(2026, 10, 8, 9))
    });
    let r = run.req();
    assert_eq!(r.status, Status::Processing);
    let now = at(2026, 10, 9, 9);
    for bad in [date(2026, 10, 26), date(2026, 11, 8)] {
        assert_eq!(
            r.set_later_date(bad, "数量较大", &cal, now)
                .unwrap_err()
                .code,
            codes::Disclosure::LaterDateInvalid,
            "{bad}"
        );
    }
    assert_eq!(
        r.set_later_date(date(2026, 11, 9), " ", &cal, now)
            .unwrap_err()
            .code,
        codes::Disclosure::LaterDateReason
    );
    run.act(now, |r| {
        r.set_later_date(date(2026, 11, 9), "涉及86件申请，需逐件检索", &cal, now)
    });
    let r = run.req();
    assert_eq!(
        r.deadlines(&cal, now).unwrap(),
        vec![Deadline {
            kind: DeadlineKind::LaterDate,
            due: date(2026, 11, 9)
        }]
    );
    assert_eq!(r.later_date.as_ref().map(|e| e.days.get()), Some(10));
    assert_eq!(
        r.set_later_date(date(2026, 11, 10), "再延", &cal, now)
            .unwrap_err()
            .code,
        codes::Disclosure::LaterDateSecond
    );
    // A reply on the later date is on time.
    run.act(at(2026, 11, 9, 16), |r| r.answer(excessive()));
    assert!(detect::detect(&run.log, &cal).is_empty());
}

#[test]
fn reconsideration_and_litigation_are_recorded_against_the_reply() {
    let mut run = Run::file(
        Channel::InPerson,
        Some(at(2026, 9, 21, 10)),
        at(2026, 9, 21, 10),
    );
    let now = at(2026, 10, 9, 9);
    assert_eq!(
        run.req()
            .record_remedy(
                RemedyKind::Reconsideration,
                date(2026, 10, 9),
                "市人民政府",
                now
            )
            .unwrap_err()
            .code,
        codes::Disclosure::State
    );
    run.act(at(2026, 10, 9, 10), |r| r.answer(disclosed()));
    let now = at(2026, 11, 21, 9);
    let r = run.req();
    for (d, code) in [
        (date(2026, 10, 8), codes::Disclosure::RemedyDate),
        (date(2026, 11, 22), codes::Disclosure::RemedyDate),
    ] {
        assert_eq!(
            r.record_remedy(RemedyKind::Reconsideration, d, "市人民政府", now)
                .unwrap_err()
                .code,
            code
        );
    }
    assert_eq!(
        r.record_remedy(RemedyKind::Reconsideration, date(2026, 11, 20), "", now)
            .unwrap_err()
            .code,
        codes::Disclosure::RemedyBody
    );
    assert_eq!(
        r.decide_remedy(
            RemedyKind::Litigation,
            RemedyOutcome::Upheld,
            date(2026, 11, 20),
            now
        )
        .unwrap_err()
        .code,
        codes::Disclosure::RemedyMissing
    );
    run.act(now, |r| {
        r.record_remedy(
            RemedyKind::Reconsideration,
            date(2026, 11, 20),
            "市人民政府",
            now,
        )
    });
    let r = run.req();
    assert_eq!(
        r.record_remedy(
            RemedyKind::Reconsideration,
            date(2026, 11, 20),
            "市人民政府",
            now
        )
        .unwrap_err()
        .code,
        codes::Disclosure::RemedySecond
    );
    let later = at(2026, 12, 2, 9);
    run.act(later, |r| {
        r.decide_remedy(
            RemedyKind::Reconsideration,
            RemedyOutcome::Upheld,
            date(2026, 12, 1),
            later,
        )
    });
    let r = run.req();
    assert_eq!(r.remedies[0].outcome, Some(RemedyOutcome::Upheld));
    assert_eq!(r.status, Status::Replied);
    assert_eq!(
        r.decide_remedy(
            RemedyKind::Reconsideration,
            RemedyOutcome::Corrected,
            date(2026, 12, 1),
            later
        )
        .unwrap_err()
        .code,
        codes::Disclosure::RemedyDecided
    );
}

#[test]
fn the_office_is_reminded_of_the_notice_window_and_the_consultation_is_watched() {
    let cal = cal();
    let rules = crate::supervision::WarningRules::default();
    let mut run = Run::file(
        Channel::InPerson,
        Some(at(2026, 9, 21, 10)),
        at(2026, 9, 21, 10),
    );
    let keys = |r: &Request, now| {
        r.watches(&cal, now, &rules, None)
            .unwrap()
            .into_iter()
            .map(|w| (w.key, w.red_at))
            .collect::<Vec<_>>()
    };
    let now = at(2026, 9, 22, 9);
    let ws = keys(&run.req(), now);
    // Only the reply period is in the index; the 补正 notice window gets a reminder instead.
    assert_eq!(ws.len(), 1);
    assert_eq!(ws[0].0, "reply");
    // The window (7 working days over 中秋: 10/8) is yellow from its sixth day, 9/30.
    let r = run.req();
    assert_eq!(
        r.supplement_notice_reminder(&cal, at(2026, 9, 29, 23), &rules)
            .unwrap(),
        None
    );
    let reminder = r
        .supplement_notice_reminder(&cal, at(2026, 9, 30, 9), &rules)
        .unwrap()
        .expect("a reminder on the window's yellow day");
    assert_eq!(
        reminder,
        DisclosureEvent::Reminded {
            deadline: DeadlineKind::SupplementNotice,
            due: date(2026, 10, 8)
        }
    );
    assert_eq!(
        r.supplement_notice_reminder(&cal, at(2026, 10, 9, 0), &rules)
            .unwrap(),
        None,
        "not once the window has closed"
    );
    run.push(reminder, at(2026, 9, 30, 9));
    assert_eq!(
        run.req()
            .supplement_notice_reminder(&cal, at(2026, 10, 8, 9), &rules)
            .unwrap(),
        None,
        "once only"
    );
    run.act(at(2026, 10, 12, 9), |r| {
        r.open_consultation(
            ConsultationKind::ThirdParty,
            "某公司",
            "是否同意公开",
            wd(THIRD_PARTY_DAYS),
            &cal,
            at(2026, 10, 12, 9),
        )
    });
    let ws = keys(&run.req(), at(2026, 10, 12, 9));
    let names: Vec<&str> = ws.iter().map(|w| w.0.as_str()).collect();
    assert_eq!(names, vec!["reply", "consultation"]);
    // 15 working days from 10/12: 11/2.
    assert_eq!(
        crate::time::local_date(ws[1].1 - chrono::Duration::milliseconds(1)),
        date(2026, 11, 2)
    );
}

#[test]
fn organisations_are_counted_in_their_report_column() {
    let mut input = ApplicantInput {
        kind: Some(ApplicantKind::LegalPerson),
        name: "某律师事务所".into(),
        id_code: "91350100M000100Y43".into(),
        email: Some("office@example.com".into()),
        ..ApplicantInput::default()
    };
    let a = Applicant::parse(&input, None).unwrap();
    assert_eq!(a.report_column(), ReportColumn::Other);
    input.org_kind = Some(OrganisationKind::LegalService);
    let a = Applicant::parse(&input, None).unwrap();
    assert_eq!(a.report_column(), ReportColumn::LegalService);
    let citizen = filing(Channel::InPerson).applicant;
    assert_eq!(citizen.report_column(), ReportColumn::NaturalPerson);
    assert_eq!(citizen.org_kind, None);
}

#[test]
fn the_annual_report_counts_each_request_once_and_balances() {
    use super::report::{AnnualReport, Counted, RemedyColumn, RemedyGroup, ReportRow};
    let cal = cal();
    let mut runs: Vec<(String, Run)> = Vec::new();
    // Carried in from 2025: received 12/29/2025, replied (部分公开) in 2026.
    let mut a = Run::file(
        Channel::InPerson,
        Some(at(2025, 12, 29, 10)),
        at(2025, 12, 29, 10),
    );
    a.act(at(2026, 1, 6, 9), |r| {
        r.answer(
            Reply::parse(ReplyInput {
                kind: Some(ReplyKind::PartlyDisclosed),
                withheld: vec![WithheldPart {
                    part: "单价".into(),
                    ground: WithholdGround::ThirdParty,
                    reason: "商业秘密".into(),
                }],
                ..ReplyInput::default()
            })
            .unwrap(),
        )
    });
    a.act(at(2026, 2, 2, 9), |r| {
        r.record_remedy(
            RemedyKind::Reconsideration,
            date(2026, 1, 20),
            "市人民政府",
            at(2026, 2, 2, 9),
        )
    });
    a.act(at(2026, 3, 2, 9), |r| {
        r.record_remedy(
            RemedyKind::Litigation,
            date(2026, 3, 2),
            "市中级人民法院",
            at(2026, 3, 2, 9),
        )
    });
    a.act(at(2026, 3, 3, 9), |r| {
        r.decide_remedy(
            RemedyKind::Reconsideration,
            RemedyOutcome::Upheld,
            date(2026, 3, 1),
            at(2026, 3, 3, 9),
        )
    });
    runs.push(("A".into(), a));
    // Received and replied in 2026 (不予公开, 过程性信息).
    let mut b = Run::file(
        Channel::InPerson,
        Some(at(2026, 9, 21, 10)),
        at(2026, 9, 21, 10),
    );
    b.act(at(2026, 9, 28, 9), |r| {
        r.answer(
            Reply::parse(ReplyInput {
                kind: Some(ReplyKind::Withheld),
                withheld: vec![WithheldPart {
                    part: "全部".into(),
                    ground: WithholdGround::Process,
                    reason: "讨论记录".into(),
                }],
                ..ReplyInput::default()
            })
            .unwrap(),
        )
    });
    runs.push(("B".into(), b));
    // Deemed withdrawn after an unanswered 补正, in 2026.
    let mut c = Run::file(
        Channel::InPerson,
        Some(at(2026, 9, 21, 10)),
        at(2026, 9, 21, 10),
    );
    c.act(at(2026, 9, 22, 9), |r| {
        r.request_supplement(&["年份".into()], wd(5), &cal, at(2026, 9, 22, 9))
    });
    c.act(at(2026, 10, 20, 9), |r| {
        r.lapse_supplement(at(2026, 10, 20, 9))
    });
    runs.push(("C".into(), c));
    // Received 12/30/2026, still open: carried into 2027.
    let d = Run::file(
        Channel::InPerson,
        Some(at(2026, 12, 30, 10)),
        at(2026, 12, 30, 10),
    );
    runs.push(("D".into(), d));
    // Received and closed in 2025: not in 2026's report.
    let mut e = Run::file(
        Channel::InPerson,
        Some(at(2025, 9, 1, 10)),
        at(2025, 9, 1, 10),
    );
    e.act(at(2025, 9, 5, 9), |r| r.withdraw());
    runs.push(("E".into(), e));
    // Not yet confirmed online: not received, not counted.
    runs.push((
        "F".into(),
        Run::file(Channel::Online, None, at(2026, 6, 1, 9)),
    ));

    let reqs: Vec<(String, Request)> = runs.iter().map(|(n, r)| (n.clone(), r.req())).collect();
    let counted: Vec<Counted<'_>> = reqs
        .iter()
        .map(|(n, r)| Counted { number: n, req: r })
        .collect();
    let rep = AnnualReport::compute(2026, &counted);
    let nat = Some(ReportColumn::NaturalPerson);
    assert_eq!(rep.cell(ReportRow::NewReceived, None), ["B", "C", "D"]);
    assert_eq!(rep.cell(ReportRow::CarriedIn, nat), ["A"]);
    assert_eq!(rep.cell(ReportRow::PartlyDisclosed, None), ["A"]);
    assert_eq!(rep.cell(ReportRow::WithheldProcess, None), ["B"]);
    assert_eq!(rep.cell(ReportRow::OtherNoSupplement, nat), ["C"]);
    assert_eq!(rep.cell(ReportRow::Total, None), ["A", "B", "C"]);
    assert_eq!(rep.cell(ReportRow::CarriedOut, None), ["D"]);
    assert!(rep
        .cell(ReportRow::NewReceived, Some(ReportColumn::Business))
        .is_empty());
    assert!(rep.balanced());
    assert_eq!(
        rep.remedy_cell(RemedyGroup::Reconsideration, RemedyColumn::Upheld),
        ["A"]
    );
    assert_eq!(
        rep.remedy_cell(
            RemedyGroup::LitigationAfterReconsideration,
            RemedyColumn::Pending
        ),
        ["A"]
    );
    assert!(rep
        .remedy_cell(RemedyGroup::DirectLitigation, RemedyColumn::Total)
        .is_empty());
    // 2025: E came and went, A came in and is carried out.
    let rep = AnnualReport::compute(2025, &counted);
    assert_eq!(rep.cell(ReportRow::NewReceived, None), ["A", "E"]);
    assert_eq!(rep.cell(ReportRow::OtherOther, None), ["E"]);
    assert_eq!(rep.cell(ReportRow::CarriedOut, None), ["A"]);
    assert!(rep.balanced());
    assert_eq!(ReportRow::ALL.len(), 25);
    assert!(super::report::publication_due(2025, at(2026, 1, 1, 9)));
    assert!(!super::report::publication_due(2025, at(2026, 2, 1, 9)));
}
