//! Open government (政务公开) through the application, on every backend: a consultation from
//! draft to published adoption report (versions, anonymous and paragraph comments,
//! moderation, the codes of bad input that write nothing, the notices to commenters), its
//! report deadline on the board with the simulated clock, and a proposal 交办-ed to two units
//! whose reply deadline ends on 端午 and moves to the next working day. Dates were counted by
//! hand from the State Council's 2026 notice.

use chrono::{DateTime, NaiveDate, TimeZone, Utc};
use tongban_app::App;
use tongban_domain::codes;
use tongban_domain::opengov::{
    Adoption, AnswerInput, CommentInput, ConsultationStatus, DraftInput, Moderation, ProposalInput,
    ProposalKind, ProposalStatus, ReplyClass, Satisfaction, UnitRole,
};
use tongban_domain::supervision::{Light, SubjectKind};
use tongban_store::audit::Verified;
use tongban_store::watch::LitFilter;

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

fn draft(days: Option<u32>) -> DraftInput {
    DraftInput {
        title: "清江市养犬管理规定（征求意见稿）".into(),
        explanation: "为规范养犬行为，起草本规定。".into(),
        draft: "第一条 为了规范养犬行为，制定本规定。\n第二条 携犬出户应当束犬链。\n第三条 禁止携犬进入公共场所。".into(),
        period_days: days,
    }
}

fn say(text: &str, paragraph: Option<u32>) -> CommentInput {
    CommentInput {
        paragraph,
        text: text.into(),
        contact: Some("13812345678".into()),
        ..CommentInput::default()
    }
}

fn code_of<T: std::fmt::Debug>(r: tongban_app::Result<T>) -> &'static str {
    r.expect_err("refused").code.as_str()
}

