//! One story of the store, told against every backend: SQLite always, PostgreSQL when
//! `TONGBAN_TEST_DATABASE_URL` is set (each test in a fresh schema).

use chrono::{DateTime, Duration, TimeZone, Utc};
use tongban_domain::audit::{AuditEntry, HashAlgo};
use tongban_domain::codes;
use tongban_domain::error::Code;
use tongban_domain::org::{HallKind, Role};
use tongban_domain::region::{Level, RegionCode};
use tongban_store::audit::Verified;
use tongban_store::org::{NewHall, Region};
use tongban_store::users::{NewUser, UserFilter};
use tongban_store::{Store, StoreError};

mod common;
use common::backends;

fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 3, 2, 1, 0, 0).unwrap()
}

fn entry(action: &str) -> AuditEntry {
    AuditEntry {
        at: t0(),
        actor: "admin".into(),
        role: "admin".into(),
        action: action.into(),
        target: String::new(),
        summary: format!("测试：{action}"),
        region: None,
    }
}

fn code(s: &str) -> RegionCode {
    RegionCode::parse(s).unwrap()
}

async fn seed_regions(store: &Store) {
    for (c, name) in [
        ("361200", "清江市"),
        ("361202", "江北区"),
        ("361203", "江南区"),
        ("361202001000", "临江街道"),
        ("361202001001", "滨江社区"),
    ] {
        let rc = code(c);
        let region = Region {
            level: rc.level(),
            parent_code: rc.parent().map(String::from),
            code: rc,
            name: name.into(),
        };
        store
            .create_region(&region, entry("region.create"))
            .await
            .unwrap();
    }
}

#[tokio::test]
async fn migrations_run_once() {
    for db in backends().await {
        assert_eq!(
            db.store.migrate().await.unwrap(),
            0,
            "{:?}",
            db.store.kind()
        );
        db.store.ping().await.unwrap();
    }
}

#[tokio::test]
async fn organisation_is_listed_by_subtree() {
    for db in backends().await {
        let s = &db.store;
        seed_regions(s).await;
        let north = s.regions(Some(&code("361202"))).await.unwrap();
        let names: Vec<_> = north.iter().map(|r| r.name.as_str()).collect();
        assert_eq!(names, ["江北区", "临江街道", "滨江社区"]);
        assert_eq!(north[2].level, Level::Village);
        assert_eq!(s.regions(None).await.unwrap().len(), 5);

        let dept_n = s
            .create_department("市场监管局", &code("361202"), entry("d"))
            .await
            .unwrap();
        let dept_s = s
            .create_department("市场监管局", &code("361203"), entry("d"))
            .await
            .unwrap();
        let dup = s
            .create_department("市场监管局", &code("361202"), entry("d"))
            .await;
        assert!(matches!(dup, Err(StoreError::Conflict(_))), "{dup:?}");
        let in_north = s.departments(Some(&code("361202"))).await.unwrap();
        assert_eq!(in_north.iter().map(|d| d.id).collect::<Vec<_>>(), [dept_n]);

        let hall = NewHall {
            name: "江北区政务服务中心".into(),
            kind: HallKind::Centre,
            region_code: code("361202"),
            parent_hall_id: None,
            address: "江北大道1号".into(),
            hours: "工作日 9:00-17:00".into(),
        };
        let hall_id = s.create_hall(&hall, entry("h")).await.unwrap();
        assert_eq!(
            s.hall(hall_id).await.unwrap().unwrap().kind,
            HallKind::Centre
        );
        s.create_window(hall_id, dept_n, "A01", "市场监管综合窗口", entry("w"))
            .await
            .unwrap();
        s.create_window(hall_id, dept_s, "A02", "外区窗口", entry("w"))
            .await
            .unwrap();
        let windows = s
            .windows(Some(&code("361202")), Some(dept_n))
            .await
            .unwrap();
        assert_eq!(windows.len(), 1);
        assert_eq!(windows[0].department_name, "市场监管局");
        assert_eq!(s.windows(None, None).await.unwrap().len(), 2);
        assert!(s
            .windows(Some(&code("361203")), None)
            .await
            .unwrap()
            .is_empty());
    }
}

