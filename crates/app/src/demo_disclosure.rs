//! The demo's disclosure offices and requests: the city government office (清江市人民政府办公室)
//! and 江北区's, each with a clerk, an approver and a head, and a dozen requests in several
//! states. Each request is driven through the domain's own commands at past instants, so its
//! log, clock and projection are exactly what the procedure would have left.

use chrono::{DateTime, Duration, Utc};
use tongban_domain::calendar::{Calendar, WorkingDays};
use tongban_domain::disclosure::{
    Applicant, ApplicantInput, ApplicantKind, By, Channel, ConsultationKind, DisclosureEvent,
    FeeBasis, Filing, FormWanted, Office, Recorded, Reply, ReplyInput, ReplyKind, Request,
    RequestNumber, WithheldPart, WithholdGround, THIRD_PARTY_DAYS,
};
use tongban_domain::identity::IdNumber;
use tongban_domain::org::Role;
use tongban_domain::region::RegionCode;
use tongban_domain::DomainError;
use tongban_store::users::NewUser;

use crate::demo::DemoAccount;
use crate::{password, App, AppError, Result};

/// (login prefix, office name, region).
pub const OFFICES: &[(&str, &str, &str)] = &[
    ("gkb", "清江市人民政府办公室（政务公开办）", "361200"),
    ("jbgkb", "江北区人民政府办公室（政务公开办）", "361202"),
];

type Step = fn(&Request, &Calendar, DateTime<Utc>) -> Result<DisclosureEvent, DomainError>;

fn wd(n: u32) -> WorkingDays {
    WorkingDays::new(n).expect("a demo count in range")
}

fn reply(kind: ReplyKind) -> Reply {
    let mut input = ReplyInput {
        kind: Some(kind),
        text: "所需信息以电子邮件提供。".into(),
        ..ReplyInput::default()
    };
    match kind {
        ReplyKind::PartlyDisclosed | ReplyKind::Withheld => {
            input.withheld = vec![WithheldPart {
                part: "合同单价及联系人手机号码".into(),
                ground: WithholdGround::ThirdParty,
                reason: "涉及商业秘密和个人隐私，第三方不同意公开".into(),
            }]
        }
        ReplyKind::AlreadyPublic => {
            input.pointer = Some("清江市人民政府门户网站“政府信息公开”栏目".into())
        }
        _ => {}
    }
    Reply::parse(input).expect("a demo reply with its grounds")
}

/// The steps of each demo request, each with its offset in days from the receipt.
fn scripts() -> Vec<Vec<(i64, Step)>> {
    vec![
        // Just received; the clock runs.
        vec![],
        // 补正 sent, awaiting the supplement.
        vec![(1, |r, c, t| {
            r.request_supplement(&["请写明所需文件的年份和文号".into()], wd(15), c, t)
        })],
        // Supplemented, restarted.
        vec![
            (1, |r, c, t| {
                r.request_supplement(&["请写明项目名称".into()], wd(15), c, t)
            }),
            (4, |r, _, t| r.supplement("老旧小区改造（白鹭片区）项目", t)),
        ],
        // Consulting a third party.
        vec![(3, |r, c, t| {
            r.open_consultation(
                ConsultationKind::ThirdParty,
                "清江建设工程有限公司",
                "施工合同是否涉及商业秘密",
                wd(THIRD_PARTY_DAYS),
                c,
                t,
            )
        })],
        // Awaiting a per-volume fee.
        vec![(5, |r, c, t| {
            r.notice_fee(FeeBasis::PerVolume { pages: 120 }, wd(20), c, t)
        })],
        // Extended by the head.
        vec![(10, |r, c, t| {
            r.extend(15, "需调取历年档案，工作量较大", true, c, t)
        })],
        // Replied: disclosed.
        vec![(6, |r, _, _| r.answer(reply(ReplyKind::Disclosed)))],
        // Replied: partly disclosed after a consultation and a fee.
        vec![
            (2, |r, c, t| {
                r.open_consultation(
                    ConsultationKind::ThirdParty,
                    "清江建设工程有限公司",
                    "合同单价",
                    wd(THIRD_PARTY_DAYS),
                    c,
                    t,
                )
            }),
            (6, |r, _, t| {
                r.close_consultation(Some("不同意公开合同单价"), t)
            }),
            (7, |r, c, t| {
                r.notice_fee(FeeBasis::PerVolume { pages: 45 }, wd(20), c, t)
            }),
            (8, |r, _, t| r.pay_fee("JK-DEMO-0001", t)),
            (12, |r, _, _| r.answer(reply(ReplyKind::PartlyDisclosed))),
        ],
        // Replied: already public.
        vec![(2, |r, _, _| r.answer(reply(ReplyKind::AlreadyPublic)))],
        // Replied: withheld.
        vec![(9, |r, _, _| r.answer(reply(ReplyKind::Withheld)))],
        // Deemed withdrawn after an unanswered 补正.
        vec![
            (1, |r, c, t| {
                r.request_supplement(&["请说明所需信息的具体内容".into()], wd(5), c, t)
            }),
            (20, |r, _, t| r.lapse_supplement(t)),
        ],
        // Withdrawn by the applicant.
        vec![(3, |r, _, _| r.withdraw())],
    ]
}