#[tokio::test]
async fn a_consultation_runs_from_draft_to_its_published_adoption_report() {
    for app in apps().await {
        app.clock.set(at(9, 1, 10));
        let clerk = who(&app, "zjj.clerk").await;
        let other = who(&app, "mzj.clerk").await;
        let resident = who(&app, "user01").await;
        // Shorter than the minimum: refused, nothing written.
        let before = app.consultations(None).await.unwrap().len();
        assert_eq!(
            code_of(app.publish_consultation(&clerk, draft(Some(20))).await),
            codes::Opengov::PeriodShort.as_str()
        );
        assert_eq!(app.consultations(None).await.unwrap().len(), before);
        // A resident cannot publish.
        assert_eq!(
            code_of(app.publish_consultation(&resident, draft(None)).await),
            codes::Opengov::NotUnit.as_str()
        );
        let n = app.publish_consultation(&clerk, draft(None)).await.unwrap();
        let v = app.consultation_view(None, &n).await.unwrap();
        assert_eq!(v.period_days, 30);
        // 1 Sept + 30 = 1 Oct (国庆): comments close Thursday 8 October; the report is due 15
        // working days later (Saturday 10 October worked), 28 October.
        assert_eq!(v.closes_on, day(10, 8));
        assert_eq!(v.report_due, day(10, 28));
        assert_eq!(v.status, ConsultationStatus::Open);

        // Anonymous on a paragraph; signed in, asking not to be published.
        let one = app
            .comment_on_consultation(None, &n, say("第二条应写明犬链长度。", Some(2)))
            .await
            .unwrap();
        let mut private = say("我家养了三只犬，请考虑多犬家庭。", None);
        private.keep_private = true;
        let two = app
            .comment_on_consultation(Some(&resident), &n, private)
            .await
            .unwrap();
        assert_eq!((one, two), (1, 2));
        assert_eq!(
            code_of(
                app.comment_on_consultation(None, &n, say("x", Some(9)))
                    .await
            ),
            codes::Opengov::Paragraph.as_str()
        );
        // Commented: no silent edit, only a new version with its note.
        assert_eq!(
            code_of(
                app.revise_consultation(&clerk, &n, None, "第一条 改。", None)
                    .await
            ),
            codes::Opengov::ChangeNote.as_str()
        );
        let version = app
            .revise_consultation(
                &clerk,
                &n,
                None,
                "第一条 为了规范养犬行为，制定本规定。\n第二条 携犬出户应当束长度不超过1.5米的犬链。\n第三条 禁止携犬进入公共场所。",
                Some("根据意见明确犬链长度"),
            )
            .await
            .unwrap();
        assert_eq!(version, 2);
        let three = app
            .comment_on_consultation(None, &n, say("广告：专业训犬。", None))
            .await
            .unwrap();
        let four = app
            .comment_on_consultation(None, &n, say("第三条的公共场所范围应当列明。", Some(3)))
            .await
            .unwrap();
        // Another unit cannot moderate.
        assert_eq!(
            code_of(app.moderate_comment(&other, &n, 1, true, None).await),
            codes::Opengov::NotUnit.as_str()
        );
        // The public sees nothing before moderation.
        assert!(app
            .consultation_view(None, &n)
            .await
            .unwrap()
            .comments
            .is_empty());
        app.moderate_comment(&clerk, &n, one, true, None)
            .await
            .unwrap();
        app.moderate_comment(&clerk, &n, two, true, None)
            .await
            .unwrap();
        app.moderate_comment(&clerk, &n, three, false, Some("第（三）项：商业广告"))
            .await
            .unwrap();
        let staff = app.consultation_view(Some(&clerk), &n).await.unwrap();
        let m: Vec<(u32, u32, Moderation)> = staff
            .comments
            .iter()
            .map(|c| (c.no, c.version, c.moderation))
            .collect();
        assert_eq!(
            m,
            vec![
                (1, 1, Moderation::Published),
                (2, 1, Moderation::Withheld),
                (3, 2, Moderation::Rejected),
                (4, 2, Moderation::Pending),
            ]
        );
        assert_eq!(staff.comments[0].author, "匿名");
        assert_eq!(
            staff.comments[1].author,
            tongban_domain::mask::name(&resident.name)
        );

        // The last instant of 8 October still takes a comment; the next day does not.
        app.clock.set(at(10, 8, 23));
        let five = app
            .comment_on_consultation(None, &n, say("最后一条。", None))
            .await
            .unwrap();
        app.clock.set(at(10, 9, 9));
        assert_eq!(
            code_of(
                app.comment_on_consultation(None, &n, say("晚了。", None))
                    .await
            ),
            codes::Opengov::CommentClosed.as_str()
        );
        assert_eq!(
            app.consultation_view(None, &n).await.unwrap().status,
            ConsultationStatus::AwaitingReport
        );
        let answers = |with: &[u32]| -> Vec<AnswerInput> {
            vec![
                AnswerInput {
                    comments: with.to_vec(),
                    adoption: Adoption::Adopted,
                    reason: "已在第二条写明。".into(),
                },
                AnswerInput {
                    comments: vec![2],
                    adoption: Adoption::NotAdopted,
                    reason: "多犬家庭按第三条执行。".into(),
                },
            ]
        };
        // Comments 4 and 5 wait for moderation.
        let v0 = app
            .consultation_view(Some(&clerk), &n)
            .await
            .unwrap()
            .version;
        assert_eq!(
            code_of(
                app.report_consultation(&clerk, &n, "说明", &answers(&[1]))
                    .await
            ),
            codes::Opengov::Unmoderated.as_str()
        );
        app.moderate_comment(&clerk, &n, four, true, None)
            .await
            .unwrap();
        app.moderate_comment(&clerk, &n, five, true, None)
            .await
            .unwrap();
        // Comment 5 unanswered: refused, nothing written, nobody told.
        let v1 = app
            .consultation_view(Some(&clerk), &n)
            .await
            .unwrap()
            .version;
        assert_eq!(v1, v0 + 2);
        let err = app
            .report_consultation(&clerk, &n, "说明", &answers(&[1, 4]))
            .await
            .unwrap_err();
        assert_eq!(err.code.as_str(), codes::Opengov::Unanswered.as_str());
        assert!(err.message.contains('5'), "{}", err.message);
        assert_eq!(
            app.consultation_view(Some(&clerk), &n)
                .await
                .unwrap()
                .version,
            v1
        );
        assert!(app.store.outbox_for_case(&n).await.unwrap().is_empty());
        app.report_consultation(
            &clerk,
            &n,
            "共收到意见5条，逐条答复如下。",
            &answers(&[1, 4, 5]),
        )
        .await
        .unwrap();
        let v = app.consultation_view(None, &n).await.unwrap();
        assert_eq!(v.status, ConsultationStatus::Reported);
        // The public: the published comments with their answers; not the withheld one.
        let public: Vec<u32> = v.comments.iter().map(|c| c.no).collect();
        assert_eq!(public, vec![1, 4, 5]);
        assert!(v
            .comments
            .iter()
            .all(|c| c.adoption == Some(Adoption::Adopted)));
        assert_eq!(v.stats.comments, 5);
        assert_eq!(v.stats.adoption_rate, Some(75));
        let (_, csv) = app.consultation_comments_csv(None, &n).await.unwrap();
        assert!(!csv.contains("多犬家庭"), "{csv}");
        assert!(csv.contains("第二条应写明犬链长度"));
        let (_, all) = app
            .consultation_comments_csv(Some(&clerk), &n)
            .await
            .unwrap();
        assert!(all.contains("多犬家庭"));
        // Every commenter with a contact told at once, once each.
        let told = app.store.outbox_for_case(&n).await.unwrap();
        let mut to: Vec<&str> = told.iter().map(|m| m.recipient.as_str()).collect();
        to.sort_unstable();
        to.dedup();
        assert_eq!(told.len(), to.len());
        assert!(to.contains(&"13812345678"));
        assert_eq!(
            code_of(
                app.report_consultation(&clerk, &n, "再", &answers(&[1, 4, 5]))
                    .await
            ),
            codes::Opengov::Reported.as_str()
        );
        assert!(matches!(
            app.store.audit_verify().await.unwrap(),
            Verified::Intact { .. }
        ));
    }
}

