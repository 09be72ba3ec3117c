use chrono::{DateTime, Duration, NaiveDate, TimeZone, Utc};

use super::*;
use crate::calendar::Calendar;
use crate::codes::Opengov as C;
use crate::supervision::{Light, WarningRules};
use crate::time::{end_of_day, start_of_day};

fn cal() -> Calendar {
    Calendar::shipped()
}

fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).unwrap()
}

/// Tuesday 1 September 2026, 10:00 Shanghai.
fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 9, 1, 2, 0, 0).unwrap()
}

fn unit() -> Unit {
    Unit {
        department_id: 7,
        name: "清江市司法局".into(),
        region: "361200".into(),
    }
}

fn rules() -> ConsultationRules {
    ConsultationRules {
        default_days: 30,
        min_days: 30,
        report_days: 15,
    }
}

fn input(days: Option<u32>) -> DraftInput {
    DraftInput {
        title: "清江市养犬管理规定（征求意见稿）".into(),
        explanation: "为规范养犬行为，起草本规定。".into(),
        draft: "第一条 为了规范养犬行为，制定本规定。\n\n第二条 本规定适用于本市城区。\n第三条 携犬出户应当束犬链。".into(),
        period_days: days,
    }
}

fn by(name: &str) -> By {
    By {
        user_id: Some(1),
        name: name.into(),
    }
}

fn published() -> Consultation {
    Consultation::publish(unit(), &input(None), &rules(), &cal(), t0()).unwrap()
}

fn say(c: &mut Consultation, text: &str, paragraph: Option<u32>, at: DateTime<Utc>) -> u32 {
    let e = c
        .comment(
            &CommentInput {
                paragraph,
                text: text.into(),
                ..CommentInput::default()
            },
            Some(by("张三")),
            at,
        )
        .unwrap();
    c.apply(&e);
    c.comments.len() as u32
}

fn code(e: crate::DomainError) -> &'static str {
    e.code.as_str()
}

#[test]
fn the_period_is_thirty_natural_days_from_the_next_day_and_ends_on_a_working_day() {
    let c = published();
    assert_eq!(c.period_days, 30);
    // 1 Sept + 30 days = 1 Oct, 国庆: the period ends on the first working day after, 8 Oct.
    assert_eq!(c.closes_on, d(2026, 10, 8));
    // 15 working days after 8 Oct (10 Oct is a make-up working day).
    assert_eq!(c.report_due, d(2026, 10, 28));
    assert_eq!(c.versions.len(), 1);
    assert_eq!(c.current().paragraphs.len(), 3);
}

#[test]
fn a_period_shorter_than_the_minimum_is_refused_with_its_code() {
    let e = Consultation::publish(unit(), &input(Some(20)), &rules(), &cal(), t0()).unwrap_err();
    assert_eq!(code(e), C::PeriodShort.as_str());
    let short_rules = ConsultationRules {
        min_days: 7,
        ..rules()
    };
    let c = Consultation::publish(unit(), &input(Some(20)), &short_rules, &cal(), t0()).unwrap();
    assert_eq!(c.period_days, 20);
    let e = Consultation::publish(unit(), &input(Some(365)), &rules(), &cal(), t0()).unwrap_err();
    assert_eq!(code(e), C::PeriodLong.as_str());
}

#[test]
fn a_comment_after_the_last_day_is_refused() {
    let mut c = published();
    let last = end_of_day(c.closes_on);
    say(&mut c, "建议明确犬链长度。", Some(3), last);
    let late = end_of_day(c.closes_on) + Duration::milliseconds(1);
    let e = c
        .comment(
            &CommentInput {
                text: "晚了".into(),
                ..CommentInput::default()
            },
            None,
            late,
        )
        .unwrap_err();
    assert_eq!(code(e), C::CommentClosed.as_str());
    assert_eq!(c.status(late), ConsultationStatus::AwaitingReport);
}