impl App {
    /// Loads the demo's disclosure offices (after [`App::load_demo`]) and a dozen requests;
    /// returns the offices' sign-ins and the request numbers.
    pub async fn load_demo_disclosure(&self) -> Result<(Vec<DemoAccount>, Vec<String>)> {
        let now = self.now();
        let hash = password::hash(crate::demo::DEMO_PASSWORD).await?;
        let mut accounts = Vec::new();
        let mut offices = Vec::new();
        for (i, (short, name, region)) in OFFICES.iter().enumerate() {
            let rc = RegionCode::parse(region).map_err(AppError::internal)?;
            let dept = self
                .store
                .create_department(
                    name,
                    &rc,
                    self.system_entry("department.create", String::new(), format!("演示：{name}")),
                )
                .await?;
            for (j, (suffix, role, person)) in [
                ("clerk", Role::Clerk, "公开办经办人"),
                ("approver", Role::Approver, "公开办审核人"),
                ("head", Role::DeptHead, "公开办负责人"),
            ]
            .into_iter()
            .enumerate()
            {
                let login = format!("{short}.{suffix}");
                let person_name = format!("{person}{}", ["甲", "乙"][i]);
                let user = NewUser {
                    login: login.clone(),
                    password_hash: hash.clone(),
                    name: person_name.clone(),
                    role: Some(role),
                    department_id: Some(dept),
                    region_code: Some(rc.clone()),
                    phone: Some(format!("139{:08}", 36_120_100 + i * 10 + j)),
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
            offices.push(Office {
                department_id: dept,
                name: (*name).to_string(),
                region: rc,
            });
        }
        let mut numbers = Vec::new();
        for (i, script) in scripts().into_iter().enumerate() {
            let office = &offices[i % offices.len()];
            // Received 1 to 34 days ago, so due dates spread over the coming weeks.
            let received = now - Duration::days(2 + (i as i64 * 3) % 34) - Duration::hours(1);
            let n = self.seed_disclosure(office, i, received, &script).await?;
            numbers.push(n);
        }
        Ok((accounts, numbers))
    }

    async fn seed_disclosure(
        &self,
        office: &Office,
        i: usize,
        received: DateTime<Utc>,
        script: &[(i64, Step)],
    ) -> Result<String> {
        let now = self.now();
        let first17 = format!("3612021985{:02}{:02}0{:02}", 1 + i % 12, 1 + i % 28, 10 + i);
        let id = IdNumber::complete(&first17).map_err(AppError::internal)?;
        let (kind, name, id_code) = if i % 4 == 3 {
            (
                ApplicantKind::LegalPerson,
                "清江建设工程有限公司".to_string(),
                "91350100M000100Y43".to_string(),
            )
        } else {
            (
                ApplicantKind::Citizen,
                format!(
                    "{}{}",
                    ["王", "李", "赵", "陈", "刘", "周"][i % 6],
                    ["明", "华", "芳", "强"][i % 4]
                ),
                id.as_str().to_string(),
            )
        };
        let applicant = Applicant::parse(
            &ApplicantInput {
                kind: Some(kind),
                name,
                id_code,
                phone: Some(format!("137{:08}", 36_120_000 + i)),
                ..ApplicantInput::default()
            },
            None,
        )?;
        let filing = Filing {
            applicant,
            office: office.clone(),
            description: [
                "2025年老旧小区改造项目的资金安排文件",
                "本街道2025年度低保人员名单（不含身份证号码）",
                "市区道路拓宽工程的规划许可文件",
                "2025年本市政府采购项目的中标公告",
            ][i % 4]
                .to_string(),
            purpose: Some("了解相关政策".into()),
            form: FormWanted::Email,
            channel: if i.is_multiple_of(3) {
                Channel::RegisteredPost
            } else {
                Channel::InPerson
            },
        };
        let cal = self.calendar_for(office.region.as_str()).await?;
        let by = By {
            user_id: None,
            name: "公开办经办人（演示）".into(),
        };
        let mut log: Vec<Recorded> = Request::file(filing, Some(received), now)?
            .into_iter()
            .map(|event| Recorded {
                event,
                at: received,
                by: by.clone(),
            })
            .collect();
        for (days, step) in script {
            let at = received + Duration::days(*days);
            let req = Request::replay(&log).ok_or_else(|| AppError::internal("demo filing"))?;
            let event = step(&req, &cal, at)?;
            log.push(Recorded {
                event,
                at,
                by: by.clone(),
            });
        }
        let req = Request::replay(&log).ok_or_else(|| AppError::internal("demo filing"))?;
        let region6: String = office.region.as_str().chars().take(6).collect();
        let day = tongban_domain::time::local_date(received);
        let (_, number) = self
            .store
            .create_disclosure(&region6, day, now, |seq| -> Result<_> {
                let number = RequestNumber::new(&region6, day, seq)?;
                let entry = self.system_entry(
                    "disclosure.demo",
                    format!("disclosure:{number}"),
                    format!("演示：政府信息公开申请 {number}"),
                );
                let mut w =
                    self.disclosure_write(number.as_str(), &req, &log, &log, &cal, now, entry)?;
                // A demo request's history is not news: nothing is sent.
                w.notifications.clear();
                Ok(w)
            })
            .await??;
        Ok(number)
    }
}
