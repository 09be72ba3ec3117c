//! The notification outbox on every backend: due rows only, leases, sent and failed rows, and
//! concurrent claimers that never share a row.

mod common;

use chrono::{DateTime, Duration, TimeZone, Utc};
use tongban_store::outbox::{EMAIL, SMS};
use tongban_store::Store;

const BOTH: &[&str] = &[SMS, EMAIL];

fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 3, 2, 1, 0, 0).unwrap()
}

fn ids(msgs: &[tongban_store::outbox::OutboxMessage]) -> Vec<i64> {
    msgs.iter().map(|m| m.id).collect()
}

async fn enqueue(store: &Store, channel: &str, at: DateTime<Utc>, case: Option<&str>) -> i64 {
    store
        .enqueue_notification(
            channel,
            if channel == SMS {
                "13812345678"
            } else {
                "zhang.san@example.cn"
            },
            "办件受理通知",
            "您的申请已受理，办件编号 QJ-2026-0001。",
            case,
            at,
        )
        .await
        .unwrap()
}

#[tokio::test]
async fn claim_takes_due_rows_only_and_holds_them_for_the_lease() {
    for db in common::backends().await {
        let s = &db.store;
        let lease = Duration::minutes(5);
        let a = enqueue(s, SMS, t0(), Some("QJ-1")).await;
        let b = enqueue(s, EMAIL, t0() + Duration::seconds(1), Some("QJ-1")).await;
        let later = enqueue(s, SMS, t0() + Duration::hours(1), None).await;

        // Nothing is due before it was created.
        assert!(s
            .claim_outbox(t0() - Duration::seconds(1), 10, lease, BOTH)
            .await
            .unwrap()
            .is_empty());

        let now = t0() + Duration::seconds(2);
        let got = s.claim_outbox(now, 10, lease, BOTH).await.unwrap();
        assert_eq!(ids(&got), vec![a, b], "{:?}", db.store.kind());
        assert_eq!(got[0].channel, SMS);
        assert_eq!(got[0].subject, "办件受理通知");
        assert_eq!(got[0].case_number.as_deref(), Some("QJ-1"));
        assert_eq!(got[0].created_at, t0());
        assert_eq!(got[0].attempts, 0);

        // Claimed rows are not claimed again while the lease runs, even at its last instant.
        assert!(s
            .claim_outbox(now + Duration::minutes(1), 10, lease, BOTH)
            .await
            .unwrap()
            .is_empty());
        assert!(s
            .claim_outbox(now + lease, 10, lease, BOTH)
            .await
            .unwrap()
            .is_empty());

        // After the lease they are (the dispatcher that held them died, say).
        let after = now + lease + Duration::seconds(1);
        assert_eq!(
            ids(&s.claim_outbox(after, 10, lease, BOTH).await.unwrap()),
            vec![a, b]
        );

        // The later row comes when due; the limit is respected, oldest due first.
        let hour = t0() + Duration::hours(2);
        let first = s.claim_outbox(hour, 1, lease, BOTH).await.unwrap();
        assert_eq!(ids(&first), vec![a]);
        let rest = s.claim_outbox(hour, 10, lease, BOTH).await.unwrap();
        assert_eq!(ids(&rest), vec![b, later]);
    }
}

#[tokio::test]
async fn channels_without_a_sender_are_left_alone() {
    for db in common::backends().await {
        let s = &db.store;
        let sms = enqueue(s, SMS, t0(), None).await;
        let mail = enqueue(s, EMAIL, t0(), None).await;
        let now = t0() + Duration::minutes(1);
        let lease = Duration::minutes(5);
        assert!(s
            .claim_outbox(now, 10, lease, &[])
            .await
            .unwrap()
            .is_empty());
        assert_eq!(
            ids(&s.claim_outbox(now, 10, lease, &[EMAIL]).await.unwrap()),
            vec![mail]
        );
        assert_eq!(
            s.outbox_due_counts(now).await.unwrap(),
            vec![(EMAIL.to_string(), 1), (SMS.to_string(), 1)]
        );
        assert_eq!(
            ids(&s.claim_outbox(now, 10, lease, &[SMS]).await.unwrap()),
            vec![sms]
        );
    }
}

