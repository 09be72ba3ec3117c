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
