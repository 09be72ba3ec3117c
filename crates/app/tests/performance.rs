//! 绩效考评 through the use cases, on SQLite and (when `TONGBAN_TEST_DATABASE_URL` is set)
//! PostgreSQL: a scheme drafted, reviewed by someone else and published (weights must sum to
//! 100, nothing written otherwise); a quarter scored from real cases (one on time, one late with
//! its confirmed 办理超时 finding), published and frozen; publishing again and correcting
//! without a reason refused with nothing written; a correction with a reason as version 2
//! beside version 1; the drill-down naming the late case; the xlsx; the year's flag on the last
//! department, and who acted on it.

use std::collections::BTreeMap;

use chrono::{DateTime, Duration, TimeZone, Utc};
use tongban_app::cases::NewCase;
use tongban_app::disclosure::{DisclosureAction, NewDisclosure};
use tongban_app::hotline::{TicketAction, TicketInput};
use tongban_app::performance::Adjustment;
use tongban_app::App;
use tongban_domain::case::{Case, CaseStatus, Command};
use tongban_domain::catalog::Delivery;
use tongban_domain::codes;
use tongban_domain::disclosure::{
    ApplicantInput, ApplicantKind, Channel, FormWanted, ReplyInput, ReplyKind,
};
use tongban_domain::org::Actor;
use tongban_domain::performance::{
    Consequence, Indicator, MemberKind, Scheme, SchemeStatus, UnitKind,
};

mod common;
use common::*;

fn shanghai(y: i32, m: u32, d: u32, h: u32) -> DateTime<Utc> {
    tongban_domain::time::shanghai()
        .with_ymd_and_hms(y, m, d, h, 0, 0)
        .unwrap()
        .with_timezone(&Utc)
}

fn approve(step: &str) -> Command {
    Command::Decide {
        step: step.into(),
        approve: true,
        opinion: "符合".into(),
    }
}

/// A property case of `user` filed online and accepted now; its number.
async fn accepted(app: &App, user: &str) -> String {
    let user = who(app, user).await;
    let clerk = who(app, "zrzy.clerk").await;
    let all = ["m1", "m2", "m3", "m4"];
    let (summary, _) = app.public_item(PROPERTY).await.unwrap();
    let materials = upload(app, &user, &all).await;
    let case: Case = app
        .submit_case(
            &user,
            NewCase {
                item_code: summary.implementation_code,
                applicant: None,
                village: false,
                pickup_hall_id: None,
                delivery: Delivery::Window,
                materials,
                form: BTreeMap::new(),
                idempotency_key: None,
            },
        )
        .await
        .unwrap()
        .case;
    let n = case.number.to_string();
    act(app, &clerk, &n, Command::Accept { check: check(&all) }).await;
    n
}

/// Decides an accepted property case: the parallel reviews, s2c deemed approved two days on,
/// then the head's decision.
async fn decide(app: &App, n: &str) {
    let admin = who(app, "admin").await;
    act(app, &who(app, "zrzy.approver").await, n, approve("s2a")).await;
    act(app, &who(app, "swj.approver").await, n, approve("s2b")).await;
    app.advance_clock(&admin, Duration::days(2)).await.unwrap();
    let case = act(app, &who(app, "zrzy.head").await, n, approve("s3")).await;
    assert_eq!(case.status, CaseStatus::Decided);
}