#[tokio::test]
async fn accounts_posts_and_substitutes() {
    for db in backends().await {
        let s = &db.store;
        seed_regions(s).await;
        let dept = s
            .create_department("住建局", &code("361202"), entry("d"))
            .await
            .unwrap();
        let staff = |login: &str, role| NewUser {
            login: login.into(),
            password_hash: "$argon2id$stub".into(),
            name: format!("员工{login}"),
            role: Some(role),
            department_id: Some(dept),
            region_code: Some(code("361202")),
            ..NewUser::default()
        };
        let a = s
            .create_user(&staff("wang", Role::Approver), t0(), entry("u"))
            .await
            .unwrap();
        let b = s
            .create_user(&staff("li", Role::Approver), t0(), entry("u"))
            .await
            .unwrap();
        let again = s
            .create_user(&staff("wang", Role::Clerk), t0(), entry("u"))
            .await;
        assert!(matches!(again, Err(StoreError::Conflict(_))));

        let applicant = NewUser {
            login: "zhangsan".into(),
            password_hash: "$argon2id$stub".into(),
            name: "张三".into(),
            applicant_kind: Some("person".into()),
            id_number: Some("11010519491231002X".into()),
            ..NewUser::default()
        };
        s.create_user(&applicant, t0(), entry("u")).await.unwrap();
        let same_id = NewUser {
            login: "zhangsan2".into(),
            ..applicant.clone()
        };
        assert!(matches!(
            s.create_user(&same_id, t0(), entry("u")).await,
            Err(StoreError::Conflict(_))
        ));

        let staff_list = s
            .users(&UserFilter {
                department_id: Some(dept),
                staff_only: true,
                ..Default::default()
            })
            .await
            .unwrap();
        assert_eq!(staff_list.len(), 2);
        let in_south = s
            .users(&UserFilter {
                region: Some(code("361203")),
                ..Default::default()
            })
            .await
            .unwrap();
        assert!(in_south.is_empty());
        let by_login = s.user_by_login("zhangsan").await.unwrap().unwrap();
        assert_eq!(by_login.role, Role::Applicant);
        assert_eq!(by_login.created_at, t0().timestamp_millis());

        let post = s
            .create_post(dept, "审批岗", a, Some(b), entry("p"))
            .await
            .unwrap();
        let p = s.post(post).await.unwrap().unwrap();
        assert_eq!((p.holder_name.as_str(), p.holder_away), ("员工wang", false));
        assert_eq!(p.substitute_name.as_deref(), Some("员工li"));
        s.set_away(a, true, entry("away")).await.unwrap();
        assert!(s.post(post).await.unwrap().unwrap().holder_away);
        assert_eq!(s.posts(Some(&code("361200")), None).await.unwrap().len(), 1);
        // Several departments in one read: only theirs, and an id that is a prefix of another
        // department's does not match it.
        let ids: Vec<i64> = s
            .posts_of(&[dept])
            .await
            .unwrap()
            .iter()
            .map(|p| p.id)
            .collect();
        assert_eq!(ids, vec![post]);
        assert!(s
            .posts_of(&[dept * 10, dept + 1000])
            .await
            .unwrap()
            .is_empty());
        assert_eq!(s.posts_of(&[dept * 10, dept]).await.unwrap().len(), 1);
        assert!(s.posts_of(&[]).await.unwrap().is_empty());
    }
}

#[tokio::test]
async fn sessions_live_and_die() {
    for db in backends().await {
        let s = &db.store;
        let user = NewUser {
            login: "lisi".into(),
            password_hash: "h1".into(),
            name: "李四".into(),
            ..NewUser::default()
        };
        let id = s.create_user(&user, t0(), entry("u")).await.unwrap();
        s.set_login_state(id, 3, Some(t0() + Duration::minutes(15)), None)
            .await
            .unwrap();
        let locked = s.user(id).await.unwrap().unwrap();
        assert_eq!(locked.failed_logins, 3);
        assert_eq!(locked.locked_until(), Some(t0() + Duration::minutes(15)));

        s.create_session("tok", id, "csrf1", t0(), entry("session.sign_in"))
            .await
            .unwrap();
        let unlocked = s.user(id).await.unwrap().unwrap();
        assert_eq!((unlocked.failed_logins, unlocked.locked_until), (0, None));
        let sess = s.session("tok").await.unwrap().unwrap();
        assert_eq!((sess.user.id, sess.csrf.as_str()), (id, "csrf1"));
        s.touch_session("tok", t0() + Duration::minutes(5))
            .await
            .unwrap();
        let touched = s.session("tok").await.unwrap().unwrap();
        assert_eq!(touched.last_seen_at, t0() + Duration::minutes(5));
        assert_eq!(touched.created_at, t0());

        s.set_password(id, "h2", entry("user.password"))
            .await
            .unwrap();
        assert!(
            s.session("tok").await.unwrap().is_none(),
            "a new password ends every session"
        );
        assert_eq!(s.user(id).await.unwrap().unwrap().password_hash, "h2");
        s.create_session("tok2", id, "c", t0(), entry("session.sign_in"))
            .await
            .unwrap();
        s.delete_session("tok2", Some(entry("session.sign_out")))
            .await
            .unwrap();
        assert!(s.session("tok2").await.unwrap().is_none());
    }
}

