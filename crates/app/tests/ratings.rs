//! 好差评 end to end through the use cases, on SQLite and (when `TONGBAN_TEST_DATABASE_URL` is
//! set) PostgreSQL: a decided case rated once by its applicant only, a 差评's rectification on
//! the shared clock across 清明 2026 (4–6 April off) with its warnings, the appeal decided outside
//! the appealing department, feedback and the second rating, anonymity, a window visit rated
//! on the hall device, default ratings, and the month's figures.

use std::collections::BTreeMap;

use chrono::{DateTime, Duration, TimeZone, Utc};
use tongban_app::cases::NewCase;
use tongban_app::ratings::RectAction;
use tongban_app::App;
use tongban_domain::case::{Case, CaseStatus, Command};
use tongban_domain::catalog::Delivery;
use tongban_domain::org::Actor;
use tongban_domain::rating::{Level, RatingInput, RectStage};
use tongban_domain::supervision::SubjectKind;

mod common;
use common::*;

fn shanghai(m: u32, d: u32, h: u32) -> DateTime<Utc> {
    tongban_domain::time::shanghai()
        .with_ymd_and_hms(2026, m, d, h, 0, 0)
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

/// A property case of `user` filed, accepted and decided (s2c deemed approved two days on);
/// its number.
async fn decided_case(app: &App, user: &str) -> String {
    let user = who(app, user).await;
    let clerk = who(app, "zrzy.clerk").await;
    let admin = who(app, "admin").await;
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
    act(app, &who(app, "zrzy.approver").await, &n, approve("s2a")).await;
    act(app, &who(app, "swj.approver").await, &n, approve("s2b")).await;
    app.advance_clock(&admin, Duration::days(2)).await.unwrap();
    let case = act(app, &who(app, "zrzy.head").await, &n, approve("s3")).await;
    assert_eq!(case.status, CaseStatus::Decided);
    n
}

fn rate(level: &str) -> RatingInput {
    RatingInput {
        level: level.into(),
        ..Default::default()
    }
}

async fn step(app: &App, actor: &Actor, number: &str, a: RectAction) -> Option<RectStage> {
    match app.rect_act(actor, number, a.clone()).await {
        Ok(v) => v.rect.map(|r| r.stage),
        Err(e) => panic!("{a:?} by {}: {} {}", actor.name, e.code, e.message),
    }
}

async fn code(app: &App, actor: &Actor, number: &str, a: RectAction) -> String {
    app.rect_act(actor, number, a)
        .await
        .unwrap_err()
        .code
        .as_str()
        .to_string()
}

#[tokio::test]
async fn a_decided_case_is_rated_once_and_its_bad_rating_is_called_back_rectified_and_rated_again()
{
    for app in apps().await {
        let admin = who(&app, "admin").await;
        let sup = who(&app, "jiancha").await;
        let head = who(&app, "zrzy.head").await;
        let clerk = who(&app, "zrzy.clerk").await;
        let user = who(&app, "user11").await;
        let other = who(&app, "user01").await;
        app.set_setting(&admin, "rating.rectify_days", "5")
            .await
            .unwrap();
        assert_eq!(
            app.set_setting(&admin, "rating.rectify_days", "4")
                .await
                .unwrap_err()
                .code
                .as_str(),
            "setting.range",
            "5 to 15 working days"
        );

        // Monday 30 March: filed; decided Wednesday 1 April.
        app.clock.set(shanghai(3, 30, 9));
        let n = decided_case(&app, "user11").await;
        let case_id = app.store.case_by_number(&n).await.unwrap().unwrap().id;

        // Thursday 2 April, 10:00. Only the applicant rates, never staff who handled it.
        app.clock.set(shanghai(4, 2, 10));
        let err = |e: tongban_app::AppError| e.code.as_str().to_string();
        assert_eq!(
            err(app
                .rate_case(&other, &n, &rate("satisfied"))
                .await
                .unwrap_err()),
            "rating.not_rater"
        );
        assert_eq!(
            err(app
                .rate_case(&clerk, &n, &rate("satisfied"))
                .await
                .unwrap_err()),
            "rating.own_work"
        );
        assert_eq!(
            err(app.rate_case(&user, &n, &rate("great")).await.unwrap_err()),
            "rating.level"
        );
        let mut input = rate("unsatisfied");
        input
            .dimensions
            .insert("efficiency".into(), "very_unsatisfied".into());
        input.tags = vec!["many_visits".into()];
        input.comment = "补交材料跑了三次".into();
        let v = app.rate_case(&user, &n, &input).await.unwrap();
        let pj = v.number.clone();
        assert_eq!(v.row.level, Level::Unsatisfied);
        assert_eq!(v.rect.as_ref().map(|r| r.stage), Some(RectStage::Callback));
        assert_eq!(
            err(app
                .rate_case(&user, &n, &rate("satisfied"))
                .await
                .unwrap_err()),
            "rating.once"
        );
        assert!(app
            .store
            .audit_for_target(&format!("rating:{pj}"))
            .await
            .unwrap()
            .iter()
            .any(|a| a.entry.action == "rating.create"));

        // The 差评 is a subject on the shared index: call-back due Friday 3 April, rectification
        // (5 working days: 3, 7, 8, 9, 10 April) due Friday 10 April.
        let subject = app
            .store
            .subject(SubjectKind::Rating, &pj)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(subject.party, "", "the board names no rater");
        let clocks = app.store.subject_clocks(&subject.subject()).await.unwrap();
        let due: Vec<(&str, i64)> = clocks.iter().map(|c| (c.0.as_str(), c.2)).collect();
        assert_eq!(
            due,
            [
                ("callback", shanghai(4, 4, 0).timestamp_millis()),
                ("rectify", shanghai(4, 11, 0).timestamp_millis())
            ]
        );

        // Anonymity: the department sees the rating, never who gave it.
        let seen = app.rating_view(&head, &pj).await.unwrap();
        let json = serde_json::to_string(&seen).unwrap();
        assert!(
            !json.contains(&user.name) && !json.contains("rater_id"),
            "{json}"
        );
        assert!(app
            .bad_ratings(&head)
            .await
            .unwrap()
            .iter()
            .any(|r| r.id == seen.row.id));
        assert_eq!(
            err(app.rater_identity(&head, &pj).await.unwrap_err()),
            "auth.forbidden"
        );
        let who_rated = app.rater_identity(&sup, &pj).await.unwrap();
        assert_eq!(who_rated.name, user.name);
        assert!(app
            .store
            .audit_for_target(&format!("rating:{pj}"))
            .await
            .unwrap()
            .iter()
            .any(|a| a.entry.action == "rating.rater_read"));

        // Stages in order, each by its own hands.
        let verify = RectAction::Verify {
            verdict: "founded".into(),
            note: "补正通知未一次告知".into(),
        };
        assert_eq!(code(&app, &head, &pj, verify.clone()).await, "rating.stage");
        assert_eq!(
            code(
                &app,
                &head,
                &pj,
                RectAction::CallBack {
                    note: "回访".into()
                }
            )
            .await,
            "auth.forbidden"
        );
        assert_eq!(
            step(
                &app,
                &sup,
                &pj,
                RectAction::CallBack {
                    note: "已电话回访评价人".into()
                }
            )
            .await,
            Some(RectStage::Verify)
        );
        assert_eq!(
            step(&app, &head, &pj, verify).await,
            Some(RectStage::Rectify)
        );
        let clocks = app.store.subject_clocks(&subject.subject()).await.unwrap();
        assert_eq!(clocks.len(), 1, "the call-back's deadline is done");

        // An appeal is decided by the centre, never by the appealing department.
        step(
            &app,
            &head,
            &pj,
            RectAction::Appeal {
                reason: "评价人未按要求提交材料".into(),
            },
        )
        .await;
        let decide = |uphold| RectAction::DecideAppeal {
            uphold,
            reason: "不属恶意评价".into(),
        };
        assert_eq!(
            code(&app, &head, &pj, decide(true)).await,
            "rating.appeal_own"
        );
        assert_eq!(
            step(&app, &sup, &pj, decide(false)).await,
            Some(RectStage::Rectify)
        );

        // 清明 (Monday 6 April) moves nothing; Friday 10 April is yellow, Monday 13 red.
        app.clock.set(shanghai(4, 6, 12));
        app.sweep_warnings().await.unwrap();
        let lights = |w: Vec<tongban_store::watch::WarningRow>| {
            w.iter().map(|x| x.light).collect::<Vec<_>>()
        };
        assert!(lights(
            app.store
                .warnings_of_subject(SubjectKind::Rating, seen.row.id)
                .await
                .unwrap()
        )
        .is_empty());
        app.clock.set(shanghai(4, 10, 9));
        app.sweep_warnings().await.unwrap();
        assert_eq!(
            lights(
                app.store
                    .warnings_of_subject(SubjectKind::Rating, seen.row.id)
                    .await
                    .unwrap()
            ),
            [1]
        );
        app.clock.set(shanghai(4, 13, 9));
        app.sweep_warnings().await.unwrap();
        assert_eq!(
            lights(
                app.store
                    .warnings_of_subject(SubjectKind::Rating, seen.row.id)
                    .await
                    .unwrap()
            ),
            [1, 2]
        );

        // Never closed without feedback; the feedback goes to the rater, who rates again once.
        let close = |feedback: &str| RectAction::Close {
            measures: "窗口补正实行一次性告知清单".into(),
            feedback: feedback.into(),
        };
        assert_eq!(code(&app, &head, &pj, close(" ")).await, "rating.feedback");
        let rerate = || RectAction::Rerate {
            level: "satisfied".into(),
        };
        assert_eq!(
            code(&app, &user, &pj, rerate()).await,
            "rating.rerate_early"
        );
        let before = app.store.outbox_for_case(&n).await.unwrap().len();
        assert_eq!(
            step(
                &app,
                &head,
                &pj,
                close("已整改，今后一次性告知全部补正材料")
            )
            .await,
            Some(RectStage::Closed)
        );
        assert_eq!(
            app.store.outbox_for_case(&n).await.unwrap().len(),
            before + 1
        );
        assert!(app
            .store
            .subject_clocks(&subject.subject())
            .await
            .unwrap()
            .is_empty());
        assert_eq!(code(&app, &other, &pj, rerate()).await, "rating.not_rater");
        step(&app, &user, &pj, rerate()).await;
        assert_eq!(code(&app, &user, &pj, rerate()).await, "rating.rerated");
        let row = app.store.rating(seen.row.id).await.unwrap().unwrap();
        assert_eq!(row.rerated_level.as_deref(), Some("satisfied"));

        // The month's figures: one rating, a 差评, rectified.
        let m = app.rating_month("2026-04").await.unwrap();
        let z = m
            .iter()
            .find(|f| f.department_id == row.department_id)
            .unwrap();
        assert_eq!((z.ratings, z.bad, z.rectified), (1, 1, 1));
        assert_eq!(
            err(app.rating_month("2026-4").await.unwrap_err()),
            "request.query"
        );

        // A second case nobody rates counts as 基本满意 7 natural days after its decision.
        app.clock.set(shanghai(4, 13, 9));
        let n2 = decided_case(&app, "user11").await;
        let id2 = app.store.case_by_number(&n2).await.unwrap().unwrap().id;
        app.clock.set(shanghai(4, 21, 9));
        assert_eq!(
            app.default_ratings().await.unwrap(),
            0,
            "6 days after: not yet"
        );
        app.clock.set(shanghai(4, 23, 9));
        app.sweep_cases().await.unwrap();
        let d = app
            .store
            .rating_of_service(tongban_domain::rating::ServiceKind::Case, id2)
            .await
            .unwrap()
            .unwrap();
        assert_eq!((d.level, d.is_default, d.rater_id), (Level::Basic, 1, None));
        assert_eq!(
            err(app
                .rate_case(&user, &n2, &rate("satisfied"))
                .await
                .unwrap_err()),
            "rating.once"
        );
        assert!(app
            .store
            .rating_of_service(tongban_domain::rating::ServiceKind::Case, case_id)
            .await
            .unwrap()
            .is_some());
        assert_eq!(app.default_ratings().await.unwrap(), 0);
    }
}

#[tokio::test]
async fn a_window_visit_is_rated_once_on_the_hall_device_and_never_by_its_clerk() {
    for app in apps().await {
        let clerk = who(&app, "zrzy.clerk").await;
        let sup = who(&app, "jiancha").await;
        let windows = app.store.windows(None, clerk.department_id).await.unwrap();
        let w = windows
            .first()
            .expect("a window of the clerk's department")
            .id;
        let input = || {
            let mut i = rate("very_satisfied");
            i.dimensions
                .insert("service_attitude".into(), "very_satisfied".into());
            i
        };
        let err = |e: tongban_app::AppError| e.code.as_str().to_string();
        assert_eq!(
            err(app.end_window_visit(&clerk, w).await.unwrap_err()),
            "rating.no_duty"
        );
        assert_eq!(
            err(app.take_window_duty(&sup, w).await.unwrap_err()),
            "auth.forbidden"
        );
        app.take_window_duty(&clerk, w).await.unwrap();
        let device = app.window_device(w).await.unwrap();
        assert_eq!(device.duty.as_ref().map(|d| d.user_id), Some(clerk.user_id));
        assert_eq!(device.visit_id, None);
        assert_eq!(
            err(app.rate_window(None, w, &input()).await.unwrap_err()),
            "rating.no_visit"
        );

        let visit = app.end_window_visit(&clerk, w).await.unwrap();
        assert_eq!(app.window_device(w).await.unwrap().visit_id, Some(visit));
        assert_eq!(
            err(app
                .rate_window(Some(&clerk), w, &input())
                .await
                .unwrap_err()),
            "rating.own_work"
        );
        let mut online_dim = rate("satisfied");
        online_dim
            .dimensions
            .insert("usability".into(), "satisfied".into());
        assert_eq!(
            err(app.rate_window(None, w, &online_dim).await.unwrap_err()),
            "rating.dimension"
        );
        let v = app.rate_window(None, w, &input()).await.unwrap();
        assert_eq!(
            (v.row.staff_id, v.row.window_id, v.row.rater_id),
            (Some(clerk.user_id), Some(w), None)
        );
        assert!(v.rect.is_none());
        // 一次一评: the visit is rated; the next rating needs the next visit.
        assert_eq!(
            err(app.rate_window(None, w, &input()).await.unwrap_err()),
            "rating.no_visit"
        );
        assert_eq!(app.window_device(w).await.unwrap().visit_id, None);
        // A 差评 at the window opens a rectification against the window's department.
        app.end_window_visit(&clerk, w).await.unwrap();
        let bad = app
            .rate_window(None, w, &rate("very_unsatisfied"))
            .await
            .unwrap();
        assert_eq!(bad.rect.map(|r| r.stage), Some(RectStage::Callback));
        assert_eq!(
            app.rater_identity(&sup, &bad.number).await.unwrap().phone,
            None
        );
    }
}
