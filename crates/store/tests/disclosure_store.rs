//! Disclosure requests in storage, on every backend: a request and its log written together
//! with the audit record and the notices, the projection the queue reads, optimistic versions,
//! and a refusal that writes nothing (not even a number).

use chrono::{DateTime, NaiveDate, TimeZone, Utc};
use tongban_domain::audit::AuditEntry;
use tongban_domain::codes;
use tongban_domain::disclosure::{ApplicantKind, Channel, ReplyKind, Status};
use tongban_domain::region::{Level, RegionCode};
use tongban_store::audit::Verified;
use tongban_store::cases::NotificationRow;
use tongban_store::disclosure::{DisclosureProjection, DisclosureWrite, NewDisclosureEvent};
use tongban_store::org::Region;
use tongban_store::{Store, StoreError};

mod common;
use common::backends;

/// Monday 21 September 2026, 10:00 Shanghai.
fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 9, 21, 2, 0, 0).unwrap()
}

fn entry(action: &str) -> AuditEntry {
    AuditEntry {
        at: t0(),
        actor: "经办#1".into(),
        role: "clerk".into(),
        action: action.into(),
        target: String::new(),
        summary: format!("测试：{action}"),
        region: None,
    }
}

async fn office(s: &Store) -> i64 {
    let city = RegionCode::parse("361200").unwrap();
    s.create_region(
        &Region {
            level: Level::City,
            parent_code: None,
            code: city.clone(),
            name: "清江市".into(),
        },
        entry("region.create"),
    )
    .await
    .unwrap();
    s.create_department("清江市人民政府办公室", &city, entry("department.create"))
        .await
        .unwrap()
}

fn write(
    number: &str,
    dept: i64,
    id_code: &str,
    status: Status,
    due: Option<NaiveDate>,
) -> DisclosureWrite {
    DisclosureWrite {
        projection: DisclosureProjection {
            number: number.into(),
            department_id: dept,
            region: "361200".into(),
            applicant_kind: ApplicantKind::Citizen,
            applicant_name: "张三".into(),
            applicant_id_code: id_code.into(),
            applicant_user_id: Some(42),
            channel: Channel::InPerson,
            status,
            filed_at: t0(),
            received_at: Some(t0()),
            due_date: due,
            reply_kind: None,
            replied_at: None,
            closed_at: None,
        },
        state: "{}".into(),
        events: vec![NewDisclosureEvent {
            kind: "filed".into(),
            payload: "{}".into(),
            actor_id: Some(1),
            actor_name: "经办人".into(),
            at: t0(),
        }],
        notifications: vec![NotificationRow {
            channel: "sms".into(),
            recipient: "13800138000".into(),
            subject: "已收到您的政府信息公开申请".into(),
            body: "申请编号".into(),
        }],
        audit: entry("disclosure.file"),
        title: "政府信息公开申请：测试".into(),
        watches: vec![],
        findings: vec![],
    }
}

fn day(m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, m, d).unwrap()
}