#[tokio::test]
async fn a_quarter_is_scored_from_the_facts_published_frozen_corrected_with_a_reason_and_drilled() {
    // One connection: the first publication and a correction share their statements' cache.
    for app in apps_on_one_connection().await {
        let sup = who(&app, "jiancha").await;
        let fazhi = who(&app, "fazhi").await;
        let leader = who(&app, "lingdao").await;
        let admin = who(&app, "admin").await;
        let clerk = who(&app, "zrzy.clerk").await;

        // Monday 2 March: one case decided on time; another left until after its due day.
        let on_time = accepted(&app, "user11").await;
        decide(&app, &on_time).await;
        let late = accepted(&app, "user12").await;
        app.advance_clock(&admin, Duration::days(8)).await.unwrap();
        let finding = app
            .findings(&sup, Some("open"))
            .await
            .unwrap()
            .into_iter()
            .find(|f| f.subject_number == late && f.rule == "overdue")
            .expect("办理超时 found");
        app.decide_finding(&sup, finding.id, true, "确属超时")
            .await
            .unwrap();
        decide(&app, &late).await;

        // No scheme yet: nothing can be scored.
        app.clock.set(shanghai(2026, 4, 7, 9));
        let err = app.publish_period(&sup, "2026-Q1").await.unwrap_err();
        assert_eq!(err.code, codes::Performance::NoScheme);

        // A scheme whose weights do not sum to 100 is refused and nothing is written.
        let mut bad = Scheme::standard();
        bad.indicators[0].weight = 19;
        let err = app.draft_scheme(&sup, &bad).await.unwrap_err();
        assert_eq!(err.code, codes::Performance::Weights);
        assert!(app.schemes(&sup).await.unwrap().is_empty());
        assert_eq!(
            app.draft_scheme(&clerk, &Scheme::standard())
                .await
                .unwrap_err()
                .code,
            codes::Auth::Forbidden
        );

        // Drafted, reviewed by someone else, published.
        let s = app.draft_scheme(&sup, &Scheme::standard()).await.unwrap();
        assert_eq!(s.row.status, SchemeStatus::Draft);
        assert_eq!(
            app.publish_scheme(&leader, s.row.id)
                .await
                .unwrap_err()
                .code,
            codes::Performance::Stage
        );
        assert_eq!(
            app.review_scheme(&sup, s.row.id).await.unwrap_err().code,
            codes::Performance::ReviewOwn
        );
        app.review_scheme(&fazhi, s.row.id).await.unwrap();
        let s = app.publish_scheme(&leader, s.row.id).await.unwrap();
        assert_eq!(s.row.status, SchemeStatus::Published);
        assert_eq!(
            app.edit_scheme(&sup, s.row.id, &Scheme::standard())
                .await
                .unwrap_err()
                .code,
            codes::Performance::Stage
        );

        // A period not over is not published.
        assert_eq!(
            app.publish_period(&sup, "2026-Q2").await.unwrap_err().code,
            codes::Performance::PeriodOpen
        );

        let view = app.publish_period(&sup, "2026-Q1").await.unwrap();
        let id = view.row.as_ref().unwrap().id;
        assert_eq!(view.version, 1);
        let zrzy = app
            .store
            .user_by_login("zrzy.clerk")
            .await
            .unwrap()
            .unwrap()
            .department_id
            .unwrap()
            .to_string();
        let unit = view
            .scores
            .iter()
            .find(|u| u.unit_kind == UnitKind::Department && u.unit_id == zrzy)
            .unwrap();
        let line = |i: Indicator| unit.lines.iter().find(|l| l.indicator == i).unwrap();
        assert_eq!(
            (
                line(Indicator::OnTime).fact.num,
                line(Indicator::OnTime).fact.den
            ),
            (1, 2)
        );
        assert_eq!(line(Indicator::Overdue).fact.num, 1);
        // The confirmed finding counts against the department it was raised on.
        let found_on = finding.department_id.to_string();
        let found = view
            .scores
            .iter()
            .find(|u| u.unit_kind == UnitKind::Department && u.unit_id == found_on)
            .unwrap();
        let findings_line = found
            .lines
            .iter()
            .find(|l| l.indicator == Indicator::Findings)
            .unwrap();
        assert_eq!(findings_line.fact.num, 1);
        // 15 × (1/2) ÷ 100 % = 7.50; 10 − 2 × 1 = 8.00.
        assert_eq!(line(Indicator::OnTime).points, 750);
        assert_eq!(line(Indicator::Overdue).points, 800);
        assert!(line(Indicator::OnTime)
            .formula
            .contains("按时办结件数 1 ÷ 办结件数 2 = 50.0%"));
        assert_eq!(unit.total, unit.lines.iter().map(|l| l.points).sum::<i64>());
        assert!(
            unit.is_last(),
            "the only department with late work is last: {unit:?}"
        );
        // Townships are ranked in their own level.
        assert!(view
            .scores
            .iter()
            .any(|u| u.unit_kind == UnitKind::Township && u.unit_name == "临江街道"));

        // The drill-down lists both cases behind 按时办结率, the late one first.
        let rows = app
            .drill(&sup, id, UnitKind::Department, &zrzy, Indicator::OnTime)
            .await
            .unwrap();
        assert_eq!(rows.len(), 2);
        assert_eq!(
            (rows[0].number.as_str(), rows[0].counted),
            (late.as_str(), 0)
        );
        assert_eq!(
            (rows[1].number.as_str(), rows[1].counted),
            (on_time.as_str(), 1)
        );
        let overdue = app
            .drill(&sup, id, UnitKind::Department, &zrzy, Indicator::Overdue)
            .await
            .unwrap();
        assert_eq!(overdue.len(), 1);
        assert_eq!(overdue[0].number, late);
        let findings = app
            .drill(
                &sup,
                id,
                UnitKind::Department,
                &found_on,
                Indicator::Findings,
            )
            .await
            .unwrap();
        assert_eq!(findings.len(), 1);
        // A department's clerk drills into their own department only.
        assert!(app
            .drill(&clerk, id, UnitKind::Department, &zrzy, Indicator::OnTime)
            .await
            .is_ok());
        assert_eq!(
            app.drill(&clerk, id, UnitKind::Department, "1", Indicator::OnTime)
                .await
                .unwrap_err()
                .code,
            codes::Auth::Forbidden
        );

        // Published means frozen: publishing again, or correcting without a reason, is refused
        // and writes nothing.
        let audit_before = app.store.audit_head().await.unwrap();
        assert_eq!(
            app.publish_period(&sup, "2026-Q1").await.unwrap_err().code,
            codes::Performance::Published
        );
        assert_eq!(
            app.correct_period(&sup, id, 1, "  ", None)
                .await
                .unwrap_err()
                .code,
            codes::Performance::Reason
        );
        assert_eq!(app.store.audit_head().await.unwrap(), audit_before);
        assert_eq!(app.period_view(id, None).await.unwrap().versions.len(), 1);

        // A correction with its reason is version 2; version 1 stays as it was.
        let fix = Adjustment {
            unit_kind: UnitKind::Department,
            unit_id: zrzy.clone(),
            indicator: Indicator::OnTime,
            num: 2,
            den: 2,
        };
        let v2 = app
            .correct_period(
                &sup,
                id,
                1,
                "申请人补正期间不应计时，经核实按时办结",
                Some(&fix),
            )
            .await
            .unwrap();
        assert_eq!(v2.version, 2);
        assert_eq!(v2.versions.len(), 2);
        assert_eq!(
            v2.versions[1].reason,
            "申请人补正期间不应计时，经核实按时办结"
        );
        let fixed = v2.scores.iter().find(|u| u.unit_id == zrzy).unwrap();
        let l = fixed
            .lines
            .iter()
            .find(|l| l.indicator == Indicator::OnTime)
            .unwrap();
        assert_eq!((l.points, l.corrected.is_some()), (1500, true));
        let v1 = app.period_view(id, Some(1)).await.unwrap();
        let old = v1.scores.iter().find(|u| u.unit_id == zrzy).unwrap();
        assert_eq!(old.total, unit.total, "version 1 is kept as published");
        // A stale correction is refused.
        assert_eq!(
            app.correct_period(&sup, id, 1, "再次更正", None)
                .await
                .unwrap_err()
                .code,
            codes::Performance::Stale
        );

        // The export carries every line.
        let (name, bytes) = app.period_xlsx(id, None).await.unwrap();
        assert!(name.ends_with("v2.xlsx") && bytes.starts_with(b"PK"));

        // The year: the last department is flagged for 诫勉谈话; a person records the action.
        app.clock.set(shanghai(2027, 1, 5, 9));
        let year = app.publish_period(&sup, "2026").await.unwrap();
        let flag = year
            .flags
            .iter()
            .find(|f| f.unit_id == zrzy)
            .expect("flagged")
            .clone();
        assert_eq!(flag.consequence, Consequence::Admonish);
        assert!(flag.acted_by.is_none(), "the system never acts itself");
        let acted = app
            .act_on_flag(&leader, flag.id, "已对部门负责人进行诫勉谈话")
            .await
            .unwrap();
        assert_eq!(acted.actor.as_deref(), Some(leader.name.as_str()));
        assert_eq!(
            app.act_on_flag(&leader, flag.id, "again")
                .await
                .unwrap_err()
                .code,
            codes::Performance::FlagActed
        );
    }
}

