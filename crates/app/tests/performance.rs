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
use tongban_app::performance::Adjustment;
use tongban_app::App;
use tongban_domain::case::{Case, CaseStatus, Command};
use tongban_domain::catalog::Delivery;
use tongban_domain::codes;
use tongban_domain::performance::{Consequence, Indicator, Scheme, SchemeStatus, UnitKind};

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
        // 20 × (1/2) ÷ 100 % = 10.00; 10 − 2 × 1 = 8.00.
        assert_eq!(line(Indicator::OnTime).points, 1000);
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
        assert_eq!((l.points, l.corrected.is_some()), (2000, true));
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
