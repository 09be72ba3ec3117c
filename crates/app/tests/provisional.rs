//! Deadlines across the new year before the State Council's notice: the provisional calendar
//! (issue 15). The shipped data ends at 2026; a case filed on 28 December 2026 must still have
//! due dates, warnings and acceptance by law, each marked provisional.

mod common;

use std::collections::BTreeMap;

use chrono::{Duration, TimeZone, Utc};
use common::*;
use tongban_app::cases::{CaseDetail, NewCase};
use tongban_app::App;
use tongban_domain::calendar::PROVISIONAL_NOTE;
use tongban_domain::case::{Case, CaseStatus};
use tongban_domain::catalog::Delivery;
use tongban_domain::org::Actor;

/// Monday 28 December 2026, 09:00 Shanghai.
fn late_december() -> chrono::DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 12, 28, 1, 0, 0).unwrap()
}

async fn apply(app: &App, applicant: &Actor) -> Case {
    let (summary, _) = app.public_item(PROPERTY).await.unwrap();
    let materials = upload(app, applicant, &["m1", "m2", "m3", "m4"]).await;
    app.submit_case(
        applicant,
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
    .case
}

fn clock<'a>(d: &'a CaseDetail, label: &str) -> &'a tongban_app::cases::ClockLine {
    d.clocks
        .iter()
        .find(|k| k.label.starts_with(label))
        .unwrap_or_else(|| panic!("no clock {label}: {:?}", d.clocks))
}

#[tokio::test]
async fn a_case_filed_in_late_december_is_timed_on_the_provisional_year_and_accepted_by_law() {
    for app in apps().await {
        app.clock.set(late_december());
        let user = who(&app, "user05").await;
        let admin = who(&app, "admin").await;
        let case = apply(&app, &user).await;
        let n = case.number.to_string();
        let d = app.case_detail(&admin, &n).await.unwrap();
        // 5 working days from Monday 28 December: 29, 30, 31 December, (元旦 off), 4 and
        // 5 January 2027, the last two on the provisional year.
        let intake = &d.clocks[0];
        assert!(intake.problem.is_none(), "{:?}", intake.problem);
        assert_eq!(
            intake.due_at.map(tongban_domain::time::local_date),
            chrono::NaiveDate::from_ymd_opt(2027, 1, 5)
        );
        assert_eq!(intake.provisional.as_deref(), Some(PROVISIONAL_NOTE));
        assert!(
            intake
                .explanation
                .iter()
                .any(|l| l.contains("元旦（推算）")),
            "{:?}",
            intake.explanation
        );
        // Left unanswered, it is accepted by law on Wednesday 6 January; its committed clock
        // runs on the provisional year too, and is watched.
        app.advance_clock(&admin, Duration::days(18)).await.unwrap();
        let view = app.case_view(&user, &n).await.unwrap();
        assert_eq!(view.case.status, CaseStatus::InProgress);
        let accepted = view.case.accepted.clone().unwrap();
        assert!(accepted.by_law);
        let d = app.case_detail(&admin, &n).await.unwrap();
        let committed = clock(&d, "承诺");
        assert!(committed.due_at.is_some(), "{:?}", committed.problem);
        assert_eq!(committed.provisional.as_deref(), Some(PROVISIONAL_NOTE));
    }
}

#[tokio::test]
async fn a_region_may_refuse_provisional_counting() {
    for app in apps().await {
        app.clock.set(late_december());
        let user = who(&app, "user06").await;
        let admin = who(&app, "admin").await;
        let case = apply(&app, &user).await;
        let region = case.item.region.to_string();
        app.set_setting(&admin, &format!("calendar.provisional@{region}"), "0")
            .await
            .unwrap();
        let d = app
            .case_detail(&admin, &case.number.to_string())
            .await
            .unwrap();
        let intake = &d.clocks[0];
        assert!(intake.due_at.is_none());
        assert!(
            intake.problem.as_deref().unwrap_or("").contains("2027"),
            "{:?}",
            intake.problem
        );
        assert_eq!(intake.provisional, None);
    }
}

