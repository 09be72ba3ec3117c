//! Open government, third part, on every backend: a notice's late objection reply and a
//! meeting's late minutes recorded once as findings; commitments covering a unit's cases broken
//! by its late case on their own, in their public log; 行政许可 results published straight
//! from decided cases, a person's name masked; questions from the public for 公开述职 and
//! 公开问询. Dates were counted by hand from the State Council's 2026 notice.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{DateTime, TimeZone, Utc};
use tongban_app::cases::NewCase;
use tongban_app::App;
use tongban_domain::case::intake::MaterialCheck;
use tongban_domain::case::Command;
use tongban_domain::catalog::Delivery;
use tongban_domain::codes;
use tongban_domain::opengov::{
    CommitmentInput, CommitmentScope, CommitmentStatus, MeetingInput, MeetingKind, ObjectionInput,
    PublicityArea, PublicityInput, PublicityStage, QuestionInput,
};
use tongban_domain::supervision::SubjectKind;

mod common;
use common::{act, apps, upload, who, PROPERTY};

fn at(m: u32, d: u32, h: u32) -> DateTime<Utc> {
    tongban_domain::time::shanghai()
        .with_ymd_and_hms(2026, m, d, h, 0, 0)
        .single()
        .unwrap()
        .with_timezone(&Utc)
}

fn code_of<T: std::fmt::Debug>(r: tongban_app::Result<T>) -> &'static str {
    r.expect_err("refused").code.as_str()
}

async fn findings(app: &App, kind: SubjectKind, number: &str) -> Vec<String> {
    let id = app
        .store
        .subject(kind, number)
        .await
        .unwrap()
        .unwrap()
        .subject()
        .id;
    app.store
        .findings_of_subject(kind, id)
        .await
        .unwrap()
        .into_iter()
        .map(|f| f.rule)
        .collect()
}

/// A 行政许可 result published Monday 2 November; an objection on the 4th is due on the
/// 11th (5 working days): nothing on the 11th, one 公示异议逾期未答复 finding on the unit from
/// the 12th, however often the sweeper runs.
#[tokio::test]
async fn a_late_reply_to_an_objection_is_one_finding() {
    for app in apps().await {
        app.clock.set(at(11, 2, 10));
        let clerk = who(&app, "zjj.clerk").await;
        let n = app
            .publish_publicity(
                &clerk,
                PublicityInput {
                    area: PublicityArea::Licensing,
                    stage: PublicityStage::Result,
                    title: "2026年第三批建筑工程施工许可结果".into(),
                    body: "准予许可：清江某某建设有限公司。".into(),
                    days: None,
                    linked: None,
                },
            )
            .await
            .unwrap();
        app.clock.set(at(11, 4, 10));
        app.object_to_publicity(
            None,
            &n,
            ObjectionInput {
                text: "该公司资质证书已过期。".into(),
                name: None,
                contact: None,
            },
        )
        .await
        .unwrap();
        app.clock.set(at(11, 11, 18));
        app.sweep_warnings().await.unwrap();
        assert!(findings(&app, SubjectKind::Publicity, &n).await.is_empty());
        app.clock.set(at(11, 12, 9));
        app.sweep_warnings().await.unwrap();
        app.clock.set(at(11, 13, 9));
        app.sweep_warnings().await.unwrap();
        assert_eq!(
            findings(&app, SubjectKind::Publicity, &n).await,
            vec!["objection_late".to_string()]
        );
    }
}

fn meeting(kind: MeetingKind, day: u32) -> MeetingInput {
    MeetingInput {
        kind,
        title: "住建局2026年度公开述职".into(),
        agenda: "局长述职\n群众提问".into(),
        place: "市民服务中心报告厅".into(),
        starts_at: at(11, day, 14),
        capacity: 50,
    }
}

