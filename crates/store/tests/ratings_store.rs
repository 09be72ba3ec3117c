//! Ratings (好差评) in storage, on every backend: one rating per service whoever races, a 差评
//! registered as a `rating` subject with its deadlines in the shared index, each
//! rectification step written with its event, projection, deadlines, outbox message and audit
//! record under the version guard, and a month's figures per department.

use chrono::{DateTime, Duration, TimeZone, Utc};
use tongban_domain::audit::AuditEntry;
use tongban_domain::rating::{By, Channel, Command, Level, Note, Rectification, ServiceKind};
use tongban_domain::region::{Level as RegionLevel, RegionCode};
use tongban_domain::supervision::{Light, SubjectKind, Watch};
use tongban_store::audit::Verified;
use tongban_store::org::Region;
use tongban_store::ratings::{NewRating, NewRect, Outbound, RectStep};
use tongban_store::{Store, StoreError};

mod common;
use common::backends;

/// Thursday 2 April 2026, 10:00 Shanghai.
fn t0() -> DateTime<Utc> {
    tongban_domain::time::shanghai()
        .with_ymd_and_hms(2026, 4, 2, 10, 0, 0)
        .unwrap()
        .with_timezone(&Utc)
}

fn entry(action: &str) -> AuditEntry {
    AuditEntry {
        at: t0(),
        actor: "测试#1".into(),
        role: "supervisor".into(),
        action: action.into(),
        target: String::new(),
        summary: format!("测试：{action}"),
        region: None,
    }
}

async fn department(s: &Store) -> i64 {
    s.create_region(
        &Region {
            code: RegionCode::parse("361200").unwrap(),
            name: "清江市".into(),
            level: RegionLevel::City,
            parent_code: None,
        },
        entry("region.create"),
    )
    .await
    .unwrap();
    s.create_department(
        "清江市市场监督管理局",
        &RegionCode::parse("361200").unwrap(),
        entry("department.create"),
    )
    .await
    .unwrap()
}

fn rating(dept: i64, service_id: i64, level: Level, at: DateTime<Utc>) -> NewRating {
    NewRating {
        service_kind: ServiceKind::Case,
        service_id,
        service_number: format!("361200-20260402-{service_id:04}"),
        channel: Channel::Online,
        level,
        body: "{}".into(),
        is_default: false,
        rater_id: None,
        department_id: dept,
        hall_id: None,
        window_id: None,
        staff_id: None,
        region: "361200".into(),
        rated_at: at,
    }
}

fn watch(dept: i64, key: &str, red_at: DateTime<Utc>) -> Watch {
    Watch {
        key: key.into(),
        label: format!("{key} 期限"),
        department_id: dept,
        assignee_id: None,
        yellow_at: Some(red_at - Duration::days(1)),
        red_at,
        light: Light::Green,
        suspended: false,
    }
}

#[tokio::test]
async fn one_rating_per_service_and_a_bad_one_is_a_watched_subject_fixed_step_by_step() {
    for db in backends().await {
        let s = &db.store;
        let dept = department(s).await;

        // A good rating: no rectification, no subject.
        let good = s
            .insert_rating(
                &rating(dept, 1, Level::Satisfied, t0()),
                None,
                &[],
                entry("rating.create"),
            )
            .await
            .unwrap()
            .unwrap();
        assert_eq!((good.bad, good.rect_stage.as_deref()), (0, None));
        assert_eq!(good.month, "2026-04");
        // The same service again: nothing written, whatever the level.
        let again = s
            .insert_rating(
                &rating(dept, 1, Level::VeryUnsatisfied, t0()),
                None,
                &[],
                entry("rating.create"),
            )
            .await
            .unwrap();
        assert!(again.is_none());
        assert_eq!(
            s.rating_of_service(ServiceKind::Case, 1)
                .await
                .unwrap()
                .unwrap()
                .level,
            Level::Satisfied
        );

        // A 差评 opens its rectification with two deadlines in the shared index.
        let opened = Rectification::open(dept, Level::Unsatisfied, 1, 5).unwrap();
        let rect = NewRect {
            opened: opened.clone(),
            title: "差评整改：营业执照".into(),
            party: String::new(),
            watches: vec![
                watch(dept, "callback", t0() + Duration::days(2)),
                watch(dept, "rectify", t0() + Duration::days(9)),
            ],
        };
        let sms = Outbound {
            channel: "sms",
            recipient: "13800000000".into(),
            subject: "差评受理".into(),
            body: "已收到".into(),
        };
        let bad = s
            .insert_rating(
                &rating(dept, 2, Level::Unsatisfied, t0()),
                Some(&rect),
                &[sms],
                entry("rating.create"),
            )
            .await
            .unwrap()
            .unwrap();
        assert_eq!(
            (bad.bad, bad.rect_stage.as_deref(), bad.rect_version),
            (1, Some("callback"), 1)
        );
        let subject = s
            .subject(SubjectKind::Rating, &bad.number())
            .await
            .unwrap()
            .expect("a 差评 is a supervised subject");
        assert_eq!(
            (subject.id, subject.party.as_str()),
            (bad.id, ""),
            "the rater is not named"
        );
        let clocks: Vec<String> = s
            .subject_clocks(&bad.subject())
            .await
            .unwrap()
            .into_iter()
            .map(|c| c.0)
            .collect();
        assert_eq!(clocks, ["callback", "rectify"]);
        let log = s.rect_log(bad.id).await.unwrap();
        assert_eq!(log.len(), 1);
        assert_eq!(log[0].event, opened);

        // The call-back: the callback deadline leaves the index.
        let state = Rectification::replay(log.iter().map(|l| (&l.event, l.at))).unwrap();
        let by = By {
            user_id: 1,
            department_id: 99,
        };
        let ev = state
            .decide(
                Command::CallBack {
                    note: Note::parse("已回访").unwrap(),
                },
                by,
            )
            .unwrap();
        let mut after = state.clone();
        after.apply(&ev, t0());
        let step = RectStep {
            rating_id: bad.id,
            version: 1,
            event: ev.clone(),
            actor_id: Some(1),
            at: t0(),
            stage: after.stage,
            watches: vec![watch(dept, "rectify", t0() + Duration::days(9))],
        };
        s.rect_step(&step, &[], entry("rating.called_back"))
            .await
            .unwrap();
        // The same step decided on the old version again is refused: two hands, one state.
        let stale = s.rect_step(&step, &[], entry("rating.called_back")).await;
        assert!(matches!(stale, Err(StoreError::Conflict(w)) if w == "rating.version"));
        let row = s.rating(bad.id).await.unwrap().unwrap();
        assert_eq!(
            (row.rect_stage.as_deref(), row.rect_version),
            (Some("verify"), 2)
        );
        let clocks = s.subject_clocks(&bad.subject()).await.unwrap();
        assert_eq!(clocks.len(), 1);
        assert_eq!(clocks[0].0, "rectify");

        // Month figures: two ratings, one good, one bad not yet rectified.
        let m = s.month_figures("", "2026-04").await.unwrap();
        assert_eq!(m.len(), 1);
        assert_eq!(
            (m[0].ratings, m[0].good, m[0].bad, m[0].rectified),
            (2, 1, 1, 0)
        );
        assert_eq!((m[0].good_permille(), m[0].rectified_permille()), (500, 0));
        assert!(s.month_figures("", "2026-05").await.unwrap().is_empty());
        assert_eq!(s.bad_ratings("3612", 10).await.unwrap().len(), 1);

        assert!(matches!(
            s.audit_verify().await.unwrap(),
            Verified::Intact { .. }
        ));
    }
}
