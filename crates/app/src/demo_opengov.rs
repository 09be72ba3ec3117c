//! The demo's open government: three consultations (one open, one closed with its adoption
//! report, one whose report is overdue and red on the board) and seed 004's 政协提案 with the
//! replies of its three units. Each matter is driven through the domain's own commands at past
//! instants, so its log, deadlines and projection are what the procedure would have left.
//!
//! Seed 004 does not say which unit was 主办: the demo makes 编办 the 主办 (its reply answers the
//! proposal's first point, 行政审批制度改革), and 行政服务管理办 (分办, as its reply says) and 监察局
//! the 分办 units. The seed's texts are kept as they are (they name 东莞).

use chrono::{DateTime, Duration, Utc};
use tongban_domain::opengov::{
    Adoption, AnswerInput, AssignedUnit, By, CommentInput, Consultation, ConsultationEvent,
    DraftInput, Proposal, ProposalEvent, ProposalInput, ProposalKind, ReplyClass, Satisfaction,
    Unit, UnitRole,
};
use tongban_domain::org::Role;
use tongban_domain::region::RegionCode;
use tongban_domain::supervision::SubjectKind;
use tongban_store::opengov::NewOpengovEvent;
use tongban_store::users::NewUser;

use crate::demo::DemoAccount;
use crate::{password, App, AppError, Result};

const PROPOSAL: &str = include_str!("../data/seed004/proposal.txt");
const REPLY_XZFW: &str = include_str!("../data/seed004/reply_xzfw.txt");
const REPLY_BB: &str = include_str!("../data/seed004/reply_bb.txt");
const REPLY_JCJ: &str = include_str!("../data/seed004/reply_jcj.txt");

/// (login prefix, name) of the units seed 004's proposal was given to.
pub const UNITS: &[(&str, &str)] = &[
    ("bb", "清江市委编办"),
    ("xzfw", "清江市行政服务管理办"),
    ("jcj", "清江市监察局"),
];

/// The office that registers and 交办-s proposals: the disclosure demo's city office.
const OFFICE_LOGIN: &str = "gkb.clerk";
/// The unit whose drafts the demo consults on.
const DRAFT_UNIT_LOGIN: &str = "zjj.clerk";

fn by(name: &str, user_id: Option<i64>) -> By {
    By {
        user_id,
        name: name.to_string(),
    }
}

struct Drafted {
    c: Consultation,
    log: Vec<(ConsultationEvent, By, DateTime<Utc>)>,
}

impl Drafted {
    fn step(&mut self, e: ConsultationEvent, who: By, at: DateTime<Utc>) {
        self.c.apply(&e);
        self.log.push((e, who, at));
    }

    fn comment(&mut self, text: &str, paragraph: Option<u32>, who: Option<By>, at: DateTime<Utc>) {
        let e = self
            .c
            .comment(
                &CommentInput {
                    paragraph,
                    text: text.into(),
                    contact: Some("13712345678".into()),
                    ..CommentInput::default()
                },
                who.clone(),
                at,
            )
            .expect("a demo comment within the period");
        self.step(e, who.unwrap_or_else(|| by("公众", None)), at);
    }

    fn moderate_all(&mut self, staff: &By, at: DateTime<Utc>) {
        for no in 1..=self.c.comments.len() as u32 {
            let e = self
                .c
                .moderate(no, true, None)
                .expect("a pending demo comment");
            self.step(e, staff.clone(), at);
        }
    }
}

impl App {
    async fn demo_unit_of(&self, login: &str) -> Result<(Unit, By)> {
        let u = self
            .store
            .user_by_login(login)
            .await?
            .ok_or_else(|| AppError::internal(format!("demo account {login} missing")))?;
        let d = self
            .store
            .department(u.department_id.unwrap_or_default())
            .await?
            .ok_or_else(|| AppError::internal(format!("demo unit of {login} missing")))?;
        Ok((
            Unit {
                department_id: d.id,
                name: d.name,
                region: d.region_code.as_str().to_string(),
            },
            by(&u.name, Some(u.id)),
        ))
    }

    async fn seed_consultation(&self, d: Drafted) -> Result<String> {
        let now = self.now();
        let cal = self.calendar_for(&d.c.unit.region).await?;
        let year = chrono::Datelike::year(&d.c.published_at);
        let c = d.c;
        let log = d.log;
        let number = self
            .store
            .create_opengov(SubjectKind::Consultation, year, now, |number| {
                let events = log
                    .iter()
                    .map(|(e, who, at)| Self::event_row(e.kind(), e, who, *at))
                    .collect::<Result<Vec<NewOpengovEvent>>>()?;
                let entry = self.system_entry(
                    "opengov.consultation.publish",
                    format!("consultation:{number}"),
                    format!("演示：公开征求意见 {number}"),
                );
                self.consultation_write(&c, events, Vec::new(), entry, &cal, now)
            })
            .await??;
        Ok(number)
    }

