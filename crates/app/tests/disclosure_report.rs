//! The annual disclosure report through the application, on every backend: the demo's 2025
//! figures add up and each drills down to its requests, who may read, write and publish, bad
//! years and a second publication refused with nothing written, and the publication reminder
//! from 1 January (once) until 31 January.

use chrono::{DateTime, TimeZone, Utc};
use tongban_app::disclosure_report::ReportCell;
use tongban_app::App;
use tongban_domain::codes;
use tongban_domain::disclosure::report::{NarrativeSection, RemedyColumn, RemedyGroup, ReportRow};
use tongban_domain::disclosure::ReportColumn;
use tongban_store::disclosure::ReportScope;

mod common;
use common::{open, places, who};

fn at(y: i32, m: u32, d: u32, h: u32) -> DateTime<Utc> {
    tongban_domain::time::shanghai()
        .with_ymd_and_hms(y, m, d, h, 0, 0)
        .single()
        .unwrap()
        .with_timezone(&Utc)
}

async fn apps() -> Vec<App> {
    let mut out = Vec::new();
    for place in places() {
        let app = open(&place).await;
        app.load_demo().await.unwrap();
        app.load_demo_disclosure().await.unwrap();
        out.push(app);
    }
    out
}

async fn audit_head(app: &App) -> i64 {
    app.store.audit_page(None, 1).await.unwrap()[0].seq
}

#[tokio::test]
async fn the_demo_2025_report_adds_up_and_every_figure_drills_down() {
    for app in apps().await {
        let head = who(&app, "gkb.head").await;
        let sup = who(&app, "jiancha").await;
        let office = ReportScope::Department(head.department_id.unwrap());
        let v = app.disclosure_report(&head, &office, 2025).await.unwrap();
        assert!(v.balanced);
        let total = |row: ReportRow| {
            v.requests
                .iter()
                .find(|l| l.row == row)
                .map(|l| *l.counts.last().unwrap())
                .unwrap()
        };
        assert!(total(ReportRow::NewReceived) >= 20, "{:?}", v.requests);
        assert!(total(ReportRow::Total) > 0);
        assert!(total(ReportRow::CarriedOut) > 0, "the December requests");
        // 总计 = the sum of the outcome rows; every figure is the length of its drill-down.
        let outcomes: usize = v
            .requests
            .iter()
            .filter(|l| l.row.is_outcome())
            .map(|l| *l.counts.last().unwrap())
            .sum();
        assert_eq!(outcomes, total(ReportRow::Total));
        let cols: Vec<Option<ReportColumn>> = ReportColumn::ALL
            .iter()
            .map(|c| Some(*c))
            .chain(std::iter::once(None))
            .collect();
        for l in &v.requests {
            for (n, c) in l.counts.iter().zip(&cols) {
                assert_eq!(*n, v.drill(ReportCell::Requests(l.row, *c)).len());
            }
            // The columns add up to the 总计.
            let sum: usize = l.counts[..l.counts.len() - 1].iter().sum();
            assert_eq!(sum, *l.counts.last().unwrap(), "{:?}", l.row);
        }
        assert!(v
            .requests
            .iter()
            .any(|l| l.row == ReportRow::NewReceived && l.counts[0] > 0 && l.counts[1] > 0));
        let recon = &v.remedies[0];
        assert_eq!(recon.group, RemedyGroup::Reconsideration);
        assert!(recon.counts[4] > 0, "{:?}", v.remedies);
        assert_eq!(
            recon.counts[4],
            v.drill(ReportCell::Remedies(
                RemedyGroup::Reconsideration,
                RemedyColumn::Total
            ))
            .len()
        );
        // The region's roll-up holds both offices.
        let city = ReportScope::Region("361200".into());
        let all = app.disclosure_report(&sup, &city, 2025).await.unwrap();
        let all_new = *all.requests[0].counts.last().unwrap();
        assert!(all_new > total(ReportRow::NewReceived));
        assert!(all.balanced);
    }
}