#[test]
fn a_comment_names_an_existing_paragraph_and_may_be_anonymous() {
    let c = published();
    let e = c
        .comment(
            &CommentInput {
                paragraph: Some(4),
                text: "x".into(),
                ..CommentInput::default()
            },
            None,
            t0(),
        )
        .unwrap_err();
    assert_eq!(code(e), C::Paragraph.as_str());
    let ev = c
        .comment(
            &CommentInput {
                text: "匿名意见".into(),
                anonymous: true,
                ..CommentInput::default()
            },
            Some(by("李四")),
            t0(),
        )
        .unwrap();
    let ConsultationEvent::Commented { comment } = ev else {
        panic!()
    };
    assert_eq!(comment.by.name, None);
    assert_eq!(comment.moderation, Moderation::Pending);
}

#[test]
fn a_commented_draft_changes_only_as_a_new_version_and_comments_stay_on_theirs() {
    let mut c = published();
    // No comment yet: edited in place.
    let e = c.revise("第一条 改。\n第二条 改。", None, t0()).unwrap();
    c.apply(&e);
    assert_eq!(c.versions.len(), 1);
    assert_eq!(c.current().paragraphs.len(), 2);
    say(&mut c, "第二条太宽。", Some(2), t0());
    let e = c.revise("第一条 再改。", None, t0()).unwrap_err();
    assert_eq!(code(e), C::ChangeNote.as_str());
    let e = c
        .revise("第一条 再改。", Some("根据意见删去第二条"), t0())
        .unwrap();
    c.apply(&e);
    assert_eq!(c.versions.len(), 2);
    assert_eq!(c.current().no, 2);
    assert_eq!(c.comments[0].version, 1);
    say(&mut c, "好。", None, t0());
    assert_eq!(c.comments[1].version, 2);
}

#[test]
fn moderation_publishes_withholds_on_request_or_rejects_with_a_reason() {
    let mut c = published();
    say(&mut c, "一", None, t0());
    let e = c
        .comment(
            &CommentInput {
                text: "二（不公开）".into(),
                keep_private: true,
                ..CommentInput::default()
            },
            None,
            t0(),
        )
        .unwrap();
    c.apply(&e);
    say(&mut c, "广告", None, t0());
    let e = c.moderate(1, true, None).unwrap();
    c.apply(&e);
    let e = c.moderate(2, true, None).unwrap();
    c.apply(&e);
    assert_eq!(
        code(c.moderate(3, false, None).unwrap_err()),
        C::ModerationReason.as_str()
    );
    let e = c.moderate(3, false, Some("第（三）项：商业广告")).unwrap();
    c.apply(&e);
    assert_eq!(
        code(c.moderate(3, true, None).unwrap_err()),
        C::Moderated.as_str()
    );
    let m: Vec<Moderation> = c.comments.iter().map(|c| c.moderation).collect();
    assert_eq!(
        m,
        vec![
            Moderation::Published,
            Moderation::Withheld,
            Moderation::Rejected
        ]
    );
    assert!(Consultation::is_public(&c.comments[0]));
    assert!(!Consultation::is_public(&c.comments[1]));
    let csv = c.comments_csv(true);
    assert_eq!(csv.lines().count(), 2, "{csv}");
    assert!(c.comments_csv(false).contains("二（不公开）"));
}

fn answer(comments: &[u32], adoption: Adoption) -> AnswerInput {
    AnswerInput {
        comments: comments.to_vec(),
        adoption,
        reason: "已研究。".into(),
    }
}

