//! Demo of open government's public side: publicity notices in the eight key areas (running,
//! closed, 预公开 linked to their 结果公示, one with an objection), four open meetings (two
//! ahead taking registrations, one minuted, one whose minutes are overdue), public
//! commitments and this week's and next week's visiting schedule. Everything goes through the
//! use cases, so it is audited, watched and numbered like real work.

use chrono::{DateTime, Duration, Utc};
use tongban_domain::opengov::{
    AttendInput, CommitmentInput, CommitmentScope, CommitmentStatus, MeetingInput, MeetingKind,
    ObjectionInput, PublicityArea, PublicityInput, PublicityStage, VisitInput,
};
use tongban_domain::time::local_date;

use crate::{App, Result};

/// The demo's notices: (area, title, body).
const NOTICES: &[(PublicityArea, &str, &str)] = &[
    (
        PublicityArea::Licensing,
        "食品经营许可准予决定",
        "准予清江市滨江区某某餐饮店食品经营许可，许可范围：热食类食品制售。",
    ),
    (
        PublicityArea::Procurement,
        "市政务服务中心自助终端采购项目",
        "采购自助服务终端20台，预算金额80万元。",
    ),
    (
        PublicityArea::Tendering,
        "城东污水管网改造工程中标候选人",
        "第一中标候选人：清江市某某建设有限公司，投标报价1280万元。",
    ),
    (
        PublicityArea::Land,
        "城北地块国有建设用地使用权出让",
        "宗地编号QJ2026-08，面积3.2公顷，用途商业，出让年限40年。",
    ),
    (
        PublicityArea::Funds,
        "2026年创业担保贷款贴息资金分配",
        "拟对68户创业主体发放贴息资金共计112万元，名单附后。",
    ),
    (
        PublicityArea::Property,
        "市属国有企业闲置厂房转让",
        "转让标的：原第二机械厂3号厂房，挂牌底价560万元。",
    ),
    (
        PublicityArea::Hiring,
        "2026年市属事业单位公开招聘拟聘用人员",
        "拟聘用人员12名，名单、岗位及考试成绩附后。",
    ),
    (
        PublicityArea::Planning,
        "滨江公园改造工程设计方案批前公示",
        "改造范围约15公顷，新增健身步道和公厕两座，设计方案图附后。",
    ),
];