#[tokio::test]
async fn sent_rows_never_return_and_failed_rows_return_at_retry_time() {
    for db in common::backends().await {
        let s = &db.store;
        let lease = Duration::minutes(5);
        let sent = enqueue(s, SMS, t0(), Some("QJ-2")).await;
        let failed = enqueue(s, EMAIL, t0(), Some("QJ-2")).await;
        let dead = enqueue(s, EMAIL, t0(), Some("QJ-2")).await;
        let now = t0() + Duration::seconds(1);
        assert_eq!(s.claim_outbox(now, 10, lease, BOTH).await.unwrap().len(), 3);

        s.mark_outbox_sent(sent, now).await.unwrap();
        let retry = now + Duration::minutes(1);
        s.mark_outbox_failed(failed, now, "连接被拒绝", Some(retry))
            .await
            .unwrap();
        s.mark_outbox_failed(dead, now, "收件地址无效", None)
            .await
            .unwrap();

        // The failure released the claim, but the retry is not due yet.
        assert!(s
            .claim_outbox(retry - Duration::seconds(1), 10, lease, BOTH)
            .await
            .unwrap()
            .is_empty());
        let again = s.claim_outbox(retry, 10, lease, BOTH).await.unwrap();
        assert_eq!(ids(&again), vec![failed]);
        assert_eq!(again[0].attempts, 1);
        assert_eq!(again[0].last_error.as_deref(), Some("连接被拒绝"));

        // Far in the future, neither the sent nor the given-up message comes back.
        let far = t0() + Duration::days(3650);
        assert!(s
            .claim_outbox(far, 10, lease, BOTH)
            .await
            .unwrap()
            .iter()
            .all(|m| m.id == failed));

        let all = s.outbox_for_case("QJ-2").await.unwrap();
        assert_eq!(ids(&all), vec![sent, failed, dead]);
        assert_eq!(all[0].sent_at, Some(now));
        assert_eq!(all[0].attempts, 1);
        assert_eq!(all[0].next_attempt_at, None);
        assert!(!all[0].gave_up());
        assert_eq!(all[1].next_attempt_at, Some(retry));
        assert!(all[2].gave_up());
        assert_eq!(all[2].last_error.as_deref(), Some("收件地址无效"));
        assert!(s.outbox_for_case("QJ-none").await.unwrap().is_empty());

        // A failure cannot be recorded over a delivery, and unknown ids are refused.
        assert!(s.mark_outbox_failed(sent, now, "x", None).await.is_err());
        assert!(s.mark_outbox_sent(999_999, now).await.is_err());

        let recent = s.outbox_recent(2).await.unwrap();
        assert_eq!(ids(&recent), vec![dead, failed]);
        assert!(s
            .outbox_due_counts(far)
            .await
            .unwrap()
            .iter()
            .all(|(c, n)| c == EMAIL && *n == 1));
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_claimers_never_share_a_row() {
    for db in common::backends().await {
        let s = &db.store;
        let mut all = Vec::new();
        for i in 0..60 {
            let channel = if i % 2 == 0 { SMS } else { EMAIL };
            all.push(enqueue(s, channel, t0(), None).await);
        }
        let now = t0() + Duration::seconds(1);
        let lease = Duration::minutes(5);
        let mut seen: Vec<i64> = Vec::new();
        // Several rounds of four claimers at once, each taking a small batch.
        for _ in 0..10 {
            let (a, b, c, d) = tokio::join!(
                s.claim_outbox(now, 3, lease, BOTH),
                s.claim_outbox(now, 3, lease, BOTH),
                s.claim_outbox(now, 3, lease, BOTH),
                s.claim_outbox(now, 3, lease, BOTH),
            );
            for got in [a, b, c, d] {
                let got = got.unwrap();
                assert!(got.len() <= 3);
                seen.extend(ids(&got));
            }
        }
        let mut sorted = seen.clone();
        sorted.sort_unstable();
        sorted.dedup();
        assert_eq!(
            sorted.len(),
            seen.len(),
            "a row was claimed twice: {seen:?}"
        );
        assert_eq!(sorted, all, "every due row was claimed");

        // Separate stores on the same database (two server processes) behave the same.
        if let Some(schema) = &db.schema {
            let opts = tongban_store::Options {
                pg_schema: Some(schema.clone()),
                ..tongban_store::Options::default()
            };
            let other = Store::open(&db.target, &opts).await.unwrap();
            let mut fresh = Vec::new();
            for _ in 0..40 {
                fresh.push(enqueue(s, SMS, t0(), None).await);
            }
            let later = now + Duration::seconds(1);
            let mut seen = Vec::new();
            for _ in 0..20 {
                let (a, b) = tokio::join!(
                    s.claim_outbox(later, 2, lease, BOTH),
                    other.claim_outbox(later, 2, lease, BOTH),
                );
                seen.extend(ids(&a.unwrap()));
                seen.extend(ids(&b.unwrap()));
            }
            let mut sorted = seen.clone();
            sorted.sort_unstable();
            sorted.dedup();
            assert_eq!(
                sorted.len(),
                seen.len(),
                "a row was claimed twice: {seen:?}"
            );
            assert_eq!(sorted, fresh);
            other.close().await;
        }
    }
}