#[tokio::test]
async fn who_may_read_write_and_publish_and_bad_input_writes_nothing() {
    for app in apps().await {
        let head = who(&app, "gkb.head").await;
        let clerk = who(&app, "gkb.clerk").await;
        let other = who(&app, "jbgkb.head").await;
        let resident = who(&app, "user01").await;
        let office = ReportScope::Department(head.department_id.unwrap());
        for bad in [2018, 2027] {
            assert_eq!(
                app.disclosure_report(&head, &office, bad)
                    .await
                    .unwrap_err()
                    .code,
                codes::Disclosure::ReportYear
            );
        }
        for stranger in [&other, &resident] {
            assert_eq!(
                app.disclosure_report(stranger, &office, 2025)
                    .await
                    .unwrap_err()
                    .code,
                codes::Disclosure::NotHolder
            );
        }
        let v = app.disclosure_report(&clerk, &office, 2025).await.unwrap();
        assert!(!v.editable, "a clerk reads, the head writes");
        let text = vec![(NarrativeSection::Overview, "2025年，本机关……".to_string())];
        let before = audit_head(&app).await;
        assert_eq!(
            app.save_disclosure_report(&clerk, &office, 2025, &text)
                .await
                .unwrap_err()
                .code,
            codes::Disclosure::NotHolder
        );
        let long = vec![(NarrativeSection::Other, "字".repeat(20_001))];
        assert_eq!(
            app.save_disclosure_report(&head, &office, 2025, &long)
                .await
                .unwrap_err()
                .code,
            codes::Disclosure::ReportSection
        );
        assert_eq!(audit_head(&app).await, before);
        app.save_disclosure_report(&head, &office, 2025, &text)
            .await
            .unwrap();
        app.publish_disclosure_report(&head, &office, 2025)
            .await
            .unwrap();
        let v = app.disclosure_report(&clerk, &office, 2025).await.unwrap();
        assert!(v.published_at.is_some());
        assert_eq!(v.sections[0].1, "2025年，本机关……");
        let before = audit_head(&app).await;
        assert_eq!(
            app.publish_disclosure_report(&head, &office, 2025)
                .await
                .unwrap_err()
                .code,
            codes::Disclosure::ReportPublished
        );
        assert_eq!(
            app.save_disclosure_report(&head, &office, 2025, &text)
                .await
                .unwrap_err()
                .code,
            codes::Disclosure::ReportPublished
        );
        assert_eq!(audit_head(&app).await, before);
    }
}

#[tokio::test]
async fn heads_are_reminded_once_from_new_year_until_the_report_is_due() {
    for app in apps().await {
        let head = who(&app, "gkb.head").await;
        let reminders = || async {
            app.store
                .outbox_recent(500)
                .await
                .unwrap()
                .into_iter()
                .filter(|m| m.subject == "政府信息公开工作年度报告公布提醒")
                .count()
        };
        // 31 December: not yet.
        app.clock.set(at(2025, 12, 31, 9));
        assert_eq!(app.remind_disclosure_reports().await.unwrap(), 0);
        // The city office publishes early; only 江北区's office is reminded, once.
        app.clock.set(at(2026, 1, 5, 9));
        let office = ReportScope::Department(head.department_id.unwrap());
        app.publish_disclosure_report(&head, &office, 2025)
            .await
            .unwrap();
        assert_eq!(app.remind_disclosure_reports().await.unwrap(), 1);
        assert_eq!(app.remind_disclosure_reports().await.unwrap(), 0);
        assert!(reminders().await >= 1);
        let sent = reminders().await;
        // After 31 January nothing more is sent.
        app.clock.set(at(2026, 2, 1, 9));
        assert_eq!(app.remind_disclosure_reports().await.unwrap(), 0);
        assert_eq!(reminders().await, sent);
    }
}
