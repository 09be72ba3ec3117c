//! The subject registry's migration over rows written before it, on every backend: existing
//! cases become subjects of kind `case` (party masked), and their deadlines, warnings,
//! reminders, findings and orders keep working under the new keys, foreign keys included.

use chrono::{DateTime, TimeZone, Utc};
use tongban_domain::audit::AuditEntry;
use tongban_domain::supervision::{SubjectKind, SubjectRef};
use tongban_store::findings::NewFinding;
use tongban_store::orders::NewOrder;
use tongban_store::watch::LitFilter;
use tongban_store::Kind;

mod common;
use common::backends_before;

fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 3, 2, 1, 0, 0).unwrap()
}

fn entry(action: &str) -> AuditEntry {
    AuditEntry {
        at: t0(),
        actor: "监察#9".into(),
        role: "supervisor".into(),
        action: action.into(),
        target: String::new(),
        summary: format!("测试：{action}"),
        region: None,
    }
}

#[tokio::test]
async fn existing_cases_and_their_supervision_records_become_case_subjects() {
    for db in backends_before(30).await {
        let s = &db.store;
        // The region and department as the old schema held them: today's audit append (with
        // its region column, migration 32) does not fit a database before 30.
        db.exec_raw(
            "INSERT INTO regions (code, name, level, parent_code) VALUES ('361200', '清江市', 'city', NULL);
             INSERT INTO departments (id, name, region_code) VALUES (1, '清江市自然资源局', '361200');",
        )
        .await;
        let dept = 1i64;
        // Rows as the old schema held them (the case's catalog item is left out, so foreign
        // keys are off for these inserts only).
        let off = match s.kind() {
            Kind::Sqlite => "PRAGMA foreign_keys = OFF;",
            Kind::Postgres => "SET session_replication_role = replica;",
        };
        db.exec_raw(&format!(
            "{off}
            INSERT INTO cases (id, number, item_id, item_version, basic_code, item_name,
                department_id, region, applicant_name, applicant_id_code, phone_tail, id_tail,
                channel, status, awaiting_head, received_at, state, version, updated_at)
            VALUES (5, 'QJ-5', 1, 1, 'XK00001001', '测试事项', {dept}, '361200', '张三丰', '',
                '', '', 'online', 'accepted', 0, 1000, '{{}}', 1, 1000);
            INSERT INTO clock_watch (case_id, case_number, clock, label, department_id, hall_id,
                region, assignee_id, yellow_at, red_at, light, next_at)
            VALUES (5, 'QJ-5', 'committed', '承诺办结期限', {dept}, 0, '361200', NULL, 2000, 3000,
                1, 3000),
               (5, 'QJ-5', 'order:4', '督办回复期限', {dept}, 0, '361200', NULL, NULL, 5001, 0,
                5001);
            INSERT INTO warnings (case_id, case_number, clock, label, light, crossing_at,
                department_id, hall_id, region, assignee_id, fired_at, notified)
            VALUES (5, 'QJ-5', 'committed', '承诺办结期限', 1, 2000, {dept}, 0, '361200', NULL,
                2500, 1);
            INSERT INTO warning_reminders (case_id, clock, day) VALUES (5, 'committed', '20260302');
            INSERT INTO findings (id, rule, case_id, case_number, department_id, region, detail,
                evidence, fingerprint, status, created_at)
            VALUES (9, 'overdue', 5, 'QJ-5', {dept}, '361200', '办理超时', '[]',
                '5:overdue:case:time', 'open', 2600);
            INSERT INTO supervision_orders (id, case_id, case_number, finding_id, department_id,
                region, instruction, reply_days, due_at, status, issued_by, issued_at)
            VALUES (4, 5, 'QJ-5', 9, {dept}, '361200', '请说明', 1, 5000, 'issued', 1, 2700);"
        ))
        .await;

        let from_30 = tongban_store::MIGRATIONS
            .iter()
            .filter(|m| m.0 >= 30)
            .count();
        assert_eq!(
            s.migrate().await.unwrap(),
            from_30,
            "only the subjects migration and those after it run"
        );
        assert_eq!(s.migrate().await.unwrap(), 0);

        let case = s
            .subject(SubjectKind::Case, "QJ-5")
            .await
            .unwrap()
            .expect("the case is a subject");
        assert_eq!(case.subject(), SubjectRef::case(5, "QJ-5"));
        assert_eq!(
            (
                case.title.as_str(),
                case.party.as_str(),
                case.item_id,
                case.department_id,
                case.hall_id,
                case.opened_at
            ),
            ("测试事项", "张**", Some(1), dept, 0, 1000)
        );
        let w = s.warnings_of_case(5).await.unwrap();
        assert_eq!(w.len(), 1);
        assert_eq!(w[0].subject(), SubjectRef::case(5, "QJ-5"));
        let f = s.findings_of_case(5).await.unwrap();
        assert_eq!(
            (f.len(), f[0].id, f[0].subject_kind),
            (1, 9, SubjectKind::Case)
        );
        let o = s.orders_of_case(5).await.unwrap();
        assert_eq!((o.len(), o[0].id, o[0].finding_id), (1, 4, Some(9)));
        let clocks = s
            .subject_clocks(&SubjectRef::case(5, "QJ-5"))
            .await
            .unwrap();
        assert_eq!(
            clocks.iter().map(|c| c.0.as_str()).collect::<Vec<_>>(),
            ["committed", "order:4"]
        );
        let lit = s
            .lit_clocks(
                &LitFilter {
                    region_prefix: "3612".into(),
                    ..LitFilter::default()
                },
                100,
            )
            .await
            .unwrap();
        assert_eq!(lit.len(), 1);
        assert_eq!(
            (
                lit[0].subject_number.as_str(),
                lit[0].title.as_str(),
                lit[0].opened_at
            ),
            ("QJ-5", "测试事项", 1000)
        );

        // The keys still hold: the same firing is not recorded twice, a new order can cite the
        // rebuilt findings table, and answering the old order clears its deadline.
        let again = NewFinding {
            rule: "overdue".into(),
            subject: SubjectRef::case(5, "QJ-5"),
            step: None,
            person_id: None,
            department_id: dept,
            hall_id: None,
            region: "361200".into(),
            detail: "办理超时".into(),
            evidence: "[]".into(),
            fingerprint: "5:overdue:case:time".into(),
        };
        assert_eq!(s.record_findings(&[again], t0()).await.unwrap(), 0);
        let id = s
            .issue_order(
                &NewOrder {
                    subject: SubjectRef::case(5, "QJ-5"),
                    finding_id: Some(9),
                    department_id: dept,
                    region: "361200".into(),
                    instruction: "再次督办".into(),
                    reply_days: 1,
                    due_at: t0(),
                    issued_by: 1,
                },
                t0(),
                entry("order.issue"),
            )
            .await
            .unwrap();
        assert_ne!(id, 4);
        s.reply_order(4, 2, "已整改", t0(), entry("order.reply"))
            .await
            .unwrap();
        let clocks = s
            .subject_clocks(&SubjectRef::case(5, "QJ-5"))
            .await
            .unwrap();
        assert!(clocks.iter().all(|c| c.0 != "order:4"));
        assert!(clocks.iter().any(|c| c.0 == format!("order:{id}")));
        // A subject must be registered before anything refers to it.
        let stray = NewFinding {
            subject: SubjectRef::new(SubjectKind::Ticket, 5, "GD-5"),
            fingerprint: "ticket:5".into(),
            ..NewFinding {
                rule: "overdue".into(),
                subject: SubjectRef::case(5, "QJ-5"),
                step: None,
                person_id: None,
                department_id: dept,
                hall_id: None,
                region: "361200".into(),
                detail: "x".into(),
                evidence: "[]".into(),
                fingerprint: String::new(),
            }
        };
        assert!(s.record_findings(&[stray], t0()).await.is_err());
    }
}
