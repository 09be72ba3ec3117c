//! Open government, second part, on every backend: the late adoption report and the late
//! proposal reply recorded once as findings when their deadlines pass; publicity notices (公示)
//! with their minimum period and objections; commitments and the visiting schedule; open
//! meetings; the comments as xlsx and followers told through the outbox. Dates were counted by
//! hand from the State Council's 2026 notice.

use chrono::{DateTime, NaiveDate, TimeZone, Utc};
use tongban_app::App;
use tongban_domain::codes;
use tongban_domain::opengov::{
    AttendInput, CommentInput, CommitmentInput, CommitmentStatus, DraftInput, MeetingInput,
    MeetingKind, MeetingStatus, ObjectionInput, ProposalInput, ProposalKind, PublicityArea,
    PublicityInput, PublicityStage, PublicityStatus, ReplyClass, UnitRole, VisitInput,
};
use tongban_domain::supervision::SubjectKind;

mod common;
use common::{open, places, who};

fn at(m: u32, d: u32, h: u32) -> DateTime<Utc> {
    tongban_domain::time::shanghai()
        .with_ymd_and_hms(2026, m, d, h, 0, 0)
        .single()
        .unwrap()
        .with_timezone(&Utc)
}

fn day(m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, m, d).unwrap()
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

fn code_of<T: std::fmt::Debug>(r: tongban_app::Result<T>) -> &'static str {
    r.expect_err("refused").code.as_str()
}

fn draft() -> DraftInput {
    DraftInput {
        title: "清江市养犬管理规定（征求意见稿）".into(),
        explanation: "为规范养犬行为，起草本规定。".into(),
        draft: "第一条 为了规范养犬行为，制定本规定。\n第二条 携犬出户应当束犬链。".into(),
        period_days: None,
    }
}

/// Report due 28 October (see opengov_flow): nothing found on the last day; on the day after
/// the red light records one 采纳情况逾期未公布 finding on the unit, however often it sweeps.
#[tokio::test]
async fn a_late_adoption_report_is_one_finding_when_its_deadline_passes() {
    for app in apps().await {
        app.clock.set(at(9, 1, 10));
        let clerk = who(&app, "zjj.clerk").await;
        let n = app.publish_consultation(&clerk, draft()).await.unwrap();
        let sref = app
            .store
            .subject(SubjectKind::Consultation, &n)
            .await
            .unwrap()
            .unwrap()
            .subject();
        app.clock.set(at(10, 28, 9));
        app.sweep_warnings().await.unwrap();
        let found = app
            .store
            .findings_of_subject(SubjectKind::Consultation, sref.id)
            .await
            .unwrap();
        assert!(found.is_empty(), "not late on its last day");
        app.clock.set(at(10, 29, 9));
        app.sweep_warnings().await.unwrap();
        app.clock.set(at(10, 30, 9));
        app.sweep_warnings().await.unwrap();
        let found = app
            .store
            .findings_of_subject(SubjectKind::Consultation, sref.id)
            .await
            .unwrap();
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].rule, "report_late");
        assert_eq!(found[0].department_id, clerk.department_id.unwrap());
        assert!(found[0].detail.contains("2026-10-28"));
    }
}

/// 交办 20 March to two units, due 22 June: the unit that replied in time is not found late;
/// the one that did not is, once, the day after.
#[tokio::test]
async fn a_units_late_reply_to_a_proposal_is_one_finding_on_that_unit() {
    for app in apps().await {
        app.clock.set(at(3, 20, 10));
        let office = who(&app, "gkb.clerk").await;
        let lead = who(&app, "zjj.clerk").await;
        let split = who(&app, "mzj.clerk").await;
        let n = app
            .register_proposal(
                &office,
                ProposalInput {
                    kind: ProposalKind::Suggestion,
                    session: "市人大十六届五次会议".into(),
                    number: "0456".into(),
                    title: "关于增设公园公厕的建议".into(),
                    proposer: "李代表".into(),
                    proposer_login: None,
                    body: "建议在滨江公园增设公厕。".into(),
                },
            )
            .await
            .unwrap();
        let (zjj, mzj) = (lead.department_id.unwrap(), split.department_id.unwrap());
        app.assign_proposal(
            &office,
            &n,
            &[(zjj, UnitRole::Lead), (mzj, UnitRole::Split)],
            None,
        )
        .await
        .unwrap();
        app.clock.set(at(6, 1, 10));
        app.reply_proposal(&lead, &n, ReplyClass::A, "已在滨江公园新建公厕两座。")
            .await
            .unwrap();
        let sref = app
            .store
            .subject(SubjectKind::Proposal, &n)
            .await
            .unwrap()
            .unwrap()
            .subject();
        app.clock.set(at(6, 22, 18));
        app.sweep_warnings().await.unwrap();
        assert!(app
            .store
            .findings_of_subject(SubjectKind::Proposal, sref.id)
            .await
            .unwrap()
            .is_empty());
        app.clock.set(at(6, 23, 9));
        app.sweep_warnings().await.unwrap();
        app.sweep_warnings().await.unwrap();
        let found = app
            .store
            .findings_of_subject(SubjectKind::Proposal, sref.id)
            .await
            .unwrap();
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].rule, "reply_late");
        assert_eq!(found[0].department_id, mzj);
    }
}