#[test]
fn the_report_answers_every_comment_once_after_the_period() {
    let mut c = published();
    for t in ["一", "二", "三", "四"] {
        say(&mut c, t, None, t0());
    }
    let after = start_of_day(c.closes_on + Duration::days(1));
    assert_eq!(
        code(c.report("说明", &[], by("司法局"), t0()).unwrap_err()),
        C::StillOpen.as_str()
    );
    assert_eq!(
        code(c.report("说明", &[], by("司法局"), after).unwrap_err()),
        C::Unmoderated.as_str()
    );
    for no in 1..=3 {
        let e = c.moderate(no, true, None).unwrap();
        c.apply(&e);
    }
    let e = c.moderate(4, false, Some("第（四）项")).unwrap();
    c.apply(&e);
    // Comment 3 unanswered.
    let e = c
        .report(
            "说明",
            &[answer(&[1, 2], Adoption::Adopted)],
            by("司法局"),
            after,
        )
        .unwrap_err();
    assert_eq!(code(e.clone()), C::Unanswered.as_str());
    assert!(e.to_string().contains('3'), "{e}");
    let e = c
        .report(
            "说明",
            &[
                answer(&[1, 2], Adoption::Adopted),
                answer(&[2, 3], Adoption::Partly),
            ],
            by("司法局"),
            after,
        )
        .unwrap_err();
    assert_eq!(code(e), C::AnsweredTwice.as_str());
    let e = c
        .report(
            "说明",
            &[answer(&[1, 2, 3, 4], Adoption::Adopted)],
            by("司法局"),
            after,
        )
        .unwrap_err();
    assert_eq!(code(e), C::AnswerComments.as_str());
    let e = c
        .report(
            "说明",
            &[
                answer(&[1, 2], Adoption::Adopted),
                answer(&[3], Adoption::NotAdopted),
            ],
            by("司法局"),
            after,
        )
        .unwrap();
    c.apply(&e);
    assert_eq!(c.status(after), ConsultationStatus::Reported);
    let s = c.stats();
    assert_eq!((s.comments, s.published, s.rejected), (4, 3, 1));
    assert_eq!((s.adopted, s.not_adopted), (2, 1));
    assert_eq!(s.adoption_rate, Some(67));
    assert_eq!(c.answer_of(2).unwrap().adoption, Adoption::Adopted);
    assert_eq!(
        code(c.report("再", &[], by("司法局"), after).unwrap_err()),
        C::Reported.as_str()
    );
}

#[test]
fn the_report_deadline_is_watched_until_the_report_is_out() {
    let c = published();
    let w = c.watches(&cal(), t0(), &WarningRules::default()).unwrap();
    assert_eq!(w.len(), 1);
    assert_eq!(w[0].light, Light::Green);
    assert_eq!(
        w[0].red_at,
        end_of_day(c.report_due) + Duration::milliseconds(1)
    );
    assert_eq!(w[0].yellow_at, Some(start_of_day(c.report_due)));
    let late = end_of_day(c.report_due) + Duration::seconds(1);
    assert_eq!(w[0].light_at(late), Light::Red);
    let w = c.watches(&cal(), late, &WarningRules::default()).unwrap();
    assert_eq!(w[0].light, Light::Red);
}

#[test]
fn csv_cells_are_quoted_and_formulas_defused() {
    assert_eq!(csv_cell("a,b"), "\"a,b\"");
    assert_eq!(csv_cell("say \"hi\""), "\"say \"\"hi\"\"\"");
    assert_eq!(csv_cell("=1+1"), "'=1+1");
    assert_eq!(csv_cell("意见"), "意见");
}

fn proposal() -> Proposal {
    Proposal::register(
        Unit {
            department_id: 1,
            name: "市政府督查室".into(),
            region: "361200".into(),
        },
        &ProposalInput {
            kind: ProposalKind::Proposal,
            session: "市政协十二届三次会议".into(),
            number: "20140036".into(),
            title: "关于进一步改进基层作风，提升镇街机关效率的建议".into(),
            proposer: "王建周".into(),
            proposer_login: None,
            body: "建议加快政府职能转变。".into(),
        },
        None,
        t0(),
    )
    .unwrap()
}

fn unit_of(id: i64, role: UnitRole) -> AssignedUnit {
    AssignedUnit {
        department_id: id,
        name: format!("单位{id}"),
        role,
    }
}

