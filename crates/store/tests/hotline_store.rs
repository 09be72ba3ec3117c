//! The 12345 hotline in storage, on every backend: numbers by day, the event log and its
//! projection written together with the outbox and the audit chain, the version guard
//! against two writers, the routing table's longest region prefix, the caller's history and
//! the knowledge base.

use chrono::{DateTime, Duration, TimeZone, Utc};
use tongban_domain::audit::AuditEntry;
use tongban_domain::calendar::WorkingDays;
use tongban_domain::hotline::{
    By, Caller, Category, Channel, Ticket, TicketEvent, TicketNumber, TicketStatus, UnitRef,
};
use tongban_domain::region::{Level, RegionCode};
use tongban_store::audit::Verified;
use tongban_store::hotline::{Outbound, TicketFilter, TicketOversight};
use tongban_store::org::Region;
use tongban_store::{Store, StoreError};

mod common;
use common::backends;

/// Monday 2 March 2026, 09:00 Shanghai.
fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 3, 2, 1, 0, 0).unwrap()
}

fn entry(action: &str) -> AuditEntry {
    AuditEntry {
        at: t0(),
        actor: "话务员#1".into(),
        role: "operator".into(),
        action: action.into(),
        target: String::new(),
        summary: format!("测试：{action}"),
        region: None,
    }
}

fn operator() -> By {
    By {
        user_id: 1,
        name: "话务员甲".into(),
        department_id: None,
    }
}

/// 清江市 with 江北区 and 临江街道, a city bureau and a township office; their ids.
async fn org(s: &Store) -> (i64, i64) {
    for (code, name, level, parent) in [
        ("361200", "清江市", Level::City, None),
        ("361202", "江北区", Level::County, Some("361200")),
        ("361202001000", "临江街道", Level::Township, Some("361202")),
    ] {
        s.create_region(
            &Region {
                code: RegionCode::parse(code).unwrap(),
                name: name.into(),
                level,
                parent_code: parent.map(str::to_string),
            },
            entry("region.create"),
        )
        .await
        .unwrap();
    }
    let city = RegionCode::parse("361200").unwrap();
    let town = RegionCode::parse("361202001000").unwrap();
    let bureau = s
        .create_department("清江市生态环境局", &city, entry("department.create"))
        .await
        .unwrap();
    let office = s
        .create_department("临江街道综合执法办", &town, entry("department.create"))
        .await
        .unwrap();
    s.create_hotline_subject("env", "生态环境", None, entry("subject"))
        .await
        .unwrap();
    s.create_hotline_subject("env.noise", "噪声扰民", Some("env"), entry("subject"))
        .await
        .unwrap();
    (bureau, office)
}

fn received(phone: &str) -> TicketEvent {
    TicketEvent::Received {
        number: TicketNumber::new(t0().date_naive(), 0),
        category: Category::Complaint,
        channel: Channel::Phone,
        subject: "env.noise".into(),
        subject_name: "噪声扰民".into(),
        region: "361202001000".into(),
        caller: Caller::parse(Some("张三"), Some(phone), false, false).unwrap(),
        place: Some("临江街道滨江路".into()),
        text: "夜间施工噪声扰民".into(),
        urgent: false,
        efficiency: None,
        limit: WorkingDays::new(15).unwrap(),
        urgent_hours: 24,
    }
}

fn sms(n: &TicketNumber) -> Vec<Outbound> {
    vec![Outbound {
        channel: tongban_store::outbox::SMS,
        recipient: "13812345678".into(),
        subject: "12345受理".into(),
        body: format!("工单号 {n}"),
        send_at: t0(),
    }]
}