/// The standard scheme drafted, reviewed and published.
async fn standard_scheme(app: &App) {
    let s = app
        .draft_scheme(&who(app, "jiancha").await, &Scheme::standard())
        .await
        .unwrap();
    app.review_scheme(&who(app, "fazhi").await, s.row.id)
        .await
        .unwrap();
    app.publish_scheme(&who(app, "lingdao").await, s.row.id)
        .await
        .unwrap();
}

async fn department_of(app: &App, login: &str) -> String {
    who(app, login).await.department_id.unwrap().to_string()
}

/// 不动产登记资料查询: a 即办件 of 自然资源局.
const RECORDS: &str = "GG00701001";

#[tokio::test]
async fn instant_share_counts_by_the_items_kind_and_overdue_counts_cases_still_open_past_due() {
    for app in apps().await {
        let sup = who(&app, "jiancha").await;
        let clerk = who(&app, "zrzy.clerk").await;
        standard_scheme(&app).await;
        let zrzy = department_of(&app, "zrzy.clerk").await;

        // Monday 2 March: a 即办件 filed at the window, decided two days later (not the same
        // day: it is counted by its item's kind, not by how fast it went).
        let keys = ["m1", "m2", "m3"];
        let (summary, _) = app.public_item(RECORDS).await.unwrap();
        let instant = app
            .submit_case(
                &clerk,
                NewCase {
                    item_code: summary.implementation_code,
                    applicant: Some(tongban_app::cases::ApplicantInput {
                        kind: tongban_domain::case::PartyKind::Person,
                        name: "李四".into(),
                        id_code: "11010519491231002X".into(),
                        phone: "13912345678".into(),
                        email: None,
                    }),
                    village: false,
                    pickup_hall_id: None,
                    delivery: Delivery::Window,
                    materials: upload(&app, &clerk, &keys).await,
                    form: BTreeMap::new(),
                    idempotency_key: None,
                },
            )
            .await
            .unwrap()
            .case
            .number
            .to_string();
        // A 承诺件 decided in the quarter, and one left open past its due time.
        let committed = accepted(&app, "user11").await;
        let open_late = accepted(&app, "user12").await;
        decide(&app, &committed).await;
        act(
            &app,
            &clerk,
            &instant,
            Command::AcceptAndDecide {
                check: check(&keys),
            },
        )
        .await;
        let admin = who(&app, "admin").await;
        app.advance_clock(&admin, Duration::days(8)).await.unwrap();

        app.clock.set(shanghai(2026, 4, 7, 9));
        let view = app.publish_period(&sup, "2026-Q1").await.unwrap();
        let id = view.row.as_ref().unwrap().id;
        let unit = view
            .scores
            .iter()
            .find(|u| u.unit_kind == UnitKind::Department && u.unit_id == zrzy)
            .unwrap();
        let fact = |i: Indicator| {
            let f = unit.lines.iter().find(|l| l.indicator == i).unwrap().fact;
            (f.num, f.den)
        };
        // One of the two decided cases is a 即办件 by its item.
        assert_eq!(fact(Indicator::Instant), (1, 2));
        // No decision was late, but one case is still open past its due time at the end.
        assert_eq!(fact(Indicator::Overdue).0, 1);
        assert!(unit
            .lines
            .iter()
            .find(|l| l.indicator == Indicator::Overdue)
            .unwrap()
            .formula
            .contains("期末超期未办结件数"));

        let rows = app
            .drill(&sup, id, UnitKind::Department, &zrzy, Indicator::Instant)
            .await
            .unwrap();
        let view_rows: Vec<(&str, i64, &str)> = rows
            .iter()
            .map(|r| (r.number.as_str(), r.counted, r.note.as_str()))
            .collect();
        assert_eq!(
            view_rows,
            vec![
                (instant.as_str(), 1, "即办件"),
                (committed.as_str(), 0, "承诺件")
            ]
        );
        let overdue = app
            .drill(&sup, id, UnitKind::Department, &zrzy, Indicator::Overdue)
            .await
            .unwrap();
        assert_eq!(overdue.len(), 1);
        assert_eq!(overdue[0].number, open_late);
        assert_eq!(overdue[0].note, "期末超期未办结");
        assert_eq!(overdue[0].done_at, None);

        // The clerk who was 首问责任人 of all three is scored on the same facts; a clerk of
        // another department does not see them, an applicant sees no staff scores.
        let staff = app
            .member_scores(&sup, id, MemberKind::Staff)
            .await
            .unwrap();
        let me = staff
            .scores
            .iter()
            .find(|m| m.id == clerk.user_id)
            .expect("the clerk is scored");
        let mfact = |i: Indicator| {
            let f = me.lines.iter().find(|l| l.indicator == i).unwrap().fact;
            (f.num, f.den)
        };
        assert_eq!(mfact(Indicator::OnTime), (2, 2));
        assert_eq!(mfact(Indicator::Instant), (1, 2));
        assert_eq!(mfact(Indicator::Overdue).0, 1);
        assert!(me.total < 10_000 && me.formula.contains("适用指标权重之和"));
        let rows = app
            .member_drill(
                &sup,
                id,
                MemberKind::Staff,
                clerk.user_id,
                Indicator::Overdue,
            )
            .await
            .unwrap();
        assert_eq!(rows.len(), 1);
        assert_eq!(rows[0].number, open_late);
        let own = app
            .member_scores(&clerk, id, MemberKind::Staff)
            .await
            .unwrap();
        assert!(own.scores.iter().any(|m| m.id == clerk.user_id));
        let other = who(&app, "scjg.clerk").await;
        assert!(app
            .member_scores(&other, id, MemberKind::Staff)
            .await
            .unwrap()
            .scores
            .iter()
            .all(|m| m.id != clerk.user_id));
        assert_eq!(
            app.member_drill(
                &other,
                id,
                MemberKind::Staff,
                clerk.user_id,
                Indicator::Overdue
            )
            .await
            .unwrap_err()
            .code,
            codes::Performance::Unit
        );
        assert_eq!(
            app.member_scores(&who(&app, "user01").await, id, MemberKind::Staff)
                .await
                .unwrap_err()
                .code,
            codes::Auth::Forbidden
        );
        // The hall it was filed at counts the window-filed 即办件.
        let halls = app.member_scores(&sup, id, MemberKind::Hall).await.unwrap();
        assert!(halls.scores.iter().any(|h| h
            .lines
            .iter()
            .any(|l| l.indicator == Indicator::Instant && l.fact.num == 1)));

        // Decided late in the next quarter, it is a late decision there.
        app.clock.set(shanghai(2026, 4, 8, 9));
        decide(&app, &open_late).await;
        app.clock.set(shanghai(2026, 7, 6, 9));
        let q2 = app.publish_period(&sup, "2026-Q2").await.unwrap();
        let q2_id = q2.row.as_ref().unwrap().id;
        let rows = app
            .drill(&sup, q2_id, UnitKind::Department, &zrzy, Indicator::Overdue)
            .await
            .unwrap();
        assert_eq!(rows.len(), 1);
        assert_eq!(
            (rows[0].number.as_str(), rows[0].note.as_str()),
            (open_late.as_str(), "超时办结")
        );
    }
}