fn notice(area: PublicityArea, days: Option<u32>) -> PublicityInput {
    PublicityInput {
        area,
        stage: PublicityStage::Result,
        title: "2026年第三批食品经营许可结果".into(),
        body: "准予许可：清江市某某餐饮店。".into(),
        days,
        linked: None,
    }
}

fn objection(text: &str) -> ObjectionInput {
    ObjectionInput {
        text: text.into(),
        name: Some("张三".into()),
        contact: Some("13900001111".into()),
    }
}

/// A 行政许可 result published Monday 2 November runs 5 working days to 9 November; an
/// objection on the 4th is due on the 11th; the outcome waits for the period and the reply;
/// a tendering notice counts 3 natural days. Each refusal writes nothing.
#[tokio::test]
async fn a_publicity_notice_runs_its_minimum_period_and_answers_objections() {
    for app in apps().await {
        app.clock.set(at(11, 2, 10));
        let clerk = who(&app, "zjj.clerk").await;
        let other = who(&app, "mzj.clerk").await;
        let before = app.publicities(None, None).await.unwrap().len();
        assert_eq!(
            code_of(
                app.publish_publicity(&clerk, notice(PublicityArea::Licensing, Some(3)))
                    .await
            ),
            codes::Opengov::PublicityShort.as_str()
        );
        assert_eq!(app.publicities(None, None).await.unwrap().len(), before);
        let n = app
            .publish_publicity(&clerk, notice(PublicityArea::Licensing, None))
            .await
            .unwrap();
        let v = app.publicity_view(None, &n).await.unwrap();
        assert!(n.starts_with("GS2026"));
        assert_eq!(
            (v.days, v.ends_on, v.outcome_due),
            (5, day(11, 9), day(11, 16))
        );
        let t = app
            .publish_publicity(&clerk, notice(PublicityArea::Tendering, None))
            .await
            .unwrap();
        let tv = app.publicity_view(None, &t).await.unwrap();
        assert_eq!((tv.days, tv.ends_on), (3, day(11, 5)));
        assert_eq!(
            app.publicities(None, Some(PublicityArea::Tendering))
                .await
                .unwrap()
                .iter()
                .map(|l| l.number.clone())
                .collect::<Vec<_>>(),
            vec![t.clone()]
        );

        app.clock.set(at(11, 4, 10));
        let no = app
            .object_to_publicity(None, &n, objection("该店实际经营地址与许可地址不符。"))
            .await
            .unwrap();
        assert_eq!(no, 1);
        let v = app.publicity_view(None, &n).await.unwrap();
        assert_eq!(v.objections[0].reply_due, day(11, 11));
        assert_eq!(v.objections[0].author, "张*");
        let sref = app
            .store
            .subject(SubjectKind::Publicity, &n)
            .await
            .unwrap()
            .unwrap()
            .subject();
        let keys: Vec<String> = app
            .store
            .subject_clocks(&sref)
            .await
            .unwrap()
            .into_iter()
            .map(|c| c.0)
            .collect();
        assert_eq!(keys, vec!["objection:1".to_string(), "outcome".to_string()]);
        assert_eq!(
            code_of(app.answer_objection(&other, &n, 1, "不归我们管。").await),
            codes::Opengov::NotUnit.as_str()
        );
        assert_eq!(
            code_of(app.close_publicity(&clerk, &n, "无异议，许可有效。").await),
            codes::Opengov::PublicityRunning.as_str()
        );

        // The day after the period: no more objections; the outcome waits for the reply.
        app.clock.set(at(11, 10, 9));
        let version = app.publicity_view(None, &n).await.unwrap().version;
        assert_eq!(
            code_of(
                app.object_to_publicity(None, &n, objection("晚了的异议。"))
                    .await
            ),
            codes::Opengov::ObjectionClosed.as_str()
        );
        assert_eq!(
            code_of(app.close_publicity(&clerk, &n, "许可有效。").await),
            codes::Opengov::ObjectionOpen.as_str()
        );
        assert_eq!(app.publicity_view(None, &n).await.unwrap().version, version);
        assert_eq!(
            app.publicity_view(None, &n).await.unwrap().status,
            PublicityStatus::Ended
        );
        app.answer_objection(&clerk, &n, 1, "经核查，该店已办理地址变更，许可有效。")
            .await
            .unwrap();
        let told = app.store.outbox_for_case(&n).await.unwrap();
        assert!(told.iter().any(|m| m.recipient == "13900001111"));
        app.close_publicity(&clerk, &n, "公示期满，异议已答复，许可有效。")
            .await
            .unwrap();
        let v = app.publicity_view(None, &n).await.unwrap();
        assert_eq!(v.status, PublicityStatus::Closed);
        assert!(app.store.subject_clocks(&sref).await.unwrap().is_empty());
        // Still in the archive.
        assert!(app
            .publicities(None, None)
            .await
            .unwrap()
            .iter()
            .any(|l| l.number == n));
    }
}

