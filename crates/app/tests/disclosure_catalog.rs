//! The proactive-disclosure catalog (主动公开目录) through the application, on every backend:
//! 第二十六条's 20 working days across a real holiday on the one deadline index, a late
//! publication as one finding on the one findings table, bad input refused with nothing written,
//! search, the 政府公报, table 二 of the annual report counted from the catalog (adding up and
//! drilling down), the region report's reminder, and the report recomputed after a write.

use chrono::{DateTime, Duration, NaiveDate, TimeZone, Utc};
use tongban_app::disclosure::NewDisclosure;
use tongban_app::disclosure_catalog::CatalogQuery;
use tongban_app::App;
use tongban_domain::codes;
use tongban_domain::disclosure::catalog::{
    wan_yuan, EntryInput, EntryStatus, Heading, ProactiveFigure,
};
use tongban_domain::disclosure::report::ReportRow;
use tongban_domain::disclosure::{ApplicantInput, ApplicantKind, Channel, FormWanted};
use tongban_domain::supervision::{Light, SubjectKind};
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

fn day(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

async fn apps(catalog: bool) -> Vec<App> {
    let mut out = Vec::new();
    for place in places() {
        let app = open(&place).await;
        app.load_demo().await.unwrap();
        app.load_demo_disclosure().await.unwrap();
        if catalog {
            app.load_demo_disclosure_catalog().await.unwrap();
        }
        out.push(app);
    }
    out
}

async fn audit_head(app: &App) -> i64 {
    app.store.audit_page(None, 1).await.unwrap()[0].seq
}

fn entry(heading: Heading, title: &str, formed_on: NaiveDate) -> EntryInput {
    EntryInput {
        heading,
        title: title.into(),
        doc_number: None,
        formed_on,
        body: "正文".into(),
        amount_fen: None,
    }
}

async fn publish_late_findings(app: &App, index_no: &str) -> usize {
    let id = app
        .store
        .catalog_entry_by_index(index_no)
        .await
        .unwrap()
        .unwrap()
        .id;
    app.store
        .findings_of_subject(SubjectKind::CatalogEntry, id)
        .await
        .unwrap()
        .into_iter()
        .filter(|f| f.rule == "publish_late")
        .count()
}

#[tokio::test]
async fn twenty_working_days_cross_national_day_on_the_one_index_and_lateness_is_one_finding() {
    for app in apps(false).await {
        let clerk = who(&app, "gkb.clerk").await;
        app.clock.set(at(2026, 9, 29, 9));
        let v = app
            .register_catalog_entry(
                &clerk,
                entry(
                    Heading::Normative,
                    "关于国庆期间公共服务安排的通知",
                    day(2026, 9, 28),
                ),
                false,
            )
            .await
            .unwrap();
        assert_eq!(v.status, EntryStatus::Pending);
        // 20 working days from the day after, on the shared calendar: the National Day
        // holiday (1–7 October) does not count, so the due day lies more than four weeks on.
        let cal = app.calendar_for("361200").await.unwrap();
        assert_eq!(cal.working_days_between(v.formed_on, v.due_on).unwrap(), 20);
        assert!((v.due_on - v.formed_on).num_days() >= 30, "{}", v.due_on);
        assert!(cal.is_working_day(v.due_on).unwrap());
        // Pending entries are the office's and supervisors' only.
        assert!(app.catalog_entry(None, &v.index_no).await.is_err());
        let id = app
            .store
            .catalog_entry_by_index(&v.index_no)
            .await
            .unwrap()
            .unwrap()
            .id;
        // The day after the due day the one sweeper lights it red and records the finding.
        app.clock.set(at(2026, 10, 1, 9));
        app.sweep_warnings().await.unwrap();
        assert_eq!(publish_late_findings(&app, &v.index_no).await, 0);
        let next = v.due_on + Duration::days(1);
        app.clock.set(at(
            chrono::Datelike::year(&next),
            chrono::Datelike::month(&next),
            chrono::Datelike::day(&next),
            9,
        ));
        app.sweep_warnings().await.unwrap();
        let lit = app
            .store
            .warnings_of_subject(SubjectKind::CatalogEntry, id)
            .await
            .unwrap();
        assert!(lit.iter().any(|w| w.light == Light::Red.rank()), "{lit:?}");
        assert_eq!(publish_late_findings(&app, &v.index_no).await, 1);
        // Publishing it late keeps the one finding (same due day), and ends the deadline.
        let p = app
            .publish_catalog_entry(&clerk, &v.index_no, None)
            .await
            .unwrap();
        assert!(p.late);
        assert_eq!(p.status, EntryStatus::Published);
        assert_eq!(publish_late_findings(&app, &v.index_no).await, 1);
        assert!(app.catalog_entry(None, &v.index_no).await.is_ok());
    }
}

#[tokio::test]
async fn published_in_time_no_finding_published_late_a_finding_with_the_publication() {
    for app in apps(false).await {
        let clerk = who(&app, "gkb.clerk").await;
        app.clock.set(at(2026, 3, 20, 10));
        let on_time = app
            .register_catalog_entry(
                &clerk,
                entry(Heading::Rules, "清江市测试管理办法", day(2026, 3, 19)),
                true,
            )
            .await
            .unwrap();
        assert!(!on_time.late);
        assert_eq!(on_time.published_on, Some(day(2026, 3, 20)));
        assert_eq!(publish_late_findings(&app, &on_time.index_no).await, 0);
        // Formed in January, registered now and published at once: late, found in the write.
        let late = app
            .register_catalog_entry(
                &clerk,
                entry(Heading::Funds, "专项资金分配结果", day(2026, 1, 5)),
                true,
            )
            .await
            .unwrap();
        assert!(late.late);
        assert_eq!(publish_late_findings(&app, &late.index_no).await, 1);
    }
}

#[tokio::test]
async fn bad_catalog_input_is_refused_and_writes_nothing() {
    for app in apps(false).await {
        let clerk = who(&app, "gkb.clerk").await;
        let other = who(&app, "jbgkb.clerk").await;
        let citizen = who(&app, "user01").await;
        app.clock.set(at(2026, 3, 20, 10));
        let pending = app
            .register_catalog_entry(
                &clerk,
                entry(Heading::Rules, "待公开", day(2026, 3, 19)),
                false,
            )
            .await
            .unwrap();
        let before = audit_head(&app).await;
        fn code<T>(r: Result<T, tongban_app::AppError>) -> tongban_domain::error::ErrorCode {
            r.map(|_| ()).unwrap_err().code
        }
        let mut fee = entry(Heading::Rules, "带金额", day(2026, 3, 19));
        fee.amount_fen = Some(100);
        assert_eq!(
            code(app.register_catalog_entry(&clerk, fee, false).await),
            codes::Disclosure::CatalogAmount
        );
        assert_eq!(
            code(
                app.register_catalog_entry(
                    &clerk,
                    entry(Heading::Rules, "明天", day(2026, 3, 21)),
                    false
                )
                .await
            ),
            codes::Disclosure::CatalogFormed
        );
        assert_eq!(
            code(
                app.register_catalog_entry(
                    &clerk,
                    entry(Heading::Rules, " ", day(2026, 3, 19)),
                    false
                )
                .await
            ),
            codes::Disclosure::CatalogTitle
        );
        assert_eq!(
            code(
                app.register_catalog_entry(
                    &citizen,
                    entry(Heading::Rules, "申请人", day(2026, 3, 19)),
                    false
                )
                .await
            ),
            codes::Disclosure::NotHolder
        );
        assert_eq!(
            code(
                app.abolish_catalog_entry(&clerk, &pending.index_no, None)
                    .await
            ),
            codes::Disclosure::CatalogState
        );
        assert_eq!(
            code(
                app.publish_catalog_entry(&other, &pending.index_no, None)
                    .await
            ),
            codes::Disclosure::NotHolder
        );
        assert_eq!(
            code(
                app.publish_catalog_entry(&clerk, &pending.index_no, Some(day(2026, 3, 18)))
                    .await
            ),
            codes::Disclosure::CatalogDate
        );
        // A 公报 lists only published entries of the office's agency.
        assert_eq!(
            code(
                app.publish_gazette(&clerk, 1, "公报", std::slice::from_ref(&pending.index_no))
                    .await
            ),
            codes::Disclosure::GazetteEntries
        );
        assert_eq!(
            code(
                app.publish_gazette(&clerk, 0, "公报", std::slice::from_ref(&pending.index_no))
                    .await
            ),
            codes::Disclosure::GazetteIssue
        );
        assert_eq!(audit_head(&app).await, before);
        // Published once; a second publication is refused.
        app.publish_catalog_entry(&clerk, &pending.index_no, None)
            .await
            .unwrap();
        assert_eq!(
            code(
                app.publish_catalog_entry(&clerk, &pending.index_no, None)
                    .await
            ),
            codes::Disclosure::CatalogState
        );
        let id = app
            .publish_gazette(
                &clerk,
                3,
                "清江市人民政府公报2026年第3期",
                std::slice::from_ref(&pending.index_no),
            )
            .await
            .unwrap();
        let g = app.gazette(None, id).await.unwrap();
        assert_eq!(g.entries.len(), 1);
        let head = audit_head(&app).await;
        assert_eq!(
            code(
                app.publish_gazette(
                    &clerk,
                    3,
                    "再来一期",
                    std::slice::from_ref(&pending.index_no)
                )
                .await
            ),
            codes::Disclosure::GazetteSecond
        );
        assert_eq!(audit_head(&app).await, head);
    }
}

#[tokio::test]
async fn the_demo_catalog_is_searchable_by_heading_key_area_and_text() {
    for app in apps(true).await {
        let all = app
            .catalog_entries(None, &CatalogQuery::default())
            .await
            .unwrap();
        assert_eq!(all.len(), 50, "a page");
        assert!(all.iter().all(|e| e.status != EntryStatus::Pending));
        let rules = app
            .catalog_entries(
                None,
                &CatalogQuery {
                    heading: Some(Heading::Rules),
                    ..CatalogQuery::default()
                },
            )
            .await
            .unwrap();
        assert!(!rules.is_empty() && rules.iter().all(|e| e.heading == Heading::Rules));
        let key = app
            .catalog_entries(
                None,
                &CatalogQuery {
                    key_areas: true,
                    ..CatalogQuery::default()
                },
            )
            .await
            .unwrap();
        assert!(!key.is_empty() && key.iter().all(|e| e.key_area));
        let found = app
            .catalog_entries(
                None,
                &CatalogQuery {
                    q: Some("垃圾分类管理办法".into()),
                    ..CatalogQuery::default()
                },
            )
            .await
            .unwrap();
        assert!(
            found
                .iter()
                .any(|e| e.title.contains("垃圾分类") && e.heading == Heading::Rules),
            "{:?}",
            found.iter().map(|e| &e.title).collect::<Vec<_>>()
        );
        // The office sees its pending entries in its list; the public does not.
        let clerk = who(&app, "gkb.clerk").await;
        let mut page = 0;
        let mut pending = 0;
        loop {
            let rows = app
                .catalog_entries(
                    Some(&clerk),
                    &CatalogQuery {
                        page,
                        ..CatalogQuery::default()
                    },
                )
                .await
                .unwrap();
            pending += rows
                .iter()
                .filter(|e| e.status == EntryStatus::Pending)
                .count();
            if rows.len() < 50 {
                break;
            }
            page += 1;
        }
        assert!(pending >= 1);
        assert!(!app.gazettes().await.unwrap().is_empty());
    }
}

#[tokio::test]
async fn table_two_is_counted_from_the_catalog_adds_up_and_drills_down() {
    for app in apps(true).await {
        let head = who(&app, "gkb.head").await;
        let sup = who(&app, "jiancha").await;
        let office = ReportScope::Department(head.department_id.unwrap());
        let region = ReportScope::Region("361200".into());
        let mut made_2025 = 0;
        for (scope, actor) in [(&office, &head), (&region, &sup)] {
            let v = app.disclosure_report(actor, scope, 2025).await.unwrap();
            assert_eq!(v.proactive.len(), 6);
            for line in &v.proactive {
                for f in &line.figures {
                    let drilled = app
                        .proactive_entries(actor, scope, 2025, line.heading, f.figure)
                        .await
                        .unwrap();
                    assert_eq!(f.entries as usize, drilled.len(), "{line:?}");
                    match f.figure {
                        ProactiveFigure::Amount => {
                            let mut fen = 0;
                            for e in &drilled {
                                fen += app
                                    .store
                                    .catalog_entry_by_index(&e.index_no)
                                    .await
                                    .unwrap()
                                    .unwrap()
                                    .amount_fen
                                    .unwrap_or(0);
                            }
                            assert_eq!(f.value, wan_yuan(fen));
                            assert_ne!(f.value, "0.00", "the demo's fees");
                        }
                        _ => assert_eq!(f.value, drilled.len().to_string()),
                    }
                    for e in &drilled {
                        assert_eq!(e.heading, line.heading);
                        assert!(e.status != EntryStatus::Pending);
                    }
                }
                // 现行有效 at the end of 2025 = those made by then − those abolished by then.
                if line.heading == Heading::Rules || line.heading == Heading::Normative {
                    let n = |fig| {
                        line.figures
                            .iter()
                            .find(|f| f.figure == fig)
                            .map(|f| f.entries)
                            .unwrap()
                    };
                    let in_force = app
                        .proactive_entries(
                            actor,
                            scope,
                            2025,
                            line.heading,
                            ProactiveFigure::InForce,
                        )
                        .await
                        .unwrap();
                    assert!(in_force.iter().all(|e| e.formed_on < day(2026, 1, 1)
                        && e.abolished_on.is_none_or(|a| a >= day(2026, 1, 1))));
                    assert!(
                        n(ProactiveFigure::InForce)
                            >= n(ProactiveFigure::Made) - n(ProactiveFigure::Abolished)
                    );
                    if scope == &office {
                        made_2025 += n(ProactiveFigure::Made);
                    }
                }
            }
        }
        assert!(made_2025 > 0, "the demo's 规章 and 规范性文件");
        // The region rolls up both offices: each figure is at least the city office's.
        let city = app.disclosure_report(&head, &office, 2025).await.unwrap();
        let all = app.disclosure_report(&sup, &region, 2025).await.unwrap();
        for (a, b) in city.proactive.iter().zip(&all.proactive) {
            for (x, y) in a.figures.iter().zip(&b.figures) {
                assert!(x.entries <= y.entries);
            }
        }
        // Someone outside reads no drill-down.
        let other = who(&app, "jbgkb.clerk").await;
        assert!(app
            .proactive_entries(&other, &office, 2025, Heading::Rules, ProactiveFigure::Made)
            .await
            .is_err());
    }
}

#[tokio::test]
async fn a_report_read_again_after_a_write_counts_the_write() {
    for app in apps(false).await {
        let clerk = who(&app, "gkb.clerk").await;
        let office = ReportScope::Department(clerk.department_id.unwrap());
        app.clock.set(at(2026, 3, 20, 10));
        let new_received = |v: &tongban_app::disclosure_report::ReportView| {
            v.requests
                .iter()
                .find(|l| l.row == ReportRow::NewReceived)
                .map(|l| *l.counts.last().unwrap())
                .unwrap()
        };
        let before = app.disclosure_report(&clerk, &office, 2026).await.unwrap();
        let again = app.disclosure_report(&clerk, &office, 2026).await.unwrap();
        assert_eq!(new_received(&before), new_received(&again));
        app.file_disclosure(
            &clerk,
            NewDisclosure {
                department_id: clerk.department_id.unwrap(),
                applicant: ApplicantInput {
                    kind: Some(ApplicantKind::Citizen),
                    name: "张三".into(),
                    id_code: "11010519491231002X".into(),
                    phone: Some("13800138000".into()),
                    email: None,
                    address: None,
                    org_kind: None,
                },
                description: "本市2026年政府采购中标公告".into(),
                purpose: None,
                form: FormWanted::Paper,
                channel: Channel::InPerson,
                received_at: Some(at(2026, 3, 20, 9)),
            },
        )
        .await
        .unwrap();
        let after = app.disclosure_report(&clerk, &office, 2026).await.unwrap();
        assert_eq!(new_received(&after), new_received(&before) + 1);
        assert!(after.balanced);
    }
}

#[tokio::test]
async fn region_supervisors_are_reminded_of_the_roll_up_once_from_new_year_until_march() {
    for app in apps(false).await {
        let reminders = || async {
            app.store
                .outbox_recent(500)
                .await
                .unwrap()
                .into_iter()
                .filter(|m| m.subject == "政府信息公开工作年度报告（本级汇总）公布提醒")
                .count()
        };
        app.clock.set(at(2025, 12, 31, 9));
        assert_eq!(app.remind_region_disclosure_reports().await.unwrap(), 0);
        app.clock.set(at(2026, 1, 5, 9));
        // The city (361200) and 江北区 (361202) each hold an office with requests.
        let n = app.remind_region_disclosure_reports().await.unwrap();
        assert!(n >= 1, "{n}");
        assert_eq!(app.remind_region_disclosure_reports().await.unwrap(), 0);
        let sent = reminders().await;
        assert!(sent >= 1, "the city's supervisor has a phone or an e-mail");
        // Published roll-ups are not reminded; after 31 March nothing more is sent.
        app.clock.set(at(2026, 4, 1, 9));
        assert_eq!(app.remind_region_disclosure_reports().await.unwrap(), 0);
        assert_eq!(reminders().await, sent);
    }
}