fn complaint(text: &str) -> TicketInput {
    TicketInput {
        category: "complaint".into(),
        channel: Some("phone".into()),
        subject: "urban.stall".into(),
        region: "361202001000".into(),
        caller_name: Some("王秀英".into()),
        caller_phone: Some("13800001234".into()),
        text: text.into(),
        place: Some("临江街道滨江路".into()),
        ..TicketInput::default()
    }
}

async fn ticket(app: &App, actor: &Actor, number: &str, action: TicketAction) {
    if let Err(e) = app.ticket_act(actor, number, action.clone()).await {
        panic!("{action:?} by {}: {} {}", actor.name, e.code, e.message);
    }
}

async fn disclosure_in_person(app: &App, clerk: &Actor, received: DateTime<Utc>) -> String {
    app.file_disclosure(
        clerk,
        NewDisclosure {
            department_id: clerk.department_id.unwrap(),
            applicant: ApplicantInput {
                kind: Some(ApplicantKind::Citizen),
                name: "张三".into(),
                id_code: "11010519491231002X".into(),
                phone: Some("13800138000".into()),
                ..ApplicantInput::default()
            },
            description: "本市2025年政府采购中标公告".into(),
            purpose: None,
            form: FormWanted::Paper,
            channel: Channel::InPerson,
            received_at: Some(received),
        },
    )
    .await
    .unwrap()
    .number
}