/// 预公开 and 结果公示 of one matter are linked; a result cannot name another unit's notice.
#[tokio::test]
async fn a_result_notice_is_linked_to_its_pre_notice() {
    for app in apps().await {
        app.clock.set(at(11, 2, 10));
        let clerk = who(&app, "zjj.clerk").await;
        let other = who(&app, "mzj.clerk").await;
        let mut pre = notice(PublicityArea::Procurement, None);
        pre.stage = PublicityStage::Pre;
        pre.title = "办公设备采购项目预公开".into();
        let p = app.publish_publicity(&clerk, pre).await.unwrap();
        let mut result = notice(PublicityArea::Procurement, None);
        result.linked = Some(p.clone());
        assert_eq!(
            code_of(app.publish_publicity(&other, result.clone()).await),
            codes::Opengov::PublicityLink.as_str()
        );
        let r = app.publish_publicity(&clerk, result).await.unwrap();
        assert_eq!(
            app.publicity_view(None, &r).await.unwrap().linked,
            Some(p.clone())
        );
        assert_eq!(
            app.publicity_view(None, &p).await.unwrap().followed_by,
            vec![r]
        );
    }
}

fn meeting(day: u32, capacity: u32) -> MeetingInput {
    MeetingInput {
        kind: MeetingKind::Meeting,
        title: "市政府第12次常务会议".into(),
        agenda: "审议《清江市养犬管理规定（草案）》\n研究老旧小区改造计划".into(),
        place: "市政府第一会议室".into(),
        starts_at: at(11, day, 14),
        capacity,
    }
}

fn attendee(name: &str, phone: &str) -> AttendInput {
    AttendInput {
        name: name.into(),
        phone: phone.into(),
    }
}