/// A meeting on Friday 6 November has its minutes due on the 17th: nothing then, one 会议纪要
/// 逾期未公布 finding from the 18th.
#[tokio::test]
async fn late_minutes_are_one_finding() {
    for app in apps().await {
        app.clock.set(at(11, 2, 10));
        let clerk = who(&app, "zjj.clerk").await;
        let n = app
            .announce_meeting(&clerk, meeting(MeetingKind::Meeting, 6))
            .await
            .unwrap();
        app.clock.set(at(11, 17, 18));
        app.sweep_warnings().await.unwrap();
        assert!(findings(&app, SubjectKind::Meeting, &n).await.is_empty());
        app.clock.set(at(11, 18, 9));
        app.sweep_warnings().await.unwrap();
        app.sweep_warnings().await.unwrap();
        assert_eq!(
            findings(&app, SubjectKind::Meeting, &n).await,
            vec!["minutes_late".to_string()]
        );
    }
}

/// The public asks a 公开述职 questions until it begins; a plain meeting takes none; the unit
/// answers each once, the asker's name masked and the asker told.
#[tokio::test]
async fn the_public_asks_a_report_session_questions_and_the_unit_answers() {
    for app in apps().await {
        app.clock.set(at(11, 2, 10));
        let clerk = who(&app, "zjj.clerk").await;
        let other = who(&app, "mzj.clerk").await;
        let plain = app
            .announce_meeting(&clerk, meeting(MeetingKind::Meeting, 6))
            .await
            .unwrap();
        let q = QuestionInput {
            text: "老旧小区加装电梯的补贴何时发放？".into(),
            name: Some("王小明".into()),
            contact: Some("13900005555".into()),
        };
        assert_eq!(
            code_of(app.ask_question(None, &plain, q.clone()).await),
            codes::Opengov::QuestionsKind.as_str()
        );
        let n = app
            .announce_meeting(&clerk, meeting(MeetingKind::Report, 6))
            .await
            .unwrap();
        assert_eq!(
            code_of(
                app.ask_question(
                    None,
                    &n,
                    QuestionInput {
                        text: " ".into(),
                        ..QuestionInput::default()
                    }
                )
                .await
            ),
            codes::Opengov::QuestionText.as_str()
        );
        assert_eq!(app.ask_question(None, &n, q.clone()).await.unwrap(), 1);
        assert_eq!(
            code_of(app.answer_question(&other, &n, 1, "不归我们答。").await),
            codes::Opengov::NotUnit.as_str()
        );
        app.clock.set(at(11, 6, 14));
        assert_eq!(
            code_of(app.ask_question(None, &n, q).await),
            codes::Opengov::QuestionsClosed.as_str()
        );
        app.answer_question(&clerk, &n, 1, "补贴将于12月底前发放到位。")
            .await
            .unwrap();
        assert_eq!(
            code_of(app.answer_question(&clerk, &n, 1, "再答一次。").await),
            codes::Opengov::QuestionAnswered.as_str()
        );
        let v = app.meeting_view(None, &n).await.unwrap();
        assert!(v.takes_questions);
        assert_eq!(v.questions.len(), 1);
        assert_eq!(v.questions[0].author, "王**");
        assert_eq!(
            v.questions[0].answer.as_deref(),
            Some("补贴将于12月底前发放到位。")
        );
        let told = app.store.outbox_for_case(&n).await.unwrap();
        assert!(told
            .iter()
            .any(|m| m.recipient == "13900005555" && m.body.contains("补贴")));
    }
}

/// A commitment's status and how many of its log lines name `number`.
async fn naming(app: &App, id: i64, number: &str) -> (CommitmentStatus, usize) {
    let all = app.commitments(None).await.unwrap();
    let c = all.iter().find(|c| c.id == id).unwrap();
    let lines = c.log.iter().filter(|l| l.note.contains(number)).count();
    (c.status, lines)
}