    /// Loads the demo's consultations and seed 004's proposal (after [`App::load_demo`] and
    /// [`App::load_demo_disclosure`]); returns the units' sign-ins and the matters' numbers.
    pub async fn load_demo_opengov(&self) -> Result<(Vec<DemoAccount>, Vec<String>)> {
        let now = self.now();
        let rules = self.settings().opengov.consultation;
        let (unit, staff) = self.demo_unit_of(DRAFT_UNIT_LOGIN).await?;
        let cal = self.calendar_for(&unit.region).await?;
        let draft = |title: &str, at: DateTime<Utc>| -> Result<Drafted> {
            let c = Consultation::publish(
                unit.clone(),
                &DraftInput {
                    title: title.into(),
                    explanation: "为规范本市物业服务活动，维护业主和物业服务企业的合法权益，根据《物业管理条例》，结合本市实际，起草本办法。现向社会公开征求意见。".into(),
                    draft: "第一条 为了规范物业管理活动，维护业主、物业服务人的合法权益，制定本办法。\n第二条 本办法适用于本市行政区域内的物业管理活动及其监督管理。\n第三条 物业服务收费应当遵循合理、公开以及费用与服务水平相适应的原则，实行明码标价。\n第四条 住宅专项维修资金的使用情况应当每半年向业主公布一次。".into(),
                    period_days: None,
                },
                &rules,
                &cal,
                at,
            )?;
            Ok(Drafted {
                log: vec![(
                    ConsultationEvent::Published {
                        consultation: Box::new(c.clone()),
                    },
                    staff.clone(),
                    at,
                )],
                c,
            })
        };
        let citizen = |n: &str| Some(by(n, None));
        let mut numbers = Vec::new();

        // Open: published five days ago, two comments published, one waiting.
        let t = now - Duration::days(5);
        let mut open = draft("清江市物业管理办法（征求意见稿）", t)?;
        open.comment(
            "建议明确物业服务收费公示的位置和期限。",
            Some(3),
            citizen("王明"),
            t + Duration::days(1),
        );
        open.comment(
            "维修资金公布周期建议改为每季度一次。",
            Some(4),
            None,
            t + Duration::days(2),
        );
        open.moderate_all(&staff, t + Duration::days(3));
        open.comment(
            "希望增加业主委员会换届的规定。",
            None,
            citizen("李华"),
            t + Duration::days(4),
        );
        numbers.push(self.seed_consultation(open).await?);

        // Closed with its report: published 70 days ago, every comment answered.
        let t = now - Duration::days(70);
        let mut done = draft("清江市住宅小区停车管理规定（征求意见稿）", t)?;
        done.comment(
            "建议小区停车位优先出租给本小区业主。",
            Some(3),
            citizen("赵芳"),
            t + Duration::days(2),
        );
        done.comment(
            "停车收费应当公示收费依据。",
            Some(3),
            citizen("陈强"),
            t + Duration::days(5),
        );
        done.comment(
            "收费标准应当听取业主意见。",
            Some(3),
            None,
            t + Duration::days(8),
        );
        done.comment(
            "建议规定访客临时停车的办法。",
            None,
            citizen("刘明"),
            t + Duration::days(12),
        );
        done.moderate_all(&staff, t + Duration::days(13));
        let after = tongban_domain::time::start_of_day(done.c.closes_on + Duration::days(3))
            + Duration::hours(2);
        let e = done.c.report(
            "本次征求意见共收到意见4条，经逐条研究，采纳2条，部分采纳1条，未采纳1条，具体情况如下。",
            &[
                AnswerInput {
                    comments: vec![1],
                    adoption: Adoption::Adopted,
                    reason: "已在第三条增加“优先满足本小区业主需要”的规定。".into(),
                },
                AnswerInput {
                    comments: vec![2, 3],
                    adoption: Adoption::Partly,
                    reason: "收费依据和标准须公示；收费标准由价格主管部门依法制定，已增加听取业主委员会意见的程序。".into(),
                },
                AnswerInput {
                    comments: vec![4],
                    adoption: Adoption::NotAdopted,
                    reason: "访客停车属于小区管理规约事项，由业主大会依法决定，不在本规定中作统一规定。".into(),
                },
            ],
            staff.clone(),
            after,
        )?;
        done.step(e, staff.clone(), after);
        numbers.push(self.seed_consultation(done).await?);

        // Overdue: closed long ago, its report never published: red on the board.
        let t = now - Duration::days(90);
        let mut late = draft("清江市既有住宅加装电梯实施办法（征求意见稿）", t)?;
        late.comment(
            "建议明确低层住户补偿的指导标准。",
            Some(3),
            citizen("周华"),
            t + Duration::days(3),
        );
        late.comment(
            "希望简化加装电梯的审批手续。",
            None,
            None,
            t + Duration::days(9),
        );
        late.moderate_all(&staff, t + Duration::days(10));
        numbers.push(self.seed_consultation(late).await?);

        let (accounts, proposal) = self.load_demo_proposal().await?;
        numbers.push(proposal);
        Ok((accounts, numbers))
    }