#[tokio::test]
async fn the_administrator_is_told_that_next_year_is_provisional() {
    for app in apps().await {
        app.clock.set(late_december());
        let warning = app.calendar_next_year_warning().await.unwrap().unwrap();
        assert!(warning.contains("2027"), "{warning}");
        assert!(warning.contains(PROVISIONAL_NOTE), "{warning}");
    }
}

#[tokio::test]
async fn loading_the_official_year_re_times_every_open_case_without_writing_it() {
    for app in apps().await {
        app.clock.set(late_december());
        let user = who(&app, "user07").await;
        let admin = who(&app, "admin").await;
        let clerk = who(&app, "zrzy.clerk").await;
        let waiting = apply(&app, &user).await;
        let accepted = apply(&app, &user).await;
        let accepted_n = accepted.number.to_string();
        act(
            &app,
            &clerk,
            &accepted_n,
            tongban_domain::case::Command::Accept {
                check: check(&["m1", "m2", "m3", "m4"]),
            },
        )
        .await;
        let version_before: Vec<i64> = {
            let mut v = Vec::new();
            for n in [waiting.number.to_string(), accepted_n.clone()] {
                v.push(app.store.case_by_number(&n).await.unwrap().unwrap().version);
            }
            v
        };
        let step_before = app.case_detail(&admin, &accepted_n).await.unwrap();
        let committed_before = clock(&step_before, "承诺").due_at;

        // The State Council's notice (fictional here): 元旦 1–4 January 2027.
        app.calendar_put_year(
            &admin,
            2027,
            "国办发明电〔2026〕99号",
            "2027-01-01..2027-01-04 off 元旦\n",
        )
        .await
        .unwrap();
        let job = app.retime_jobs().await.unwrap().remove(0);
        assert_eq!(job.finished_at, None, "queued, not yet run");
        assert_eq!(job.total, 2);
        // The sweeper works the job; a restart in between would resume it from its place.
        assert_eq!(app.run_retime().await.unwrap(), 2);
        let job = app.retime_jobs().await.unwrap().remove(0);
        assert!(job.finished_at.is_some());
        assert_eq!((job.done, job.moved), (2, 2));

        // The waiting case's intake deadline moved from 5 to 6 January and is no longer
        // provisional; the projection the lists read moved with it.
        let d = app
            .case_detail(&admin, &waiting.number.to_string())
            .await
            .unwrap();
        let intake = &d.clocks[0];
        assert_eq!(
            intake.due_at.map(tongban_domain::time::local_date),
            chrono::NaiveDate::from_ymd_opt(2027, 1, 6)
        );
        assert_eq!(intake.provisional, None);
        // The crossing index the sweeper reads moved with it.
        let stored = app
            .store
            .case_by_number(&waiting.number.to_string())
            .await
            .unwrap()
            .unwrap();
        let (_, clocks) = app.store.case_dues(stored.id).await.unwrap();
        let intake_red = intake.due_at.map(|t| t.timestamp_millis() + 1);
        assert!(
            clocks.iter().any(|(_, red)| Some(*red) == intake_red),
            "{clocks:?}"
        );
        // Nothing was written to the cases themselves.
        for (n, before) in [waiting.number.to_string(), accepted_n.clone()]
            .iter()
            .zip(version_before)
        {
            let v = app.store.case_by_number(n).await.unwrap().unwrap().version;
            assert_eq!(v, before, "{n} was not written");
        }
        // The accepted case's committed deadline moved a working day later.
        let d = app.case_detail(&admin, &accepted_n).await.unwrap();
        let committed = clock(&d, "承诺").due_at;
        assert!(
            committed > committed_before,
            "{committed:?} {committed_before:?}"
        );
        // Nothing left to do.
        assert_eq!(app.run_retime().await.unwrap(), 0);
    }
}