#[tokio::test]
async fn tickets_are_numbered_by_day_and_logged_with_their_projection() {
    for db in backends().await {
        let s = &db.store;
        let (_, office) = org(s).await;
        let (id1, t1) = s
            .create_ticket(
                &received("13812345678"),
                t0(),
                Some(&operator()),
                Some(t0() + Duration::days(21)),
                sms,
                &TicketOversight::default(),
                |_| Vec::new(),
                entry("ticket.receive"),
            )
            .await
            .unwrap();
        let (_, t2) = s
            .create_ticket(
                &received("13900001111"),
                t0() + Duration::minutes(5),
                Some(&operator()),
                None,
                |_| Vec::new(),
                &TicketOversight::default(),
                |_| Vec::new(),
                entry("ticket.receive"),
            )
            .await
            .unwrap();
        assert_eq!(t1.number.as_str(), "H20260302000001");
        assert_eq!(t2.number.as_str(), "H20260302000002");
        let (_, t3) = s
            .create_ticket(
                &received("13900001111"),
                t0() + Duration::days(1),
                None,
                None,
                |_| Vec::new(),
                &TicketOversight::default(),
                |_| Vec::new(),
                entry("ticket.receive"),
            )
            .await
            .unwrap();
        assert_eq!(
            t3.number.as_str(),
            "H20260303000001",
            "a new day starts at 1"
        );

        // The receipt SMS was queued with the number, in the same transaction.
        let out = s.outbox_for_case(t1.number.as_str()).await.unwrap();
        assert_eq!(out.len(), 1);
        assert!(out[0].body.contains("H20260302000001"));

        // Dispatch and sign, then replay the log.
        let events = [TicketEvent::Dispatched {
            lead: UnitRef {
                department_id: office,
                name: "临江街道综合执法办".into(),
            },
            co: Vec::new(),
            note: String::new(),
        }];
        let mut after = t1.clone();
        let at = t0() + Duration::hours(1);
        for e in &events {
            after.apply(e, at, Some(&operator()));
        }
        s.append_ticket(
            id1,
            t1.version,
            &events,
            at,
            Some(&operator()),
            &after,
            Some(t0() + Duration::days(21)),
            &[],
            &TicketOversight::default(),
            entry("ticket.dispatch"),
        )
        .await
        .unwrap();
        // A second writer that read version 1 too is refused, and writes nothing.
        let err = s
            .append_ticket(
                id1,
                t1.version,
                &events,
                at,
                Some(&operator()),
                &after,
                None,
                &[],
                &TicketOversight::default(),
                entry("ticket.dispatch"),
            )
            .await
            .unwrap_err();
        assert!(matches!(err, StoreError::Conflict(_)), "{err:?}");

        let log = s.ticket_log(t1.number.as_str()).await.unwrap().unwrap();
        assert_eq!(log.events.len(), 2);
        assert_eq!(log.events[1].by.as_ref().map(|b| b.user_id), Some(1));
        let replayed: Ticket = log.ticket().unwrap();
        assert_eq!(replayed, after);
        let row = s.ticket_row(t1.number.as_str()).await.unwrap().unwrap();
        assert_eq!(row.status, TicketStatus::Dispatched);
        assert_eq!(row.holder_department_id, Some(office));
        assert_eq!(row.version, 2);
        assert_eq!(row.caller_tail.as_deref(), Some("5678"));

        // Lists: by the holder, by region, by the caller's number (the incoming-call pop-up).
        let mine = s
            .tickets(&TicketFilter {
                holder: Some(office),
                limit: 50,
                ..Default::default()
            })
            .await
            .unwrap();
        assert_eq!(mine.len(), 1);
        let history = s
            .tickets(&TicketFilter {
                caller_phone: Some("13900001111".into()),
                region: Some("361202".into()),
                limit: 50,
                ..Default::default()
            })
            .await
            .unwrap();
        let numbers: Vec<&str> = history.iter().map(|r| r.number.as_str()).collect();
        assert_eq!(
            numbers,
            ["H20260303000001", "H20260302000002"],
            "newest first"
        );
        let elsewhere = s
            .tickets(&TicketFilter {
                region: Some("361203".into()),
                limit: 50,
                ..Default::default()
            })
            .await
            .unwrap();
        assert!(elsewhere.is_empty());
        // The caller's number never leaves in JSON.
        let json = serde_json::to_string(&row).unwrap();
        assert!(!json.contains("13812345678"), "{json}");

        assert!(matches!(
            s.audit_verify().await.unwrap(),
            Verified::Intact { .. }
        ));
    }
}

#[tokio::test]
async fn routes_take_the_longest_region_prefix_and_answers_are_searched() {
    for db in backends().await {
        let s = &db.store;
        let (bureau, office) = org(s).await;
        s.set_hotline_route("env.noise", "3612", bureau, true, entry("route"))
            .await
            .unwrap();
        let town = s.hotline_route("env.noise", "361202001000").await.unwrap();
        assert_eq!(town.len(), 1);
        assert_eq!(
            town[0].department_id, bureau,
            "the city's route covers the town"
        );
        s.set_hotline_route("env.noise", "361202001", office, true, entry("route"))
            .await
            .unwrap();
        s.set_hotline_route("env.noise", "361202001", bureau, false, entry("route"))
            .await
            .unwrap();
        let town = s.hotline_route("env.noise", "361202001000").await.unwrap();
        let got: Vec<(i64, i64)> = town.iter().map(|r| (r.department_id, r.lead)).collect();
        assert_eq!(
            got,
            [(office, 1), (bureau, 0)],
            "the town's own route, lead first"
        );
        assert!(s
            .hotline_route("env.noise", "361203001000")
            .await
            .unwrap()
            .iter()
            .all(|r| r.region == "3612"));
        assert!(s
            .hotline_route("env", "361202001000")
            .await
            .unwrap()
            .is_empty());

        let a = s
            .add_hotline_answer(
                Some("env.noise"),
                "3612",
                "夜间施工噪声如何投诉？",
                "夜间22时至次日6时禁止产生噪声的建筑施工，可拨打12345投诉。",
                1,
                t0(),
                entry("answer"),
            )
            .await
            .unwrap();
        s.add_hotline_answer(
            None,
            "3612",
            "100%退款吗",
            "视情况而定",
            1,
            t0(),
            entry("answer"),
        )
        .await
        .unwrap();
        let found = s
            .search_hotline_answers("施工 噪声", "361202001000", 10)
            .await
            .unwrap();
        assert_eq!(found.iter().map(|a| a.id).collect::<Vec<_>>(), [a]);
        assert!(s
            .search_hotline_answers("施工 退款", "361202001000", 10)
            .await
            .unwrap()
            .is_empty());
        // `%` is a character to find, not a wildcard.
        let pct = s.search_hotline_answers("0%", "3612", 10).await.unwrap();
        assert_eq!(pct.len(), 1);
        assert!(s
            .search_hotline_answers("施工", "510100", 10)
            .await
            .unwrap()
            .is_empty());
        // An unknown subject is refused by the database too.
        assert!(s
            .set_hotline_route("nope", "3612", bureau, true, entry("route"))
            .await
            .is_err());
    }
}