#[tokio::test]
async fn requests_logs_queues_and_versions() {
    for db in backends().await {
        let s = &db.store;
        let dept = office(s).await;
        let today = day(9, 21);
        // Three requests: the queue puts the soonest due first and the one without a running
        // period (awaiting a supplement) last.
        let mut numbers = Vec::new();
        for (id_code, status, due) in [
            ("11010519491231002X", Status::Processing, Some(day(10, 26))),
            ("11010519491231002X", Status::AwaitingSupplement, None),
            ("91350100M000100Y43", Status::Processing, Some(day(10, 19))),
        ] {
            let (_, number) = s
                .create_disclosure("361200", today, t0(), |seq| {
                    Ok::<_, ()>(write(
                        &format!("GK36120020260921{seq:04}"),
                        dept,
                        id_code,
                        status,
                        due,
                    ))
                })
                .await
                .unwrap()
                .unwrap();
            numbers.push(number);
        }
        assert_eq!(numbers[0], "GK361200202609210001");
        assert_eq!(numbers[2], "GK361200202609210003");
        let queue = s.disclosure_queue(dept, 10).await.unwrap();
        let order: Vec<&str> = queue.iter().map(|l| l.number.as_str()).collect();
        assert_eq!(order, vec![&numbers[2], &numbers[0], &numbers[1]]);
        assert_eq!(queue[0].status, Status::Processing);
        assert_eq!(queue[1].applicant_kind, ApplicantKind::Citizen);

        // A refusal from the builder writes nothing, and leaves no gap in the numbers.
        let refused = s
            .create_disclosure("361200", today, t0(), |_| Err::<DisclosureWrite, _>("no"))
            .await
            .unwrap();
        assert_eq!(refused, Err("no"));
        let (_, next) = s
            .create_disclosure("361200", today, t0(), |seq| {
                Ok::<_, ()>(write(
                    &format!("GK36120020260921{seq:04}"),
                    dept,
                    "11010519491231002X",
                    Status::Submitted,
                    None,
                ))
            })
            .await
            .unwrap()
            .unwrap();
        assert_eq!(next, "GK361200202609210004");

        // Per calendar month, per applicant: two received in September.
        let from = Utc.with_ymd_and_hms(2026, 8, 31, 16, 0, 0).unwrap();
        let to = Utc.with_ymd_and_hms(2026, 9, 30, 16, 0, 0).unwrap();
        assert_eq!(
            s.disclosures_received_between("11010519491231002X", from, to)
                .await
                .unwrap(),
            3
        );
        assert_eq!(
            s.disclosures_received_between("91350100M000100Y43", from, to)
                .await
                .unwrap(),
            1
        );

        // An update at the current version lands; a second one at the same version is stale.
        let row = s.disclosure_by_number(&numbers[0]).await.unwrap().unwrap();
        assert_eq!(row.version, 1);
        let mut w = write(
            &numbers[0],
            dept,
            "11010519491231002X",
            Status::Replied,
            None,
        );
        w.projection.reply_kind = Some(ReplyKind::PartlyDisclosed);
        w.projection.replied_at = Some(t0());
        w.projection.closed_at = Some(t0());
        w.events[0].kind = "replied".into();
        w.audit = entry("disclosure.reply");
        s.update_disclosure(row.id, 1, &w, t0()).await.unwrap();
        let err = s.update_disclosure(row.id, 1, &w, t0()).await.unwrap_err();
        assert!(
            matches!(&err, StoreError::Conflict(c) if c == codes::Disclosure::Stale.as_str()),
            "{err:?}"
        );
        let row = s.disclosure_by_number(&numbers[0]).await.unwrap().unwrap();
        assert_eq!(row.version, 2);
        assert_eq!(row.status, Status::Replied);
        assert_eq!(row.reply_kind.as_deref(), Some("partly_disclosed"));
        let events = s.disclosure_events(row.id).await.unwrap();
        let kinds: Vec<&str> = events.iter().map(|e| e.kind.as_str()).collect();
        assert_eq!(kinds, vec!["filed", "replied"]);
        assert!(events[0].audit_seq < events[1].audit_seq);
        assert_eq!(
            s.disclosure_queue(dept, 10).await.unwrap().len(),
            3,
            "a replied request leaves the queue"
        );
        assert_eq!(s.disclosure_closed(dept, 10).await.unwrap().len(), 1);
        assert_eq!(s.disclosures_of_user(42, 10).await.unwrap().len(), 4);
        assert_eq!(
            s.open_disclosure_numbers(Status::AwaitingSupplement, 10)
                .await
                .unwrap(),
            vec![numbers[1].clone()]
        );

        // Each write queued its notice with the request's number, and is in the audit chain:
        // the region and the department, four filings and one reply.
        let outbox = s.outbox_for_case(&numbers[0]).await.unwrap();
        assert_eq!(outbox.len(), 2);
        match s.audit_verify().await.unwrap() {
            Verified::Intact { records } => assert_eq!(records, 2 + 4 + 1),
            other => panic!("{other:?}"),
        }
    }
}