/// The report deadline of a consultation is in the one deadline index: a consultation closed
/// without its report goes yellow on its last day and red the day after, and the report takes
/// it off the board.
#[tokio::test]
async fn a_consultation_closed_without_its_report_turns_red_on_the_board() {
    for app in apps().await {
        app.clock.set(at(9, 1, 10));
        let clerk = who(&app, "zjj.clerk").await;
        let sup = who(&app, "jiancha").await;
        let n = app.publish_consultation(&clerk, draft(None)).await.unwrap();
        let subject = app
            .store
            .subject(SubjectKind::Consultation, &n)
            .await
            .unwrap()
            .expect("registered as a supervised subject");
        assert!(subject.title.contains("养犬管理规定"));
        let sref = subject.subject();
        let clocks = app.store.subject_clocks(&sref).await.unwrap();
        assert_eq!(
            clocks,
            vec![("report".to_string(), 0, at(10, 29, 0).timestamp_millis())]
        );
        let lit = |light| {
            app.board_cases(
                &sup,
                None,
                LitFilter {
                    kind: Some(SubjectKind::Consultation),
                    light,
                    ..LitFilter::default()
                },
            )
        };
        // Closed 8 October, nothing lit yet.
        app.clock.set(at(10, 12, 9));
        app.sweep_warnings().await.unwrap();
        assert!(app
            .store
            .warnings_of_subject(SubjectKind::Consultation, sref.id)
            .await
            .unwrap()
            .is_empty());
        // The last day: yellow.
        app.clock.set(at(10, 28, 9));
        app.sweep_warnings().await.unwrap();
        assert!(lit(Some(Light::Yellow))
            .await
            .unwrap()
            .iter()
            .any(|l| l.subject_number == n));
        // The day after: red, once however often the sweeper runs.
        app.clock.set(at(10, 29, 9));
        app.sweep_warnings().await.unwrap();
        app.sweep_warnings().await.unwrap();
        let w = app
            .store
            .warnings_of_subject(SubjectKind::Consultation, sref.id)
            .await
            .unwrap();
        assert_eq!(w.iter().map(|x| x.light).collect::<Vec<_>>(), vec![1, 2]);
        assert!(lit(Some(Light::Red))
            .await
            .unwrap()
            .iter()
            .any(|l| l.subject_number == n));
        // The (late) report takes it off.
        app.report_consultation(&clerk, &n, "未收到意见。", &[])
            .await
            .unwrap();
        assert!(app.store.subject_clocks(&sref).await.unwrap().is_empty());
        assert!(!lit(None)
            .await
            .unwrap()
            .iter()
            .any(|l| l.subject_number == n));
    }
}