    /// Seed 004's 政协提案: registered, 交办-ed to three units, each replied, the proposer
    /// satisfied and agreeing, the replies published.
    async fn load_demo_proposal(&self) -> Result<(Vec<DemoAccount>, String)> {
        let now = self.now();
        let hash = password::hash(crate::demo::DEMO_PASSWORD).await?;
        let city = RegionCode::parse("361200").map_err(AppError::internal)?;
        let mut accounts = Vec::new();
        let mut units = Vec::new();
        for (i, (short, name)) in UNITS.iter().enumerate() {
            let dept = self
                .store
                .create_department(
                    name,
                    &city,
                    self.system_entry("department.create", String::new(), format!("演示：{name}")),
                )
                .await?;
            for (j, (suffix, role, person)) in [
                ("clerk", Role::Clerk, "建议提案经办人"),
                ("head", Role::DeptHead, "建议提案负责人"),
            ]
            .into_iter()
            .enumerate()
            {
                let login = format!("{short}.{suffix}");
                let person_name = format!("{person}{}", ["甲", "乙", "丙"][i]);
                let user = NewUser {
                    login: login.clone(),
                    password_hash: hash.clone(),
                    name: person_name.clone(),
                    role: Some(role),
                    department_id: Some(dept),
                    region_code: Some(city.clone()),
                    phone: Some(format!("139{:08}", 36_120_500 + i * 10 + j)),
                    email: Some(format!("{login}@qingjiang.gov.cn")),
                    ..NewUser::default()
                };
                self.store
                    .create_user(
                        &user,
                        now,
                        self.system_entry(
                            "staff.create",
                            String::new(),
                            format!("演示：{} {person_name}", role.label()),
                        ),
                    )
                    .await?;
                accounts.push(DemoAccount {
                    login,
                    role,
                    name: person_name,
                    unit: (*name).to_string(),
                });
            }
            units.push(AssignedUnit {
                department_id: dept,
                name: (*name).to_string(),
                role: if i == 0 {
                    UnitRole::Lead
                } else {
                    UnitRole::Split
                },
            });
        }
        let (office, clerk) = self.demo_unit_of(OFFICE_LOGIN).await?;
        let cal = self.calendar_for(&office.region).await?;
        let months = self.settings().opengov.proposal_reply_months;
        let t = now - Duration::days(100);
        let mut p = Proposal::register(
            office,
            &ProposalInput {
                kind: ProposalKind::Proposal,
                session: "市政协十二届三次会议".into(),
                number: "20140036".into(),
                title: "关于进一步改进基层作风，提升镇街机关效率的建议".into(),
                proposer: "王建周".into(),
                proposer_login: None,
                body: PROPOSAL.trim().into(),
            },
            None,
            t,
        )?;
        let mut log: Vec<(ProposalEvent, By, DateTime<Utc>)> = vec![(
            ProposalEvent::Registered {
                proposal: Box::new(p.clone()),
            },
            clerk.clone(),
            t,
        )];
        let mut step = |p: &mut Proposal, e: ProposalEvent, who: By, at: DateTime<Utc>| {
            p.apply(&e);
            log.push((e, who, at));
        };
        let at = t + Duration::days(2);
        let e = p.assign(
            units.clone(),
            Some("请主办单位会同分办单位认真研究办理，按期答复委员。"),
            months,
            &cal,
            at,
        )?;
        step(&mut p, e, clerk.clone(), at);
        for (i, (u, (class, text))) in units
            .iter()
            .zip([
                (ReplyClass::B, REPLY_BB),
                (ReplyClass::B, REPLY_XZFW),
                (ReplyClass::A, REPLY_JCJ),
            ])
            .enumerate()
        {
            let at = t + Duration::days(40 + 10 * i as i64);
            let who = by(&format!("建议提案经办人{}", ["甲", "乙", "丙"][i]), None);
            let e = p.reply(u.department_id, class, text.trim(), who.clone(), at)?;
            step(&mut p, e, who, at);
        }
        let at = t + Duration::days(75);
        let e = p.feedback(
            Satisfaction::Satisfied,
            Some("对各单位的办理答复表示满意。"),
            true,
            clerk.clone(),
            at,
        )?;
        step(&mut p, e, clerk.clone(), at);
        let at = t + Duration::days(76);
        let e = p.publish(at)?;
        step(&mut p, e, clerk.clone(), at);
        let year = chrono::Datelike::year(&t);
        let number = self
            .store
            .create_opengov(SubjectKind::Proposal, year, now, |number| {
                let events = log
                    .iter()
                    .map(|(e, who, at)| Self::event_row(e.kind(), e, who, *at))
                    .collect::<Result<Vec<NewOpengovEvent>>>()?;
                let entry = self.system_entry(
                    "opengov.proposal.register",
                    format!("proposal:{number}"),
                    format!("演示：政协提案 {number}（市政协十二届三次会议第20140036号）"),
                );
                self.proposal_write(&p, events, entry, &cal, now)
            })
            .await??;
        Ok((accounts, number))
    }
}