/// Announced Monday 2 November: not for the 4th (3 days' notice), for Friday the 6th with two
/// seats; the third registration and a repeated phone are refused; minutes not before the
/// meeting, due 7 working days after (17 November), watched until published.
#[tokio::test]
async fn an_open_meeting_takes_registrations_up_to_capacity_and_publishes_minutes() {
    for app in apps().await {
        app.clock.set(at(11, 2, 10));
        let clerk = who(&app, "zjj.clerk").await;
        assert_eq!(
            code_of(app.announce_meeting(&clerk, meeting(4, 2)).await),
            codes::Opengov::AgendaLate.as_str()
        );
        let n = app.announce_meeting(&clerk, meeting(6, 2)).await.unwrap();
        assert!(n.starts_with("HY2026"));
        let v = app.meeting_view(None, &n).await.unwrap();
        assert_eq!(v.minutes_due, day(11, 17));
        assert_eq!(v.agenda.len(), 2);
        app.register_to_attend(None, &n, attendee("李四", "13900002222"))
            .await
            .unwrap();
        assert_eq!(
            code_of(
                app.register_to_attend(None, &n, attendee("李四", "13900002222"))
                    .await
            ),
            codes::Opengov::RegisteredTwice.as_str()
        );
        app.register_to_attend(None, &n, attendee("王五", "13900003333"))
            .await
            .unwrap();
        assert_eq!(
            code_of(
                app.register_to_attend(None, &n, attendee("赵六", "13900004444"))
                    .await
            ),
            codes::Opengov::MeetingFull.as_str()
        );
        let v = app.meeting_view(None, &n).await.unwrap();
        assert_eq!((v.registered, v.seats_left), (2, 0));
        assert!(v.attendees.is_empty(), "the public does not see who");
        assert_eq!(
            app.meeting_view(Some(&clerk), &n)
                .await
                .unwrap()
                .attendees
                .len(),
            2
        );
        let told = app.store.outbox_for_case(&n).await.unwrap();
        assert!(told
            .iter()
            .any(|m| m.recipient == "13900002222" && m.body.contains("旁听")));
        assert_eq!(
            code_of(app.publish_minutes(&clerk, &n, "纪要", 2, "").await),
            codes::Opengov::MeetingNotHeld.as_str()
        );
        let sref = app
            .store
            .subject(SubjectKind::Meeting, &n)
            .await
            .unwrap()
            .unwrap()
            .subject();
        assert_eq!(
            app.store.subject_clocks(&sref).await.unwrap(),
            vec![("minutes".to_string(), 0, at(11, 18, 0).timestamp_millis())]
        );
        app.clock.set(at(11, 9, 10));
        assert_eq!(
            code_of(
                app.register_to_attend(None, &n, attendee("赵六", "13900004444"))
                    .await
            ),
            codes::Opengov::RegistrationClosed.as_str()
        );
        app.publish_minutes(
            &clerk,
            &n,
            "会议审议通过了养犬管理规定草案。",
            2,
            "通过《清江市养犬管理规定》 /opengov/consultations/ZQ20260001",
        )
        .await
        .unwrap();
        let v = app.meeting_view(None, &n).await.unwrap();
        assert_eq!(v.status, MeetingStatus::Minuted);
        assert_eq!(v.attendance, Some(2));
        assert_eq!(v.decisions.len(), 1);
        assert!(app.store.subject_clocks(&sref).await.unwrap().is_empty());
        let told = app.store.outbox_for_case(&n).await.unwrap();
        assert!(told
            .iter()
            .any(|m| m.recipient == "13900003333" && m.body.contains("纪要")));
    }
}

/// A unit's commitment is kept in public: only the unit changes its status, with a note.
#[tokio::test]
async fn a_commitment_is_published_and_its_status_tracked_in_public() {
    for app in apps().await {
        app.clock.set(at(11, 2, 10));
        let clerk = who(&app, "zjj.clerk").await;
        let other = who(&app, "mzj.clerk").await;
        let resident = who(&app, "user01").await;
        let input = CommitmentInput {
            title: "建筑工程施工许可".into(),
            time_limit: "3个工作日内办结".into(),
            standard: "材料齐全当场受理，一次告知".into(),
            covers: None,
        };
        assert_eq!(
            code_of(app.publish_commitment(&resident, input.clone()).await),
            codes::Opengov::NotUnit.as_str()
        );
        let id = app.publish_commitment(&clerk, input).await.unwrap();
        assert_eq!(
            code_of(
                app.set_commitment_status(&other, id, CommitmentStatus::Kept, "已兑现")
                    .await
            ),
            codes::Opengov::NotUnit.as_str()
        );
        assert_eq!(
            code_of(
                app.set_commitment_status(&clerk, id, CommitmentStatus::Kept, " ")
                    .await
            ),
            codes::Opengov::CommitmentNote.as_str()
        );
        app.set_commitment_status(
            &clerk,
            id,
            CommitmentStatus::Broken,
            "10月有2件超过3个工作日",
        )
        .await
        .unwrap();
        let all = app.commitments(None).await.unwrap();
        let c = all.iter().find(|c| c.id == id).unwrap();
        assert_eq!(c.status, CommitmentStatus::Broken);
        assert_eq!(c.log.len(), 2);
        assert_eq!(c.log[1].note, "10月有2件超过3个工作日");
    }
}