fn proposal() -> ProposalInput {
    ProposalInput {
        kind: ProposalKind::Suggestion,
        session: "市人大十六届五次会议".into(),
        number: "0123".into(),
        title: "关于增设老旧小区充电桩的建议".into(),
        proposer: "王代表".into(),
        proposer_login: Some("user01".into()),
        body: "建议在老旧小区增设电动自行车充电桩。".into(),
    }
}

/// A proposal 交办-ed on 20 March to a 主办 and a 分办 unit: due 20 June, which is 端午, so
/// 22 June; only the two units reply; the proposer records satisfaction; the replies are public
/// once published with the proposer's consent.
#[tokio::test]
async fn a_proposal_is_given_to_two_units_only_they_reply_and_its_deadline_is_watched() {
    for app in apps().await {
        app.clock.set(at(3, 20, 10));
        let office = who(&app, "gkb.clerk").await;
        let lead = who(&app, "zjj.clerk").await;
        let split = who(&app, "mzj.clerk").await;
        let stranger = who(&app, "scjg.clerk").await;
        let proposer = who(&app, "user01").await;
        let mut bad = proposal();
        bad.proposer_login = Some("no-such-user".into());
        assert_eq!(
            code_of(app.register_proposal(&office, bad).await),
            codes::Opengov::ProposalField.as_str()
        );
        let n = app.register_proposal(&office, proposal()).await.unwrap();
        let zjj = lead.department_id.unwrap();
        let mzj = split.department_id.unwrap();
        assert_eq!(
            code_of(
                app.assign_proposal(&office, &n, &[(zjj, UnitRole::Split)], None)
                    .await
            ),
            codes::Opengov::Lead.as_str()
        );
        assert_eq!(
            code_of(
                app.assign_proposal(&lead, &n, &[(zjj, UnitRole::Lead)], None)
                    .await
            ),
            codes::Opengov::NotUnit.as_str()
        );
        app.assign_proposal(
            &office,
            &n,
            &[(zjj, UnitRole::Lead), (mzj, UnitRole::Split)],
            Some("请按期答复"),
        )
        .await
        .unwrap();
        let v = app.proposal_view(Some(&lead), &n).await.unwrap();
        assert_eq!(v.due, Some(day(6, 22)));
        assert!(v.may_reply);
        // Not public yet.
        assert_eq!(
            code_of(app.proposal_view(None, &n).await),
            codes::Opengov::NotFound.as_str()
        );
        let subject = app
            .store
            .subject(SubjectKind::Proposal, &n)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(subject.party, "王**");
        let sref = subject.subject();
        let clocks = app.store.subject_clocks(&sref).await.unwrap();
        let red = at(6, 23, 0).timestamp_millis();
        assert_eq!(
            clocks,
            vec![
                (format!("reply:{zjj}"), 0, red),
                (format!("reply:{mzj}"), 0, red)
            ]
        );
        // A unit not given it.
        let err = app
            .reply_proposal(&stranger, &n, ReplyClass::A, "我们来答复。")
            .await
            .unwrap_err();
        assert_eq!(err.code.as_str(), codes::Opengov::NotAssigned.as_str());
        assert_eq!(err.kind, tongban_app::Kind::Forbidden);
        app.clock.set(at(5, 6, 10));
        app.reply_proposal(&lead, &n, ReplyClass::B, "已列入2026年老旧小区改造计划。")
            .await
            .unwrap();
        assert_eq!(
            code_of(
                app.proposal_feedback(&proposer, &n, Satisfaction::Satisfied, None, true)
                    .await
            ),
            codes::Opengov::RepliesMissing.as_str()
        );
        // Only the 分办 unit's deadline remains; it goes red after 22 June.
        let clocks = app.store.subject_clocks(&sref).await.unwrap();
        assert_eq!(clocks.len(), 1);
        assert_eq!(clocks[0].0, format!("reply:{mzj}"));
        app.clock.set(at(6, 23, 9));
        app.sweep_warnings().await.unwrap();
        let w = app
            .store
            .warnings_of_subject(SubjectKind::Proposal, sref.id)
            .await
            .unwrap();
        assert!(w.iter().any(|x| x.light == 2), "{w:?}");
        app.reply_proposal(&split, &n, ReplyClass::A, "已协调供电部门安装。")
            .await
            .unwrap();
        assert!(app.store.subject_clocks(&sref).await.unwrap().is_empty());
        let v = app.proposal_view(Some(&proposer), &n).await.unwrap();
        assert_eq!(v.status, ProposalStatus::Replied);
        assert!(v.may_feedback);
        app.proposal_feedback(&proposer, &n, Satisfaction::Satisfied, Some("满意"), true)
            .await
            .unwrap();
        app.publish_proposal(&office, &n).await.unwrap();
        let public = app.proposal_view(None, &n).await.unwrap();
        assert_eq!(public.replies.len(), 2);
        assert_eq!(public.satisfaction, Some(Satisfaction::Satisfied));
        assert!(app
            .proposals(None)
            .await
            .unwrap()
            .iter()
            .any(|l| l.number == n));
        // The units see it in their lists.
        assert!(app
            .proposals(Some(&split))
            .await
            .unwrap()
            .iter()
            .any(|l| l.number == n));
    }
}