impl App {
    /// Loads the demo; returns the numbers of the notices and of the meetings.
    pub async fn load_demo_opengov_public(&self) -> Result<(Vec<String>, Vec<String>)> {
        let now = self.now();
        let clerk = self.demo_actor("zjj.clerk").await?;
        let other = self.demo_actor("mzj.clerk").await?;
        let unit = self.unit_of(&clerk).await?;
        let mut notices = Vec::new();
        // Each area: one running now, one closed long ago.
        for (area, title, body) in NOTICES {
            let input =
                |stage: PublicityStage, title: String, linked: Option<String>| PublicityInput {
                    area: *area,
                    stage,
                    title,
                    body: (*body).to_string(),
                    days: None,
                    linked,
                };
            let running = self
                .publish_publicity_at(
                    &clerk,
                    unit.clone(),
                    input(PublicityStage::Result, format!("{title}（公示）"), None),
                    now - Duration::days(1),
                )
                .await?;
            notices.push(running);
            let past = now - Duration::days(80);
            let linked = if matches!(
                area,
                PublicityArea::Procurement
                    | PublicityArea::Tendering
                    | PublicityArea::Land
                    | PublicityArea::Property
            ) {
                let pre = self
                    .publish_publicity_at(
                        &clerk,
                        unit.clone(),
                        input(PublicityStage::Pre, format!("{title}（预公开）"), None),
                        past - Duration::days(10),
                    )
                    .await?;
                self.close_publicity(&clerk, &pre, "预公开期满，未收到异议，按程序进入实施。")
                    .await?;
                notices.push(pre.clone());
                Some(pre)
            } else {
                None
            };
            let closed = self
                .publish_publicity_at(
                    &clerk,
                    unit.clone(),
                    input(PublicityStage::Result, format!("{title}（上一批）"), linked),
                    past,
                )
                .await?;
            self.close_publicity(&clerk, &closed, "公示期满，未收到异议，结果有效。")
                .await?;
            notices.push(closed);
        }
        if let Some(first) = notices.first() {
            self.object_to_publicity(
                None,
                first,
                ObjectionInput {
                    text: "该店后厨与许可申请时提交的布局图不一致，请核查。".into(),
                    name: Some("陈立".into()),
                    contact: Some("13700001234".into()),
                },
            )
            .await?;
        }

        // Meetings: two ahead, one minuted, one with its minutes overdue.
        let at_14 = |d: DateTime<Utc>| -> DateTime<Utc> {
            tongban_domain::time::start_of_day(local_date(d)) + Duration::hours(14)
        };
        let meeting = |kind: MeetingKind, title: &str, agenda: &str, starts_at| MeetingInput {
            kind,
            title: title.into(),
            agenda: agenda.into(),
            place: "市政府第一会议室".into(),
            starts_at,
            capacity: 20,
        };
        let mut meetings = Vec::new();
        let ahead = self
            .announce_meeting(
                &clerk,
                meeting(
                    MeetingKind::Meeting,
                    "市政府第12次常务会议",
                    "审议《清江市物业管理办法（草案）》\n研究2026年老旧小区改造计划",
                    at_14(now + Duration::days(7)),
                ),
            )
            .await?;
        self.register_to_attend(
            None,
            &ahead,
            AttendInput {
                name: "刘洋".into(),
                phone: "13600001111".into(),
            },
        )
        .await?;
        meetings.push(ahead);
        meetings.push(
            self.announce_meeting(
                &other,
                meeting(
                    MeetingKind::Inquiry,
                    "民政局养老服务公开问询会",
                    "社区养老服务中心建设进度\n高龄津贴发放情况",
                    at_14(now + Duration::days(12)),
                ),
            )
            .await?,
        );
        let minuted = self
            .announce_meeting_at(
                &clerk,
                unit.clone(),
                meeting(
                    MeetingKind::Report,
                    "住建局局长公开述职会",
                    "2026年上半年工作述职\n群众代表提问",
                    at_14(now - Duration::days(20)),
                ),
                now - Duration::days(30),
            )
            .await?;
        self.publish_minutes(
            &clerk,
            &minuted,
            "局长就上半年工作进行述职，并回答群众代表提出的6个问题。",
            15,
            "对群众反映的3个小区管网问题限期整改",
        )
        .await?;
        meetings.push(minuted);
        meetings.push(
            self.announce_meeting_at(
                &clerk,
                unit.clone(),
                meeting(
                    MeetingKind::Meeting,
                    "市政府第11次常务会议",
                    "审议《清江市住宅小区停车管理规定》",
                    at_14(now - Duration::days(25)),
                ),
                now - Duration::days(35),
            )
            .await?,
        );

        // Commitments.
        for (who, title, limit, standard, kept) in [
            (
                &clerk,
                "建筑工程施工许可",
                "3个工作日内办结",
                "材料齐全当场受理，一次性告知补正材料",
                Some((CommitmentStatus::Kept, "10月受理46件，均在3个工作日内办结")),
            ),
            (
                &clerk,
                "商品房预售许可",
                "5个工作日内办结",
                "网上申请，全程电子化",
                Some((
                    CommitmentStatus::Broken,
                    "10月有2件超过5个工作日，已督促整改",
                )),
            ),
            (
                &other,
                "最低生活保障审核确认",
                "15个工作日内办结",
                "入户调查后即时公示",
                None,
            ),
        ] {
            let id = self
                .publish_commitment(
                    who,
                    CommitmentInput {
                        title: title.into(),
                        time_limit: limit.into(),
                        standard: standard.into(),
                        // The first one is broken by the unit's late cases by itself.
                        covers: Some(if title == "建筑工程施工许可" {
                            CommitmentScope::Cases
                        } else {
                            CommitmentScope::Manual
                        }),
                    },
                )
                .await?;
            if let Some((status, note)) = kept {
                self.set_commitment_status(who, id, status, note).await?;
            }
        }

        // The visiting schedule: this week and next.
        let monday = tongban_domain::opengov::week_of(local_date(now));
        for (offset, leader, post, hours, topics) in [
            (
                1,
                "王建国",
                "住建局局长",
                "09:00-12:00",
                "住房保障、物业管理",
            ),
            (3, "李红", "民政局局长", "14:30-17:30", "养老服务、社会救助"),
            (8, "王建国", "住建局局长", "09:00-12:00", "老旧小区改造"),
        ] {
            let who = if post.starts_with("住建") {
                &clerk
            } else {
                &other
            };
            self.publish_visit(
                who,
                VisitInput {
                    leader: leader.into(),
                    post: post.into(),
                    day: (monday + Duration::days(offset)).to_string(),
                    hours: hours.into(),
                    place: "市民服务中心二楼接访室".into(),
                    topics: topics.into(),
                },
            )
            .await?;
        }
        Ok((notices, meetings))
    }
}