/// A property case accepted Monday 2 March is due (committed) Monday 9 March. The unit's
/// commitment covering its cases turns 未兑现 when that deadline's red light fires, its public
/// log naming the case once however often the sweeper runs; a commitment kept by hand is left
/// alone.
#[tokio::test]
async fn a_late_case_breaks_the_commitment_covering_its_units_cases() {
    for app in apps().await {
        let clerk = who(&app, "zrzy.clerk").await;
        let user = who(&app, "user11").await;
        let mut input = CommitmentInput {
            title: "不动产转移登记".into(),
            time_limit: "5个工作日内办结".into(),
            standard: "一窗受理，并联办理".into(),
            covers: Some(CommitmentScope::Cases),
        };
        let covering = app.publish_commitment(&clerk, input.clone()).await.unwrap();
        input.covers = None;
        input.title = "窗口服务".into();
        let manual = app.publish_commitment(&clerk, input).await.unwrap();

        let (summary, _) = app.public_item(PROPERTY).await.unwrap();
        let keys = ["m1", "m2", "m3", "m4"];
        let materials = upload(&app, &user, &keys).await;
        let case = app
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
        act(
            &app,
            &clerk,
            &n,
            Command::Accept {
                check: MaterialCheck {
                    present: keys.iter().map(|k| k.to_string()).collect::<BTreeSet<_>>(),
                    defective: vec![],
                },
            },
        )
        .await;
        app.clock.set(at(3, 9, 17));
        app.sweep_warnings().await.unwrap();
        assert_eq!(
            naming(&app, covering, &n).await,
            (CommitmentStatus::Keeping, 0)
        );
        app.clock.set(at(3, 10, 9));
        app.sweep_warnings().await.unwrap();
        app.clock.set(at(3, 11, 9));
        app.sweep_warnings().await.unwrap();
        assert_eq!(
            naming(&app, covering, &n).await,
            (CommitmentStatus::Broken, 1)
        );
        let all = app.commitments(None).await.unwrap();
        let c = all.iter().find(|c| c.id == covering).unwrap();
        assert_eq!(c.covers, CommitmentScope::Cases);
        assert_eq!(c.log.last().unwrap().by, "系统");
        let m = all.iter().find(|c| c.id == manual).unwrap();
        assert_eq!((m.status, m.log.len()), (CommitmentStatus::Keeping, 1));
    }
}

/// The decision's document number and the applicant of a decided case.
async fn doc_of(app: &App, n: &str) -> (String, tongban_domain::case::Party) {
    let stored = app.store.case_by_number(n).await.unwrap().unwrap();
    let case: tongban_domain::case::Case = serde_json::from_str(&stored.state).unwrap();
    (case.decision.unwrap().document, case.applicant)
}

/// 双公示: a licence granted to a company is on the public list the moment it is decided, with
/// the company's name and credit code; one granted to a person shows the family name only and
/// no ID number.
#[tokio::test]
async fn licensing_results_come_straight_from_decided_cases() {
    for app in apps().await {
        let before = app.licensing_results(None).await.unwrap().len();
        let company = app.demo_decided_case("corp01", "XK00101001").await.unwrap();
        let person = app.demo_decided_case("user02", "XK00803002").await.unwrap();
        let list = app.licensing_results(None).await.unwrap();
        assert_eq!(list.len(), before + 2);
        let (doc, corp) = doc_of(&app, &company).await;
        let line = list.iter().find(|l| l.document == doc).unwrap();
        assert_eq!(line.holder, corp.name);
        assert_eq!(line.holder_code.as_deref(), Some(corp.id_code.as_str()));
        assert_eq!(line.decided_on, tongban_domain::time::local_date(app.now()));
        let (doc, citizen) = doc_of(&app, &person).await;
        let line = list.iter().find(|l| l.document == doc).unwrap();
        assert_eq!(line.holder, tongban_domain::mask::name(&citizen.name));
        assert_ne!(line.holder, citizen.name);
        assert_eq!(line.holder_code, None);
        assert_eq!(line.item, "网络预约出租汽车驾驶员证核发");
        // One unit's list.
        let jtys = app
            .licensing_results(Some(line.department_id))
            .await
            .unwrap();
        assert!(jtys.iter().all(|l| l.department_id == line.department_id));
        assert!(jtys.iter().any(|l| l.document == doc));
    }
}