#[test]
fn a_proposal_is_given_to_one_lead_and_replied_by_its_units_only() {
    let mut p = proposal();
    assert_eq!(p.status(), ProposalStatus::Registered);
    let e = p
        .assign(vec![unit_of(2, UnitRole::Split)], None, 3, &cal(), t0())
        .unwrap_err();
    assert_eq!(code(e), C::Lead.as_str());
    let e = p
        .assign(
            vec![unit_of(2, UnitRole::Lead), unit_of(2, UnitRole::Split)],
            None,
            3,
            &cal(),
            t0(),
        )
        .unwrap_err();
    assert_eq!(code(e), C::UnitTwice.as_str());
    let e = p
        .assign(
            vec![unit_of(3, UnitRole::Split), unit_of(2, UnitRole::Lead)],
            Some("请按期答复"),
            3,
            &cal(),
            t0(),
        )
        .unwrap();
    p.apply(&e);
    let a = p.assignment.clone().unwrap();
    assert_eq!(a.units[0].role, UnitRole::Lead);
    // 1 Sept + 3 months = 1 Dec 2026, a Tuesday.
    assert_eq!(a.due, d(2026, 12, 1));
    assert_eq!(p.status(), ProposalStatus::Handling);
    let w = p.watches(&cal(), t0(), &WarningRules::default()).unwrap();
    assert_eq!(w.len(), 2);
    assert_eq!(w[0].key, "reply:2");
    let e = p
        .reply(9, ReplyClass::A, "答复", by("别的单位"), t0())
        .unwrap_err();
    assert_eq!(code(e), C::NotAssigned.as_str());
    let e = p
        .reply(2, ReplyClass::B, "正在解决", by("主办"), t0())
        .unwrap();
    p.apply(&e);
    assert_eq!(
        code(
            p.reply(2, ReplyClass::B, "再答", by("主办"), t0())
                .unwrap_err()
        ),
        C::Replied.as_str()
    );
    assert_eq!(
        code(
            p.feedback(Satisfaction::Satisfied, None, true, by("王建周"), t0())
                .unwrap_err()
        ),
        C::RepliesMissing.as_str()
    );
    let w = p.watches(&cal(), t0(), &WarningRules::default()).unwrap();
    assert_eq!(w.len(), 1);
    assert_eq!(w[0].department_id, 3);
    let e = p
        .reply(3, ReplyClass::A, "已解决", by("分办"), t0())
        .unwrap();
    p.apply(&e);
    assert_eq!(p.status(), ProposalStatus::Replied);
    assert!(p
        .watches(&cal(), t0(), &WarningRules::default())
        .unwrap()
        .is_empty());
    let e = p.publish(t0()).unwrap_err();
    assert_eq!(code(e), C::State.as_str());
    let e = p
        .feedback(
            Satisfaction::Basic,
            Some("基本满意"),
            false,
            by("王建周"),
            t0(),
        )
        .unwrap();
    p.apply(&e);
    assert_eq!(p.status(), ProposalStatus::Closed);
    assert_eq!(
        code(p.publish(t0()).unwrap_err()),
        C::PublishConsent.as_str()
    );
}

#[test]
fn three_months_ending_on_a_holiday_move_to_the_next_working_day() {
    let cal = cal();
    // 1 July + 3 months = 1 Oct (国庆): due 8 Oct.
    assert_eq!(
        period::months_end(&cal, d(2026, 7, 1), 3).unwrap(),
        d(2026, 10, 8)
    );
    // 20 March + 3 months = 20 June (端午): due Monday 22 June.
    assert_eq!(
        period::months_end(&cal, d(2026, 3, 20), 3).unwrap(),
        d(2026, 6, 22)
    );
    // 30 Nov 2025 + 3 months: February has no 30th, so its last day, 28 Feb 2026, a
    // Saturday worked for 春节 (调休): due that day.
    assert_eq!(
        period::months_end(&cal, d(2025, 11, 30), 3).unwrap(),
        d(2026, 2, 28)
    );
}

/// Which red lights break which commitments: a case's 承诺办结期限 the unit's case commitments,
/// a ticket's 办理时限 the holding unit's ticket commitments, never the centre's or another clock.
#[test]
fn a_late_case_or_ticket_breaks_the_commitments_covering_it() {
    use crate::opengov::{breach_of, CommitmentScope};
    use crate::supervision::SubjectKind;
    let (scope, note) = breach_of(SubjectKind::Case, "committed", 7, "QJ2026000001").unwrap();
    assert_eq!(scope, CommitmentScope::Cases);
    assert!(note.contains("QJ2026000001"));
    assert_eq!(
        breach_of(SubjectKind::Ticket, "handling", 7, "RX1").map(|b| b.0),
        Some(CommitmentScope::Tickets)
    );
    assert_eq!(breach_of(SubjectKind::Ticket, "handling", 0, "RX1"), None);
    assert_eq!(breach_of(SubjectKind::Case, "statutory", 7, "QJ1"), None);
    assert_eq!(breach_of(SubjectKind::Ticket, "callback", 7, "RX1"), None);
    assert_eq!(breach_of(SubjectKind::Meeting, "minutes", 7, "HY1"), None);
}