/// The demo: three consultations (open, reported, overdue and red) and seed 004's proposal
/// with its three replies, published.
#[tokio::test]
async fn the_demo_has_three_consultations_and_the_seed_004_proposal() {
    for app in apps().await {
        let (accounts, numbers) = app.load_demo_opengov().await.unwrap();
        assert_eq!(accounts.len(), 6);
        assert_eq!(numbers.len(), 4);
        let status: Vec<ConsultationStatus> = {
            let mut out = Vec::new();
            for n in &numbers[..3] {
                out.push(app.consultation_view(None, n).await.unwrap().status);
            }
            out
        };
        assert_eq!(
            status,
            vec![
                ConsultationStatus::Open,
                ConsultationStatus::Reported,
                ConsultationStatus::AwaitingReport
            ]
        );
        let overdue = app
            .store
            .subject(SubjectKind::Consultation, &numbers[2])
            .await
            .unwrap()
            .unwrap()
            .subject();
        for _ in 0..3 {
            app.sweep_warnings().await.unwrap();
        }
        let clocks = app.store.subject_clocks(&overdue).await.unwrap();
        assert_eq!(clocks.len(), 1);
        assert_eq!(clocks[0].1, 2, "the overdue report is red");
        let p = app.proposal_view(None, &numbers[3]).await.unwrap();
        assert_eq!(p.official_number, "20140036");
        assert_eq!(p.replies.len(), 3);
        assert_eq!(p.units[0].role, UnitRole::Lead);
        assert!(p.replies.iter().any(|r| r.text.contains("分办单位")));
    }
}