/// The visiting schedule is published per week, Monday to Sunday.
#[tokio::test]
async fn the_visiting_schedule_is_published_per_week() {
    for app in apps().await {
        app.clock.set(at(11, 2, 10));
        let clerk = who(&app, "zjj.clerk").await;
        let mut v = VisitInput {
            leader: "王局长".into(),
            post: "局长".into(),
            day: "2026-11-04".into(),
            hours: "12:00-09:00".into(),
            place: "市民服务中心接访室".into(),
            topics: "住房建设领域的诉求".into(),
        };
        assert_eq!(
            code_of(app.publish_visit(&clerk, v.clone()).await),
            codes::Opengov::VisitField.as_str()
        );
        v.hours = "09:00-12:00".into();
        app.publish_visit(&clerk, v).await.unwrap();
        let week = app.visit_week(Some(day(11, 8))).await.unwrap();
        assert_eq!((week.monday, week.sunday), (day(11, 2), day(11, 8)));
        assert_eq!(week.visits.len(), 1);
        assert_eq!(week.visits[0].weekday, "周三");
        assert!(app
            .visit_week(Some(day(11, 9)))
            .await
            .unwrap()
            .visits
            .is_empty());
    }
}

/// A citizen follows a consultation and is told through the outbox when the report is out;
/// staff cannot follow. The comments export as a workbook.
#[tokio::test]
async fn a_follower_is_told_of_the_report_and_the_comments_export_as_xlsx() {
    for app in apps().await {
        app.clock.set(at(9, 1, 10));
        let clerk = who(&app, "zjj.clerk").await;
        let resident = who(&app, "user01").await;
        let n = app.publish_consultation(&clerk, draft()).await.unwrap();
        assert_eq!(
            code_of(
                app.follow_matter(&clerk, SubjectKind::Consultation, &n, true)
                    .await
            ),
            codes::Opengov::Follow.as_str()
        );
        assert!(app
            .follow_matter(&resident, SubjectKind::Consultation, &n, true)
            .await
            .unwrap());
        assert!(app
            .follows(Some(&resident), SubjectKind::Consultation, &n)
            .await
            .unwrap());
        app.comment_on_consultation(
            None,
            &n,
            CommentInput {
                text: "建议明确犬链长度。".into(),
                ..CommentInput::default()
            },
        )
        .await
        .unwrap();
        let (name, bytes) = app.consultation_comments_xlsx(None, &n).await.unwrap();
        assert!(name.ends_with(".xlsx"));
        assert_eq!(&bytes[..2], b"PK");
        app.moderate_comment(&clerk, &n, 1, true, None)
            .await
            .unwrap();
        app.clock.set(at(10, 9, 10));
        app.report_consultation(
            &clerk,
            &n,
            "已逐条研究。",
            &[tongban_domain::opengov::AnswerInput {
                comments: vec![1],
                adoption: tongban_domain::opengov::Adoption::Adopted,
                reason: "已写明1.5米。".into(),
            }],
        )
        .await
        .unwrap();
        let phone = app
            .store
            .user(resident.user_id)
            .await
            .unwrap()
            .unwrap()
            .phone
            .expect("the demo resident has a phone");
        let told = app.store.outbox_for_case(&n).await.unwrap();
        assert!(
            told.iter()
                .any(|m| m.recipient == phone && m.body.contains("采纳情况")),
            "{told:?}"
        );
    }
}

/// The demo: 20 notices across the eight areas (four 预公开 linked to their results), four
/// meetings (one minuted), commitments and a visiting schedule.
#[tokio::test]
async fn the_demo_has_notices_in_every_area_meetings_commitments_and_visits() {
    for app in apps().await {
        app.load_demo_opengov().await.unwrap();
        let (notices, meetings) = app.load_demo_opengov_public().await.unwrap();
        assert_eq!(notices.len(), 20);
        assert_eq!(meetings.len(), 4);
        for area in PublicityArea::ALL {
            assert!(!app.publicities(None, Some(area)).await.unwrap().is_empty());
        }
        let minuted = app.meeting_view(None, &meetings[2]).await.unwrap();
        assert_eq!(minuted.status, MeetingStatus::Minuted);
        assert_eq!(app.commitments(None).await.unwrap().len(), 3);
        assert_eq!(app.visit_week(None).await.unwrap().visits.len(), 2);
    }
}