#[tokio::test]
async fn settings_round_trip() {
    for db in backends().await {
        let s = &db.store;
        assert_eq!(s.setting("warn.yellow_fraction").await.unwrap(), None);
        s.set_setting("warn.yellow_fraction", "0.9", entry("setting"))
            .await
            .unwrap();
        s.set_setting("warn.yellow_fraction", "0.8", entry("setting"))
            .await
            .unwrap();
        assert_eq!(
            s.setting("warn.yellow_fraction").await.unwrap().as_deref(),
            Some("0.8")
        );
        assert_eq!(s.settings().await.unwrap().len(), 1);
    }
}

#[tokio::test]
async fn every_write_is_chained_and_tampering_is_caught() {
    for db in backends().await {
        let s = &db.store;
        seed_regions(s).await;
        s.create_department("民政局", &code("361200"), entry("department.create"))
            .await
            .unwrap();
        let (head, _) = s.audit_head().await.unwrap();
        assert_eq!(head, 6, "five regions and a department");
        assert!(matches!(
            s.audit_verify().await.unwrap(),
            Verified::Intact { records: 6 }
        ));
        let page = s.audit_page(None, 2).await.unwrap();
        assert_eq!(page.iter().map(|r| r.seq).collect::<Vec<_>>(), [6, 5]);
        assert_eq!(page[0].entry.target, "department:1");
        assert_eq!(page[0].algo, HashAlgo::Sm3);
        assert_eq!(s.audit_for_target("department:1").await.unwrap().len(), 1);

        db.exec_raw("UPDATE audit_log SET summary = '悄悄改过' WHERE seq = 3")
            .await;
        match s.audit_verify().await.unwrap() {
            Verified::Broken(brk) => {
                assert_eq!(brk.code(), codes::Audit::Altered);
                assert!(brk.to_string().contains("#3"), "{brk}");
            }
            other => panic!("tampering not caught: {other:?}"),
        }
    }
}