async fn disclosed(app: &App, clerk: &Actor, number: &str) {
    app.act_on_disclosure(
        clerk,
        number,
        None,
        DisclosureAction::Reply(ReplyInput {
            kind: Some(ReplyKind::Disclosed),
            text: "以纸质文本提供。".into(),
            ..ReplyInput::default()
        }),
    )
    .await
    .unwrap();
}

#[tokio::test]
async fn the_hotlines_three_rates_and_disclosure_on_time_are_indicators_with_their_drill_down() {
    for app in apps().await {
        app.load_demo_disclosure().await.unwrap();
        app.load_demo_hotline().await.unwrap();
        let sup = who(&app, "jiancha").await;
        standard_scheme(&app).await;

        // Disclosure: received Wednesday 4/29, due Friday 5/29 (劳动节 counted); one replied on
        // the day, one on Monday 6/1, late (its 办理超时 finding is written with the reply).
        let gkb = who(&app, "gkb.clerk").await;
        app.clock.set(shanghai(2026, 4, 29, 11));
        let on_time = disclosure_in_person(&app, &gkb, shanghai(2026, 4, 29, 10)).await;
        let late = disclosure_in_person(&app, &gkb, shanghai(2026, 4, 29, 10)).await;
        app.clock.set(shanghai(2026, 5, 29, 17));
        disclosed(&app, &gkb, &on_time).await;
        app.clock.set(shanghai(2026, 6, 1, 9));
        disclosed(&app, &gkb, &late).await;

        // Hotline: one complaint signed, replied and called back 基本满意; one left unsigned
        // past its hours.
        app.clock.set(shanghai(2026, 6, 10, 10));
        let op = who(&app, "huawu").await;
        let linjiang = who(&app, "linjiang.clerk").await;
        let route = || TicketAction::Dispatch {
            lead: None,
            co: Vec::new(),
            note: String::new(),
        };
        let served = app
            .file_ticket(&op, complaint("路灯不亮"))
            .await
            .unwrap()
            .number;
        ticket(&app, &op, &served, route()).await;
        ticket(&app, &linjiang, &served, TicketAction::Sign).await;
        ticket(
            &app,
            &linjiang,
            &served,
            TicketAction::Reply {
                text: "已修复".into(),
            },
        )
        .await;
        ticket(
            &app,
            &op,
            &served,
            TicketAction::CallBack {
                result: "basic".into(),
                note: String::new(),
            },
        )
        .await;
        let unsigned = app
            .file_ticket(&op, complaint("井盖缺失"))
            .await
            .unwrap()
            .number;
        ticket(&app, &op, &unsigned, route()).await;

        app.clock.set(shanghai(2026, 7, 6, 9));
        let view = app.publish_period(&sup, "2026-Q2").await.unwrap();
        let id = view.row.as_ref().unwrap().id;
        let fact = |dept: &str, i: Indicator| {
            let u = view
                .scores
                .iter()
                .find(|u| u.unit_kind == UnitKind::Department && u.unit_id == dept)
                .unwrap();
            let f = u.lines.iter().find(|l| l.indicator == i).unwrap().fact;
            (f.num, f.den)
        };
        let office = department_of(&app, "linjiang.clerk").await;
        assert_eq!(fact(&office, Indicator::HotlineResponse), (1, 2));
        assert_eq!(fact(&office, Indicator::HotlineSolution), (1, 1));
        assert_eq!(fact(&office, Indicator::HotlineSatisfaction), (1, 1));
        let gkb_dept = department_of(&app, "gkb.clerk").await;
        assert_eq!(fact(&gkb_dept, Indicator::DisclosureOnTime), (1, 2));

        // The township the tickets' address falls in (临江街道) gets the same 三率, and drills
        // to the same tickets; a township with no ticket has nothing to count.
        let township = |code: &str, i: Indicator| {
            let u = view
                .scores
                .iter()
                .find(|u| u.unit_kind == UnitKind::Township && u.unit_id == code)
                .unwrap();
            let f = u.lines.iter().find(|l| l.indicator == i).unwrap().fact;
            (f.num, f.den)
        };
        let linjiang_town = "361202001000";
        assert_eq!(township(linjiang_town, Indicator::HotlineResponse), (1, 2));
        assert_eq!(township(linjiang_town, Indicator::HotlineSolution), (1, 1));
        assert_eq!(
            township(linjiang_town, Indicator::HotlineSatisfaction),
            (1, 1)
        );
        assert!(view
            .scores
            .iter()
            .filter(|u| u.unit_kind == UnitKind::Township && u.unit_id != linjiang_town)
            .all(|u| u
                .lines
                .iter()
                .filter(|l| l.indicator == Indicator::HotlineResponse)
                .all(|l| l.fact.den == 0)));
        let rows = app
            .drill(
                &sup,
                id,
                UnitKind::Township,
                linjiang_town,
                Indicator::HotlineResponse,
            )
            .await
            .unwrap();
        let got: Vec<(&str, i64)> = rows
            .iter()
            .map(|r| (r.number.as_str(), r.counted))
            .collect();
        assert_eq!(got, vec![(unsigned.as_str(), 0), (served.as_str(), 1)]);

        // Each drills to the tickets or requests behind it, the ones not counted first.
        let rows = app
            .drill(
                &sup,
                id,
                UnitKind::Department,
                &office,
                Indicator::HotlineResponse,
            )
            .await
            .unwrap();
        let got: Vec<(&str, &str, i64)> = rows
            .iter()
            .map(|r| (r.kind.as_str(), r.number.as_str(), r.counted))
            .collect();
        assert_eq!(
            got,
            vec![
                ("ticket", unsigned.as_str(), 0),
                ("ticket", served.as_str(), 1)
            ]
        );
        let rows = app
            .drill(
                &sup,
                id,
                UnitKind::Department,
                &office,
                Indicator::HotlineSatisfaction,
            )
            .await
            .unwrap();
        assert_eq!(rows.len(), 1);
        assert_eq!(rows[0].number, served);
        let rows = app
            .drill(
                &sup,
                id,
                UnitKind::Department,
                &gkb_dept,
                Indicator::DisclosureOnTime,
            )
            .await
            .unwrap();
        let got: Vec<(&str, &str, i64, &str)> = rows
            .iter()
            .map(|r| {
                (
                    r.kind.as_str(),
                    r.number.as_str(),
                    r.counted,
                    r.note.as_str(),
                )
            })
            .collect();
        assert_eq!(
            got,
            vec![
                ("disclosure", late.as_str(), 0, "逾期答复"),
                ("disclosure", on_time.as_str(), 1, "按时答复")
            ]
        );
        // The published definitions name what they count.
        assert_eq!(
            Indicator::DisclosureOnTime.definition(),
            "依申请公开按时答复率 = 按时答复的申请数 ÷ 答复的申请数"
        );
    }
}

#[tokio::test]
async fn the_demo_quarters_hold_cases_and_ratings_so_units_do_not_all_tie() {
    for app in apps().await {
        let started = std::time::Instant::now();
        let published = app.load_demo_performance().await.unwrap();
        assert_eq!(published.len(), 2);
        let loaded = started.elapsed();
        let sup = who(&app, "jiancha").await;
        let jyj = department_of(&app, "jyj.clerk").await;
        let periods = app.published_periods("").await.unwrap();
        assert_eq!(periods.len(), 2);
        for p in &periods {
            let view = app.period_view(p.id, None).await.unwrap();
            let departments: Vec<_> = view
                .scores
                .iter()
                .filter(|u| u.unit_kind == UnitKind::Department)
                .collect();
            assert!(
                departments.iter().any(|u| u.total < 10_000),
                "{}: someone loses points",
                p.period
            );
            assert!(
                departments.iter().any(|u| u.is_last()),
                "{}: the departments do not all tie",
                p.period
            );
        }
        // The earlier quarter: 教育局 decided one of its two cases late, and it was rated 不满意.
        let earlier = periods.iter().min_by_key(|p| p.period.clone()).unwrap();
        let view = app.period_view(earlier.id, None).await.unwrap();
        let unit = view
            .scores
            .iter()
            .find(|u| u.unit_kind == UnitKind::Department && u.unit_id == jyj)
            .unwrap();
        let fact = |i: Indicator| {
            let f = unit.lines.iter().find(|l| l.indicator == i).unwrap().fact;
            (f.num, f.den)
        };
        assert_eq!(fact(Indicator::OnTime), (1, 2));
        assert_eq!(fact(Indicator::GoodRate), (1, 2));
        let late = app
            .drill(
                &sup,
                earlier.id,
                UnitKind::Department,
                &jyj,
                Indicator::Overdue,
            )
            .await
            .unwrap();
        assert_eq!(late.len(), 1);
        // Loading stays quick: the suite loads the demo many times.
        assert!(loaded < std::time::Duration::from_secs(20), "{loaded:?}");
    }
}