#[tokio::test]
async fn removed_and_truncated_records_are_caught() {
    for db in backends().await {
        let s = &db.store;
        seed_regions(s).await;
        db.exec_raw("DELETE FROM audit_log WHERE seq = 2").await;
        match s.audit_verify().await.unwrap() {
            Verified::Broken(brk) => assert_eq!(brk.code(), codes::Audit::Missing),
            other => panic!("removal not caught: {other:?}"),
        }
    }
    for db in backends().await {
        let s = &db.store;
        seed_regions(s).await;
        db.exec_raw("DELETE FROM audit_log WHERE seq = 5").await;
        match s.audit_verify().await.unwrap() {
            Verified::Broken(brk) => assert_eq!(brk.code(), codes::Audit::Truncated),
            other => panic!("truncation not caught: {other:?}"),
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_writers_keep_one_chain() {
    for db in backends().await {
        let mut tasks = Vec::new();
        for i in 0..40 {
            let s = db.store.clone();
            tasks.push(tokio::spawn(async move {
                s.set_setting(&format!("k{i}"), "v", entry("setting"))
                    .await
                    .unwrap();
            }));
        }
        for t in tasks {
            t.await.unwrap();
        }
        assert!(matches!(
            db.store.audit_verify().await.unwrap(),
            Verified::Intact { records: 40 }
        ));
    }
}

/// SQLite's writer commits the writes queued behind it together, in one transaction, and a
/// write that fails in that batch is undone alone. PostgreSQL commits each on its own.
#[tokio::test]
async fn queued_writes_commit_together_and_a_failed_one_is_undone_alone() {
    for db in backends().await {
        seed_regions(&db.store).await;
        let Some(hold) = db.store.hold_writes().await.unwrap() else {
            assert!(db.store.writer_stats().is_none());
            continue;
        };
        let before = db.store.writer_stats().unwrap();
        let mut settings = Vec::new();
        for i in 0..8 {
            let s = db.store.clone();
            settings.push(tokio::spawn(async move {
                s.set_setting(&format!("batch.k{i}"), "v", entry("setting"))
                    .await
            }));
        }
        // A region whose code is taken: refused inside the batch.
        let s = db.store.clone();
        let taken = tokio::spawn(async move {
            let rc = code("361202");
            let region = Region {
                level: rc.level(),
                parent_code: rc.parent().map(String::from),
                code: rc,
                name: "重复".into(),
            };
            s.create_region(&region, entry("region.create")).await
        });
        while db.store.writer_stats().unwrap().queued < 9 {
            tokio::task::yield_now().await;
        }
        hold.release().await.unwrap();
        for t in settings {
            t.await.unwrap().unwrap();
        }
        assert!(matches!(taken.await.unwrap(), Err(StoreError::Conflict(_))));
        let after = db.store.writer_stats().unwrap();
        assert_eq!(
            after.commits - before.commits,
            1,
            "one commit for the batch"
        );
        assert_eq!(
            after.commands - before.commands,
            9,
            "the hold and eight settings"
        );
        for i in 0..8 {
            assert_eq!(
                db.store
                    .setting(&format!("batch.k{i}"))
                    .await
                    .unwrap()
                    .as_deref(),
                Some("v")
            );
        }
        // Five regions and eight settings, chained in the batch's order.
        assert!(matches!(
            db.store.audit_verify().await.unwrap(),
            Verified::Intact { records: 13 }
        ));

        // A command that fails alone rolls its own transaction back; the next one writes.
        let rc = code("361203");
        let again = Region {
            level: rc.level(),
            parent_code: rc.parent().map(String::from),
            code: rc,
            name: "重复".into(),
        };
        assert!(db
            .store
            .create_region(&again, entry("region.create"))
            .await
            .is_err());
        db.store
            .set_setting("batch.after", "v", entry("setting"))
            .await
            .unwrap();
        assert!(matches!(
            db.store.audit_verify().await.unwrap(),
            Verified::Intact { records: 14 }
        ));
    }
}

/// A batch left open for the next command in line is committed even if that command is given up
/// while it waits (a request whose client went away): otherwise the commands already in the
/// batch would wait for ever.
#[tokio::test]
async fn a_write_given_up_while_it_waits_does_not_strand_the_batch() {
    for db in backends().await {
        let Some(first) = db.store.hold_writes().await.unwrap() else {
            continue;
        };
        let before = db.store.writer_stats().unwrap();
        let mut late = Box::pin(db.store.set_setting("late", "v", entry("setting")));
        // Polled once: it is in the queue, and stays there unless polled again.
        tokio::select! {
            biased;
            _ = &mut late => panic!("the writer is held"),
            _ = async {} => {}
        }
        assert_eq!(db.store.writer_stats().unwrap().queued, 1);
        let release = tokio::spawn(first.release());
        // The first leaves the batch open for the one queued behind it.
        while db.store.writer_stats().unwrap().commands == before.commands {
            tokio::task::yield_now().await;
        }
        drop(late);
        let released = tokio::time::timeout(std::time::Duration::from_secs(60), release)
            .await
            .expect("the batch is committed without the command that gave up");
        released.unwrap().unwrap();
        let after = db.store.writer_stats().unwrap();
        assert_eq!((after.commits - before.commits, after.queued), (1, 0));
        assert_eq!(db.store.setting("late").await.unwrap(), None);
        // The writer goes on.
        db.store
            .set_setting("after", "v", entry("setting"))
            .await
            .unwrap();
    }
}

/// A command dropped mid-write (its caller gone) is undone, and the writes queued beside it
/// still commit.
#[tokio::test]
async fn a_write_abandoned_in_a_batch_is_undone_and_the_others_commit() {
    for db in backends().await {
        let Some(first) = db.store.hold_writes().await.unwrap() else {
            continue;
        };
        let s = db.store.clone();
        let kept = tokio::spawn(async move { s.set_setting("kept", "v", entry("setting")).await });
        while db.store.writer_stats().unwrap().queued < 1 {
            tokio::task::yield_now().await;
        }
        let s = db.store.clone();
        let gone = tokio::spawn(async move {
            // Joins the batch and goes away without finishing.
            drop(s.hold_writes().await);
        });
        while db.store.writer_stats().unwrap().queued < 2 {
            tokio::task::yield_now().await;
        }
        first.release().await.unwrap();
        kept.await.unwrap().unwrap();
        gone.await.unwrap();
        assert_eq!(
            db.store.setting("kept").await.unwrap().as_deref(),
            Some("v")
        );
        assert!(matches!(
            db.store.audit_verify().await.unwrap(),
            Verified::Intact { records: 1 }
        ));
    }
}