#[tokio::test]
async fn a_survey_round_is_answered_once_per_link_published_and_counted_in_the_year() {
    use tongban_app::survey::NewSurvey;
    use tongban_domain::performance::survey::{Answer, Choice, Post, RepKind, Topic};
    let answers = |posts: usize, choice: &dyn Fn(usize) -> Choice| -> Vec<Answer> {
        (0..posts)
            .flat_map(|post| Topic::ALL.iter().map(move |topic| (post, *topic)))
            .map(|(post, topic)| Answer {
                post,
                topic,
                choice: choice(post),
            })
            .collect()
    };
    for app in apps().await {
        let sup = who(&app, "jiancha").await;
        standard_scheme(&app).await;
        let zrzy = department_of(&app, "zrzy.clerk").await;
        let jyj = department_of(&app, "jyj.clerk").await;
        let round = NewSurvey {
            name: "2026年度重点岗位社会评议".into(),
            year: 2026,
            posts: vec![
                Post {
                    department_id: zrzy.parse().unwrap(),
                    name: "不动产登记科科长".into(),
                },
                Post {
                    department_id: jyj.parse().unwrap(),
                    name: "教师资格审批科科长".into(),
                },
            ],
            representatives: vec![
                ("清江建材有限公司".into(), RepKind::Enterprise),
                ("临江街道代表".into(), RepKind::Township),
            ],
        };
        // Only those who score open a round; a round without representatives is refused.
        let clerk = who(&app, "zrzy.clerk").await;
        assert_eq!(
            app.open_survey(&clerk, &round).await.unwrap_err().code,
            codes::Auth::Forbidden
        );
        let mut empty = round.clone();
        empty.representatives.clear();
        assert_eq!(
            app.open_survey(&sup, &empty).await.unwrap_err().code,
            codes::Performance::Survey
        );
        let opened = app.open_survey(&sup, &round).await.unwrap();
        assert_eq!(opened.links.len(), 2);
        let (first, second) = (&opened.links[0].1, &opened.links[1].1);
        let form = app.survey_form(first).await.unwrap();
        assert_eq!(form.posts.len(), 2);

        // The first representative is satisfied with both; their link works once.
        app.answer_survey(first, &answers(2, &|_| Choice::Satisfied))
            .await
            .unwrap();
        let before = app.store.audit_head().await.unwrap();
        assert_eq!(
            app.answer_survey(first, &answers(2, &|_| Choice::Unsatisfied))
                .await
                .unwrap_err()
                .code,
            codes::Performance::SurveyUsed
        );
        // An incomplete answer and an unknown link are refused; nothing is written.
        let mut short = answers(2, &|_| Choice::Basic);
        short.pop();
        assert_eq!(
            app.answer_survey(second, &short).await.unwrap_err().code,
            codes::Performance::SurveyAnswers
        );
        assert_eq!(
            app.survey_form("nope").await.unwrap_err().code,
            codes::Performance::SurveyLink
        );
        assert_eq!(app.store.audit_head().await.unwrap(), before);
        // Results are not public before publication.
        assert_eq!(
            app.survey_results(None, opened.id).await.unwrap_err().code,
            codes::Performance::NotFound
        );
        // Its staff see the round's progress: one of two links used, by whom.
        let listed = app.surveys(&sup).await.unwrap();
        assert_eq!(
            listed
                .iter()
                .find(|r| r.id == opened.id)
                .map(|r| (r.used, r.sent, r.status.as_str())),
            Some((1, 2, "open"))
        );
        assert!(app.published_surveys().await.unwrap().is_empty());
        let desk = app.survey_desk(&sup, opened.id).await.unwrap();
        let used: Vec<(&str, bool)> = desk
            .invitations
            .iter()
            .map(|i| (i.representative.as_str(), i.used_at.is_some()))
            .collect();
        assert_eq!(
            used,
            vec![("清江建材有限公司", true), ("临江街道代表", false)]
        );
        assert_eq!(
            app.survey_desk(&clerk, opened.id).await.unwrap_err().code,
            codes::Performance::NotFound
        );
        // A link issued later works like the first ones; it is written with its own record.
        let more = app
            .invite_to_survey(
                &sup,
                opened.id,
                &[("北山镇代表".to_string(), RepKind::Township)],
            )
            .await
            .unwrap();
        assert_eq!(more.links.len(), 1);
        assert_eq!(
            app.survey_form(&more.links[0].1)
                .await
                .unwrap()
                .representative,
            "北山镇代表"
        );
        // The second is not satisfied with 教育局's post.
        app.answer_survey(
            second,
            &answers(2, &|p| {
                if p == 1 {
                    Choice::Unsatisfied
                } else {
                    Choice::Satisfied
                }
            }),
        )
        .await
        .unwrap();
        let results = app.publish_survey(&sup, opened.id).await.unwrap();
        assert_eq!(results.turnout, (2, 3));
        // Once published, a link not yet used is refused, and no link can be added.
        assert_eq!(
            app.survey_form(&more.links[0].1).await.unwrap_err().code,
            codes::Performance::SurveyClosed
        );
        assert_eq!(
            app.answer_survey(&more.links[0].1, &answers(2, &|_| Choice::Basic))
                .await
                .unwrap_err()
                .code,
            codes::Performance::SurveyClosed
        );
        assert_eq!(
            app.invite_to_survey(&sup, opened.id, &[("x".to_string(), RepKind::Township)])
                .await
                .unwrap_err()
                .code,
            codes::Performance::SurveyClosed
        );
        assert_eq!(
            app.published_surveys()
                .await
                .unwrap()
                .iter()
                .map(|r| r.id)
                .collect::<Vec<_>>(),
            vec![opened.id]
        );
        assert_eq!(results.posts[1].1[0], ("依法办事".to_string(), 2, 5000));
        assert!(app.survey_results(None, opened.id).await.unwrap().published);
        assert_eq!(
            app.publish_survey(&sup, opened.id).await.unwrap_err().code,
            codes::Performance::SurveyClosed
        );

        // The year's score counts it: 教育局 50 %, 自然资源局 100 %; a quarter does not.
        app.clock.set(shanghai(2027, 1, 5, 9));
        let year = app.publish_period(&sup, "2026").await.unwrap();
        let fact = |dept: &str| {
            let u = year
                .scores
                .iter()
                .find(|u| u.unit_kind == UnitKind::Department && u.unit_id == dept)
                .unwrap();
            let l = u
                .lines
                .iter()
                .find(|l| l.indicator == Indicator::Survey)
                .unwrap();
            (l.fact.num, l.fact.den, l.points)
        };
        // 5 × min(400 ÷ 800 ÷ 90 %, 1) = 2.77
        assert_eq!(fact(&jyj), (400, 800, 277));
        assert_eq!(fact(&zrzy), (800, 800, 500));
        let id = year.row.as_ref().unwrap().id;
        let rows = app
            .drill(&sup, id, UnitKind::Department, &jyj, Indicator::Survey)
            .await
            .unwrap();
        assert_eq!(rows.len(), 8);
        assert!(
            rows.iter()
                .any(|r| r.note.contains("依法办事：不满意（0分）")),
            "{rows:?}"
        );
        let q4 = app.publish_period(&sup, "2026-Q4").await.unwrap();
        assert!(q4.scores.iter().all(|u| u
            .lines
            .iter()
            .any(|l| l.indicator == Indicator::Survey && l.fact.den == 0)));
    }
}
